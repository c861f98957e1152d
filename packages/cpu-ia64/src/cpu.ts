// The IA-64 processor state and run loop: general registers with NaT bits behind the register stack
// (stacked registers live in a physical file of NPHYS registers, spilled to and filled from the
// backing store by the RSE), rotating registers, predicates, branch and application registers, and
// the bundle fetch/decode cache. Instruction semantics live in exec/*, the decode tables in decode/*.
import { hex } from './bits.js';
import type { FaultInfo, FaultKind, Ia64CpuHooks, StopReason } from './contract.js';
import { type DecodedBundle, decodeBundle } from './decode/decoder.js';
import { Alat } from './exec/alat.js';
import { FpRegisters } from './exec/fpregs.js';
import { JitCache } from './jit/cache.js';
import { BAIL as JIT_BAIL, LINK as JIT_LINK } from './jit/compiler.js';
import { GuestMemory } from './memory.js';
import { GUEST_FAULT, GuestFaultSignal } from './signal.js';

// block results as plain module constants (the run loop reads them per block)
const BAIL = JIT_BAIL;
const LINK = JIT_LINK;

/** Physical stacked general registers (r32..r127 of all frames that are not spilled). */
export const NPHYS = 96;

/** Application register numbers. */
export const AR = {
  KR0: 0,
  RSC: 16,
  BSP: 17,
  BSPSTORE: 18,
  RNAT: 19,
  FCR: 21,
  EFLAG: 24,
  CSD: 25,
  SSD: 26,
  CFLG: 27,
  FSR: 28,
  FIR: 29,
  FDR: 30,
  CCV: 32,
  UNAT: 36,
  FPSR: 40,
  ITC: 44,
  PFS: 64,
  LC: 65,
  EC: 66,
} as const;

/** Indices in Ia64Cpu.rseHalves: bsp and bspstore as unsigned 32-bit halves. */
const BSP_HI = 0;
const BSP_LO = 1;
const STORE_HI = 2;
const STORE_LO = 3;

/** ar.pfs's and ar.ec's low halves in the int32 view `ar32`. */
const PFS_LO = AR.PFS * 2;
const EC_LO = AR.EC * 2;

const IMPLEMENTED_AR = new Set([
  0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 21, 24, 25, 26, 27, 28, 29, 30, 32, 36, 40, 44, 64, 65, 66,
]);

/** Linux's initial FPSR: all traps disabled, sf0 64-bit precision round-to-nearest, sf1..3 likewise. */
export const FPSR_DEFAULT = 0x0009_804c_0270_033fn;

export interface Ia64CpuOptions {
  memory?: GuestMemory;
  hooks?: Ia64CpuHooks;
  /** Compile hot bundle runs to JavaScript (default true); false keeps the interpreter alone (the
   * reference the compiler is tested against). */
  jit?: boolean;
  /** Entries into a (bundle, slot) before it is compiled (default 8; 0 compiles on first use). */
  jitThreshold?: number;
}

const mod = (a: number, n: number): number => ((a % n) + n) % n;

export class Ia64Cpu {
  readonly memory: GuestMemory;
  hooks: Ia64CpuHooks;

  /** General register file: r0..r31 then NPHYS physical stacked registers. Values and NaT bits. */
  readonly grv = new BigUint64Array(32 + NPHYS);
  readonly grn = new Uint8Array(32 + NPHYS);
  /** The register file as int32 halves [lo, hi] (little-endian host): the compiled code's view. */
  readonly g32 = new Int32Array(this.grv.buffer);
  /** Logical GR number → index in grv, -1 outside the current frame. */
  readonly gmap = new Int16Array(128);
  /** Physical predicates and logical → physical map (p16..p63 rotate). */
  readonly prv = new Uint8Array(64);
  readonly pmap = new Uint8Array(64);
  readonly br = new BigUint64Array(8);
  readonly ar = new BigUint64Array(128);
  readonly br32 = new Int32Array(this.br.buffer);
  readonly ar32 = new Int32Array(this.ar.buffer);
  /** Bumped whenever the register maps change (frame, rotation): compiled blocks leave then. */
  frameGen = 0;
  readonly fr = new FpRegisters();
  readonly alat = new Alat();
  /** PSR user mask bits (be, up, ac, mfl, mfh in bits 1..5). */
  psrUm = 0n;

