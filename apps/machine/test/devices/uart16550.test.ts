import { describe, expect, it } from 'vitest';
import { Uart16550 } from '../../src/devices/uart16550.js';
import { IrqRecorder } from './helpers.js';

function setup() {
  const out: number[] = [];
  const irq = new IrqRecorder();
  return { out, irq, uart: new Uart16550(0x3f8, 4, irq, (b) => out.push(b)) };
}

describe('Uart16550', () => {
  it('sends transmitted bytes to the sink and reports an empty transmitter', () => {
    const { out, uart } = setup();
    for (const ch of 'hi') uart.write(0x3f8, 1, ch.charCodeAt(0));
    expect(String.fromCharCode(...out)).toBe('hi');
    expect(uart.read(0x3fd) & 0x60).toBe(0x60);
  });

  it('stores the divisor behind DLAB without transmitting', () => {
    const { out, uart } = setup();
    uart.write(0x3fb, 1, 0x80);
    uart.write(0x3f8, 1, 0x01);
    uart.write(0x3f9, 1, 0x00);
    uart.write(0x3fb, 1, 0x03);
    expect(uart.divisor).toBe(1);
    expect(out).toEqual([]);
    expect(uart.read(0x3fb)).toBe(0x03);
  });

  it('raises IRQ4 for received data when enabled and OUT2 is set', () => {
    const { irq, uart } = setup();
    uart.write(0x3f9, 1, 0x01);
    uart.receive([0x41]);
    expect(irq.level(4)).toBe(false); // OUT2 clear: line gated off
    uart.write(0x3fc, 1, 0x08);
    expect(irq.level(4)).toBe(true);
    expect(uart.read(0x3fa) & 0x0f).toBe(0x04);
    expect(uart.read(0x3fd) & 1).toBe(1);
    expect(uart.read(0x3f8)).toBe(0x41);
    expect(irq.level(4)).toBe(false);
  });

  it('raises the THR-empty interrupt once until IIR is read', () => {
    const { irq, uart } = setup();
    uart.write(0x3fc, 1, 0x08);
    uart.write(0x3f9, 1, 0x02);
    expect(irq.level(4)).toBe(true);
    expect(uart.read(0x3fa) & 0x0f).toBe(0x02);
    expect(irq.level(4)).toBe(false);
    expect(uart.read(0x3fa) & 0x0f).toBe(0x01);
  });

  it('loops transmitted bytes back in loopback mode and mirrors MCR into MSR', () => {
    const { out, uart } = setup();
    uart.write(0x3fc, 1, 0x1f);
    uart.write(0x3f8, 1, 0xae);
    expect(out).toEqual([]);
    expect(uart.read(0x3f8)).toBe(0xae);
    expect(uart.read(0x3fe) & 0xf0).toBe(0xf0);
    uart.write(0x3fc, 1, 0x10);
    expect(uart.read(0x3fe) & 0xf0).toBe(0x00);
    uart.write(0x3ff, 1, 0x5a);
    expect(uart.read(0x3ff)).toBe(0x5a);
  });
});
