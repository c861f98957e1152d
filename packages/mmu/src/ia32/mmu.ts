// IA-32 32-bit paging (no PAE) with a software TLB shaped for an interpreter now and a JIT later.
//
// Soft TLB layout (DESIGN.md §5): four Int32Arrays indexed by virtual page number (linear >>> 12),
// one per kind of access: supervisor read, supervisor write, user read, user write. An entry is
//   -1                      empty: take the slow path, which walks the page tables;
//   page | 0                (read arrays) plain RAM page below 2 GiB: `ram[page | offset]` is the byte;
//   page | writeTag         (write arrays) the same, valid only while `writeTag` is current;
//   page | SLOW_MARK        a translated page that is not plain RAM (MMIO, open bus, RAM above 2 GiB):
//                           the slow path uses the cached physical page without walking;
//   page | other tag        (write arrays) filled in an older write epoch: the slow path reports the
//                           first write to the write watcher, retags the entry and goes on, no walk.
// Each array stores the entry inverted (~entry), so that zero-initialised memory reads as empty.
// A hit is therefore one typed-array load, a NOT, one compare and one RAM access.
import { InvalidArgumentError } from '../errors.js';
import type { PhysicalMemory } from '../physical-memory.js';
import {
  CR0_PG,
  CR0_WP,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  PDE_LARGE_FRAME,
  PDE_LARGE_RESERVED,
  PDE_PS,
  PF_P,
  PF_RSVD,
  PF_U,
  PF_W,
  PTE_A,
  PTE_D,
  PTE_FRAME,
  PTE_G,
  PTE_P,
  PTE_PCD,
  PTE_PWT,
  PTE_RW,
  PTE_US,
} from './bits.js';
import { PAE_2M_FRAME, walkPae } from './pae.js';

export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
/** Instruction fetch. Checked like a read: 32-bit non-PAE paging has no execute-disable bit. */
export const ACCESS_EXEC = 2;
export type Ia32AccessKind = 0 | 1 | 2;
export type Ia32Access = Ia32AccessKind | 'read' | 'write' | 'exec';

/** What translate() and the readLinear* helpers return for a guest fault; writeLinear* return it too. */
export const FAULT = -1;

/** Called before the first write to a RAM frame in each write epoch (DESIGN.md §5 dirty logging). */
export type WriteWatcher = (linear: number, physical: number) => void;

/** Result of a side-effect-free walk (for debuggers, tests and the kernel). */
export interface Ia32Translation {
  /** Physical address of `linear`. */
  physical: number;
  /** Effective entry bits: P, R/W and U/S combined over both levels, PWT, PCD, A, D, G, PS of the final entry. */
  flags: number;
  pageSize: 4096 | 0x200000 | 0x400000;
  /** PCD|PWT of the final entry: the page is uncached. */
  uncached: boolean;
  /** G set and CR4.PGE on: the translation survives CR3 loads. */
  global: boolean;
}

const EMPTY = -1;
/** Entries are stored inverted (~entry), so that a zeroed array is all EMPTY: no fill at construction,
 * and the OS commits only the pages of the arrays that translations actually touch. */
const STORED_EMPTY = 0;
const SLOW_MARK = 0x800;
const TAG_LIMIT = 0x7ff;
const VPN_COUNT = 1 << 20;
/** How many distinct pages the flush list tracks before a fill forces a full flush. */
const LIST_CAPACITY = 1 << 16;
const INFO_GLOBAL = 1;
const INFO_LISTED = 2;
/** Largest physical page a RAM entry may hold: entries are int32 and must stay non-negative. */
const FAST_LIMIT = 0x8000_0000;

function accessKind(access: Ia32Access): number {
  if (typeof access === 'number') return access;
  return access === 'write' ? ACCESS_WRITE : access === 'exec' ? ACCESS_EXEC : ACCESS_READ;
}

export class Ia32Mmu {
  declare readonly memory: PhysicalMemory;
  // In the memory's WebAssembly arena when it has one, where compiled guest code reads them.
  declare readonly tlbRead: Int32Array;
  declare readonly tlbWrite: Int32Array;
  declare readonly tlbUserRead: Int32Array;
  declare readonly tlbUserWrite: Int32Array;

