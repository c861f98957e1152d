// The PS/2 mouse behind the 8042's aux port, driven the way a guest driver does: controller commands
// on port 64h, D4h to address the mouse, replies and packets read from port 60h with the aux bit
// (status bit 5) set and an IRQ12 edge per byte.
import { describe, expect, it } from 'vitest';
import { PcBoard } from '../../src/boards/pc/pc-board.js';
import { I8042 } from '../../src/devices/i8042.js';
import { IrqRecorder } from './helpers.js';

/** Bytes waiting in the controller, each with whether it came from the aux port. */
function drain(kbc: I8042): { byte: number; aux: boolean }[] {
  const out: { byte: number; aux: boolean }[] = [];
  while (kbc.read(0x64) & 1) {
    const aux = (kbc.read(0x64) & 0x20) !== 0;
    out.push({ byte: kbc.read(0x60), aux });
  }
  return out;
}

const auxBytes = (kbc: I8042) => drain(kbc).map((e) => (e.aux ? e.byte : -1));

function toMouse(kbc: I8042, ...bytes: number[]): void {
  for (const b of bytes) {
    kbc.write(0x64, 1, 0xd4);
    kbc.write(0x60, 1, b);
  }
}

/** A controller with the aux port and its interrupt enabled, as a driver leaves it. */
function ready(): { kbc: I8042; irq: IrqRecorder } {
  const irq = new IrqRecorder();
  const kbc = new I8042(irq);
  kbc.write(0x64, 1, 0xa8); // enable aux port
  kbc.write(0x64, 1, 0x60);
  kbc.write(0x60, 1, 0x47); // command byte: IRQ1 and IRQ12 on
  return { kbc, irq };
}

describe('PS/2 mouse on the 8042 aux port', () => {
  it('answers reset and identify, each byte flagged aux with an IRQ12 edge', () => {
    const { kbc, irq } = ready();
    toMouse(kbc, 0xff);
    expect(auxBytes(kbc)).toEqual([0xfa, 0xaa, 0x00]);
    toMouse(kbc, 0xf2);
    expect(auxBytes(kbc)).toEqual([0xfa, 0x00]);
    expect(irq.edgeCount(12)).toBe(5);
    expect(irq.edgeCount(1)).toBe(0);
  });

  it('streams movement packets only once enabled, with sign bits and y up', () => {
    const { kbc } = ready();
    kbc.mouse.move({ dx: 5, dy: 5, buttons: 0 });
    expect(drain(kbc)).toEqual([]); // streaming is off after power-on
    toMouse(kbc, 0xf4);
    expect(auxBytes(kbc)).toEqual([0xfa]);
    kbc.mouse.move({ dx: 10, dy: 3, buttons: 1 }); // right and down on screen
    expect(auxBytes(kbc)).toEqual([0x08 | 0x01 | 0x20, 10, 0xfd]);
    kbc.mouse.move({ dx: -2, dy: -300, buttons: 2 }); // left, far up: y overflows
    expect(auxBytes(kbc)).toEqual([0x08 | 0x02 | 0x10 | 0x80, 0xfe, 0xff]);
    toMouse(kbc, 0xf5);
    kbc.mouse.move({ dx: 1, dy: 1, buttons: 0 });
    expect(auxBytes(kbc)).toEqual([0xfa]);
  });

  it('becomes an IntelliMouse after the sample-rate knock 200, 100, 80 (ID 3, wheel byte)', () => {
    const { kbc } = ready();
    toMouse(kbc, 0xf3, 200, 0xf3, 100, 0xf3, 80, 0xf2);
    expect(auxBytes(kbc)).toEqual([0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x03]);
    toMouse(kbc, 0xf4);
    drain(kbc);
    kbc.mouse.move({ dx: 0, dy: 0, buttons: 4, wheel: -1 });
    expect(auxBytes(kbc)).toEqual([0x08 | 0x04, 0, 0, 0xff]);
  });

  it('reports status, resolution and rate (E9h) and echoes in wrap mode', () => {
    const { kbc } = ready();
    toMouse(kbc, 0xe8, 3, 0xf3, 40, 0xe7, 0xf4, 0xe9);
    expect(auxBytes(kbc)).toEqual([0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x20 | 0x10, 3, 40]);
    toMouse(kbc, 0xee, 0x42, 0xec);
    expect(auxBytes(kbc)).toEqual([0xfa, 0x42, 0xfa]);
    toMouse(kbc, 0x01);
    expect(auxBytes(kbc)).toEqual([0xfe]); // unknown command: resend
  });

  it('holds aux bytes while the aux port is disabled (A7h) and delivers them after A8h', () => {
    const { kbc } = ready();
    toMouse(kbc, 0xf4);
    drain(kbc);
    kbc.write(0x64, 1, 0xa7);
    kbc.mouse.move({ dx: 1, dy: 0, buttons: 0 });
    expect(drain(kbc)).toEqual([]);
    kbc.write(0x64, 1, 0xa8);
    expect(auxBytes(kbc)).toEqual([0x08, 1, 0]);
  });

  it('keeps its mode across a saved and loaded controller state', () => {
    const { kbc } = ready();
    toMouse(kbc, 0xf3, 200, 0xf3, 100, 0xf3, 80, 0xf4);
    drain(kbc);
    const copy = new I8042(new IrqRecorder());
    copy.load(JSON.parse(JSON.stringify(kbc.save())));
    copy.mouse.move({ dx: 3, dy: 0, buttons: 0, wheel: 1 });
    expect(auxBytes(copy)).toEqual([0x08, 3, 0, 1]);
  });
});

describe('PS/2 mouse on the PC board', () => {
  it('board.mouse() reaches the guest as IRQ12 on the slave PIC once the driver enabled streaming', () => {
    const board = new PcBoard({ memoryMiB: 2 });
    const io = board.io;
    io.write(0x64, 1, 0xa8);
    io.write(0x64, 1, 0x60);
    io.write(0x60, 1, 0x47);
    io.write(0x64, 1, 0xd4);
    io.write(0x60, 1, 0xf4);
    expect(io.read(0x60, 1)).toBe(0xfa);
    io.write(0xa1, 1, 0x00); // unmask the slave's lines (IRQ12 is its line 4)
    board.mouse({ dx: 4, dy: -4, buttons: 1 });
    expect(board.pic.slave.irr & 0x10).toBe(0x10);
    expect([io.read(0x60, 1), io.read(0x60, 1), io.read(0x60, 1)]).toEqual([0x09, 4, 4]);
  });
});
