// `phantasm ia64 --kernel ELF`: the bare-metal board through the command line.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const SYSTEM = resolve(import.meta.dirname, '../../../../packages/cpu-ia64/test/system');
const LINUX_PROGRAM = resolve(
  import.meta.dirname,
  '../../../../packages/cpu-ia64/test/programs/elf/t_hello.elf',
);

describe('phantasm ia64', () => {
  it('prints the UART output and returns the exit port status', async () => {
    const r = await runCli(['ia64', '--kernel', resolve(SYSTEM, 'elf/sys_privop.elf')]);
    expect(r.stdout).toBe(readFileSync(resolve(SYSTEM, 'expected/sys_privop.txt'), 'latin1'));
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('stopped (exit)');
  });
  it('stops at --max-instructions with status 2', async () => {
    const r = await runCli([
      'ia64',
      '--kernel',
      resolve(SYSTEM, 'elf/sys_tlb.elf'),
      '--max-instructions',
      '50',
    ]);
    expect(r.status).toBe(2);
  });
  it('refuses a missing file, a Linux program outside RAM and bad options with status 64', async () => {
    expect((await runCli(['ia64', '--kernel', resolve(SYSTEM, 'nothing.elf')])).status).toBe(64);
    const r = await runCli(['ia64', '--kernel', LINUX_PROGRAM]);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('outside RAM');
    expect((await runCli(['ia64', '--kernel', LINUX_PROGRAM, '--memory', '0'])).status).toBe(64);
    expect((await runCli(['ia64', '--kernel', LINUX_PROGRAM, '--memory', '5000'])).status).toBe(64);
  });
});
