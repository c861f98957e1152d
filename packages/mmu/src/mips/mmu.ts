// Loads and stores of a MIPS32 CPU: alignment check, TLB translation, then the bus. Outcomes are the
// MipsTlb codes (negative), so a value (unsigned, >= 0) and a fault never collide and nothing throws.
import type { PhysicalMemory } from '../physical-memory.js';
import { MIPS_ADDRESS_ERROR, type MipsMode, type MipsTlb } from './tlb.js';

export class MipsMmu {
  constructor(
    readonly tlb: MipsTlb,
    readonly memory: PhysicalMemory,
  ) {}

  /** LB/LBU: the byte, or a MIPS_* outcome. */
  read8(virtual: number, mode: MipsMode): number {
    const physical = this.tlb.translate(virtual, false, mode);
    return physical < 0 ? physical : this.memory.read8(physical);
  }

  /** LH/LHU: misaligned addresses give an address error (AdEL) with BadVAddr set. */
  read16(virtual: number, mode: MipsMode): number {
    if ((virtual & 1) !== 0) return this.misaligned(virtual);
    const physical = this.tlb.translate(virtual, false, mode);
    return physical < 0 ? physical : this.memory.read16(physical);
  }

  /** LW (and instruction fetch): misaligned addresses give an address error. */
  read32(virtual: number, mode: MipsMode): number {
    if ((virtual & 3) !== 0) return this.misaligned(virtual);
    const physical = this.tlb.translate(virtual, false, mode);
    return physical < 0 ? physical : this.memory.read32(physical);
  }

  /** SB: 0, or a MIPS_* outcome (nothing written). */
  write8(virtual: number, value: number, mode: MipsMode): number {
    const physical = this.tlb.translate(virtual, true, mode);
    if (physical < 0) return physical;
    this.memory.write8(physical, value);
    return 0;
  }

  write16(virtual: number, value: number, mode: MipsMode): number {
    if ((virtual & 1) !== 0) return this.misaligned(virtual);
    const physical = this.tlb.translate(virtual, true, mode);
    if (physical < 0) return physical;
    this.memory.write16(physical, value);
    return 0;
  }

  write32(virtual: number, value: number, mode: MipsMode): number {
    if ((virtual & 3) !== 0) return this.misaligned(virtual);
    const physical = this.tlb.translate(virtual, true, mode);
    if (physical < 0) return physical;
    this.memory.write32(physical, value);
    return 0;
  }

  private misaligned(virtual: number): number {
    this.tlb.badVAddr = virtual >>> 0;
    return MIPS_ADDRESS_ERROR;
  }
}
