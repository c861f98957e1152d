// Machine state of the PC board (`phantasm pc --state`) on FreeDOS, built-in BIOS:
//  - snapshot pause (guest stopped: page compare and copy) and pause-to-durable commit (walk in
//    slices between guest slices, two fsyncs) for a 32 MiB and a 512 MiB guest while it runs;
//  - state bytes each snapshot adds to FILE against the RAM pages dirtied since the previous one;
//  - time from opening FILE to a resumed machine that has run its first slice;
//  - reference: v86's save_state/restore_state (its public API) on FreeDOS, SeaBIOS, 32 MiB, in the
//    same run (skipped with the reason when v86 or SeaBIOS is absent).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import { PcBoard } from '../src/boards/pc/pc-board.js';
import { DiskImage } from '../src/devices/disk-image.js';
import { type CommitReport, PersistentPc } from '../src/persist/persistent-pc.js';

const FREEDOS = 'images/freedos722.img';
const image = findShared(FREEDOS);
if (!image) {
  console.log(`skipped: ${missingMessage(FREEDOS)}`);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'phantasm-state-bench-'));
const SLICE_MS = 50;
const DIRTY = [0, 16, 256, 4096];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Dirty `pages` RAM pages above 16 MiB (which FreeDOS leaves alone) with fresh bytes. */
function dirty(board: PcBoard, pages: number, round: number): void {
  const ram = board.memory.ram;
  const first = (16 << 20) / 4096;
  for (let p = 0; p < pages; p++) {
    const at = (first + p) * 4096;
    if (at + 4096 > ram.length) break;
    ram.fill((round * 31 + p) & 0xff, at, at + 4096);
  }
}

/** One snapshot while the guest runs: begin, then walk between SLICE_MS guest slices until durable. */
function snapshotWhileRunning(pc: PersistentPc): CommitReport {
  pc.beginSnapshot();
  for (;;) {
    pc.board.run({ timeoutMs: SLICE_MS });
    const done = pc.stepSnapshot(16_384);
    if (done) return done;
  }
}

interface SizeRow {
  memoryMiB: number;
  pauseMs: number;
  commitMs: number;
  resumeMs: number;
  growth: { dirtied: number; ramPages: number; bytes: number; pauseMs: number; commitMs: number }[];
}

function measure(memoryMiB: number): SizeRow {
  const file = join(dir, `pc-${memoryMiB}.state`);
  const pc = PersistentPc.open(file, {
    create: () => new PcBoard({ memoryMiB, floppyA: DiskImage.floppy(new Uint8Array(readFileSync(image!))) }),
  });
  const boot = pc.board.run({ untilScreen: 'A:\\>', maxInstructions: 200_000_000, timeoutMs: 60_000 });
  if (boot.stop !== 'screen') throw new Error(`${memoryMiB} MiB: FreeDOS did not reach its prompt`);
  snapshotWhileRunning(pc); // the boot's pages
  const plain: CommitReport[] = [];
  for (let i = 0; i < 5; i++) {
    pc.board.run({ timeoutMs: 200 });
    plain.push(snapshotWhileRunning(pc));
  }
  const growth: SizeRow['growth'] = [];
  for (const [round, pages] of DIRTY.entries()) {
    pc.board.run({ timeoutMs: 100 });
    dirty(pc.board, pages, round + 1);
    const r = snapshotWhileRunning(pc);
    // blocks written by this snapshot: pages plus page lists, client state and bitmap (FILE reuses
    // the blocks freed two generations back, so its size says less)
    const bytes = (r.result.pagesWritten + r.result.metadataBlocks) * 4096;
    growth.push({ dirtied: pages, ramPages: r.ramPages, bytes, pauseMs: r.pauseMs, commitMs: r.commitMs });
  }
  pc.close();
  // start to a resumed running machine: open FILE, run a first slice of 100,000 instructions
  const resumes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const again = PersistentPc.open(file, {
      create: () => {
        throw new Error('no machine');
      },
    });
    again.board.run({ maxInstructions: again.board.cpu.instructions + 100_000 });
    resumes.push(performance.now() - t0);
    again.close();
  }
  return {
    memoryMiB,
    pauseMs: median(plain.map((r) => r.pauseMs)),
    commitMs: median(plain.map((r) => r.commitMs)),
    resumeMs: median(resumes),
    growth,
  };
}

interface V86Row {
  saveMs: number;
  restoreMs: number;
  bytes: number;
}

