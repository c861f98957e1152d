// Stage 4 on IA-32: the kernel page directory in emulated RAM through mmu's editor. Low memory and
// the kernel image are identity-mapped for the kernel only; page 0 is unmapped once boot no longer
// needs it, and CR0.WP makes the kernel's own writes honour write protection (vm-map relies on it).
import type { Cpu } from '@phantasm/cpu-ia32';
import {
  CR0_PG,
  CR0_WP,
  type FrameSource,
  type Ia32Mmu,
  Ia32PageTableEditor,
  type MemoryBus,
} from '@phantasm/mmu';
import { LAYOUT } from '../../abi.js';
import { CODE_END, STUBS } from './kernel-image.js';

export interface KernelPaging {
  editor: Ia32PageTableEditor;
  mmu: Ia32Mmu;
  directory: number;
  /** Pages identity-mapped at boot. */
  identityPages: number;
}

export function buildKernelPaging(cpu: Cpu, bus: MemoryBus, frames: FrameSource): KernelPaging {
  const mmu = cpu.mmu;
  if (!mmu) throw new Error('the kernel needs a CPU on a PhysicalMemory bus (Ia32Mmu)');
  const directory = Ia32PageTableEditor.createPageDirectory(bus, frames);
  const editor = new Ia32PageTableEditor(bus, directory, frames, (va) => mmu.invlpg(va));
  let identityPages = 0;
  for (let page = 0; page < LAYOUT.kernelEnd; page += 0x1000) {
    // the entry code is read-only even for the kernel (CR0.WP)
    const code = page >= STUBS && page < CODE_END;
    editor.map(page, page, { writable: !code, user: false, global: true });
    identityPages++;
  }
  cpu.setControl(3, directory);
  cpu.setControl(0, cpu.cr0 | CR0_PG | CR0_WP);
  cpu.setControl(4, cpu.cr4 | 0x80); // PGE: kernel mappings survive CR3 reloads
  // Boot is done with the real-mode world: page 0 (IVT, BIOS data area) goes, to catch null pointers.
  editor.unmap(0);
  identityPages--;
  return { editor, mmu, directory, identityPages };
}
