// Compiled blocks, cached per 4 KiB physical RAM page and dropped when that page's code is written
// (QEMU's translation blocks and Bochs' trace cache keep the same key). A block also remembers the
// virtual address it was compiled for: its branch targets and link values are virtual, so a page
// mapped at two addresses gets a block per address.
import type { MipsCpu } from '../cpu.js';

export type BlockFn = (cpu: MipsCpu) => void;

export class CodeBlock {
  constructor(
    /** Virtual address of the first instruction. */
    readonly va: number,
    /**
     * Most instructions one run retires (a nullified branch-likely slot retires one fewer).
     * 0: the first instruction is one only the interpreter executes (COP0, WAIT, ...).
     */
    readonly len: number,
    readonly run: BlockFn,
  ) {}
}

const WORDS = 1024;

/** The blocks starting on one physical page, by word index. */
export class CodePage {
  readonly blocks: Array<CodeBlock | undefined> = new Array<CodeBlock | undefined>(WORDS).fill(undefined);
  /** How often each word was reached as a block entry before it was compiled. */
  readonly heat = new Uint16Array(WORDS);
  /** 1 for every word some block was compiled from: a store there drops the page's blocks. */
  readonly covered = new Uint8Array(WORDS);
  /** Some word is covered. */
  live = false;

  clear(): void {
    this.blocks.fill(undefined);
    this.heat.fill(0);
    this.covered.fill(0);
    this.live = false;
  }
}

/**
 * All code pages of one CPU. `live[ppn]` is 1 while page `ppn` holds compiled code: the CPU's store
 * slow path looks at it, and no software-TLB write entry points into such a page, so stores there
 * always take the slow path (and plain-data pages pay nothing).
 */
export class CodeCache {
  readonly live: Uint8Array;
  private readonly pages: Array<CodePage | undefined>;
  /** Pages that hold or held code (to drop everything without scanning all of RAM). */
  private readonly used = new Set<number>();

  constructor(ramSize: number) {
    const count = Math.ceil(ramSize / 4096);
    this.live = new Uint8Array(count);
    this.pages = new Array<CodePage | undefined>(count).fill(undefined);
  }

  /** The code page for physical page `ppn` (a RAM page), created on first use. */
  page(ppn: number): CodePage {
    let p = this.pages[ppn];
    if (p === undefined) {
      p = new CodePage();
      this.pages[ppn] = p;
      this.used.add(ppn);
    }
    return p;
  }

  /** Record a compiled block of `len` words at word `w` of page `ppn`; true when the page just became live. */
  cover(ppn: number, w: number, len: number): boolean {
    const page = this.page(ppn);
    page.covered.fill(1, w, Math.min(w + len, WORDS));
    if (page.live) return false;
    page.live = true;
    this.live[ppn] = 1;
    return true;
  }

  /**
   * Bytes [pa, pa + len) were or will be written: drop the blocks of every page where a compiled word
   * is touched. True when something was dropped.
   */
  invalidate(pa: number, len: number): boolean {
    if (len <= 0) return false;
    const end = Math.min(pa + len, this.live.length * 4096);
    let dropped = false;
    if (end - pa > this.used.size * 4096) {
      // A large range (a loader, a restored snapshot): visit only the pages that ever held code.
      for (const ppn of this.used) {
        const from = Math.max(pa, ppn * 4096);
        const to = Math.min(end, ppn * 4096 + 4096);
        if (from < to && this.dropIfTouched(ppn, from, to)) dropped = true;
      }
      return dropped;
    }
    for (let from = pa; from < end; ) {
      const ppn = Math.floor(from / 4096);
      const to = Math.min(end, ppn * 4096 + 4096);
      if (this.live[ppn] !== 0 && this.dropIfTouched(ppn, from, to)) dropped = true;
      from = to;
    }
    return dropped;
  }

  /** Forget every block (after RAM was replaced wholesale, e.g. a restored machine state). */
  clear(): void {
    for (const ppn of this.used) {
      this.pages[ppn]?.clear();
      this.live[ppn] = 0;
    }
  }

  private dropIfTouched(ppn: number, from: number, to: number): boolean {
    const page = this.pages[ppn];
    if (page === undefined || !page.live) return false;
    const covered = page.covered;
    for (let w = (from & 0xfff) >>> 2, last = ((to - 1) & 0xfff) >>> 2; w <= last; w++) {
      if (covered[w] !== 0) {
        page.clear();
        this.live[ppn] = 0;
        return true;
      }
    }
    return false;
  }
}
