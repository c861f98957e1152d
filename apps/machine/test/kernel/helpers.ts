// Booting the Phantasm system in-process for tests: a memory or file disk, console captured.
import type { BlockDevice } from '@phantasm/vm-map';
import { PhantasmSystem } from '../../src/kernel/system.js';
import type { SystemOptions } from '../../src/kernel/types.js';

export interface BootedSystem {
  system: PhantasmSystem;
  log: string[];
  /** Console output since this boot. */
  console: () => string;
}

export function bootSystem(disk: BlockDevice, options: Partial<SystemOptions> = {}): BootedSystem {
  const log: string[] = [];
  const system = PhantasmSystem.boot({
    disk,
    memoryMiB: 16,
    snapshotIntervalMs: 0,
    log: (line) => log.push(line),
    ...options,
  });
  return { system, log, console: () => system.consoleText };
}

/** Run until the console shows `text` (after `from` characters), failing after `maxInstructions`. */
export function runUntil(b: BootedSystem, text: string, from = 0, maxInstructions = 200_000_000): string {
  let spent = 0;
  while (!b.console().slice(from).includes(text)) {
    const r = b.system.run({ maxInstructions: 2_000_000, untilConsole: text, consoleFrom: from });
    spent += r.instructions;
    if (r.stop === 'idle' && b.system.pendingKeys === 0 && !b.console().slice(from).includes(text)) {
      throw new Error(
        `the system waits for a key and ${JSON.stringify(text)} has not appeared; console:\n${b.console()}`,
      );
    }
    if (r.stop === 'no-threads' && !b.console().slice(from).includes(text)) {
      throw new Error(`every thread ended before ${JSON.stringify(text)} appeared; console:\n${b.console()}`);
    }
    if (spent > maxInstructions) {
      throw new Error(
        `${JSON.stringify(text)} did not appear within ${maxInstructions} instructions; console:\n${b.console()}`,
      );
    }
  }
  return b.console().slice(from);
}

/** Type a line and run until the shell prompts again; returns what the command printed. */
export function command(b: BootedSystem, line: string, prompt = 'kv> '): string {
  const from = b.console().length;
  b.system.typeKeys(`${line}\r`);
  const out = runUntil(b, prompt, from);
  return out.slice(0, out.lastIndexOf(prompt));
}
