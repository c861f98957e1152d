// The VGA device without a CPU: memory access modes through the A0000h window, the register ports,
// the incremental renderer's dirty reports, and machine-state records.
import { describe, expect, it } from 'vitest';
import type { VgaFrame } from '../../src/devices/vga/frame.js';
import { findMode, setMode } from '../../src/devices/vga/modes.js';
import { VgaRenderer } from '../../src/devices/vga/renderer.js';
import { Vga } from '../../src/devices/vga/vga.js';

const B8000 = 0x18000; // window offsets (relative to A0000h)

function inMode(mode: number): Vga {
  const vga = new Vga();
  setMode(vga, findMode(mode)!, true);
  return vga;
}

const gfx = (vga: Vga, index: number, value: number) => vga.write(0x3ce, 2, index | (value << 8));
const seq = (vga: Vga, index: number, value: number) => vga.write(0x3c4, 2, index | (value << 8));
/** The four planes of byte offset `a`. */
const planes = (vga: Vga, a: number) => [...vga.memory.vram.subarray(a * 4, a * 4 + 4)];

describe('VGA memory access', () => {
  it('text modes: odd/even puts characters in plane 0 and attributes in plane 1', () => {
    const vga = inMode(0x03);
    vga.window.write(B8000, 2, 0x1f41); // 'A' on blue
    vga.window.write(B8000 + 2, 1, 0x42);
    expect(planes(vga, 0).slice(0, 2)).toEqual([0x41, 0x1f]);
    expect(planes(vga, 1)[0]).toBe(0x42);
    expect(vga.window.read(B8000, 2)).toBe(0x1f41);
    expect(vga.screenText().startsWith('AB')).toBe(true);
  });

  it('mode 13h: chain-4 addresses are video memory bytes; the map mask still applies', () => {
    const vga = inMode(0x13);
    vga.window.write(5, 1, 0x77);
    expect(vga.memory.vram[5]).toBe(0x77);
    seq(vga, 2, 0x0e); // plane 0 masked off: address 8 (plane 0) is not written
    vga.window.write(8, 1, 0x99);
    vga.window.write(9, 1, 0x99);
    expect([vga.memory.vram[8], vga.memory.vram[9]]).toEqual([0, 0x99]);
  });

  it('planar write modes 0-3, latches, bit mask and read modes 0-1', () => {
    const vga = inMode(0x12);
    // write mode 0, set/reset colour 5 on all planes, bit mask 0xF0
    gfx(vga, 0, 5);
    gfx(vga, 1, 0x0f);
    gfx(vga, 8, 0xf0);
    vga.window.read(0, 1);
    vga.window.write(0, 1, 0);
    expect(planes(vga, 0)).toEqual([0xf0, 0x00, 0xf0, 0x00]);
    // write mode 1: the latches (loaded by a read of offset 0) copied to offset 1
    gfx(vga, 1, 0);
    gfx(vga, 8, 0xff);
    gfx(vga, 5, 1);
    vga.window.read(0, 1);
    vga.window.write(1, 1, 0xaa);
    expect(planes(vga, 1)).toEqual([0xf0, 0x00, 0xf0, 0x00]);
    // write mode 2: colour 0x0a expanded, only bits 0x0f change, the rest from the latches
    gfx(vga, 5, 2);
    gfx(vga, 8, 0x0f);
    vga.window.read(1, 1);
    vga.window.write(1, 1, 0x0a);
    expect(planes(vga, 1)).toEqual([0xf0, 0x0f, 0xf0, 0x0f]);
    // write mode 3: set/reset colour masked by the rotated data AND the bit mask; XOR function
    gfx(vga, 5, 3);
    gfx(vga, 0, 0x0f);
    gfx(vga, 8, 0xff);
    gfx(vga, 3, 0x18);
    vga.window.read(1, 1);
    vga.window.write(1, 1, 0x81);
    expect(planes(vga, 1)).toEqual([0x71, 0x8e, 0x71, 0x8e]);
    // read mode 0 picks plane GR04; read mode 1 compares colours (0x0a at bits where planes = 1010)
    gfx(vga, 3, 0);
    gfx(vga, 4, 1);
    gfx(vga, 5, 0);
    expect(vga.window.read(1, 1)).toBe(0x8e);
    gfx(vga, 5, 0x08);
    gfx(vga, 2, 0x0a);
    gfx(vga, 7, 0x0f);
    expect(vga.window.read(1, 1)).toBe(0x8e);
  });

  it('the window follows the memory map select of GR06', () => {
    const vga = inMode(0x12); // A0000h, 64 KiB
    vga.window.write(B8000, 1, 0x55);
    expect(vga.window.read(B8000, 1)).toBe(0xff);
    expect(vga.memory.vram.subarray(0, 0x40000).every((b) => b === 0)).toBe(true);
  });
});

