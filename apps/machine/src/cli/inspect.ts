// `phantasm inspect FILE [--json] [--memmap FILE.svg]`: a Phantasm disk at rest, a `phantasm pc
// --state` file or a portable machine state (--save-state), in words or JSON. Exit 0 when fsck finds
// it clean (a portable state: when its checksum and manifest are sound), 1 when it finds errors or
// the file is none of these, 2 when nothing on it can be trusted.
import { writeFileSync } from 'node:fs';
import { atRestMemoryMap } from '../render/at-rest-map.js';
import { renderMemoryMapSvg } from '../render/memmap-svg.js';
import { formatBytes, hexAddress } from '../render/units.js';
import type { InspectArgs } from './args.js';
import {
  type DiskReport,
  type GuestReport,
  type MachineReport,
  type PortableStateReport,
  readInspectReport,
} from './disk-report.js';
import { EXIT } from './errors.js';
import { progress } from './progress.js';

function guestLine(g: GuestReport): string {
  const end =
    g.status === 'exited'
      ? `exit status ${g.exitStatus ?? 0}`
      : g.status === 'killed'
        ? `killed: ${g.killedFor ?? 'no reason saved'}`
        : '';
  const program = g.arg ? `${g.program} ${JSON.stringify(g.arg)}` : g.program;
  return `  ${String(g.tid).padEnd(5)}${program.padEnd(16)}${g.status.padEnd(10)}${hexAddress(g.pc)}  ${end}`.trimEnd();
}

export function formatDiskReport(r: DiskReport): string[] {
  const lines = [`disk ${r.path}: ${formatBytes(r.fileBytes)}`];
  for (const s of r.slots) {
    lines.push(
      s.problem !== undefined
        ? `superblock slot ${s.slot}: unusable (${s.problem})`
        : `superblock slot ${s.slot}: generation ${s.generation}, committed ${s.committedAt}, ` +
            `${s.pageCount} pages at ${hexAddress(s.baseAddress ?? 0)}`,
    );
  }
  const snap = r.snapshot;
  lines.push(
    `resumes from: generation ${snap.generation}, committed ${snap.committedAt}` +
      (snap.fellBack ? ` (fell back: ${snap.problems.join('; ')})` : ''),
  );
  lines.push(
    `fsck: ${r.fsck.clean ? 'clean' : `${r.fsck.errors.length} error(s)`}` +
      (r.fsck.warnings.length > 0 ? `, ${r.fsck.warnings.length} warning(s)` : ''),
  );
  for (const e of r.fsck.errors) lines.push(`  error: ${e}`);
  for (const w of r.fsck.warnings) lines.push(`  warning: ${w}`);
  const o = r.objectSpace;
  if (r.machine) {
    const ram = r.machine.memoryMiB * 256;
    lines.push(
      `pages: ${o.pages} (${formatBytes(o.pages * 4096)}): guest RAM pages 0–${ram - 1}, then the disks; ` +
        `${o.storedPages} stored (${formatBytes(o.storedPages * 4096)}), the rest zero`,
    );
    lines.push(...formatMachine(r.machine));
    return lines;
  }
  lines.push(
    `object space: ${hexAddress(o.base)} – ${hexAddress(o.base + o.pages * 4096 - 1)}, ${o.pages} pages ` +
      `(${formatBytes(o.pages * 4096)}); ${o.storedPages} pages on disk (${formatBytes(o.storedPages * 4096)}); ` +
      'resident 0, dirty 0 (a disk at rest has nothing in RAM)',
  );
  if (!r.kernel) {
    lines.push('kernel state: none yet (a fresh disk: the next boot starts the initial guests)');
    return lines;
  }
  const k = r.kernel;
  lines.push(
    `kernel state: uptime ${(k.uptimeNs / 1e9).toFixed(2)} s, next tid ${k.nextTid}, ` +
      `persistent heap ${hexAddress(k.heap.base)} + ${formatBytes(k.heap.capacity)}`,
  );
  lines.push(`guests: ${r.guests.length}`);
  if (r.guests.length > 0) lines.push(`  ${'tid'.padEnd(5)}${'program'.padEnd(16)}${'status'.padEnd(10)}pc`);
  for (const g of r.guests) lines.push(guestLine(g));
  return lines;
}

export function formatMachine(m: MachineReport): string[] {
  const lines = [
    `machine: PC, ${m.memoryMiB} MiB RAM, firmware ${formatBytes(m.firmwareBytes)}` +
      (m.vgaRomBytes !== undefined ? `, VGA option ROM ${formatBytes(m.vgaRomBytes)}` : ''),
    `state: format ${m.formatVersion}, ${m.kind === 'portable' ? 'portable (RAM and disks inside)' : 'snapshot (RAM and disks in the pages)'}, ` +
      `saved ${m.savedAt} by ${m.producer}`,
    `run: instruction ${m.instructions}, ${m.virtualSeconds.toFixed(2)} s virtual`,
  ];
  for (const d of m.disks) {
    lines.push(
      `disk ${d.slot}: ${d.kind}, ${formatBytes(d.bytes)}` +
        (d.firstPage !== undefined ? ` at page ${d.firstPage}` : ''),
    );
  }
  lines.push(`devices: ${m.devices.map((d) => `${d.name} v${d.version}`).join(', ')}`);
  lines.push('screen:');
  for (const line of m.screen) lines.push(`  | ${line}`.trimEnd());
  return lines;
}

function formatPortable(r: PortableStateReport): string[] {
  return [
    `machine state ${r.path}: ${formatBytes(r.fileBytes)}, checksum sound`,
    ...formatMachine(r.machine),
  ];
}

function writeMemmap(path: string, r: DiskReport): void {
  const notes = [
    `${r.objectSpace.storedPages} pages stored on disk (generation ${r.snapshot.generation})`,
    'At rest: no RAM in use, nothing resident or dirty; the kernel heap and device windows are shown at their reserved extent.',
    ...(r.guests.length > 0
      ? [`Guests: ${r.guests.map((g) => `${g.program} (tid ${g.tid}, ${g.status})`).join(', ')}`]
      : []),
  ];
  const svg = renderMemoryMapSvg(atRestMemoryMap(r.objectSpace.pages), {
    title: `Phantasm disk at rest: ${r.path}`,
    notes,
  });
  writeFileSync(path, svg);
  progress(`memory map written to ${path}`);
}

export function inspectCommand(args: InspectArgs): number {
  const report = readInspectReport(args.disk);
  if ('format' in report) {
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${formatPortable(report).join('\n')}\n`);
    if (args.memmap)
      progress('--memmap: a portable machine state has no object space to draw; no map written');
    return EXIT.ok;
  }
  if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${formatDiskReport(report).join('\n')}\n`);
  if (args.memmap && report.machine)
    progress(
      '--memmap: a phantasm pc --state file holds a PC, not the Phantasm object space; no map written',
    );
  else if (args.memmap) writeMemmap(args.memmap, report);
  return report.fsck.clean ? EXIT.ok : EXIT.failure;
}
