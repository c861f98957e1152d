// Child process for the kernel power-cut test (powercut.test.ts, scripts/powercut-soak.ts): boots
// the Phantasm system on a FileBlockDevice with `counter 5` and `kvshell`, types key-value commands
// and runs until SIGKILLed. Usage: powercut-child.ts <disk> <boot number> <snapshot interval ms>, or
// without arguments: the modules load, then the child waits for {"path","boot","intervalMs"} as a
// JSON line on stdin (the harness starts the next child while the current one runs, so that loading
// costs no time between cuts).
//
// Everything goes to stdout as one stream of records, written synchronously so that their order is
// exactly the order of the events (a console write, a kernel log line):
//   C <JSON string>\n   the bytes of one console write (latin1), e.g. one "counter: N\n" line
//   L <text>\n          one kernel log line (boot stages, "snapshot G taken/committed: ...")
//   T <JSON string>\n   keys the child typed (queued before the next run slice)
import { writeSync } from 'node:fs';
import { FileBlockDevice } from '@phantasm/vm-map';
import { PhantasmSystem } from '../../src/kernel/system.js';
import {
  bootCommands,
  cleanupCommands,
  RUNNING_SET_EVERY_MS,
  RUNNING_SETS,
  runningCommand,
} from './powercut-harness.js';

async function firstLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0];
}

const { path, boot, intervalMs } =
  process.argv.length > 2
    ? { path: process.argv[2], boot: Number(process.argv[3]), intervalMs: Number(process.argv[4]) }
    : (JSON.parse(await firstLine()) as { path: string; boot: number; intervalMs: number });
if (!path || !Number.isInteger(boot) || !(intervalMs > 0)) {
  process.stderr.write('usage: powercut-child.ts <disk> <boot number> <snapshot interval ms>\n');
  process.exit(2);
}

/** Write all of `text` to fd 1, waiting out a full pipe (fd 1 may be non-blocking). */
function emit(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done, bytes.length - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/** The shell's output since boot (every console write but the counter's lines). */
let shell = '';
const disk = new FileBlockDevice(path);
const system = PhantasmSystem.boot({
  disk,
  memoryMiB: 16,
  snapshotIntervalMs: intervalMs,
  initial: [{ program: 'counter', arg: '5' }, { program: 'kvshell' }],
  console: (bytes) => {
    const text = Buffer.from(bytes).toString('latin1');
    if (!/^counter: \d+\n$/.test(text)) shell += text;
    emit(`C ${JSON.stringify(text)}\n`);
  },
  log: (line) => emit(`L ${line.replaceAll('\n', ' ')}\n`),
});
// The shell started afresh (fresh disk, or a disk with no snapshot of running threads): seed it.
const shellStarted = system.stages.find((s) => s.stage === 8)?.detail.includes('started') ?? false;
const type = (keys: string) => {
  emit(`T ${JSON.stringify(keys)}\n`);
  system.typeKeys(keys);
};
type(bootCommands(shellStarted));
// Snapshots come from the kernel's wall-clock interval. Meanwhile: once the listing is out, the
// cleanup, then now and then a command in two pieces (nothing typed may come between them).
let pieces: { at: number; keys: string }[] | undefined;
const parent = process.ppid;
for (;;) {
  // Orphaned (the harness died without killing us): stop rather than run forever.
  if (process.ppid !== parent) process.exit(1);
  system.run({ maxWallMs: 50 });
  if (!pieces) {
    const dels = cleanupCommands(boot, shell);
    if (dels === undefined) continue;
    if (dels) type(dels);
    const t0 = performance.now();
    pieces = Array.from({ length: RUNNING_SETS }, (_, j) => runningCommand(boot, j)).flatMap(
      ([first, rest], j) => [
        { at: t0 + (j + 1) * RUNNING_SET_EVERY_MS, keys: first },
        { at: t0 + (j + 1.5) * RUNNING_SET_EVERY_MS, keys: rest },
      ],
    );
  }
  while (pieces.length > 0 && performance.now() >= pieces[0].at) type(pieces.shift()!.keys);
}
