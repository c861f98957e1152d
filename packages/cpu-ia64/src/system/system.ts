// System mode of the IA-64 processor (Itanium SDM vol. 2): the PSR beyond the user mask, control
// registers, register banks (r16..r31), the interruption model (vector table at cr.iva, collection
// of ipsr/iip/ifa/isr/itir/iha/iim when psr.ic, rfi), translation through @phantasm/mmu's Ia64Tlb,
// and the interval timer (ar.itc counts retired instructions; itm match → the cr.itv vector) with the
// external-interrupt registers (ivr, eoi, tpr, irr).
//
// The CPU core raises faults as FaultInfo and unwinds to its run loop; Ia64System.run turns each
// fault into an interruption and resumes, so the core keeps no knowledge of system mode beyond the
// onSystem hook (privileged instructions, src/system/exec.ts) and translated memory (SystemMemory).
import {
  IA64_EXEC,
  IA64_FAULT_DATA_NESTED_TLB,
  IA64_FAULT_NAME,
  IA64_FAULT_NAT_PAGE,
  IA64_FAULT_VECTOR,
  IA64_OK,
  IA64_READ,
  IA64_WRITE,
  Ia64Tlb,
} from '@phantasm/mmu';
import { hex } from '../bits.js';
import type { StopReason } from '../contract.js';
import { AR, Ia64Cpu } from '../cpu.js';
import { systemInstruction } from './exec.js';
import { SystemMemory } from './memory.js';
import {
  CR,
  GE_ILLEGAL_OPERATION,
  GE_PRIVILEGED_OPERATION,
  GE_RESERVED_REGISTER,
  ISR,
  ISR_CODE_NAT_PAGE,
  ISR_CODE_NAT_REGISTER,
  PSR,
  PSR_KEPT_ON_INTERRUPTION,
  PSR_UM,
  SPURIOUS_VECTOR,
  VECTOR,
} from './registers.js';

const M64 = 0xffff_ffff_ffff_ffffn;
const PHYSICAL_MASK = (1n << 63n) - 1n;

export interface Ia64SystemOptions {
  memory?: SystemMemory;
  /** TLB sizes (see Ia64TlbOptions); the VHPT walker reads physical memory. */
  trs?: number;
  tcs?: number;
}

/** What the last interruption was (for hosts and tests). */
export interface Ia64Interruption {
  vector: number;
  name: string;
  ip: bigint;
  slot: number;
}

export class Ia64System {
  readonly cpu: Ia64Cpu;
  readonly memory: SystemMemory;
  readonly tlb: Ia64Tlb;
  /** Control registers by number (reads of ivr/irr/eoi go through readCr). */
  readonly cr = new BigUint64Array(128);
  /** The other register bank: r16..r31 values and NaT bits of the bank not in use. */
  readonly otherBank = new BigUint64Array(16);
  readonly otherBankNat = new Uint8Array(16);
  /** External interrupts: pending (irr) and in-service vectors. */
  readonly pending = new Uint8Array(256);
  readonly inService: number[] = [];
  /** Interruptions delivered so far, by vector offset. */
  readonly counts = new Map<number, number>();
  lastInterruption: Ia64Interruption | undefined;

  // PSR without the user mask (which lives in cpu.psrUm)
  private psrSys = 0n;
  private timerArmed = false;
  private resumeSlot = -1;
  // the core stopped so that run() re-checks the timer and interrupts (itm, tpr, eoi, psr.i written)
  private recheck = false;
  private hostStop = false;
  // the translation fault being raised: code, address, access
  private faultCode = 0;
  private faultVa = 0n;
  private faultAccess = 0;

