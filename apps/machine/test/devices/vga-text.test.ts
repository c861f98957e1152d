import { describe, expect, it } from 'vitest';
import { COLUMNS, cp437ToChar, TEXT_BASE, VgaText } from '../../src/devices/vga-text.js';
import { FlatMemory } from './helpers.js';

function put(mem: FlatMemory, row: number, col: number, text: string): void {
  for (let i = 0; i < text.length; i++) {
    mem.bytes[TEXT_BASE + 2 * (row * COLUMNS + col + i)] = text.charCodeAt(i);
    mem.bytes[TEXT_BASE + 2 * (row * COLUMNS + col + i) + 1] = 0x07;
  }
}

describe('VgaText', () => {
  it('returns the screen as lines, trailing blanks removed', () => {
    const mem = new FlatMemory(1 << 20);
    const vga = new VgaText(mem);
    put(mem, 0, 0, 'Hello');
    put(mem, 2, 5, 'A:\\>');
    expect(vga.screenText()).toBe('Hello\n\n     A:\\>');
    expect(vga.screenLines()).toHaveLength(25);
  });

  it('follows the CRTC start address and cursor registers', () => {
    const mem = new FlatMemory(1 << 20);
    const vga = new VgaText(mem);
    put(mem, 1, 0, 'second');
    vga.write(0x3d4, 1, 0x0c);
    vga.write(0x3d5, 1, 0);
    vga.write(0x3d4, 1, 0x0d);
    vga.write(0x3d5, 1, COLUMNS);
    expect(vga.screenLines()[0]).toBe('second');
    vga.write(0x3d4, 1, 0x0e);
    const pos = COLUMNS + 3 * COLUMNS + 7; // row 3 of a screen starting at row 1
    vga.write(0x3d5, 1, pos >> 8);
    vga.write(0x3d4, 1, 0x0f);
    vga.write(0x3d5, 1, pos & 0xff);
    expect(vga.cursor()).toEqual({ row: 3, column: 7 });
    expect(vga.read(0x3d5)).toBe(pos & 0xff);
  });

  it('shows 40 columns when the CRTC display end says so', () => {
    const mem = new FlatMemory(1 << 20);
    const vga = new VgaText(mem);
    put(mem, 0, 0, 'x'.repeat(41));
    expect(vga.screenLines()[0]).toHaveLength(41);
    vga.write(0x3d4, 1, 0x01);
    vga.write(0x3d5, 1, 39);
    expect(vga.columns()).toBe(40);
    expect(vga.screenLines()[0]).toBe('x'.repeat(40));
    expect(vga.screenLines()[1]).toBe('x');
  });

  it('maps code page 437 graphics to Unicode', () => {
    expect(cp437ToChar(0xc9)).toBe('╔');
    expect(cp437ToChar(0xdb)).toBe('█');
    expect(cp437ToChar(0xff)).toBe('\u00a0');
    expect(cp437ToChar(0x41)).toBe('A');
    expect(cp437ToChar(0x01)).toBe('☺');
  });

  it('stores attribute registers through the 0x3C0 flip-flop, reset by reading 0x3DA', () => {
    const vga = new VgaText(new FlatMemory(1 << 20));
    vga.read(0x3da);
    vga.write(0x3c0, 1, 0x10);
    vga.write(0x3c0, 1, 0x0c);
    vga.write(0x3c0, 1, 0x20);
    vga.read(0x3da);
    vga.write(0x3c0, 1, 0x10);
    expect(vga.read(0x3c1)).toBe(0x0c);
    const a = vga.read(0x3da);
    const b = vga.read(0x3da);
    expect(a ^ b).toBe(0x09);
  });
});
