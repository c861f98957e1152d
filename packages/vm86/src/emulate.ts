// Emulation of the IOPL-sensitive instructions of virtual-8086 mode (CLI, STI, PUSHF, POPF,
// INT n, INT3, INTO, IRET, HLT) and of port I/O that the bitmap traps (IN, OUT, INS, OUTS), on
// a copy of the v86 register image taken from the monitor's ring-0 stack. The interrupt flag
// the BIOS sees is virtual; the real IF follows it so the CPU takes hardware interrupts only
// while the BIOS has them enabled, and the monitor reflects those through the IVT too.
import { EFLAGS, type IoBus } from '@phantasm/cpu-ia32';
import { Vm86AccessError, Vm86FaultError, Vm86IoError } from './errors.js';
import { operandBeyondLimit } from './operand.js';

export const { CF, TF, IF, DF, OF, IOPL, NT, RF, VM, AC, ID } = EFLAGS;
/** Flags real-mode code changes with POPF/IRET and that the real EFLAGS carry as they are. */
const PASS16 = 0x0dd5; // CF PF AF ZF SF TF DF OF
const PASS32 = PASS16 | AC | ID;
/** Flags kept only in the virtual image: IF (mirrored), IOPL and NT (the real ones stay 0). */
const VIRTUAL = IF | IOPL | NT;

/** What an I/O port does when v86 code touches it. */
export type PortPolicy = 'allow' | 'trap' | 'deny';

/** The v86 machine state while the monitor handles a trap. */
export interface V86State {
  /** EAX, ECX, EDX, EBX, ESP (unused: see `esp`), EBP, ESI, EDI, as the CPU keeps them. */
  regs: Int32Array;
  eip: number;
  cs: number;
  /** The real EFLAGS image (VM set, IOPL 0, IF = virtual IF). */
  eflags: number;
  esp: number;
  ss: number;
  es: number;
  ds: number;
  fs: number;
  gs: number;
  /** Virtual IF, IOPL and NT as the BIOS set them. */
  virtualFlags: number;
}

/** Memory as v86 code may see it: linear addresses, refused outside the allowed windows. */
export interface V86Memory {
  read8(lin: number): number;
  write8(lin: number, v: number): void;
}

export interface TrapCounters {
  /** Sensitive instructions emulated, by mnemonic. */
  emulated: Record<string, number>;
  /** Interrupts reflected through the IVT (software and hardware). */
  reflected: number;
}

export type TrapResult = 'continue' | 'sentinel';

/** FLAGS as the BIOS sees them: real arithmetic/control bits plus the virtual IF, IOPL, NT. */
export function visibleFlags(s: V86State): number {
  return ((s.eflags & ~(VIRTUAL | VM | RF)) | s.virtualFlags) >>> 0;
}

/** Load a FLAGS image written by the BIOS (POPF, IRET); `wide` for the 32-bit forms. */
export function loadFlags(s: V86State, image: number, wide: boolean): void {
  const pass = wide ? PASS32 : PASS16;
  s.virtualFlags = image & VIRTUAL;
  s.eflags = ((s.eflags & ~(pass | IF)) | (image & pass) | (image & IF) | VM) & ~(IOPL | NT);
}

export class Emulator {
  constructor(
    private readonly mem: V86Memory,
    private readonly io: IoBus,
    private readonly policy: (port: number) => PortPolicy,
    readonly counters: TrapCounters,
    /** Called when the BIOS halts to wait for an interrupt (a board can advance its clock). */
    private readonly onIdle?: () => void,
  ) {}

  private read16(seg: number, off: number): number {
    const lo = this.mem.read8(((seg << 4) + (off & 0xffff)) >>> 0);
    return lo | (this.mem.read8(((seg << 4) + ((off + 1) & 0xffff)) >>> 0) << 8);
  }
  private write16(seg: number, off: number, v: number): void {
    this.mem.write8(((seg << 4) + (off & 0xffff)) >>> 0, v & 0xff);
    this.mem.write8(((seg << 4) + ((off + 1) & 0xffff)) >>> 0, (v >>> 8) & 0xff);
  }
  private read32(seg: number, off: number): number {
    return (this.read16(seg, off) | (this.read16(seg, off + 2) << 16)) >>> 0;
  }
  private write32(seg: number, off: number, v: number): void {
    this.write16(seg, off, v & 0xffff);
    this.write16(seg, off + 2, v >>> 16);
  }

