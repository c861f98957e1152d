// The Phantasm system end to end, in-process: boot stages, the key-value shell through the PC
// keyboard, persistence across reboots and crashes, the hostile guest, the stress guest with less
// RAM than its working set, the memory map, and bad input.
import { existsSync, readFileSync } from 'node:fs';
import { BlockDeviceError, MemoryBlockDevice } from '@phantasm/vm-map';
import { describe, expect, it } from 'vitest';
import { ElfError } from '../../src/kernel/elf.js';
import { DiskFailure } from '../../src/kernel/kernel.js';
import { BootError, PhantasmSystem } from '../../src/kernel/system.js';
import { bootSystem, command, runUntil } from './helpers.js';

describe('the Phantasm system on IA-32', () => {
  it('boots through the eight stages to the key-value shell and keeps its data across a clean reboot', () => {
    const disk = new MemoryBlockDevice();
    const b = bootSystem(disk);
    expect(b.system.stages.map((s) => s.stage)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const s of b.system.stages) expect(Number.isFinite(s.ms)).toBe(true);
    expect(b.log.join('\n')).toMatch(/stage 2: BIOS services through vm86: int 15h E820: 3 entries/);
    expect(b.log.join('\n')).toMatch(/stage 4: kernel page tables: .* page 0 unmapped, CR0.WP set/);
    expect(b.log.join('\n')).toMatch(/stage 7: object space \(vm-map\): formatted a fresh disk/);
    runUntil(b, 'kv> ');
    expect(b.console()).toContain('Phantasm key-value shell (type help)');
    expect(command(b, 'set colour deep blue')).toContain('ok');
    expect(command(b, 'set answer 42')).toContain('ok');
    expect(command(b, 'get colour')).toContain('deep blue');
    expect(command(b, 'del answer')).toContain('deleted');
    expect(command(b, 'get answer')).toContain('(not found)');
    expect(command(b, 'bogus')).toContain('unknown command: bogus');
    // the screen shows the console too (VGA text through the aspace device window)
    expect(b.system.board.screenText()).toContain('kv> get colour');
    const final = b.system.shutdown();
    expect(final.generation).toBeGreaterThan(1);

    const again = bootSystem(disk);
    expect(again.log.join('\n')).toContain(`restored snapshot generation ${final.generation}`);
    expect(again.console()).not.toContain('Phantasm key-value shell'); // resumed, not restarted
    expect(command(again, 'get colour')).toContain('deep blue');
    expect(command(again, 'list')).toContain('(1 keys)');
  });

  it('after a crash resumes the counter exactly where the last snapshot left it', () => {
    const disk = new MemoryBlockDevice();
    const b = bootSystem(disk, { initial: [{ program: 'counter', arg: '10' }] });
    runUntil(b, 'counter: 30\n');
    const at = b.console().length;
    b.system.snapshotNow();
    const lastBefore = Number(/counter: (\d+)\n$/.exec(b.console().slice(0, at))![1]);
    runUntil(b, `counter: ${lastBefore + 25}\n`, at);
    // power loss: no shutdown, the object space is simply abandoned
    const again = bootSystem(disk);
    runUntil(again, 'counter: ');
    expect(again.console()).toMatch(new RegExp(`^counter: ${lastBefore + 1}\n`));
    expect(again.system.uptimeNs).toBeGreaterThan(0.29e9); // uptime continues from the snapshot
  });

  it('stops each forbidden action of the hostile guest with a message; the shell goes on', () => {
    const b = bootSystem(new MemoryBlockDevice(), {
      initial: [{ program: 'hostile' }, { program: 'kvshell' }],
    });
    const out = runUntil(b, 'hostile: all');
    expect(out).toContain('hostile: all 10 stopped');
    expect(out).toContain('hostile: 4 of 4 bad pointers refused');
    const stops = out.split('\n').filter((l) => l.includes('[kernel] guest hostile'));
    expect(stops).toHaveLength(10);
    for (const line of stops)
      expect(line).toMatch(/\[kernel\] guest hostile \(tid \d+\) stopped: .+ at eip 0x[0-9a-f]{8}$/);
    expect(out).toMatch(/stopped: page fault reading 0x00100000 \(kernel memory\) at eip 0x8/);
    expect(out).toMatch(/stopped: general protection fault \(error 0x0\): privileged instruction cli at eip/);
    expect(out).toMatch(
      /stopped: general protection fault \(error 0x0\): privileged instruction mov to a control register/,
    );
    expect(out).toMatch(/stopped: general protection fault \(error 0x0\): privileged instruction out at eip/);
    expect(out).toMatch(/stopped: page fault reading 0xc0000000 \(above the object space\)/);
    expect(out).toMatch(/stopped: page fault writing 0x00000000 \(null pointer\)/);
    expect(out).toMatch(/stopped: general protection fault \(error 0x10a\): int 0x21 is not a system call/);
    expect(out).toMatch(/stopped: divide error at eip/);
    expect(out).toMatch(/stopped: page fault reading 0x00100000 .* at eip 0x00100000/);
    runUntil(b, 'kv> ');
    expect(command(b, 'set still alive')).toContain('ok');
  });

  it('runs the stress guest whose working set is three times the 2 MiB of RAM (pages go to disk and back)', () => {
    const b = bootSystem(new MemoryBlockDevice(), {
      memoryMiB: 2,
      initial: [{ program: 'stress', arg: '6' }],
    });
    const out = runUntil(b, 'stress: done', 0, 1_000_000_000);
    expect(out).toContain('stress: done 6 MiB, 0 errors');
    expect(b.system.run({ maxInstructions: 1_000_000 }).stop).toBe('no-threads');
    expect(b.system.threads().find((t) => t.program === 'stress')).toMatchObject({
      status: 'exited',
      exitStatus: 0,
    });
    const stats = b.system.kernel.space.stats;
    expect(stats.evictions).toBeGreaterThan(1536); // 6 MiB of pages through 64 frames, several passes
    expect(stats.pageIns).toBeGreaterThan(1536);
  });

  it('refuses a request for more persistent memory than exists', () => {
    const b = bootSystem(new MemoryBlockDevice(), { initial: [{ program: 'stress', arg: '2000' }] });
    expect(runUntil(b, 'stress: palloc failed')).toContain('stress: palloc failed');
  });

  it('accounts for every byte of RAM in the memory map, by owner', () => {
    const b = bootSystem(new MemoryBlockDevice());
    runUntil(b, 'kv> ');
    const map = b.system.memoryMap();
    let at = 0;
    for (const r of map.physical) {
      expect(r.start).toBe(at);
      at = r.end;
    }
    expect(at).toBe(map.ramBytes);
    const owners = new Set(map.physical.map((r) => r.owner));
    for (const o of ['bios', 'vm86', 'kernel-image', 'page-tables', 'kernel-heap', 'object-space', 'free']) {
      expect(owners).toContain(o);
    }
    expect(map.virtual.find((r) => r.owner === 'device')?.start).toBe(0x4000_0000);
    expect(map.objectSpace.residentPages).toBeGreaterThan(0);
  });

  it('calls the BIOS through vm86 after boot and the guests carry on', () => {
    const b = bootSystem(new MemoryBlockDevice());
    runUntil(b, 'kv> ');
    expect(b.system.bios.call(0x12).eax & 0xffff).toBe(640); // int 12h: KiB of conventional memory
    expect(b.system.bios.e820().find((e) => e.base === 0x100000)?.length).toBe((16 << 20) - 0x100000);
    expect(command(b, 'set after bios')).toContain('ok');
    expect(command(b, 'get after')).toContain('bios');
  });
});