  /** Linear address of the last fault (what the CPU loads into CR2). */
  faultAddress = 0;
  /** #PF error code of the last fault (SDM 3A §4.7): P, W/R, U/S, RSVD; I/D is always 0 here. */
  faultErrorCode = 0;
  /** Effective entry flags (see Ia32Translation.flags) of the page the last successful translate() resolved. */
  get lastFlags(): number {
    return this.tlbFlags[this.lastVpn];
  }
  private lastVpn = 0;

  /** Current write epoch; see bumpWriteEpoch. */
  writeEpoch = 0;
  /** Tag that marks write entries filled in the current epoch (1..0x7ff, cycles). */
  writeTag = 1;
  writeWatcher: WriteWatcher | null = null;
  /**
   * Called before every write to a RAM frame marked with watchCode (self-modifying code: the CPU drops
   * what it decoded from the frame, and usually calls unwatchCode). Writes to unwatched frames never
   * come here.
   */
  codeWriteHook: ((physical: number, linear: number) => void) | null = null;

  /** Page-table walks done so far (misses). A statistic for tests and benchmarks. */
  walks = 0;
  /**
   * The 80386's accessed-bit rule instead of the P6's (off by default): a directory entry's
   * accessed bit is set only when the whole access is allowed, together with the page table
   * entry's, so a page fault at the PTE leaves the PDE's A bit clear (386 Programmer's Reference
   * §5.2.4.4, as test386.asm checks). A P6 sets it as soon as the walk uses the entry (SDM 3A §4.8).
   */
  paging386AccessedRule = false;

  /** Physical address mask of the A20 gate: bit 20 forced to 0 while the gate is closed. */
  private a20Mask = 0xffff_ffff;
  private cr0Value = 0;
  private cr3Value = 0;
  private cr4Value = 0;
  declare private readonly ram: Uint8Array;
  declare private readonly view: DataView;
  declare private readonly slowPages: Uint8Array;
  /** Per VPN: INFO_GLOBAL, INFO_LISTED. */
  private readonly tlbInfo = new Uint8Array(VPN_COUNT);
  /** Per VPN: the effective flags at the last walk (lastFlags, read-entry filling; never on a hit). */
  private readonly tlbFlags = new Uint16Array(VPN_COUNT);
  /** Per 4 MiB region: 1 when some entry there came from a 4 MiB page (INVLPG must drop the whole page). */
  private readonly largeRegions = new Uint8Array(1024);
  private readonly listed = new Int32Array(LIST_CAPACITY);
  private listedCount = 0;
  /** Per RAM frame: the write epoch in which the watcher last heard of it (-1: never). */
  declare private readonly notified: Int32Array;
  declare private readonly detachLayout: () => void;
  /** Per RAM frame: 1 while watchCode is in force. */
  declare private readonly codeFrames: Uint8Array;

  constructor(memory: PhysicalMemory) {
    if (memory.bigEndian) throw new InvalidArgumentError('Ia32Mmu needs a little-endian PhysicalMemory');
    this.memory = memory;
    // (A second MMU on the same memory finds the arena full and keeps its tables outside.)
    const arena = memory.arena?.fits(4 * VPN_COUNT * 4) ? memory.arena : undefined;
    const table = (): Int32Array => arena?.int32(VPN_COUNT) ?? new Int32Array(VPN_COUNT);
    this.tlbRead = table();
    this.tlbWrite = table();
    this.tlbUserRead = table();
    this.tlbUserWrite = table();
    this.ram = memory.ram;
    this.view = new DataView(memory.ram.buffer, memory.ram.byteOffset, memory.ram.byteLength);
    this.slowPages = memory.slowPages;
    this.notified = new Int32Array(Math.ceil(memory.ramSize / 4096)).fill(-1);
    this.codeFrames = new Uint8Array(Math.ceil(memory.ramSize / 4096));
    this.detachLayout = memory.onLayoutChange(() => this.flushAll());
  }

  /** Stops listening to the bus's MMIO layout changes (call when discarding this MMU but not the bus). */
  detach(): void {
    this.detachLayout();
  }

  // ---- control registers ----

  get cr0(): number {
    return this.cr0Value;
  }
  get cr3(): number {
    return this.cr3Value;
  }
  get cr4(): number {
    return this.cr4Value;
  }