  // Current frame marker.
  sof = 0;
  sol = 0;
  sor = 0;
  rrbGr = 0;
  rrbFr = 0;
  rrbPr = 0;

  // Register stack engine. The file holds, oldest first: nclean clean registers (already in the
  // backing store), ndirty dirty ones (backing addresses [bspstore, bsp)), then the current frame at
  // physical index bof. Invariant: nclean + ndirty + sof <= NPHYS.
  bof = 0;
  ndirty = 0;
  nclean = 0;
  // bsp and bspstore as unsigned 32-bit halves: calls and returns move bsp without BigInt
  // (in a typed array: as object fields, addresses at or above 2^31 would change their representation
  // from small integer to double, deprecating the cpu's hidden class and every optimized function)
  private readonly rseHalves = new Float64Array(4);

  get bsp(): bigint {
    return (BigInt(this.rseHalves[BSP_HI]) << 32n) | BigInt(this.rseHalves[BSP_LO]);
  }

  set bsp(v: bigint) {
    this.rseHalves[BSP_HI] = Number((v >> 32n) & 0xffff_ffffn);
    this.rseHalves[BSP_LO] = Number(v & 0xffff_ffffn);
  }

  get bspstore(): bigint {
    return (BigInt(this.rseHalves[STORE_HI]) << 32n) | BigInt(this.rseHalves[STORE_LO]);
  }

  set bspstore(v: bigint) {
    this.rseHalves[STORE_HI] = Number((v >> 32n) & 0xffff_ffffn);
    this.rseHalves[STORE_LO] = Number(v & 0xffff_ffffn);
  }

  /** bsp moved by n registers, skipping NaT collections (rseSkip on the halves). */
  private skipBsp(n: number): void {
    const slot = ((this.rseHalves[BSP_LO] >>> 3) & 63) + n;
    let lo: number;
    // within the same 63-register group (the usual call or return): no NaT collection crossed
    if (slot >= 0 && slot < 63) lo = this.rseHalves[BSP_LO] + 8 * n;
    else lo = this.rseHalves[BSP_LO] + 8 * (n + Math.trunc((n < 0 ? slot - 62 : slot) / 63));
    if (lo >= 2 ** 32) {
      lo -= 2 ** 32;
      this.rseHalves[BSP_HI] = (this.rseHalves[BSP_HI] + 1) >>> 0;
    } else if (lo < 0) {
      lo += 2 ** 32;
      this.rseHalves[BSP_HI] = (this.rseHalves[BSP_HI] - 1) >>> 0;
    }
    this.rseHalves[BSP_LO] = lo;
  }
  rnat = 0n;

  /** Address of the current bundle and the slot about to execute. */
  ip = 0n;
  slot = 0;
  nextIp = 0n;
  branched = false;
  /** Instructions retired (executed or predicated off). */
  retired = 0;
  fault: FaultInfo | undefined;
  /** A hook asked the run loop to stop after the current instruction. */
  stopRequested = false;
  private readonly decoded = new Map<number, (DecodedBundle | undefined)[]>();
  private readonly jit: JitCache | undefined;

  constructor(options: Ia64CpuOptions = {}) {
    this.memory = options.memory ?? new GuestMemory();
    this.hooks = options.hooks ?? {};
    this.jit =
      // compiled code reads RAM pages directly: only over plain (untranslated) GuestMemory
      options.jit === false || Object.getPrototypeOf(this.memory) !== GuestMemory.prototype
        ? undefined
        : new JitCache(options.jitThreshold ?? 8, (ip) => this.decodedAt(ip));
    this.memory.onCodeWrite = (page) => {
      this.decoded.delete(page);
      this.jit?.invalidate(page);
      this.memory.codePages.delete(page);
    };
    this.reset();
  }