  constructor(options: Ia64SystemOptions = {}) {
    this.memory = options.memory ?? new SystemMemory();
    this.tlb = new Ia64Tlb({
      trs: options.trs,
      tcs: options.tcs,
      readPhysical: (pa) => this.memory.readPhysical(pa, 8),
    });
    // jit: false where the core has a block compiler: compiled code reads RAM pages directly
    const cpuOptions = { memory: this.memory, jit: false };
    this.cpu = new Ia64Cpu(cpuOptions);
    this.cpu.hooks = { onBreak: () => false, onSystem: (d, c) => systemInstruction(this, c, d) };
    this.memory.translator = {
      data: (va, write) => this.dataAddress(va, write),
      fetch: (ip) => this.fetchAddress(ip),
    };
    this.setPsr(0n);
  }

  // ---- PSR --------------------------------------------------------------------------------

  get psr(): bigint {
    return this.psrSys | (this.cpu.psrUm & PSR_UM);
  }

  /** Write the whole PSR (reserved bits dropped), keeping the translator's context in step. */
  setPsr(value: bigint): void {
    const v = value & M64;
    if (v & PSR.i && !(this.psrSys & PSR.i)) this.reschedule();
    this.psrSys = v & ~PSR_UM & ~PSR.ri;
    this.cpu.psrUm = v & PSR_UM;
    const ctx = this.tlb.context;
    ctx.cpl = Number((v >> 32n) & 3n);
    ctx.pk = (v & PSR.pk) !== 0n;
    ctx.ic = (v & PSR.ic) !== 0n;
    ctx.da = (v & PSR.da) !== 0n;
    ctx.dd = (v & PSR.dd) !== 0n;
    ctx.ia = (v & PSR.ia) !== 0n;
    this.tlb.flushMicro();
  }

  get cpl(): number {
    return this.tlb.context.cpl;
  }

  // ---- translation ------------------------------------------------------------------------

  private dataAddress(va: bigint, write: boolean): bigint {
    if ((this.psrSys & PSR.dt) === 0n) return va & PHYSICAL_MASK;
    const access = write ? IA64_WRITE : IA64_READ;
    const code = this.tlb.translate(va, access);
    if (code !== IA64_OK) this.translationFault(code, va, access);
    return this.tlb.physical;
  }

  private fetchAddress(ip: bigint): bigint {
    if ((this.psrSys & PSR.it) === 0n) return ip & PHYSICAL_MASK;
    const code = this.tlb.translate(ip, IA64_EXEC);
    if (code !== IA64_OK) this.translationFault(code, ip, IA64_EXEC);
    return this.tlb.physical;
  }

  /** Record a TLB fault and unwind the core; run() delivers it. */
  translationFault(code: number, va: bigint, access: number): never {
    this.faultCode = code;
    this.faultVa = va;
    this.faultAccess = access;
    return this.cpu.raise('translation', va, `${IA64_FAULT_NAME[code]} fault at ${hex(va)}`);
  }

  // ---- control registers --------------------------------------------------------------------

  /** mov r = cr[n] (after the privilege check): ivr acknowledges the interrupt it returns. */
  readCr(n: number): bigint {
    switch (n) {
      case CR.ivr: {
        const v = this.highestDeliverable();
        if (v < 0) return BigInt(SPURIOUS_VECTOR);
        this.pending[v] = 0;
        this.inService.push(v);
        return BigInt(v);
      }
      case CR.irr0:
      case CR.irr1:
      case CR.irr2:
      case CR.irr3: {
        let v = 0n;
        const base = (n - CR.irr0) * 64;
        for (let i = 63; i >= 0; i--) v = (v << 1n) | BigInt(this.pending[base + i]);
        return v;
      }
      case CR.eoi:
        return 0n;
      case CR.pta:
        return this.tlb.pta;
      default:
        return this.cr[n];
    }
  }

