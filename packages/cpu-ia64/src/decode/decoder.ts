// Decoding: split a bundle by its template, then find each slot's row by unit and major opcode.
// Rows are indexed once at load time; each slot scans only its (unit, opcode) bucket.
import { field } from '../bits.js';
import { illegal } from '../exec/system.js';
import { splitBundle, TEMPLATES, type Unit } from './bundle.js';
import { common, FORMS } from './formats.js';
import { Insn } from './insn.js';
import { FIELDS, ROWS, type Row } from './table.js';

export interface DecodedBundle {
  template: number;
  /** One instruction per slot; an MLX bundle's L+X instruction sits in slot 1 and slot 2 is null. */
  insns: (Insn | null)[];
}

interface Compiled {
  row: Row;
  tests: [number, number, number][]; // [pos, len, value]
}

const buckets = new Map<string, Compiled[]>();
for (const row of ROWS) {
  const tests = Object.entries(row.when).map(([name, value]) => {
    const [pos, len] = FIELDS[name as keyof typeof FIELDS];
    return [pos, len, value as number] as [number, number, number];
  });
  const units = row.unit === 'A' ? ['I', 'M'] : [row.unit];
  for (const u of units) {
    const key = `${u}${row.op}`;
    const list = buckets.get(key) ?? [];
    list.push({ row, tests });
    buckets.set(key, list);
  }
}

/** The table row for one slot of the given unit, or undefined (an illegal instruction). */
export function findRow(unit: Unit, slot: number): Row | undefined {
  const list = buckets.get(`${unit}${field(slot, 37, 4)}`);
  if (!list) return undefined;
  for (const { row, tests } of list) {
    if (tests.every(([pos, len, value]) => field(slot, pos, len) === value)) return row;
  }
  return undefined;
}

/** Decode one instruction slot (not L+X). */
export function decodeSlot(unit: Unit, slot: number): Insn {
  const row = findRow(unit, slot);
  const d = new Insn(row ? row.exec : illegal);
  d.unit = unit;
  d.raw = slot;
  common(d, slot);
  if (!row) {
    d.name = 'illegal';
    d.always = true;
    return d;
  }
  d.name = row.name;
  FORMS[row.form](d, slot);
  if (row.size !== undefined) d.b = row.size;
  if (row.post !== undefined) d.c = row.post;
  d.always = row.always === true;
  return d;
}

/** Decode the L+X pair of an MLX bundle: movl, brl, break.x, nop.x. */
export function decodeLX(l: number, x: number): Insn {
  const d = decodeSlot('X', x);
  if (d.name === 'illegal') return d;
  const imm41 = BigInt(l);
  if (d.name === 'movl') {
    const i = BigInt(field(x, 36, 1));
    d.imm =
      (i << 63n) |
      (imm41 << 22n) |
      (BigInt(field(x, 21, 1)) << 21n) |
      (BigInt(field(x, 22, 5)) << 16n) |
      (BigInt(field(x, 27, 9)) << 7n) |
      BigInt(field(x, 13, 7));
  } else if (d.name.startsWith('brl')) {
    const imm60 = (BigInt(field(x, 36, 1)) << 59n) | ((imm41 >> 2n) << 20n) | BigInt(field(x, 13, 20));
    d.imm = BigInt.asIntN(60, imm60) << 4n;
  } else {
    // break.x / nop.x: imm62 = imm41 : i : imm20a (only the low 21 bits reach the break hook)
    d.a = (field(x, 36, 1) << 20) | field(x, 6, 20);
    d.imm = (imm41 << 21n) | BigInt(d.a);
  }
  return d;
}

const ILLEGAL_BUNDLE = (): DecodedBundle => {
  const d = new Insn(illegal);
  d.name = 'illegal';
  d.always = true;
  return { template: -1, insns: [d, null, null] };
};

export function decodeBundle(lo: bigint, hi: bigint): DecodedBundle {
  const { template, slots } = splitBundle(lo, hi);
  const t = TEMPLATES[template];
  if (!t) {
    const b = ILLEGAL_BUNDLE();
    b.template = template;
    b.insns[0]!.raw = slots[0];
    return b;
  }
  const insns: (Insn | null)[] = [null, null, null];
  for (let k = 0; k < 3; k++) {
    const u = t.units[k];
    if (u === 'L') insns[k] = decodeLX(slots[1], slots[2]);
    else if (u === 'X') insns[k] = null;
    else insns[k] = decodeSlot(u, slots[k]);
  }
  return { template, insns };
}
