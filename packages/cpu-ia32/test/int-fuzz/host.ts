// Builds and runs test/int-fuzz/harness.c (the host processor as the integer oracle).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCE = join(import.meta.dirname, 'harness.c');

export interface Host {
  run(lines: string[]): string[];
  dispose(): void;
}

/** Compile the harness into a temporary directory; a reason string when that cannot be done here. */
export function buildHost(): Host | string {
  if (process.arch !== 'x64') return `host is ${process.arch}, not x86-64`;
  const dir = mkdtempSync(join(tmpdir(), 'cpu-ia32-int-'));
  const exe = join(dir, 'int-harness');
  const cc = spawnSync('cc', ['-O1', '-o', exe, SOURCE], { encoding: 'utf8' });
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
      if (r.status !== 0) throw new Error(`integer harness failed: ${r.stderr}`);
      return r.stdout.trim().split('\n');
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
