// Programs that end in a guest fault: the kind we raise, the output before it equal to Ski's, and
// Ski stopping there too (bski reports a fault as a non-zero exit status, recorded as "[exit N]").
import { describe, expect, it } from 'vitest';
import { ENGINES, expected, runProgram } from './helpers.js';

const CASES: [string, string][] = [
  ['fault_nat', 'register-nat-consumption'],
  ['fault_unaligned', 'unaligned-reference'],
  ['fault_break', 'break'],
  ['fault_unmapped', 'data-access'],
];

describe.each(ENGINES)('guest faults (%s)', (_engine, options) => {
  it.each(CASES)('%s stops with %s where Ski stops', (name, kind) => {
    const ours = runProgram(name, undefined, options).split('\n');
    const ski = (expected(name) ?? '').split('\n');
    expect(ours[0]).toBe(ski[0]);
    expect(ski[1]).toMatch(/^\[exit \d+\]$/);
    expect(ours[1]).toMatch(new RegExp(`^\\[fault ${kind}: `));
  });
});