  /** MOV CR0: toggling PG or WP drops every cached translation (they were checked under the old rules). */
  setCr0(value: number): void {
    const changed = (this.cr0Value ^ value) & (CR0_PG | CR0_WP);
    this.cr0Value = value >>> 0;
    if (changed !== 0) this.flushAll();
  }

  /** MOV CR3: new page directory; every non-global translation goes (SDM 3A §4.10.4.1). */
  setCr3(value: number): void {
    this.cr3Value = value >>> 0;
    this.flushNonGlobal();
  }

  /** MOV CR4: changing PSE, PAE or PGE flushes everything, global entries included (SDM 3A §4.10.4.1). */
  setCr4(value: number): void {
    const changed = (this.cr4Value ^ value) & (CR4_PSE | CR4_PAE | CR4_PGE);
    this.cr4Value = value >>> 0;
    if (changed !== 0) this.flushAll();
  }

  /**
   * The PC's A20 gate (keyboard controller / port 0x92): closed, physical address bit 20 reads as 0,
   * so 0x100000 aliases 0 as on an 8086. Applied to every physical address the MMU forms, table
   * accesses included. Changing it drops every cached translation.
   */
  setA20(enabled: boolean): void {
    const mask = enabled ? 0xffff_ffff : 0xffef_ffff;
    if (mask === this.a20Mask) return;
    this.a20Mask = mask;
    this.flushAll();
  }

  get a20Enabled(): boolean {
    return this.a20Mask === 0xffff_ffff;
  }

  get pagingEnabled(): boolean {
    return (this.cr0Value & CR0_PG) !== 0;
  }

  // ---- translation ----

  /**
   * Physical address for `linear`, or FAULT (-1) with faultAddress/faultErrorCode set. Fills the soft
   * TLB, sets accessed/dirty bits, and reports a first write in the epoch to the write watcher.
   * Pass the numeric ACCESS_* constants on hot paths.
   */
  translate(linear: number, access: Ia32Access, user: boolean): number {
    const vpn = linear >>> 12;
    this.lastVpn = vpn;
    // The hit paths inline, for the numeric access kinds; strings take the general route.
    if (access === ACCESS_READ || access === ACCESS_EXEC) {
      const e = ~(user ? this.tlbUserRead[vpn] : this.tlbRead[vpn]);
      if ((e & 0xfff) === 0) return e | (linear & 0xfff);
      return this.slowTranslate(linear >>> 0, false, user);
    }
    if (access === ACCESS_WRITE) {
      const tag = this.writeTag;
      const e = ~(user ? this.tlbUserWrite[vpn] : this.tlbWrite[vpn]);
      if ((e & 0xfff) === tag) return (e ^ tag) | (linear & 0xfff);
      return this.slowTranslate(linear >>> 0, true, user);
    }
    return this.translateKind(linear >>> 0, accessKind(access), user);
  }

  private translateKind(linear: number, kind: number, user: boolean): number {
    const vpn = linear >>> 12;
    if (kind === ACCESS_WRITE) {
      const e = ~(user ? this.tlbUserWrite[vpn] : this.tlbWrite[vpn]);
      if ((e & 0xfff) === this.writeTag) return (e ^ this.writeTag) | (linear & 0xfff);
      return this.slowTranslate(linear, true, user);
    }
    const e = ~(user ? this.tlbUserRead[vpn] : this.tlbRead[vpn]);
    if ((e & 0xfff) === 0) return e | (linear & 0xfff);
    return this.slowTranslate(linear, false, user);
  }

  // ---- hot helpers: read/write through the soft TLB; FAULT (-1) on a guest fault ----

  readLinear8(linear: number, user: boolean): number {
    const e = ~(user ? this.tlbUserRead[linear >>> 12] : this.tlbRead[linear >>> 12]);
    if ((e & 0xfff) === 0) return this.ram[e | (linear & 0xfff)];
    return this.readSlow(linear >>> 0, 1, user);
  }

  readLinear16(linear: number, user: boolean): number {
    const e = ~(user ? this.tlbUserRead[linear >>> 12] : this.tlbRead[linear >>> 12]);
    if ((e & 0xfff) === 0 && (linear & 0xfff) !== 0xfff)
      return this.view.getUint16(e | (linear & 0xfff), true);
    return this.readSlow(linear >>> 0, 2, user);
  }

