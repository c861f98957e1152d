// fma on JS doubles, for the cases where that gives exactly what the exact BigInt path gives
// (exec/fparith.ts) rounding to nearest: the interpreter's fma and the compiled blocks both use it.
// Operands are exact doubles (normal or zero). The product must be exact (Veltkamp/Dekker: no error
// term), the result normal and far enough from the underflow and overflow edges; the sum's rounding
// error (TwoSum) says whether the inexact flag is raised. Anything else returns NaN: take the exact path.

const SPLIT = 134217729; // 2^27 + 1
/** Products and results in this range keep Dekker's and TwoSum's error terms exact. */
const LOW = 2 ** -900;
const HIGH = 2 ** 1000;
/** A result at least this large was not tiny before rounding (no underflow flag to raise). */
const MIN_RESULT = 2 ** -1021;

/** Whether the last `fmaOnDoubles` result was rounded (the FPSR i flag). */
export const fastStatus = { inexact: false };

/**
 * ±(x * y) ± z rounded to nearest double (`z` undefined: the product alone, as fma with f2 = f0), or
 * NaN when the double path cannot give the exact path's answer. `fastStatus.inexact` tells whether it
 * was rounded.
 */
export function fmaOnDoubles(
  x: number,
  y: number,
  z: number | undefined,
  negP: boolean,
  negA: boolean,
): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  if (!(ax <= 2 ** 995 && ay <= 2 ** 995)) return Number.NaN;
  const xy = x * y;
  const ap = Math.abs(xy);
  let err = 0;
  if (ap !== 0) {
    if (!(ap >= LOW && ap <= HIGH)) return Number.NaN;
    if (x === Math.fround(x) && y === Math.fround(y)) {
      // two significands of at most 24 bits: the product is exact (cheaper than splitting)
    } else {
      const tx = SPLIT * x;
      const xh = tx - (tx - x);
      const xl = x - xh;
      const ty = SPLIT * y;
      const yh = ty - (ty - y);
      const yl = y - yh;
      err = xh * yh - xy + xh * yl + xl * yh + xl * yl;
    }
  } else if (ax !== 0 && ay !== 0) return Number.NaN; // a product that underflowed to zero
  const p = negP ? -xy : xy;
  if (z === undefined) {
    if (ap === 0) return Number.NaN; // zero results: the exact path picks the sign
    fastStatus.inexact = err !== 0;
    return p;
  }
  if (err !== 0) return Number.NaN;
  const w = negA ? -z : z;
  const s = p + w;
  const as = Math.abs(s);
  if (!(as >= MIN_RESULT && as <= HIGH)) return Number.NaN;
  const bv = s - p;
  fastStatus.inexact = p - (s - bv) + (w - bv) !== 0;
  return s;
}
