// The machine's Web Worker: one session at a time (a PC or the Phantasm system), run in slices
// of SLICE_MS with the event loop turning in between so keys, pauses and resets get in. Frames go
// to the page when the screen changed (at most FRAME_MS apart), status and the memory map a few
// times a second.
import { DiskImage, PcBoard } from '@phantasm/machine/browser';
import type { BenchRun, FromWorker, RunState, StatusMessage, ToWorker } from '../protocol.js';
import { Display } from './display.js';
import { builtinBios } from './firmware.js';
import { OpfsBlockDevice } from './opfs-device.js';
import { PcSession, type Session, SYSTEM_DISK, SystemSession } from './sessions.js';

const SLICE_MS = 16;
const FRAME_MS = 33;
const STATUS_MS = 250;

const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};

let session: Session | undefined;
let display: Display | undefined;
let lastStart: Extract<ToWorker, { type: 'start-pc' | 'start-system' }> | undefined;
let state: RunState = 'idle';
let note: string | undefined;
/** Bumped by each start/stop: a loop from an older session ends. */
let epoch = 0;
let serialOut: number[] = [];
let wake: (() => void) | undefined;
let lastStatus = { at: 0, instructions: 0 };

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

/** Wait up to `ms` (an input event or a command ends the wait early). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wake = undefined;
      resolve();
    };
    const timer = setTimeout(done, Math.min(ms, 1000));
    wake = done;
  });
}

/** Let queued messages in without the 4 ms clamp of nested timeouts. */
const yieldChannel = new MessageChannel();
function turn(): Promise<void> {
  return new Promise((resolve) => {
    yieldChannel.port1.onmessage = () => resolve();
    yieldChannel.port2.postMessage(0);
  });
}

function flushSerial(): void {
  if (serialOut.length === 0) return;
  const bytes = Uint8Array.from(serialOut);
  serialOut = [];
  post({ type: 'serial', bytes }, [bytes.buffer]);
}

function sendFrame(): void {
  const frame = display?.frame();
  if (frame) post(frame, [frame.rgba.buffer]);
}

function sendStatus(): void {
  const now = performance.now();
  const instructions = session?.instructions ?? 0;
  const seconds = (now - lastStatus.at) / 1000;
  const mips =
    seconds > 0 && state === 'running' ? (instructions - lastStatus.instructions) / seconds / 1e6 : 0;
  lastStatus = { at: now, instructions };
  const status: StatusMessage = {
    type: 'status',
    state,
    mode: session?.kind,
    instructions,
    mips,
    virtualSeconds: session?.virtualSeconds ?? 0,
    screen: session?.board.screenText() ?? '',
    note,
  };
  post(status);
  const map = session?.memoryMap();
  if (map) post(map);
}

/** A new state, with the picture and serial output as they are now sent ahead of it. */
function setState(next: RunState, why?: string): void {
  state = next;
  if (why !== undefined) note = why;
  flushSerial();
  sendFrame();
  sendStatus();
  wake?.();
}

async function runLoop(): Promise<void> {
  const mine = epoch;
  let lastFrame = 0;
  let lastReport = 0;
  while (mine === epoch && session) {
    if (state !== 'running') {
      await pause(1000);
      continue;
    }
    let waitMs = 0;
    try {
      const r = session.slice(SLICE_MS);
      waitMs = r.waitMs;
      if (r.ended) setState('stopped', r.ended);
    } catch (e) {
      post({ type: 'error', message: (e as Error).message });
      setState('stopped', `the machine stopped: ${(e as Error).message}`);
    }
    flushSerial();
    const now = performance.now();
    if (now - lastFrame >= FRAME_MS) {
      lastFrame = now;
      sendFrame();
    }
    if (now - lastReport >= STATUS_MS) {
      lastReport = now;
      sendStatus();
    }
    if (waitMs > 0) await pause(waitMs);
    else await turn();
  }
}

function closeSession(): void {
  epoch++;
  const old = session;
  session = undefined;
  display = undefined;
  wake?.();
  old?.close();
}

async function start(request: Extract<ToWorker, { type: 'start-pc' | 'start-system' }>): Promise<void> {
  closeSession();
  lastStart = request;
  note = undefined;
  setState('booting');
  const log = (line: string) => post({ type: 'log', line });
  try {
    session =
      request.type === 'start-pc'
        ? await PcSession.start(request, (bytes) => serialOut.push(...bytes))
        : await SystemSession.start(request, (bytes) => serialOut.push(...bytes), log);
  } catch (e) {
    setState('stopped', `could not start: ${(e as Error).message}`);
    post({ type: 'error', message: (e as Error).message });
    return;
  }
  display = new Display(session.board);
  setState('running');
  void runLoop();
}

/** Boot the same floppy on fresh boards, flat out (no pacing), for the browser-vs-Node bench. */
async function benchBoot(request: Extract<ToWorker, { type: 'bench-boot' }>): Promise<void> {
  const bios = await builtinBios();
  const runs: BenchRun[] = [];
  for (let i = 0; i < request.runs; i++) {
    const board = new PcBoard({ bios, floppyA: DiskImage.floppy(new Uint8Array(request.floppy.slice(0))) });
    const r = board.run({
      untilScreen: request.untilScreen,
      maxInstructions: 200_000_000,
      timeoutMs: 120_000,
    });
    runs.push({ stop: r.stop, instructions: r.instructions, ms: r.wallMs });
  }
  post({ type: 'bench-result', runs });
}

function closeForSure(why: string): void {
  try {
    closeSession();
  } catch (e) {
    post({ type: 'error', message: `${why}: ${(e as Error).message}` });
  }
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'start-pc':
    case 'start-system':
      return start(message);
    case 'pause':
      if (state === 'running') setState('paused');
      return;
    case 'resume':
      if (state === 'paused') setState('running');
      return;
    case 'reset':
      if (lastStart) return start(lastStart);
      return;
    case 'stop':
      closeForSure('stop');
      setState('stopped', 'stopped');
      return;
    case 'scancodes':
      session?.pressScancodes(message.codes);
      wake?.();
      return;
    case 'serial-in':
      session?.serialIn(message.bytes);
      wake?.();
      return;
    case 'mouse':
      session?.mouse(message);
      wake?.();
      return;
    case 'snapshot':
      if (session) post({ type: 'log', line: session.snapshot() });
      sendStatus();
      return;
    case 'wipe-system':
      if (session?.kind === 'system') {
        post({ type: 'error', message: 'stop the Phantasm system before wiping its disk' });
        return;
      }
      await OpfsBlockDevice.remove(SYSTEM_DISK);
      post({ type: 'log', line: `${SYSTEM_DISK} deleted from the origin's private file system` });
      return;
    case 'bench-boot':
      return benchBoot(message);
  }
}

scope.onmessage = (event) => {
  handle(event.data).catch((e: unknown) => post({ type: 'error', message: (e as Error).message }));
};
