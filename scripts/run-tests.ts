// The whole test run: typecheck every package, then every vitest project.
// Ends with the plain line `N passed, M failed` that CI reads. A typecheck failure,
// or a test file that cannot load, counts as a failure; skipped tests are reported
// on their own line and never counted as passed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = (name: string) => resolve(root, 'node_modules/.bin', name);
const extraArgs = process.argv.slice(2);

let checkFailures = 0;
const typecheck = spawnSync(bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only'], {
  cwd: root,
  stdio: 'inherit',
});
if (typecheck.status !== 0) {
  console.log('typecheck: FAILED (counted as 1 failure)');
  checkFailures += 1;
}

const report = resolve(root, 'test-results.json');
rmSync(report, { force: true });
spawnSync(
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...extraArgs],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

interface Assertion {
  status: string;
}
interface FileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: Assertion[];
}
let passed = 0;
let failed = checkFailures;
let skipped = 0;
if (!existsSync(report)) {
  console.log('vitest produced no report (counted as 1 failure)');
  failed += 1;
} else {
  const results = JSON.parse(readFileSync(report, 'utf8')) as { testResults: FileResult[] };
  for (const file of results.testResults) {
    let fileFailures = 0;
    for (const test of file.assertionResults) {
      if (test.status === 'passed') passed += 1;
      else if (test.status === 'failed') fileFailures += 1;
      else skipped += 1;
    }
    // A file that failed to load has no failing test of its own: count it once.
    if (file.status === 'failed' && fileFailures === 0) {
      console.log(`file failed: ${file.name}${file.message ? `: ${file.message.split('\n')[0]}` : ''}`);
      fileFailures = 1;
    }
    failed += fileFailures;
  }
}
console.log(`${skipped} skipped (not counted as passed)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
