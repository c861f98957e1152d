// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8.
// Written from the polynomial definition; the eight 256-entry tables let the main loop
// consume 8 bytes per iteration, which matters because every data page is checksummed.

const POLY = 0x82f63b78;
const TABLES: Uint32Array = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let s = 1; s < 8; s++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[s * 256 + n] = c >>> 0;
    }
  }
  return t;
}

/** CRC-32C of `data[start, end)`, continuing from `crc` (pass the previous result to chain). */
export function crc32c(data: Uint8Array, crc = 0, start = 0, end = data.length): number {
  const t = TABLES;
  let c = ~crc >>> 0;
  let i = start;
  // Align to 4 so the main loop can read 32-bit little-endian words.
  while (i < end && ((data.byteOffset + i) & 3) !== 0) c = t[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
  const words = (end - i) >>> 3;
  if (words > 0) {
    const u32 = new Uint32Array(data.buffer, data.byteOffset + i, words * 2);
    for (let w = 0; w < u32.length; w += 2) {
      const a = u32[w] ^ c;
      const b = u32[w + 1];
      c =
        t[1792 + (a & 0xff)] ^
        t[1536 + ((a >>> 8) & 0xff)] ^
        t[1280 + ((a >>> 16) & 0xff)] ^
        t[1024 + (a >>> 24)] ^
        t[768 + (b & 0xff)] ^
        t[512 + ((b >>> 8) & 0xff)] ^
        t[256 + ((b >>> 16) & 0xff)] ^
        t[b >>> 24];
    }
    i += words * 8;
  }
  while (i < end) c = t[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
