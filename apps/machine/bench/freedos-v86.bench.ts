// Power-on to the FreeDOS A:\> prompt: our PC board (cpu-ia32 with the block compiler on, and
// off for comparison) against v86 (the npm devDependency: its wasm interpreter and x86-to-wasm
// JIT) booting the same floppy image with the same SeaBIOS and SeaVGABIOS, in the same run.
// Wall time cold (first boot in the process) and warm (best of the next three boots), from the
// constructor call to the moment the prompt's last character is written to the text screen, for
// both. v86 is driven through its public API only: its "screen-put-char" event (emitted as the guest
// writes a character, with its row, column and code) shows the prompt when it appears —
// wait_until_vga_screen_contains polls only every 100 ms, too coarse for a boot of under a second.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import { PcBoard } from '../src/boards/pc/pc-board.js';
import { DiskImage } from '../src/devices/disk-image.js';

const FREEDOS = 'images/freedos722.img';
const SEABIOS = '/usr/share/seabios/bios.bin';
// stdvga: the VGA BIOS both emulators run (v86 shows nothing under vgabios-isavga: its BIOS never prints).
const SEAVGABIOS = '/usr/share/seabios/vgabios-stdvga.bin';
const PROMPT = 'A:\\>';
const BOOTS = 4;
const TIMEOUT_MS = Number(process.env.V86_TIMEOUT_MS ?? 60_000); // the first is cold, the best of the other three is "warm"

const image = findShared(FREEDOS);
if (!image) {
  console.log(`skipped: ${missingMessage(FREEDOS)}`);
  process.exit(0);
}
if (!existsSync(SEABIOS) || !existsSync(SEAVGABIOS)) {
  console.log(`skipped: ${SEABIOS} / ${SEAVGABIOS} not installed`);
  process.exit(0);
}
const imageBytes = new Uint8Array(readFileSync(image));
const bios = new Uint8Array(readFileSync(SEABIOS));
const vgaRom = new Uint8Array(readFileSync(SEAVGABIOS));

interface Boot {
  ms: number;
  instructions: number;
  reached: boolean;
}

/** One power-on to the prompt on our board; `jit` is PHANTASM_IA32_JIT for the CPU it builds. */
function oursOnce(jit: string, seabios: boolean): Boot {
  const saved = process.env.PHANTASM_IA32_JIT;
  process.env.PHANTASM_IA32_JIT = jit;
  const t0 = performance.now();
  let board: PcBoard;
  try {
    const floppyA = DiskImage.floppy(imageBytes.slice());
    board = new PcBoard(seabios ? { floppyA, bios, vgaRom } : { floppyA });
  } finally {
    if (saved === undefined) delete process.env.PHANTASM_IA32_JIT;
    else process.env.PHANTASM_IA32_JIT = saved;
  }
  const r = board.run({ untilScreen: PROMPT, maxInstructions: 100_000_000, timeoutMs: 120_000 });
  return { ms: performance.now() - t0, instructions: r.instructions, reached: r.stop === 'screen' };
}

interface V86Emulator {
  add_listener(event: 'screen-put-char', listener: (args: [number, number, number]) => void): void;
  get_instruction_counter(): number;
  destroy(): Promise<void>;
}
type V86Constructor = new (options: Record<string, unknown>) => V86Emulator;

async function loadV86(): Promise<{ V86: V86Constructor; wasmPath: string }> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('v86');
  const wasmPath = join(dirname(entry), 'v86.wasm');
  const spec = 'v86';
  const mod = (await import(spec)) as { V86?: V86Constructor; default?: { V86?: V86Constructor } };
  const V86 = mod.V86 ?? mod.default?.V86;
  if (!V86) throw new Error('v86 module has no V86 export');
  return { V86, wasmPath };
}

