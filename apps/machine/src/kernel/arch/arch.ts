// What the architecture-neutral kernel needs from a processor: enter guest code, learn why the
// CPU came back into the kernel, and save or restore a guest's registers. IA-32 implements it in
// arch/ia32 (int 0x80, IDT stubs, IRETD); MIPS32 and IA-64 plug in the same way later.

/** A guest's saved user registers, opaque to the core (the layer decides the layout). */
export type UserContext = number[];

export type TrapKind =
  | 'syscall'
  | 'irq' // a hardware interrupt line (irq = 0..15)
  | 'page-fault' // an access the kernel may resolve (object-space paging) or refuse
  | 'fault'; // any other exception raised by guest code: the guest is stopped

export interface Trap {
  kind: TrapKind;
  /** Hardware line for 'irq'. */
  irq: number;
  /** Exception vector (architecture numbering), for messages. */
  vector: number;
  errorCode: number;
  /** Address whose access faulted ('page-fault'). */
  faultAddress: number;
  /** The write bit of a page fault. */
  write: boolean;
  /** Instruction address of the guest at the trap. */
  pc: number;
  /** True when the CPU was running a guest (false: the kernel's idle loop was interrupted). */
  fromUser: boolean;
  /** Short description of the exception, e.g. "general protection fault (error 0x10a)". */
  what: string;
}

export type ArchStop =
  | 'trap' // entered the kernel: call takeTrap()
  | 'budget'
  | 'idle' // halted in the idle loop until an interrupt
  | 'reset'; // the CPU asked for a reset (triple fault): a kernel bug, never a guest's doing

export interface ArchLayer {
  readonly name: string;
  /** What the architecture calls the instruction pointer in messages ("eip", "pc", "ip"). */
  readonly pcName: string;
  /** Run the CPU for up to `budget` instructions. */
  run(budget: number): ArchStop;
  /** After 'trap': what happened. The guest's registers are then available through saveContext(). */
  takeTrap(): Trap;
  /** The interrupted guest's registers (valid right after a trap from user mode). */
  saveContext(): UserContext;
  /** Leave the kernel into guest code with these registers. */
  resume(context: UserContext): void;
  /** Leave the kernel into the idle loop (interrupts on, CPU halted until one arrives). */
  idle(): void;
  /** A fresh guest context: start at `entry` with stack pointer `stack`. */
  initialContext(entry: number, stack: number): UserContext;
  /** System-call number and arguments from a context. */
  syscallArgs(context: UserContext): { number: number; args: number[] };
  setSyscallResult(context: UserContext, value: number): void;
  /** The privileged instruction a fault stopped on, named from its first bytes (undefined: not one). */
  privilegedInstruction(trap: Trap, code: Uint8Array): string | undefined;
  /** Instruction address of a context. */
  pc(context: UserContext): number;
  /** Instructions retired since power-on. */
  readonly instructions: number;
}
