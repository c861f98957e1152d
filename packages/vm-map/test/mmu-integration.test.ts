// The persistent space on the real emulated IA-32 mmu: page tables edited through Ia32PageTableEditor,
// dirty logging through Ia32Mmu's write epoch and watcher, guest page faults resolved by handleFault.
import { BumpFrameSource, FAULT, PF_W, PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { formatDisk, MemoryBlockDevice, PersistentSpace } from '../src/index.js';
import { pagedMmu } from './ia32-paging.js';

const BASE = 0x8000_0000;
const MiB = 1 << 20;

function machine(device: MemoryBlockDevice, maxResidentPages?: number) {
  const memory = new PhysicalMemory({ ramSize: 8 * MiB });
  const { mmu, editor, mapper } = pagedMmu(memory, new BumpFrameSource(1 * MiB, 2 * MiB));
  const space = PersistentSpace.open(device, {
    ram: memory.ram,
    frames: new BumpFrameSource(2 * MiB, 8 * MiB),
    mapper,
    ...(maxResidentPages ? { maxResidentPages } : {}),
  });
  let faults = 0;
  // What the CPU and the kernel's #PF handler do together: fault, resolve, restart the instruction.
  const write8 = (linear: number, value: number) => {
    for (let tries = 0; mmu.writeLinear8(linear, value, true) === FAULT; tries++) {
      expect(tries).toBeLessThan(2);
      faults++;
      space.handleFault(mmu.faultAddress & ~0xfff, (mmu.faultErrorCode & PF_W) !== 0);
    }
  };
  const read8 = (linear: number) => {
    for (let tries = 0; ; tries++) {
      const v = mmu.readLinear8(linear, true);
      if (v !== FAULT) return v;
      expect(tries).toBeLessThan(2);
      faults++;
      space.handleFault(mmu.faultAddress & ~0xfff, false);
    }
  };
  return { space, write8, read8, faults: () => faults, mmu, editor };
}

describe('PersistentSpace on Ia32Mmu', () => {
  it('pages in on guest faults, dirties on first write, write-protects on pageout, and snapshots', () => {
    const dev = new MemoryBlockDevice();
    formatDisk(dev, { base: BASE, pages: 64 });
    const m = machine(dev);
    for (let p = 0; p < 64; p++) m.write8(BASE + p * 4096 + p, p + 1);
    expect(m.space.stats.dirtyPages).toBe(64);
    m.space.pageoutStep(64);
    expect(m.space.stats.dirtyPages).toBe(0);
    const before = m.faults();
    m.write8(BASE + 5 * 4096, 0xee); // write-protected after pageout: faults once, dirty again
    expect(m.faults()).toBe(before + 1);
    expect(m.space.stats.dirtyPages).toBe(1);

    // Pause: O(1) epoch bump. The world writes page 5 again before the walk reaches it: copy on write.
    const job = m.space.beginSnapshot(new Uint8Array([1]));
    m.write8(BASE + 5 * 4096, 0x11);
    expect(m.space.stats.cowCopies).toBe(1);
    // A kernel write elsewhere in RAM reaches the watcher too (first write in the epoch) and is ignored.
    m.editor.map(0x0040_0000, 0x0010_0000, { writable: true, user: false });
    expect(m.mmu.writeLinear8(0x0040_0010, 7, false)).toBe(0);
    job.finish();
    m.space.close();

    const r = machine(dev, 8);
    expect(r.read8(BASE + 5 * 4096)).toBe(0xee);
    for (let p = 0; p < 64; p++) if (p !== 5) expect(r.read8(BASE + p * 4096 + p)).toBe(p + 1);
    expect(r.space.stats.residentPages).toBeLessThanOrEqual(8);
  });
});