  readLinear32(linear: number, user: boolean): number {
    const e = ~(user ? this.tlbUserRead[linear >>> 12] : this.tlbRead[linear >>> 12]);
    if ((e & 0xfff) === 0 && (linear & 0xfff) <= 0xffc)
      return this.view.getUint32(e | (linear & 0xfff), true);
    return this.readSlow(linear >>> 0, 4, user);
  }

  /** Instruction fetch of one byte (same permissions as a read; distinct so a JIT can hook it later). */
  fetch8(linear: number, user: boolean): number {
    return this.readLinear8(linear, user);
  }

  /** Returns 0, or FAULT with nothing written. */
  writeLinear8(linear: number, value: number, user: boolean): number {
    const tag = this.writeTag;
    const e = ~(user ? this.tlbUserWrite[linear >>> 12] : this.tlbWrite[linear >>> 12]);
    if ((e & 0xfff) === tag) {
      this.ram[(e ^ tag) | (linear & 0xfff)] = value;
      return 0;
    }
    return this.writeSlow(linear >>> 0, 1, value, user);
  }

  writeLinear16(linear: number, value: number, user: boolean): number {
    const tag = this.writeTag;
    const e = ~(user ? this.tlbUserWrite[linear >>> 12] : this.tlbWrite[linear >>> 12]);
    if ((e & 0xfff) === tag && (linear & 0xfff) !== 0xfff) {
      this.view.setUint16((e ^ tag) | (linear & 0xfff), value, true);
      return 0;
    }
    return this.writeSlow(linear >>> 0, 2, value, user);
  }

  writeLinear32(linear: number, value: number, user: boolean): number {
    const tag = this.writeTag;
    const e = ~(user ? this.tlbUserWrite[linear >>> 12] : this.tlbWrite[linear >>> 12]);
    if ((e & 0xfff) === tag && (linear & 0xfff) <= 0xffc) {
      this.view.setUint32((e ^ tag) | (linear & 0xfff), value, true);
      return 0;
    }
    return this.writeSlow(linear >>> 0, 4, value, user);
  }

  // ---- bulk copies (kernel: system-call arguments, vm86 buffers; not a hot path) ----

  /**
   * Copies `into.length` bytes from linear memory, checking every page as an access of the given
   * privilege. Returns 0, or FAULT (faultAddress/faultErrorCode set) with `into` untouched.
   */
  readLinearBytes(linear: number, into: Uint8Array, user: boolean): number {
    const pages = this.translateRange(linear >>> 0, into.length, false, user);
    if (pages === undefined) return FAULT;
    let done = 0;
    for (const [physical, length] of pages) {
      if (this.memory.isPlainRam(physical, length))
        into.set(this.ram.subarray(physical, physical + length), done);
      else for (let i = 0; i < length; i++) into[done + i] = this.memory.read8(physical + i);
      done += length;
    }
    return 0;
  }

  /**
   * Copies `bytes` into linear memory. Every page is translated for writing (A/D set, watchers told)
   * before the first byte lands, so a fault leaves memory unchanged. Returns 0 or FAULT.
   */
  writeLinearBytes(linear: number, bytes: ArrayLike<number>, user: boolean): number {
    const pages = this.translateRange(linear >>> 0, bytes.length, true, user);
    if (pages === undefined) return FAULT;
    let done = 0;
    for (const [physical, length] of pages) {
      const frame = Math.floor(physical / 4096);
      const watched = frame < this.codeFrames.length && this.codeFrames[frame] !== 0;
      if (!watched && this.memory.isPlainRam(physical, length)) {
        for (let i = 0; i < length; i++) this.ram[physical + i] = bytes[done + i];
      } else {
        for (let i = 0; i < length; i++) this.memory.write8(physical + i, bytes[done + i]);
      }
      done += length;
    }
    return 0;
  }

