// Running the committed test programs: images in programs/elf, Ski's output in programs/expected.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LinuxOptions, runLinuxElf } from '../src/index.js';

export const PROGRAMS = join(import.meta.dirname, 'programs');

/**
 * The test programs that run to completion (bench_* images are for `pnpm bench` only: tens of
 * millions of instructions; fault_* images stop on a fault and are checked in faults.test.ts).
 */
export function programNames(prefix?: string): string[] {
  return readdirSync(join(PROGRAMS, 'elf'))
    .filter((f) => f.endsWith('.elf') && (prefix ? f.startsWith(prefix) : !/^(bench|fault)_/.test(f)))
    .map((f) => f.slice(0, -4))
    .sort();
}

export function image(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(PROGRAMS, 'elf', `${name}.elf`)));
}

export function expected(name: string): string | undefined {
  const file = join(PROGRAMS, 'expected', `${name}.txt`);
  return existsSync(file) ? readFileSync(file, 'latin1') : undefined;
}

/** The two ways every program runs: the interpreter alone (the reference), and with the block
 * compiler forced on for every entry point (threshold 0). */
export const ENGINES: [string, Pick<LinuxOptions, 'jit' | 'jitThreshold'>][] = [
  ['interpreter', { jit: false }],
  ['compiled', { jit: true, jitThreshold: 0 }],
];

/** Run a program; its stdout, then "[exit N]" when the status is not 0 (as build.sh records Ski's). */
export function runProgram(
  name: string,
  budget = 50_000_000,
  engine: Pick<LinuxOptions, 'jit' | 'jitThreshold'> = {},
): string {
  const chunks: Buffer[] = [];
  const r = runLinuxElf(
    image(name),
    { argv: [`${name}.elf`], env: [], stdout: (b) => chunks.push(Buffer.from(b)), now: () => 0n, ...engine },
    budget,
  );
  let out = Buffer.concat(chunks).toString('latin1');
  if (r.fault) out += `[fault ${r.fault.kind}: ${r.fault.message}]\n`;
  else if (r.exitCode === undefined) out += `[still running after ${r.instructions} instructions]\n`;
  else if (r.exitCode !== 0) out += `[exit ${r.exitCode}]\n`;
  return out;
}
