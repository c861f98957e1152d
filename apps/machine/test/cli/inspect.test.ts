import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDiskReport } from '../../src/cli/disk-report.js';
import { InspectError } from '../../src/cli/errors.js';
import { loadMachineState } from '../../src/persist/machine-state.js';
import { PersistentPc } from '../../src/persist/persistent-pc.js';
import { diskWithSnapshots, freshDisk, kernelState, newestSlot, SPACE_PAGES, scribble } from './disks.js';
import { type CliRun, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'phantasm-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inspect(...argv: string[]): Promise<CliRun> {
  return runCli(['inspect', ...argv]);
}

function path(name: string): string {
  return join(dir, name);
}

describe('phantasm inspect', () => {
  it('describes a fresh disk: generation 1, no kernel state, nothing stored', async () => {
    freshDisk(path('fresh.img'));
    const r = await inspect(path('fresh.img'));
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('superblock slot 1: generation 1');
    expect(r.stdout).toContain('superblock slot 0: unusable (empty (never written))');
    expect(r.stdout).toContain('fsck: clean');
    expect(r.stdout).toContain(`${SPACE_PAGES} pages (1 GiB); 0 pages on disk`);
    expect(r.stdout).toContain('kernel state: none yet');
  });

  it('lists the guests of the newest snapshot with pc, exit status and kill reason', async () => {
    diskWithSnapshots(path('state.img'), [kernelState(1e9), kernelState(2.5e9)]);
    const r = await inspect(path('state.img'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('resumes from: generation 3');
    expect(r.stdout).toContain('3 pages on disk (12 KiB)');
    expect(r.stdout).toContain('resident 0, dirty 0 (a disk at rest has nothing in RAM)');
    expect(r.stdout).toContain(
      'kernel state: uptime 2.50 s, next tid 4, persistent heap 0x90000000 + 768 MiB',
    );
    expect(r.stdout).toMatch(/1 {4}kvshell {9}reading {3}0x800006be\n/);
    expect(r.stdout).toMatch(/2 {4}counter "5" {5}exited {4}0x80400100 {2}exit status 7\n/);
    expect(r.stdout).toContain('killed: page fault (null pointer)');
  });

  it('gives the same facts as JSON, and draws the memory map at rest', async () => {
    const svg = path('rest.svg');
    const r = await inspect(path('state.img'), '--json', '--memmap', svg);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.snapshot).toMatchObject({ generation: 3, fellBack: false });
    expect(json.objectSpace).toEqual({
      base: 0x8000_0000,
      pages: SPACE_PAGES,
      storedPages: 3,
      residentPages: 0,
      dirtyPages: 0,
    });
    expect(json.guests.map((g: { tid: number; pc: number }) => [g.tid, g.pc])).toEqual([
      [1, 0x8000_06be],
      [2, 0x8040_0100],
      [3, 0x8080_0042],
    ]);
    expect(json.guests[2]).toMatchObject({ status: 'killed', killedFor: 'page fault (null pointer)' });
    const picture = readFileSync(svg, 'utf8');
    expect(picture).toContain('3 pages stored on disk (generation 3)');
    expect(picture).toContain('kvshell (tid 1, reading)');
    expect(r.stderr).toContain(`memory map written to ${svg}`);
  });

  it('passes over a torn newest superblock (an interrupted commit): the older snapshot, a warning, exit 0', async () => {
    diskWithSnapshots(path('torn.img'), [kernelState(1e9), kernelState(2e9)]);
    scribble(path('torn.img'), newestSlot(path('torn.img')) * 4096 + 200, new Uint8Array([1, 2, 3]));
    const r = await inspect(path('torn.img'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/unusable \(checksum mismatch .*torn or damaged\)/);
    expect(r.stdout).toContain('resumes from: generation 2');
    expect(r.stdout).toContain('kernel state: uptime 1.00 s');
    expect(r.stdout).toMatch(/fsck: clean, 1 warning\(s\)\n {2}warning: only one superblock is usable/);
  });

  it('falls back past a truncated newest snapshot: report printed, fsck error, exit 1', async () => {
    diskWithSnapshots(path('short.img'), [kernelState(1e9)]);
    truncateSync(path('short.img'), 2 * 4096);
    const r = await inspect(path('short.img'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/resumes from: generation 1, .* \(fell back: generation 2 .*checksum mismatch/);
    expect(r.stdout).toMatch(
      /fsck: 1 error\(s\)\n {2}error: the newest snapshot \(generation 2\) is damaged/,
    );
    expect(r.stdout).toContain('kernel state: none yet');
  });

  it('refuses a disk with no intact snapshot (exit 2), damaged or truncated, in one line', async () => {
    diskWithSnapshots(path('both.img'), [kernelState(1e9)]);
    scribble(path('both.img'), 200, new Uint8Array([9]));
    scribble(path('both.img'), 4096 + 200, new Uint8Array([9]));
    const both = await inspect(path('both.img'));
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(
      /^phantasm: inspect: .*both\.img: the disk cannot be trusted: no valid superblock/,
    );
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
    expect(both.stdout).toBe('');

    diskWithSnapshots(path('cut.img'), [kernelState(1e9), kernelState(2e9), kernelState(3e9)]);
    truncateSync(path('cut.img'), 2 * 4096);
    const cut = await inspect(path('cut.img'));
    expect(cut.status).toBe(2);
    expect(cut.stderr).toMatch(/cut\.img: the disk cannot be trusted: no snapshot on the disk is intact/);
    expect(cut.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says in one line when the file is missing, empty, foreign or holds another client state', async () => {
    const missing = await inspect(path('absent.img'));
    expect([missing.status, missing.stderr]).toEqual([
      1,
      `phantasm: inspect: ${path('absent.img')}: no such file\n`,
    ]);

    writeFileSync(path('empty.img'), '');
    expect((await inspect(path('empty.img'))).stderr).toMatch(/empty file, not a Phantasm disk yet/);

    writeFileSync(path('notes.txt'), 'these are not the blocks you are looking for\n'.repeat(400));
    const foreign = await inspect(path('notes.txt'));
    expect([foreign.status, foreign.stderr]).toEqual([
      1,
      `phantasm: inspect: ${path('notes.txt')}: not a Phantasm disk (no vm-map superblock)\n`,
    ]);

    diskWithSnapshots(path('other.img'), ['{"format":"someone-else"}']);
    const other = await inspect(path('other.img'));
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/a vm-map disk, but not a Phantasm system disk: .*foreign client state\n$/);

    expect(() => readDiskReport(dir)).toThrow(InspectError);
  });

  describe('machine states of phantasm pc', () => {
    const fixture = () =>
      new Uint8Array(readFileSync(new URL('../persist/fixtures/misctest-v1.state', import.meta.url)));

    it('describes a portable state: memory, disks, device versions, where the run was, its screen', async () => {
      writeFileSync(path('misctest.state'), fixture());
      const r = await inspect(path('misctest.state'));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^machine state .*misctest\.state: [\d.]+ KiB, checksum sound$/m);
      expect(r.stdout).toContain('machine: PC, 4 MiB RAM');
      expect(r.stdout).toContain('portable (RAM and disks inside)');
      expect(r.stdout).toMatch(/^run: instruction \d+, [\d.]+ s virtual$/m);
      expect(r.stdout).toMatch(/^disk fda: floppy, /m);
      expect(r.stdout).toMatch(/^devices: board v1, clock v1, cpu v1, /m);
      const json = JSON.parse((await inspect(path('misctest.state'), '--json')).stdout);
      expect(json.format).toBe('portable machine state');
      expect(json.machine.memoryMiB).toBe(4);
      expect(json.machine.devices.map((d: { name: string }) => d.name)).toContain('cpu');
    });

    it('describes a --state file: vm-map slots and fsck as for a disk, then the machine of its snapshot', async () => {
      const board = loadMachineState(fixture());
      const pc = PersistentPc.open(path('pc.state'), { create: () => board });
      const instructions = board.cpu.instructions;
      pc.close();
      const r = await inspect(path('pc.state'));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('fsck: clean');
      expect(r.stdout).toMatch(/guest RAM pages 0–1023, then the disks/);
      expect(r.stdout).toContain('snapshot (RAM and disks in the pages)');
      expect(r.stdout).toContain(`run: instruction ${instructions},`);
      expect(r.stdout).toMatch(/^disk fda: floppy, .* at page 1024$/m);
      expect(r.stdout).not.toContain('kernel state');
      const json = JSON.parse((await inspect(path('pc.state'), '--json')).stdout);
      expect(json.machine.kind).toBe('snapshot');
      expect(json.fsck.clean).toBe(true);
    });

    it('refuses a damaged or truncated portable state in one line', async () => {
      const bytes = fixture();
      bytes[bytes.length - 10] ^= 0xff;
      writeFileSync(path('damaged.state'), bytes);
      const damaged = await inspect(path('damaged.state'));
      expect([damaged.status, damaged.stderr]).toEqual([
        1,
        `phantasm: inspect: ${path('damaged.state')}: damaged (payload checksum does not match)\n`,
      ]);
      writeFileSync(path('short.state'), fixture().subarray(0, 100));
      const short = await inspect(path('short.state'));
      expect(short.status).toBe(1);
      expect(short.stderr).toMatch(/short\.state: truncated or padded/);
    });
  });
});