  /** [physical, length] runs covering [linear, linear+length), or undefined after a fault. */
  private translateRange(
    linear: number,
    length: number,
    write: boolean,
    user: boolean,
  ): Array<[number, number]> | undefined {
    const runs: Array<[number, number]> = [];
    let at = linear;
    let left = length;
    while (left > 0) {
      const inPage = Math.min(left, 0x1000 - (at & 0xfff));
      const physical = this.translateKind(at, write ? ACCESS_WRITE : ACCESS_READ, user);
      if (physical === FAULT) return undefined;
      runs.push([physical, inPage]);
      at = (at + inPage) >>> 0;
      left -= inPage;
    }
    return runs;
  }

  // ---- invalidation ----

  /** INVLPG: drops the translation of the page containing `linear` (the whole 4 MiB page if large). */
  invlpg(linear: number): void {
    const vpn = linear >>> 12;
    this.clearEntry(vpn);
    const region = vpn >>> 10;
    if (this.largeRegions[region] !== 0) {
      this.largeRegions[region] = 0;
      const first = region << 10;
      for (let v = first; v < first + 1024; v++) this.clearEntry(v);
    }
  }

  /** Drops every translation, global ones included. */
  flushAll(): void {
    for (let i = 0; i < this.listedCount; i++) {
      const vpn = this.listed[i];
      this.clearEntry(vpn);
      this.tlbInfo[vpn] = 0;
    }
    this.listedCount = 0;
    this.largeRegions.fill(0);
  }

  /** Drops every translation that is not global (what a CR3 load does). */
  flushNonGlobal(): void {
    let kept = 0;
    for (let i = 0; i < this.listedCount; i++) {
      const vpn = this.listed[i];
      if ((this.tlbInfo[vpn] & INFO_GLOBAL) !== 0) {
        this.listed[kept++] = vpn;
      } else {
        this.clearEntry(vpn);
        this.tlbInfo[vpn] = 0;
      }
    }
    this.listedCount = kept;
  }

  /**
   * Starts a new write epoch in O(1): write entries filled before now stop matching `writeTag`, so the
   * next write to each page takes the slow path once and the watcher hears of it. Once every 2047
   * epochs the tag wraps and the write entries are dropped instead (amortised O(1)).
   */
  bumpWriteEpoch(): number {
    this.writeEpoch++;
    if (this.writeTag === TAG_LIMIT) {
      this.writeTag = 1;
      for (let i = 0; i < this.listedCount; i++) {
        const vpn = this.listed[i];
        this.tlbWrite[vpn] = STORED_EMPTY;
        this.tlbUserWrite[vpn] = STORED_EMPTY;
      }
    } else {
      this.writeTag++;
    }
    return this.writeEpoch;
  }

  /**
   * Routes every later write to the RAM frame holding `physical` through codeWriteHook. Cached write
   * entries that point at the frame (through any alias) are turned into slow ones: O(pages cached).
   */
  watchCode(physical: number): void {
    const frame = Math.floor(physical / 4096);
    if (frame >= this.codeFrames.length || this.codeFrames[frame] !== 0) return;
    this.codeFrames[frame] = 1;
    const page = frame * 4096;
    for (let i = 0; i < this.listedCount; i++) {
      const vpn = this.listed[i];
      const e = ~this.tlbWrite[vpn];
      if (e !== EMPTY && (e & PTE_FRAME) >>> 0 === page) this.tlbWrite[vpn] = ~(page | SLOW_MARK);
      const u = ~this.tlbUserWrite[vpn];
      if (u !== EMPTY && (u & PTE_FRAME) >>> 0 === page) this.tlbUserWrite[vpn] = ~(page | SLOW_MARK);
    }
  }

  /** Ends watchCode for the frame; its write entries become fast again on their next write. */
  unwatchCode(physical: number): void {
    const frame = Math.floor(physical / 4096);
    if (frame < this.codeFrames.length) this.codeFrames[frame] = 0;
  }

  isCodeWatched(physical: number): boolean {
    const frame = Math.floor(physical / 4096);
    return frame < this.codeFrames.length && this.codeFrames[frame] !== 0;
  }

