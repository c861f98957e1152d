// Bare-metal IA-64 programs in system mode: interruptions, TLB faults and their handlers, banks, the
// timer. Expected outputs are SDM-derived (expected/README.md).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBare } from './system/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const programs = readdirSync(join(here, 'system', 'elf'))
  .filter((f) => f.endsWith('.elf'))
  .map((f) => f.slice(0, -4));

describe('IA-64 system programs', () => {
  it('has the programs', () => {
    expect(programs.length).toBeGreaterThanOrEqual(5);
  });
  for (const name of programs) {
    it(name, () => {
      const r = runBare(join(here, 'system', 'elf', `${name}.elf`));
      expect(r.output).toBe(readFileSync(join(here, 'system', 'expected', `${name}.txt`), 'utf8'));
      if (name === 'sys_mcheck') {
        // a machine check has no vector: the run stops with the fault
        expect(r.reason).toBe('fault');
        expect(r.fault).toMatch(/^machine-check: machine check: itc overlaps a translation register/);
      } else {
        expect(r.reason).toBe('stop');
        expect(r.status).toBe(0);
      }
    });
  }
});