/** v86 boots FreeDOS with SeaBIOS to its prompt, then save_state and restore_state, best of 3. */
async function v86Reference(): Promise<V86Row | string> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('v86');
  } catch {
    return 'v86 package not installed';
  }
  const wasm = join(dirname(entry), 'v86.wasm');
  const bios = '/usr/share/seabios/bios.bin';
  const vga = ['/usr/share/seabios/vgabios-stdvga.bin', '/usr/share/seabios/vgabios-isavga.bin'].find(
    existsSync,
  );
  if (!existsSync(wasm)) return `no ${wasm}`;
  if (!existsSync(bios) || !vga) return 'no SeaBIOS images in /usr/share/seabios';
  const spec = 'v86';
  const mod = (await import(spec)) as {
    V86?: new (o: object) => V86;
    default?: { V86?: new (o: object) => V86 };
  };
  const V86 = mod.V86 ?? mod.default?.V86;
  if (!V86) return 'v86 module has no V86 export';
  const buffer = (path: string) => new Uint8Array(readFileSync(path)).buffer;
  const emulator = new V86({
    wasm_path: wasm,
    bios: { buffer: buffer(bios) },
    vga_bios: { buffer: buffer(vga) },
    fda: { buffer: buffer(image!) },
    memory_size: 32 << 20,
    vga_memory_size: 2 << 20,
    autostart: true,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
    log_level: 0,
  });
  try {
    const rows: string[][] = Array.from({ length: 25 }, () => Array(80).fill(' '));
    const prompt = new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), 60_000);
      emulator.add_listener('screen-put-char', ([row, col, chr]: [number, number, number]) => {
        if (row < 25 && col < 80) rows[row][col] = String.fromCharCode(chr);
        if (chr === 0x3e && rows[row].join('').includes('A:\\>')) {
          clearTimeout(timer);
          done(true);
        }
      });
    });
    if (!(await prompt)) return 'v86: no A:\\> prompt within 60 s';
    await new Promise((r) => setTimeout(r, 500));
    let best: V86Row | undefined;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const state = await emulator.save_state();
      const t1 = performance.now();
      await emulator.restore_state(state);
      const t2 = performance.now();
      const row = { saveMs: t1 - t0, restoreMs: t2 - t1, bytes: state.byteLength };
      if (!best || row.saveMs + row.restoreMs < best.saveMs + best.restoreMs) best = row;
    }
    return best!;
  } finally {
    await Promise.race([emulator.destroy().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
  }
}

interface V86 {
  add_listener(event: 'screen-put-char', listener: (args: [number, number, number]) => void): void;
  save_state(): Promise<ArrayBuffer>;
  restore_state(state: ArrayBuffer): Promise<void>;
  destroy(): Promise<void>;
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
try {
  const rows = [measure(32), measure(512)];
  console.log(
    'phantasm pc --state, FreeDOS at its prompt (built-in BIOS), median of 5 snapshots while it runs',
  );
  console.log('RAM      pause      pause→durable   start→resumed, running');
  for (const r of rows) {
    console.log(
      `${`${r.memoryMiB} MiB`.padEnd(9)}${`${r.pauseMs.toFixed(1)} ms`.padEnd(11)}${`${r.commitMs.toFixed(1)} ms`.padEnd(16)}${r.resumeMs.toFixed(0)} ms`,
    );
  }
  console.log('\nstate bytes per snapshot against RAM pages dirtied since the previous one');
  console.log('RAM      dirtied  RAM pages changed  data written  pause      pause→durable');
  for (const r of rows) {
    for (const g of r.growth) {
      console.log(
        `${`${r.memoryMiB} MiB`.padEnd(9)}${String(g.dirtied).padEnd(9)}${String(g.ramPages).padEnd(19)}` +
          `${kib(g.bytes).padEnd(14)}${`${g.pauseMs.toFixed(1)} ms`.padEnd(11)}${g.commitMs.toFixed(1)} ms`,
      );
    }
  }
  const v = await v86Reference();
  console.log(
    '\nreference: v86 save_state/restore_state, FreeDOS at its prompt, SeaBIOS, 32 MiB (best of 3)',
  );
  if (typeof v === 'string') console.log(`skipped: ${v}`);
  else
    console.log(
      `save_state ${v.saveMs.toFixed(1)} ms, restore_state ${v.restoreMs.toFixed(1)} ms, state ${kib(v.bytes)} (whole machine each time)`,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
