import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PcBoard } from '../../src/boards/pc/pc-board.js';
import { DiskImage } from '../../src/devices/disk-image.js';
import { floppyWithBootSector, misctestOracle, program, reportValues } from './helpers.js';

function text(bytes: number[]): string {
  return String.fromCharCode(...bytes);
}

describe('PcBoard with the built-in BIOS', () => {
  it('POSTs, reports memory, and stops at "No bootable disk" with no drives', () => {
    const debug: number[] = [];
    const board = new PcBoard({ memoryMiB: 16, debugcon: (b) => debug.push(b) });
    const r = board.run({ untilScreen: 'No bootable disk', maxInstructions: 5_000_000 });
    expect(r.stop).toBe('screen');
    const screen = board.screenText();
    expect(screen).toContain('Phantasm BIOS');
    expect(screen).toContain(`Memory: ${16 * 1024} KiB`);
    expect(text(debug)).toContain('No bootable disk.');
  });

  it('stops at the end of POST on int 19h with the IVT and BIOS data area ready, then resumes', () => {
    const board = new PcBoard({ memoryMiB: 8 });
    const r = board.run({ untilInterrupt: 0x19, maxInstructions: 5_000_000 });
    expect(r.stop).toBe('interrupt');
    const m = board.memory;
    expect(m.read16(0x19 * 4 + 2)).toBe(0xf000);
    expect(m.read16(0x413)).toBe(640);
    expect(m.read16(0x400)).toBe(0x3f8);
    const at = board.cpu.getSegment('cs').base + board.cpu.eip;
    expect([m.read8(at), m.read8(at + 1)]).toEqual([0xcd, 0x19]);
    expect(board.run({ untilScreen: 'No bootable disk', maxInstructions: 5_000_000 }).stop).toBe('screen');
  });

  it('counts timer ticks in the BIOS data area and wraps them at midnight', () => {
    const board = new PcBoard({ memoryMiB: 8 });
    board.run({ untilScreen: 'No bootable disk', maxInstructions: 5_000_000 });
    const m = board.memory;
    m.write32(0x46c, 0x1800b0 - 2); // two ticks before midnight
    const before = board.clock.nanos;
    // the BIOS idles in HLT: about one virtual second is ~18 ticks, crossing midnight once
    while (board.clock.nanos - before < 1e9) board.run({ maxInstructions: board.cpu.instructions + 20 });
    expect(m.read8(0x470)).toBe(1);
    expect(m.read32(0x46c)).toBeGreaterThanOrEqual(15);
    expect(m.read32(0x46c)).toBeLessThanOrEqual(20);
  });

  it('is deterministic: the same machine retires the same instructions in the same virtual time', () => {
    const runOnce = () => {
      const debug: number[] = [];
      const floppy = DiskImage.floppy(floppyWithBootSector(program('kbdtest.bin')));
      const board = new PcBoard({ floppyA: floppy, debugcon: (b) => debug.push(b) });
      board.type('xyz\r');
      const r = board.run({ maxInstructions: 20_000_000 });
      return {
        instructions: r.instructions,
        virtual: r.virtualSeconds,
        out: text(debug),
        screen: board.screenText(),
      };
    };
    const a = runOnce();
    expect(a.instructions).toBeGreaterThan(0);
    expect(runOnce()).toEqual(a);
  });

  it('answers BIOS services as the board is configured (biostest boot sector)', () => {
    const debug: number[] = [];
    const floppy = DiskImage.floppy(floppyWithBootSector(program('biostest.bin'), 0x1234));
    const board = new PcBoard({ memoryMiB: 24, floppyA: floppy, debugcon: (b) => debug.push(b) });
    const r = board.run({ maxInstructions: 5_000_000 });
    expect(r.stop).toBe('exit');
    expect(r.exitStatus).toBe(0x21);
    const lines = text(debug).split('\n');
    const values = (key: string) =>
      lines.filter((l) => l.startsWith(`${key}=`)).map((l) => Number.parseInt(l.slice(key.length + 1), 16));
    const one = (key: string) => values(key)[0];
    expect(one('mem')).toBe(640);
    expect(one('equip') & 0x31).toBe(0x21); // floppy present, 80x25 colour
    expect(one('ext')).toBe(23 * 1024);
    expect(one('e801ax')).toBe(15 * 1024);
    expect(one('e801bx')).toBe((8 << 20) >> 16);
    expect(values('eb')).toEqual([0, 0xf0000, 0x100000]);
    expect(values('el')).toEqual([0xa0000, 0x10000, 23 << 20]);
    expect(values('et')).toEqual([1, 2, 1]);
    expect(one('ftype')).toBe(4); // 1.44 MB
    expect(one('fcx')).toBe((79 << 8) | 18);
    expect(one('fdx')).toBe((1 << 8) | 1); // max head 1, one floppy drive
    expect(one('rdstat')).toBe(0x0001); // AH=0, AL=1 sector
    expect(one('rdword')).toBe(0x1234);
    expect(one('a20')).toBe(1);
    expect(one('nokey')).toBe(1);
    // "Hi" was typed after the BIOS messages; the cursor follows it
    const cursor = one('cursor');
    const row = board.screenText().split('\n')[cursor >> 8];
    expect(row.slice(0, cursor & 0xff)).toMatch(/Hi$/);
  });

  it('boots a hard disk when there is no floppy, with int 13h extensions', () => {
    const debug: number[] = [];
    const image = floppyWithBootSector(program('biostest.bin'), 0xbeef).slice(0, 4 << 20);
    const board = new PcBoard({ hardDisk: DiskImage.hardDisk(image), debugcon: (b) => debug.push(b) });
    const r = board.run({ maxInstructions: 5_000_000 });
    expect(r.exitStatus).toBe(0x21);
    const log = text(debug);
    expect(log).toContain('Booting from hard disk');
    expect(log).toContain('rdword=BEEF');
    expect(log).toContain('extcheck=AA55');
    expect(log).toContain('extstat=0000');
    expect(log).toContain('extword=BEEF');
  });

  it('answers configuration, wait, clock, video-information and drive-type services (misctest)', () => {
    const debug: number[] = [];
    const floppy = DiskImage.floppy(floppyWithBootSector(program('misctest.bin')));
    const start = new Date(Date.UTC(2026, 10, 24, 13, 45, 0));
    const board = new PcBoard({ floppyA: floppy, startTime: start, debugcon: (b) => debug.push(b) });
    const r = board.run({ maxInstructions: 20_000_000 });
    expect(r.exitStatus).toBe(0x27);
    const value = (key: string) => {
      const line = text(debug)
        .split('\n')
        .find((l) => l.startsWith(`${key}=`));
      return line === undefined ? undefined : Number.parseInt(line.slice(key.length + 1), 16);
    };
    expect(value('model')).toBe(0x00fc); // AT, submodel 0
    // 196 ms is 3.6 ticks of 54.9 ms: the wait rounds up to whole ticks
    expect(value('waited')).toBeGreaterThanOrEqual(3);
    expect(value('waited')).toBeLessThanOrEqual(5);
    expect(value('time')).toBe(0x1345); // BCD hours:minutes, virtual time well under a minute
    expect(value('year')).toBe(0x2026);
    expect(value('date')).toBe(0x1124);
    expect(value('mode')).toBe(0x5003); // 80 columns, mode 3
    expect(value('dcc')! & 0xff).toBe(0x1a);
    expect(value('dccbx')).toBe(0x0008);
    expect(value('ega')).toBe(0x0003);
    expect(value('dtype')).toBe(0x01); // floppy without change line
    expect(value('lpt')).toBe(0x09);
    expect(value('wrstat')).toBe(0x0001); // AH=0, AL=1 sector written
    // AH: the IVT byte written through FFFF:0010 with A20 off; AL: unchanged with A20 on
    const ivt0 = board.memory.read8(0);
    expect(value('a20wrap')).toBe((0xa5 << 8) | ivt0);
    expect(ivt0).toBe(0xa5);
    expect(board.memory.read8(0x100000)).toBe(0x5a);
    expect(value('cur40')).toBe(0x0105);
    expect(board.screenLines()[0]).toBe('#'.repeat(40));
    // and the same answers as QEMU + SeaBIOS gave (its clock started elsewhere: dates excluded)
    const ours = reportValues(text(debug));
    for (const [key, answer] of misctestOracle()) {
      if (!['time', 'year', 'date'].includes(key)) expect(ours.get(key), key).toBe(answer);
    }
    expect(board.screenLines()[1]).toBe('#'.repeat(5));
    expect(board.memory.read16(0x44a)).toBe(40);
    // sector 3 now holds the boot sector: its code (variables at the end change as it runs)
    expect(floppy.bytes.subarray(1024, 1024 + 256)).toEqual(program('misctest.bin').subarray(0, 256));
    expect([floppy.bytes[1534], floppy.bytes[1535]]).toEqual([0x55, 0xaa]);
  });

  it('turns typed keys into int 16h scancode:ASCII words and scrolls the text screen', () => {
    const debug: number[] = [];
    const floppy = DiskImage.floppy(floppyWithBootSector(program('kbdtest.bin')));
    const board = new PcBoard({ floppyA: floppy, debugcon: (b) => debug.push(b) });
    board.type('aB1!\r');
    const r = board.run({ maxInstructions: 20_000_000 });
    expect(r.exitStatus).toBe(0x23);
    const reports = text(debug).split('\n').slice(-9, -1);
    // a, B (with Shift), 1, ! (Shift+1), Enter; then '6' at the top after scrolling past
    // 34 lines, '7' after scrolling rows 0-1 up, and a blank with attribute 1Fh below
    expect(reports).toEqual(['1E61', '3042', '0231', '0221', '1C0D', '0736', '0737', '1F20']);
    // the same as QEMU + SeaBIOS with the keys sent by its monitor (sendkey a, shift-b, 1,
    // shift-1, ret): test/programs/kbdtest.qemu-seabios.txt
    const oracle = readFileSync(new URL('../programs/kbdtest.qemu-seabios.txt', import.meta.url), 'utf8');
    expect(reports).toEqual(oracle.trim().split('\n'));
    const rows = board.screenText().split('\n');
    expect(rows[0]).toBe('L07');
    expect(rows[2]).toBe('L08');
    expect(rows[22]).toBe('L28');
  });

  it.each(['mbhello.bin', 'mbhello.elf'])(
    'loads the multiboot kernel %s, which prints on COM1 and exits through port 0xF4',
    (name) => {
      const serial: number[] = [];
      const board = new PcBoard({ memoryMiB: 32, serial: (b) => serial.push(b) });
      const loaded = board.loadMultiboot(program(name));
      expect(loaded.entry).toBeGreaterThanOrEqual(0x100000);
      const r = board.run({ maxInstructions: 1_000_000 });
      expect(r.stop).toBe('exit');
      expect(r.exitStatus).toBe((0x2a << 1) | 1);
      const memUpper = (31 * 1024).toString(16).toUpperCase().padStart(8, '0');
      expect(text(serial)).toBe(`Hello from a multiboot kernel, mem_upper=0x${memUpper} KiB\n`);
      const again = board.run({ maxInstructions: 2_000_000 });
      expect(again).toMatchObject({ stop: 'exit', instructions: r.instructions });
    },
  );

  it('resets the CPU through the 8042 and port 0x92, and the BIOS boots again', () => {
    const debug: number[] = [];
    const floppy = DiskImage.floppy(floppyWithBootSector(program('resettest.bin')));
    const board = new PcBoard({ floppyA: floppy, debugcon: (b) => debug.push(b) });
    const r = board.run({ maxInstructions: 5_000_000 });
    expect(r.exitStatus).toBe(0x25);
    expect(debug.filter((b) => b < 4)).toEqual([1, 2, 3]);
    expect(text(debug).split('Phantasm BIOS').length - 1).toBe(3);
  });

  it('refuses bad configurations with typed errors', () => {
    expect(() => new PcBoard({ memoryMiB: 1 })).toThrow(/memory 1 MiB/);
    expect(() => new PcBoard({ bios: new Uint8Array(1000) })).toThrow(/multiple of 64 KiB/);
    const board = new PcBoard();
    expect(() => board.loadMultiboot(new Uint8Array(4096))).toThrow(/no multiboot header/);
  });
});
