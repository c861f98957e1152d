// `phantasm boot` end to end, as a user runs it: the CLI as a child process (tsx, source
// condition) with its data directory in a temporary XDG_DATA_HOME, keys piped in.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const pkg = resolve(import.meta.dirname, '../..');
const tsx = resolve(pkg, '../../node_modules/.bin/tsx');
const dataHome = mkdtempSync(join(tmpdir(), 'phantasm-e2e-'));
const disk = join(dataHome, 'phantasm', 'system.img');
afterAll(() => rmSync(dataHome, { recursive: true, force: true }));

interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Finished>; stderr: () => string } {
  const child = spawn(tsx, ['--conditions=source', 'src/cli/main.ts', ...args], {
    cwd: pkg,
    // PHANTASM_SHARED points nowhere: the default system needs nothing outside the repository
    env: { ...process.env, XDG_DATA_HOME: dataHome, PHANTASM_SHARED: `${dataHome}/no-shared-data-here` },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<Finished>((resolveDone) => {
    child.on('close', (status, signal) => resolveDone({ status, signal, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}

function phantasm(args: string[], input: string): Promise<Finished> {
  const run = start(args);
  run.child.stdin!.end(input);
  return run.done;
}

describe('phantasm boot (child process)', () => {
  it('boots a fresh disk in the data directory, runs the piped keys, shuts down cleanly', async () => {
    const svg = join(dataHome, 'memmap.svg');
    const r = await phantasm(['--memmap', svg], 'set a 1\nget a\n');
    expect(r.stderr).toContain('(new: it will be formatted)');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kv> get a\r?\n1\r?\n/);
    expect(r.stderr).toMatch(/stage 7: object space \(vm-map\): formatted a fresh disk/);
    expect(r.stderr).toMatch(/stage 8: threads and scheduler: started kvshell/);
    expect(r.stderr).toMatch(/stopped: the input has ended .*; final snapshot \d+ committed/);
    expect(existsSync(disk)).toBe(true);
    const picture = readFileSync(svg, 'utf8');
    expect(picture).toContain('Phantasm memory map at exit');
    for (const owner of ['kernel-image', 'page-tables', 'kernel-heap', 'object-space', 'free']) {
      expect(picture).toContain(`data-owner="${owner}"`);
    }
  }, 120_000);

  it('resumes from the snapshot: the value is still there', async () => {
    const r = await phantasm(['boot'], 'get a\n');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/stage 7: object space \(vm-map\): restored snapshot generation \d+/);
    expect(r.stdout).toMatch(/get a\r?\n1\r?\n/);
  }, 120_000);

  it('inspects the disk at rest: clean, kvshell waiting for a key', async () => {
    const r = await phantasm(['inspect', disk], '');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('fsck: clean');
    expect(r.stdout).toMatch(/1 {4}kvshell {9}reading {3}0x8/);
  }, 60_000);

  it('takes a final snapshot on SIGTERM and exits 143', async () => {
    const run = start(['boot']);
    run.child.stdin!.write('set b 2\n'); // stdin stays open: only the signal ends it
    for (let i = 0; i < 600 && !run.stderr().includes('stage 8'); i++)
      await new Promise((r) => setTimeout(r, 50));
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.status, r.stderr).toBe(143);
    expect(r.stderr).toMatch(/stopped: SIGTERM; final snapshot \d+ committed/);
  }, 120_000);

  it('refuses a file that is no Phantasm disk in one line, exit 1', async () => {
    const r = await phantasm(['boot', '--disk', resolve(pkg, 'README.md')], '');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^phantasm: BootError: .*README\.md is not a Phantasm disk \(no vm-map superblock\)/m,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);
});
