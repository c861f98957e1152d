// The VGA adapter of QEMU's standard VGA ("-vga std"): the VGA register file, 256 KiB of planar
// memory behind the legacy window A0000h-BFFFFh, and the Bochs VBE extension whose linear
// framebuffer (all of video memory) sits on BAR 0 of PCI device 1234:1111. It also answers the
// text-screen questions the console and tests ask (the characters shown, the cursor).
import type { MmioDevice } from '@phantasm/mmu';
import { cp437ToChar } from '../cp437.js';
import { base64, type DeviceRecord, DeviceStateError, RecordReader, type SavableDevice } from '../state.js';
import type { PortDevice } from '../types.js';
import { VideoMemory } from './memory.js';
import { VgaRegisters } from './registers.js';
import { VBE_NOCLEARMEM, VbeRegisters } from './vbe.js';

/** Video memory: enough for 1920×1080 at 32 bits with room to spare (QEMU's default is 16 MiB). */
export const VRAM_SIZE = 8 << 20;
/** The legacy window: A0000h, 128 KiB. */
export const VGA_WINDOW_BASE = 0xa0000;
export const VGA_WINDOW_SIZE = 0x20000;
/** State pages of video memory saved when not all zero (a machine state stays small). */
const SAVE_PAGE = 4096;

export class Vga implements PortDevice, SavableDevice {
  readonly regs = new VgaRegisters();
  readonly vbe = new VbeRegisters(VRAM_SIZE);
  readonly memory = new VideoMemory(VRAM_SIZE, this.regs, this.vbe);

  /** The A0000h-BFFFFh window as an MMIO device (byte cycles; wider accesses are split, low byte first). */
  readonly window: MmioDevice = {
    read: (offset, size) => {
      let v = 0;
      for (let i = 0; i < size; i++) v |= this.memory.read(offset + i) << (8 * i);
      return v >>> 0;
    },
    write: (offset, size, value) => {
      for (let i = 0; i < size; i++) this.memory.write(offset + i, (value >>> (8 * i)) & 0xff);
    },
  };

  /** The linear framebuffer (PCI BAR 0): video memory byte for byte. */
  readonly linear: MmioDevice = {
    read: (offset, size) => {
      const vram = this.memory.vram;
      if (offset + size > vram.length) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
      if (size === 1) return vram[offset];
      if (size === 2) return vram[offset] | (vram[offset + 1] << 8);
      return (
        (vram[offset] | (vram[offset + 1] << 8) | (vram[offset + 2] << 16) | (vram[offset + 3] << 24)) >>> 0
      );
    },
    write: (offset, size, value) => {
      const vram = this.memory.vram;
      if (offset + size > vram.length) return;
      vram[offset] = value;
      if (size > 1) vram[offset + 1] = value >>> 8;
      if (size > 2) {
        vram[offset + 2] = value >>> 16;
        vram[offset + 3] = value >>> 24;
      }
      this.memory.markDirty(offset);
    },
  };

  constructor() {
    // power-on: 80×25 colour text geometry, so a text console works before any BIOS set a mode
    this.regs.crtc[0x01] = 79;
    this.regs.crtc[0x09] = 15;
    this.regs.crtc[0x0a] = 0x0d;
    this.regs.crtc[0x0b] = 0x0e;
    this.regs.crtc[0x12] = 0x8f;
    this.regs.crtc[0x07] = 0x1f;
    this.regs.crtc[0x13] = 40;
    this.regs.seq[4] = 0x02;
    this.regs.seq[2] = 0x03;
    this.regs.gfx[5] = 0x10;
    this.regs.gfx[6] = 0x0e;
    this.regs.attrIndex = 0x20;
  }

  read(port: number, size: 1 | 2 | 4): number {
    if (port === 0x1ce || port === 0x1cf) {
      const v = port === 0x1ce ? this.vbe.index : this.vbe.readData();
      return size === 1 ? (port === 0x1ce ? v & 0xff : v >> 8) : v;
    }
    if (size === 2) return this.regs.read(port) | (this.regs.read(port + 1) << 8);
    return this.regs.read(port);
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    if (port === 0x1ce || port === 0x1cf) {
      if (port === 0x1ce) this.vbe.index = value & 0xffff;
      else this.vbeWrite(value);
      return;
    }
    // a 16-bit OUT to an index port writes the index and then the data register
    this.regs.write(port, value, this.vbe.dac8);
    if (size === 2) this.regs.write(port + 1, value >>> 8, this.vbe.dac8);
  }

