// PAE paging's table walk (Intel SDM Vol. 3A §4.4), as a P6 without the XD bit has it: CR3 holds
// the 32-byte-aligned page-directory-pointer table, four 64-bit PDPTEs select a page directory of
// 512 64-bit entries, a PDE maps a 2 MiB page (PS) or a table of 512 PTEs mapping 4 KiB pages.
// With MAXPHYADDR = 32 (as the 32-bit walk's 4 MiB pages here) and no NX, the high dword of every
// entry is reserved: set, it is a #PF with RSVD; so are PDPTE bits 1-2 and 5-8 and a 2 MiB PDE's
// bits 20:13. PDPTEs are read at each walk (QEMU's TCG does the same) rather than loaded into
// registers at MOV CR3, so a bad PDPTE faults at the access, not at the MOV.
import type { PhysicalMemory } from '../physical-memory.js';
import { PF_P, PF_RSVD, PTE_P } from './bits.js';

const PDPTE_RESERVED = 0x1e6;
const PDE_2M_RESERVED = 0x001f_e000;
export const PAE_FRAME = 0xffff_f000;
export const PAE_2M_FRAME = 0xffe0_0000;

/** Where a PAE walk ended: the entries' low dwords and addresses, or the fault's error bits. */
export interface PaeWalk {
  /** -1: both levels present and well-formed; otherwise the #PF bits (0 = not present, or P|RSVD). */
  fault: number;
  /** The fault is the PTE's: the PDE above it was present and well-formed (and is used). */
  atPte: boolean;
  pdeAt: number;
  pde: number;
  /** A 2 MiB page: pteAt/pte unused. */
  large: boolean;
  pteAt: number;
  pte: number;
}

export function walkPae(memory: PhysicalMemory, cr3: number, linear: number, a20Mask: number): PaeWalk {
  const w: PaeWalk = { fault: -1, atPte: false, pdeAt: 0, pde: 0, large: false, pteAt: 0, pte: 0 };
  const pdpteAt = ((cr3 & 0xffff_ffe0 & a20Mask) >>> 0) + (linear >>> 30) * 8;
  const pdpte = memory.read32(pdpteAt);
  if ((pdpte & PTE_P) === 0) return { ...w, fault: 0 };
  if (memory.read32(pdpteAt + 4) !== 0 || (pdpte & PDPTE_RESERVED) !== 0)
    return { ...w, fault: PF_P | PF_RSVD };
  w.pdeAt = ((pdpte & PAE_FRAME & a20Mask) >>> 0) + ((linear >>> 21) & 0x1ff) * 8;
  w.pde = memory.read32(w.pdeAt);
  if ((w.pde & PTE_P) === 0) return { ...w, fault: 0 };
  if (memory.read32(w.pdeAt + 4) !== 0) return { ...w, fault: PF_P | PF_RSVD };
  if ((w.pde & 0x80) !== 0) {
    w.large = true;
    if ((w.pde & PDE_2M_RESERVED) !== 0) w.fault = PF_P | PF_RSVD;
    return w;
  }
  w.pteAt = ((w.pde & PAE_FRAME & a20Mask) >>> 0) + ((linear >>> 12) & 0x1ff) * 8;
  w.pte = memory.read32(w.pteAt);
  if ((w.pte & PTE_P) === 0) w.fault = 0;
  else if (memory.read32(w.pteAt + 4) !== 0) w.fault = PF_P | PF_RSVD;
  w.atPte = w.fault >= 0;
  return w;
}
