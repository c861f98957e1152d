// `phantasm malta` end to end, in-process: a guest's power-off is exit 0, a limit before it is
// exit 2, a kernel that is no MIPS ELF is a usage error (64), and the serial console is on stdout.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../cli/run-cli.js';
import { echoProgram, powerOffProgram } from './helpers.js';

const programs = fileURLToPath(new URL('../../../../packages/cpu-mips32/test/programs/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'phantasm-malta-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('phantasm malta', () => {
  it('prints the serial console and exits 0 when the guest powers off through the PIIX4', async () => {
    const kernel = join(dir, 'poweroff.elf');
    writeFileSync(kernel, powerOffProgram('bye\n'));
    const run = await runCli(['malta', '--kernel', kernel, '--memory', '16', '--timeout', '60']);
    expect(run.stdout).toBe('bye\n');
    expect(run.stderr).toMatch(/stopped \(poweroff\) after \d+ instructions/);
    expect(run.status).toBe(0);
  });

  it('types piped stdin on the serial console once the guest has the port open', async () => {
    const kernel = join(dir, 'echo.elf');
    writeFileSync(kernel, echoProgram('q'));
    let stdout = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      stdout += String(s);
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const stdin = Readable.from(['hello\n', 'q']) as unknown as NodeJS.ReadStream;
      const status = await main(['malta', '--kernel', kernel, '--memory', '16', '--timeout', '60'], {
        stdin,
      });
      expect(status).toBe(0);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(stdout).toBe('hello\rq'); // a newline from a pipe is Enter (CR), as typed
  });

  it('exits 2 when --max-instructions ends the run first (a program that resets forever)', async () => {
    const run = await runCli(['malta', '--kernel', `${programs}alu.elf`, '--max-instructions', '3000000']);
    expect(run.stdout).toContain('done');
    expect(run.stderr).toMatch(/stopped \(max-instructions\) after 3000000 instructions/);
    expect(run.status).toBe(2);
  });

  it('refuses a kernel that is not a MIPS ELF (64) and a missing file (64)', async () => {
    const bad = join(dir, 'bad.elf');
    writeFileSync(bad, 'not an elf');
    const run = await runCli(['malta', '--kernel', bad]);
    expect(run.status).toBe(64);
    expect(run.stderr).toContain('MaltaBootError: kernel is not an ELF file');
    expect((await runCli(['malta', '--kernel', join(dir, 'none')])).status).toBe(64);
    expect((await runCli(['malta'])).status).toBe(64);
    expect((await runCli(['malta', '--kernel', bad, '--memory', '300'])).status).toBe(64);
  });
});
