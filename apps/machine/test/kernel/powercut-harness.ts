// Power cuts of the whole Phantasm system, shared by powercut.test.ts (20 kills) and
// scripts/powercut-soak.ts (1,000): powercut-child.ts boots the system on a disk image and runs
// `counter 5` and `kvshell` (typing commands into it) until this side SIGKILLs its process group at
// a random moment. Then fsck checks the image, and the next boot must restore a snapshot at least as
// new as the last one the killed run reported committed, with the counter going on right after the
// value it had printed at that snapshot's pause and the shell's keys as they were at that pause.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { processGroupGone } from '@phantasm/test-support';
import { FileBlockDevice, fsck, Prng } from '@phantasm/vm-map';

const pkg = resolve(import.meta.dirname, '../..');
/** tsx's loader in the child's own node process (the `tsx` launcher would add a second process). */
const TSX_LOADER = pathToFileURL(resolve(pkg, '../../node_modules/tsx/dist/loader.mjs')).href;
const CHILD = resolve(pkg, 'test/kernel/powercut-child.ts');

export const DEFAULT_SEED = 77_031;
/** vm-map's formatDisk writes generation 1 (empty client state): what a fresh disk "restores". */
const FORMAT_GENERATION = 1;
const STARTUP_TIMEOUT_MS = 60_000;

// --- what the child types ------------------------------------------------------------------------

const SEED_KEYS = 5;
/** While it runs, the child types `set b<boot>_<j> v<boot>_<j>` every this many ms, j < RUNNING_SETS. */
export const RUNNING_SET_EVERY_MS = 100;
export const RUNNING_SETS = 16;

/** Every key has one value, "v" and the rest of the key: k3 = v3, b12_4 = v12_4. */
export function valueFor(key: string): string {
  return `v${key.slice(1)}`;
}

/**
 * The keys the child types right after boot: backspaces (a snapshot may have caught the shell in the
 * middle of a line: they clear it), `list`, and on a shell started afresh `set k1 v1` … `set k5 v5`
 * and `snapshot`.
 */
export function bootCommands(shellStarted: boolean): string {
  let keys = `${'\b'.repeat(40)}list\r`;
  if (shellStarted) {
    for (let i = 1; i <= SEED_KEYS; i++) keys += `set k${i} ${valueFor(`k${i}`)}\r`;
    keys += 'snapshot\r';
  }
  return keys;
}

/**
 * Once the child has seen its `list` answered (`shell`: the shell's output since boot), it deletes
 * every key of a boot before the previous one, keeping the store small (a key deleted before a
 * snapshot must stay deleted after it). Undefined until the listing is complete.
 */
export function cleanupCommands(boot: number, shell: string): string | undefined {
  const start = shell.indexOf('list\n');
  if (start < 0 || !/\(\d+ keys\)\n/.test(shell.slice(start))) return undefined;
  let keys = '';
  for (const m of shell.slice(start).matchAll(/^(b(\d+)_\d+) = /gm))
    if (Number(m[2]) < boot - 1) keys += `del ${m[1]}\r`;
  return keys;
}

/**
 * The j-th command the child types while it runs, in two pieces typed RUNNING_SET_EVERY_MS / 2
 * apart: meanwhile the shell waits in the middle of a line, and a snapshot may catch it there.
 */
export function runningCommand(boot: number, j: number): [string, string] {
  const key = `b${boot}_${j}`;
  const line = `set ${key} ${valueFor(key)}\r`;
  const half = line.length >> 1;
  return [line.slice(0, half), line.slice(half)];
}

// --- one run's transcript --------------------------------------------------------------------------

type Event =
  | { kind: 'counter'; n: number }
  | { kind: 'kv'; text: string }
  | { kind: 'log'; line: string }
  | { kind: 'typed'; text: string };

interface Taken {
  generation: number;
  /** Offset in the shell's output at the pause. */
  kvOffset: number;
  /** The last counter line printed before the pause in this run (undefined: none yet). */
  lastCounter: number | undefined;
}

interface ShellCommand {
  verb: 'set' | 'del';
  key: string;
  value: string;
  /** Shell-output offset just after the echoed Enter (the command acts after this) ... */
  enterEnd: number;
  /** ... and just after its answer (it has acted before this); undefined when none came. */
  answerEnd: number | undefined;
  answer: string | undefined;
}