  private vbeWrite(value: number): void {
    const { clear } = this.vbe.writeData(value);
    if (this.vbe.enabled) {
      // as QEMU: VBE modes use chain-4 (the banked window is then video memory byte for byte)
      this.regs.seq[4] |= 0x08;
      this.regs.gfx[6] = (this.regs.gfx[6] & ~0x0c) | 0x05;
      this.regs.generation++;
    }
    if (clear && !(this.vbe.regs[4] & VBE_NOCLEARMEM)) {
      this.memory.vram.fill(0);
      this.memory.dirty.fill(1);
    }
  }

  // ---- the text screen ----

  /** True in a text mode (graphics controller misc register bit 0 clear, no VBE mode). */
  isText(): boolean {
    return !(this.regs.gfx[6] & 1) && !this.vbe.enabled;
  }

  /** Characters per row, from CRTC 01h. */
  columns(): number {
    return this.regs.crtc[0x01] + 1;
  }

  /** Text rows: the displayed scanlines over the character height (25, 43, 50). */
  rows(): number {
    const c = this.regs.crtc;
    const vde = (c[0x12] | ((c[7] & 0x02) << 7) | ((c[7] & 0x40) << 3)) + 1;
    return Math.max(1, Math.min(60, Math.floor(vde / ((c[9] & 0x1f) + 1))));
  }

  private startAddress(): number {
    return (this.regs.crtc[0x0c] << 8) | this.regs.crtc[0x0d];
  }

  /** Cursor position as row/column, from CRTC 0x0E/0x0F. */
  cursor(): { row: number; column: number } {
    const cols = this.columns();
    const pos = ((this.regs.crtc[0x0e] << 8) | this.regs.crtc[0x0f]) - this.startAddress();
    return { row: Math.floor(pos / cols), column: pos % cols };
  }

  /** The character and attribute of text cell `i` after the start address (plane 0 and plane 1). */
  cell(i: number): { char: number; attr: number } {
    const index = ((this.startAddress() + i) * 4) & (this.memory.vram.length - 1);
    return { char: this.memory.vram[index], attr: this.memory.vram[index + 1] };
  }

  /** The visible text, one string per row, trailing spaces removed; in a graphics mode, 25 empty rows. */
  screenLines(): string[] {
    if (!this.isText()) return new Array<string>(25).fill('');
    const lines: string[] = [];
    const cols = this.columns();
    const stride = this.regs.crtc[0x13] * 2 || cols;
    for (let row = 0; row < this.rows(); row++) {
      let line = '';
      for (let col = 0; col < cols; col++) line += cp437ToChar(this.cell(row * stride + col).char);
      lines.push(line.trimEnd());
    }
    return lines;
  }