  reset(): void {
    this.grv.fill(0n);
    this.grn.fill(0);
    this.prv.fill(0);
    this.prv[0] = 1;
    this.br.fill(0n);
    this.ar.fill(0n);
    this.ar[AR.FPSR] = FPSR_DEFAULT;
    this.fr.reset();
    this.alat.clear();
    this.sof = this.sol = this.sor = this.rrbGr = this.rrbFr = this.rrbPr = 0;
    this.bof = this.ndirty = this.nclean = 0;
    this.bsp = this.bspstore = this.rnat = 0n;
    this.ip = 0n;
    this.slot = 0;
    this.retired = 0;
    this.fault = undefined;
    for (let r = 0; r < 32; r++) this.gmap[r] = r;
    for (let p = 0; p < 16; p++) this.pmap[p] = p;
    this.mappedRrbPr = this.mappedRrbFr = -1;
    this.mappedSof = 96;
    this.remap();
  }

  // ---- faults ---------------------------------------------------------------------------------

  /** Record a guest fault at the current instruction and unwind to the run loop. */
  raise(kind: FaultKind, detail = 0n, message?: string): never {
    this.fault = {
      kind,
      ip: this.ip,
      slot: this.slot,
      detail,
      message: message ?? `${kind} at ${hex(this.ip)} slot ${this.slot}`,
    };
    throw GUEST_FAULT;
  }

  // ---- register access ------------------------------------------------------------------------

  // the bases the PR and FR maps were last built for (calls and returns rarely change them)
  private mappedRrbPr = -1;
  private mappedRrbFr = -1;
  private mappedSof = 96;

  /** The GR map lags behind the frame until something reads it: see `remap`, `freshMap`. */
  mapStale = false;

  /**
   * The logical → physical maps after a change of frame or rotation base. The GR map is rebuilt when
   * next read (gidx; compiled blocks compute non-rotating indices from bof themselves), so calls,
   * returns and allocs do not pay for it.
   */
  remap(): void {
    this.frameGen++;
    this.mapStale = true;
    if (this.rrbPr !== this.mappedRrbPr) {
      const p = this.pmap;
      for (let i = 0; i < 48; i++) p[16 + i] = 16 + ((i + this.rrbPr) % 48);
      this.mappedRrbPr = this.rrbPr;
    }
    if (this.rrbFr !== this.mappedRrbFr) {
      this.fr.remap(this.rrbFr);
      this.mappedRrbFr = this.rrbFr;
    }
  }

  /** Bring a lagging GR map up to date (before anything reads gmap). */
  freshMap(): void {
    if (this.mapStale) this.rebuildGrMap();
  }

  private rebuildGrMap(): void {
    this.mapStale = false;
    const g = this.gmap;
    const sof = this.sof;
    const rot = this.sor * 8;
    // physical index 32 + (bof + k) mod NPHYS, without a division (bof < NPHYS, rrbGr < rot)
    const base = 32 + this.bof;
    if (rot === 0) {
      // the usual frame: consecutive physical registers, wrapping once at the end of the file
      const run = Math.min(sof, NPHYS - this.bof);
      for (let i = 0; i < run; i++) g[32 + i] = base + i;
      for (let i = run; i < sof; i++) g[32 + i] = base + i - NPHYS;
    } else {
      for (let i = 0; i < sof; i++) {
        let k = i;
        if (i < rot) {
          k += this.rrbGr;
          if (k >= rot) k -= rot;
        }
        const q = base + k;
        g[32 + i] = q < 32 + NPHYS ? q : q - NPHYS;
      }
    }
    // only the entries of the old frame beyond the new one become invalid
    for (let i = sof; i < this.mappedSof; i++) g[32 + i] = -1;
    this.mappedSof = this.sof;
  }

  /** Physical index of logical GR r; Illegal Operation outside the frame. */
  gidx(r: number): number {
    if (this.mapStale) this.rebuildGrMap();
    const i = this.gmap[r];
    if (i < 0)
      this.raise('illegal-operation', BigInt(r), `r${r} is outside the current frame (sof ${this.sof})`);
    return i;
  }

  gr(r: number): bigint {
    return this.grv[this.gidx(r)];
  }

  nat(r: number): number {
    return this.grn[this.gidx(r)];
  }

