// Compiled blocks by the physical address of their first instruction, and the pages holding
// them. The run loop looks here before every instruction it interprets on a page with code, so
// the lookup is two array reads (page slot, then the offset in the page) instead of a Map's hash
// lookup (a fifth of the block entry function's time in the Linux boot).

interface CodePage<T> {
  /** Entries by offset in the page. */
  at: (T | undefined)[];
  /** Every entry compiled on the page (also ones replaced in `at`, until dropped). */
  list: T[];
}

export class CodeTable<T> {
  /** Per 4 KiB physical page (4 GiB): 0 = no code, else 1 + the index of its CodePage. */
  readonly slot = new Int32Array(1 << 20);
  private readonly pages: (CodePage<T> | undefined)[] = [];
  private readonly free: number[] = [];

  /** The entry at physical address `p`. */
  get(p: number): T | undefined {
    const s = this.slot[p >>> 12];
    return s === 0 ? undefined : (this.pages[s - 1] as CodePage<T>).at[p & 0xfff];
  }

  /** Set the entry at `p` (and list it on its page); true when the page was new. */
  set(p: number, value: T): boolean {
    const page = p >>> 12;
    let s = this.slot[page];
    const fresh = s === 0;
    if (fresh) {
      const entry: CodePage<T> = { at: new Array<T | undefined>(4096).fill(undefined), list: [] };
      const index = this.free.length > 0 ? (this.free.pop() as number) : this.pages.length;
      if (index === this.pages.length) this.pages.push(entry);
      else this.pages[index] = entry;
      s = index + 1;
      this.slot[page] = s;
    }
    const entry = this.pages[s - 1] as CodePage<T>;
    entry.at[p & 0xfff] = value;
    entry.list.push(value);
    return fresh;
  }

  /** Clear the entry at `p` if it is `value`. */
  delete(p: number, value: T): void {
    const s = this.slot[p >>> 12];
    if (s === 0) return;
    const at = (this.pages[s - 1] as CodePage<T>).at;
    if (at[p & 0xfff] === value) at[p & 0xfff] = undefined;
  }

  /** The entries listed on `page`, or undefined when it holds none. */
  list(page: number): T[] | undefined {
    const s = this.slot[page];
    return s === 0 ? undefined : (this.pages[s - 1] as CodePage<T>).list;
  }

  /** Forget `page` and its entries. */
  close(page: number): void {
    const s = this.slot[page];
    if (s === 0) return;
    this.slot[page] = 0;
    this.pages[s - 1] = undefined;
    this.free.push(s - 1);
  }
}
