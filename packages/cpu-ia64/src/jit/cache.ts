// Compiled blocks by entry point (bundle address, slot), found through one Map keyed by the bundle
// address (a BigInt key costs less than splitting the address into page and index). A store to a
// code page drops its entries with the page's decoded bundles. An entry point is compiled after
// `threshold` entries; one that cannot be compiled is remembered as such (null).
import type { DecodedBundle } from '../decode/decoder.js';
import { type Block, compileBlock } from './compiler.js';

interface Entry {
  blocks: (Block | null | undefined)[];
  counts: number[];
}

export class JitCache {
  private readonly entries = new Map<bigint, Entry>();
  private readonly byPage = new Map<number, bigint[]>();
  /** Blocks compiled so far (tests check that the compiler really ran). */
  compiled = 0;

  constructor(
    private readonly threshold: number,
    private readonly fetch: (ip: bigint) => DecodedBundle | undefined,
  ) {}

  /** The block starting at (ip, slot), compiling it when it has become hot; undefined: interpret. */
  lookup(ip: bigint, slot: number): Block | undefined {
    // the usual case (compiled, or known not to compile) is short: the run loop inlines it
    const b = this.entries.get(ip)?.blocks[slot];
    if (b !== undefined) return b ?? undefined;
    return this.miss(ip, slot);
  }

  /** Count an entry into (ip, slot) and compile it once it has become hot. */
  private miss(ip: bigint, slot: number): Block | undefined {
    let e = this.entries.get(ip);
    if (e === undefined) {
      e = { blocks: [undefined, undefined, undefined], counts: [0, 0, 0] };
      this.entries.set(ip, e);
      const page = Number(ip >> 12n);
      const list = this.byPage.get(page);
      if (list) list.push(ip);
      else this.byPage.set(page, [ip]);
    }
    const b = e.blocks[slot];
    if (b !== undefined) return b ?? undefined;
    if (e.counts[slot]++ < this.threshold) return undefined;
    const compiled = compileBlock(ip, slot, this.fetch);
    e.blocks[slot] = compiled ?? null;
    if (compiled) this.compiled++;
    return compiled;
  }

  invalidate(page: number): void {
    const list = this.byPage.get(page);
    if (!list) return;
    for (const ip of list) {
      for (const b of this.entries.get(ip)?.blocks ?? []) if (b) b.valid = false;
      this.entries.delete(ip);
    }
    this.byPage.delete(page);
  }
}
