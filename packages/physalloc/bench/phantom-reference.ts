// A MODEL of Phantom OS's page-frame allocator (kernel/physalloc.c), written from its description
// for the benchmark — not Phantom's code. What it models:
//   - one bitmap of 32-bit words, bit = 1 means "used";
//   - single pages: next-fit by word. A cursor (word index) stays on the word where the last
//     page was found; a word that is not all ones is searched bit by bit from bit 0 with a
//     moving mask; otherwise the cursor moves to the next word, wrapping at the end;
//   - contiguous runs: whole 32-page words only. From the cursor, count consecutive all-zero
//     words until enough are found (the count restarts on a used word and on wrap-around);
//     the cursor is shared with single-page allocation.
// Phantom has no alignment parameter; to run the same 64-page aligned requests, this model
// additionally requires the run's first word to be a multiple of align/32 (counting restarts
// until the first zero word of a run is aligned).

export class PhantomReferenceAllocator {
  readonly map: Int32Array;
  private readonly words: number;
  private cursor = 0;
  usedPages = 0;

  constructor(readonly totalPages: number) {
    this.words = Math.floor(totalPages / 32);
    this.map = new Int32Array(this.words);
  }

  /** Returns the page number, or -1 (Phantom returns ENOMEM). */
  allocPage(): number {
    const start = this.cursor;
    do {
      const elem = this.map[this.cursor];
      if (~elem !== 0) {
        let page = this.cursor * 32;
        let mask = 1;
        while ((elem & mask) !== 0) {
          mask <<= 1;
          page++;
        }
        this.map[this.cursor] = elem | mask;
        this.usedPages++;
        return page;
      }
      this.cursor++;
      if (this.cursor >= this.words) this.cursor = 0;
    } while (this.cursor !== start);
    return -1;
  }

  freePage(page: number): void {
    const mask = 1 << (page & 31);
    if ((this.map[page >>> 5] & mask) === 0) throw new Error(`reference: double free of page ${page}`);
    this.map[page >>> 5] &= ~mask;
    this.usedPages--;
  }

  /** `n` pages as ceil(n/32) whole words; alignPages (a multiple of 32) is this model's addition. */
  allocRegion(n: number, alignPages = 32): number {
    const need = Math.ceil(n / 32);
    const alignWords = Math.max(1, alignPages / 32);
    const start = this.cursor;
    let run = 0;
    do {
      if (this.map[this.cursor] === 0 && (run > 0 || this.cursor % alignWords === 0)) run++;
      else run = 0;
      this.cursor++;
      if (this.cursor >= this.words) {
        this.cursor = 0;
        run = 0;
      }
    } while (this.cursor !== start && run < need);
    if (run !== need) return -1;
    const first = this.cursor - need;
    for (let w = first; w < this.cursor; w++) this.map[w] = -1;
    // Phantom marks only the pages asked for in the last word.
    const rem = n % 32;
    if (rem !== 0) this.map[this.cursor - 1] = (1 << rem) - 1;
    this.usedPages += n;
    return first * 32;
  }

  /** Whole words at once where the run covers them, bit by bit elsewhere (as Phantom does). */
  freeRegion(page: number, n: number): void {
    while (n > 0) {
      if ((page & 31) === 0 && n > 32) {
        if (this.map[page >>> 5] !== -1) throw new Error(`reference: double free in word ${page >>> 5}`);
        this.map[page >>> 5] = 0;
        this.usedPages -= 32;
        page += 32;
        n -= 32;
      } else {
        this.freePage(page);
        page++;
        n--;
      }
    }
  }
}
