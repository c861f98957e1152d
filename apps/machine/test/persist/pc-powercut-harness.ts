// The PC power-cut harness: a real child process runs `phantasm pc --state FILE --fda FREEDOS` and is
// SIGKILLed (its whole process group) at random moments; the next child resumes FILE. Each resume
// must come from a snapshot at least as new as the last one the killed child reported committed
// (generation and instruction count never go back). At the end fsck finds FILE clean, and the
// machine restored in this process shows the DOS prompt and answers `ver`.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { processGroupGone } from '@phantasm/test-support';
import { FileBlockDevice, fsck, Prng } from '@phantasm/vm-map';
import { PersistentPc } from '../../src/persist/persistent-pc.js';

const pkg = resolve(import.meta.dirname, '../..');
const TSX_LOADER = pathToFileURL(resolve(pkg, '../../node_modules/tsx/dist/loader.mjs')).href;
const CHILD = resolve(pkg, 'test/persist/pc-powercut-child.ts');
const STARTUP_TIMEOUT_MS = 60_000;
export const DEFAULT_SEED = 40_716;
const VER_ANSWER = /A:\\>ver\n+FreeCom version \d+\.\d+/;

export interface PcPowercutOptions {
  kills: number;
  seed: number;
  dir: string;
  image: string;
  /** Firmware for --bios (SeaBIOS; its VGA BIOS beside it); the built-in BIOS when absent. */
  bios?: string;
  /** Kill this long after the child is running: uniform in [min, max). */
  minDelayMs?: number;
  maxDelayMs?: number;
  snapshotIntervalSeconds?: number;
  onKill?: (r: KillRecord) => void;
}

export interface KillRecord {
  kill: number;
  delayMs: number;
  /** What the killed child last reported committed (generation, instruction). */
  committed: { generation: number; instruction: number };
  /** What the next child resumed from. */
  resumed?: { generation: number; instruction: number };
}

export interface PcPowercutSummary {
  records: KillRecord[];
  lastGeneration: number;
  /** Resumes newer than the last reported commit (durable before its line came out). */
  newerThanReported: number;
  finalScreen: string;
  fsckClean: boolean;
  ms: number;
}

export class PcPowercutFailure extends Error {
  override name = 'PcPowercutFailure';
}

interface Child {
  child: ChildProcess;
  stderr: () => string;
  ready: Promise<void>;
  /** The first snapshot this child committed (its machine has moved on from where it resumed). */
  committed: Promise<void>;
  go: (argv: string[]) => void;
  closed: Promise<void>;
}

