// 64-bit helpers. General registers hold unsigned 64-bit BigInts; these keep every result in range.

export const M64 = (1n << 64n) - 1n;

/** Wrap to an unsigned 64-bit value. */
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
/** Read an unsigned 64-bit value as signed. */
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Unsigned field `len` bits wide at bit `pos` of a 41-bit instruction slot held as a Number. */
export function field(slot: number, pos: number, len: number): number {
  const v = Math.floor(slot / 2 ** pos) % 2 ** len;
  // as a small integer: decoded fields land in objects (Insn, and through alloc the cpu's frame
  // fields), where a double would change their representation and deoptimize their users
  return len <= 30 ? v | 0 : v;
}

/** Sign-extend the low `bits` bits of a Number into a signed BigInt. */
export function sextN(value: number, bits: number): bigint {
  return BigInt.asIntN(bits, BigInt(value));
}

/** Zero-extend the low `bytes` bytes. */
export const zext = (v: bigint, bytes: number): bigint => BigInt.asUintN(bytes * 8, v);
/** Sign-extend the low `bytes` bytes, as an unsigned 64-bit result. */
export const sext = (v: bigint, bytes: number): bigint => u64(BigInt.asIntN(bytes * 8, v));

export const hex = (v: bigint | number): string => `0x${v.toString(16)}`;
