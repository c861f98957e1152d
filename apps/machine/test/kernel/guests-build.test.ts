// The committed guest images (guests/bin/*.elf) are what guests/build.sh makes from the sources,
// byte for byte. Needs Debian's gcc with -m32 code generation and GNU binutils; and since other
// compiler versions generate other code, the toolchain named in guests/bin/TOOLCHAIN.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const GUESTS = fileURLToPath(new URL('../../guests/', import.meta.url));

function run(command: string, args: string[], input?: string): { ok: boolean; out: string } {
  const r = spawnSync(command, args, { input, encoding: 'utf8', timeout: 120_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** Why the build cannot be checked here, or undefined when it can. */
function missingToolchain(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'phantasm-guests-'));
  try {
    const object = join(dir, 't.o');
    const cc = run(
      'gcc',
      ['-m32', '-march=i486', '-ffreestanding', '-c', '-x', 'c', '-', '-o', object],
      'int x = 1;\n',
    );
    if (!cc.ok) return `gcc -m32 cannot compile here (${cc.out.trim().split('\n')[0] || 'no gcc'})`;
    const ld = run('ld', ['-m', 'elf_i386', '-pie', '--no-dynamic-linker', '-o', join(dir, 't.elf'), object]);
    if (!ld.ok) return `ld -m elf_i386 cannot link here (${ld.out.trim().split('\n')[0] || 'no ld'})`;
    for (const tool of ['readelf', 'objdump']) {
      if (!run(tool, ['--version']).ok) return `${tool} (binutils) is missing`;
    }
    const here = `${run('gcc', ['--version']).out.split('\n')[0]}\n${run('ld', ['--version']).out.split('\n')[0]}\n`;
    const built = readFileSync(join(GUESTS, 'bin', 'TOOLCHAIN'), 'utf8');
    if (here !== built) {
      return `guests/bin was built with ${built.trim().replace('\n', ' + ')}, this machine has ${here.trim().replace('\n', ' + ')}`;
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const missing = missingToolchain();

describe(`guests/build.sh --check${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it.skipIf(missing !== undefined)('rebuilds every guest identical to the committed image', () => {
    const r = spawnSync('sh', [join(GUESTS, 'build.sh'), '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('guests: bin/ matches a fresh build');
    expect(r.status).toBe(0);
  });
});
