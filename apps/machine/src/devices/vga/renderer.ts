// Turns VGA state into RGBA frames. What is drawn follows QEMU's standard VGA: text modes (8, 9 or
// 16 dots per character, the font from plane 2), 16-colour planar and 256-colour graphics with the
// CRTC's scan doubling, and VBE modes at 8, 15, 16, 24 and 32 bits per pixel.
// Incremental: a register change redraws the frame; otherwise only the scanlines (text rows) whose
// video memory blocks were written, and the rows of a moved or blinking cursor, are drawn again.
import type { VgaFrame, VgaFrameSource, VgaRect } from './frame.js';
import { DIRTY_SHIFT } from './memory.js';
import { palette16, palette256 } from './palette.js';
import type { Vga } from './vga.js';

/** How the current picture is made, and everything about it that changes the whole frame. */
interface Layout {
  kind: 'blank' | 'text' | 'planar' | 'cga' | 'vga256' | 'vbe';
  width: number;
  height: number;
  /** Byte index in vram of the first scanline / text row, and bytes between rows. */
  start: number;
  lineOffset: number;
}

const BLACK = 0xff000000;

/**
 * Blinking, as a VGA at 60 frames/s shows it: the cursor changes every 16 frames, characters with
 * the blink attribute every 32. Only when render() is given the time; without it both stay on.
 */
const CURSOR_BLINK_MS = (16 * 1000) / 60;
const TEXT_BLINK_MS = 2 * CURSOR_BLINK_MS;

export class VgaRenderer implements VgaFrameSource {
  private rgba = new Uint8ClampedArray(0);
  private pixels = new Uint32Array(0);
  private width = 0;
  private height = 0;
  private layout: Layout | undefined;
  private generation = -1;
  private vbeGeneration = -1;
  private fontGeneration = -1;
  private cursorGeneration = -1;
  private cursorCell = -1;
  /** Whether the cursor and blinking characters were shown in the last frame. */
  private cursorPhase = true;
  private textPhase = true;
  private readonly pal = new Uint32Array(256);

  constructor(private readonly vga: Vga) {}

  invalidate(): void {
    this.generation = -1;
  }

  render(timeMs?: number): VgaFrame {
    const { regs, vbe, memory } = this.vga;
    const layout = this.computeLayout();
    const cursorPhase = timeMs === undefined || Math.floor(timeMs / CURSOR_BLINK_MS) % 2 === 0;
    const textPhase = timeMs === undefined || Math.floor(timeMs / TEXT_BLINK_MS) % 2 === 0;
    const cursorBlinked = cursorPhase !== this.cursorPhase;
    const textBlinked = textPhase !== this.textPhase && (regs.attr[0x10] & 0x08) !== 0;
    this.cursorPhase = cursorPhase;
    this.textPhase = textPhase;
    const full =
      textBlinked ||
      this.generation !== regs.generation ||
      this.vbeGeneration !== vbe.generation ||
      (layout.kind === 'text' && this.fontGeneration !== memory.fontGeneration) ||
      this.layout === undefined ||
      layout.width !== this.width ||
      layout.height !== this.height;
    this.generation = regs.generation;
    this.vbeGeneration = vbe.generation;
    this.fontGeneration = memory.fontGeneration;
    this.layout = layout;
    if (layout.width !== this.width || layout.height !== this.height) {
      this.width = layout.width;
      this.height = layout.height;
      this.rgba = new Uint8ClampedArray(layout.width * layout.height * 4);
      this.pixels = new Uint32Array(this.rgba.buffer);
    }
    if (full) this.loadPalette(layout);
    let top = Number.POSITIVE_INFINITY;
    let bottom = -1;
    const drawn = (y0: number, y1: number) => {
      top = Math.min(top, y0);
      bottom = Math.max(bottom, y1);
    };
    switch (layout.kind) {
      case 'blank':
        if (full) {
          this.pixels.fill(BLACK);
          drawn(0, layout.height);
        }
        break;
      case 'text':
        this.drawText(layout, full, cursorBlinked, drawn);
        break;
      default:
        this.drawGraphics(layout, full, drawn);
    }
    memory.dirty.fill(0);
    const dirty: VgaRect | null =
      bottom < 0 ? null : { x: 0, y: top, width: this.width, height: Math.min(bottom, this.height) - top };
    return { width: this.width, height: this.height, rgba: this.rgba, dirty };
  }

