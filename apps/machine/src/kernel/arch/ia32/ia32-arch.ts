// The IA-32 layer: flat protected mode with the kernel image's GDT/IDT/TSS, guests at ring 3,
// kernel entry through the IDT stubs (the CPU stops on ENTRY_HLT with the trap frame on the
// ring-0 stack), return through a real IRETD. See kernel-image.ts for the code the CPU runs.
import type { Cpu, SegmentName } from '@phantasm/cpu-ia32';
import type { MemoryBus } from '@phantasm/mmu';
import { SYSCALL_VECTOR } from '../../abi.js';
import { hex } from '../../hex.js';
import type { ArchLayer, ArchStop, Trap, UserContext } from '../arch.js';
import {
  ENTRY_HLT,
  GDT,
  GDT_LIMIT,
  IDLE_LOOP,
  IDT,
  IDT_LIMIT,
  KERNEL_STACK_TOP,
  RESUME_IRET,
  RIGHTS,
  SEL,
  TSS,
} from './kernel-image.js';

/** Context layout: the eight general registers in encoding order, then EIP and EFLAGS. */
const EIP = 8;
const EFLAGS = 9;
const ESP = 4;
const EFLAGS_IF = 0x200;
/** Flags a guest may hold: CF PF AF ZF SF TF? no — DF OF and the arithmetic ones, IF forced on. */
const USER_FLAGS = 0x0cd5;
export const IRQ_BASE = 0x20;

/** Instructions that #GP(0) at CPL 3 with IOPL 0 (SDM Vol. 3 §5.9, §19.5). */
const ONE_BYTE_PRIVILEGED: Record<number, string> = {
  250: 'cli',
  251: 'sti',
  244: 'hlt',
  228: 'in',
  229: 'in',
  236: 'in',
  237: 'in',
  230: 'out',
  231: 'out',
  238: 'out',
  239: 'out',
  108: 'ins',
  109: 'ins',
  110: 'outs',
  111: 'outs',
};
const TWO_BYTE_PRIVILEGED: Record<number, string> = {
  32: 'mov from a control register',
  34: 'mov to a control register',
  33: 'mov from a debug register',
  35: 'mov to a debug register',
  1: 'a descriptor-table or system instruction',
  6: 'clts',
  8: 'invd',
  9: 'wbinvd',
  48: 'wrmsr',
  50: 'rdmsr',
};

const EXCEPTION_NAMES: Record<number, string> = {
  0: 'divide error',
  1: 'debug exception',
  3: 'breakpoint',
  4: 'overflow',
  5: 'bound range exceeded',
  6: 'invalid opcode',
  7: 'device not available',
  8: 'double fault',
  10: 'invalid TSS',
  11: 'segment not present',
  12: 'stack fault',
  13: 'general protection fault',
  14: 'page fault',
  16: 'x87 floating-point error',
  17: 'alignment check',
};

const FLAT: { name: SegmentName; rights: number; selector: number }[] = [
  { name: 'ds', rights: RIGHTS.userData, selector: SEL.userData },
  { name: 'es', rights: RIGHTS.userData, selector: SEL.userData },
  { name: 'fs', rights: RIGHTS.userData, selector: SEL.userData },
  { name: 'gs', rights: RIGHTS.userData, selector: SEL.userData },
];

export class Ia32Arch implements ArchLayer {
  readonly name = 'ia32';
  readonly pcName = 'eip';
  private frame = { vector: 0, errorCode: 0, eip: 0, cs: 0, eflags: 0, esp: 0 };

  constructor(
    private readonly cpu: Cpu,
    private readonly bus: MemoryBus,
  ) {}

  get instructions(): number {
    return this.cpu.instructions;
  }

  /** Flat ring-0 protected mode on the kernel's tables (paging is switched on by the kernel later). */
  enterProtectedMode(): void {
    const cpu = this.cpu;
    cpu.gdtr = { base: GDT, limit: GDT_LIMIT };
    cpu.idtr = { base: IDT, limit: IDT_LIMIT };
    cpu.setControl(0, (cpu.cr0 | 1) & ~0x60000000); // PE on, caches enabled
    cpu.setSegment('cs', { selector: SEL.kernelCode, base: 0, limit: 0xffffffff, rights: RIGHTS.kernelCode });
    for (const name of ['ss', 'ds', 'es', 'fs', 'gs'] as const) {
      cpu.setSegment(name, {
        selector: SEL.kernelData,
        base: 0,
        limit: 0xffffffff,
        rights: RIGHTS.kernelData,
      });
    }
    cpu.tr = { selector: SEL.tss, base: TSS, limit: 103, rights: 0x8b };
    this.bus.write8(GDT + SEL.tss + 5, 0x8b); // LTR marks the TSS descriptor busy
    cpu.eflags = 0x2;
    cpu.esp = KERNEL_STACK_TOP;
    cpu.eip = ENTRY_HLT;
    cpu.halted = false;
  }

