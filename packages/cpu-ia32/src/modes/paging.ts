// Linear -> physical translation for the CPU. On a PhysicalMemory bus it delegates to
// @phantasm/mmu's Ia32Mmu (its soft TLB, A/D bits, write epochs for vm-map). On any other
// MemoryBus it uses the small walker below: two-level paging (4 KiB pages, 4 MiB with
// CR4.PSE) with a direct-mapped software TLB.
import { Ia32Mmu, PhysicalMemory } from '@phantasm/mmu';
import type { Cpu } from '../cpu.js';
import { CR0_WP, CR4_PSE, PFV } from '../state.js';

const TLB_BITS = 10;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;

// Permission bits of a TLB entry: what kind of access may use it without a walk.
const P_SR = 1; // supervisor read
const P_SW = 2; // supervisor write (page dirty)
const P_UR = 4; // user read
const P_UW = 8; // user write (page dirty)

export class Paging {
  private readonly cpu: Cpu;
  private readonly vpn = new Int32Array(TLB_SIZE).fill(-1);
  private readonly phys = new Int32Array(TLB_SIZE);
  private readonly perm = new Uint8Array(TLB_SIZE);
  /** TLB misses since construction (for benchmarks and tests). */
  misses = 0;

  /** The mmu package's translator, when the bus is a PhysicalMemory. */
  readonly mmu: Ia32Mmu | undefined;

  constructor(cpu: Cpu) {
    this.cpu = cpu;
    const bus = cpu.memory;
    this.mmu = bus instanceof PhysicalMemory && !bus.bigEndian ? new Ia32Mmu(bus) : undefined;
  }

  /** Mirror a control-register write (MOV CRn) into the translator. */
  setControl(n: number, value: number): void {
    const m = this.mmu;
    if (m === undefined) {
      this.flush();
      return;
    }
    if (n === 0) m.setCr0(value >>> 0);
    else if (n === 3) m.setCr3(value >>> 0);
    else if (n === 4) m.setCr4(value >>> 0);
  }

  flush(): void {
    if (this.mmu !== undefined) this.mmu.flushAll();
    this.vpn.fill(-1);
    this.perm.fill(0);
  }

  /** INVLPG: drop the entry for the page holding `lin`. */
  invalidate(lin: number): void {
    if (this.mmu !== undefined) {
      this.mmu.invlpg(lin >>> 0);
      return;
    }
    const v = lin >>> 12;
    const i = v & TLB_MASK;
    if (this.vpn[i] === v) this.vpn[i] = -1;
  }

  /** Physical address for an access, or a #PF thrown through the CPU. */
  translate(lin: number, write: boolean): number {
    const c = this.cpu;
    const user = c.cpl === 3 && !c.sysAccess;
    const v = lin >>> 12;
    const i = v & TLB_MASK;
    const m = this.mmu;
    if (m !== undefined) {
      const p = m.translate(lin, write ? 1 : 0, user);
      if (p === -1) {
        c.cr2 = m.faultAddress | 0;
        c.fault(PFV, m.faultErrorCode);
      }
      return p;
    }
    const need = write ? (user ? P_UW : P_SW) : user ? P_UR : P_SR;
    if (this.vpn[i] === v && (this.perm[i] & need) !== 0) return this.phys[i] | (lin & 0xfff);
    return this.walk(lin, write, user);
  }

  /** Translate without side effects (debuggers): -1 when not present. */
  probe(lin: number): number {
    const c = this.cpu;
    if (this.mmu !== undefined) return this.mmu.probe(lin >>> 0)?.physical ?? -1;
    const pde = c.memory.read32(((c.cr3 & ~0xfff) + ((lin >>> 22) << 2)) >>> 0);
    if (!(pde & 1)) return -1;
    if (pde & 0x80 && c.cr4 & CR4_PSE) return ((pde & 0xffc00000) | (lin & 0x3fffff)) >>> 0;
    const pte = c.memory.read32(((pde & ~0xfff) + (((lin >>> 12) & 0x3ff) << 2)) >>> 0);
    if (!(pte & 1)) return -1;
    return ((pte & ~0xfff) | (lin & 0xfff)) >>> 0;
  }

  private walk(lin: number, write: boolean, user: boolean): number {
    this.misses++;
    const c = this.cpu;
    const mem = c.memory;
    const pdeAddr = ((c.cr3 & ~0xfff) + ((lin >>> 22) << 2)) >>> 0;
    const pde = mem.read32(pdeAddr);
    if (!(pde & 1)) return this.pageFault(lin, write, user, false);
    const wp = (c.cr0 & CR0_WP) !== 0;
    let frame: number;
    let rw: boolean;
    let us: boolean;
    let dirty: boolean;
    if (pde & 0x80 && c.cr4 & CR4_PSE) {
      rw = (pde & 2) !== 0;
      us = (pde & 4) !== 0;
      if (!this.allowed(rw, us, write, user, wp)) return this.pageFault(lin, write, user, true);
      const upd = pde | 0x20 | (write ? 0x40 : 0);
      if (upd !== pde) mem.write32(pdeAddr, upd >>> 0);
      dirty = (upd & 0x40) !== 0;
      frame = (pde & 0xffc00000) | (lin & 0x3ff000);
    } else {
      const pteAddr = ((pde & ~0xfff) + (((lin >>> 12) & 0x3ff) << 2)) >>> 0;
      const pte = mem.read32(pteAddr);
      if (!(pte & 1)) return this.pageFault(lin, write, user, false);
      rw = (pde & pte & 2) !== 0;
      us = (pde & pte & 4) !== 0;
      if (!this.allowed(rw, us, write, user, wp)) return this.pageFault(lin, write, user, true);
      if (!(pde & 0x20)) mem.write32(pdeAddr, (pde | 0x20) >>> 0);
      const upd = pte | 0x20 | (write ? 0x40 : 0);
      if (upd !== pte) mem.write32(pteAddr, upd >>> 0);
      dirty = (upd & 0x40) !== 0;
      frame = pte & ~0xfff;
    }
    // Fill: writes are cached only once the page is dirty, so the first write still walks.
    let perm = P_SR;
    if (dirty && (rw || !wp)) perm |= P_SW;
    if (us) {
      perm |= P_UR;
      if (dirty && rw) perm |= P_UW;
    }
    const v = lin >>> 12;
    const i = v & TLB_MASK;
    this.vpn[i] = v;
    this.phys[i] = frame;
    this.perm[i] = perm;
    return frame | (lin & 0xfff);
  }

  private allowed(rw: boolean, us: boolean, write: boolean, user: boolean, wp: boolean): boolean {
    if (user) return us && (!write || rw);
    return !write || rw || !wp;
  }

  private pageFault(lin: number, write: boolean, user: boolean, present: boolean): never {
    const c = this.cpu;
    c.cr2 = lin;
    return c.fault(PFV, (present ? 1 : 0) | (write ? 2 : 0) | (user ? 4 : 0));
  }
}