  // The v86 stack is a 16-bit stack: SP wraps at 64 KiB, the upper half of ESP is kept.
  push16(s: V86State, v: number): void {
    const sp = (s.esp - 2) & 0xffff;
    this.write16(s.ss, sp, v);
    s.esp = (s.esp & ~0xffff) | sp;
  }
  push32(s: V86State, v: number): void {
    const sp = (s.esp - 4) & 0xffff;
    this.write32(s.ss, sp, v);
    s.esp = (s.esp & ~0xffff) | sp;
  }
  pop16(s: V86State): number {
    const v = this.read16(s.ss, s.esp);
    s.esp = (s.esp & ~0xffff) | ((s.esp + 2) & 0xffff);
    return v;
  }
  pop32(s: V86State): number {
    const v = this.read32(s.ss, s.esp);
    s.esp = (s.esp & ~0xffff) | ((s.esp + 4) & 0xffff);
    return v;
  }

  /**
   * Real-mode interrupt entry through the IVT: push FLAGS, CS, IP (of `returnIp`), clear the
   * virtual IF and TF/AC, jump to the vector.
   */
  reflect(s: V86State, vector: number, returnIp: number): void {
    this.push16(s, visibleFlags(s));
    this.push16(s, s.cs);
    this.push16(s, returnIp);
    s.eip = this.read16(0, vector * 4);
    s.cs = this.read16(0, vector * 4 + 2);
    s.virtualFlags &= ~IF;
    s.eflags &= ~(IF | TF | AC);
    this.counters.reflected++;
  }

  private count(name: string): void {
    this.counters.emulated[name] = (this.counters.emulated[name] ?? 0) + 1;
  }

  /**
   * Handle a #GP out of v86 mode: decode the instruction at CS:IP and emulate it.
   * `sentinel` is the linear address of the monitor's return HLT.
   */
  generalProtection(s: V86State, errorCode: number, sentinel: number): TrapResult {
    const cs = s.cs;
    const start = s.eip & 0xffff;
    let ip = start;
    const fetch = (): number => {
      const b = this.mem.read8(((cs << 4) + ip) >>> 0);
      ip = (ip + 1) & 0xffff;
      return b;
    };
    let op32 = false;
    let addr32 = false;
    let seg = -1;
    let rep = false;
    let op = fetch();
    for (let n = 0; n < 15; n++) {
      if (op === 0x66) op32 = true;
      else if (op === 0x67) addr32 = true;
      else if (op === 0x26 || op === 0x2e || op === 0x36 || op === 0x3e) seg = (op >> 3) & 3;
      else if (op === 0x64 || op === 0x65) seg = op - 0x60;
      else if (op === 0xf2 || op === 0xf3) rep = true;
      else if (op !== 0xf0) break;
      op = fetch();
    }
    const fail = (detail: string): never => {
      throw new Vm86FaultError(13, errorCode, cs, start, detail);
    };
    switch (op) {
      case 0xfa: // CLI
        s.virtualFlags &= ~IF;
        s.eflags &= ~IF;
        this.count('cli');
        break;
      case 0xfb: // STI
        s.virtualFlags |= IF;
        s.eflags |= IF;
        this.count('sti');
        break;
      case 0x9c: // PUSHF / PUSHFD (VM and RF read as 0)
        if (op32) this.push32(s, visibleFlags(s) & ~(VM | RF));
        else this.push16(s, visibleFlags(s) & 0xffff);
        this.count('pushf');
        break;
      case 0x9d: // POPF / POPFD
        if (op32) loadFlags(s, this.pop32(s), true);
        else loadFlags(s, this.pop16(s) | (visibleFlags(s) & 0xffff0000), false);
        this.count('popf');
        break;
      case 0xcd: {
        const vector = fetch();
        this.count('int');
        this.reflect(s, vector, ip);
        return 'continue';
      }
      case 0xcc: // INT3: through the IVT as in real mode
        this.count('int3');
        this.reflect(s, 3, ip);
        return 'continue';
      case 0xce: // INTO
        this.count('into');
        if (s.eflags & OF) {
          this.reflect(s, 4, ip);
          return 'continue';
        }
        break;
      case 0xcf: {
        // IRET / IRETD
        if (op32) {
          const nip = this.pop32(s);
          const ncs = this.pop32(s) & 0xffff;
          const fl = this.pop32(s);
          if (nip > 0xffff) fail(`IRETD to offset 0x${nip.toString(16)} beyond 64 KiB`);
          s.eip = nip;
          s.cs = ncs;
          loadFlags(s, fl, true);
        } else {
          s.eip = this.pop16(s);
          s.cs = this.pop16(s);
          loadFlags(s, this.pop16(s) | (visibleFlags(s) & 0xffff0000), false);
        }
        this.count('iret');
        return 'continue';
      }
      case 0xf4: // HLT: the sentinel ends the call; elsewhere the BIOS waits for an interrupt
        if (((cs << 4) + start) >>> 0 === sentinel) return 'sentinel';
        this.count('hlt');
        this.onIdle?.();
        break;
      case 0xe4:
      case 0xe5:
      case 0xec:
      case 0xed: {
        const port = op < 0xe8 ? fetch() : s.regs[2] & 0xffff;
        const size = op & 1 ? (op32 ? 4 : 2) : 1;
        const v = this.portRead(s, port, size, start);
        if (size === 1) s.regs[0] = (s.regs[0] & ~0xff) | (v & 0xff);
        else if (size === 2) s.regs[0] = (s.regs[0] & ~0xffff) | (v & 0xffff);
        else s.regs[0] = v;
        this.count('in');
        break;
      }
      case 0xe6:
      case 0xe7:
      case 0xee:
      case 0xef: {
        const port = op < 0xe8 ? fetch() : s.regs[2] & 0xffff;
        const size = op & 1 ? (op32 ? 4 : 2) : 1;
        const v = size === 1 ? s.regs[0] & 0xff : size === 2 ? s.regs[0] & 0xffff : s.regs[0] >>> 0;
        this.portWrite(s, port, size, v, start);
        this.count('out');
        break;
      }
      case 0x6c:
      case 0x6d:
      case 0x6e:
      case 0x6f:
        this.string(s, op, op32, addr32, seg, rep, start);
        this.count(op < 0x6e ? 'ins' : 'outs');
        break;
      default: {
        const operand = operandBeyondLimit(s, (lin) => this.mem.read8(lin));
        if (operand !== undefined)
          throw new Vm86AccessError(operand.linear, false, cs, start, 'segment-limit');
        fail(`opcode 0x${op.toString(16)} is not emulated`);
      }
    }
    s.eip = ip;
    return 'continue';
  }

