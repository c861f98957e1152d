// The Phantasm system-call interface and the IA-32 address layout guests and the kernel share.
// Guests (apps/machine/guests) mirror these numbers in guests/include/phantasm.h.
//
// Calling convention (IA-32): `int 0x80` with EAX = number, arguments in EBX, ECX, EDX, ESI, EDI;
// the result comes back in EAX (negative values are errors, below); every other register is kept.

export const SYS = {
  /** exit(status): the thread ends; waiters get `status`. */
  exit: 0,
  /** write(ptr, len) → bytes written to the console. */
  write: 1,
  /** readKey(nonBlocking) → one byte typed on the keyboard; with nonBlocking = 1, -EAGAIN if none. */
  readKey: 2,
  /** yield() → 0: give the rest of the time slice to the next ready thread. */
  yield: 3,
  /** sleep(ms) → 0 after at least ms milliseconds of uptime. */
  sleep: 4,
  /** uptime() → milliseconds since the system was first booted (continues across restores). */
  uptime: 5,
  /** spawn(namePtr, nameLen, argPtr, argLen) → thread id of a new guest running built-in program `name`. */
  spawn: 6,
  /** snapshot() → generation of the snapshot taken and committed (durable) for this request. */
  snapshot: 7,
  /** palloc(size) → address in the persistent heap (8-byte aligned), 0 when there is no room. */
  palloc: 8,
  /** pfree(ptr) → 0, or -EINVAL for a pointer palloc did not return. */
  pfree: 9,
  /** wait(tid) → the exit status of thread tid once it ends; -EKILLED if the kernel stopped it. */
  wait: 10,
  /** gettid() → the calling thread's id. */
  gettid: 11,
} as const;
export type SyscallName = keyof typeof SYS;

/** Errors, returned negated in EAX. */
export const ERR = {
  EINVAL: 1, // bad argument
  EFAULT: 2, // a pointer outside the caller's memory (the object space)
  EAGAIN: 3, // nothing there yet (non-blocking read)
  ENOMEM: 4, // no room (spawn with no free slot)
  ENOENT: 5, // no such program
  ENOSYS: 6, // unknown system call number
  ECHILD: 7, // no such thread
  EKILLED: 8, // (wait) the thread was stopped by the kernel for a forbidden action
} as const;

export const SYSCALL_VECTOR = 0x80;

/** IA-32 memory map of the Phantasm system (../shared/DESIGN.md §2). */
export const LAYOUT = {
  /** The kernel image (descriptor tables, entry stubs, kernel stack): 1 MiB to KERNEL_END. */
  kernelImage: 0x0010_0000,
  kernelEnd: 0x0012_0000,
  /** Kernel heap: kernel end – 1 GiB. */
  heapLimit: 0x4000_0000,
  /** Unbacked address space (aspace): device windows. */
  aspaceStart: 0x4000_0000,
  aspaceEnd: 0x8000_0000,
  /** The object space: persistent memory (vm-map). */
  objectSpace: 0x8000_0000,
  objectSpaceEnd: 0xc000_0000,
  /** Guest slots at the bottom of the object space: program image at the base, stack at the top. */
  guestSlotSize: 0x0040_0000,
  guestSlots: 64,
  /** The persistent heap (palloc/pfree): the rest of the object space. */
  persistentHeap: 0x9000_0000,
} as const;

/** Where a guest starts: EIP = ELF entry (relocated), ESP = slot top − 16 − arg, stack as for cdecl
 * `_start(const char *arg, int argLen)` with a zero return address. EFLAGS = IF. Flat ring-3 segments. */
export function slotBase(slot: number): number {
  return LAYOUT.objectSpace + slot * LAYOUT.guestSlotSize;
}