  private loadPalette(layout: Layout): void {
    const { regs, vbe } = this.vga;
    if (layout.kind === 'vga256' || layout.kind === 'vbe') palette256(regs, vbe.dac8, this.pal);
    else palette16(regs, vbe.dac8, this.pal);
  }

  private computeLayout(): Layout {
    const { regs, vbe } = this.vga;
    const { crtc, seq, gfx } = regs;
    if (vbe.enabled && vbe.xres > 0 && vbe.yres > 0) {
      return {
        kind: 'vbe',
        width: vbe.xres,
        height: vbe.yres,
        start: vbe.startOffset,
        lineOffset: vbe.lineOffset,
      };
    }
    const vde = (crtc[0x12] | ((crtc[7] & 0x02) << 7) | ((crtc[7] & 0x40) << 3)) + 1;
    const start = ((crtc[0x0c] << 8) | crtc[0x0d]) * 4;
    const lineOffset = crtc[0x13] << 3;
    if (!(gfx[6] & 1)) {
      const cw = seq[1] & 0x08 ? 16 : seq[1] & 0x01 ? 8 : 9;
      const cheight = (crtc[9] & 0x1f) + 1;
      const cols = crtc[1] + 1;
      const rows = Math.max(1, Math.floor(vde / cheight));
      const blank = !(regs.attrIndex & 0x20) || seq[1] & 0x20;
      return { kind: blank ? 'blank' : 'text', width: cols * cw, height: rows * cheight, start, lineOffset };
    }
    const shift = (gfx[5] >> 5) & 3;
    let width = (crtc[1] + 1) * 8;
    if (shift === 0 || shift === 1) width <<= seq[1] & 0x08 ? 1 : 0;
    const kind = shift === 0 ? 'planar' : shift === 1 ? 'cga' : 'vga256';
    const blank = !(regs.attrIndex & 0x20) || seq[1] & 0x20;
    return { kind: blank ? 'blank' : kind, width, height: vde, start, lineOffset };
  }

  /** True when any vram block in [from, to) was written since the last frame. */
  private dirtyRange(from: number, to: number): boolean {
    const d = this.vga.memory.dirty;
    const last = Math.min((to - 1) >>> DIRTY_SHIFT, d.length - 1);
    for (let b = from >>> DIRTY_SHIFT; b <= last; b++) if (d[b]) return true;
    return false;
  }

  private drawText(
    layout: Layout,
    full: boolean,
    cursorBlinked: boolean,
    drawn: (y0: number, y1: number) => void,
  ): void {
    const { regs, memory } = this.vga;
    const { crtc, seq, attr } = regs;
    const vram = memory.vram;
    const cw = seq[1] & 0x08 ? 16 : seq[1] & 0x01 ? 8 : 9;
    const cheight = (crtc[9] & 0x1f) + 1;
    const cols = crtc[1] + 1;
    const rows = layout.height / cheight;
    const v = seq[3];
    const fontBase = [
      (((v >> 4) & 1) | ((v << 1) & 6)) * 8192 * 4 + 2,
      (((v >> 5) & 1) | ((v >> 1) & 6)) * 8192 * 4 + 2,
    ];
    const blinkMode = (attr[0x10] & 0x08) !== 0;
    const lineGraphics = (attr[0x10] & 0x04) !== 0;
    const cursorAt = ((crtc[0x0e] << 8) | crtc[0x0f]) * 4;
    const cursorOn = !(crtc[0x0a] & 0x20) && this.cursorPhase;
    const cursorFirst = crtc[0x0a] & 0x1f;
    const cursorLast = Math.min(crtc[0x0b] & 0x1f, cheight - 1);
    const cursorRows = new Set<number>();
    if (this.cursorGeneration !== regs.cursorGeneration || cursorBlinked) {
      for (const cell of [this.cursorCell, cursorAt]) {
        const row = Math.floor((cell - layout.start) / layout.lineOffset);
        if (cell >= 0 && row >= 0 && row < rows) cursorRows.add(row);
      }
      this.cursorGeneration = regs.cursorGeneration;
      this.cursorCell = cursorAt;
    }
    const px = this.pixels;
    const pal = this.pal;
    const width = layout.width;
    for (let row = 0; row < rows; row++) {
      const rowAddr = layout.start + row * layout.lineOffset;
      if (!full && !cursorRows.has(row) && !this.dirtyRange(rowAddr, rowAddr + cols * 4)) continue;
      drawn(row * cheight, (row + 1) * cheight);
      for (let col = 0; col < cols; col++) {
        const addr = (rowAddr + col * 4) & (vram.length - 1);
        const ch = vram[addr];
        const at = vram[addr + 1];
        const hidden = blinkMode && at & 0x80 && !this.textPhase;
        const fg = pal[hidden ? (at >> 4) & 7 : at & 0x0f];
        const bg = pal[blinkMode ? (at >> 4) & 7 : at >> 4];
        const glyph = fontBase[(at >> 3) & 1] + ch * 32 * 4;
        const dup9 = cw === 9 && lineGraphics && ch >= 0xb0 && ch <= 0xdf;
        let o = row * cheight * width + col * cw;
        for (let line = 0; line < cheight; line++, o += width) {
          let bits = vram[(glyph + line * 4) & (vram.length - 1)];
          if (cursorOn && addr === cursorAt && line >= cursorFirst && line <= cursorLast) bits = 0xff;
          if (cw === 16) {
            for (let i = 0; i < 8; i++) px[o + 2 * i] = px[o + 2 * i + 1] = bits & (0x80 >> i) ? fg : bg;
          } else {
            for (let i = 0; i < 8; i++) px[o + i] = bits & (0x80 >> i) ? fg : bg;
            if (cw === 9) px[o + 8] = dup9 && bits & 1 ? fg : bg;
          }
        }
      }
    }
  }