export interface RunTranscript {
  events: Event[];
  /** Stage 7: undefined when the run died before it. */
  restore: { fresh: boolean; generation: number; fellBack: boolean; detail: string } | undefined;
  counters: number[];
  taken: Taken[];
  committed: number[];
  commands: ShellCommand[];
  /** Output of this run's own `list` command, once complete. */
  list: { keys: Map<string, string>; count: number; end: number } | undefined;
  /** Where the restored shell was: reading an empty line, in the middle of one, or in a command. */
  shellCaught: 'idle' | 'mid-line' | 'mid-command' | undefined;
  /** Problems seen inside the run itself (counter not consecutive, commit without a pause ...). */
  problems: string[];
}

/** Parse the child's record stream (a last line without its newline was cut by the kill). */
export function parseTranscript(raw: string): RunTranscript {
  const events: Event[] = [];
  const lines = raw.split('\n');
  lines.pop();
  for (const line of lines) {
    const tag = line.slice(0, 2);
    const body = line.slice(2);
    if (tag === 'C ') {
      const text = JSON.parse(body) as string;
      const m = /^counter: (\d+)\n$/.exec(text);
      events.push(m ? { kind: 'counter', n: Number(m[1]) } : { kind: 'kv', text });
    } else if (tag === 'L ') events.push({ kind: 'log', line: body });
    else if (tag === 'T ') events.push({ kind: 'typed', text: JSON.parse(body) as string });
    else events.push({ kind: 'kv', text: `<<unframed output: ${line}>>` });
  }

  const t: RunTranscript = {
    events,
    restore: undefined,
    counters: [],
    taken: [],
    committed: [],
    commands: [],
    list: undefined,
    shellCaught: undefined,
    problems: [],
  };
  let kv = '';
  let lastCounter: number | undefined;
  for (const e of events) {
    if (e.kind === 'kv') kv += e.text;
    else if (e.kind === 'counter') {
      if (lastCounter !== undefined && e.n !== lastCounter + 1)
        t.problems.push(`counter: ${e.n} follows counter: ${lastCounter} within one run`);
      lastCounter = e.n;
      t.counters.push(e.n);
    } else if (e.kind === 'log') {
      const stage7 = /stage 7: object space \(vm-map\): (.*)$/.exec(e.line);
      if (stage7) {
        const restored = /^restored snapshot generation (\d+)/.exec(stage7[1]);
        t.restore = {
          fresh: stage7[1].startsWith('formatted a fresh disk'),
          generation: restored ? Number(restored[1]) : FORMAT_GENERATION,
          fellBack: stage7[1].includes('(fell back'),
          detail: stage7[1],
        };
        if (!restored && !t.restore.fresh)
          t.problems.push(`stage 7 says neither fresh nor restored: ${e.line}`);
      }
      const taken = /^snapshot (\d+) taken:/.exec(e.line);
      if (taken) {
        const g = Number(taken[1]);
        const before = t.taken.at(-1)?.generation;
        if (before !== undefined && g <= before)
          t.problems.push(`snapshot ${g} taken after snapshot ${before}`);
        t.taken.push({ generation: g, kvOffset: kv.length, lastCounter });
      }
      const committed = /^snapshot (\d+) committed:/.exec(e.line);
      if (committed) {
        const g = Number(committed[1]);
        if (t.taken.at(-1)?.generation !== g)
          t.problems.push(
            `snapshot ${g} committed, but the last pause was for ${t.taken.at(-1)?.generation}`,
          );
        t.committed.push(g);
      }
      if (/stopped:|panic/i.test(e.line)) t.problems.push(`kernel log: ${e.line}`);
    }
  }
  if (kv.includes('[kernel]')) t.problems.push('the kernel stopped a guest (see "[kernel]" in the output)');
  parseShell(kv, t);
  return t;
}

