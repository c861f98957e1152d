// A Linux/ia64 process in user mode, as Ski's bskinc runs one: the static ELF loaded, the memory
// stack (argc, argv, envp, auxv) and the register backing store set up where Ski puts them, and the
// system calls of `break 0x100000` (r15 = number, out0..out7 = arguments) emulated on the host.
import { readFileSync } from 'node:fs';
import type { FaultInfo, StopReason } from '../contract.js';
import { AR, Ia64Cpu } from '../cpu.js';
import { GuestMemory, PAGE_SIZE } from '../memory.js';
import { parseElf } from './elf.js';
import { ERRNO, SYSCALLS } from './syscalls.js';

/** Top of the memory stack (grows down) and base of the register backing store (grows up). */
export const STACK_TOP = 0xa000_0000_0000_0000n;
export const RBS_BASE = 0x9fff_ffff_7f60_0000n;
export const STACK_SIZE = 8 << 20;
export const RBS_SIZE = 8 << 20;
/** Anonymous mmap area (Linux's TASK_UNMAPPED_BASE on ia64: region 1). */
export const MMAP_BASE = 0x2000_0000_0000_0000n;
const SYSCALL_BREAK = 0x100000;
const PAGE = BigInt(PAGE_SIZE);

export interface LinuxOptions {
  /** argv[0..]; argv[0] defaults to "program". */
  argv?: string[];
  env?: string[];
  stdout?: (bytes: Uint8Array) => void;
  stderr?: (bytes: Uint8Array) => void;
  /** Read up to `max` bytes of standard input; an empty array is end of file. */
  stdin?: (max: number) => Uint8Array;
  /** Host files for open(): returns the contents or undefined (ENOENT). Default: node:fs. */
  readHostFile?: (path: string) => Uint8Array | undefined;
  /** Nanoseconds for clock_gettime. Default: the host's realtime clock. */
  now?: () => bigint;
  /** Passed to the processor: false runs the interpreter alone; a threshold of 0 compiles at once. */
  jit?: boolean;
  jitThreshold?: number;
}

export interface LinuxResult {
  /** The status passed to exit/exit_group, or undefined if the program did not exit. */
  exitCode: number | undefined;
  /** The fault that stopped the program, if one did. */
  fault: FaultInfo | undefined;
  stop: StopReason;
  instructions: number;
}

const defaultReadFile = (path: string): Uint8Array | undefined => {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    return undefined;
  }
};

interface OpenFile {
  data: Uint8Array;
  pos: number;
}

export class LinuxProcess {
  readonly memory = new GuestMemory();
  readonly cpu: Ia64Cpu;
  exitCode: number | undefined;
  private brkStart = 0n;
  private brkEnd = 0n;
  private mmapNext = MMAP_BASE;
  private readonly files = new Map<number, OpenFile>();
  private readonly options: LinuxOptions;

  constructor(image: Uint8Array, options: LinuxOptions = {}) {
    this.options = options;
    this.cpu = new Ia64Cpu({
      memory: this.memory,
      hooks: { onBreak: (imm) => this.onBreak(imm) },
      jit: options.jit,
      jitThreshold: options.jitThreshold,
    });
    const elf = parseElf(image, options.argv?.[0]);
    let end = 0n;
    for (const seg of elf.segments) {
      this.memory.map(seg.vaddr, seg.memsz);
      this.memory.writeBytes(seg.vaddr, seg.data);
      const segEnd = seg.vaddr + BigInt(seg.memsz);
      if (segEnd > end) end = segEnd;
    }
    this.brkStart = this.brkEnd = (end + PAGE - 1n) & ~(PAGE - 1n);
    this.memory.reserve(STACK_TOP - BigInt(STACK_SIZE), STACK_SIZE);
    this.memory.reserve(RBS_BASE, RBS_SIZE);
    this.buildStack(elf.entry, elf.phdrAddr, elf.phnum);
    const c = this.cpu;
    c.bsp = c.bspstore = RBS_BASE;
    c.ar[AR.RSC] = 0xfn; // eager mode, privilege level 3, as Linux starts a process
    c.jump(elf.entry);
  }

