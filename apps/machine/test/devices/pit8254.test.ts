import { describe, expect, it } from 'vitest';
import { PIT_HZ, VirtualClock } from '../../src/devices/clock.js';
import { Pit8254 } from '../../src/devices/pit8254.js';
import { IrqRecorder } from './helpers.js';

const tickNs = 1e9 / PIT_HZ;

function setup() {
  const clock = new VirtualClock();
  const irq = new IrqRecorder();
  return { clock, irq, pit: new Pit8254(clock, irq) };
}

function load(pit: Pit8254, channel: number, mode: number, count: number): void {
  pit.write(0x43, 1, (channel << 6) | 0x30 | (mode << 1));
  pit.write(0x40 + channel, 1, count & 0xff);
  pit.write(0x40 + channel, 1, count >> 8);
}

describe('Pit8254', () => {
  it('mode 2 on channel 0 raises IRQ0 once per period', () => {
    const { clock, irq, pit } = setup();
    load(pit, 0, 2, 1000);
    clock.advance(999 * tickNs);
    pit.update();
    expect(irq.edgeCount(0)).toBe(0);
    clock.advance(2 * tickNs);
    pit.update();
    expect(irq.edgeCount(0)).toBe(1);
    clock.advance(1000 * tickNs);
    pit.update();
    expect(irq.edgeCount(0)).toBe(2);
  });

  it('count 0 means 65536: the PC 18.2 Hz tick', () => {
    const { clock, irq, pit } = setup();
    load(pit, 0, 3, 0);
    clock.advance(1e9); // one second
    pit.update();
    expect(irq.edgeCount(0)).toBe(1);
    expect(pit.ticksUntilIrq0()).toBeGreaterThan(0);
    expect(pit.ticksUntilIrq0()).toBeLessThanOrEqual(65536);
  });

  it('latches and reads back a decreasing count, low byte then high byte', () => {
    const { clock, pit } = setup();
    load(pit, 0, 2, 0x1234);
    clock.advance(0x100 * tickNs + 1);
    pit.write(0x43, 1, 0x00); // latch channel 0
    clock.advance(50 * tickNs);
    const lo = pit.read(0x40);
    const hi = pit.read(0x40);
    const v = (hi << 8) | lo;
    expect(v).toBeLessThanOrEqual(0x1234 - 0x100);
    expect(v).toBeGreaterThan(0x1234 - 0x110);
  });

  it('mode 0 one-shot sets OUT once the count expires (channel 2 via port 0x61)', () => {
    const { clock, pit } = setup();
    pit.write(0x61, 1, 0x01); // gate channel 2 on
    load(pit, 2, 0, 500);
    expect(pit.read(0x61) & 0x20).toBe(0);
    clock.advance(600 * tickNs);
    expect(pit.read(0x61) & 0x20).toBe(0x20);
  });

  it('gate low freezes channel 2', () => {
    const { clock, pit } = setup();
    pit.write(0x61, 1, 0x01);
    load(pit, 2, 0, 500);
    pit.write(0x61, 1, 0x00);
    clock.advance(10_000 * tickNs);
    expect(pit.read(0x61) & 0x20).toBe(0);
  });

  it('port 0x61 bit 4 toggles as virtual time passes, so refresh-wait loops end', () => {
    const { pit } = setup();
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) seen.add(pit.read(0x61) & 0x10);
    expect(seen).toEqual(new Set([0, 0x10]));
  });

  it('read-back status reports mode and access', () => {
    const { pit } = setup();
    load(pit, 1, 3, 18);
    pit.write(0x43, 1, 0xe4); // read-back status only, channel 1
    expect(pit.read(0x41) & 0x3f).toBe(0x36);
  });
});