const SEABIOS = '/usr/share/seabios/bios.bin';

describe.skipIf(!existsSync(SEABIOS))('under SeaBIOS (Debian package seabios)', () => {
  it('POSTs SeaBIOS in stage 1, takes its E820 map through vm86 and reaches the shell', () => {
    const b = bootSystem(new MemoryBlockDevice(), { bios: new Uint8Array(readFileSync(SEABIOS)) });
    expect(b.log.join('\n')).toMatch(/stage 1: firmware POST: BIOS image/);
    runUntil(b, 'kv> ');
    expect(command(b, 'set firmware seabios')).toContain('ok');
    expect(command(b, 'get firmware')).toContain('seabios');
  });
});

describe('bad input', () => {
  it('a disk whose superblocks are damaged is refused with one clear line', () => {
    const disk = new MemoryBlockDevice();
    bootSystem(disk).system.shutdown();
    const block = new Uint8Array(4096);
    for (const b of [0, 1]) {
      disk.read(b, block);
      block[100] ^= 0xff;
      disk.write(b, block);
    }
    expect(() => bootSystem(disk)).toThrow(BootError);
    expect(() => bootSystem(disk)).toThrow(/the disk cannot be trusted/);
  });

  it('a disk of another space layout is refused', () => {
    const disk = new MemoryBlockDevice();
    const block = new Uint8Array(4096).fill(0x5a);
    disk.write(0, block);
    disk.write(1, block);
    expect(() => bootSystem(disk)).toThrow(BootError);
  });

  it('an invalid guest ELF is refused with an ElfError', () => {
    const options = {
      programs: [{ name: 'junk', image: new TextEncoder().encode('#!/bin/sh\necho not an ELF\n') }],
      initial: [{ program: 'junk' }],
    };
    expect(() => bootSystem(new MemoryBlockDevice(), options)).toThrow(ElfError);
  });

  it('boots with SystemOptions defaults apart from the disk', () => {
    const system = PhantasmSystem.boot({ disk: new MemoryBlockDevice(), snapshotIntervalMs: 0 });
    expect(system.board.memory.ramSize).toBe(64 << 20);
  });
});

/** A disk that holds at most `limit` blocks, as a full host disk would. */
class SmallDisk extends MemoryBlockDevice {
  constructor(private readonly limit: number) {
    super();
  }
  override write(block: number, data: Uint8Array): void {
    if (block >= this.limit) throw new BlockDeviceError(`write of block ${block}: no space left on device`);
    super.write(block, data);
  }
}

describe('a full disk', () => {
  it('ends the system with one clear error and loses no complete snapshot', () => {
    const disk = new SmallDisk(300);
    const b = bootSystem(disk, {
      memoryMiB: 4,
      initial: [{ program: 'kvshell' }, { program: 'stress', arg: '4' }],
    });
    runUntil(b, 'kv> ');
    command(b, 'set kept yes');
    const saved = b.system.snapshotNow().generation;
    expect(() => runUntil(b, 'stress: done', 0, 400_000_000)).toThrow(DiskFailure);
    expect(() => runUntil(b, 'stress: done', 0, 400_000_000)).toThrow(
      new RegExp(`no space left on device.*generation ${saved}, is intact`),
    );
    const again = bootSystem(disk);
    expect(again.log.join('\n')).toContain(`restored snapshot generation ${saved}`);
    expect(command(again, 'get kept')).toContain('yes');
  });
});
