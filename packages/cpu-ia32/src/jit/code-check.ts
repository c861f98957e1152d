// The copy of a block's code bytes that is compared with RAM the first time the block runs in a
// new epoch (engine.ts: RAM written behind the CPU's back). The PC board starts a `run` every
// 4096 instructions and every run is a new epoch, so a Linux boot compared ~2.8 G bytes per
// G instructions byte by byte (17 % of its time). The copy is kept as aligned 32-bit words
// and compared a word at a time; the first and last words are masked to the block's own bytes,
// so a store to data beside the code (same word) is not taken for a change of the code.

/** A block's code bytes [at, at + size) of RAM, as little-endian 32-bit words. */
export interface CodeCopy {
  /** Index in the Int32Array view of RAM of the first word. */
  word: number;
  words: Int32Array;
  /** Masks of the bytes of the first and the last word that belong to the block. */
  head: number;
  tail: number;
}

/** An Int32Array view of RAM, or undefined where words cannot be used (then bytes are). */
export function wordView(ram: Uint8Array): Int32Array | undefined {
  const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  if (!littleEndian || ram.byteOffset % 4 !== 0 || ram.byteLength % 4 !== 0) return undefined;
  return new Int32Array(ram.buffer, ram.byteOffset, ram.byteLength >> 2);
}

/** Copy RAM bytes [at, at + size) (size > 0) as words. */
export function copyCode(ram32: Int32Array, at: number, size: number): CodeCopy {
  const word = at >>> 2;
  const end = at + size;
  const words = ram32.slice(word, (end + 3) >>> 2);
  const head = -1 << ((at & 3) << 3);
  const tail = (end & 3) === 0 ? -1 : (1 << ((end & 3) << 3)) - 1;
  return { word, words, head, tail };
}

/** Whether RAM still holds the copied bytes. */
export function sameCode(ram32: Int32Array, copy: CodeCopy): boolean {
  const words = copy.words;
  const w = copy.word;
  const last = words.length - 1;
  if (last === 0) return ((ram32[w] ^ words[0]) & copy.head & copy.tail) === 0;
  if (((ram32[w] ^ words[0]) & copy.head) !== 0) return false;
  if (((ram32[w + last] ^ words[last]) & copy.tail) !== 0) return false;
  for (let i = 1; i < last; i++) if (ram32[w + i] !== words[i]) return false;
  return true;
}
