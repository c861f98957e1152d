// The OPFS block device over an in-memory stand-in for FileSystemSyncAccessHandle (same calls,
// same short-read-at-the-end behaviour): the Phantasm system boots on it, keeps a key through a
// shutdown and a reopen of the "file", and the device refuses what vm-map must never ask.
import { PhantasmSystem, renderMemoryMapSvg } from '@phantasm/machine/browser';
import { BlockDeviceError } from '@phantasm/vm-map';
import { describe, expect, it } from 'vitest';
import { memoryMapHtml } from '../src/page/memmap-panel.js';
import type { MemoryMapMessage } from '../src/protocol.js';
import { OpfsBlockDevice, type SyncAccessHandle } from '../src/worker/opfs-device.js';

/** A growable file with the sync access handle's calls. */
class MemoryHandle implements SyncAccessHandle {
  bytes = new Uint8Array(0);
  flushes = 0;
  closed = false;

  read(buffer: Uint8Array, { at }: { at: number }): number {
    this.live();
    const n = Math.max(0, Math.min(buffer.length, this.bytes.length - at));
    buffer.set(this.bytes.subarray(at, at + n));
    return n;
  }

  write(buffer: Uint8Array, { at }: { at: number }): number {
    this.live();
    if (at + buffer.length > this.bytes.length) {
      const grown = new Uint8Array(at + buffer.length);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(buffer, at);
    return buffer.length;
  }

  flush(): void {
    this.live();
    this.flushes++;
  }

  getSize(): number {
    return this.bytes.length;
  }

  close(): void {
    this.closed = true;
  }

  /** The same file opened again (a new tab). */
  reopen(): MemoryHandle {
    const again = new MemoryHandle();
    again.bytes = this.bytes.slice();
    return again;
  }

  private live(): void {
    if (this.closed) throw new Error('InvalidStateError: the handle is closed');
  }
}

function runUntil(system: PhantasmSystem, text: string, from: number): string {
  for (let spent = 0; !system.consoleText.slice(from).includes(text); ) {
    const r = system.run({ maxInstructions: 2_000_000, untilConsole: text, consoleFrom: from });
    spent += r.instructions;
    if ((r.stop === 'idle' && system.pendingKeys === 0) || spent > 200_000_000) break;
  }
  return system.consoleText.slice(from);
}

function command(system: PhantasmSystem, line: string): string {
  const from = system.consoleText.length;
  system.typeKeys(`${line}\r`);
  return runUntil(system, 'kv> ', from);
}

describe('OpfsBlockDevice', () => {
  it('carries the Phantasm system: a key set before shutdown is there after the file is reopened', () => {
    const handle = new MemoryHandle();
    const disk = new OpfsBlockDevice(handle, 'test.img');
    expect(disk.blockCount).toBe(0);
    const system = PhantasmSystem.boot({ disk, memoryMiB: 16, snapshotIntervalMs: 0 });
    expect(system.fresh).toBe(true);
    expect(runUntil(system, 'kv> ', 0)).toContain('Phantasm key-value shell');
    expect(command(system, 'set colour sea green')).toContain('ok');

    // the panel's tables name every physical owner the report has, and carry the SVG picture
    const report = system.memoryMap();
    const stats = system.kernel.space.stats;
    const message: MemoryMapMessage = {
      type: 'memmap',
      report,
      svg: renderMemoryMapSvg(report),
      space: { ...stats, pages: system.kernel.space.pageCount, generation: system.kernel.space.generation },
    };
    const html = memoryMapHtml(message);
    for (const r of report.physical) expect(html).toContain(`<th>${r.owner}</th>`);
    expect(html).toContain('<th>copied during a snapshot</th>');
    expect(html).toContain('<svg');

    const final = system.shutdown();
    disk.close();
    expect(handle.closed).toBe(true);
    expect(handle.flushes).toBeGreaterThan(0);
    expect(disk.blockCount).toBe(Math.ceil(handle.bytes.length / 4096));

    const again = PhantasmSystem.boot({
      disk: new OpfsBlockDevice(handle.reopen(), 'test.img'),
      memoryMiB: 16,
      snapshotIntervalMs: 0,
    });
    expect(again.fresh).toBe(false);
    expect(again.kernel.space.generation).toBe(final.generation);
    expect(command(again, 'get colour')).toContain('sea green');
    again.shutdown();
  });

  it('reads never-written blocks past the end of the file as zeros', () => {
    const handle = new MemoryHandle();
    const disk = new OpfsBlockDevice(handle, 'z.img');
    const block = new Uint8Array(4096).fill(7);
    disk.write(2, block);
    expect(disk.blockCount).toBe(3);
    const into = new Uint8Array(4096).fill(0xff);
    disk.read(5, into);
    expect(into.every((b) => b === 0)).toBe(true);
    disk.read(2, into);
    expect(into.every((b) => b === 7)).toBe(true);
    disk.read(0, into);
    expect(into.every((b) => b === 0)).toBe(true);
  });

  it('writes a run of blocks in one request', () => {
    const handle = new MemoryHandle();
    const disk = new OpfsBlockDevice(handle, 'r.img');
    const run = new Uint8Array(3 * 4096);
    for (let i = 0; i < 3; i++) run.fill(i + 1, i * 4096, (i + 1) * 4096);
    disk.writeRun(1, run);
    expect(disk.blockCount).toBe(4);
    expect(handle.bytes[4096]).toBe(1);
    expect(handle.bytes[3 * 4096 + 4095]).toBe(3);
  });

  it('refuses wrong buffer sizes, bad block numbers and use after close with BlockDeviceError', () => {
    const disk = new OpfsBlockDevice(new MemoryHandle(), 'bad.img');
    expect(() => disk.read(0, new Uint8Array(512))).toThrow(BlockDeviceError);
    expect(() => disk.write(-1, new Uint8Array(4096))).toThrow(BlockDeviceError);
    expect(() => disk.write(1.5, new Uint8Array(4096))).toThrow(/not a block number/);
    expect(() => disk.writeRun(0, new Uint8Array(4097))).toThrow(/not a positive multiple of 4096/);
    disk.close();
    expect(() => disk.flush()).toThrow(/bad.img: flush after close/);
    expect(() => disk.read(0, new Uint8Array(4096))).toThrow(BlockDeviceError);
  });
});
