// Text in graphics modes, as a VGA BIOS draws it for int 10h AH=09h/0Ah/0Eh: glyphs from the ROM font
// painted into planar (16-colour) or chain-4 (256-colour) video memory, bit 7 of the colour meaning XOR,
// and whole-screen scrolling by one text row.
import { builtinFont } from './modes.js';
import type { Vga } from './vga.js';

export interface GraphicsTextMode {
  kind: 'planar' | 'vga256';
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
    if (m.kind === 'planar') {
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
  const lineBytes = m.kind === 'planar' ? (m.width / 8) * 4 : m.width;
  const rowBytes = lineBytes * m.charHeight;
  const total = rowBytes * m.rows;
  vram.copyWithin(0, rowBytes, total);
  vram.fill(0, total - rowBytes, total);
  vga.memory.dirty.fill(1);
}
