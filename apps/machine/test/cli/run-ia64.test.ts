// `phantasm run --arch ia64`: a committed cpu-ia64 test program through the CLI.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const PROGRAMS = resolve(import.meta.dirname, '../../../../packages/cpu-ia64/test/programs/elf');

describe('phantasm run --arch ia64', () => {
  it('runs a static Linux/ia64 program and returns its exit status', async () => {
    const r = await runCli(['run', '--arch', 'ia64', resolve(PROGRAMS, 't_hello.elf'), 'x']);
    expect(r.stdout).toBe('0123456789abcdef\nffffffffffffffff\n');
    expect(r.status).toBe(0);
  });
  it('refuses other architectures and non-ELF files with a usage error', async () => {
    expect((await runCli(['run', '--arch', 'mips', resolve(PROGRAMS, 't_hello.elf')])).status).toBe(64);
    const r = await runCli(['run', '--arch', 'ia64', resolve(PROGRAMS, '../build.sh')]);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('not an ELF file');
  });
  it('stops at --max-instructions with status 2', async () => {
    const r = await runCli([
      'run',
      '--arch',
      'ia64',
      '--max-instructions',
      '50',
      resolve(PROGRAMS, 't_recursion.elf'),
    ]);
    expect(r.status).toBe(2);
  });
});