  /** Write GR r (r0 is read-only: Illegal Operation). */
  setGr(r: number, v: bigint, nat = 0): void {
    if (r === 0) this.raise('illegal-operation', 0n, 'write to r0');
    const i = this.gidx(r);
    this.grv[i] = v;
    this.grn[i] = nat;
  }

  pr(p: number): number {
    return this.prv[this.pmap[p]];
  }

  setPr(p: number, v: number | boolean): void {
    if (p !== 0) this.prv[this.pmap[p]] = v ? 1 : 0;
  }

  /** All 64 predicates as a value (bit 0 always 1). */
  predicates(): bigint {
    let v = 0n;
    for (let p = 63; p >= 0; p--) v = (v << 1n) | BigInt(this.pr(p));
    return v;
  }

  // ---- frame marker and application registers ----------------------------------------------

  cfm(): bigint {
    return BigInt(this.cfmLow()) | (BigInt(this.rrbPr) << 32n);
  }

  /** CFM bits 0..31 (all fields but rrb.pr), as a Number: calls and returns avoid BigInt. */
  private cfmLow(): number {
    return (this.sof | (this.sol << 7) | (this.sor << 14) | (this.rrbGr << 18) | (this.rrbFr << 25)) >>> 0;
  }

  /** Set the CFM fields from its low 32 bits and rrb.pr (bits 32..37). */
  private setCfmFields(lo: number, rrbPr: number): void {
    this.sof = Math.min(lo & 127, 96);
    this.sol = Math.min((lo >>> 7) & 127, this.sof);
    this.sor = Math.min((lo >>> 14) & 15, this.sof >> 3);
    const rot = this.sor * 8;
    this.rrbGr = rot ? ((lo >>> 18) & 127) % rot : 0;
    // out-of-range bases wrap (without a division: calls and returns come through here)
    const fr = (lo >>> 25) & 127;
    this.rrbFr = fr >= 96 ? fr - 96 : fr;
    const pr = rrbPr & 63;
    this.rrbPr = pr >= 48 ? pr - 48 : pr;
  }

  readAr(n: number): bigint {
    if (!IMPLEMENTED_AR.has(n)) this.raise('illegal-operation', BigInt(n), `ar${n} is reserved`);
    switch (n) {
      case AR.BSP:
        return this.bsp;
      case AR.BSPSTORE:
        return this.bspstore;
      case AR.RNAT:
        return this.rnat;
      case AR.ITC:
        return BigInt(this.retired);
      default:
        return this.ar[n];
    }
  }

  writeAr(n: number, v: bigint): void {
    if (!IMPLEMENTED_AR.has(n)) this.raise('illegal-operation', BigInt(n), `ar${n} is reserved`);
    switch (n) {
      case AR.BSP:
        this.raise('illegal-operation', v, 'ar.bsp is read-only');
        break;
      case AR.BSPSTORE:
        this.requireEnforcedLazy('mov ar.bspstore');
        // the dirty registers move with it; clean ones are forgotten
        this.bspstore = v & ~7n;
        this.bsp = rseSkip(this.bspstore, this.ndirty);
        this.nclean = 0;
        break;
      case AR.RNAT:
        this.requireEnforcedLazy('mov ar.rnat');
        this.rnat = v;
        break;
      case AR.RSC:
        this.ar[n] = v & 0x3fff_003fn;
        break;
      case AR.EC:
        this.ar[n] = v & 63n;
        break;
      case AR.PFS:
        this.ar[n] = v & 0xc3f0_003f_ffff_ffffn;
        break;
      case AR.ITC:
        this.raise('privileged-operation', v, 'ar.itc is written by the kernel only');
        break;
      default:
        this.ar[n] = v;
    }
  }

  private requireEnforcedLazy(what: string): void {
    if ((this.ar[AR.RSC] & 3n) !== 0n) this.raise('illegal-operation', 0n, `${what} needs ar.rsc.mode = 0`);
  }

  // ---- register stack engine ------------------------------------------------------------------

  private rseStore(addr: bigint, v: bigint): void {
    if (!this.memory.write(addr, 8, v)) this.raise('data-access', addr, `RSE store to unmapped ${hex(addr)}`);
  }

