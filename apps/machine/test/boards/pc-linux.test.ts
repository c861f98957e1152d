// Debian 12's 686 kernel with a busybox initramfs (scripts/build-initramfs-x86.ts) on the PC board,
// end to end as a user runs it: `phantasm pc --kernel vmlinuz-686 --initrd ... --append ...` as a
// child process (tsx, source condition), COM1 on its stdout and stdin. At the shell prompt the test
// types `uname -a; grep -c processor /proc/cpuinfo; echo done`, checks the answers, types
// `poweroff -f`, and the CLI must exit with status 0 after the guest halts.
// The prompt comes after 2.75 G instructions (v86 counts 2.71 G for the same boot; ~2.25 G of it is
// the kernel's xz self-decompression). A child process, not the board in this test's own process:
// vitest's module runner made the emulator 2.7-3.5x slower than the same code under tsx (see
// vitest.shared.ts). The block compiler runs at threshold 16000 (PHANTASM_PC_LINUX_JIT overrides,
// `off` for the interpreter alone): the xz loops compile, the kernel's wide, rarely repeated init
// code stays interpreted (threshold 512 spent 134 s CPU there against the interpreter's 36 s).
// Host CPU to the prompt in the CLI: 65 s at 65000, 139 s interpreter alone (README, Linux on the PC).
// Skipped plainly without the shared images, or with PHANTASM_PC_LINUX=0.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findShared, missingMessage } from '@phantasm/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBusyboxInitramfs } from '../../src/boards/malta/initramfs.js';

const KERNEL = 'images/x86/vmlinuz-686';
const BUSYBOX = 'images/x86/busybox-i386';
const kernel = findShared(KERNEL);
const busybox = findShared(BUSYBOX);
const disabled = process.env.PHANTASM_PC_LINUX === '0';
/** The compiler setting for this boot, in PHANTASM_IA32_JIT's syntax. */
const JIT = process.env.PHANTASM_PC_LINUX_JIT ?? '16000';
const PROMPT = 'phantasm# ';
const pkg = resolve(import.meta.dirname, '../..');
const TSX_LOADER = pathToFileURL(resolve(pkg, '../../node_modules/tsx/dist/loader.mjs')).href;

if (!kernel) console.log(`skipped: ${missingMessage(KERNEL)}`);
else if (!busybox) console.log(`skipped: ${missingMessage(BUSYBOX)}`);
else if (disabled) console.log('skipped: PHANTASM_PC_LINUX=0');

/** Host CPU seconds a live process has used so far (Linux /proc), or undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
  } catch {
    return undefined;
  }
}

/** The CLI as a child: its console output so far, waits for text in it, and its exit. */
class Cli {
  stdout = '';
  stderr = '';
  readonly exit: Promise<number | null>;
  private waiter: (() => void) | undefined;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d) => {
      this.stdout += d;
      this.waiter?.();
    });
    child.stderr!.on('data', (d) => {
      this.stderr += d;
    });
    child.stdin!.on('error', () => {});
    this.exit = new Promise((done) => {
      child.on('close', (status) => {
        done(status);
        this.waiter?.();
      });
    });
  }

  /** Resolves when stdout shows `text` at or after `from`; rejects if the CLI exits first. */
  until(text: string, from: number): Promise<void> {
    return new Promise((done, fail) => {
      const check = () => {
        if (this.stdout.indexOf(text, from) >= 0) {
          this.waiter = undefined;
          done();
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          this.waiter = undefined;
          fail(new Error(`the CLI ended before "${text}":\n${this.stdout.slice(-2000)}\n${this.stderr}`));
        }
      };
      this.waiter = check;
      check();
    });
  }

  type(text: string): void {
    this.child.stdin!.write(text);
  }
}

describe.skipIf(!kernel || !busybox || disabled)('Debian 12 Linux (686) on the PC board', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phantasm-pc-linux-'));
  let cli: Cli | undefined;
  afterAll(() => {
    cli?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('`phantasm pc --kernel` boots to a shell on ttyS0, answers uname and /proc/cpuinfo, and powers off', {
    timeout: 900_000,
  }, async () => {
    const initrd = join(dir, 'initramfs.cpio.gz');
    writeBusyboxInitramfs(busybox!, initrd);
    const args = ['--kernel', kernel!, '--initrd', initrd, '--append', 'console=ttyS0 cryptomgr.notests'];
    const started = performance.now();
    cli = new Cli(
      spawn(
        process.execPath,
        ['--import', TSX_LOADER, '--conditions=source', 'src/cli/main.ts', 'pc', '--memory', '128', ...args],
        { cwd: pkg, env: { ...process.env, PHANTASM_IA32_JIT: JIT }, stdio: ['pipe', 'pipe', 'pipe'] },
      ),
    );
    // cryptomgr.notests: the crypto manager's self-tests are ~2.5 G instructions of big-number
    // arithmetic (QEMU reaches init at 1.65 s guest time with it, 12.9 s without)
    await cli.until(PROMPT, 0);
    const cpu = cpuSeconds(cli.child.pid);
    console.log(
      `PC Linux (block compiler ${JIT}): shell prompt after ${((performance.now() - started) / 1000).toFixed(1)} s wall` +
        (cpu === undefined ? '' : `, ${cpu.toFixed(1)} s host CPU in the CLI`),
    );
    expect(cli.stdout).toContain('Linux version 6.1.0');
    const mark = cli.stdout.length;
    cli.type('uname -a; grep -c processor /proc/cpuinfo; echo done\n');
    await cli.until('\r\ndone\r\n', mark);
    const answer = cli.stdout.slice(mark);
    expect(answer).toMatch(/Linux \S+ 6\.1\.0-\S+-686 #1 SMP .* i686 GNU\/Linux/);
    expect(answer).toMatch(/\r\n1\r\n/);
    cli.type('poweroff -f\n');
    const status = await cli.exit;
    console.log(cli.stderr.trim().split('\n').at(-1));
    expect(status, `${cli.stdout.slice(-1000)}\n${cli.stderr}`).toBe(0);
    expect(cli.stderr).toMatch(/stopped \(halted\) after \d+ instructions/);
  });
});