/** One v86 power-on (constructor call) to the prompt on its text screen. */
function v86Once(V86: V86Constructor, wasmPath: string): Promise<Boot> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let done = false;
    const emulator = new V86({
      wasm_path: wasmPath,
      bios: { buffer: bios.slice().buffer },
      vga_bios: { buffer: vgaRom.slice().buffer },
      fda: { buffer: imageBytes.slice().buffer },
      memory_size: 32 * 1024 * 1024,
      vga_memory_size: 2 * 1024 * 1024,
      autostart: true,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      log_level: 0,
      screen_dummy: true,
    });
    const finish = (reached: boolean) => {
      if (done) return;
      done = true;
      const boot = { ms: performance.now() - t0, instructions: emulator.get_instruction_counter(), reached };
      const grace = new Promise((r) => setTimeout(r, 2000).unref());
      void Promise.race([emulator.destroy().catch(() => undefined), grace]).then(() => resolve(boot));
    };
    // The text screen as the guest writes it (row, column, character code), from v86's events.
    const rows = Array.from({ length: 50 }, () => new Uint8Array(132));
    emulator.add_listener('screen-put-char', ([row, col, chr]) => {
      if (done || row >= rows.length || col >= 132) return;
      rows[row][col] = chr;
      if (
        col === PROMPT.length - 1 &&
        String.fromCharCode(...rows[row].subarray(0, PROMPT.length)) === PROMPT
      )
        finish(true);
    });
    setTimeout(() => finish(false), TIMEOUT_MS).unref();
  });
}

function summary(boots: Boot[]) {
  const cold = boots[0];
  const warm = boots.length > 1 ? Math.min(...boots.slice(1).map((b) => b.ms)) : cold.ms;
  return { cold, warm, reached: boots.every((b) => b.reached) };
}

const rows: { name: string; s: ReturnType<typeof summary> | undefined; note?: string }[] = [];
for (const [name, jit, seabios] of [
  ['ours, compiler on (default threshold 2000), SeaBIOS', '2000', true],
  ['ours, compiler off, SeaBIOS', 'off', true],
  ['ours, compiler on (default threshold 2000), built-in BIOS', '2000', false],
  ['ours, compiler off, built-in BIOS', 'off', false],
] as const) {
  const boots: Boot[] = [];
  for (let i = 0; i < BOOTS; i++) boots.push(oursOnce(jit, seabios));
  rows.push({ name, s: summary(boots) });
}
try {
  const { V86, wasmPath } = await loadV86();
  const boots: Boot[] = [];
  // A boot that does not reach the prompt is reported as such (no retries to the timeout).
  for (let i = 0; i < BOOTS && (i === 0 || boots[0].reached); i++) boots.push(await v86Once(V86, wasmPath));
  rows.push({ name: 'v86 0.5.462 (wasm + JIT), SeaBIOS', s: summary(boots) });
} catch (e) {
  rows.push({
    name: 'v86',
    s: undefined,
    note: `unavailable: ${e instanceof Error ? e.message : String(e)}`,
  });
}

const v86 = rows[rows.length - 1].s;
console.log('power-on → FreeDOS A:\\> prompt (the same freedos722.img; SeaBIOS + SeaVGABIOS from Debian)');
console.log(
  `${'system'.padEnd(50)}${'reached'.padEnd(9)}${'instructions'.padStart(13)}${'cold s'.padStart(8)}` +
    `${'warm s'.padStart(8)}${'warm: v86 time / ours'.padStart(23)}`,
);
for (const { name, s, note } of rows) {
  if (!s) {
    console.log(`${name.padEnd(50)}${note}`);
    continue;
  }
  const ratio = v86?.reached && s !== v86 ? (v86.warm / s.warm).toFixed(2) : '-';
  console.log(
    `${name.padEnd(50)}${(s.reached ? 'yes' : 'NO').padEnd(9)}${String(s.cold.instructions).padStart(13)}` +
      `${(s.cold.ms / 1000).toFixed(2).padStart(8)}${(s.warm / 1000).toFixed(2).padStart(8)}${ratio.padStart(23)}`,
  );
}
console.log(
  '\nv86 counts its instructions its own way (its counter includes SeaBIOS POST under its devices);\n' +
    'wall time from the constructor call to the prompt written on the text screen, for both.\n' +
    `host load: ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
);