/** The shell's side: its commands (echoed), their answers, and this run's `list`. */
function parseShell(kv: string, t: RunTranscript): void {
  let at = 0;
  let pending: ShellCommand | undefined;
  let listing: Map<string, string> | undefined;
  let linesBefore = 0;
  for (;;) {
    const nl = kv.indexOf('\n', at);
    if (nl < 0) break;
    const end = nl + 1;
    const rawLine = kv.slice(at, nl);
    at = end;
    // What the screen shows of the line: backspaces applied ("\b \b" erases one character).
    const shown: string[] = [];
    for (const ch of rawLine) {
      if (ch === '\b') shown.pop();
      else shown.push(ch);
    }
    const line = shown.join('').replace(/^(kv> )+/, '');
    if (listing) {
      const count = /^\((\d+) keys\)$/.exec(line);
      if (count) {
        t.list = { keys: listing, count: Number(count[1]), end };
        listing = undefined;
        continue;
      }
      const entry = /^(\S+) = (.*)$/.exec(line);
      if (entry) listing.set(entry[1], entry[2]);
      else t.problems.push(`unexpected line in the list output: ${JSON.stringify(line)}`);
      continue;
    }
    if (pending) {
      pending.answer = line;
      pending.answerEnd = end;
      const expected = pending.verb === 'set' ? ['ok'] : ['deleted', '(not found)'];
      if (!expected.includes(line))
        t.problems.push(`${pending.verb} ${pending.key} answered ${JSON.stringify(line)}`);
      pending = undefined;
      continue;
    }
    const command = /^(set|del) (\S+)(?: (\S+))?$/.exec(line);
    if (command) {
      pending = {
        verb: command[1] as 'set' | 'del',
        key: command[2],
        value: command[3] ?? '',
        enterEnd: end,
        answerEnd: undefined,
        answer: undefined,
      };
      t.commands.push(pending);
    } else if (line === 'list' && !t.list && t.shellCaught === undefined) {
      listing = new Map();
      t.shellCaught = rawLine.includes('\b') ? 'mid-line' : linesBefore > 0 ? 'mid-command' : 'idle';
    } else if (t.shellCaught === undefined) linesBefore++;
  }
}

// --- what a snapshot holds ---------------------------------------------------------------------------

/** A key surely stored, or one whose set or del was under way at the pause (either way is right). */
type KeyState = 'present' | 'maybe';

interface Checkpoint {
  /** The counter's last printed value at the pause: the next boot prints this + 1 first. */
  counter: number;
  /** Keys not listed are surely absent. */
  keys: Map<string, KeyState>;
  /** Which run took it (for messages). */
  boot: number;
}

/** What snapshot `taken` of a run that restored `from` holds, as far as the transcript tells. */
function checkpointAt(from: Checkpoint, t: RunTranscript, taken: Taken, boot: number): Checkpoint {
  const at = taken.kvOffset;
  // Before this run's `list` is out, the restored shell may still be finishing a command under way.
  const keys =
    t.list && t.list.end <= at
      ? new Map([...t.list.keys.keys()].map((k): [string, KeyState] => [k, 'present']))
      : new Map(from.keys);
  for (const c of t.commands) {
    if (c.enterEnd > at) break;
    const done = c.answerEnd !== undefined && c.answerEnd <= at;
    if (c.verb === 'set') {
      if (done) keys.set(c.key, 'present');
      else if (!keys.has(c.key)) keys.set(c.key, 'maybe');
    } else if (done) keys.delete(c.key);
    else if (keys.has(c.key)) keys.set(c.key, 'maybe');
  }
  return { counter: taken.lastCounter ?? from.counter, keys, boot };
}

/** The shell's keys after a restore of `cp`: what must not be missing, and nothing else. */
function checkKeys(cp: Checkpoint, generation: number, list: Map<string, string>): string | undefined {
  for (const [key, state] of cp.keys) {
    if (state === 'present' && !list.has(key))
      return `key ${key} (its set answered before snapshot ${generation} was taken) is missing`;
  }
  for (const [key, value] of list) {
    if (!cp.keys.has(key))
      return `key ${key} is listed, but snapshot ${generation} was taken before it was set or after it was deleted`;
    if (value !== valueFor(key)) return `key ${key} holds ${JSON.stringify(value)}, not ${valueFor(key)}`;
  }
  return undefined;
}

// --- the runs -----------------------------------------------------------------------------------------