  private rseLoad(addr: bigint): bigint {
    const v = this.memory.read(addr, 8);
    if (v === undefined) this.raise('data-access', addr, `RSE load from unmapped ${hex(addr)}`);
    return v;
  }

  /** Store the oldest dirty register at bspstore (and the NaT collection after every 63rd). */
  private spillOne(): void {
    const i = 32 + mod(this.bof - this.ndirty, NPHYS);
    this.rseStore(this.bspstore, this.grv[i]);
    const bit = (this.bspstore >> 3n) & 63n;
    this.rnat = this.grn[i] ? this.rnat | (1n << bit) : this.rnat & ~(1n << bit);
    this.bspstore += 8n;
    if (((this.bspstore >> 3n) & 63n) === 63n) {
      this.rseStore(this.bspstore, this.rnat & ((1n << 63n) - 1n));
      this.bspstore += 8n;
    }
    this.ndirty--;
    this.nclean++;
  }

  /** Load the register just below the oldest one in the file from the backing store (clean). */
  private fillOne(): void {
    const oldest = rseSkip(this.bsp, -(this.ndirty + this.nclean));
    const addr = rseSkip(oldest, -1);
    const i = 32 + mod(this.bof - this.ndirty - this.nclean - 1, NPHYS);
    this.grv[i] = this.rseLoad(addr);
    const coll = addr | 0x1f8n;
    const bits = coll < this.bspstore ? this.rseLoad(coll) : this.rnat;
    this.grn[i] = Number((bits >> ((addr >> 3n) & 63n)) & 1n);
    this.nclean++;
  }

  /** Make room for the current frame: drop clean registers first, then spill dirty ones. */
  private makeRoom(): void {
    while (this.nclean + this.ndirty + this.sof > NPHYS) {
      if (this.nclean > 0) this.nclean--;
      else this.spillOne();
    }
  }

  /** alloc: resize the current frame (inputs + locals = sol, + outputs = sof, rotating = sor*8). */
  alloc(sof: number, sol: number, sor: number): void {
    if (sof > 96 || sol > sof || sor * 8 > sof) {
      this.raise('illegal-operation', 0n, `alloc with sof ${sof}, sol ${sol}, sor ${sor * 8}`);
    }
    if (sor !== this.sor && (this.rrbGr || this.rrbFr || this.rrbPr)) {
      this.raise('reserved-register', 0n, 'alloc changes sor while a rotating base is non-zero');
    }
    this.sof = sof;
    this.sol = sol;
    this.sor = sor;
    if (this.nclean + this.ndirty + sof > NPHYS) this.makeRoom();
    this.remap();
  }

  /** br.call: the caller's locals become dirty, the outputs become the new frame. */
  callFrame(): void {
    // ar.pfs = ppl 3 (bits 62..63) | pec = ar.ec (52..57) | pfm = CFM (0..37), written as halves
    const a = this.ar32;
    a[PFS_LO] = this.cfmLow() | 0;
    a[PFS_LO + 1] = this.rrbPr | ((a[EC_LO] & 63) << 20) | 0xc000_0000 | 0;
    this.bof += this.sol;
    if (this.bof >= NPHYS) this.bof -= NPHYS;
    this.ndirty += this.sol;
    this.skipBsp(this.sol);
    this.sof -= this.sol;
    this.sol = this.sor = this.rrbGr = this.rrbFr = this.rrbPr = 0;
    this.remap();
  }

  /** br.ret: restore the caller's frame from ar.pfs, filling its locals from memory if spilled. */
  returnFrame(): void {
    // the usual return stays short (it is called from compiled code); rare cases are methods apart
    const a = this.ar32;
    const lo = a[PFS_LO];
    const hi = a[PFS_LO + 1];
    const sol = (lo >>> 7) & 127;
    if (sol > 96 || sol > (lo & 127))
      this.raise('illegal-operation', this.ar[AR.PFS], 'br.ret to an invalid frame (ar.pfs)');
    if (this.ndirty >= sol) this.ndirty -= sol;
    else this.restoreClean(sol);
    this.bof = this.bof >= sol ? this.bof - sol : this.bof - sol + NPHYS;
    this.skipBsp(-sol);
    if (
      this.rseHalves[STORE_HI] > this.rseHalves[BSP_HI] ||
      (this.rseHalves[STORE_HI] === this.rseHalves[BSP_HI] &&
        this.rseHalves[STORE_LO] > this.rseHalves[BSP_LO])
    )
      this.storeDownToBsp();
    a[EC_LO] = (hi >>> 20) & 63;
    a[EC_LO + 1] = 0;
    this.setCfmFields(lo, hi);
    if (this.nclean + this.ndirty + this.sof > NPHYS) this.makeRoom();
    this.remap();
  }

