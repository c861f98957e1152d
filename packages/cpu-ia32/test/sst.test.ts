// The hardware-captured 80286 real-mode suite, a subset per form (the full run is `pnpm sst`).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import { describe, expect, it } from 'vitest';
import { loadTests, type Metadata, runForm, SstMachine } from '../scripts/sst-lib.js';

const REL = 'testdata/sst-80286-real';
const dir = findShared(REL);

describe.skipIf(!dir)(
  `SingleStepTests 80286 real mode (${dir ? 'first 25 tests of every form' : missingMessage(REL)})`,
  () => {
    it('passes every test outside the documented 286-vs-386 differences', () => {
      const root = dir as string;
      const metaPath = join(root, 'metadata.json');
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Metadata;
      const machine = new SstMachine();
      const failures: string[] = [];
      let passed = 0;
      let excused = 0;
      const files = readdirSync(root).filter((f) => f.endsWith('.json.gz'));
      expect(files.length).toBeGreaterThan(300);
      for (const file of files) {
        const form = basename(file, '.json.gz');
        const r = runForm(machine, form, loadTests(join(root, file)), meta, 25);
        passed += r.passed;
        excused += r.excused;
        failures.push(...r.failures.map((f) => `${form} ${f}`));
      }
      expect(failures).toEqual([]);
      // Excused tests are a small, documented minority.
      expect(excused).toBeLessThan(passed / 20);
      // Minutes under compiled.test.ts (every block compiled at threshold 0) on a loaded host.
    }, 600_000);
  },
);