export interface KillRecord {
  kill: number;
  /** Generation the boot after this kill restored. */
  restored: number;
  /** Last generation the killed run reported committed (or the one it had restored). */
  committedBefore: number;
  /** Newest generation the killed run had paused for. */
  takenBefore: number;
  /** Snapshots the killed run paused for, and counter lines it printed. */
  pausesInRun: number;
  counterLinesInRun: number;
  fellBack: boolean;
  /** Milliseconds from the killed run's first counter line to the kill ... */
  delayMs: number;
  /** ... and from its go (the modules loaded beforehand) to that line: boot stages 1–8. */
  startupMs: number;
  /** The restored counter's first line (undefined: the next run was killed before one). */
  counterResumedAt: number | undefined;
  /** Keys the next boot's `list` showed (undefined: killed before the listing was complete). */
  keysListed: number | undefined;
  /** Keys whose set or del was under way at the restored snapshot's pause. */
  keysUnderWay: number;
  shellCaught: RunTranscript['shellCaught'];
  /** The restored generation was one the killed run paused for but did not report committed. */
  newerThanCommitted: boolean;
}

export interface PowercutOptions {
  kills: number;
  seed: number;
  /** Directory for the disk image (and transcripts of a failure). */
  dir: string;
  snapshotIntervalMs?: number;
  /** The kill comes this long after the run's first counter line: uniform in [min, max). */
  minDelayMs?: number;
  maxDelayMs?: number;
  onKill?: (record: KillRecord) => void;
}

export interface PowercutSummary {
  kills: number;
  seed: number;
  records: KillRecord[];
  /** Restores that went past the last reported commit (the commit was durable, its log line not out). */
  newerThanCommitted: number;
  fellBack: number;
  /** Highest generation and counter value reached. */
  lastGeneration: number;
  lastCounter: number;
  ms: number;
}

export class PowercutFailure extends Error {
  override name = 'PowercutFailure';
}

// --- the child process ----------------------------------------------------------------------------------

interface Started {
  child: ChildProcess;
  /** Boot the system on `path` (the modules are loaded before this; spawning comes early). */
  go: (path: string, boot: number, intervalMs: number) => void;
  /** When the first counter line came out (performance.now()). */
  firstCounter: () => Promise<number>;
  /** Resolves once `test` holds for the transcript so far. */
  seen: (what: string, test: (raw: string) => boolean) => Promise<void>;
  transcript: () => string;
  stderr: () => string;
  closed: Promise<void>;
}

const COUNTER_LINE = /^C "counter: \d+\\n"$/m;

/** This run's own `list` has been answered in full. */
function listed(raw: string): boolean {
  return raw.includes(' keys)') && parseTranscript(raw).list !== undefined;
}

function startChild(): Started {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, '--conditions=source', CHILD], {
    cwd: pkg,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group, cut as a whole (nothing of it may go on writing to the image).
    detached: true,
  });
  let raw = '';
  let stderr = '';
  const waiters: { test: (raw: string) => boolean; done: () => void }[] = [];
  let exited: ((e: Error) => void)[] = [];
  let exitError: Error | undefined;
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    raw += d;
    for (const w of [...waiters]) {
      if (w.test(raw)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.done();
      }
    }
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  child.stdin!.on('error', () => {}); // a child cut before it read its line
  const closed = new Promise<void>((done) => child.on('close', () => done()));
  child.on('exit', (code, signal) => {
    if (signal === 'SIGKILL') return;
    const e = new Error(`the child exited by itself (${code ?? signal}): ${stderr}`);
    exitError = e;
    for (const f of exited) f(e);
    exited = [];
  });
  const seen = (what: string, test: (raw: string) => boolean) =>
    new Promise<void>((done, fail) => {
      if (test(raw)) return done();
      if (exitError) return fail(exitError);
      const timer = setTimeout(
        () => fail(new Error(`no ${what} within ${STARTUP_TIMEOUT_MS} ms; stderr: ${stderr}`)),
        STARTUP_TIMEOUT_MS,
      );
      waiters.push({
        test,
        done: () => {
          clearTimeout(timer);
          done();
        },
      });
      exited.push((e) => {
        clearTimeout(timer);
        fail(e);
      });
    });
  let firstCounter: Promise<number> | undefined;
  return {
    child,
    go: (path, boot, intervalMs) => {
      child.stdin!.end(`${JSON.stringify({ path, boot, intervalMs })}\n`);
      firstCounter = seen('counter line', (raw) => COUNTER_LINE.test(raw)).then(() => performance.now());
      firstCounter.catch(() => {});
    },
    firstCounter: () => firstCounter!,
    seen,
    transcript: () => raw,
    stderr: () => stderr,
    closed,
  };
}

