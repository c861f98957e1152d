// The memory-map picture (`phantasm boot --memmap`, `phantasm inspect --memmap`): physical RAM by
// owner (the whole of it, and the first MiB enlarged below), a legend with sizes, and the 4 GiB
// virtual map twice: to scale, and one row per range with a log-scaled length so the small ranges
// stay readable. Hand-written SVG.
import type { MemoryMapReport, MemoryRange } from '../kernel/types.js';
import { document, element, rect, text } from './svg.js';
import { formatBytes, hexAddress } from './units.js';

export interface MemoryMapPictureOptions {
  title?: string;
  /** Extra lines under the object-space summary (e.g. pages stored on disk). */
  notes?: string[];
}

const PHYSICAL_COLOURS: Record<string, [string, string]> = {
  bios: ['#8d99ae', 'BIOS data area, I/O hole, ROM, reserved'],
  'low-free': ['#d8f3dc', 'free below 1 MiB'],
  vm86: ['#f4a261', 'vm86 monitor window and buffers'],
  'kernel-image': ['#e63946', 'kernel image (tables, entry stubs, stack)'],
  'page-tables': ['#9b5de5', 'kernel page tables'],
  'kernel-heap': ['#f9c74f', 'kernel heap'],
  'object-space': ['#2a9d8f', 'object-space pages (resident)'],
  free: ['#edf2f4', 'free'],
};

const VIRTUAL_COLOURS: Record<string, [string, string]> = {
  unmapped: ['#f4f4f4', 'unmapped'],
  'low-memory': ['#8d99ae', 'low memory (identity-mapped)'],
  'kernel-image': ['#e63946', 'kernel image'],
  'kernel-heap': ['#f9c74f', 'kernel heap'],
  device: ['#457b9d', 'device windows (aspace, uncached)'],
  guest: ['#2a9d8f', 'guest slots (object space)'],
  'persistent-heap': ['#90be6d', 'persistent heap (object space)'],
};

const WIDTH = 1000;
const LEFT = 40;
const BAR = 920;
const FIRST_MIB = 0x100000;
const FOUR_GIB = 2 ** 32;