  /** mov cr[n] = v: false for read-only registers (the caller raises Illegal Operation). */
  writeCr(n: number, v: bigint): boolean {
    switch (n) {
      case CR.ivr:
      case CR.irr0:
      case CR.irr1:
      case CR.irr2:
      case CR.irr3:
        return false;
      case CR.eoi:
        this.inService.pop();
        this.reschedule();
        return true;
      case CR.tpr:
        this.cr[n] = v;
        this.reschedule();
        return true;
      case CR.pta:
        this.tlb.setPta(v);
        return true;
      case CR.iva:
        this.cr[n] = v & ~0x7fffn & M64;
        return true;
      case CR.itm:
        this.cr[n] = v;
        this.timerArmed = true;
        this.reschedule();
        return true;
      default:
        this.cr[n] = v;
        return true;
    }
  }

  // ---- register banks ---------------------------------------------------------------------

  /** Make bank `bank` (0 or 1) the visible r16..r31. */
  switchBank(bank: number): void {
    const now = (this.psrSys & PSR.bn) !== 0n ? 1 : 0;
    if (now === bank) return;
    const grv = this.cpu.grv;
    const grn = this.cpu.grn;
    for (let i = 0; i < 16; i++) {
      const v = grv[16 + i];
      const n = grn[16 + i];
      grv[16 + i] = this.otherBank[i];
      grn[16 + i] = this.otherBankNat[i];
      this.otherBank[i] = v;
      this.otherBankNat[i] = n;
    }
    this.psrSys = bank ? this.psrSys | PSR.bn : this.psrSys & ~PSR.bn;
  }

  // ---- interruptions ----------------------------------------------------------------------

  /**
   * Deliver an interruption at `vector` for the instruction at (ip, slot): collect state when
   * psr.ic, switch to bank 0, set the interruption PSR and continue at cr.iva + vector.
   */
  interrupt(
    vector: number,
    ip: bigint,
    slot: number,
    isr: bigint,
    resources: { ifa?: bigint; itir?: bigint; iha?: bigint; iim?: bigint } = {},
  ): void {
    const psr = this.psr;
    const ic = (psr & PSR.ic) !== 0n;
    if (ic) {
      this.cr[CR.ipsr] = (psr & ~PSR.ri) | (BigInt(slot) << 41n);
      this.cr[CR.iip] = ip;
      this.cr[CR.iipa] = ip;
      this.cr[CR.ifs] = 0n;
      if (resources.ifa !== undefined) this.cr[CR.ifa] = resources.ifa;
      if (resources.itir !== undefined) this.cr[CR.itir] = resources.itir;
      if (resources.iha !== undefined) this.cr[CR.iha] = resources.iha;
      if (resources.iim !== undefined) this.cr[CR.iim] = resources.iim;
    }
    this.cr[CR.isr] = isr | (BigInt(slot) << ISR.eiShift) | (ic ? 0n : ISR.ni);
    this.switchBank(0);
    const dcr = this.cr[CR.dcr];
    this.setPsr((psr & PSR_KEPT_ON_INTERRUPTION) | (dcr & 2n ? PSR.be : 0n) | (dcr & 1n ? PSR.pp : 0n));
    this.cpu.jump(this.cr[CR.iva] + BigInt(vector));
    this.counts.set(vector, (this.counts.get(vector) ?? 0) + 1);
    this.lastInterruption = { vector, name: vectorName(vector), ip, slot };
  }

  /** rfi: PSR from ipsr (bank included), continue at iip slot ipsr.ri, reload a covered frame. */
  rfi(): void {
    const ipsr = this.cr[CR.ipsr];
    const ifs = this.cr[CR.ifs];
    if (ifs >> 63n) this.restoreCoveredFrame(ifs & ((1n << 38n) - 1n));
    this.switchBank(ipsr & PSR.bn ? 1 : 0);
    this.setPsr(ipsr);
    const slot = Number((ipsr >> 41n) & 3n);
    this.cpu.branchTo(this.cr[CR.iip]);
    if (slot !== 0) {
      // the core branches to slot 0; run() moves to the slot when the core stops
      this.resumeSlot = slot;
      this.cpu.requestStop();
    }
  }