describe('VGA registers', () => {
  it('the attribute flip-flop alternates index and data and is reset by reading input status 1', () => {
    const vga = inMode(0x03);
    vga.write(0x3c0, 1, 0x01);
    vga.read(0x3da, 1);
    vga.write(0x3c0, 1, 0x22); // index 2 (and screen on), not data for index 1
    vga.write(0x3c0, 1, 0x3a);
    expect(vga.regs.attr[1]).toBe(0x01);
    expect(vga.regs.attr[2]).toBe(0x3a);
    expect(vga.read(0x3da, 1) & 0x09).not.toBe(vga.read(0x3da, 1) & 0x09); // retrace toggles
  });

  it('the DAC reads and writes three components per entry with auto-increment', () => {
    const vga = inMode(0x13);
    vga.write(0x3c8, 1, 10);
    for (const v of [1, 2, 3, 4, 5, 6]) vga.write(0x3c9, 1, v);
    vga.write(0x3c7, 1, 10);
    expect([0, 1, 2, 3, 4, 5].map(() => vga.read(0x3c9, 1))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(vga.read(0x3c8, 1)).toBe(12);
  });

  it('CR11 bit 7 write-protects CR00-07', () => {
    const vga = inMode(0x03);
    vga.write(0x3d4, 2, 0x11 | (0x80 << 8));
    vga.write(0x3d4, 2, 0x01 | (0x20 << 8));
    expect(vga.regs.crtc[1]).toBe(0x4f);
  });

  it('Bochs VBE: ID, capabilities, a mode with its line length, the bank window', () => {
    const vga = inMode(0x03);
    const dispi = (i: number, v?: number) => {
      vga.write(0x1ce, 2, i);
      if (v === undefined) return vga.read(0x1cf, 2);
      vga.write(0x1cf, 2, v);
      return v;
    };
    expect(dispi(0)).toBe(0xb0c5);
    dispi(4, 0x02);
    expect(dispi(1)).toBeGreaterThanOrEqual(1920);
    dispi(4, 0);
    dispi(1, 800);
    dispi(2, 600);
    dispi(3, 16);
    dispi(4, 0x41);
    expect(vga.vbe.lineOffset).toBe(1600);
    expect(dispi(10)).toBe(vga.vbe.vramSize >> 16);
    dispi(5, 3);
    vga.window.write(0x10, 1, 0x5a); // banked window, bank 3
    expect(vga.memory.vram[3 * 0x10000 + 0x10]).toBe(0x5a);
  });
});

describe('VGA renderer', () => {
  it('text: a full first frame, nothing after, then one character row for one changed cell', () => {
    const vga = inMode(0x03);
    const r = new VgaRenderer(vga);
    expect(r.render().dirty).toEqual({ x: 0, y: 0, width: 720, height: 400 });
    expect(r.render().dirty).toBeNull();
    vga.window.write(B8000 + 2 * (80 * 3 + 7), 2, 0x4f58);
    expect(r.render().dirty).toEqual({ x: 0, y: 48, width: 720, height: 16 });
    // the cursor moving from row 0 to row 10 redraws those two rows
    vga.write(0x3d4, 2, 0x0f | (((80 * 10) & 0xff) << 8));
    vga.write(0x3d4, 2, 0x0e | (((80 * 10) >> 8) << 8));
    expect(r.render().dirty).toEqual({ x: 0, y: 0, width: 720, height: 176 });
    expect(r.render().dirty).toBeNull();
  });

  it('with the time given, the cursor blinks every 16 frames (its row alone) and blink text every 32', () => {
    const vga = inMode(0x03);
    const r = new VgaRenderer(vga);
    vga.window.write(B8000 + 2 * (80 * 5 + 2), 2, 0x8fdb); // a white full block, blinking, on black
    // red of the cursor's pixel (row 0, column 0, line 13: mode 03h's CR0A) and of the block's
    const shown = (f: VgaFrame) => [f.rgba[13 * 720 * 4], f.rgba[((5 * 16 + 3) * 720 + 2 * 9) * 4]];
    const all = { x: 0, y: 0, width: 720, height: 400 };
    let f = r.render(0);
    expect([f.dirty, shown(f)]).toEqual([all, [168, 255]]);
    f = r.render(300); // the cursor off, the text still on: only row 0 is drawn again
    expect([f.dirty, shown(f)]).toEqual([{ x: 0, y: 0, width: 720, height: 16 }, [0, 255]]);
    f = r.render(600); // the cursor on, blinking text off: all of it
    expect([f.dirty, shown(f)]).toEqual([all, [168, 0]]);
    expect(r.render(610).dirty).toBeNull();
    f = r.render(); // without a time both are shown (the tests' pictures)
    expect([f.dirty, shown(f)]).toEqual([all, [168, 255]]);
  });

  it('mode 13h: one pixel redraws its two doubled scanlines; a palette change redraws all', () => {
    const vga = inMode(0x13);
    const r = new VgaRenderer(vga);
    r.render();
    vga.window.write(320 * 100 + 10, 1, 4);
    const frame = r.render();
    expect(frame.dirty).toEqual({ x: 0, y: 200, width: 640, height: 2 });
    const px = (x: number, y: number) => [...frame.rgba.subarray((y * 640 + x) * 4, (y * 640 + x) * 4 + 4)];
    expect(px(20, 200)).toEqual([168, 0, 0, 255]); // default palette entry 4: red (2Ah widened as QEMU does)
    expect(px(21, 201)).toEqual([168, 0, 0, 255]);
    vga.write(0x3c8, 1, 4);
    for (const v of [0, 63, 0]) vga.write(0x3c9, 1, v);
    expect(r.render().dirty).toEqual({ x: 0, y: 0, width: 640, height: 400 });
    expect(px(20, 200)).toEqual([0, 255, 0, 255]);
  });

  it('a saved VGA (VBE mode, video memory) loads into a new one that renders the same frame', () => {
    const vga = inMode(0x03);
    vga.write(0x1ce, 2, 1);
    vga.write(0x1cf, 2, 320);
    vga.write(0x1ce, 2, 2);
    vga.write(0x1cf, 2, 200);
    vga.write(0x1ce, 2, 3);
    vga.write(0x1cf, 2, 32);
    vga.write(0x1ce, 2, 4);
    vga.write(0x1cf, 2, 0x41);
    for (let i = 0; i < 320 * 200; i++) vga.linear.write(i * 4, 4, (i * 2654435761) >>> 8);
    const before = new VgaRenderer(vga).render();
    const copy = new Vga();
    copy.load(JSON.parse(JSON.stringify(vga.save())));
    const after = new VgaRenderer(copy).render();
    expect([after.width, after.height]).toEqual([320, 200]);
    expect(Buffer.from(after.rgba).equals(Buffer.from(before.rgba))).toBe(true);
  });
});
