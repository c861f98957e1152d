// kvm-unit-tests through `phantasm pc --kernel X.flat`, as the suite's run script uses QEMU: the
// test log on COM1 and the exit status from isa-debug-exit ((code << 1) | 1: 1 = all passed).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const images = new URL('kvm-unit-tests/images/', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'phantasm-kut-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('phantasm pc --kernel (kvm-unit-tests)', () => {
  it('setjmp.flat passes its 10 reports and exits with status 1', async () => {
    const serial = join(dir, 'setjmp.txt');
    const kernel = new URL('setjmp.flat', images).pathname;
    const r = await runCli([
      'pc',
      '--kernel',
      kernel,
      '--memory',
      '128',
      '--serial',
      serial,
      '--timeout',
      '60',
    ]);
    expect(r.status).toBe(1);
    const log = readFileSync(serial, 'latin1');
    expect(log).toContain('SUMMARY: 10 tests\r\n');
    expect(log).not.toContain('FAIL');
    expect(r.stderr).toContain('stopped (exit)');
  });

  it('a Linux option without a bzImage is a usage error', async () => {
    const kernel = new URL('setjmp.flat', images).pathname;
    const r = await runCli(['pc', '--kernel', kernel, '--append', 'console=ttyS0']);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('--initrd and --append need a Linux (bzImage) --kernel');
  });
});
