// A bitmap with summary levels: level 0 holds one bit per item, and bit j of a word at level
// k+1 is set whenever word j of level k is non-zero. Finding the first set bit is then one
// find-first-set per level (4 levels cover 1 Mi items), whatever the occupancy.
// A summary bit may be stale (set over a word that has become zero): callers may skip clearing
// it on their hot path, and the searches clear such bits when they meet them.

/** Index of the lowest set bit of a non-zero 32-bit word. */
export function ctz(word: number): number {
  return 31 - Math.clz32(word & -word);
}

export class SummaryBitmap {
  /** levels[0] is the item bitmap; the last level is a single word. */
  readonly levels: Int32Array[];
  readonly size: number;
  private readonly top: number;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 0)
      throw new RangeError(`bitmap size must be a natural number: ${size}`);
    this.size = size;
    const levels: Int32Array[] = [];
    let bits = Math.max(size, 1);
    // At least two levels, so callers may update level 1 directly on their hot paths.
    for (;;) {
      const words = Math.ceil(bits / 32);
      levels.push(new Int32Array(words));
      if (words === 1 && levels.length >= 2) break;
      bits = words;
    }
    this.levels = levels;
    this.top = levels.length - 1;
  }

  test(i: number): boolean {
    return (this.levels[0][i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** Lowest set index, or -1. */
  findFirst(): number {
    const levels = this.levels;
    for (;;) {
      let l = this.top;
      const root = levels[l][0];
      if (root === 0) return -1;
      let i = ctz(root);
      while (l > 0) {
        const w = levels[l - 1][i];
        // A stale summary bit over an empty word: clear it and start again (amortised O(1)).
        if (w === 0) break;
        l -= 1;
        i = (i << 5) | ctz(w);
      }
      if (l === 0) return i;
      this.clearFrom(l, i);
    }
  }

  /** Lowest set index >= from, or -1. */
  findNext(from: number): number {
    if (from <= 0) return this.findFirst();
    if (from >= this.size) return -1;
    const levels = this.levels;
    for (;;) {
      let l = 0;
      let i = from;
      // Climb until some word holds a set bit at or after position i, then descend to its lowest leaf.
      for (;;) {
        const wi = i >>> 5;
        const level = levels[l];
        if (wi >= level.length) return -1;
        const w = level[wi] & (-1 << (i & 31));
        if (w !== 0) {
          i = (wi << 5) | ctz(w);
          break;
        }
        if (l === this.top) return -1;
        i = wi + 1;
        l += 1;
      }
      while (l > 0) {
        const w = levels[l - 1][i];
        if (w === 0) break;
        l -= 1;
        i = (i << 5) | ctz(w);
      }
      if (l === 0) return i;
      this.clearFrom(l, i);
    }
  }

  set(i: number): void {
    this.setFrom(0, i);
  }

  clear(i: number): void {
    this.clearFrom(0, i);
  }

  /** Sets bit i of level l and the summary bits above it that need it. */
  setAt(l: number, i: number): void {
    if (l <= this.top) this.setFrom(l, i);
  }

  /** Clears bit i of level l and the summary bits above it that need it. */
  clearAt(l: number, i: number): void {
    if (l <= this.top) this.clearFrom(l, i);
  }

  /** Replaces leaf word `wi` with `value`, keeping the summaries right. */
  writeWord(wi: number, value: number): void {
    const leaf = this.levels[0];
    const old = leaf[wi];
    leaf[wi] = value;
    if (old === 0 && value !== 0) this.setFrom(1, wi);
    else if (old !== 0 && value === 0) this.clearFrom(1, wi);
  }

  private setFrom(l: number, i: number): void {
    const levels = this.levels;
    for (;;) {
      const wi = i >>> 5;
      const level = levels[l];
      const old = level[wi];
      level[wi] = old | (1 << (i & 31));
      // The parent bit is already set unless this word was empty.
      if (old !== 0 || l === this.top) return;
      i = wi;
      l += 1;
    }
  }

  private clearFrom(l: number, i: number): void {
    const levels = this.levels;
    for (;;) {
      const wi = i >>> 5;
      const level = levels[l];
      const old = level[wi];
      const now = old & ~(1 << (i & 31));
      level[wi] = now;
      // Only a word that just became empty changes its parent.
      if (now !== 0 || old === 0 || l === this.top) return;
      i = wi;
      l += 1;
    }
  }

  /** Walks every summary level and reports the first inconsistency (for tests' check()). */
  checkSummaries(): string | undefined {
    for (let l = 1; l < this.levels.length; l++) {
      const child = this.levels[l - 1];
      const level = this.levels[l];
      for (let j = 0; j < level.length * 32; j++) {
        const childSet = j < child.length && child[j] !== 0;
        const have = (level[j >>> 5] & (1 << (j & 31))) !== 0;
        if (childSet && !have) return `summary level ${l} bit ${j} is clear over a non-zero word`;
        if (j >= child.length && have) return `summary level ${l} bit ${j} is set beyond the level below`;
      }
    }
    const leaf = this.levels[0];
    for (let i = this.size; i < leaf.length * 32; i++) {
      if ((leaf[i >>> 5] & (1 << (i & 31))) !== 0) return `padding bit ${i} beyond size ${this.size} is set`;
    }
    return undefined;
  }
}
