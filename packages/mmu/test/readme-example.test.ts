// The example in README.md, run as written (console output captured).
import { expect, it, vi } from 'vitest';
import {
  BumpFrameSource,
  CR0_PE,
  CR0_PG,
  FAULT,
  Ia32Mmu,
  Ia32PageTableEditor,
  PhysicalMemory,
} from '../src/index.js';

it('README example works', () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const memory = new PhysicalMemory({ ramSize: 16 << 20 });
  memory.mapMmio(0xfee00000, 0x1000, { read: (offset) => offset, write: () => {} }); // a device
  const frames = new BumpFrameSource(8 << 20, 16 << 20); // or physalloc
  const cr3 = Ia32PageTableEditor.createPageDirectory(memory, frames);
  const mmu = new Ia32Mmu(memory);
  const editor = new Ia32PageTableEditor(memory, cr3, frames, (va) => mmu.invlpg(va));
  editor.map(0x80000000, 0x00200000, { writable: true, user: true });
  mmu.setCr3(cr3);
  mmu.setCr0(CR0_PE | CR0_PG);
  if (mmu.writeLinear32(0x80000010, 0xcafe, true) === FAULT)
    console.log(mmu.faultAddress, mmu.faultErrorCode);
  console.log(memory.read32(0x00200010).toString(16)); // cafe
  expect(log.mock.calls).toEqual([['cafe']]);
  log.mockRestore();
});
