// The host processor's answers to a fixed stream of cases, kept as hashes (test/host32/expected.txt)
// so the comparison also runs where 32-bit code cannot be executed. Each line: the case's index,
// a hash of its input line (the generator must still produce it) and a hash of the masked answer.
// Rewrite the file on a host that runs 32-bit code:  npx tsx --conditions=source test/host32/expected.ts
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case } from './gen.js';
import { caseLine, maskLine, Rng, randomCase } from './gen.js';

export const EXPECTED_FILE = join(import.meta.dirname, 'expected.txt');
export const EXPECTED_SEED = 0x32b17;
export const EXPECTED_COUNT = 500;

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 24);

/** The fixed cases, in order. */
export function expectedCases(): Case[] {
  const r = new Rng(EXPECTED_SEED);
  return Array.from({ length: EXPECTED_COUNT }, () => randomCase(r, 1 + r.int(14)));
}

export interface Expected {
  input: string;
  answer: string;
}

export const readExpected = (): Expected[] =>
  readFileSync(EXPECTED_FILE, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [, input, answer] = l.split(' ');
      return { input, answer };
    });

export const inputHash = (c: Case) => hash(caseLine(c));
export const answerHash = (line: string, c: Case) => hash(maskLine(line, c));

if (process.argv[1] === import.meta.filename) {
  const { buildHost } = await import('./host.js');
  const host = buildHost();
  if (typeof host === 'string') throw new Error(`cannot record: ${host}`);
  const cases = expectedCases();
  const answers = host.run(cases.map(caseLine));
  host.dispose();
  const lines = cases.map((c, i) => `${i} ${inputHash(c)} ${answerHash(answers[i], c)}`);
  writeFileSync(EXPECTED_FILE, `${lines.join('\n')}\n`);
  console.log(`wrote ${lines.length} answers to ${EXPECTED_FILE}`);
}
