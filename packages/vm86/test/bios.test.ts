// BIOS services through the monitor on apps/machine's PC board, after the firmware has
// POSTed: the built-in BIOS and SeaBIOS. The caller is a kernel-like protected-mode context
// that must be intact after every call. (apps/machine is imported by relative path, tests only.)
import { existsSync, readFileSync } from 'node:fs';
import { PhysAllocator } from '@phantasm/physalloc';
import { describe, expect, it } from 'vitest';
import { PcBoard } from '../../../apps/machine/src/boards/pc/pc-board.js';
import { FixedLowArena, Vm86AccessError, Vm86BudgetError, Vm86Monitor } from '../src/index.js';
import { cpuState, enterKernelMode } from './helpers.js';

const MIB = 1 << 20;
const SEABIOS = '/usr/share/seabios/bios.bin';
const SEAVGABIOS = '/usr/share/seabios/vgabios-isavga.bin';

function teletype(monitor: Vm86Monitor, text: string): void {
  for (const ch of text) monitor.call(0x10, { eax: 0x0e00 | ch.charCodeAt(0), ebx: 0x0007 });
}

describe('built-in BIOS', () => {
  function postedBoard() {
    const board = new PcBoard({ memoryMiB: 8 });
    const run = board.run({ untilScreen: 'No bootable disk', maxInstructions: 5_000_000, timeoutMs: 20_000 });
    expect(run.stop).toBe('screen');
    enterKernelMode(board.cpu, board.memory);
    return board;
  }

  it('int 15h E820 returns the board memory map; physalloc builds its low arena from it', () => {
    const board = postedBoard();
    const before = cpuState(board.cpu);
    const monitor = new Vm86Monitor({ cpu: board.cpu, memory: board.memory });
    const map = monitor.e820();
    expect(map).toEqual([
      { base: 0, length: 0xa0000, type: 'usable' },
      { base: 0xf0000, length: 0x10000, type: 'reserved' },
      { base: MIB, length: board.memory.ramSize - MIB, type: 'usable' },
    ]);
    expect(cpuState(board.cpu)).toEqual(before);
    monitor.dispose();
    // The kernel's way: the low arena for the monitor comes from the map the BIOS gave.
    const phys = new PhysAllocator(map, { kernelImage: { start: MIB, end: 2 * MIB } });
    const lowFree = phys.stats().low.free;
    const second = new Vm86Monitor({ cpu: board.cpu, lowArena: phys.low });
    expect(phys.stats().low.free).toBe(lowFree - 8);
    expect(second.windowBase).toBeLessThan(0xa0000);
    expect(second.e820()).toEqual(map);
    expect(phys.stats().low.free).toBe(lowFree - 8); // the E820 buffer went back
    expect(cpuState(board.cpu)).toEqual(before);
  });

  it('int 10h teletype writes to the screen', () => {
    const board = postedBoard();
    const before = cpuState(board.cpu);
    const monitor = new Vm86Monitor({ cpu: board.cpu });
    teletype(monitor, 'Hello from vm86\r\nsecond line');
    const lines = board.screenText().split('\n');
    const at = lines.findIndex((l) => l.startsWith('Hello from vm86'));
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.includes('No bootable disk')));
    expect(lines[at + 1].startsWith('second line')).toBe(true);
    // int 10h AH=03h reads the cursor back: row below, after "second line"
    const cursor = monitor.call(0x10, { eax: 0x0300, ebx: 0 });
    expect(cursor.edx & 0xffff).toBe(((at + 1) << 8) | 11);
    expect(cpuState(board.cpu)).toEqual(before);
  });
});