const RESUMED = /resumed \S+ from snapshot (\d+) in \d+ ms \(instruction (\d+)/;
const COMMITTED = /snapshot (\d+) committed at instruction (\d+)/g;

function startChild(): Child {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, '--conditions=source', CHILD], {
    cwd: pkg,
    stdio: ['pipe', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  let readyDone: () => void = () => {};
  let readyFail: (e: Error) => void = () => {};
  const ready = new Promise<void>((done, fail) => {
    readyDone = done;
    readyFail = fail;
  });
  let committedDone: () => void = () => {};
  const committed = new Promise<void>((done) => {
    committedDone = done;
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr += d;
    if (/resumed \S+ from snapshot|new machine state/.test(stderr)) readyDone();
    if (/snapshot \d+ committed at/.test(stderr)) committedDone();
  });
  child.stdin!.on('error', () => {});
  child.on('exit', (code, signal) => {
    if (signal !== 'SIGKILL')
      readyFail(new PcPowercutFailure(`the child exited by itself (${code ?? signal}): ${stderr}`));
  });
  const closed = new Promise<void>((done) => child.on('close', () => done()));
  return {
    child,
    stderr: () => stderr,
    ready,
    committed,
    go: (argv) => child.stdin!.write(`${JSON.stringify({ argv })}\n`),
    closed,
  };
}

function lastCommit(stderr: string): { generation: number; instruction: number } | undefined {
  let last: { generation: number; instruction: number } | undefined;
  for (const m of stderr.matchAll(COMMITTED)) last = { generation: Number(m[1]), instruction: Number(m[2]) };
  return last;
}

async function kill(c: Child): Promise<void> {
  try {
    process.kill(-c.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await c.closed;
  for (let i = 0; i < 200 && !(await processGroupGone(c.child.pid!)); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function runPcPowercut(o: PcPowercutOptions): Promise<PcPowercutSummary> {
  const started = performance.now();
  const rng = new Prng(o.seed);
  const file = join(o.dir, 'pc.state');
  const argv = [
    'pc',
    '--state',
    file,
    '--fda',
    o.image,
    '--snapshot-interval',
    String(o.snapshotIntervalSeconds ?? 0.1),
    '--serial',
    join(o.dir, 'serial.txt'),
    // a child the harness could not kill (it died first) ends by itself instead of running on
    '--timeout',
    '120',
    ...(o.bios ? ['--bios', o.bios] : []),
  ];
  const records: KillRecord[] = [];
  let committed = { generation: 0, instruction: 0 };
  let newerThanReported = 0;
  let next = startChild();
  for (let k = 0; k < o.kills; k++) {
    const current = next;
    current.go(argv);
    next = startChild(); // loads its modules while the current one runs
    const timeout = setTimeout(() => current.child.kill('SIGKILL'), STARTUP_TIMEOUT_MS);
    await current.ready.finally(() => clearTimeout(timeout));
    const text = current.stderr();
    const resumedMatch = RESUMED.exec(text);
    if (k > 0) {
      if (!resumedMatch) throw new PcPowercutFailure(`run ${k} did not resume: ${text}`);
      const resumed = { generation: Number(resumedMatch[1]), instruction: Number(resumedMatch[2]) };
      records[k - 1].resumed = resumed;
      if (resumed.generation < committed.generation || resumed.instruction < committed.instruction) {
        throw new PcPowercutFailure(
          `seed ${o.seed}, kill ${k}: resumed snapshot ${resumed.generation} (instruction ${resumed.instruction}) ` +
            `is older than the committed ${committed.generation} (instruction ${committed.instruction})`,
        );
      }
      if (resumed.generation > committed.generation) newerThanReported++;
      o.onKill?.(records[k - 1]);
    }
    // The cut comes at a random moment after the child's first commit of its own, so each run
    // carries the machine further (on a loaded host a cut right after the resume would not).
    await Promise.race([current.committed, new Promise((r) => setTimeout(r, STARTUP_TIMEOUT_MS))]);
    const min = o.minDelayMs ?? 0;
    const max = o.maxDelayMs ?? 800;
    const delayMs = min + rng.below(Math.max(1, max - min));
    await new Promise((r) => setTimeout(r, delayMs));
    await kill(current);
    const reported = lastCommit(current.stderr());
    if (reported) committed = reported;
    else if (resumedMatch)
      committed = { generation: Number(resumedMatch[1]), instruction: Number(resumedMatch[2]) };
    records.push({ kill: k, delayMs, committed: { ...committed } });
  }
  await kill(next);
  // fsck, then restore in this process (on a copy) and use the machine
  const device = new FileBlockDevice(file, { create: false });
  const report = fsck(device);
  device.close();
  const copy = join(o.dir, 'check.state');
  copyFileSync(file, copy);
  const pc = PersistentPc.open(copy, {
    create: () => {
      throw new PcPowercutFailure('the state file holds no machine');
    },
  });
  const board = pc.board;
  if (board.cpu.instructions < committed.instruction) {
    throw new PcPowercutFailure(
      `final restore at instruction ${board.cpu.instructions} < ${committed.instruction}`,
    );
  }
  board.run({
    untilScreen: 'A:\\>',
    maxInstructions: board.cpu.instructions + 400_000_000,
    timeoutMs: 40_000,
  });
  board.type('ver\r');
  for (let i = 0; i < 40 && !VER_ANSWER.test(board.screenText()); i++) {
    board.run({ maxInstructions: board.cpu.instructions + 2_000_000 });
  }
  pc.close();
  return {
    records,
    lastGeneration: committed.generation,
    newerThanReported,
    finalScreen: board.screenText(),
    fsckClean: report.errors.length === 0,
    ms: performance.now() - started,
  };
}

export { VER_ANSWER };