  /** The frame `cover` pushed (cr.ifs.ifm) becomes current again, like br.ret with sol = sof. */
  private restoreCoveredFrame(ifm: bigint): void {
    const c = this.cpu;
    const sof = ifm & 127n;
    const sol = Number((ifm >> 7n) & 127n);
    const pfs = c.ar[AR.PFS];
    const ec = c.ar[AR.EC];
    c.ar[AR.PFS] = (ifm & ~(127n << 7n)) | (sof << 7n) | (ec << 52n);
    c.returnFrame();
    c.sol = sol;
    c.remap();
    c.ar[AR.PFS] = pfs;
  }

  /** cover with psr.ic = 0 records the frame in cr.ifs (valid bit 63) for rfi. */
  coverFrame(): void {
    if ((this.psrSys & PSR.ic) === 0n) this.cr[CR.ifs] = (1n << 63n) | this.cpu.cfm();
    this.cpu.cover();
  }

  // ---- external interrupts and the timer ----------------------------------------------------

  /** Stop the core after this instruction so that run() looks at the timer and interrupts again. */
  private reschedule(): void {
    this.recheck = true;
    this.cpu.requestStop();
  }

  /** Make vector v pending (devices, the timer). */
  raiseInterrupt(v: number): void {
    this.pending[v & 255] = 1;
  }

  /** Hosts (devices, exit ports) stop the run through here rather than cpu.requestStop. */
  requestStop(): void {
    this.hostStop = true;
    this.cpu.requestStop();
  }

  /** Highest pending vector above those in service and not masked by tpr, or -1. */
  private highestDeliverable(): number {
    const tpr = this.cr[CR.tpr];
    if ((tpr >> 16n) & 1n) return -1;
    const mic = Number((tpr >> 4n) & 15n);
    const floor = this.inService.length ? this.inService[this.inService.length - 1] : -1;
    for (let v = 255; v > floor; v--) {
      if (!this.pending[v]) continue;
      if (v >> 4 <= mic && v >= 16) return -1;
      return v;
    }
    return -1;
  }

  private checkTimer(): void {
    if (!this.timerArmed) return;
    const itv = this.cr[CR.itv];
    if (BigInt(this.cpu.retired) < this.cr[CR.itm]) return;
    this.timerArmed = false;
    if (((itv >> 16n) & 1n) === 0n) this.raiseInterrupt(Number(itv & 0xffn));
  }

  /** Instructions until the timer matches (Infinity when it is not armed). */
  private untilTimer(): number {
    if (!this.timerArmed) return Number.POSITIVE_INFINITY;
    const d = this.cr[CR.itm] - BigInt(this.cpu.retired);
    return d <= 0n ? 0 : Number(d);
  }

  // ---- running ----------------------------------------------------------------------------

  /**
   * Run up to `budget` instructions, delivering faults and interrupts as interruptions. Returns
   * 'stop' when a hook stopped the CPU, 'fault' for what cannot be delivered (no memory behind an
   * address, a machine check: see cpu.fault), 'budget' otherwise.
   */
  run(budget: number): StopReason {
    const cpu = this.cpu;
    const end = cpu.retired + budget;
    while (cpu.retired < end) {
      this.checkTimer();
      if (this.psrSys & PSR.i) {
        const v = this.highestDeliverable();
        if (v >= 0) this.interrupt(VECTOR.externalInterrupt, cpu.ip, cpu.slot, 0n);
      }
      const chunk = Math.max(1, Math.min(end - cpu.retired, this.untilTimer()));
      const reason = cpu.run(chunk);
      if (reason === 'stop') {
        const internal = this.resumeSlot >= 0 || this.recheck;
        if (this.resumeSlot >= 0) cpu.slot = this.resumeSlot;
        this.resumeSlot = -1;
        this.recheck = false;
        if (internal && !this.hostStop) continue;
        this.hostStop = false;
        return 'stop';
      }
      if (reason === 'fault' && !this.deliverFault()) return 'fault';
    }
    return 'budget';
  }

