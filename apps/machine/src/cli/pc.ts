// `phantasm pc`: the PC board with firmware, floppy, hard disk or multiboot kernel. In batch mode
// it runs to an exit, a screen text or the limits and prints the screen; on a terminal with neither
// --until-screen nor --type, pc-console.ts makes it interactive. With no options it boots the
// default machine: the built-in BIOS and the shared FreeDOS floppy.
import { writeFileSync } from 'node:fs';
import type { RunResult } from '../boards/pc/pc-board.js';
import type { PcArgs } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { runPcConsole } from './pc-console.js';
import {
  buildPc,
  defaultFloppy,
  type PcMachine,
  persistAtExit,
  reportStop,
  SnapshotClock,
} from './pc-machine.js';
import { progress } from './progress.js';
import { saveScreenshot } from './screenshot.js';

const DEFAULT_PROMPT = 'A:\\>';
const NO_BOOT_MESSAGE = 'No bootable disk';

/** Batch defaults for `phantasm pc` with no options: run to the prompt (or the BIOS's message). */
function defaultMachine(args: PcArgs): PcArgs {
  const fda = defaultFloppy();
  return { ...args, fda, untilScreen: fda ? DEFAULT_PROMPT : NO_BOOT_MESSAGE, timeoutSeconds: 60 };
}

/**
 * Batch run: slices of guest time until an exit, the screen text, the limits or a signal. Between
 * slices the event loop turns once, so SIGINT/SIGTERM are seen; they end the run like a limit does
 * (the exit snapshot of --state, --save-state, the screen) and exit 130/143. With COM1 on stdout,
 * piped stdin goes to COM1 (as `phantasm malta` does): a serial console both ways.
 */
async function runBatch(args: PcArgs, machine: PcMachine, stdin: NodeJS.ReadStream): Promise<number> {
  let signalled: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => () => {
    signalled ??= signal;
  };
  const sigint = onSignal('SIGINT');
  const sigterm = onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  const stopInput = args.serial === 'stdio' ? pipeToSerial(stdin, machine) : undefined;
  try {
    return await batchLoop(args, machine, () => signalled);
  } finally {
    stopInput?.();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}

/**
 * Piped (not terminal) stdin → COM1, byte for byte as it arrives. Returns the function that stops
 * reading; it closes a pipe still open, which would otherwise keep the process alive.
 */
function pipeToSerial(stdin: NodeJS.ReadStream, machine: PcMachine): (() => void) | undefined {
  if (stdin.isTTY === true || stdin.destroyed) return undefined;
  let ended = false;
  const onData = (chunk: Buffer | string) => machine.board.uart.receive(Buffer.from(chunk));
  const onEnd = () => {
    ended = true;
  };
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  stdin.on('error', onEnd);
  return () => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.off('error', onEnd);
    stdin.pause();
    if (!ended) stdin.destroy();
  };
}

async function batchLoop(
  args: PcArgs,
  machine: PcMachine,
  signalled: () => 'SIGINT' | 'SIGTERM' | undefined,
): Promise<number> {
  const { board, serial, debugcon } = machine;
  const deadline =
    args.timeoutSeconds === undefined
      ? Number.POSITIVE_INFINITY
      : performance.now() + args.timeoutSeconds * 1000;
  let result: RunResult;
  let wall = 0;
  const snapshots = SnapshotClock.for(machine, args);
  for (;;) {
    // Short wall-clock chunks so console output streams while the guest runs (shorter still while
    // a snapshot is written in slices between them).
    const chunk = Math.max(0, Math.min(snapshots ? 50 : 250, deadline - performance.now()));
    result = board.run({
      maxInstructions: args.maxInstructions,
      untilScreen: args.untilScreen,
      timeoutMs: chunk,
    });
    wall += result.wallMs;
    serial.flush();
    debugcon?.flush();
    const line = snapshots?.tick();
    if (line) progress(line);
    if (result.stop !== 'timeout' || performance.now() >= deadline) break;
    await new Promise<void>((done) => setImmediate(done)); // signals arrive here
    if (signalled()) break;
  }
  const signal = signalled();
  if (signal) progress(`stopped: ${signal}`);
  persistAtExit(machine, args);
  const screen = board.screenText();
  if (args.screenDump) writeFileSync(args.screenDump, `${screen}\n`);
  if (args.screenshot) {
    saveScreenshot(board, args.screenshot);
    progress(`screenshot ${args.screenshot}`);
  }
  if (args.serial !== 'stdio' || args.untilScreen !== undefined || result.stop !== 'exit') {
    process.stdout.write(`${screen}\n`);
  }
  reportStop(result, wall);
  if (signal) return signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  if (result.stop === 'exit') return result.exitStatus! & 0xff;
  if (args.untilScreen !== undefined) {
    if (result.stop === 'screen') return 0;
    progress(`"${args.untilScreen}" did not appear on screen`);
    return 2;
  }
  return 0;
}

export interface PcIo {
  stdin: NodeJS.ReadStream;
  /** Interactive when stdin and stdout are a terminal (the default). */
  interactive?: boolean;
}

export async function pcCommand(args: PcArgs, bare: boolean, io: PcIo): Promise<number> {
  // the screen is drawn on stdout: both ends must be the terminal
  const terminal = io.stdin.isTTY === true && process.stdout.isTTY === true;
  const interactive =
    (io.interactive ?? terminal) && args.untilScreen === undefined && args.type === undefined;
  if (args.snapshotIntervalSeconds !== undefined && !args.state) {
    throw new UsageError('--snapshot-interval needs --state FILE');
  }
  if (interactive) {
    const live = bare ? { ...args, fda: defaultFloppy() } : args;
    return runPcConsole(live, buildPc(live), io.stdin);
  }
  const batch = bare ? defaultMachine(args) : args;
  return runBatch(batch, buildPc(batch), io.stdin);
}