  /** A return to a frame with locals beyond the dirty registers: fill what is missing, use clean ones. */
  private restoreClean(sol: number): void {
    while (this.ndirty + this.nclean < sol) this.fillOne();
    this.nclean -= sol - this.ndirty;
    this.ndirty = 0;
  }

  /** After a return below bspstore the restored frame's registers are live again: they are spilled
   * anew from bsp. */
  private storeDownToBsp(): void {
    const coll = this.bsp | 0x1f8n;
    if (coll < this.bspstore) this.rnat = this.rseLoad(coll);
    this.rseHalves[STORE_HI] = this.rseHalves[BSP_HI];
    this.rseHalves[STORE_LO] = this.rseHalves[BSP_LO];
  }

  /** cover: the current frame becomes dirty and a new empty frame starts. */
  cover(): void {
    this.bof = (this.bof + this.sof) % NPHYS;
    this.ndirty += this.sof;
    this.skipBsp(this.sof);
    this.sof = this.sol = this.sor = this.rrbGr = this.rrbFr = this.rrbPr = 0;
    this.remap();
  }

  /** flushrs: spill every dirty register; afterwards bspstore = bsp. */
  flushrs(): void {
    while (this.ndirty > 0) this.spillOne();
  }

  /** loadrs: make the ar.rsc.loadrs bytes below bsp present (as dirty registers), forget the rest. */
  loadrs(): void {
    this.requireEnforcedLazy('loadrs');
    const target = this.bsp - ((this.ar[AR.RSC] >> 16n) & 0x3ff8n);
    const slots = Number((this.bsp - target) >> 3n);
    const n = slots - Math.floor((Number((target >> 3n) & 63n) + slots) / 64);
    if (n + this.sof > NPHYS) this.raise('illegal-operation', 0n, `loadrs of ${n} registers does not fit`);
    this.ndirty = 0;
    this.nclean = 0;
    this.bspstore = this.bsp;
    for (let k = 0; k < n; k++) this.fillOne();
    const coll = target | 0x1f8n;
    if (coll < this.bsp) this.rnat = this.rseLoad(coll);
    this.bspstore = target;
    this.ndirty = n;
    this.nclean = 0;
  }

  /** Rotate GR/FR/PR bases by one (modulo-scheduled loop branches). */
  rotate(): void {
    const rot = this.sor * 8;
    if (rot) this.rrbGr = (this.rrbGr + rot - 1) % rot;
    this.rrbFr = (this.rrbFr + 95) % 96;
    this.rrbPr = (this.rrbPr + 47) % 48;
    this.remap();
  }

  // ---- memory ---------------------------------------------------------------------------------

  load(addr: bigint, size: number): bigint {
    const v = this.memory.read(addr, size);
    if (v === undefined) this.raise('data-access', addr, `load of ${size} bytes from unmapped ${hex(addr)}`);
    return v;
  }

  store(addr: bigint, size: number, value: bigint): void {
    if (!this.memory.write(addr, size, value)) {
      this.raise('data-access', addr, `store of ${size} bytes to unmapped ${hex(addr)}`);
    }
    this.alat.invalidateRange(addr, size);
  }

  // ---- control --------------------------------------------------------------------------------

  branchTo(target: bigint): void {
    this.nextIp = target & ~15n;
    this.branched = true;
  }

  /** Start executing at a bundle address (slot 0). */
  jump(target: bigint): void {
    this.ip = target & ~15n;
    this.slot = 0;
  }

  requestStop(): void {
    this.stopRequested = true;
  }

  private bundleAt(ip: bigint): DecodedBundle {
    const b = this.decodedAt(ip);
    if (!b) this.raise('instruction-access', ip, `fetch from unmapped ${hex(ip)}`);
    return b;
  }

