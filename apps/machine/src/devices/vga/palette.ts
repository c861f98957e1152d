// Colour lookup: DAC entries to RGBA words, and the attribute controller's mapping of the 16
// colours of text and planar modes onto DAC entries (as QEMU computes them).
import type { VgaRegisters } from './registers.js';

/** A 6-bit DAC component widened to 8 bits the way QEMU does (low bit replicated into bits 0-1). */
export function c6to8(v: number): number {
  v &= 0x3f;
  const b = v & 1;
  return (v << 2) | (b << 1) | b;
}

/** RGBA bytes as one little-endian 32-bit word (R in the low byte), alpha 255. */
export function rgbaWord(r: number, g: number, b: number): number {
  return (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
}

/** The 256 DAC entries as RGBA words. */
export function palette256(regs: VgaRegisters, dac8: boolean, out: Uint32Array): void {
  const d = regs.dac;
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = [d[3 * i], d[3 * i + 1], d[3 * i + 2]];
    out[i] = dac8 ? rgbaWord(r, g, b) : rgbaWord(c6to8(r), c6to8(g), c6to8(b));
  }
}

/** Colours 0-15 through the attribute palette registers, colour select and mode control bit 7. */
export function palette16(regs: VgaRegisters, dac8: boolean, out: Uint32Array): void {
  const a = regs.attr;
  const all = new Uint32Array(256);
  palette256(regs, dac8, all);
  for (let i = 0; i < 16; i++) {
    let v = a[i];
    if (a[0x10] & 0x80) v = ((a[0x14] & 0x0f) << 4) | (v & 0x0f);
    else v = ((a[0x14] & 0x0c) << 4) | (v & 0x3f);
    out[i] = all[v];
  }
}