async function killGroup(s: Started): Promise<void> {
  const { child } = s;
  if (child.exitCode === null && child.signalCode === null) {
    const exit = new Promise<void>((done) => child.once('exit', () => done()));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
    await exit;
  }
  await s.closed;
  if (!(await processGroupGone(child.pid!)))
    throw new PowercutFailure(`process group ${child.pid} outlived SIGKILL`);
}

/**
 * A readable excerpt of a transcript: runs of counter lines and of shell output merged, boot stages
 * 1–6 left out; the first `head` and last `tail` items.
 */
export function renderEvents(events: Event[], head: number, tail: number): string {
  const items: (string | { from: number; to: number } | { kv: string })[] = [];
  for (const e of events) {
    const last = items[items.length - 1];
    if (e.kind === 'counter') {
      if (typeof last === 'object' && 'from' in last && last.to + 1 === e.n) last.to = e.n;
      else items.push({ from: e.n, to: e.n });
    } else if (e.kind === 'kv') {
      if (typeof last === 'object' && 'kv' in last) last.kv += e.text;
      else items.push({ kv: e.text });
    } else if (e.kind === 'typed') items.push(`[typed] ${JSON.stringify(e.text)}`);
    else if (!/stage [1-6]:/.test(e.line)) items.push(`[log] ${e.line}`);
  }
  const show = (i: (typeof items)[number]) =>
    typeof i === 'string'
      ? i
      : 'kv' in i
        ? `[shell] ${JSON.stringify(i.kv)}`
        : i.from === i.to
          ? `counter: ${i.from}`
          : `counter: ${i.from} … counter: ${i.to}`;
  const lines =
    items.length <= head + tail
      ? items.map(show)
      : [
          ...items.slice(0, head).map(show),
          `(${items.length - head - tail} more)`,
          ...items.slice(items.length - tail).map(show),
        ];
  return lines.map((l) => `    ${l}`).join('\n');
}

