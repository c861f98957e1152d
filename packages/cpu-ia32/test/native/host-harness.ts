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

/** Compile `source` (named `name` in messages); a reason string when that cannot be done here. */
export function buildHarness(source: string, name: string): Host | string {
  if (process.arch !== 'x64') return `host is ${process.arch}, not x86-64`;
  const dir = mkdtempSync(join(tmpdir(), `cpu-ia32-${name}-`));
  const exe = join(dir, `${name}-harness`);
  const cc = spawnSync('cc', ['-O1', '-o', exe, source], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return cc.error
      ? `no C compiler (cc: ${cc.error.message})`
      : `cc failed: ${cc.stderr.trim().split('\n')[0]}`;
  }
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
