// `pnpm bench [name-filter]`: runs every benchmark file (packages/*/bench/*.bench.ts,
// apps/*/bench/*.bench.ts) one after another, so their timings do not compete.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const filter = process.argv[2];
const files: string[] = [];
for (const group of ['packages', 'apps']) {
  for (const pkg of readdirSync(resolve(root, group))) {
    const dir = resolve(root, group, pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.bench.ts')) files.push(resolve(dir, f));
    }
  }
}
let failures = 0;
for (const file of files) {
  if (filter && !file.includes(filter)) continue;
  console.log(`\n=== ${file.slice(root.length + 1)} ===`);
  const run = spawnSync(resolve(root, 'node_modules/.bin/tsx'), ['--conditions=source', file], {
    cwd: resolve(file, '../..'),
    stdio: 'inherit',
  });
  if (run.status !== 0) failures += 1;
}
process.exit(failures === 0 ? 0 : 1);
