import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/devices/clock.js';
import { CmosRtc, UIP_NS } from '../../src/devices/cmos-rtc.js';
import { IrqRecorder } from './helpers.js';

function reg(cmos: CmosRtc, index: number): number {
  cmos.write(0x70, 1, index);
  return cmos.read(0x71);
}

describe('CmosRtc', () => {
  const start = new Date(Date.UTC(2024, 1, 29, 23, 59, 58)); // Thu 29 Feb 2024

  it('reports the start time in BCD and advances with the virtual clock', () => {
    const clock = new VirtualClock();
    const cmos = new CmosRtc(clock, { ramBytes: 16 << 20, startTime: start });
    expect([reg(cmos, 4), reg(cmos, 2), reg(cmos, 0)]).toEqual([0x23, 0x59, 0x58]);
    expect([reg(cmos, 7), reg(cmos, 8), reg(cmos, 9), reg(cmos, 0x32)]).toEqual([0x29, 0x02, 0x24, 0x20]);
    clock.advance(3e9);
    expect([reg(cmos, 4), reg(cmos, 2), reg(cmos, 0)]).toEqual([0x00, 0x00, 0x01]);
    expect([reg(cmos, 7), reg(cmos, 8)]).toEqual([0x01, 0x03]);
  });

  it('shows update-in-progress for the last UIP_NS of each second only when asked to', () => {
    const clock = new VirtualClock();
    const plain = new CmosRtc(clock, { ramBytes: 1 << 20, startTime: start });
    const uip = new CmosRtc(clock, { ramBytes: 1 << 20, startTime: start, updateInProgress: true });
    expect(uip.nextUipChangeNs()).toBe(1e9 - UIP_NS);
    clock.advance(1e9 - UIP_NS - 1);
    expect(reg(uip, 0x0a) & 0x80).toBe(0);
    clock.advance(1);
    expect(reg(uip, 0x0a)).toBe(0xa6); // 32.768 kHz, 1024 Hz, UIP
    expect(reg(plain, 0x0a)).toBe(0x26);
    expect(plain.nextUipChangeNs()).toBeUndefined();
    expect(uip.nextUipChangeNs()).toBe(1e9);
    clock.advance(UIP_NS);
    expect(reg(uip, 0x0a) & 0x80).toBe(0);
    expect(reg(uip, 0)).toBe(0x59); // the second after 23:59:58
  });

  it('switches to binary when register B bit 2 is set, and guest writes set the clock', () => {
    const cmos = new CmosRtc(new VirtualClock(), { ramBytes: 1 << 20, startTime: start });
    cmos.write(0x70, 1, 0x0b);
    cmos.write(0x71, 1, 0x06);
    expect(reg(cmos, 4)).toBe(23);
    cmos.write(0x70, 1, 0x04);
    cmos.write(0x71, 1, 5);
    expect(reg(cmos, 4)).toBe(5);
  });

  it('fills memory-size, floppy and equipment fields from the configuration', () => {
    const cmos = new CmosRtc(new VirtualClock(), { ramBytes: 64 << 20, floppyTypes: [3, 4] });
    expect(reg(cmos, 0x15) | (reg(cmos, 0x16) << 8)).toBe(640);
    expect(reg(cmos, 0x17) | (reg(cmos, 0x18) << 8)).toBe(63 * 1024);
    expect(reg(cmos, 0x30) | (reg(cmos, 0x31) << 8)).toBe(63 * 1024);
    expect(reg(cmos, 0x34) | (reg(cmos, 0x35) << 8)).toBe((48 << 20) / 65536);
    expect(reg(cmos, 0x10)).toBe(0x34);
    expect(reg(cmos, 0x14)).toBe(0x61); // floppies present, two drives, colour 80x25, no FPU
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += reg(cmos, i);
    expect((reg(cmos, 0x2e) << 8) | reg(cmos, 0x2f)).toBe(sum);
  });

  it('keeps plain CMOS bytes and clears register C on read', () => {
    const cmos = new CmosRtc(new VirtualClock(), { ramBytes: 1 << 20 });
    cmos.write(0x70, 1, 0x40);
    cmos.write(0x71, 1, 0x5a);
    expect(reg(cmos, 0x40)).toBe(0x5a);
    cmos.ram[0x0c] = 0x90;
    expect(reg(cmos, 0x0c)).toBe(0x90);
    expect(reg(cmos, 0x0c)).toBe(0);
    cmos.write(0x70, 1, 0x8f);
    expect(cmos.nmiDisabled).toBe(true);
  });

  it('raises IRQ8 for periodic interrupts at the register A rate until register C is read', () => {
    const clock = new VirtualClock();
    const irq = new IrqRecorder();
    const cmos = new CmosRtc(clock, { ramBytes: 1 << 20 }, irq);
    clock.advance(5e6);
    cmos.update();
    expect(irq.edgeCount(8)).toBe(0); // not enabled: the flag only
    cmos.write(0x70, 1, 0x0b);
    cmos.write(0x71, 1, 0x42); // PIE, 24-hour
    expect(cmos.nextInterruptNs()).toBeCloseTo(Math.ceil(5e6 / (1e9 / 1024)) * (1e9 / 1024), 0);
    clock.advance(1e9 / 1024);
    cmos.update();
    expect(irq.edgeCount(8)).toBe(1);
    clock.advance(1e9 / 1024);
    cmos.update();
    expect(irq.edgeCount(8)).toBe(1); // line still high: register C not read yet
    expect(reg(cmos, 0x0c) & 0xc0).toBe(0xc0);
    expect(irq.level(8)).toBe(false);
    clock.advance(1e9 / 1024);
    cmos.update();
    expect(irq.edgeCount(8)).toBe(2);
  });

  it('flags the update-ended interrupt once a second when enabled', () => {
    const clock = new VirtualClock();
    const irq = new IrqRecorder();
    const cmos = new CmosRtc(clock, { ramBytes: 1 << 20 }, irq);
    cmos.write(0x70, 1, 0x0b);
    cmos.write(0x71, 1, 0x12); // UIE
    clock.advance(999e6);
    cmos.update();
    expect(irq.edgeCount(8)).toBe(0);
    clock.advance(2e6);
    cmos.update();
    expect(irq.edgeCount(8)).toBe(1);
    expect(reg(cmos, 0x0c) & 0x90).toBe(0x90);
  });
});