export async function runPowercut(options: PowercutOptions): Promise<PowercutSummary> {
  const t0 = performance.now();
  const { kills, seed, dir } = options;
  const intervalMs = options.snapshotIntervalMs ?? 200;
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 1250;
  const rng = new Prng(seed);
  const path = join(dir, 'disk.img');
  const records: KillRecord[] = [];
  // Checkpoints by generation along the current history (a generation paused for but lost to a
  // kill is dropped when the next boot restores an older one: its number is then used again).
  const timeline = new Map<number, Checkpoint>([
    [FORMAT_GENERATION, { counter: 0, keys: new Map(), boot: -1 }],
  ]);
  let previous:
    | { raw: string; transcript: RunTranscript; restored: number; delayMs: number; startupMs: number }
    | undefined;
  let fsckGeneration: number | undefined;
  let lastCounter = 0;

  // The next child is spawned while the current one runs: its modules load meanwhile.
  let next = startChild();
  try {
    for (let boot = 0; boot <= kills; boot++) {
      const run = next;
      const started = performance.now();
      run.go(path, boot, intervalMs);
      if (boot < kills) next = startChild();
      let delayMs = 0;
      let startupMs = 0;
      try {
        const first = await run.firstCounter();
        startupMs = first - started;
        // Each boot shows how the last kill was recovered: the counter's first line and the listing.
        await run.seen('listing of the keys', listed);
        if (boot < kills) {
          await new Promise((r) => setTimeout(r, minDelay + rng.below(maxDelay - minDelay)));
          delayMs = performance.now() - first;
        }
      } catch (e) {
        throw new PowercutFailure(`boot ${boot} (seed ${seed}): ${(e as Error).message}`);
      } finally {
        await killGroup(run);
      }
      const raw = run.transcript();
      const t = parseTranscript(raw);
      const fail = (what: string): never => {
        const files = [join(dir, `boot-${boot}.txt`)];
        writeFileSync(files[0], raw);
        let context = `  this run (boot ${boot}):\n${renderEvents(t.events, 12, 6)}`;
        if (previous) {
          files.unshift(join(dir, `boot-${boot - 1}.txt`));
          writeFileSync(files[0], previous.raw);
          context = `  the killed run (boot ${boot - 1}), its end:\n${renderEvents(previous.transcript.events, 0, 16)}\n${context}`;
        }
        throw new PowercutFailure(
          `boot ${boot}${boot > 0 ? ` (the restart after kill ${boot})` : ''}, seed ${seed}: ${what}\n${context}\n  full transcripts: ${files.join(', ')}\n  child stderr: ${run.stderr()}`,
        );
      };
      if (t.problems.length > 0) fail(t.problems.join('; '));
      if (!t.restore) return fail('the run was killed before stage 7 (no restore line)');
      const R = t.restore.generation;

      // 1. The generation restored: never older than the last commit the killed run reported, and
      //    one it paused for (or the one it had itself restored); fsck foresaw it.
      let record: KillRecord | undefined;
      if (!previous) {
        if (!t.restore.fresh) fail(`the first boot did not format a fresh disk: ${t.restore.detail}`);
      } else {
        const before = previous.transcript;
        if (t.restore.fresh) fail('a disk that had been formatted was formatted again');
        const committedBefore = before.committed.at(-1) ?? previous.restored;
        const takenBefore = before.taken.at(-1)?.generation ?? previous.restored;
        const candidates = [previous.restored, ...before.taken.map((x) => x.generation)];
        if (R < committedBefore)
          fail(
            `restored generation ${R}, older than snapshot ${committedBefore}, which the killed run saw committed`,
          );
        if (!candidates.includes(R))
          fail(`restored generation ${R}, which the killed run never paused for (${candidates.join(', ')})`);
        if (fsckGeneration !== R)
          fail(`fsck said recovery would use generation ${fsckGeneration}, the boot restored ${R}`);
        record = {
          kill: boot - 1,
          restored: R,
          committedBefore,
          takenBefore,
          pausesInRun: before.taken.length,
          counterLinesInRun: before.counters.length,
          fellBack: t.restore.fellBack,
          delayMs: previous.delayMs,
          startupMs: previous.startupMs,
          counterResumedAt: t.counters[0],
          keysListed: t.list?.keys.size,
          keysUnderWay: 0,
          shellCaught: t.shellCaught,
          newerThanCommitted: R > committedBefore,
        };
      }
      // A newer branch lost to the kill: its generation numbers are free again.
      for (const g of [...timeline.keys()]) if (g > R) timeline.delete(g);
      const cp = timeline.get(R);
      if (!cp) return fail(`no record of what snapshot ${R} holds (the harness lost track)`);
      if (record) record.keysUnderWay = [...cp.keys.values()].filter((s) => s === 'maybe').length;

      // 2. The counter goes on right after the value it had printed last before the pause.
      const first = t.counters[0];
      if (first !== undefined && first !== cp.counter + 1)
        fail(
          `the counter resumed at ${first}; snapshot ${R} (taken in boot ${cp.boot}) paused after counter: ${cp.counter}, so the next line must be counter: ${cp.counter + 1}`,
        );

      // 3. The shell's keys: all those stored before the pause, none set after it or deleted before.
      if (t.list) {
        if (t.list.count !== t.list.keys.size)
          fail(`list said (${t.list.count} keys) after ${t.list.keys.size} key lines`);
        const wrong = checkKeys(cp, R, t.list.keys);
        if (wrong) fail(wrong);
      }
      for (const c of t.commands)
        if (c.verb === 'set' && c.value !== valueFor(c.key)) fail(`the shell echoed set ${c.key} ${c.value}`);

      // 4. What each snapshot of this run holds.
      for (const taken of t.taken) {
        if (taken.generation <= R)
          fail(`this run paused for snapshot ${taken.generation}, not newer than ${R}`);
        timeline.set(taken.generation, checkpointAt(cp, t, taken, boot));
      }

      if (record) {
        records.push(record);
        options.onKill?.(record);
      }
      lastCounter = Math.max(lastCounter, t.counters.at(-1) ?? 0);
      previous = { raw, transcript: t, restored: R, delayMs, startupMs };

      // 5. The image at rest, between the cut and the next boot.
      const device = new FileBlockDevice(path, { create: false });
      try {
        const report = fsck(device);
        if (report.errors.length > 0)
          fail(`fsck after kill ${boot + 1}, which cut this run: ${report.errors.join('; ')}`);
        fsckGeneration = report.generation;
      } finally {
        device.close();
      }
    }
  } finally {
    await killGroup(next);
  }
  return {
    kills,
    seed,
    records,
    newerThanCommitted: records.filter((r) => r.newerThanCommitted).length,
    fellBack: records.filter((r) => r.fellBack).length,
    lastGeneration: Math.max(...timeline.keys()),
    lastCounter,
    ms: performance.now() - t0,
  };
}
