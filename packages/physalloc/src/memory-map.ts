// From an E820-style memory map and reserved ranges to the frames an allocator may hand out.
import { InvalidRequestError } from './errors.js';

export type MemoryType = 'usable' | 'reserved' | 'acpi-reclaimable' | 'acpi-nvs' | 'unusable';

export interface MemoryMapEntry {
  base: number;
  length: number;
  type: MemoryType;
}

/** A byte range the allocator must never hand out (BIOS data, the kernel image, ...). */
export interface ReservedRange {
  base: number;
  length: number;
  label?: string;
}

/** The BIOS E820 type codes (INT 15h, AX=E820h). */
export const E820_TYPES: Readonly<Record<number, MemoryType>> = {
  1: 'usable',
  2: 'reserved',
  3: 'acpi-reclaimable',
  4: 'acpi-nvs',
  5: 'unusable',
};

/** Ranges reserved on every PC: the BIOS data area and the 640 KiB - 1 MiB I/O and ROM hole. */
export const PC_RESERVED: readonly ReservedRange[] = [
  { base: 0, length: 0x500, label: 'BIOS data area' },
  { base: 0xa0000, length: 0x60000, label: 'I/O and ROM hole' },
];

/** IA-32 without PAE addresses 4 GiB: frames at and above this are ignored. */
export const MAX_FRAME = 2 ** 20;
const PAGE = 4096;

export class MemoryMapError extends InvalidRequestError {
  override name = 'MemoryMapError';
}

/** Converts raw E820 records (numeric types) to entries; unknown types count as reserved, as BIOSes expect. */
export function fromE820(
  records: ReadonlyArray<{ base: number; length: number; type: number }>,
): MemoryMapEntry[] {
  return records.map((r) => ({ base: r.base, length: r.length, type: E820_TYPES[r.type] ?? 'reserved' }));
}

type Interval = [number, number];

/**
 * Sorted, disjoint [firstFrame, endFrame) ranges of frames that lie wholly inside usable RAM and
 * touch no non-usable entry and no reserved range. Where entries overlap, non-usable wins.
 */
export function usableFrames(map: readonly MemoryMapEntry[], reserved: readonly ReservedRange[]): Interval[] {
  const usable: Interval[] = [];
  const blocked: Interval[] = [];
  for (const entry of map) {
    checkRange(entry.base, entry.length, `memory map entry (${entry.type})`);
    if (!(entry.type in TYPE_NAMES)) throw new MemoryMapError(`unknown memory type: ${String(entry.type)}`);
    const end = entry.base + entry.length;
    if (entry.type === 'usable') usable.push([Math.ceil(entry.base / PAGE), Math.floor(end / PAGE)]);
    else blocked.push([Math.floor(entry.base / PAGE), Math.ceil(end / PAGE)]);
  }
  for (const r of reserved) {
    checkRange(r.base, r.length, `reserved range ${r.label ?? ''}`);
    blocked.push([Math.floor(r.base / PAGE), Math.ceil((r.base + r.length) / PAGE)]);
  }
  return subtract(merge(usable), merge(blocked))
    .map(([s, e]): Interval => [s, Math.min(e, MAX_FRAME)])
    .filter(([s, e]) => s < e);
}

const TYPE_NAMES: Record<MemoryType, true> = {
  usable: true,
  reserved: true,
  'acpi-reclaimable': true,
  'acpi-nvs': true,
  unusable: true,
};

function checkRange(base: number, length: number, what: string): void {
  if (!Number.isSafeInteger(base) || base < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new MemoryMapError(`${what}: base ${base} and length ${length} must be non-negative integers`);
  }
}

function merge(list: Interval[]): Interval[] {
  const sorted = list.filter(([s, e]) => s < e).sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** a minus b, both sorted and disjoint. */
function subtract(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const [start, end] of a) {
    let s = start;
    while (j < b.length && b[j][1] <= s) j++;
    let k = j;
    while (s < end) {
      if (k >= b.length || b[k][0] >= end) {
        out.push([s, end]);
        break;
      }
      if (b[k][0] > s) out.push([s, b[k][0]]);
      s = Math.max(s, b[k][1]);
      k++;
    }
  }
  return out;
}