  private drawGraphics(layout: Layout, full: boolean, drawn: (y0: number, y1: number) => void): void {
    const { regs } = this.vga;
    const { crtc } = regs;
    const vbeMode = layout.kind === 'vbe';
    const doubleScan = vbeMode ? 0 : crtc[9] >> 7;
    // CGA addressing (CR17 bit 0 clear: row scan bit 0 picks the odd/even bank) ignores the maximum
    // scan line, as QEMU does; the banks themselves give each line its two scans
    const multiScan = vbeMode ? 0 : crtc[0x17] & 1 ? (((crtc[9] & 0x1f) + 1) << doubleScan) - 1 : doubleScan;
    const lineCompare = vbeMode ? -1 : crtc[0x18] | ((crtc[7] & 0x10) << 4) | ((crtc[9] & 0x40) << 3);
    const bytes = this.lineBytes(layout);
    let addr1 = layout.start;
    let y1 = 0;
    let multiRun = multiScan;
    for (let y = 0; y < layout.height; y++) {
      let addr = addr1;
      if (!vbeMode) {
        if (!(crtc[0x17] & 1)) {
          const sh = 14 + ((crtc[0x17] >> 6) & 1);
          addr = (addr & ~(1 << sh)) | ((y1 & 1) << sh);
        }
        if (!(crtc[0x17] & 2)) addr = (addr & ~0x8000) | ((y1 & 2) << 14);
      }
      if (full || this.dirtyRange(addr, addr + bytes)) {
        this.drawLine(layout, addr, y);
        drawn(y, y + 1);
      }
      if (!multiRun) {
        const mask = vbeMode ? 0 : (crtc[0x17] & 3) ^ 3;
        if ((y1 & mask) === mask) addr1 += layout.lineOffset;
        y1++;
        multiRun = multiScan;
      } else multiRun--;
      if (y === lineCompare) addr1 = 0;
    }
  }

  /** Bytes of vram that one scanline reads. */
  private lineBytes(layout: Layout): number {
    switch (layout.kind) {
      case 'planar':
        return (layout.width >> 3) * 4 * (this.vga.regs.seq[1] & 0x08 ? 0.5 : 1);
      case 'cga':
        return layout.width;
      case 'vga256':
        return layout.width >> 1;
      default:
        return Math.ceil(layout.width * this.vga.vbe.bytesPerPixel());
    }
  }