  /** Turn cpu.fault into an interruption; false when it has no vector (host-level stop). */
  private deliverFault(): boolean {
    const f = this.cpu.fault;
    if (!f) return false;
    const { ip, slot, detail } = f;
    switch (f.kind) {
      case 'translation': {
        const access = this.faultAccess;
        const isr =
          (access & IA64_EXEC ? ISR.x : 0n) |
          (access & IA64_WRITE ? ISR.w : 0n) |
          (access & IA64_READ ? ISR.r : 0n) |
          (this.tlb.faultEd ? ISR.ed : 0n);
        const code = this.faultCode;
        if (code === IA64_FAULT_DATA_NESTED_TLB) {
          // psr.ic was 0 and cr.isr keeps the outer fault's value: the nested handler needs it
          const outer = this.cr[CR.isr];
          this.interrupt(IA64_FAULT_VECTOR[code], ip, slot, 0n);
          this.cr[CR.isr] = outer;
          break;
        }
        this.interrupt(
          IA64_FAULT_VECTOR[code],
          ip,
          slot,
          code === IA64_FAULT_NAT_PAGE ? isr | ISR_CODE_NAT_PAGE : isr,
          { ifa: this.faultVa, itir: this.tlb.faultItir, iha: this.tlb.faultIha },
        );
        break;
      }
      case 'break':
        this.interrupt(VECTOR.break, ip, slot, 0n, { iim: detail });
        break;
      case 'privileged-operation':
        this.interrupt(VECTOR.generalException, ip, slot, GE_PRIVILEGED_OPERATION);
        break;
      case 'illegal-operation':
        this.interrupt(VECTOR.generalException, ip, slot, GE_ILLEGAL_OPERATION);
        break;
      case 'reserved-register':
        this.interrupt(VECTOR.generalException, ip, slot, GE_RESERVED_REGISTER);
        break;
      case 'register-nat-consumption':
        this.interrupt(VECTOR.natConsumption, ip, slot, ISR_CODE_NAT_REGISTER);
        break;
      case 'disabled-fp-register':
        this.interrupt(VECTOR.disabledFp, ip, slot, 0n);
        break;
      case 'speculative-operation':
        this.interrupt(VECTOR.speculation, ip, slot, 0n);
        break;
      case 'unaligned-reference':
        this.interrupt(VECTOR.unalignedReference, ip, slot, 0n, { ifa: detail });
        break;
      default:
        return false;
    }
    this.cpu.fault = undefined;
    return true;
  }

  /** Start at a physical entry point with psr = 0 (translation and collection off, cpl 0, bank 0, as Ski). */
  boot(entry: bigint): void {
    this.cpu.reset();
    this.otherBank.fill(0n);
    this.otherBankNat.fill(0);
    this.setPsr(0n);
    this.cpu.jump(entry);
  }
}

const VECTOR_NAMES: Record<number, string> = {
  0: 'VHPT Translation',
  1024: 'Instruction TLB',
  2048: 'Data TLB',
  3072: 'Alternate Instruction TLB',
  4096: 'Alternate Data TLB',
  5120: 'Data Nested TLB',
  6144: 'Instruction Key Miss',
  7168: 'Data Key Miss',
  8192: 'Dirty-Bit',
  9216: 'Instruction Access-Bit',
  10240: 'Data Access-Bit',
  11264: 'Break Instruction',
  12288: 'External Interrupt',
  20480: 'Page Not Present',
  20736: 'Key Permission',
  20992: 'Instruction Access Rights',
  21248: 'Data Access Rights',
  21504: 'General Exception',
  21760: 'Disabled FP-Register',
  22016: 'NaT Consumption',
  22272: 'Speculation',
  23040: 'Unaligned Reference',
  23296: 'Unsupported Data Reference',
};

export function vectorName(vector: number): string {
  return VECTOR_NAMES[vector] ?? `vector 0x${vector.toString(16)}`;
}
