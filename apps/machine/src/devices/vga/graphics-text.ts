// Text in graphics modes, as a VGA BIOS draws it for int 10h AH=09h/0Ah/0Eh: glyphs from the ROM font
// painted into planar (16-colour), CGA (4- or 2-colour, odd/even line banks) or chain-4 (256-colour)
// video memory, bit 7 of the colour meaning XOR, and whole-screen scrolling by one text row.
import { builtinFont } from './modes.js';
import type { Vga } from './vga.js';

export interface GraphicsTextMode {
  kind: 'planar' | 'cga' | 'vga256';
  /** Pixels per row, text rows and the character height. */
  width: number;
  rows: number;
  charHeight: number;
}

/** Glyph rows for a character height: the 8×16 font (cropped to 14 for 350-line modes) or the 8×8 font. */
function glyph(ch: number, height: number): Uint8Array {
  if (height === 8) return builtinFont(8).subarray(ch * 8, ch * 8 + 8);
  const f = builtinFont(16).subarray(ch * 16, ch * 16 + 16);
  return height === 14 ? f.subarray(1, 15) : f;
}

/** CGA modes: bytes per line (both banks), and the second bank's offset (odd lines). */
const CGA_LINE = 80;
const CGA_BANK = 0x2000;

/**
 * Index in vram of CPU offset `off` in the B800h window: modes 04h/05h address planes 0 and 1 odd/even,
 * mode 06h (640 pixels) writes plane 0 alone.
 */
const cgaIndex = (off: number, width: number) => (width === 640 ? off << 2 : ((off & ~1) << 1) | (off & 1));

/** CPU offset of byte `x` of scan line `y` in a CGA mode. */
const cgaOffset = (y: number, x: number) => (y & 1) * CGA_BANK + (y >> 1) * CGA_LINE + x;

/** A glyph row as CGA bytes: 2 bits per pixel (mode 04h/05h) or 1 (06h) in colour `colour`. */
function cgaBytes(bits: number, colour: number, width: number): number[] {
  if (width === 640) return [colour & 1 ? bits : 0];
  let word = 0;
  for (let b = 0; b < 8; b++) if (bits & (0x80 >> b)) word |= (colour & 3) << (14 - 2 * b);
  return [word >> 8, word & 0xff];
}

/** Draw character `ch` at text cell (col, row) in colour `colour` (bit 7: XOR with what is there). */
export function drawGraphicsChar(
  vga: Vga,
  m: GraphicsTextMode,
  col: number,
  row: number,
  ch: number,
  colour: number,
): void {
  const vram = vga.memory.vram;
  const rows = glyph(ch, m.charHeight);
  const xor = (colour & 0x80) !== 0;
  for (let line = 0; line < m.charHeight; line++) {
    const y = row * m.charHeight + line;
    const bits = rows[line];
    if (m.kind === 'cga') {
      const bytes = cgaBytes(bits, colour, m.width);
      bytes.forEach((v, k) => {
        const i = cgaIndex(cgaOffset(y, col * bytes.length + k), m.width);
        vram[i] = xor ? vram[i] ^ v : v;
        vga.memory.markDirty(i);
      });
    } else if (m.kind === 'planar') {
      const offset = y * (m.width / 8) + col;
      for (let p = 0; p < 4; p++) {
        const i = offset * 4 + p;
        const on = (colour >> p) & 1 ? bits : 0;
        vram[i] = xor ? vram[i] ^ on : on;
      }
      vga.memory.markDirty(offset * 4);
    } else {
      const at = y * m.width + col * 8;
      for (let b = 0; b < 8; b++) {
        const on = bits & (0x80 >> b) ? colour & 0xff : 0;
        vram[at + b] = xor ? vram[at + b] ^ (on & 0x7f) : on;
      }
      vga.memory.markDirty(at);
    }
  }
}

/** Move the whole picture up by one text row and clear the bottom row. */
export function scrollGraphicsUp(vga: Vga, m: GraphicsTextMode): void {
  const vram = vga.memory.vram;
  if (m.kind === 'cga') {
    // each bank holds half of a text row's lines
    const rowBytes = (CGA_LINE * m.charHeight) / 2;
    const bankBytes = rowBytes * m.rows;
    for (const bank of [0, CGA_BANK]) {
      for (let off = 0; off < bankBytes; off++) {
        const from = off + rowBytes < bankBytes ? vram[cgaIndex(bank + off + rowBytes, m.width)] : 0;
        vram[cgaIndex(bank + off, m.width)] = from;
      }
    }
    vga.memory.dirty.fill(1);
    return;
  }
  const lineBytes = m.kind === 'planar' ? (m.width / 8) * 4 : m.width;
  const rowBytes = lineBytes * m.charHeight;
  const total = rowBytes * m.rows;
  vram.copyWithin(0, rowBytes, total);
  vram.fill(0, total - rowBytes, total);
  vga.memory.dirty.fill(1);
}
