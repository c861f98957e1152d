// Real guests on the PC board: FreeDOS from the shared floppy image under the built-in BIOS
// and under SeaBIOS. They need the shared image, Debian's seabios package and a CPU that runs
// FreeDOS's compressed kernel correctly; each missing piece skips with its reason.
import { existsSync, readFileSync } from 'node:fs';
import { findShared, missingMessage } from '@phantasm/test-support';
import { describe, expect, it } from 'vitest';
import { PcBoard, type PcBoardOptions } from '../../src/boards/pc/pc-board.js';
import { DiskImage } from '../../src/devices/disk-image.js';
import { cpuDefect, floppyWithBootSector, misctestOracle, program, reportValues } from './helpers.js';

const FREEDOS = 'images/freedos722.img';
const SEABIOS = '/usr/share/seabios/bios.bin';
const SEAVGABIOS = '/usr/share/seabios/vgabios-isavga.bin';
const freedosPath = findShared(FREEDOS);
const seabiosPresent = existsSync(SEABIOS) && existsSync(SEAVGABIOS);
const defect = cpuDefect();
const PROMPT = 'A:\\>';

function freedosBoard(extra: Partial<PcBoardOptions> = {}): PcBoard {
  const floppy = DiskImage.floppy(new Uint8Array(readFileSync(freedosPath!)));
  return new PcBoard({ floppyA: floppy, ...extra });
}

const VER_ANSWER = /A:\\>ver\n+FreeCom version \d+\.\d+/;

/** Boot to the prompt, type `ver`; the screens at the prompt and once the answer is shown. */
function bootAndVer(board: PcBoard): { atPrompt: string; afterVer: string } {
  const boot = board.run({ untilScreen: PROMPT, maxInstructions: 400_000_000, timeoutMs: 40_000 });
  expect(boot.stop).toBe('screen');
  const atPrompt = board.screenText();
  board.type('ver\r');
  // the answer: the line after the command names FreeDOS's shell and its version
  for (let step = 0; step < 40 && !VER_ANSWER.test(board.screenText()); step++) {
    board.run({ maxInstructions: board.cpu.instructions + 2_000_000 });
  }
  return { atPrompt, afterVer: board.screenText() };
}

describe.skipIf(!freedosPath)(
  `FreeDOS on the PC board (${freedosPath ? FREEDOS : missingMessage(FREEDOS)})`,
  () => {
    it.skipIf(defect !== undefined)(
      `boots to A:\\> under the built-in BIOS and answers ver${defect ? ` — skipped: ${defect}` : ''}`,
      () => {
        const { atPrompt, afterVer } = bootAndVer(freedosBoard());
        expect(atPrompt).toContain('Welcome to FreeDOS');
        expect(afterVer).toMatch(VER_ANSWER);
      },
    );
  },
);