  /** argc, argv, envp and the auxiliary vector below STACK_TOP; r12 = sp with 16 bytes of scratch. */
  private buildStack(entry: bigint, phdr: bigint, phnum: number): void {
    const argv = this.options.argv ?? ['program'];
    const env = this.options.env ?? [];
    const enc = new TextEncoder();
    const strings = [...argv, ...env].map((s) => enc.encode(`${s}\0`));
    let sp = STACK_TOP - 16n;
    const random = sp;
    this.memory.write(random, 8, 0x12ab_34cd_56ef_7890n);
    const total = strings.reduce((n, s) => n + s.length, 0);
    let str = (sp - BigInt(total)) & ~15n;
    if ((argv.length + env.length + 3) & 1) str -= 8n;
    const addrs: bigint[] = [];
    let at = str;
    for (const s of strings) {
      this.memory.writeBytes(at, s);
      addrs.push(at);
      at += BigInt(s.length);
    }
    const aux: [number, bigint][] = [
      [6, PAGE], // AT_PAGESZ
      [3, phdr], // AT_PHDR
      [4, 56n], // AT_PHENT
      [5, BigInt(phnum)], // AT_PHNUM
      [9, entry], // AT_ENTRY
      [25, random], // AT_RANDOM
      [0, 0n], // AT_NULL
    ];
    const words: bigint[] = [
      BigInt(argv.length),
      ...addrs.slice(0, argv.length),
      0n,
      ...addrs.slice(argv.length),
      0n,
    ];
    for (const [k, v] of aux) words.push(BigInt(k), v);
    sp = (str - BigInt(words.length * 8)) & ~15n;
    words.forEach((w, i) => {
      this.memory.write(sp + BigInt(i * 8), 8, w);
    });
    this.cpu.setGr(12, sp - 16n);
  }

  private onBreak(imm: number): boolean {
    if (imm !== SYSCALL_BREAK) return false;
    const c = this.cpu;
    const nr = Number(c.gr(15));
    const args: bigint[] = [];
    for (let k = 0; k < 8; k++) {
      const r = 32 + c.sol + k;
      args.push(r < 32 + c.sof ? c.gr(r) : 0n);
    }
    const handler = SYSCALLS[nr];
    const result = handler ? handler(this, args) : -BigInt(ERRNO.ENOSYS);
    if (result < 0n) {
      c.setGr(8, -result);
      c.setGr(10, BigInt.asUintN(64, -1n));
    } else {
      c.setGr(8, result);
      c.setGr(10, 0n);
    }
    return true;
  }

  /** Run until exit, a fault, or the budget. */
  run(budget = Number.MAX_SAFE_INTEGER): LinuxResult {
    let stop: StopReason = 'budget';
    const slice = 1_000_000;
    let left = budget;
    while (left > 0 && this.exitCode === undefined) {
      const n = Math.min(slice, left);
      const before = this.cpu.retired;
      stop = this.cpu.run(n);
      left -= this.cpu.retired - before;
      if (stop !== 'budget') break;
    }
    return { exitCode: this.exitCode, fault: this.cpu.fault, stop, instructions: this.cpu.retired };
  }

  // ---- services for the system call handlers ----------------------------------------------

  exit(code: number): void {
    this.exitCode = code;
    this.cpu.requestStop();
  }

  output(fd: number): ((bytes: Uint8Array) => void) | undefined {
    if (fd === 1) return this.options.stdout ?? ((b) => process.stdout.write(b));
    if (fd === 2) return this.options.stderr ?? ((b) => process.stderr.write(b));
    return undefined;
  }

  input(fd: number, max: number): Uint8Array | undefined {
    if (fd === 0) return this.options.stdin ? this.options.stdin(max) : new Uint8Array(0);
    const f = this.files.get(fd);
    if (!f) return undefined;
    const out = f.data.subarray(f.pos, f.pos + max);
    f.pos += out.length;
    return out;
  }

  readString(addr: bigint, max = 4096): string | undefined {
    const bytes: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = this.memory.read(addr + BigInt(i), 1);
      if (b === undefined) return undefined;
      if (b === 0n) return new TextDecoder().decode(new Uint8Array(bytes));
      bytes.push(Number(b));
    }
    return undefined;
  }

  openHostFile(path: string): number {
    const data = (this.options.readHostFile ?? defaultReadFile)(path);
    if (!data) return -ERRNO.ENOENT;
    let fd = 3;
    while (this.files.has(fd)) fd++;
    this.files.set(fd, { data, pos: 0 });
    return fd;
  }

  closeFile(fd: number): boolean {
    return this.files.delete(fd);
  }

  setBrk(addr: bigint): bigint {
    if (addr < this.brkStart || addr > this.brkStart + (1n << 32n)) return this.brkEnd;
    if (addr > this.brkEnd) this.memory.map(this.brkEnd, Number(addr - this.brkEnd));
    this.brkEnd = addr;
    return addr;
  }

  mapAnonymous(fixed: bigint | undefined, length: number): bigint {
    const size = BigInt(Math.ceil(length / PAGE_SIZE)) * PAGE;
    const at = fixed ?? this.mmapNext;
    if (fixed === undefined) this.mmapNext += size;
    this.memory.unmap(at, Number(size));
    this.memory.map(at, Number(size));
    return at;
  }

  now(): bigint {
    return this.options.now ? this.options.now() : BigInt(Date.now()) * 1_000_000n;
  }
}

/** Load a static Linux/ia64 ELF and run it to completion (or `budget` instructions). */
export function runLinuxElf(image: Uint8Array, options: LinuxOptions = {}, budget?: number): LinuxResult {
  return new LinuxProcess(image, options).run(budget);
}
