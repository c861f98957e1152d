// Reference for cpu.bench.ts: the `v86` npm package (its wasm interpreter plus its x86-to-wasm
// JIT, which compiles hot code) running the same workload bytes (bench/programs/*.bin) as ours.
//
// v86 boots SeaBIOS (Debian's /usr/share/seabios images; v86's npm package ships no BIOS) from a
// floppy whose boot sector is bench/v86/boot-{real,paged}.bin (nasm sources beside them): it
// sets up the mode (for "paged": flat ring-0 protected mode with the first 8 MiB identity-mapped
// through 4 KiB pages, like cpu.bench.ts) and copies the payload built here to 0x10000, where
// ours runs it too. The payload writes 'S' to COM1, runs the workload (its final HLT dropped),
// writes 'E', and repeats three times. v86 reports each COM1 byte synchronously through its
// "serial0-output-byte" event, where we read the wall clock and v86's own guest instruction
// counter (`get_instruction_counter()`, public API). Only v86's public API is used.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The part of v86's API used here (declared locally so the bench typechecks without v86). */
interface V86Emulator {
  add_listener(event: 'serial0-output-byte', listener: (byte: number) => void): void;
  get_instruction_counter(): number;
  destroy(): Promise<void>;
}
type V86Constructor = new (options: Record<string, unknown>) => V86Emulator;

export interface V86Measurement {
  /** Guest instructions counted by v86 in the fastest repetition. */
  instructions: number;
  seconds: number;
}

export interface V86Reference {
  /** Runs one workload; rejects with a short reason if v86 fails. */
  measure(mode: 'real' | 'paged', workload: Uint8Array): Promise<V86Measurement>;
}

const REPS = 3;
const TIMEOUT_MS = 120_000;
const here = import.meta.dirname;

function firstExisting(paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

/** Payload: 'S' to COM1, the workload without its trailing HLT, 'E' to COM1, repeat loop. */
function payload(mode: 'real' | 'paged', workload: Uint8Array): Uint8Array {
  if (workload[workload.length - 1] !== 0xf4) throw new Error('workload does not end in HLT');
  const body = workload.subarray(0, workload.length - 1);
  const bits32 = mode === 'paged';
  const movDx = bits32 ? [0xba, 0xf8, 0x03, 0x00, 0x00] : [0xba, 0xf8, 0x03]; // mov (e)dx, 3f8h
  const start = [...movDx, 0xb0, 0x53, 0xee]; // mov al, 'S'; out dx, al
  const end = [...movDx, 0xb0, 0x45, 0xee, 0x59, 0x49, 0x51]; // 'E'; pop (e)cx; dec; push
  const jnzLen = bits32 ? 6 : 4; // jnz rel32 / rel16 back to the start of the payload
  const jnzEnd = start.length + body.length + end.length + jnzLen;
  const rel = -jnzEnd;
  const jnz = bits32
    ? [0x0f, 0x85, rel & 0xff, (rel >> 8) & 0xff, (rel >> 16) & 0xff, (rel >>> 24) & 0xff]
    : [0x0f, 0x85, rel & 0xff, (rel >> 8) & 0xff];
  const stop = [0xfa, 0xf4, 0xeb, 0xfd]; // cli; hlt; jmp back to the hlt
  const out = new Uint8Array([...start, ...body, ...end, ...jnz, ...stop]);
  if (out.length > 254) throw new Error('payload does not fit the boot sector');
  return out;
}

function floppy(mode: 'real' | 'paged', workload: Uint8Array): ArrayBuffer {
  const image = new Uint8Array(1474560);
  const stub = readFileSync(join(here, 'v86', `boot-${mode}.bin`));
  if (stub.length !== 256) throw new Error(`boot-${mode}.bin is not 256 bytes`);
  image.set(stub, 0);
  image.set(payload(mode, workload), 0x100);
  image[510] = 0x55;
  image[511] = 0xaa;
  return image.buffer;
}

/** Loads v86 and the BIOS images; rejects with a short reason when something is missing. */
export async function loadV86Reference(): Promise<V86Reference> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('v86');
  } catch {
    throw new Error('v86 package not installed');
  }
  const wasmPath = join(dirname(entry), 'v86.wasm');
  if (!existsSync(wasmPath)) throw new Error(`no ${wasmPath}`);
  const bios = firstExisting(['/usr/share/seabios/bios.bin']);
  const vgaBios = firstExisting([
    '/usr/share/seabios/vgabios-stdvga.bin',
    '/usr/share/seabios/vgabios-isavga.bin',
  ]);
  if (!bios || !vgaBios) throw new Error('no SeaBIOS images in /usr/share/seabios');
  const spec = 'v86';
  const mod = (await import(spec)) as { V86?: V86Constructor; default?: { V86?: V86Constructor } };
  const V86 = mod.V86 ?? mod.default?.V86;
  if (!V86) throw new Error('v86 module has no V86 export');
  const biosBuffer = new Uint8Array(readFileSync(bios)).buffer;
  const vgaBuffer = new Uint8Array(readFileSync(vgaBios)).buffer;

  const measure = (mode: 'real' | 'paged', workload: Uint8Array) =>
    new Promise<V86Measurement>((resolve, reject) => {
      const image = floppy(mode, workload);
      let emulator: V86Emulator | undefined;
      let best: V86Measurement | undefined;
      let t0 = 0n;
      let c0 = 0;
      let reps = 0;
      let finished = false;
      // v86 loads its wasm and starts asynchronously; a failure there surfaces as an unhandled
      // rejection or exception, which must end this measurement, not the bench.
      const onFailure = (e: unknown) => finish(e instanceof Error ? e : new Error(String(e)));
      const finish = (error?: Error) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        const settle = () => {
          process.off('unhandledRejection', onFailure);
          process.off('uncaughtException', onFailure);
          if (error || !best) reject(error ?? new Error('no result'));
          else resolve(best);
        };
        let destroyed: Promise<unknown> = Promise.resolve();
        try {
          if (emulator) destroyed = emulator.destroy().catch(() => undefined);
        } catch {}
        const grace = new Promise((r) => setTimeout(r, 2000).unref());
        void Promise.race([destroyed, grace]).then(settle);
      };
      const timer = setTimeout(
        () => finish(new Error(`timeout after ${TIMEOUT_MS / 1000} s (${reps} runs done)`)),
        TIMEOUT_MS,
      );
      process.on('unhandledRejection', onFailure);
      process.on('uncaughtException', onFailure);
      try {
        emulator = new V86({
          wasm_path: wasmPath,
          bios: { buffer: biosBuffer },
          vga_bios: { buffer: vgaBuffer },
          fda: { buffer: image },
          memory_size: 32 * 1024 * 1024,
          vga_memory_size: 2 * 1024 * 1024,
          autostart: true,
          fastboot: true,
          disable_keyboard: true,
          disable_mouse: true,
          disable_speaker: true,
          log_level: 0,
        });
      } catch (e) {
        onFailure(e);
        return;
      }
      const running = emulator;
      running.add_listener('serial0-output-byte', (byte) => {
        if (finished) return;
        if (byte === 0x53) {
          c0 = running.get_instruction_counter();
          t0 = process.hrtime.bigint();
        } else if (byte === 0x45) {
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          const instructions = (running.get_instruction_counter() - c0) >>> 0;
          if (!best || instructions / seconds > best.instructions / best.seconds)
            best = { instructions, seconds };
          if (++reps === REPS) finish();
        }
      });
    });
  return { measure };
}
