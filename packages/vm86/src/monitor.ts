// The virtual-8086 monitor: runs one real-mode BIOS interrupt handler from whatever state the
// CPU is in (normally the kernel's protected mode) and puts that state back afterwards.
//
// Entry: the monitor loads its own protected-mode environment (GDT, IDT, TSS, page tables of
// its window), builds an IRETD frame with EFLAGS.VM set on its ring-0 stack and points EIP at
// an IRETD instruction, so the CPU itself enters v86 mode. Every exception and hardware
// interrupt from v86 mode goes through a real IDT gate to a HLT stub at ring 0; the CPU stops,
// the monitor reads the trap frame from the ring-0 stack, emulates or reflects, writes the
// frame back and resumes at the IRETD.
import type { Cpu, SegmentName, SegmentState, TableRegister } from '@phantasm/cpu-ia32';
import { Ia32PageTableEditor, type MemoryBus, type PageAttributes } from '@phantasm/mmu';
import type { MemoryMapEntry } from '@phantasm/physalloc';
import {
  Emulator,
  IF,
  type PortPolicy,
  type TrapCounters,
  type V86State,
  VM,
  visibleFlags,
} from './emulate.js';
import { Vm86AccessError, Vm86BudgetError, Vm86ConfigError, Vm86Error, Vm86FaultError } from './errors.js';
import {
  buildSystemStructures,
  GDT_LIMIT,
  IDT_LIMIT,
  RIGHTS_CODE32,
  RIGHTS_DATA32,
  RIGHTS_TSS32_BUSY,
  SEL_CODE0,
  SEL_DATA0,
  SEL_TSS,
  TSS_LIMIT,
  WINDOW_PAGES,
  WindowLayout,
  writeIoBitmap,
} from './layout.js';
import { FixedLowArena, type LowArena, type LowBuffer, ONE_MIB, PAGE } from './low-memory.js';
import { readE820, readVbeInfo, type VbeInfo } from './services.js';

/** Registers of a call: 32-bit general registers, real-mode segments, FLAGS (CF is bit 0). */
export interface Vm86Registers {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  esi: number;
  edi: number;
  ebp: number;
  ds: number;
  es: number;
  fs: number;
  gs: number;
  eflags: number;
}

/** A byte range [start, end) v86 code may touch besides the standard windows. */
export interface MemoryWindow {
  start: number;
  end: number;
}

export interface Vm86MonitorOptions {
  cpu: Cpu;
  /** The physical memory bus; default: the CPU's. */
  memory?: MemoryBus;
  /** Where the monitor's window and the call buffers come from (e.g. `physAllocator.low`). */
  lowArena?: LowArena;
  /** Instructions one call may execute (default 20 million). */
  budget?: number;
  /** Per-port policy; default: every port 'allow' (runs natively, bitmap bit clear). */
  ports?: (port: number) => PortPolicy;
  /** Extra allowed windows (for instance an option ROM's work area). */
  windows?: readonly MemoryWindow[];
  /** Called when the BIOS executes HLT with interrupts enabled (e.g. advance the board's clock). */
  onIdle?: () => void;
}

export interface Vm86CallStats {
  instructions: number;
  traps: number;
  reflected: number;
  emulated: Record<string, number>;
}

/** Default region used when no low arena is given (64 KiB: the window and 8 buffer pages). */
export const DEFAULT_LOW_REGION: MemoryWindow = { start: 0x10000, end: 0x20000 };

