// The interactive PC console (`phantasm pc` on a terminal): keys go to the PC keyboard, the VGA text
// screen is redrawn on the terminal, virtual time is paced to the wall clock, Ctrl-A X quits. COM1
// and the debug console, when sent to stdio, are held and printed after the screen is left.
import type { RunResult } from '../boards/pc/pc-board.js';
import type { PcArgs } from './args.js';
import { EXIT } from './errors.js';
import { ESCAPE_HELP } from './keys.js';
import { Pacer } from './pacer.js';
import { type PcMachine, persistAtExit, reportStop, SnapshotClock } from './pc-machine.js';
import { ScreenPainter } from './screen-painter.js';
import { nextScreenshotName, saveScreenshot } from './screenshot.js';
import { TerminalInput } from './terminal-input.js';

const SLICE_MS = 20;
/** Stops that end the session (a slice that used up its time is 'timeout': go on). */
const FINAL = new Set(['exit', 'max-instructions', 'halted']);

export async function runPcConsole(
  args: PcArgs,
  machine: PcMachine,
  stdin: NodeJS.ReadStream,
): Promise<number> {
  const { board, serial, debugcon } = machine;
  let end: 'quit' | 'sigint' | 'sigterm' | undefined;
  let status = 'Ctrl-A H: help';
  const input = new TerminalInput(stdin, (event) => {
    if (event.kind === 'text') board.typeNow(event.text);
    else if (event.kind === 'quit') end ??= 'quit';
    else if (event.kind === 'help')
      status = ESCAPE_HELP.filter((l) => !l.includes('phantasm boot')).join(' | ');
    else if (event.kind === 'interrupt') status = 'Ctrl-C is no key the PC keyboard types: Ctrl-A X quits';
    else if (event.kind === 'screenshot') {
      const path = args.screenshot ?? nextScreenshotName();
      saveScreenshot(board, path);
      status = `screenshot ${path}`;
    } else if (machine.persistent) {
      machine.persistent.beginSnapshot();
      status = 'snapshot started';
    } else status = 'snapshots need `phantasm pc --state FILE`';
  });
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => () => {
    end ??= signal === 'SIGINT' ? 'sigint' : 'sigterm';
    input.notify();
  };
  const sigint = onSignal('SIGINT');
  const sigterm = onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  const painter = new ScreenPainter(process.stdout);
  const pacer = new Pacer(() => board.clock.nanos / 1e6);
  const deadline = performance.now() + (args.timeoutSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  let wall = 0;
  let result: RunResult | undefined;
  const snapshots = SnapshotClock.for(machine, args);
  if (machine.persistent) status = `${status} | state ${machine.persistent.path}`;
  try {
    while (!end && performance.now() < deadline) {
      result = board.run({ maxInstructions: args.maxInstructions, timeoutMs: SLICE_MS });
      wall += result.wallMs;
      if (serial.target !== 'stdio') serial.flush();
      if (debugcon && debugcon.target !== 'stdio') debugcon.flush();
      const line = snapshots?.tick();
      if (line) status = `Ctrl-A H: help | ${line}`;
      // a graphics mode has no text to show on a terminal: say so, and how to see it
      const shown = board.vga.isText() ? status : `graphics mode (Ctrl-A P: PNG screenshot) | ${status}`;
      painter.draw(board.screenLines(), `phantasm pc — ${shown}`, board.vga.cursor());
      if (FINAL.has(result.stop)) break;
      const ahead = pacer.aheadMs();
      await input.wait(ahead > 1 ? Math.min(ahead, deadline - performance.now()) : 0);
    }
  } finally {
    input.close();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
    painter.close();
  }
  process.stdout.write(`${board.screenText()}\n`);
  serial.flush();
  debugcon?.flush();
  if (result) reportStop(result, wall);
  persistAtExit(machine, args);
  if (args.screenshot) saveScreenshot(board, args.screenshot);
  if (end === 'sigint') return EXIT.sigint;
  if (end === 'sigterm') return EXIT.sigterm;
  if (result?.stop === 'exit') return result.exitStatus! & 0xff;
  return EXIT.ok;
}
