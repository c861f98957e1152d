// Compiled blocks by entry point (bundle address, slot), per 4 KiB code page so that a store to the
// page drops them with the page's decoded bundles. An entry point is compiled after `threshold`
// entries; one that cannot be compiled is remembered as such.
import type { DecodedBundle } from '../decode/decoder.js';
import { type Block, compileBlock } from './compiler.js';

interface PageBlocks {
  blocks: (Block | null | undefined)[];
  counts: Uint16Array;
}

const ENTRIES = 256 * 3;

export class JitCache {
  private readonly pages = new Map<number, PageBlocks>();
  private lastKey = -1;
  private last: PageBlocks | undefined;
  /** Blocks compiled so far (tests check that the compiler really ran). */
  compiled = 0;

  constructor(
    private readonly threshold: number,
    private readonly fetch: (ip: bigint) => DecodedBundle | undefined,
  ) {}

  /** The block starting at (ip, slot), compiling it when it has become hot; undefined: interpret. */
  lookup(ip: bigint, slot: number): Block | undefined {
    const key = Number(ip >> 12n);
    let pb = key === this.lastKey ? this.last : this.pages.get(key);
    if (pb === undefined) {
      pb = { blocks: new Array(ENTRIES), counts: new Uint16Array(ENTRIES) };
      this.pages.set(key, pb);
    }
    this.lastKey = key;
    this.last = pb;
    const i = Number((ip >> 4n) & 255n) * 3 + slot;
    const b = pb.blocks[i];
    if (b !== undefined) return b ?? undefined;
    if (pb.counts[i]++ < this.threshold) return undefined;
    const compiled = compileBlock(ip, slot, this.fetch);
    pb.blocks[i] = compiled ?? null;
    if (compiled) this.compiled++;
    return compiled;
  }

  invalidate(page: number): void {
    this.pages.delete(page);
    this.lastKey = -1;
    this.last = undefined;
  }
}
