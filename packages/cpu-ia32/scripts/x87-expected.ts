// Regenerates test/x87/expected/*.txt: fixed pseudo-random x87 cases and the host processor's
// answers (test/native/x87-harness.c). Run on an x86-64 host with a C compiler:
//   npx tsx --conditions=source packages/cpu-ia32/scripts/x87-expected.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseLine, Rng, randomCase, TRANSCENDENTAL, transcendentalCase } from '../test/x87/gen.js';
import { buildHost } from '../test/x87/host.js';

const built = buildHost();
if (typeof built === 'string') throw new Error(`cannot run the x87 harness here: ${built}`);
const host = built;
const out = join(import.meta.dirname, '..', 'test', 'x87', 'expected');
function write(name: string, lines: string[]): void {
  const answers = host.run(lines);
  writeFileSync(join(out, name), `${lines.map((l, i) => `${l}\n${answers[i]}`).join('\n\n')}\n`);
  console.log(`${name}: ${lines.length} cases`);
}
const r = new Rng(0x387);
write(
  'sequences.txt',
  Array.from({ length: 250 }, () => caseLine(randomCase(r, 4))),
);
write(
  'transcendentals.txt',
  TRANSCENDENTAL.flatMap((op) => {
    const t = new Rng(op * 0x10001);
    return Array.from({ length: 25 }, () => caseLine(transcendentalCase(t, op)));
  }),
);
host.dispose();
