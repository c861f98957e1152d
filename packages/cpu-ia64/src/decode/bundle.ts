// Bundles: 128 bits, a 5-bit template and three 41-bit slots. The template names each slot's unit
// and where the instruction-group stops fall. Templates 0x06, 0x07, 0x14, 0x15, 0x1a, 0x1b, 0x1e and
// 0x1f are reserved (an Illegal Operation fault when fetched).

export type Unit = 'M' | 'I' | 'F' | 'B' | 'L' | 'X';

export interface Template {
  name: string;
  units: readonly [Unit, Unit, Unit];
  /** stops[k]: a stop follows slot k. */
  stops: readonly [boolean, boolean, boolean];
}

// [units, stop after slot (0-based) for the even template, or -1], the odd template adds an end stop
const BASE: Record<number, [string, number]> = {
  0: ['MII', -1],
  2: ['MII', 1],
  4: ['MLX', -1],
  8: ['MMI', -1],
  10: ['MMI', 0],
  12: ['MFI', -1],
  14: ['MMF', -1],
  16: ['MIB', -1],
  18: ['MBB', -1],
  22: ['BBB', -1],
  24: ['MMB', -1],
  28: ['MFB', -1],
};

function build(): (Template | undefined)[] {
  const out: (Template | undefined)[] = new Array(32).fill(undefined);
  for (const [key, [units, mid]] of Object.entries(BASE)) {
    for (const end of [0, 1]) {
      const t = Number(key) + end;
      const u = units.split('') as [Unit, Unit, Unit];
      if (units === 'MLX') u[2] = 'X';
      const stops: [boolean, boolean, boolean] = [mid === 0, mid === 1, end === 1];
      const name = u
        .map((x, k) => (x === 'X' ? '' : x) + (stops[k] && k < 2 ? '_' : ''))
        .join('')
        .replace('LX', 'LX');
      out[t] = { name: name + (end ? ';;' : ''), units: u, stops };
    }
  }
  return out;
}

/** TEMPLATES[t] for t in 0..31; undefined for reserved templates. */
export const TEMPLATES: readonly (Template | undefined)[] = build();

/** Split 16 little-endian bytes into the template and three slots (each < 2^41, exact as Number). */
export function splitBundle(lo: bigint, hi: bigint): { template: number; slots: [number, number, number] } {
  const v = (hi << 64n) | lo;
  const m41 = (1n << 41n) - 1n;
  return {
    template: Number(v & 31n),
    slots: [Number((v >> 5n) & m41), Number((v >> 46n) & m41), Number((v >> 87n) & m41)],
  };
}
