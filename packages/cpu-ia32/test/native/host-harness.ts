// Builds a C harness from test/ into a temporary directory and runs it: the host processor as an
// oracle (x87 and integer differential tests). Lines go in on stdin, answers come back a line each.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Host {
  run(lines: string[]): string[];
  dispose(): void;
}

/**
 * Compile `source` (named `name` in messages) with extra `ccFlags` (`-m32` for a 32-bit process)
 * and check that it starts; a reason string when that cannot be done here.
 */
export function buildHarness(source: string, name: string, ccFlags: string[] = []): Host | string {
  if (process.arch !== 'x64') return `host is ${process.arch}, not x86-64`;
  const dir = mkdtempSync(join(tmpdir(), `cpu-ia32-${name}-`));
  const exe = join(dir, `${name}-harness`);
  const fail = (reason: string) => {
    rmSync(dir, { recursive: true, force: true });
    return reason;
  };
  const cc = spawnSync('cc', [...ccFlags, '-O1', '-o', exe, source], { encoding: 'utf8' });
  if (cc.error) return fail(`no C compiler (cc: ${cc.error.message})`);
  if (cc.status !== 0) return fail(`cc ${ccFlags.join(' ')} failed: ${cc.stderr.trim().split('\n')[0]}`);
  // A host may link 32-bit programs but not run them (a hypervisor without IA-32 emulation).
  const probe = spawnSync(exe, [], { input: '', encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    return fail(
      `the built harness does not run here (${probe.error?.message ?? probe.stderr.trim() ?? probe.signal})`,
    );
  return {
    run(lines) {
      const r = spawnSync(exe, [], {
        input: `${lines.join('\n')}\n`,
        encoding: 'utf8',
        maxBuffer: 256 << 20,
      });
      if (r.status !== 0) throw new Error(`${name} harness failed: ${r.stderr}`);
      return r.stdout.trim().split('\n');
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
