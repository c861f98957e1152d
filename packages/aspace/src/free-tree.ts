// Free ranges of page numbers in a treap keyed by start page. Each node also carries the
// largest free length in its subtree, so "lowest free range of at least L pages" is one descent.
// Treap priorities come from a fixed-seed generator: the shape, and so every result, is
// reproducible; expected depth is O(log n) for n free ranges. No operation allocates except
// inserting a range that touches no other (one node).

export interface FreeRange {
  readonly start: number;
  readonly length: number;
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
  if (node.left !== null && node.left.maxLength > m) m = node.left.maxLength;
  if (node.right !== null && node.right.maxLength > m) m = node.right.maxLength;
  node.maxLength = m;
  return node;
}

function rotateRight(node: Node): Node {
  const l = node.left!;
  node.left = l.right;
  l.right = update(node);
  return update(l);
}

function rotateLeft(node: Node): Node {
  const r = node.right!;
  node.right = r.left;
  r.left = update(node);
  return update(r);
}

/** Inserts `n` (a start not present) into the subtree, keeping heap order by rotations. */
function insertNode(node: Node | null, n: Node): Node {
  if (node === null) return n;
  if (n.start < node.start) {
    node.left = insertNode(node.left, n);
    if (node.left.priority > node.priority) return rotateRight(node);
  } else {
    node.right = insertNode(node.right, n);
    if (node.right.priority > node.priority) return rotateLeft(node);
  }
  return update(node);
}

/** Joins two treaps where every start in `a` is below every start in `b`. */
function merge(a: Node | null, b: Node | null): Node | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.priority > b.priority) {
    a.right = merge(a.right, b);
    return update(a);
  }
  b.left = merge(a, b.left);
  return update(b);
}

/** Removes the node with this start from the subtree. */
function removeNode(node: Node | null, start: number): Node | null {
  if (node === null) return null;
  if (start === node.start) return merge(node.left, node.right);
  if (start < node.start) node.left = removeNode(node.left, start);
  else node.right = removeNode(node.right, start);
  return update(node);
}

/** Recomputes maxLength on the path to the node with this start (after its length changed). */
function fixPath(node: Node | null, start: number): void {
  if (node === null) return;
  if (start < node.start) fixPath(node.left, start);
  else if (start > node.start) fixPath(node.right, start);
  update(node);
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
    const node = this.floor(page);
    return node !== null && page < node.start + node.length ? node : undefined;
  }

  /** The lowest-addressed free range at least `length` pages long. O(log n). */
  lowestAtLeast(length: number): FreeRange | undefined {
    let node = this.root;
    if (node === null || node.maxLength < length) return undefined;
    for (;;) {
      if (node.left !== null && node.left.maxLength >= length) node = node.left;
      else if (node.length >= length) return node;
      else node = node.right!;
    }
  }

  /** Free ranges in address order with length >= `length`, lowest first; stops when visit returns true. */
  scanAtLeast(length: number, visit: (range: FreeRange) => boolean): void {
    const walk = (node: Node | null): boolean => {
      if (node === null || node.maxLength < length) return false;
      if (walk(node.left)) return true;
      if (node.length >= length && visit(node)) return true;
      return walk(node.right);
    };
    walk(this.root);
  }

  /**
   * Adds [start, start+length), merging with free neighbours that touch it. The caller
   * guarantees it overlaps no free range. O(log n).
   */
  insert(start: number, length: number): void {
    const pred = this.floor(start - 1);
    const succ = this.ceiling(start + length);
    const joinsPred = pred !== null && pred.start + pred.length === start;
    const joinsSucc = succ !== null && succ.start === start + length;
    if (joinsPred && joinsSucc) {
      pred.length += length + succ.length;
      this.root = removeNode(this.root, succ.start);
      fixPath(this.root, pred.start);
      this.count -= 1;
    } else if (joinsPred) {
      pred.length += length;
      fixPath(this.root, pred.start);
    } else if (joinsSucc) {
      // The new start stays between succ's neighbours, so the key order holds.
      succ.start = start;
      succ.length += length;
      fixPath(this.root, start);
    } else {
      const node: Node = {
        start,
        length,
        priority: this.nextPriority(),
        maxLength: length,
        left: null,
        right: null,
      };
      this.root = insertNode(this.root, node);
      this.count += 1;
    }
  }

  /**
   * Takes [first, first + pages) out of the free range `range` (a node of this tree that
   * contains it), leaving up to two remainders. O(log n); no allocation when the piece is
   * taken from either end of the range.
   */
  take(range: FreeRange, first: number, pages: number): void {
    const node = range as Node;
    const end = node.start + node.length;
    const after = end - first - pages;
    if (first === node.start) {
      if (after === 0) {
        this.root = removeNode(this.root, node.start);
        this.count -= 1;
        return;
      }
      // Same key order: the node now starts later but before its successor.
      node.start = first + pages;
      node.length = after;
      fixPath(this.root, node.start);
      return;
    }
    node.length = first - node.start;
    fixPath(this.root, node.start);
    if (after > 0) {
      const rest: Node = {
        start: first + pages,
        length: after,
        priority: this.nextPriority(),
        maxLength: after,
        left: null,
        right: null,
      };
      this.root = insertNode(this.root, rest);
      this.count += 1;
    }
  }

  ranges(): FreeRange[] {
    const out: FreeRange[] = [];
    const walk = (node: Node | null) => {
      if (node === null) return;
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
    let nodes = 0;
    const walk = (node: Node | null, parentPriority: number): void => {
      if (node === null || problem) return;
      nodes += 1;
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
    if (!problem && nodes !== this.count) problem = `node count ${nodes}, counter ${this.count}`;
    return problem;
  }

  /** The node with the largest start <= page, or null. */
  private floor(page: number): Node | null {
    let node = this.root;
    let best: Node | null = null;
    while (node !== null) {
      if (node.start <= page) {
        best = node;
        node = node.right;
      } else node = node.left;
    }
    return best;
  }

  /** The node with the smallest start >= page, or null. */
  private ceiling(page: number): Node | null {
    let node = this.root;
    let best: Node | null = null;
    while (node !== null) {
      if (node.start >= page) {
        best = node;
        node = node.left;
      } else node = node.right;
    }
    return best;
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
