// Proves that packages are publishable on their own: build, `pnpm pack`, then a plain
// `npm install <tarball>` in an empty folder and an import of the installed package.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'phantasm-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** pnpm pack rewrites `workspace:^` into real version ranges, which npm pack would not. */
function pnpm(args: string[], cwd: string): string {
  const execPath = process.env.npm_execpath;
  if (execPath?.includes('pnpm')) {
    // pnpm 12 ships a native executable; older releases a JS entry point.
    return /\.[cm]?js$/.test(execPath)
      ? run(process.execPath, [execPath, ...args], cwd)
      : run(execPath, args, cwd);
  }
  return run('npx', ['-y', 'pnpm@12.4.2', ...args], cwd);
}

function buildAndPack(dir: string): string {
  const pkgDir = resolve(root, dir);
  run(resolve(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], pkgDir);
  const destination = mkdtempSync(join(work, 'pack-'));
  pnpm(['pack', '--pack-destination', destination], pkgDir);
  const tarball = readdirSync(destination).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack produced no tarball for ${dir}`);
  return join(destination, tarball);
}

describe('pnpm pack yields packages a plain npm install can use', () => {
  it('@phantasm/mmu installs from its tarball and works', () => {
    const tarball = buildAndPack('packages/mmu');
    const app = join(work, 'app-mmu');
    run('mkdir', ['-p', app], work);
    writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","type":"module"}');
    run('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], app);
    writeFileSync(
      join(app, 'main.js'),
      `import { PhysicalMemory } from '@phantasm/mmu';
       const m = new PhysicalMemory({ ramSize: 1 << 20 });
       m.write32(0x1000, 0xdeadbeef);
       console.log(m.read32(0x1000).toString(16), m.read8(0x1003).toString(16), m.read32(0x7ffffff0).toString(16));`,
    );
    expect(run('node', ['main.js'], app).trim()).toBe('deadbeef de ffffffff');
  });

  it('@phantasm/aspace installs with its @phantasm/mmu dependency rewritten from workspace:^', () => {
    const mmu = buildAndPack('packages/mmu');
    const aspace = buildAndPack('packages/aspace');
    const app = join(work, 'app-aspace');
    run('mkdir', ['-p', app], work);
    writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","type":"module"}');
    run('npm', ['install', '--no-audit', '--no-fund', '--offline', mmu, aspace], app);
    writeFileSync(
      join(app, 'main.js'),
      `import { AddressSpaceAllocator } from '@phantasm/aspace';
       const space = AddressSpaceAllocator.forArch('ia32');
       console.log(space.alloc(4, { align: 0x10000 }).toString(16));`,
    );
    expect(run('node', ['main.js'], app).trim()).toBe('40000000');
  });
});
