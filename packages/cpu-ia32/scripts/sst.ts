// `pnpm sst <dir>`: run every SingleStepTests file (*.json.gz, or upstream's *.MOO.gz) in <dir>; per-form counts,
// then the excused tests by documented 286-vs-386 difference, then `N passed, M failed`.
// Options: --verbose (print up to 5 failures per form), --limit N (first N tests per form).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DIFFERENCES, loadTests, type Metadata, runForm, SstMachine, TEST_FILE } from './sst-lib.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const limitAt = args.indexOf('--limit');
const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : Number.POSITIVE_INFINITY;
const dirArg = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--limit');
if (!dirArg) {
  console.error('usage: pnpm sst <dir> [--verbose] [--limit N]');
  process.exit(2);
}
const dir = resolve(process.env.INIT_CWD ?? process.cwd(), dirArg);
if (!existsSync(dir)) {
  console.error(`sst: folder not found: ${dir}`);
  process.exit(2);
}
const metaPath = join(dir, 'metadata.json');
const meta: Metadata | undefined = existsSync(metaPath)
  ? (JSON.parse(readFileSync(metaPath, 'utf8')) as Metadata)
  : undefined;
if (!meta) console.log('sst: no metadata.json: every flag is compared (no undefined-flag masks)');

const files = readdirSync(dir)
  .filter((f) => TEST_FILE.test(f))
  .sort();
const machine = new SstMachine();
let passed = 0;
let failed = 0;
let excused = 0;
const byDifference: Record<string, number> = {};
const started = Date.now();
for (const file of files) {
  const form = basename(file).replace(TEST_FILE, '');
  let tests: ReturnType<typeof loadTests>;
  try {
    tests = loadTests(join(dir, file));
  } catch (e) {
    // A truncated or foreign file is one failure of its form, not the end of the run.
    console.log(`${form.padEnd(6)} unreadable (counted as 1 failure): ${(e as Error).message}`);
    failed += 1;
    continue;
  }
  const r = runForm(machine, form, tests, meta, limit);
  passed += r.passed;
  failed += r.failed;
  excused += r.excused;
  for (const [k, v] of Object.entries(r.byDifference)) byDifference[k] = (byDifference[k] ?? 0) + v;
  const extra = r.excused ? `, ${r.excused} excused` : '';
  console.log(`${form.padEnd(6)} ${r.passed} passed, ${r.failed} failed${extra}`);
  if (verbose) for (const f of r.failures.slice(0, 5)) console.log(`    ${f}`);
}
console.log('');
for (const [k, v] of Object.entries(byDifference))
  console.log(`excused ${String(v).padStart(5)}  ${k}: ${DIFFERENCES[k]}`);
const total = passed + failed;
console.log(
  `${files.length} forms, ${excused} excused by documented differences, ${((100 * passed) / Math.max(1, total)).toFixed(2)} % of the rest passed, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