  run(budget: number): ArchStop {
    const cpu = this.cpu;
    const why = cpu.run(budget);
    if (why === 'reset') return 'reset';
    if (why === 'hlt' || cpu.halted) {
      if (cpu.eip === ENTRY_HLT + 1 && cpu.cpl === 0) return 'trap';
      if (cpu.eip === IDLE_LOOP + 2) return 'idle';
    }
    return 'budget';
  }

  takeTrap(): Trap {
    const cpu = this.cpu;
    const bus = this.bus;
    const sp = cpu.esp >>> 0;
    const f = this.frame;
    f.vector = bus.read32(sp);
    f.errorCode = bus.read32(sp + 4);
    f.eip = bus.read32(sp + 8);
    f.cs = bus.read32(sp + 12) & 0xffff;
    f.eflags = bus.read32(sp + 16);
    const fromUser = (f.cs & 3) === 3;
    f.esp = fromUser ? bus.read32(sp + 20) : 0;
    cpu.halted = false;
    const v = f.vector;
    const trap: Trap = {
      kind: 'fault',
      irq: -1,
      vector: v,
      errorCode: f.errorCode,
      faultAddress: 0,
      write: false,
      pc: f.eip,
      fromUser,
      what: '',
    };
    if (v === SYSCALL_VECTOR && fromUser) trap.kind = 'syscall';
    else if (v >= IRQ_BASE && v < IRQ_BASE + 16) {
      trap.kind = 'irq';
      trap.irq = v - IRQ_BASE;
    } else if (v === 14) {
      trap.kind = 'page-fault';
      trap.faultAddress = cpu.cr2 >>> 0;
      trap.write = (f.errorCode & 2) !== 0;
      trap.what = `page fault ${trap.write ? 'writing' : 'reading'} 0x${hex(trap.faultAddress)}`;
    } else {
      const name = EXCEPTION_NAMES[v] ?? `exception ${v}`;
      const hasCode = v === 8 || (v >= 10 && v <= 14) || v === 17;
      trap.what = hasCode ? `${name} (error 0x${f.errorCode.toString(16)})` : name;
      if (v === 13 && (f.errorCode & 2) !== 0)
        trap.what += `: int 0x${(f.errorCode >>> 3).toString(16)} is not a system call`;
    }
    return trap;
  }

  saveContext(): UserContext {
    const f = this.frame;
    const context = Array.from(this.cpu.regs, (r) => r >>> 0);
    context[ESP] = f.esp >>> 0;
    context.push(f.eip >>> 0, f.eflags >>> 0);
    return context;
  }

  resume(context: UserContext): void {
    const cpu = this.cpu;
    const bus = this.bus;
    const sp = KERNEL_STACK_TOP - 20;
    bus.write32(sp, context[EIP] >>> 0);
    bus.write32(sp + 4, SEL.userCode);
    bus.write32(sp + 8, ((context[EFLAGS] & USER_FLAGS) | EFLAGS_IF | 2) >>> 0);
    bus.write32(sp + 12, context[ESP] >>> 0);
    bus.write32(sp + 16, SEL.userData);
    for (let r = 0; r < 8; r++) cpu.regs[r] = context[r] | 0;
    cpu.regs[ESP] = sp;
    for (const s of FLAT)
      cpu.setSegment(s.name, { selector: s.selector, base: 0, limit: 0xffffffff, rights: s.rights });
    cpu.eip = RESUME_IRET;
    cpu.halted = false;
  }

  idle(): void {
    const cpu = this.cpu;
    cpu.regs[ESP] = KERNEL_STACK_TOP;
    cpu.eip = IDLE_LOOP;
    cpu.halted = false;
  }

  initialContext(entry: number, stack: number): UserContext {
    return [0, 0, 0, 0, stack >>> 0, 0, 0, 0, entry >>> 0, EFLAGS_IF | 2];
  }

  syscallArgs(context: UserContext): { number: number; args: number[] } {
    // EBX, ECX, EDX, ESI, EDI
    return { number: context[0], args: [context[3], context[1], context[2], context[6], context[7]] };
  }

  setSyscallResult(context: UserContext, value: number): void {
    context[0] = value >>> 0;
  }

  privilegedInstruction(trap: Trap, code: Uint8Array): string | undefined {
    if (trap.vector !== 13 || trap.errorCode !== 0 || code.length === 0) return undefined;
    const op = code[0];
    if (op === 0x0f && code.length > 1) return TWO_BYTE_PRIVILEGED[code[1]];
    return ONE_BYTE_PRIVILEGED[op];
  }

  pc(context: UserContext): number {
    return context[EIP];
  }
}
