import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../src/cli/screenshot.js';
import { runCli } from './run-cli.js';

const programs = new URL('../programs/', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'phantasm-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = runCli;

describe('phantasm CLI', () => {
  it('runs a multiboot kernel: COM1 to a file, exit status from port 0xF4, screen dumped', async () => {
    const serial = join(dir, 'serial.txt');
    const screen = join(dir, 'screen.txt');
    const kernel = new URL('mbhello.bin', programs).pathname;
    const r = await run([
      'pc',
      '--kernel',
      kernel,
      '--serial',
      serial,
      '--screen-dump',
      screen,
      '--memory',
      '16',
    ]);
    expect(r.status).toBe(85);
    expect(readFileSync(serial, 'utf8')).toMatch(
      /^Hello from a multiboot kernel, mem_upper=0x00003C00 KiB\n$/,
    );
    // the firmware's POST ran first (as SeaBIOS does before QEMU's multiboot ROM); the kernel drew nothing
    expect(readFileSync(screen, 'utf8')).toBe('Phantasm BIOS\nMemory: 16384 KiB\n');
    expect(r.stderr).toContain('stopped (exit)');
  });

  it('writes the VGA picture as PNG with --screenshot (the 80×25 text screen: 720×400)', async () => {
    const png = join(dir, 'shot.png');
    const r = await run(['pc', '--until-screen', 'No bootable disk', '--screenshot', png, '--timeout', '20']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`screenshot ${png}`);
    const picture = decodePng(readFileSync(png));
    expect([picture.width, picture.height]).toEqual([720, 400]);
    // the BIOS banner is drawn: some pixels are light grey text on the black screen
    const lit = picture.rgba.filter((_, i) => i % 4 === 0 && picture.rgba[i] === 168).length;
    expect(lit).toBeGreaterThan(100);
  });

  it('exits 0 when --until-screen text appears and 2 when it does not', async () => {
    const ok = await run(['pc', '--until-screen', 'No bootable disk', '--timeout', '20']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('Phantasm BIOS');
    const missing = await run(['pc', '--until-screen', 'never shown', '--max-instructions', '200000']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('"never shown" did not appear on screen');
    expect(missing.stdout).toContain('No bootable disk.');
  });

  it.skipIf(!existsSync('/usr/share/seabios/bios.bin'))(
    'runs SeaBIOS with --bios and writes its banner to the --debugcon file',
    async () => {
      const log = join(dir, 'debugcon.txt');
      const r = await run([
        'pc',
        '--bios',
        '/usr/share/seabios/bios.bin',
        '--debugcon',
        log,
        '--max-instructions',
        '20000000',
      ]);
      expect(r.status).toBe(0);
      expect(readFileSync(log, 'utf8')).toMatch(/^SeaBIOS \(version [^)]+\)/);
      expect(r.stderr).toContain('offered through fw_cfg');
    },
  );

  it('reports usage errors and unreadable images with status 64', async () => {
    const bad = await run(['pc', '--memory', 'lots']);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain('UsageError: --memory needs a positive integer');
    const absent = await run(['pc', '--fda', join(dir, 'absent.img')]);
    expect(absent.status).toBe(64);
    expect(absent.stderr).toMatch(/--fda .*absent\.img: no such file/);
    const odd = join(dir, 'odd.img');
    writeFileSync(odd, new Uint8Array(1000));
    expect((await run(['pc', '--fda', odd])).stderr).toContain('DiskImageError');
    expect((await run(['machine'])).status).toBe(64);
  });
});