describe('runaway and forbidden handlers in low memory (built-in BIOS board)', () => {
  function boardWithHandler(code: number[]) {
    const board = new PcBoard({ memoryMiB: 8 });
    expect(board.run({ untilScreen: 'No bootable disk', maxInstructions: 5_000_000 }).stop).toBe('screen');
    enterKernelMode(board.cpu, board.memory);
    const monitor = new Vm86Monitor({ cpu: board.cpu, budget: 300_000 });
    // The handler lives in a low buffer (reachable), vector 60h points at it.
    const buffer = monitor.allocLowBuffer(code.length);
    monitor.writeBuffer(buffer, new Uint8Array(code));
    board.memory.write16(0x60 * 4, buffer.offset);
    board.memory.write16(0x60 * 4 + 2, buffer.segment);
    return { board, monitor, buffer, before: cpuState(board.cpu) };
  }

  it('a handler that loops forever (jmp $) ends with Vm86BudgetError; the BIOS still answers after', () => {
    const { board, monitor, buffer, before } = boardWithHandler([0xfb, 0xeb, 0xfe]); // sti; jmp $
    const error = (() => {
      try {
        monitor.call(0x60, { eax: 0x1234 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(Vm86BudgetError);
    expect(error).toMatchObject({ budget: 300_000, cs: buffer.segment, ip: buffer.offset + 1 });
    expect(cpuState(board.cpu)).toEqual(before);
    expect(monitor.e820()).toHaveLength(3);
    expect(cpuState(board.cpu)).toEqual(before);
  });

  it('a handler that reads from 0x200000 ends with Vm86AccessError naming the address', () => {
    // xor ax,ax; mov ds,ax; mov eax,[dword 200000h]; iret
    const { board, monitor, before } = boardWithHandler([
      0x31, 0xc0, 0x8e, 0xd8, 0x66, 0x67, 0xa1, 0, 0, 0x20, 0, 0xcf,
    ]);
    expect(() => monitor.call(0x60, {})).toThrow(Vm86AccessError);
    expect(() => monitor.call(0x60, {})).toThrow(/access to 0x200000 is beyond the 64 KiB segment limit/);
    expect(cpuState(board.cpu)).toEqual(before);
  });
});

describe.skipIf(!existsSync(SEABIOS) || !existsSync(SEAVGABIOS))('SeaBIOS', () => {
  /** POST SeaBIOS until it gives up booting (no disks), collecting its debug console. */
  function postedBoard() {
    let debug = '';
    const board = new PcBoard({
      memoryMiB: 8,
      bios: new Uint8Array(readFileSync(SEABIOS)),
      debugcon: (b) => {
        debug += String.fromCharCode(b);
      },
    });
    for (let max = 1_000_000; !debug.includes('No bootable device'); max += 1_000_000) {
      expect(max).toBeLessThan(40_000_000);
      board.run({ maxInstructions: max, timeoutMs: 30_000 });
    }
    enterKernelMode(board.cpu, board.memory);
    return { board, debug: () => debug };
  }

  /** The last E820 map SeaBIOS printed on its debug console: the oracle for int 15h. */
  function printedMap(debug: string) {
    const start = debug.lastIndexOf('e820 map has');
    const lines = debug.slice(start).split('\n').slice(1);
    const names: Record<string, string> = {
      '1': 'usable',
      '2': 'reserved',
      '3': 'acpi-reclaimable',
      '4': 'acpi-nvs',
    };
    const out = [];
    for (const line of lines) {
      const m = /^\s*\d+: ([0-9a-f]{16}) - ([0-9a-f]{16}) = (\d)/.exec(line);
      if (!m) break;
      const base = Number.parseInt(m[1], 16);
      out.push({ base, length: Number.parseInt(m[2], 16) - base, type: names[m[3]] });
    }
    return out;
  }

  it('int 15h E820 returns the map SeaBIOS printed, and int 10h teletype (SeaVGABIOS) writes to the screen', () => {
    const { board, debug } = postedBoard();
    const before = cpuState(board.cpu);
    const monitor = new Vm86Monitor({ cpu: board.cpu });
    const expected = printedMap(debug());
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(monitor.e820()).toEqual(expected);
    expect(cpuState(board.cpu)).toEqual(before);

    // The board loads no VGA option ROM yet, so SeaBIOS's int 10h is a stub. Do what SeaBIOS's
    // POST would: put SeaVGABIOS at C0000h and run its init entry (C000:0003, a far call: the
    // vector trick returns through RETF to the sentinel). Init uses conventional memory it got
    // from SeaBIOS's PMM, so that call gets a monitor that allows all of it.
    board.memory.ram.set(readFileSync(SEAVGABIOS), 0xc0000);
    const spare = 0x7f;
    const saved = board.memory.read32(spare * 4);
    board.memory.write32(spare * 4, 0xc0000003);
    const init = new Vm86Monitor({
      cpu: board.cpu,
      lowArena: new FixedLowArena(0x20000, 0x30000),
      windows: [{ start: 0, end: 0xa0000 }],
    });
    init.call(spare, {});
    init.dispose();
    board.memory.write32(spare * 4, saved);
    expect(board.memory.read16(0x42)).toBe(0xc000); // SeaVGABIOS hooked int 10h

    monitor.call(0x10, { eax: 0x0003 }); // 80x25 text, as SeaBIOS sets it before booting
    teletype(monitor, 'Hello from vm86 on SeaBIOS');
    expect(board.screenText().split('\n')[0].startsWith('Hello from vm86 on SeaBIOS')).toBe(true);
    expect(cpuState(board.cpu)).toEqual(before);
  });
});
