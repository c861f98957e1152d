// A longer differential sweep against a live QEMU: PHANTASM_FPU_QEMU_SEEDS=N generates random.S and
// words.S for seeds 1..N (gen-random.ts / gen-words.ts), builds them with mipsel-linux-gnu-gcc, runs
// each under `qemu-system-mipsel -M malta -cpu 24Kf` and on the plain interpreter, and requires
// identical output. Opt-in (tens of seconds per seed); skipped plainly without the variable, the
// cross compiler or QEMU.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstDifferences, runFpuElf } from './fpu-helpers.js';

const seeds = Number(process.env.PHANTASM_FPU_QEMU_SEEDS ?? 0);
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const tools = has('mipsel-linux-gnu-gcc') && has('qemu-system-mipsel');
if (seeds <= 0) console.log('skipped: the live QEMU sweep runs only with PHANTASM_FPU_QEMU_SEEDS=N');
else if (!tools) console.log('skipped: needs mipsel-linux-gnu-gcc and qemu-system-mipsel');

const programs = join(import.meta.dirname, 'fpu-programs');
const CFLAGS = (
  '-march=24kf -mhard-float -EL -O1 -ffreestanding -fno-builtin -nostdlib -static -mno-abicalls ' +
  '-fno-pic -G0 -modd-spreg -Wa,-mfp32'
).split(' ');

describe.skipIf(seeds <= 0 || !tools)('FPU against a live QEMU, fresh seeds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phantasm-fpu-sweep-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cases = Array.from({ length: seeds }, (_, k) => k + 1).flatMap((seed) =>
    ['random', 'words'].map((name) => [name, seed] as const),
  );

  it.each(cases)('%s, seed %i', { timeout: 300_000 }, (name, seed) => {
    const source = join(dir, `${name}-${seed}.S`);
    writeFileSync(source, execFileSync('npx', ['tsx', join(programs, `gen-${name}.ts`), String(seed)]));
    const elf = join(dir, `${name}-${seed}.elf`);
    execFileSync('mipsel-linux-gnu-gcc', [
      ...CFLAGS,
      '-T',
      join(programs, '../programs/link.ld'),
      '-Wl,--build-id=none',
      '-o',
      elf,
      join(programs, '../programs/start.S'),
      source,
      join(programs, `${name}-main.c`),
    ]);
    const log = join(dir, `${name}-${seed}.qemu.txt`);
    execFileSync('timeout', [
      '120',
      'qemu-system-mipsel',
      ...'-M malta -cpu 24Kf -m 64 -display none -nic none -no-reboot -monitor none'.split(' '),
      '-kernel',
      elf,
      '-serial',
      `file:${log}`,
    ]);
    const expected = readFileSync(log, 'latin1');
    expect(expected.endsWith('done\n')).toBe(true);
    const output = runFpuElf(elf, { fastPath: false });
    if (output !== expected) expect.fail(firstDifferences(output, expected));
  });
});
