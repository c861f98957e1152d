import { describe, expect, it } from 'vitest';
import { I8042 } from '../../src/devices/i8042.js';
import { FastA20Port } from '../../src/devices/port92.js';
import { scancodesFor, UnknownKeyError } from '../../src/devices/scancodes.js';
import { IrqRecorder } from './helpers.js';

function drain(kbc: I8042): number[] {
  const bytes: number[] = [];
  while (kbc.read(0x64) & 1) bytes.push(kbc.read(0x60));
  return bytes;
}

describe('scancodesFor', () => {
  it('gives set-1 make/break codes with Shift around shifted characters', () => {
    expect(scancodesFor('a')).toEqual([0x1e, 0x9e]);
    expect(scancodesFor('A')).toEqual([0x2a, 0x1e, 0x9e, 0xaa]);
    expect(scancodesFor('1\n')).toEqual([0x02, 0x82, 0x1c, 0x9c]);
    expect(scancodesFor(':')).toEqual([0x2a, 0x27, 0xa7, 0xaa]);
    expect(scancodesFor('\\')).toEqual([0x2b, 0xab]);
    expect(() => scancodesFor('é')).toThrow(UnknownKeyError);
  });
});

describe('I8042', () => {
  it('delivers typed text one byte at a time, with an IRQ1 edge per byte', () => {
    const irq = new IrqRecorder();
    const kbc = new I8042(irq);
    kbc.typeText('ver');
    expect(irq.edgeCount(1)).toBe(1);
    expect(drain(kbc)).toEqual(scancodesFor('ver'));
    expect(irq.edgeCount(1)).toBe(6);
  });

  it('answers controller self-test, command byte reads and writes', () => {
    const kbc = new I8042(new IrqRecorder());
    kbc.write(0x64, 1, 0xaa);
    expect(drain(kbc)).toEqual([0x55]);
    kbc.write(0x64, 1, 0x60);
    kbc.write(0x60, 1, 0x61);
    kbc.write(0x64, 1, 0x20);
    expect(drain(kbc)).toEqual([0x61]);
  });

  it('answers keyboard reset and identify', () => {
    const kbc = new I8042(new IrqRecorder());
    kbc.write(0x60, 1, 0xff);
    expect(drain(kbc)).toEqual([0xfa, 0xaa]);
    kbc.write(0x60, 1, 0xed);
    kbc.write(0x60, 1, 0x07);
    expect(drain(kbc)).toEqual([0xfa, 0xfa]);
    kbc.write(0x60, 1, 0xf2);
    expect(drain(kbc)).toEqual([0xfa, 0xab, 0x41]);
  });

  it('holds scancodes while the keyboard port is disabled', () => {
    const irq = new IrqRecorder();
    const kbc = new I8042(irq);
    kbc.write(0x64, 1, 0xad);
    kbc.typeText('x');
    expect(kbc.read(0x64) & 1).toBe(0);
    kbc.write(0x64, 1, 0xae);
    expect(drain(kbc)).toEqual(scancodesFor('x'));
  });

  it('gates A20 through the output port and resets on a 0xFE pulse', () => {
    const a20: boolean[] = [];
    let resets = 0;
    const kbc = new I8042(new IrqRecorder(), { onA20: (e) => a20.push(e), onReset: () => resets++ });
    kbc.write(0x64, 1, 0xd1);
    kbc.write(0x60, 1, 0xdd);
    expect(kbc.a20).toBe(false);
    kbc.write(0x64, 1, 0xd1);
    kbc.write(0x60, 1, 0xdf);
    expect(a20).toEqual([false, true]);
    kbc.write(0x64, 1, 0xd0);
    expect(drain(kbc)[0] & 2).toBe(2);
    kbc.write(0x64, 1, 0xfe);
    expect(resets).toBe(1);
  });

  it('answers a mouse reset through the aux port with IRQ12', () => {
    const irq = new IrqRecorder();
    const kbc = new I8042(irq);
    kbc.write(0x64, 1, 0x60);
    kbc.write(0x60, 1, 0x47);
    kbc.write(0x64, 1, 0xd4);
    kbc.write(0x60, 1, 0xff);
    expect(kbc.read(0x64) & 0x21).toBe(0x21);
    expect(drain(kbc)).toEqual([0xfa, 0xaa, 0x00]);
    expect(irq.edgeCount(12)).toBe(3);
  });
});

describe('FastA20Port', () => {
  it('toggles A20 with bit 1 and resets on bit 0', () => {
    const events: string[] = [];
    const p = new FastA20Port(
      (e) => events.push(`a20=${e}`),
      () => events.push('reset'),
    );
    expect(p.a20).toBe(false);
    p.write(0x92, 1, 2);
    p.write(0x92, 1, 0);
    p.write(0x92, 1, 3);
    expect(events).toEqual(['a20=true', 'a20=false', 'a20=true', 'reset']);
    expect(p.read()).toBe(2);
  });
});