  private checkPort(s: V86State, port: number, size: number, write: boolean, ip: number): void {
    for (let i = 0; i < size; i++) {
      if (this.policy((port + i) & 0xffff) === 'deny')
        throw new Vm86IoError((port + i) & 0xffff, write, s.cs, ip);
    }
  }
  private portRead(s: V86State, port: number, size: 1 | 2 | 4, ip: number): number {
    this.checkPort(s, port, size, false, ip);
    return this.io.read(port, size);
  }
  private portWrite(s: V86State, port: number, size: 1 | 2 | 4, v: number, ip: number): void {
    this.checkPort(s, port, size, true, ip);
    this.io.write(port, size, v);
  }

  /** INS / OUTS, with REP: the whole count runs here (the BIOS does not see partial progress). */
  private string(
    s: V86State,
    op: number,
    op32: boolean,
    addr32: boolean,
    seg: number,
    rep: boolean,
    ip: number,
  ): void {
    const size: 1 | 2 | 4 = op & 1 ? (op32 ? 4 : 2) : 1;
    const port = s.regs[2] & 0xffff;
    const step = s.eflags & DF ? -size : size;
    const mask = addr32 ? 0xffffffff : 0xffff;
    const segVal = (i: number) => [s.es, 0, s.ss, s.ds, s.fs, s.gs][i] ?? s.ds;
    const counterOf = () => (addr32 ? s.regs[1] >>> 0 : s.regs[1] & 0xffff);
    let count = rep ? counterOf() : 1;
    const ins = op < 0x6e;
    const idx = ins ? 7 : 6; // DI for INS (always ES), SI for OUTS (DS or override)
    const base = ins ? s.es : segVal(seg < 0 ? 3 : seg);
    while (count > 0) {
      const off = s.regs[idx] & mask;
      if (off + size - 1 > 0xffff)
        throw new Vm86FaultError(13, 0, s.cs, ip, 'string I/O beyond the 64 KiB segment');
      const lin = ((base << 4) + off) >>> 0;
      if (ins) {
        const v = this.portRead(s, port, size, ip);
        for (let i = 0; i < size; i++) this.mem.write8(lin + i, (v >>> (8 * i)) & 0xff);
      } else {
        let v = 0;
        for (let i = 0; i < size; i++) v |= this.mem.read8(lin + i) << (8 * i);
        this.portWrite(s, port, size, v >>> 0, ip);
      }
      s.regs[idx] = addr32 ? (off + step) | 0 : (s.regs[idx] & ~0xffff) | ((off + step) & 0xffff);
      count--;
      if (rep) s.regs[1] = addr32 ? count : (s.regs[1] & ~0xffff) | count;
    }
  }
}
