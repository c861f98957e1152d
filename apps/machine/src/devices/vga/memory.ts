// VGA video memory as the CPU sees it through the legacy window (A0000h-BFFFFh): chain-4, odd/even
// and planar addressing, the four 8-bit latches, read modes 0-1 and write modes 0-3 with
// set/reset, rotate, logical function, bit mask and map mask.
// Layout, as QEMU's: plane p of byte offset a is vram[a * 4 + p], so a chain-4 address is its own
// index, and the VBE linear framebuffer is the same array.

import type { VgaRegisters } from './registers.js';
import type { VbeRegisters } from './vbe.js';

/**
 * Dirty tracking in 64-byte blocks of video memory: a text row, a mode 13h or 12h scanline (320
 * bytes) and a 640×32-bit line are whole blocks, so one write redraws only its own line or row.
 */
export const DIRTY_SHIFT = 6;

/** mask16[n]: 0xff in each byte i of a 32-bit word where bit i of n is set (n = 4-bit plane set). */
const MASK16 = Uint32Array.from({ length: 16 }, (_, n) => {
  let m = 0;
  for (let i = 0; i < 4; i++) if (n & (1 << i)) m |= 0xff << (8 * i);
  return m >>> 0;
});

export class VideoMemory {
  readonly vram: Uint8Array;
  readonly vram32: Uint32Array;
  /** One byte per block of vram: 1 when written since the renderer last looked. */
  readonly dirty: Uint8Array;
  /** Bumped by writes that reach plane 2 through the legacy window (where text-mode fonts live). */
  fontGeneration = 0;
  latch = 0;

  constructor(
    size: number,
    private readonly regs: VgaRegisters,
    private readonly vbe: VbeRegisters,
  ) {
    this.vram = new Uint8Array(size);
    this.vram32 = new Uint32Array(this.vram.buffer);
    this.dirty = new Uint8Array(size >>> DIRTY_SHIFT).fill(1);
  }

  markDirty(index: number): void {
    this.dirty[index >>> DIRTY_SHIFT] = 1;
  }

  /** Offset of `addr` (relative to A0000h) inside the window that GR06 selects, or -1 outside it. */
  private windowOffset(addr: number): number {
    switch ((this.regs.gfx[6] >> 2) & 3) {
      case 0:
        return addr;
      case 1:
        return addr < 0x10000 ? addr : -1;
      case 2:
        return addr >= 0x10000 && addr < 0x18000 ? addr - 0x10000 : -1;
      default:
        return addr >= 0x18000 ? addr - 0x18000 : -1;
    }
  }

  /** One byte read through the legacy window; `addr` is relative to A0000h. */
  read(addr: number): number {
    const off = this.windowOffset(addr);
    if (off < 0) return 0xff;
    const { seq, gfx } = this.regs;
    if (seq[4] & 0x08) {
      const index = this.vbe.enabled ? this.vbe.bankOffset + off : off & 0xffff;
      return index < this.vram.length ? this.vram[index] : 0xff;
    }
    if (gfx[5] & 0x10) {
      const plane = (gfx[4] & 2) | (off & 1);
      return this.vram[(((off & ~1) << 1) | plane) & 0x3ffff];
    }
    const latch = this.vram32[off & 0xffff];
    this.latch = latch;
    if (!(gfx[5] & 0x08)) return (latch >>> ((gfx[4] & 3) * 8)) & 0xff;
    // read mode 1: colour compare, with colour don't care
    let v = (latch ^ MASK16[gfx[2] & 0x0f]) & MASK16[gfx[7] & 0x0f];
    v |= v >>> 16;
    v |= v >>> 8;
    return ~v & 0xff;
  }

  /** One byte written through the legacy window; `addr` is relative to A0000h. */
  write(addr: number, value: number): void {
    const off = this.windowOffset(addr);
    if (off < 0) return;
    const { seq, gfx } = this.regs;
    const mapMask = seq[2] & 0x0f;
    if (seq[4] & 0x08) {
      const index = this.vbe.enabled ? this.vbe.bankOffset + off : off & 0xffff;
      if (index >= this.vram.length || !(mapMask & (1 << (index & 3)))) return;
      this.vram[index] = value;
      this.dirty[index >>> DIRTY_SHIFT] = 1;
      if ((index & 3) === 2) this.fontGeneration++;
      return;
    }
    if (!(seq[4] & 0x04)) {
      const plane = (gfx[4] & 2) | (off & 1);
      if (!(mapMask & (1 << plane))) return;
      const index = (((off & ~1) << 1) | plane) & 0x3ffff;
      this.vram[index] = value;
      this.dirty[index >>> DIRTY_SHIFT] = 1;
      if (plane === 2) this.fontGeneration++;
      return;
    }
    const word = off & 0xffff;
    let v: number;
    let bitMask = gfx[8];
    const latch = this.latch;
    switch (gfx[5] & 3) {
      case 0: {
        const r = gfx[3] & 7;
        v = ((value >> r) | (value << (8 - r))) & 0xff;
        v = (v | (v << 8) | (v << 16) | (v << 24)) >>> 0;
        const setMask = MASK16[gfx[1] & 0x0f];
        v = ((v & ~setMask) | (MASK16[gfx[0] & 0x0f] & setMask)) >>> 0;
        v = this.logical(v, latch);
        break;
      }
      case 1:
        this.store(word, latch, mapMask);
        return;
      case 2:
        v = this.logical(MASK16[value & 0x0f], latch);
        break;
      default: {
        const r = gfx[3] & 7;
        bitMask &= ((value >> r) | (value << (8 - r))) & 0xff;
        v = this.logical(MASK16[gfx[0] & 0x0f], latch);
        break;
      }
    }
    const bits = (bitMask | (bitMask << 8) | (bitMask << 16) | (bitMask << 24)) >>> 0;
    this.store(word, ((v & bits) | (latch & ~bits)) >>> 0, mapMask);
  }

  /** GR03 bits 3-4: replace, AND, OR or XOR with the latches. */
  private logical(v: number, latch: number): number {
    switch ((this.regs.gfx[3] >> 3) & 3) {
      case 1:
        return (v & latch) >>> 0;
      case 2:
        return (v | latch) >>> 0;
      case 3:
        return (v ^ latch) >>> 0;
      default:
        return v;
    }
  }

  private store(word: number, value: number, mapMask: number): void {
    const m = MASK16[mapMask];
    this.vram32[word] = ((this.vram32[word] & ~m) | (value & m)) >>> 0;
    this.dirty[(word << 2) >>> DIRTY_SHIFT] = 1;
    if (mapMask & 4) this.fontGeneration++;
  }
}
