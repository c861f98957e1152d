import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { candidates, loadSnapshot, readSlots } from '../src/format/reader.js';
import { FileBlockDevice } from '../src/index.js';
import { openRig } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'vmmap-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('phantasm-disk', () => {
  it('formats, describes and checks an image', () => {
    const image = join(dir, 'a.img');
    expect(run('format', image, '--pages', '256').code).toBe(0);
    // Put a snapshot with data on it.
    const dev = new FileBlockDevice(image);
    const { space, mmu } = openRig(dev, { frames: 32 });
    mmu.write(0x8000_0000 + 10 * 4096, new Uint8Array([1, 2, 3]));
    space.snapshot(new Uint8Array(100));
    space.close();
    dev.close();

    const info = run('info', image);
    expect(info.code).toBe(0);
    expect(info.out).toMatch(/generation 2, committed .*object space 0x80000000 \+ 256 pages \(1 MiB\)/);
    expect(info.out).toMatch(/generation 2: 1 pages stored, 255 zero pages/);
    const check = run('fsck', image);
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/result: clean/);
    expect(run('format', image, '--pages', '8').code).toBe(1);
    expect(run('format', image, '--pages', '8', '--force').code).toBe(0);
  });

  it('fsck --repair rolls a damaged newest snapshot back and exits 0', () => {
    const image = join(dir, 'damaged.img');
    expect(run('format', image, '--pages', '64').code).toBe(0);
    const dev = new FileBlockDevice(image);
    const { space, mmu } = openRig(dev, { frames: 32 });
    for (let s = 1; s <= 2; s++) {
      mmu.write(0x8000_0000 + s * 4096, new Uint8Array([s]));
      space.snapshot();
    }
    space.close();
    const [newest] = candidates(readSlots(dev));
    const victim = loadSnapshot(dev, newest.slot, newest.superblock).metaBlocks[0];
    const buf = new Uint8Array(4096);
    dev.read(victim, buf);
    buf[0] ^= 0x80;
    dev.write(victim, buf);
    dev.flush();
    dev.close();
    const before = run('fsck', image);
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/error: the newest snapshot \(generation 3\) is damaged/);
    const fixed = run('fsck', image, '--repair');
    expect(fixed.code).toBe(0);
    expect(fixed.out).toMatch(/repaired: .*committed generation 2 again as generation 5/);
    expect(run('fsck', image).code).toBe(0);
  });

  it('exits 2 on an untrusted disk and 64 on bad usage', () => {
    const junk = join(dir, 'junk.img');
    const d = new FileBlockDevice(junk);
    d.write(0, new Uint8Array(4096).fill(0x41));
    d.close();
    const r = run('fsck', junk);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no valid superblock/);
    expect(run('frobnicate', junk).code).toBe(64);
    expect(run('format', join(dir, 'b.img')).code).toBe(64);
    expect(run('info', join(dir, 'missing.img')).code).toBe(1);
    expect(run().code).toBe(64);
  });

  it('runs as a command', () => {
    const pkg = resolve(import.meta.dirname, '..');
    const image = join(dir, 'c.img');
    const r = spawnSync(
      resolve(pkg, '../../node_modules/.bin/tsx'),
      ['--conditions=source', 'src/cli.ts', 'format', image, '--pages', '16'],
      {
        cwd: pkg,
        encoding: 'utf8',
      },
    );
    expect(r.stdout).toMatch(/formatted .*16 pages/);
    expect(r.status).toBe(0);
  });
});