  private drawLine(layout: Layout, addr: number, y: number): void {
    const vram = this.vga.memory.vram;
    const px = this.pixels;
    const pal = this.pal;
    const width = layout.width;
    let o = y * width;
    switch (layout.kind) {
      case 'planar': {
        const dotsPerByte = this.vga.regs.seq[1] & 0x08 ? 2 : 1;
        const planes = this.vga.regs.attr[0x12] & 0x0f;
        const words = width / 8 / dotsPerByte;
        const mask = 0x3ffff;
        for (let x = 0; x < words; x++, addr += 4) {
          const a = addr & mask;
          const p0 = planes & 1 ? vram[a] : 0;
          const p1 = planes & 2 ? vram[a + 1] : 0;
          const p2 = planes & 4 ? vram[a + 2] : 0;
          const p3 = planes & 8 ? vram[a + 3] : 0;
          for (let b = 7; b >= 0; b--) {
            const c =
              ((p0 >> b) & 1) | (((p1 >> b) & 1) << 1) | (((p2 >> b) & 1) << 2) | (((p3 >> b) & 1) << 3);
            px[o++] = pal[c];
            if (dotsPerByte === 2) px[o++] = pal[c];
          }
        }
        return;
      }
      case 'cga': {
        // interleaved shift (modes 04h/05h): pixels 0-3 take 2 bits each from plane 0 (plane 2 adds
        // the upper two), pixels 4-7 from plane 1 (and 3); planes the attribute controller disables read 0
        const dotsPerPixel = this.vga.regs.seq[1] & 0x08 ? 2 : 1;
        const planes = this.vga.regs.attr[0x12] & 0x0f;
        for (let x = 0; x < width / 8 / dotsPerPixel; x++, addr += 4) {
          const a = addr & 0x3ffff;
          const p0 = planes & 1 ? vram[a] : 0;
          const p1 = planes & 2 ? vram[a + 1] : 0;
          const p2 = planes & 4 ? vram[a + 2] : 0;
          const p3 = planes & 8 ? vram[a + 3] : 0;
          for (let i = 0; i < 8; i++) {
            const lo = i < 4 ? p0 : p1;
            const hi = i < 4 ? p2 : p3;
            const sh = 6 - 2 * (i & 3);
            const c = ((lo >> sh) & 3) | (((hi >> sh) & 3) << 2);
            for (let d = 0; d < dotsPerPixel; d++) px[o++] = pal[c];
          }
        }
        return;
      }
      case 'vga256':
        for (let x = 0; x < width >> 1; x++) {
          const c = pal[vram[(addr + x) & 0x3ffff]];
          px[o++] = c;
          px[o++] = c;
        }
        return;
      default:
        this.drawVbeLine(addr, o, width);
    }
  }

  private drawVbeLine(addr: number, o: number, width: number): void {
    const vram = this.vga.memory.vram;
    const px = this.pixels;
    const n = vram.length;
    switch (this.vga.vbe.bpp) {
      case 32:
        if ((addr & 3) === 0 && addr + width * 4 <= n) {
          // aligned: one 32-bit read per pixel, B and R swapped into RGBA order
          const words = this.vga.memory.vram32;
          for (let x = 0, w = addr >>> 2; x < width; x++, w++) {
            const v = words[w];
            px[o++] = (0xff000000 | (v & 0xff00) | ((v >>> 16) & 0xff) | ((v & 0xff) << 16)) >>> 0;
          }
          return;
        }
        for (let x = 0; x < width; x++, addr += 4) {
          if (addr + 3 >= n) break;
          px[o++] = (0xff000000 | (vram[addr] << 16) | (vram[addr + 1] << 8) | vram[addr + 2]) >>> 0;
        }
        return;
      case 24:
        for (let x = 0; x < width; x++, addr += 3) {
          if (addr + 2 >= n) break;
          px[o++] = (0xff000000 | (vram[addr] << 16) | (vram[addr + 1] << 8) | vram[addr + 2]) >>> 0;
        }
        return;
      case 16:
      case 15: {
        const is16 = this.vga.vbe.bpp === 16;
        for (let x = 0; x < width; x++, addr += 2) {
          if (addr + 1 >= n) break;
          const v = vram[addr] | (vram[addr + 1] << 8);
          const r = is16 ? (v >> 8) & 0xf8 : (v >> 7) & 0xf8;
          const g = is16 ? (v >> 3) & 0xfc : (v >> 2) & 0xf8;
          const b = (v << 3) & 0xf8;
          px[o++] = (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
        }
        return;
      }
      case 8:
        for (let x = 0; x < width && addr < n; x++) px[o++] = this.pal[vram[addr++]];
        return;
      default:
        // 4 bpp VBE: two pixels per byte, high nibble first
        for (let x = 0; x < width && addr < n; x += 2, addr++) {
          px[o++] = this.pal[vram[addr] >> 4];
          px[o++] = this.pal[vram[addr] & 0x0f];
        }
    }
  }
}