  /** The screen as text: rows joined with newlines, trailing blank rows dropped. */
  screenText(): string {
    const lines = this.screenLines();
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  // ---- machine state ----

  save(): DeviceRecord {
    const r = this.regs;
    const vram = this.memory.vram;
    const pages: string[] = [];
    const data: string[] = [];
    const words = this.memory.vram32;
    for (let p = 0; p < vram.length; p += SAVE_PAGE) {
      const page = vram.subarray(p, p + SAVE_PAGE);
      let nonZero = false;
      for (let w = p >>> 2, end = (p + SAVE_PAGE) >>> 2; w < end && !nonZero; w++) nonZero = words[w] !== 0;
      if (nonZero) {
        pages.push((p / SAVE_PAGE).toString());
        data.push(base64(page));
      }
    }
    return {
      version: 2,
      seq: base64(r.seq),
      crtc: base64(r.crtc),
      gfx: base64(r.gfx),
      attr: base64(r.attr),
      dac: base64(r.dac),
      indices: [
        r.seqIndex,
        r.crtcIndex,
        r.gfxIndex,
        r.attrIndex,
        r.dacReadIndex,
        r.dacWriteIndex,
        r.dacComponent,
        r.dacState,
        r.pelMask,
        r.featureControl,
      ],
      attrFlipFlop: r.attrFlipFlop,
      misc: r.misc,
      retrace: r.retrace,
      latch: this.memory.latch,
      vbeIndex: this.vbe.index,
      vbe: [...this.vbe.regs],
      vramPages: pages.join(','),
      vram: data,
    };
  }

  /**
   * Version 2 records carry the whole adapter; version 1 (the text-only VGA of earlier releases)
   * carries registers only, its text lived in RAM at B8000h: `textFromRam` hands it over.
   */
  load(record: DeviceRecord, textFromRam?: Uint8Array): void {
    const rd = new RecordReader('vga', record, [1, 2]);
    if (rd.version === 1) {
      this.loadVersion1(rd, textFromRam);
      return;
    }
    const tables = {
      seq: rd.bytes('seq', 8),
      crtc: rd.bytes('crtc', 32),
      gfx: rd.bytes('gfx', 16),
      attr: rd.bytes('attr', 32),
      dac: rd.bytes('dac', 768),
    };
    const idx = rd.ints('indices', 10, 0, 0xff);
    const vbeRegs = rd.ints('vbe', 10, 0, 0xffff);
    const pageList = rd.str('vramPages');
    const pages = pageList === '' ? [] : pageList.split(',').map(Number);
    const data = record.vram;
    if (!Array.isArray(data) || data.length !== pages.length) {
      throw new DeviceStateError('vga', 'field "vram" must list one page per entry of "vramPages"');
    }
    const vram = new Uint8Array(VRAM_SIZE);
    pages.forEach((p, i) => {
      if (!Number.isInteger(p) || p < 0 || p >= VRAM_SIZE / SAVE_PAGE) {
        throw new DeviceStateError('vga', `field "vramPages" names page ${p}, outside video memory`);
      }
      const bytes = rd.sub('vram').bytes(String(i), SAVE_PAGE);
      vram.set(bytes, p * SAVE_PAGE);
    });
    const misc = rd.int('misc', 0, 0xff);
    const retrace = rd.int('retrace', 0, 0xff);
    const flip = rd.bool('attrFlipFlop');
    const latch = rd.int('latch');
    const vbeIndex = rd.int('vbeIndex', 0, 0xffff);
    const r = this.regs;
    r.seq.set(tables.seq);
    r.crtc.set(tables.crtc);
    r.gfx.set(tables.gfx);
    r.attr.set(tables.attr);
    r.dac.set(tables.dac);
    [
      r.seqIndex,
      r.crtcIndex,
      r.gfxIndex,
      r.attrIndex,
      r.dacReadIndex,
      r.dacWriteIndex,
      r.dacComponent,
      r.dacState,
      r.pelMask,
      r.featureControl,
    ] = idx;
    r.attrFlipFlop = flip;
    r.misc = misc;
    r.retrace = retrace;
    r.generation++;
    this.memory.latch = latch;
    this.memory.vram.set(vram);
    this.memory.dirty.fill(1);
    this.memory.fontGeneration++;
    this.vbe.index = vbeIndex;
    this.vbe.regs.set(vbeRegs);
    this.vbe.updateLayout();
    this.vbe.generation++;
  }

  private loadVersion1(rd: RecordReader, text?: Uint8Array): void {
    const crtc = rd.bytes('crtc', 256);
    const sequencer = rd.bytes('sequencer', 256);
    const graphics = rd.bytes('graphics', 256);
    const attribute = rd.bytes('attribute', 32);
    const dac = rd.bytes('dac', 768);
    const misc = rd.int('misc', 0, 0xff);
    const r = this.regs;
    if (graphics[6] & 0x0c) {
      // a VGA BIOS programmed a whole mode: take every register
      r.crtc.set(crtc.subarray(0, 32));
      r.seq.set(sequencer.subarray(0, 8));
      r.gfx.set(graphics.subarray(0, 16));
      r.attr.set(attribute);
      r.dac.set(dac);
      r.misc = misc;
    } else {
      // the old built-in BIOS set only the columns, cursor and start address: keep 80×25 text otherwise
      r.crtc[0x01] = crtc[0x01];
      r.crtc.set(crtc.subarray(0x0a, 0x10), 0x0a);
    }
    r.generation++;
    if (text) {
      // B8000h in odd/even: byte 2k (character) to plane 0, byte 2k+1 (attribute) to plane 1
      for (let i = 0; i + 1 < text.length; i += 2) {
        this.memory.vram[i * 2] = text[i];
        this.memory.vram[i * 2 + 1] = text[i + 1];
      }
      this.memory.dirty.fill(1);
    }
  }
}