  /** Walks the tables for `linear` without side effects (no A/D update, no TLB fill, no fault state). */
  probe(linear: number): Ia32Translation | undefined {
    linear >>>= 0;
    if (!this.pagingEnabled) {
      return {
        physical: (linear & this.a20Mask) >>> 0,
        flags: PTE_P | PTE_RW | PTE_US,
        pageSize: 4096,
        uncached: false,
        global: false,
      };
    }
    if ((this.cr4Value & CR4_PAE) !== 0) {
      const w = walkPae(this.memory, this.cr3Value, linear, this.a20Mask);
      if (w.fault >= 0) return undefined;
      if (w.large)
        return this.describe(
          ((w.pde & PAE_2M_FRAME) | (linear & 0x1fffff)) & this.a20Mask,
          w.pde & 0x1ff,
          0x200000,
        );
      const flags = (w.pte & ~(PTE_RW | PTE_US) & 0x17f) | (w.pde & w.pte & (PTE_RW | PTE_US));
      return this.describe(((w.pte & PTE_FRAME) | (linear & 0xfff)) & this.a20Mask, flags, 4096);
    }
    const pde = this.memory.read32(this.pdeAddress(linear));
    if ((pde & PTE_P) === 0) return undefined;
    if ((pde & PDE_PS) !== 0 && (this.cr4Value & CR4_PSE) !== 0) {
      if ((pde & PDE_LARGE_RESERVED) !== 0) return undefined;
      return this.describe(
        ((pde & PDE_LARGE_FRAME) | (linear & 0x3fffff)) & this.a20Mask,
        pde & 0x1ff,
        0x400000,
      );
    }
    const pte = this.memory.read32(((pde & PTE_FRAME & this.a20Mask) >>> 0) + ((linear >>> 10) & 0xffc));
    if ((pte & PTE_P) === 0) return undefined;
    const flags = (pte & ~(PTE_RW | PTE_US) & 0x17f) | (pde & pte & (PTE_RW | PTE_US));
    return this.describe(((pte & PTE_FRAME) | (linear & 0xfff)) & this.a20Mask, flags, 4096);
  }

  // ---- slow paths ----

  private readSlow(linear: number, size: number, user: boolean): number {
    const offset = linear & 0xfff;
    const first = this.translateKind(linear, ACCESS_READ, user);
    if (first === FAULT) return FAULT;
    if (offset + size <= 0x1000) {
      return size === 1
        ? this.memory.read8(first)
        : size === 2
          ? this.memory.read16(first)
          : this.memory.read32(first);
    }
    // Page-crossing: both pages must translate before any byte is read.
    const nextPage = ((linear | 0xfff) + 1) >>> 0;
    const second = this.translateKind(nextPage, ACCESS_READ, user);
    if (second === FAULT) return FAULT;
    let value = 0;
    for (let i = 0; i < size; i++) {
      const at = offset + i < 0x1000 ? first + i : second + (offset + i - 0x1000);
      value += this.memory.read8(at) * 2 ** (8 * i);
    }
    return value;
  }

  private writeSlow(linear: number, size: number, value: number, user: boolean): number {
    const offset = linear & 0xfff;
    const first = this.translateKind(linear, ACCESS_WRITE, user);
    if (first === FAULT) return FAULT;
    if (offset + size <= 0x1000) {
      if (size === 1) this.memory.write8(first, value);
      else if (size === 2) this.memory.write16(first, value);
      else this.memory.write32(first, value);
      return 0;
    }
    // Page-crossing: fault on either page before any byte is written, as the processor does.
    const nextPage = ((linear | 0xfff) + 1) >>> 0;
    const second = this.translateKind(nextPage, ACCESS_WRITE, user);
    if (second === FAULT) return FAULT;
    value >>>= 0;
    for (let i = 0; i < size; i++) {
      const at = offset + i < 0x1000 ? first + i : second + (offset + i - 0x1000);
      this.memory.write8(at, Math.floor(value / 2 ** (8 * i)) & 0xff);
    }
    return 0;
  }

