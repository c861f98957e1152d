// Free ranges of page numbers in a treap keyed by start page. Each node also carries the
// largest free length in its subtree, so "lowest free range of at least L pages" is one descent.
// Treap priorities come from a fixed-seed generator: the shape, and so every result, is
// reproducible; expected depth is O(log n) for n free ranges.

export interface FreeRange {
  start: number;
  length: number;
}

interface Node {
  start: number;
  length: number;
  priority: number;
  maxLength: number;
  left: Node | null;
  right: Node | null;
}

function update(node: Node): Node {
  let m = node.length;
  if (node.left && node.left.maxLength > m) m = node.left.maxLength;
  if (node.right && node.right.maxLength > m) m = node.right.maxLength;
  node.maxLength = m;
  return node;
}

/** Splits into (starts < key, starts >= key). */
function split(node: Node | null, key: number): [Node | null, Node | null] {
  if (!node) return [null, null];
  if (node.start < key) {
    const [l, r] = split(node.right, key);
    node.right = l;
    return [update(node), r];
  }
  const [l, r] = split(node.left, key);
  node.left = r;
  return [l, update(node)];
}

/** Joins two treaps where every start in `a` is below every start in `b`. */
function merge(a: Node | null, b: Node | null): Node | null {
  if (!a) return b;
  if (!b) return a;
  if (a.priority > b.priority) {
    a.right = merge(a.right, b);
    return update(a);
  }
  b.left = merge(a, b.left);
  return update(b);
}

export class FreeTree {
  private root: Node | null = null;
  private seed = 0x9e3779b9;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Length of the longest free range. O(1). */
  get largest(): number {
    return this.root?.maxLength ?? 0;
  }

  /** The free range containing page `page`, or undefined. O(log n). */
  containing(page: number): FreeRange | undefined {
    let node = this.root;
    let best: Node | null = null;
    while (node) {
      if (node.start <= page) {
        best = node;
        node = node.right;
      } else node = node.left;
    }
    if (best && page < best.start + best.length) return { start: best.start, length: best.length };
    return undefined;
  }

  /** The lowest-addressed free range at least `length` pages long. O(log n). */
  lowestAtLeast(length: number): FreeRange | undefined {
    let node = this.root;
    if (!node || node.maxLength < length) return undefined;
    for (;;) {
      if (node.left && node.left.maxLength >= length) node = node.left;
      else if (node.length >= length) return { start: node.start, length: node.length };
      else node = node.right!;
    }
  }

  /** Free ranges in address order with length >= `length`, lowest first; stops when visit returns true. */
  scanAtLeast(length: number, visit: (range: FreeRange) => boolean): void {
    const walk = (node: Node | null): boolean => {
      if (!node || node.maxLength < length) return false;
      if (walk(node.left)) return true;
      if (node.length >= length && visit({ start: node.start, length: node.length })) return true;
      return walk(node.right);
    };
    walk(this.root);
  }

  /**
   * Adds [start, start+length), merging with free neighbours that touch it. The caller
   * guarantees it overlaps no free range. O(log n).
   */
  insert(start: number, length: number): void {
    let [left, right] = split(this.root, start);
    // Coalesce with the predecessor (the largest start in `left`) if it ends at `start`.
    const pred = maxNode(left);
    if (pred && pred.start + pred.length === start) {
      const [l] = split(left, pred.start);
      left = l;
      start = pred.start;
      length += pred.length;
      this.count -= 1;
    }
    const succ = minNode(right);
    if (succ && succ.start === start + length) {
      const [, r] = split(right, succ.start + 1);
      right = r;
      length += succ.length;
      this.count -= 1;
    }
    const node: Node = {
      start,
      length,
      priority: this.nextPriority(),
      maxLength: length,
      left: null,
      right: null,
    };
    this.root = merge(merge(left, node), right);
    this.count += 1;
  }

  /** Removes the free range starting exactly at `start`. O(log n). */
  remove(start: number): void {
    const [left, rest] = split(this.root, start);
    const [, right] = split(rest, start + 1);
    this.root = merge(left, right);
    this.count -= 1;
  }

  ranges(): FreeRange[] {
    const out: FreeRange[] = [];
    const walk = (node: Node | null) => {
      if (!node) return;
      walk(node.left);
      out.push({ start: node.start, length: node.length });
      walk(node.right);
    };
    walk(this.root);
    return out;
  }

  /** Checks order, disjointness, non-adjacency (coalescing), heap order and the augmentation. */
  check(): string | undefined {
    let problem: string | undefined;
    let prevEnd = -1;
    const walk = (node: Node | null, parentPriority: number): void => {
      if (!node || problem) return;
      if (node.priority > parentPriority) problem = `heap order broken at page ${node.start}`;
      walk(node.left, node.priority);
      if (node.length <= 0) problem = `empty free range at page ${node.start}`;
      if (node.start <= prevEnd)
        problem = `free ranges at page ${node.start} overlap or touch (not coalesced)`;
      prevEnd = node.start + node.length;
      const max = Math.max(node.length, node.left?.maxLength ?? 0, node.right?.maxLength ?? 0);
      if (max !== node.maxLength) problem = `maxLength wrong at page ${node.start}`;
      walk(node.right, node.priority);
    };
    walk(this.root, Number.POSITIVE_INFINITY);
    if (!problem && this.ranges().length !== this.count) problem = 'node count mismatch';
    return problem;
  }

  private nextPriority(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }
}

function maxNode(node: Node | null): Node | null {
  if (!node) return null;
  while (node.right) node = node.right;
  return node;
}

function minNode(node: Node | null): Node | null {
  if (!node) return null;
  while (node.left) node = node.left;
  return node;
}
