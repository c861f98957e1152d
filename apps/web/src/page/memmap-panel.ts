// The Phantasm system's memory map, live: physical RAM by owner (physalloc arenas, kernel image,
// page tables, kernel heap, object-space frames), the virtual ranges (kernel heap, aspace device
// windows, object space), vm-map's page and block counters, and the machine's own SVG picture.
import type { MemoryMapMessage } from '../protocol.js';

const KIB = 1024;

export function formatSize(bytes: number): string {
  if (bytes >= KIB * KIB * KIB) return `${(bytes / KIB ** 3).toFixed(2)} GiB`;
  if (bytes >= KIB * KIB) return `${(bytes / KIB ** 2).toFixed(1)} MiB`;
  return `${(bytes / KIB).toFixed(0)} KiB`;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function table(title: string, rows: [string, string, string?][]): string {
  const body = rows
    .map(
      ([a, b, c]) =>
        `<tr><th>${escapeHtml(a)}</th><td>${escapeHtml(b)}</td>${c !== undefined ? `<td>${escapeHtml(c)}</td>` : ''}</tr>`,
    )
    .join('');
  return `<table><caption>${escapeHtml(title)}</caption>${body}</table>`;
}

/** The panel's HTML for one report (tables first, then the picture). */
export function memoryMapHtml(message: MemoryMapMessage): string {
  const { report, space } = message;
  const byOwner = new Map<string, number>();
  for (const r of report.physical) byOwner.set(r.owner, (byOwner.get(r.owner) ?? 0) + (r.end - r.start));
  const physical = [...byOwner].map(([owner, bytes]): [string, string] => [owner, formatSize(bytes)]);
  const virtual = report.virtual
    .filter((r) => r.owner !== 'unmapped')
    .map((r): [string, string, string] => [
      r.owner,
      `${hex(r.start)} – ${hex(r.end)}`,
      formatSize(r.end - r.start),
    ]);
  const pages = (n: number) => `${n.toLocaleString('en')} pages`;
  const objects: [string, string][] = [
    ['resident', pages(space.residentPages)],
    ['dirty', pages(space.dirtyPages)],
    ['in the space', pages(space.pages)],
    [
      'blocks on disk',
      `${space.usedBlocks.toLocaleString('en')} of ${space.deviceBlocks.toLocaleString('en')}`,
    ],
    ['paged in / out', `${space.pageIns.toLocaleString('en')} / ${space.pageOuts.toLocaleString('en')}`],
    ['copied during a snapshot', pages(space.cowCopies)],
    ['snapshots (this boot)', String(space.snapshots)],
    ['generation on disk', String(space.generation)],
  ];
  return [
    '<div class="tables">',
    table(`physical RAM (${formatSize(report.ramBytes)})`, physical),
    table('virtual ranges', virtual),
    table('object space (vm-map)', objects),
    '</div>',
    message.svg,
  ].join('');
}