const DEFAULT_BUDGET = 20_000_000;
const SLICE = 1 << 16;
const HAS_ERROR_CODE = new Set([8, 10, 11, 12, 13, 14, 17]);
/** Exceptions that real-mode software takes through its IVT. */
const REFLECTED_EXCEPTIONS = new Set([0, 1, 5]);
const SEGMENTS: readonly SegmentName[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
const CR0_PE_PG_ET = 0x80000011;

interface SavedCpu {
  regs: Int32Array;
  eip: number;
  eflags: number;
  segments: SegmentState[];
  cr: [number, number, number, number];
  gdtr: TableRegister;
  idtr: TableRegister;
  ldtr: SegmentState;
  tr: SegmentState;
  cpl: number;
  halted: boolean;
  inhibit: boolean;
  hooks: Cpu['hooks'];
}

export class Vm86Monitor {
  readonly cpu: Cpu;
  readonly memory: MemoryBus;
  /** Statistics of the last call (also after an error). */
  lastCall: Vm86CallStats | undefined;

  private readonly arena: LowArena;
  private readonly layout: WindowLayout;
  private readonly budget: number;
  private readonly policy: (port: number) => PortPolicy;
  private readonly extraWindows: readonly MemoryWindow[];
  private readonly onIdle: (() => void) | undefined;
  private readonly buffers = new Map<number, LowBuffer>();
  /** Pages below 0x110000 that v86 code may touch during the current call. */
  private readonly allowed = new Uint8Array(0x110);
  private busy = false;
  private disposed = false;
  /** Vector of a hardware interrupt the CPU is delivering out of v86 mode (from the hook). */
  private hardwareVector = -1;
  private trapCs = 0;
  private trapIp = 0;
  /** The BIOS's IF, IOPL and NT between traps (the real IF mirrors IF; IOPL and NT stay 0). */
  private virtualFlags = 0;

  constructor(options: Vm86MonitorOptions) {
    this.cpu = options.cpu;
    this.memory = options.memory ?? options.cpu.memory;
    this.arena = options.lowArena ?? new FixedLowArena(DEFAULT_LOW_REGION.start, DEFAULT_LOW_REGION.end);
    this.budget = options.budget ?? DEFAULT_BUDGET;
    this.policy = options.ports ?? (() => 'allow');
    this.extraWindows = options.windows ?? [];
    this.onIdle = options.onIdle;
    if (!(this.budget > 0)) throw new Vm86ConfigError(`budget ${this.budget} must be positive`);
    const base = this.arena.allocContiguous(WINDOW_PAGES);
    if (
      base % PAGE !== 0 ||
      base + WINDOW_PAGES * PAGE > ONE_MIB ||
      base + WINDOW_PAGES * PAGE > this.memory.ramSize
    ) {
      this.arena.free(base, WINDOW_PAGES);
      throw new Vm86ConfigError(
        `the monitor window at 0x${base.toString(16)} must be page-aligned RAM below 1 MiB`,
      );
    }
    this.layout = new WindowLayout(base);
    buildSystemStructures(this.memory, this.layout);
    writeIoBitmap(this.memory, this.layout, (port) => this.policy(port) !== 'allow');
  }

  /** Physical address of the monitor's window (8 pages). */
  get windowBase(): number {
    return this.layout.base;
  }

  // --- buffers -------------------------------------------------------------------------------

  /** A buffer below 1 MiB that BIOS calls may read and write (ES:DI for E820, VBE info, ...). */
  allocLowBuffer(size: number): LowBuffer {
    this.checkUsable();
    if (!Number.isInteger(size) || size <= 0 || size > 0x10000) {
      throw new Vm86ConfigError(`buffer size ${size}: choose 1 to 65536 bytes`);
    }
    const pages = Math.ceil(size / PAGE);
    const physical = this.arena.allocContiguous(pages);
    if (physical + pages * PAGE > ONE_MIB) {
      this.arena.free(physical, pages);
      throw new Vm86ConfigError(`low arena returned 0x${physical.toString(16)}, above 1 MiB`);
    }
    const buffer: LowBuffer = { physical, size, segment: physical >>> 4, offset: physical & 0xf };
    this.buffers.set(physical, buffer);
    return buffer;
  }

  freeLowBuffer(buffer: LowBuffer): void {
    if (this.buffers.get(buffer.physical) !== buffer) {
      throw new Vm86ConfigError(
        `buffer at 0x${buffer.physical.toString(16)} is not a live buffer of this monitor`,
      );
    }
    this.buffers.delete(buffer.physical);
    this.arena.free(buffer.physical, Math.ceil(buffer.size / PAGE));
  }

  readBuffer(buffer: LowBuffer, offset = 0, length = buffer.size - offset): Uint8Array {
    this.checkRange(buffer, offset, length);
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.memory.read8(buffer.physical + offset + i);
    return out;
  }

  writeBuffer(buffer: LowBuffer, data: Uint8Array, offset = 0): void {
    this.checkRange(buffer, offset, data.length);
    for (let i = 0; i < data.length; i++) this.memory.write8(buffer.physical + offset + i, data[i]);
  }

  private checkRange(buffer: LowBuffer, offset: number, length: number): void {
    if (this.buffers.get(buffer.physical) !== buffer)
      throw new Vm86ConfigError('not a live buffer of this monitor');
    if (offset < 0 || length < 0 || offset + length > buffer.size) {
      throw new Vm86ConfigError(`range ${offset}+${length} is outside the ${buffer.size}-byte buffer`);
    }
  }

  /** Give the window and all buffers back to the low arena. */
  dispose(): void {
    if (this.disposed) return;
    if (this.busy) throw new Vm86ConfigError('dispose during a call');
    for (const b of [...this.buffers.values()]) this.freeLowBuffer(b);
    this.arena.free(this.layout.base, WINDOW_PAGES);
    this.disposed = true;
  }

  private checkUsable(): void {
    if (this.disposed) throw new Vm86ConfigError('the monitor has been disposed');
  }

  // --- services ------------------------------------------------------------------------------

  /** The BIOS memory map (int 15h E820), as physalloc's MemoryMapEntry list. */
  e820(): MemoryMapEntry[] {
    return readE820(this);
  }

  /** VBE controller information (int 10h AX=4F00h), or undefined without VBE. */
  vbeInfo(): VbeInfo | undefined {
    return readVbeInfo(this);
  }

  // --- the call ------------------------------------------------------------------------------

  /**
   * Run `int interrupt` in virtual-8086 mode with the given registers and return the registers
   * the handler returned with. Unset registers are 0; FLAGS default to 0x202 (IF set).
   */
  call(
    interrupt: number,
    registers: Partial<Vm86Registers> = {},
    options: { budget?: number } = {},
  ): Vm86Registers {
    this.checkUsable();
    if (!Number.isInteger(interrupt) || interrupt < 0 || interrupt > 255) {
      throw new Vm86ConfigError(`interrupt ${interrupt} is not a vector 0-255`);
    }
    if (this.busy) throw new Vm86ConfigError('nested vm86 call');
    const budget = options.budget ?? this.budget;
    if (!(budget > 0)) throw new Vm86ConfigError(`budget ${budget} must be positive`);
    this.busy = true;
    const counters: TrapCounters = { emulated: {}, reflected: 0 };
    const stats: Vm86CallStats = { instructions: 0, traps: 0, reflected: 0, emulated: counters.emulated };
    this.lastCall = stats;
    const saved = this.save();
    try {
      this.buildPageTables();
      const emulator = this.emulator(counters);
      this.enter(interrupt, registers, emulator);
      counters.reflected = 0;
      return this.runUntilSentinel(budget, emulator, stats);
    } finally {
      stats.reflected = counters.reflected;
      this.restore(saved);
      this.busy = false;
    }
  }

  private save(): SavedCpu {
    const c = this.cpu;
    return {
      regs: Int32Array.from(c.regs),
      eip: c.eip,
      eflags: c.eflags,
      segments: SEGMENTS.map((s) => c.getSegment(s)),
      cr: [c.cr0, c.cr2, c.cr3, c.cr4],
      gdtr: c.gdtr,
      idtr: c.idtr,
      ldtr: { ...c.ldtr },
      tr: { ...c.tr },
      cpl: c.cpl,
      halted: c.halted,
      inhibit: c.inhibit,
      hooks: c.hooks,
    };
  }

  private restore(s: SavedCpu): void {
    const c = this.cpu;
    c.hooks = s.hooks;
    c.setFlags(s.eflags); // first: leaves v86 mode if a call was cut short inside it
    c.setControl(4, s.cr[3]);
    c.setControl(3, s.cr[2]);
    c.setControl(0, s.cr[0]);
    c.cr2 = s.cr[1];
    c.gdtr = s.gdtr;
    c.idtr = s.idtr;
    c.ldtr = { ...s.ldtr };
    c.tr = { ...s.tr };
    SEGMENTS.forEach((name, i) => {
      c.setSegment(name, s.segments[i]);
    });
    c.setCpl(s.cpl);
    c.regs.set(s.regs);
    c.eip = s.eip;
    c.halted = s.halted;
    c.inhibit = s.inhibit;
  }

  /** Identity-map exactly the pages v86 code may use (user) and the monitor's own (supervisor). */
  private buildPageTables(): void {
    const w = this.layout;
    const mem = this.memory;
    for (let i = 0; i < PAGE; i += 4) {
      mem.write32(w.pd + i, 0);
      mem.write32(w.pt + i, 0);
    }
    let tableGiven = false;
    const frames = {
      allocFrame: () => {
        if (tableGiven) throw new Vm86Error('monitor page tables need a single table');
        tableGiven = true;
        return w.pt;
      },
      freeFrame: () => {},
    };
    const editor = new Ia32PageTableEditor(mem, w.pd, frames);
    const allowed = this.allowed;
    allowed.fill(0);
    const allow = (start: number, end: number) => {
      for (let p = Math.floor(start / PAGE); p < Math.ceil(end / PAGE) && p < allowed.length; p++)
        allowed[p] = 1;
    };
    allow(0, 0x500); // IVT and BIOS data area (the whole page 0, by paging's granularity)
    const ebda = mem.read16(0x40e) << 4;
    if (ebda >= 0x80000 && ebda < 0xa0000) allow(ebda, 0xa0000); // extended BIOS data area
    allow(0xa0000, ONE_MIB); // video memory, option ROMs, the BIOS
    for (const p of w.userPages()) allowed[p] = 1;
    for (const b of this.buffers.values()) allow(b.physical, b.physical + b.size);
    for (const win of this.extraWindows) allow(win.start, Math.min(win.end, ONE_MIB));
    // The monitor's own tables stay out of reach whatever the windows say.
    for (const p of w.supervisorPages()) allowed[p] = 0;
    const user: PageAttributes = { writable: true, user: true };
    const supervisor: PageAttributes = { writable: true, user: false };
    for (let p = 0; p < 0x100; p++) if (allowed[p]) editor.map(p * PAGE, p * PAGE, user);
    for (const p of w.supervisorPages()) editor.map(p * PAGE, p * PAGE, supervisor);
  }

  /** Load the monitor's protected-mode context and start at IRETD with a v86 frame. */
  private enter(interrupt: number, r: Partial<Vm86Registers>, emulator: Emulator): void {
    const c = this.cpu;
    const w = this.layout;
    this.hardwareVector = -1;
    c.hooks = {
      onInterrupt: (vector, software) => {
        if (!software && c.isV86()) this.hardwareVector = vector;
        return false;
      },
    };
    c.halted = false;
    c.inhibit = false;
    c.setFlags(2);
    c.setControl(4, 0);
    c.setControl(3, w.pd);
    c.setControl(0, CR0_PE_PG_ET);
    c.gdtr = { base: w.gdt, limit: GDT_LIMIT };
    c.idtr = { base: w.idt, limit: IDT_LIMIT };
    c.ldtr = { selector: 0, base: 0, limit: 0, rights: 0 };
    c.tr = { selector: SEL_TSS, base: w.tss, limit: TSS_LIMIT, rights: RIGHTS_TSS32_BUSY };
    c.setSegment('cs', { selector: SEL_CODE0, base: 0, limit: 0xffffffff, rights: RIGHTS_CODE32 });
    for (const s of ['ss', 'ds', 'es', 'fs', 'gs'] as const) {
      c.setSegment(s, { selector: SEL_DATA0, base: 0, limit: 0xffffffff, rights: RIGHTS_DATA32 });
    }
    c.setCpl(0);
    c.regs[0] = r.eax ?? 0;
    c.regs[1] = r.ecx ?? 0;
    c.regs[2] = r.edx ?? 0;
    c.regs[3] = r.ebx ?? 0;
    c.regs[5] = r.ebp ?? 0;
    c.regs[6] = r.esi ?? 0;
    c.regs[7] = r.edi ?? 0;
    // The handler starts as if `int n` had run at the sentinel: FLAGS/CS/IP of the sentinel on
    // the v86 stack, CS:IP from the IVT.
    const state: V86State = {
      regs: c.regs,
      eip: 0,
      cs: w.v86Segment,
      eflags: VM | 2,
      esp: w.v86StackTop,
      ss: w.v86Segment,
      es: (r.es ?? 0) & 0xffff,
      ds: (r.ds ?? 0) & 0xffff,
      fs: (r.fs ?? 0) & 0xffff,
      gs: (r.gs ?? 0) & 0xffff,
      virtualFlags: 0,
    };
    const flags = r.eflags ?? 0x202;
    state.eflags = ((flags & 0x0dd5) | (flags & IF) | VM | 2) >>> 0;
    state.virtualFlags = flags & (IF | 0x7000);
    this.trapCs = state.cs;
    this.trapIp = 0;
    emulator.reflect(state, interrupt, 0);
    const frame = w.stack0Top - 36;
    this.writeFrame(frame, state);
    c.regs[4] = frame;
    c.eip = w.iretStub;
    this.virtualFlags = state.virtualFlags;
  }

  private emulator(counters: TrapCounters): Emulator {
    const self = this;
    const v86Memory = {
      read8(lin: number): number {
        return self.memory.read8(self.checkLinear(lin, false));
      },
      write8(lin: number, v: number): void {
        self.memory.write8(self.checkLinear(lin, true), v);
      },
    };
    return new Emulator(v86Memory, this.cpu.io, this.policy, counters, this.onIdle);
  }

  /** The physical address of a v86 linear address the monitor touches on the BIOS's behalf. */
  private checkLinear(lin: number, write: boolean): number {
    const a = (lin & this.cpu.a20Mask) >>> 0;
    if (a >= 0x110000 || this.allowed[a >>> 12] === 0)
      throw new Vm86AccessError(a, write, this.trapCs, this.trapIp);
    return a;
  }

  private writeFrame(at: number, s: V86State): void {
    const m = this.memory;
    const fields = [s.eip, s.cs, s.eflags, s.esp, s.ss, s.es, s.ds, s.fs, s.gs];
    fields.forEach((v, i) => {
      m.write32(at + i * 4, v >>> 0);
    });
  }

  private readFrame(at: number, virtualFlags: number): V86State {
    const m = this.memory;
    const f = (i: number) => m.read32(at + i * 4) >>> 0;
    return {
      regs: this.cpu.regs,
      eip: f(0),
      cs: f(1) & 0xffff,
      eflags: f(2),
      esp: f(3),
      ss: f(4) & 0xffff,
      es: f(5) & 0xffff,
      ds: f(6) & 0xffff,
      fs: f(7) & 0xffff,
      gs: f(8) & 0xffff,
      virtualFlags,
    };
  }

  private runUntilSentinel(budget: number, emulator: Emulator, stats: Vm86CallStats): Vm86Registers {
    const c = this.cpu;
    const w = this.layout;
    for (;;) {
      if (stats.instructions >= budget) {
        const inV86 = c.isV86();
        throw new Vm86BudgetError(
          budget,
          inV86 ? c.getSegment('cs').selector : this.trapCs,
          inV86 ? c.eip : this.trapIp,
        );
      }
      const before = c.instructions;
      const why = c.run(Math.min(SLICE, budget - stats.instructions));
      stats.instructions += c.instructions - before;
      if (why === 'reset') {
        throw new Vm86FaultError(8, 0, this.trapCs, this.trapIp, 'triple fault inside the monitor');
      }
      if (why !== 'hlt') continue;
      const stub = c.eip - 1 - w.stubs;
      if (c.cpl !== 0 || c.getSegment('cs').selector !== SEL_CODE0 || stub < 0 || stub > 255) {
        throw new Vm86Error(
          `vm86: the CPU halted outside the monitor's trap stubs (EIP 0x${c.eip.toString(16)})`,
        );
      }
      stats.traps++;
      const vector = stub;
      const hardware = this.hardwareVector === vector;
      this.hardwareVector = -1;
      let sp = c.regs[4] >>> 0;
      let code: number | undefined;
      if (!hardware && HAS_ERROR_CODE.has(vector)) {
        code = this.memory.read32(sp) >>> 0;
        sp += 4;
      }
      const s = this.readFrame(sp, this.virtualFlags);
      if ((s.eflags & VM) === 0) {
        throw new Vm86Error(
          `vm86: exception ${vector} inside the monitor itself (EIP 0x${s.eip.toString(16)})`,
        );
      }
      this.trapCs = s.cs;
      this.trapIp = s.eip;
      if (hardware) {
        emulator.reflect(s, vector, s.eip);
      } else if (vector === 13) {
        if (emulator.generalProtection(s, code ?? 0, w.sentinel) === 'sentinel') {
          return this.result(s);
        }
      } else if (vector === 14) {
        throw new Vm86AccessError(c.cr2 >>> 0, ((code ?? 0) & 2) !== 0, s.cs, s.eip);
      } else if (REFLECTED_EXCEPTIONS.has(vector)) {
        emulator.reflect(s, vector, s.eip);
      } else {
        throw new Vm86FaultError(vector, code, s.cs, s.eip);
      }
      this.virtualFlags = s.virtualFlags;
      this.writeFrame(sp, s);
      c.regs[4] = sp;
      c.eip = w.iretStub;
      c.halted = false;
    }
  }

  private result(s: V86State): Vm86Registers {
    const r = s.regs;
    return {
      eax: r[0] >>> 0,
      ecx: r[1] >>> 0,
      edx: r[2] >>> 0,
      ebx: r[3] >>> 0,
      ebp: r[5] >>> 0,
      esi: r[6] >>> 0,
      edi: r[7] >>> 0,
      ds: s.ds,
      es: s.es,
      fs: s.fs,
      gs: s.gs,
      eflags: visibleFlags(s) & ~VM,
    };
  }
}
