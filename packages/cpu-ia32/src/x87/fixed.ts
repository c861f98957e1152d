// High-precision fixed-point kernels for the transcendental instructions: a value v / 2^P in a
// BigInt. Every function works at the caller's P (chosen per operand so the result keeps far
// more than 64 correct bits), and the instruction rounds the result once.

import { isqrt } from './arith.js';
import { bitLength, type F80, unbiasedScale } from './float80.js';

/** x (finite) as fixed point at P bits, truncated toward zero; sign separate. */
export function toFixed(x: F80, P: number): bigint {
  const E = unbiasedScale(x) + P;
  return E >= 0 ? x.m << BigInt(E) : x.m >> BigInt(-E);
}

/** a * b at P bits, truncated toward zero (a floor would never let a negative series term reach 0). */
export function mulF(a: bigint, b: bigint, P: number): bigint {
  const p = a * b;
  return p < 0n ? -(-p >> BigInt(P)) : p >> BigInt(P);
}
export const divF = (a: bigint, b: bigint, P: number) => (a << BigInt(P)) / b;

/** atan(1/n) for an integer n, at P bits (Machin's formula uses it). */
function atanInv(n: bigint, P: number): bigint {
  const one = 1n << BigInt(P);
  let pow = one / n;
  const n2 = n * n;
  let sum = 0n;
  for (let k = 0n; pow !== 0n; k++) {
    const term = pow / (2n * k + 1n);
    sum += k % 2n === 0n ? term : -term;
    pow /= n2;
  }
  return sum;
}

/** atanh(t) = t + t^3/3 + t^5/5 ... for small |t| (fixed point at P). */
export function atanhF(t: bigint, P: number): bigint {
  const t2 = mulF(t, t, P);
  let pow = t;
  let sum = 0n;
  for (let k = 1n; pow !== 0n; k += 2n) {
    sum += pow / k;
    pow = mulF(pow, t2, P);
  }
  return sum;
}

/** atan(t) for |t| <= ~0.2 by its series. */
function atanSeries(t: bigint, P: number): bigint {
  const t2 = mulF(t, t, P);
  let pow = t;
  let sum = 0n;
  for (let k = 1n, sign = 1n; pow !== 0n; k += 2n, sign = -sign) {
    sum += (sign * pow) / k;
    pow = mulF(pow, t2, P);
  }
  return sum;
}

/** atan(t) for 0 <= t <= 1: two angle halvings t/(1+sqrt(1+t^2)), then the series. */
export function atanF(t: bigint, P: number): bigint {
  const one = 1n << BigInt(P);
  let u = t;
  for (let i = 0; i < 2; i++) u = divF(u, one + isqrt(one * one + u * u), P);
  return atanSeries(u, P) * 4n;
}

/** exp(y) - 1 for |y| < 1 (fixed point). */
export function expm1F(y: bigint, P: number): bigint {
  let term = y;
  let sum = 0n;
  for (let k = 2n; term !== 0n; k++) {
    sum += term;
    term = mulF(term, y, P) / k;
  }
  return sum;
}

/** sin(r) and cos(r) for |r| <= pi/4. */
export function sinCosF(r: bigint, P: number): [bigint, bigint] {
  const one = 1n << BigInt(P);
  const r2 = mulF(r, r, P);
  let s = 0n;
  let term = r;
  for (let k = 2n; term !== 0n; k += 2n) {
    s += term;
    term = -mulF(term, r2, P) / (k * (k + 1n));
  }
  let c = 0n;
  term = one;
  for (let k = 1n; term !== 0n; k += 2n) {
    c += term;
    term = -mulF(term, r2, P) / (k * (k + 1n));
  }
  return [s, c];
}

// Constants, cached at the largest precision asked for.
let cachedP = 0;
let piC = 0n;
let ln2C = 0n;
let ln10C = 0n;

function ensureConstants(P: number): void {
  if (P <= cachedP) return;
  const Q = Math.max(P, 512) + 32;
  piC = 16n * atanInv(5n, Q) - 4n * atanInv(239n, Q);
  ln2C = 2n * atanhF((1n << BigInt(Q)) / 3n, Q);
  ln10C = 2n * atanhF((1n << BigInt(Q)) / 9n, Q) + 3n * ln2C;
  const drop = BigInt(Q - (Q - 32));
  piC >>= drop;
  ln2C >>= drop;
  ln10C >>= drop;
  cachedP = Q - 32;
}

/** A constant at P bits (P up to any size; recomputed when larger than the cache). */
function constant(which: bigint, P: number): bigint {
  return which >> BigInt(cachedP - P);
}
export function piF(P: number): bigint {
  ensureConstants(P);
  return constant(piC, P);
}
export function ln2F(P: number): bigint {
  ensureConstants(P);
  return constant(ln2C, P);
}
export function ln10F(P: number): bigint {
  ensureConstants(P);
  return constant(ln10C, P);
}

/** ln(m) for a fixed-point m in [1, 2). */
export function lnF(m: bigint, P: number): bigint {
  const one = 1n << BigInt(P);
  return 2n * atanhF(divF(m - one, m + one, P), P);
}

/** Leading-bit exponent of a finite non-zero F80 (value in [2^k, 2^(k+1))). */
export function leadOf(x: F80): number {
  return unbiasedScale(x) + bitLength(x.m) - 1;
}
