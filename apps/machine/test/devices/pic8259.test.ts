import { describe, expect, it } from 'vitest';
import { DualPic } from '../../src/devices/pic8259.js';

/** Program both PICs the way a PC BIOS does: vectors 08h and 70h, cascade on IRQ2. */
function initPics(pic: DualPic, masterBase = 0x08, slaveBase = 0x70): void {
  pic.write(0x20, 1, 0x11);
  pic.write(0x21, 1, masterBase);
  pic.write(0x21, 1, 0x04);
  pic.write(0x21, 1, 0x01);
  pic.write(0xa0, 1, 0x11);
  pic.write(0xa1, 1, slaveBase);
  pic.write(0xa1, 1, 0x02);
  pic.write(0xa1, 1, 0x01);
}

describe('DualPic', () => {
  it('delivers a master IRQ at its vector and holds lower priorities until EOI', () => {
    const pic = new DualPic();
    initPics(pic, 0x20);
    pic.setIrq(3, true);
    pic.setIrq(1, true);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x21);
    expect(pic.hasInterrupt()).toBe(false); // IRQ3 is lower priority than in-service IRQ1
    pic.write(0x20, 1, 0x20); // non-specific EOI
    expect(pic.acknowledge()).toBe(0x23);
  });

  it('is edge triggered: a line held high requests once', () => {
    const pic = new DualPic();
    initPics(pic);
    pic.setIrq(0, true);
    expect(pic.acknowledge()).toBe(0x08);
    pic.write(0x20, 1, 0x20);
    pic.setIrq(0, true);
    expect(pic.hasInterrupt()).toBe(false);
    pic.setIrq(0, false);
    pic.setIrq(0, true);
    expect(pic.hasInterrupt()).toBe(true);
  });

  it('routes slave requests through IRQ2 and acknowledges the slave vector', () => {
    const pic = new DualPic();
    initPics(pic);
    pic.setIrq(14, true);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x76);
    pic.write(0x20, 1, 0x0b); // OCW3: read ISR
    pic.write(0xa0, 1, 0x0b);
    expect(pic.read(0x20)).toBe(0x04);
    expect(pic.read(0xa0)).toBe(0x40);
  });

  it('honours masks on both chips', () => {
    const pic = new DualPic();
    initPics(pic);
    pic.write(0x21, 1, 0x01);
    pic.setIrq(0, true);
    expect(pic.hasInterrupt()).toBe(false);
    pic.write(0xa1, 1, 0x40);
    pic.setIrq(14, true);
    expect(pic.hasInterrupt()).toBe(false);
    expect(pic.read(0x21)).toBe(0x01);
    pic.write(0x21, 1, 0x00);
    expect(pic.acknowledge()).toBe(0x08);
  });

  it('lets a higher-priority master IRQ interrupt a slave handler but not a lower one', () => {
    const pic = new DualPic();
    initPics(pic);
    pic.setIrq(12, true);
    expect(pic.acknowledge()).toBe(0x74);
    pic.setIrq(3, true);
    expect(pic.hasInterrupt()).toBe(false);
    pic.setIrq(1, true);
    expect(pic.acknowledge()).toBe(0x09);
  });

  it('answers spurious IRQ7 when nothing is pending, and supports specific EOI and auto-EOI', () => {
    const pic = new DualPic();
    initPics(pic);
    expect(pic.acknowledge()).toBe(0x0f);
    pic.setIrq(4, true);
    pic.acknowledge();
    pic.write(0x20, 1, 0x64); // specific EOI for IRQ4
    pic.write(0x20, 1, 0x0b);
    expect(pic.read(0x20)).toBe(0);
    pic.write(0x20, 1, 0x11);
    pic.write(0x21, 1, 0x08);
    pic.write(0x21, 1, 0x04);
    pic.write(0x21, 1, 0x03); // 8086 mode + auto EOI
    pic.setIrq(5, true);
    expect(pic.acknowledge()).toBe(0x0d);
    pic.write(0x20, 1, 0x0b);
    expect(pic.read(0x20)).toBe(0);
  });
});