  /** Everything but a hit: a miss (walk), a cached non-RAM page, or a write entry from an old epoch. */
  private slowTranslate(linear: number, write: boolean, user: boolean): number {
    const vpn = linear >>> 12;
    const table = write ? (user ? this.tlbUserWrite : this.tlbWrite) : user ? this.tlbUserRead : this.tlbRead;
    let entry = ~table[vpn];
    let page: number;
    if (entry === EMPTY) {
      // Listed before the walk: a list overflow flushes, and must not undo what the walk records.
      this.remember(vpn);
      page = this.walk(linear, write, user);
      if (page === FAULT) return FAULT;
      entry = page < FAST_LIMIT && this.slowPages[page >>> 12] === 0 ? page : page | SLOW_MARK;
      // One walk serves every read the entry allows: supervisor reads always, user reads with U/S.
      // (Write entries are filled only by writes, which must set D and go past the watchers.)
      this.tlbRead[vpn] = ~entry;
      if ((this.tlbFlags[vpn] & PTE_US) !== 0) this.tlbUserRead[vpn] = ~entry;
    } else {
      page = (entry & PTE_FRAME) >>> 0;
    }
    if (write) {
      const frame = page >>> 12;
      if (
        this.writeWatcher !== null &&
        frame < this.notified.length &&
        this.notified[frame] !== this.writeEpoch
      ) {
        this.notified[frame] = this.writeEpoch;
        table[vpn] = ~entry;
        this.writeWatcher(linear, page | (linear & 0xfff));
        // The watcher may have remapped or invalidated the page: translate again (it will not fire twice).
        return this.translateKind(linear, ACCESS_WRITE, user);
      }
      if (frame < this.codeFrames.length && this.codeFrames[frame] !== 0) {
        table[vpn] = ~(page | SLOW_MARK);
        this.codeWriteHook?.(page | (linear & 0xfff), linear);
        return (page | (linear & 0xfff)) >>> 0;
      }
      // A page cached as slow only because it was watched code goes back to the fast path.
      if (page < FAST_LIMIT && this.slowPages[frame] === 0) entry = page | this.writeTag;
    }
    table[vpn] = ~entry;
    return (page | (linear & 0xfff)) >>> 0;
  }

  /**
   * The page walk of SDM 3A §4.3 with the checks of §4.6 (no SMEP/SMAP/PKE). Returns the physical 4 KiB
   * page, or FAULT. A directory entry that points to a page table gets its accessed bit as soon as the
   * walk uses it, even if the PTE then faults (§4.8 "whenever the processor uses a paging-structure
   * entry"; QEMU does the same, see test/programs/paging-oracle.asm). The entry that maps the page
   * gets accessed (and, for writes, dirty) only when the access is allowed.
   */
  private walk(linear: number, write: boolean, user: boolean): number {
    this.walks++;
    const vpn = linear >>> 12;
    if ((this.cr0Value & CR0_PG) === 0) {
      this.tlbFlags[vpn] = PTE_P | PTE_RW | PTE_US;
      return (linear & PTE_FRAME & this.a20Mask) >>> 0;
    }
    if ((this.cr4Value & CR4_PAE) !== 0) return this.walkPae(linear, write, user);
    const pdeAddress = this.pdeAddress(linear);
    const pde = this.memory.read32(pdeAddress);
    if ((pde & PTE_P) === 0) return this.fault(linear, write, user, 0);
    if ((pde & PDE_PS) !== 0 && (this.cr4Value & CR4_PSE) !== 0) {
      if ((pde & PDE_LARGE_RESERVED) !== 0) return this.fault(linear, write, user, PF_P | PF_RSVD);
      if (!this.allowed(pde, write, user)) return this.fault(linear, write, user, PF_P);
      const updated = pde | PTE_A | (write ? PTE_D : 0);
      if (updated !== pde) this.memory.write32(pdeAddress, updated);
      this.largeRegions[vpn >>> 10] = 1;
      this.noteFill(vpn, updated & 0x1ff);
      return (((pde & PDE_LARGE_FRAME) | (linear & 0x3ff000)) & this.a20Mask) >>> 0;
    }
    const late = this.paging386AccessedRule;
    if ((pde & PTE_A) === 0 && !late) this.memory.write32(pdeAddress, pde | PTE_A);
    const pteAddress = ((pde & PTE_FRAME & this.a20Mask) >>> 0) + ((linear >>> 10) & 0xffc);
    const pte = this.memory.read32(pteAddress);
    if ((pte & PTE_P) === 0) return this.fault(linear, write, user, 0);
    if (!this.allowed(pde & pte, write, user)) return this.fault(linear, write, user, PF_P);
    if ((pde & PTE_A) === 0 && late) this.memory.write32(pdeAddress, pde | PTE_A);
    const updated = pte | PTE_A | (write ? PTE_D : 0);
    if (updated !== pte) this.memory.write32(pteAddress, updated);
    this.noteFill(vpn, (updated & ~(PTE_RW | PTE_US) & 0x17f) | (pde & pte & (PTE_RW | PTE_US)));
    return (pte & PTE_FRAME & this.a20Mask) >>> 0;
  }

