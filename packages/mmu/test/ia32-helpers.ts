import {
  BumpFrameSource,
  CR0_PE,
  CR0_PG,
  Ia32Mmu,
  Ia32PageTableEditor,
  PhysicalMemory,
} from '../src/index.js';

/** 8 MiB of RAM; page tables come from 4–8 MiB; paging on with CR3 at a fresh directory. */
export function pagedMachine(options: { wp?: boolean; cr4?: number } = {}) {
  const memory = new PhysicalMemory({ ramSize: 0x800000 });
  const frames = new BumpFrameSource(0x400000, 0x800000);
  const cr3 = Ia32PageTableEditor.createPageDirectory(memory, frames);
  const mmu = new Ia32Mmu(memory);
  const editor = new Ia32PageTableEditor(memory, cr3, frames, (v) => mmu.invlpg(v));
  mmu.setCr4(options.cr4 ?? 0);
  mmu.setCr3(cr3);
  mmu.setCr0(CR0_PE | CR0_PG | (options.wp ? 0x10000 : 0));
  return { memory, frames, cr3, mmu, editor };
}