/** A stable colour for an owner this file does not know yet. */
function colourOf(table: Record<string, [string, string]>, owner: string): string {
  const known = table[owner];
  if (known) return known[0];
  let h = 0;
  for (const c of owner) h = (h * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${h}, 55%, 60%)`;
}

function describe(table: Record<string, [string, string]>, owner: string): string {
  return table[owner]?.[1] ?? owner;
}

function tip(r: MemoryRange<string>): string {
  return `${r.owner}: ${hexAddress(r.start)} – ${hexAddress(r.end - 1)} (${formatBytes(r.end - r.start)})`;
}

/** Ranges drawn along a horizontal bar covering [from, to). */
function bar(
  ranges: MemoryRange<string>[],
  from: number,
  to: number,
  y: number,
  height: number,
  colours: Record<string, [string, string]>,
): string[] {
  const scale = BAR / (to - from);
  const out: string[] = [];
  for (const r of ranges) {
    const start = Math.max(r.start, from);
    const end = Math.min(r.end, to);
    if (end <= start) continue;
    const width = Math.max(0.5, (end - start) * scale);
    out.push(
      rect(LEFT + (start - from) * scale, y, width, height, { fill: colourOf(colours, r.owner) }, tip(r)),
    );
  }
  out.push(rect(LEFT, y, BAR, height, { fill: 'none', stroke: '#333' }));
  return out;
}

/** Tick marks and address labels under a bar. */
function ticks(
  addresses: number[],
  from: number,
  to: number,
  y: number,
  label: (a: number) => string,
): string[] {
  const scale = BAR / (to - from);
  return addresses.flatMap((a, i) => {
    const x = LEFT + (a - from) * scale;
    const anchor = i === 0 ? 'start' : i === addresses.length - 1 ? 'end' : 'middle';
    return [
      element('line', { x1: x, y1: y, x2: x, y2: y + 5, stroke: '#333' }),
      text(x, y + 17, label(a), { 'text-anchor': anchor, 'font-size': 11 }),
    ];
  });
}

/** Evenly spaced ticks at a round number of MiB, always including both ends. */
function mibTicks(total: number): number[] {
  const mib = total / FIRST_MIB;
  const step = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024].find((s) => mib / s <= 8) ?? 2048;
  const out: number[] = [];
  for (let m = 0; m < mib; m += step) out.push(m * FIRST_MIB);
  out.push(total);
  return out;
}

/** Legend rows: swatch, owner with its total size and share of the whole, description. */
function legend(
  ranges: MemoryRange<string>[],
  total: number,
  y: number,
  colours: Record<string, [string, string]>,
): { svg: string[]; height: number } {
  const sizes = new Map<string, number>();
  for (const r of ranges) sizes.set(r.owner, (sizes.get(r.owner) ?? 0) + (r.end - r.start));
  const svg: string[] = [];
  let row = 0;
  for (const [owner, size] of sizes) {
    const x = LEFT;
    const yy = y + row * 20;
    const share = ((size / total) * 100).toFixed(size / total < 0.01 ? 2 : 1);
    svg.push(
      element(
        'g',
        { 'data-owner': owner },
        rect(x, yy, 14, 14, { fill: colourOf(colours, owner), stroke: '#333' }) +
          text(x + 20, yy + 11, `${owner}: ${formatBytes(size)} (${share} %)`, { 'font-weight': 'bold' }) +
          text(x + 300, yy + 11, describe(colours, owner), { fill: '#555' }),
      ),
    );
    row++;
  }
  return { svg, height: row * 20 };
}

function physicalSection(report: MemoryMapReport, y: number): { svg: string[]; height: number } {
  const svg: string[] = [];
  const ram = report.ramBytes;
  svg.push(
    text(LEFT, y, `Physical memory: ${formatBytes(ram)} of RAM`, { 'font-size': 15, 'font-weight': 'bold' }),
  );
  if (ram === 0 || report.physical.length === 0) {
    svg.push(
      text(LEFT, y + 22, 'no RAM in use: the machine is not running (a disk at rest)', { fill: '#555' }),
    );
    return { svg, height: 40 };
  }
  const barY = y + 12;
  svg.push(...bar(report.physical, 0, ram, barY, 36, PHYSICAL_COLOURS));
  svg.push(...ticks(mibTicks(ram), 0, ram, barY + 36, (a) => formatBytes(a)));
  // the first MiB, enlarged, with a funnel from its sliver of the full bar
  const zoomY = barY + 90;
  const sliver = LEFT + (Math.min(FIRST_MIB, ram) / ram) * BAR;
  svg.push(
    element('polygon', {
      points: `${LEFT},${barY + 36} ${sliver},${barY + 36} ${LEFT + BAR},${zoomY} ${LEFT},${zoomY}`,
      fill: '#000',
      'fill-opacity': 0.06,
    }),
  );
  svg.push(text(LEFT + BAR, zoomY - 6, 'first MiB, enlarged', { 'text-anchor': 'end', fill: '#555' }));
  const end = Math.min(FIRST_MIB, ram);
  svg.push(...bar(report.physical, 0, end, zoomY, 30, PHYSICAL_COLOURS));
  const lowTicks = [0, 0x20000, 0x40000, 0x60000, 0x80000, 0xa0000, 0xc0000, 0xe0000, end].filter(
    (a) => a <= end,
  );
  svg.push(...ticks([...new Set(lowTicks)], 0, end, zoomY + 30, (a) => `0x${a.toString(16)}`));
  const key = legend(report.physical, ram, zoomY + 60, PHYSICAL_COLOURS);
  svg.push(...key.svg);
  return { svg, height: zoomY + 60 + key.height - y };
}

function virtualSection(report: MemoryMapReport, y: number): { svg: string[]; height: number } {
  const svg: string[] = [];
  svg.push(text(LEFT, y, 'Virtual address space: 4 GiB (IA-32)', { 'font-size': 15, 'font-weight': 'bold' }));
  const barY = y + 12;
  svg.push(...bar(report.virtual, 0, FOUR_GIB, barY, 30, VIRTUAL_COLOURS));
  svg.push(
    ...ticks([0, 2 ** 30, 2 ** 31, 3 * 2 ** 30, FOUR_GIB], 0, FOUR_GIB, barY + 30, (a) => hexAddress(a)),
  );
  // one row per range, length log-scaled: 4 KiB → 24 px, 4 GiB → 360 px
  let rowY = barY + 80;
  svg.push(text(LEFT, rowY - 8, 'each range (bar length log-scaled by size):', { fill: '#555' }));
  for (const r of report.virtual) {
    const size = r.end - r.start;
    const length = 24 + (336 * Math.max(0, Math.log2(size / 4096))) / 20;
    svg.push(
      element(
        'g',
        { 'data-use': r.owner },
        rect(LEFT, rowY, length, 14, { fill: colourOf(VIRTUAL_COLOURS, r.owner), stroke: '#333' }, tip(r)) +
          text(LEFT + 370, rowY + 11, `${hexAddress(r.start)} – ${hexAddress(r.end - 1)}`, {
            'font-family': 'monospace',
          }) +
          text(LEFT + 590, rowY + 11, `${formatBytes(size)}`) +
          text(LEFT + 670, rowY + 11, describe(VIRTUAL_COLOURS, r.owner), { fill: '#333' }),
      ),
    );
    rowY += 18;
  }
  return { svg, height: rowY - y };
}

function objectSpaceSection(
  report: MemoryMapReport,
  y: number,
  notes: string[],
): { svg: string[]; height: number } {
  const o = report.objectSpace;
  const lines = [
    `Object space: ${o.pages} pages (${formatBytes(o.pages * 4096)}); resident ${o.residentPages} pages ` +
      `(${formatBytes(o.residentPages * 4096)}), dirty ${o.dirtyPages} pages`,
    ...notes,
  ];
  const svg = lines.map((line, i) =>
    text(LEFT, y + i * 18, line, i === 0 ? { 'font-size': 14, 'font-weight': 'bold' } : { fill: '#333' }),
  );
  return { svg, height: lines.length * 18 };
}

/** The whole picture as SVG text. */
export function renderMemoryMapSvg(report: MemoryMapReport, options: MemoryMapPictureOptions = {}): string {
  const sections = [
    (y: number) => physicalSection(report, y),
    (y: number) => virtualSection(report, y),
    (y: number) => objectSpaceSection(report, y, options.notes ?? []),
  ];
  const body: string[] = [];
  let y = 28;
  body.push(
    text(LEFT, y, options.title ?? 'Phantasm memory map', { 'font-size': 18, 'font-weight': 'bold' }),
  );
  y += 34;
  for (const section of sections) {
    const placed = section(y);
    body.push(...placed.svg);
    y += placed.height + 36;
  }
  return document(WIDTH, y, [rect(0, 0, WIDTH, y, { fill: '#fff' }), ...body]);
}