  /** The decoded bundle at ip (cached per page), or undefined when it is not mapped. */
  private decodedAt(ip: bigint): DecodedBundle | undefined {
    // decoded bundles are cached by physical page (the same as ip unless system mode translates)
    const pa = this.memory.fetchAddress(ip);
    const page = Number(pa >> 12n);
    let cache = this.decoded.get(page);
    if (!cache) {
      cache = new Array(256);
      this.decoded.set(page, cache);
      this.memory.codePages.add(page);
    }
    const k = Number((ip >> 4n) & 255n);
    let b = cache[k];
    if (!b) {
      const lo = this.memory.fetchRead(pa);
      const hi = this.memory.fetchRead(pa + 8n);
      if (lo === undefined || hi === undefined) return undefined;
      b = decodeBundle(lo, hi);
      cache[k] = b;
    }
    return b;
  }

  /** Execute up to `budget` instructions. Guest faults stop the run with 'fault' (see `fault`). */
  run(budget: number): StopReason {
    this.stopRequested = false;
    this.fault = undefined;
    const limit = this.retired + budget;
    const jit = this.jit;
    try {
      while (this.retired < limit) {
        if (jit !== undefined) {
          if (this.runBlocks(jit, limit)) return 'stop';
          if (this.retired >= limit) break;
        }
        const b = this.bundleAt(this.ip);
        const insns = b.insns;
        let s = this.slot;
        for (; s < 3; s++) {
          const d = insns[s];
          if (d === null) continue;
          this.slot = s;
          this.retired++;
          if (d.always || this.prv[this.pmap[d.qp]]) d.exec(this, d);
          if (this.branched || this.stopRequested) break;
        }
        if (this.branched) {
          this.branched = false;
          this.ip = this.nextIp;
          this.slot = 0;
        } else if (s >= 3) {
          this.ip += 16n;
          this.slot = 0;
        } else {
          // stopped after slot s: resume after it
          this.advanceAfter(s, b);
        }
        if (this.stopRequested) return 'stop';
      }
      return 'budget';
    } catch (e) {
      if (e instanceof GuestFaultSignal) {
        this.branched = false;
        return 'fault';
      }
      throw e;
    }
  }

  /**
   * Compiled blocks, one after another through their links, until one needs the interpreter (or the
   * budget ends); true when a hook asked to stop. A function of its own: the hot loop stays small and
   * optimized, whatever the rarely taken paths of `run` do.
   */
  private runBlocks(jit: JitCache, limit: number): boolean {
    // one lookup site for every exit (a site that rarely runs would leave V8 without type feedback,
    // and the optimized loop would deoptimize the first time it does)
    let block = jit.lookup(this.ip, this.slot);
    while (block !== undefined && this.retired + block.count <= limit) {
      const code = block.fn(this, limit);
      if (code === BAIL) return false;
      if (this.stopRequested) return true;
      const exit = code - LINK; // < 0: DONE, no fixed exit
      let next = exit >= 0 ? block.links[exit] : undefined;
      if (next === undefined || !next.valid) {
        next = jit.lookup(this.ip, this.slot);
        if (exit >= 0) block.links[exit] = next;
      }
      block = next;
    }
    return false;
  }

  private advanceAfter(s: number, b: DecodedBundle): void {
    let next = s + 1;
    while (next < 3 && b.insns[next] === null) next++;
    if (next >= 3) {
      this.ip += 16n;
      this.slot = 0;
    } else this.slot = next;
  }

  /** How many blocks the compiler has made (0 with `jit: false`). */
  jitBlocks(): number {
    return this.jit?.compiled ?? 0;
  }

  /** Execute one instruction. */
  step(): StopReason {
    return this.run(1);
  }
}

/** The backing-store address `n` registers after (n < 0: before) `addr`, skipping NaT collections. */
export function rseSkip(addr: bigint, n: number): bigint {
  const slot = Number(addr & 0x1f8n) >> 3;
  let delta = slot + n;
  if (n < 0) delta -= 62;
  return addr + BigInt(8 * (n + Math.trunc(delta / 63)));
}