  /** The PAE walk (pae.ts) with the same permission and A/D rules as the 32-bit one above. */
  private walkPae(linear: number, write: boolean, user: boolean): number {
    const vpn = linear >>> 12;
    const w = walkPae(this.memory, this.cr3Value, linear, this.a20Mask);
    if (w.fault >= 0 && !w.atPte) return this.fault(linear, write, user, w.fault);
    const pde = w.pde;
    if (w.large) {
      if (!this.allowed(pde, write, user)) return this.fault(linear, write, user, PF_P);
      const updated = pde | PTE_A | (write ? PTE_D : 0);
      if (updated !== pde) this.memory.write32(w.pdeAt, updated);
      this.largeRegions[vpn >>> 10] = 1;
      this.noteFill(vpn, updated & 0x1ff);
      return (((pde & PAE_2M_FRAME) | (linear & 0x1ff000)) & this.a20Mask) >>> 0;
    }
    const late = this.paging386AccessedRule;
    if ((pde & PTE_A) === 0 && !late) this.memory.write32(w.pdeAt, pde | PTE_A);
    if (w.fault >= 0) return this.fault(linear, write, user, w.fault);
    const pte = w.pte;
    if (!this.allowed(pde & pte, write, user)) return this.fault(linear, write, user, PF_P);
    if ((pde & PTE_A) === 0 && late) this.memory.write32(w.pdeAt, pde | PTE_A);
    const updated = pte | PTE_A | (write ? PTE_D : 0);
    if (updated !== pte) this.memory.write32(w.pteAt, updated);
    this.noteFill(vpn, (updated & ~(PTE_RW | PTE_US) & 0x17f) | (pde & pte & (PTE_RW | PTE_US)));
    return (pte & PTE_FRAME & this.a20Mask) >>> 0;
  }

  /** SDM 3A §4.6.1: user accesses need U/S at every level; writes need R/W, for supervisor only with CR0.WP. */
  private allowed(combined: number, write: boolean, user: boolean): boolean {
    if (user) return (combined & PTE_US) !== 0 && (!write || (combined & PTE_RW) !== 0);
    return !write || (combined & PTE_RW) !== 0 || (this.cr0Value & CR0_WP) === 0;
  }

  private fault(linear: number, write: boolean, user: boolean, bits: number): number {
    this.faultAddress = linear;
    this.faultErrorCode = bits | (write ? PF_W : 0) | (user ? PF_U : 0);
    return FAULT;
  }

  private noteFill(vpn: number, flags: number): void {
    this.tlbFlags[vpn] = flags;
    if ((flags & PTE_G) !== 0 && (this.cr4Value & CR4_PGE) !== 0) this.tlbInfo[vpn] |= INFO_GLOBAL;
  }

  private remember(vpn: number): void {
    if ((this.tlbInfo[vpn] & INFO_LISTED) !== 0) return;
    if (this.listedCount === LIST_CAPACITY) this.flushAll();
    this.tlbInfo[vpn] |= INFO_LISTED;
    this.listed[this.listedCount++] = vpn;
  }

  private clearEntry(vpn: number): void {
    this.tlbRead[vpn] = STORED_EMPTY;
    this.tlbWrite[vpn] = STORED_EMPTY;
    this.tlbUserRead[vpn] = STORED_EMPTY;
    this.tlbUserWrite[vpn] = STORED_EMPTY;
  }

  private pdeAddress(linear: number): number {
    return ((this.cr3Value & PTE_FRAME & this.a20Mask) >>> 0) + (linear >>> 22) * 4;
  }

  private describe(physical: number, flags: number, pageSize: 4096 | 0x200000 | 0x400000): Ia32Translation {
    return {
      physical: physical >>> 0,
      flags,
      pageSize,
      uncached: (flags & (PTE_PCD | PTE_PWT)) !== 0,
      global: (flags & PTE_G) !== 0 && (this.cr4Value & CR4_PGE) !== 0,
    };
  }
}