describe.skipIf(!seabiosPresent)(
  `SeaBIOS on the PC board (${seabiosPresent ? SEABIOS : `${SEABIOS} not installed`})`,
  () => {
    it('POSTs and prints its banner on the debug console', () => {
      const debug: number[] = [];
      const board = new PcBoard({
        bios: new Uint8Array(readFileSync(SEABIOS)),
        debugcon: (b) => debug.push(b),
      });
      board.run({ maxInstructions: 20_000_000, timeoutMs: 30_000, untilScreen: 'No bootable device' });
      const log = String.fromCharCode(...debug);
      expect(log).toMatch(/SeaBIOS \(version [^)]+\)/);
      expect(log).toContain('Found 4 PCI devices'); // i440FX, PIIX3 ISA and IDE, the VGA (1234:1111)
    });

    it('stops at int 19h after POST with its E820-ready data area (for vm86 callers)', () => {
      const board = new PcBoard({ bios: new Uint8Array(readFileSync(SEABIOS)), memoryMiB: 16 });
      const r = board.run({ untilInterrupt: 0x19, maxInstructions: 60_000_000, timeoutMs: 30_000 });
      expect(r.stop).toBe('interrupt');
      expect(board.memory.read16(0x413)).toBeGreaterThanOrEqual(639);
      expect(board.memory.read16(0x15 * 4 + 2)).toBe(0xf000); // int 15h hooked by the BIOS
    });

    it('gives a boot sector the same BIOS answers as SeaBIOS under QEMU (biostest)', () => {
      // Oracle: test/programs/biostest.qemu-seabios.txt, captured with
      //   qemu-system-i386 -m 24 -drive file=bt.img,format=raw,if=floppy -debugcon file:out.txt \
      //     -device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none
      // where bt.img is the 1.44 MB floppy made by floppyWithBootSector(biostest.bin, 0x1234).
      const parse = (log: string) => log.split('\n').filter((l) => /^[a-z0-9]+=[0-9A-F]+$/.test(l));
      const qemu = parse(
        readFileSync(new URL('../programs/biostest.qemu-seabios.txt', import.meta.url), 'utf8'),
      );
      const debug: number[] = [];
      const board = new PcBoard({
        memoryMiB: 24,
        bios: new Uint8Array(readFileSync(SEABIOS)),
        vgaRom: new Uint8Array(readFileSync(SEAVGABIOS)), // QEMU's VGA BIOS sets the video bits
        floppyA: DiskImage.floppy(floppyWithBootSector(program('biostest.bin'), 0x1234)),
        debugcon: (b) => debug.push(b),
      });
      const r = board.run({ maxInstructions: 100_000_000, timeoutMs: 30_000 });
      expect(r.exitStatus).toBe(0x21);
      const ours = parse(String.fromCharCode(...debug));
      const pick = (lines: string[], key: string) => lines.filter((l) => l.startsWith(`${key}=`));
      // Same answers, except where QEMU's machine has more: a printer port (equipment bit 14)
      // and ACPI tables that SeaBIOS reserves at the top of RAM (extended-memory sizes, the
      // last E820 entries); the cursor depends on what the firmware printed.
      for (const key of ['mem', 'e801ax', 'ftype', 'fcx', 'fdx', 'rdstat', 'rdword', 'a20', 'nokey']) {
        expect(pick(ours, key), key).toEqual(pick(qemu, key));
      }
      const equip = (lines: string[]) => Number.parseInt(pick(lines, 'equip')[0].slice(6), 16) & ~0x4000;
      expect(equip(ours)).toBe(equip(qemu));
      expect(pick(ours, 'eb').slice(0, 4)).toEqual(pick(qemu, 'eb').slice(0, 4));
      expect(pick(ours, 'et').slice(0, 4)).toEqual(pick(qemu, 'et').slice(0, 4));
      expect(pick(ours, 'el').slice(0, 3)).toEqual(pick(qemu, 'el').slice(0, 3));
    });

    it('serves the misctest boot sector: RTC-timed wait, floppy write through the FDC, A20, mode 1', () => {
      const debug: number[] = [];
      const floppy = DiskImage.floppy(floppyWithBootSector(program('misctest.bin')));
      const board = new PcBoard({
        bios: new Uint8Array(readFileSync(SEABIOS)),
        vgaRom: new Uint8Array(readFileSync(SEAVGABIOS)),
        floppyA: floppy,
        debugcon: (b) => debug.push(b),
      });
      const r = board.run({ maxInstructions: 100_000_000, timeoutMs: 30_000 });
      expect(r.exitStatus).toBe(0x27);
      const log = String.fromCharCode(...debug);
      const value = (key: string) => Number.parseInt(log.split(`\n${key}=`)[1]?.slice(0, 4) ?? 'x', 16);
      expect(value('waited')).toBeGreaterThanOrEqual(3); // int 15h AH=86h runs on RTC interrupts
      expect(value('waited')).toBeLessThanOrEqual(5);
      expect(value('wrstat')).toBe(0x0001);
      // sector 3 now holds the boot sector: its code (variables at the end change as it runs)
      expect(floppy.bytes.subarray(1024, 1024 + 256)).toEqual(program('misctest.bin').subarray(0, 256));
      expect([floppy.bytes[1534], floppy.bytes[1535]]).toEqual([0x55, 0xaa]);
      expect(value('a20wrap')).toBe(0xa5a5);
      expect(value('mode')).toBe(0x5003);
      expect(value('cur40')).toBe(0x0105);
      const ours = reportValues(log);
      const oracle = misctestOracle();
      expect(oracle.size).toBe(12);
      for (const [key, answer] of oracle) expect(ours.get(key), key).toBe(answer);
    });

    it('turns typed keys into the same int 16h words as the built-in BIOS (kbdtest)', () => {
      const debug: number[] = [];
      const board = new PcBoard({
        bios: new Uint8Array(readFileSync(SEABIOS)),
        vgaRom: new Uint8Array(readFileSync(SEAVGABIOS)),
        floppyA: DiskImage.floppy(floppyWithBootSector(program('kbdtest.bin'))),
        debugcon: (b) => debug.push(b),
      });
      board.type('aB1!\r');
      const r = board.run({ maxInstructions: 100_000_000, timeoutMs: 30_000 });
      expect(r.exitStatus).toBe(0x23);
      const keys = String.fromCharCode(...debug)
        .split('\n')
        .filter((l) => /^[0-9A-F]{4}$/.test(l))
        .slice(0, 5);
      expect(keys).toEqual(['1E61', '3042', '0231', '0221', '1C0D']);
    });

    it('boots a hard disk through the ATA controller (biostest boot sector)', () => {
      const debug: number[] = [];
      const image = floppyWithBootSector(program('biostest.bin'), 0xbeef);
      const board = new PcBoard({
        bios: new Uint8Array(readFileSync(SEABIOS)),
        hardDisk: DiskImage.hardDisk(image),
        debugcon: (b) => debug.push(b),
      });
      const r = board.run({ maxInstructions: 60_000_000, timeoutMs: 30_000 });
      const log = String.fromCharCode(...debug);
      expect(r.stop).toBe('exit');
      expect(r.exitStatus).toBe(0x21);
      expect(log).toContain('Booting from Hard Disk');
      expect(log).toContain('rdword=BEEF');
      expect(log).toContain('extword=BEEF');
    });

    it.skipIf(!freedosPath || defect !== undefined)(
      `boots FreeDOS to A:\\> with SeaVGABIOS and answers ver${
        !freedosPath ? ` — skipped: ${missingMessage(FREEDOS)}` : defect ? ` — skipped: ${defect}` : ''
      }`,
      () => {
        const board = freedosBoard({
          bios: new Uint8Array(readFileSync(SEABIOS)),
          vgaRom: new Uint8Array(readFileSync(SEAVGABIOS)),
        });
        const { atPrompt, afterVer } = bootAndVer(board);
        expect(atPrompt).toContain('SeaBIOS (version');
        expect(atPrompt).toContain('Welcome to FreeDOS');
        expect(afterVer).toMatch(VER_ANSWER);
      },
    );
  },
);
