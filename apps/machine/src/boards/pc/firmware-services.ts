// Services of the built-in BIOS done in TypeScript, reached through paravirtual ports (as its disk
// I/O is): the BIOS handler saves every register in a frame on its stack (see ENTER_FRAME in
// firmware/bios.asm) and writes SS:BP of that frame, one 32-bit OUT, to
//   0x594: int 10h (video): mode sets, palette, fonts, text in graphics modes, VBE 4F00h-4F03h, 4F05h, 4F08h
//   0x598: int 15h: AH=87h block move
// The service reads its inputs from the saved registers and writes its results into them; reading
// the same port then tells the handler whether the call was taken (1) or is left to the asm (0).
// No state of its own: everything lives in guest memory, the VGA and the BIOS data area.
import type { PhysicalMemory } from '@phantasm/mmu';
import type { PortDevice } from '../../devices/types.js';
import {
  drawGraphicsChar,
  type GraphicsTextMode,
  scrollGraphicsUp,
} from '../../devices/vga/graphics-text.js';
import {
  builtinFont,
  defaultPalette256,
  findMode,
  loadFont,
  setFont8x8,
  setMode,
} from '../../devices/vga/modes.js';
import { VBE_8BIT_DAC, VBE_ENABLED, VBE_LFB_ENABLED, VBE_NOCLEARMEM } from '../../devices/vga/vbe.js';
import { bytesPerLine, vbeModes } from '../../devices/vga/vbe-modes.js';
import type { Vga } from '../../devices/vga/vga.js';

export const FIRMWARE_SERVICES_BASE = 0x594;
export const FIRMWARE_SERVICES_LAST = 0x59b;
const PORT_INT10 = 0x594;
const PORT_INT15 = 0x598;

/** Byte offsets of the saved registers from BP in the BIOS's handler frame. */
const F = {
  flags: 6,
  ax: -4,
  cx: -8,
  dx: -12,
  bx: -16,
  bp: -24,
  si: -28,
  di: -32,
  ds: -34,
  es: -36,
} as const;
type Reg = keyof typeof F;

/** BIOS data area fields that the video services keep. */
const BDA = 0x400;

class Frame {
  constructor(
    private readonly mem: PhysicalMemory,
    private readonly base: number,
  ) {}
  get(r: Reg): number {
    return this.mem.read16(this.base + F[r]);
  }
  set(r: Reg, v: number): void {
    this.mem.write16(this.base + F[r], v & 0xffff);
  }
  high(r: Reg): number {
    return this.get(r) >> 8;
  }
  low(r: Reg): number {
    return this.get(r) & 0xff;
  }
  setCarry(on: boolean): void {
    const f = this.get('flags');
    this.set('flags', on ? f | 1 : f & ~1);
  }
  /** Linear address of segment register `seg` (saved) : offset. */
  far(seg: 'es' | 'ds', off: number): number {
    return this.get(seg) * 16 + off;
  }
}

export class FirmwareServices implements PortDevice {
  private result = 0;

  constructor(
    private readonly mem: PhysicalMemory,
    private readonly vga: Vga,
    /** Physical address of the VBE linear framebuffer (PCI BAR 0 of the VGA). */
    private readonly lfbAddress: () => number,
  ) {}

  read(port: number): number {
    return port === PORT_INT10 || port === PORT_INT15 ? this.result : 0;
  }

  write(port: number, _size: 1 | 2 | 4, value: number): void {
    const frame = new Frame(this.mem, (value >>> 16) * 16 + (value & 0xffff));
    if (port === PORT_INT10) this.result = this.int10(frame) ? 1 : 0;
    else if (port === PORT_INT15) this.result = this.int15(frame) ? 1 : 0;
  }

  // ---- int 10h ----

  private int10(f: Frame): boolean {
    const ah = f.high('ax');
    switch (ah) {
      case 0x00:
        return this.setVgaMode(f.low('ax'));
      case 0x10:
        return this.palette(f);
      case 0x11:
        return this.font(f);
      case 0x4f:
        this.vbe(f);
        return true;
      case 0x09:
      case 0x0a:
      case 0x0e:
        return this.graphicsText(f, ah);
      default:
        return false;
    }
  }

  /** The current mode when it is one of our graphics modes (no VBE): what text drawing needs. */
  private graphicsMode(): GraphicsTextMode | undefined {
    const table = findMode(this.mem.read8(BDA + 0x49));
    if (!table || table.kind === 'text' || this.vga.vbe.enabled || !(this.vga.regs.gfx[6] & 1))
      return undefined;
    const width = table.kind === 'vga256' ? 320 : table.width;
    return {
      kind: table.kind,
      width,
      rows: Math.floor(table.height / table.charHeight),
      charHeight: table.charHeight,
    };
  }

  /** AH=09h/0Ah (CX copies at the cursor, colour BL) and 0Eh (teletype, colour BL) in graphics modes. */
  private graphicsText(f: Frame, ah: number): boolean {
    const mode = this.graphicsMode();
    if (!mode) return false; // text modes: the asm writes B8000h
    const m = this.mem;
    const cols = m.read16(BDA + 0x4a);
    const cursor = m.read16(BDA + 0x50); // page 0: low byte column, high byte row
    let col = cursor & 0xff;
    let row = cursor >> 8;
    const ch = f.low('ax');
    const colour = f.low('bx');
    if (ah !== 0x0e) {
      for (let i = 0; i < f.get('cx') && col + i < cols; i++)
        drawGraphicsChar(this.vga, mode, col + i, row, ch, colour);
      return true;
    }
    if (ch === 0x0d) col = 0;
    else if (ch === 0x0a) row++;
    else if (ch === 0x08) col = Math.max(0, col - 1);
    else if (ch !== 0x07) {
      drawGraphicsChar(this.vga, mode, col, row, ch, colour);
      if (++col >= cols) {
        col = 0;
        row++;
      }
    }
    if (row >= mode.rows) {
      scrollGraphicsUp(this.vga, mode);
      row = mode.rows - 1;
    }
    m.write16(BDA + 0x50, (row << 8) | col);
    return true;
  }

  private setVgaMode(al: number): boolean {
    const table = findMode(al & 0x7f);
    if (!table) return false;
    setMode(this.vga, table, !(al & 0x80));
    const m = this.mem;
    const text = table.kind === 'text';
    const cols = text ? table.width : table.width / 8;
    const rows = text ? 25 : Math.floor(table.height / table.charHeight);
    m.write8(BDA + 0x49, table.mode);
    m.write16(BDA + 0x4a, cols);
    m.write16(BDA + 0x4c, text ? (cols === 40 ? 0x800 : 0x1000) : table.kind === 'cga' ? 0x4000 : 0);
    m.write16(BDA + 0x4e, 0);
    for (let p = 0; p < 8; p++) m.write16(BDA + 0x50 + 2 * p, 0);
    m.write16(BDA + 0x60, table.mode === 7 ? 0x0b0c : 0x0607); // cursor lines, CGA-style in colour modes
    m.write8(BDA + 0x62, 0);
    m.write16(BDA + 0x63, table.misc & 1 ? 0x3d4 : 0x3b4); // where the asm finds the CRTC
    m.write8(BDA + 0x65, text ? 0x29 : 0x1e);
    m.write8(BDA + 0x66, 0x30);
    m.write8(BDA + 0x84, rows - 1);
    m.write16(BDA + 0x85, table.charHeight);
    m.write8(BDA + 0x87, 0x60);
    m.write8(BDA + 0x88, 0xf9);
    m.write8(BDA + 0x89, 0x51);
    return true;
  }

  /** AH=10h: attribute palette registers and DAC. */
  private palette(f: Frame): boolean {
    const regs = this.vga.regs;
    const al = f.low('ax');
    const bx = f.get('bx');
    const cx = f.get('cx');
    const dx = f.get('dx');
    switch (al) {
      case 0x00: // set one palette register BL to BH
        if ((bx & 0xff) < 0x15) regs.attr[bx & 0xff] = bx >> 8;
        break;
      case 0x01: // overscan colour
        regs.attr[0x11] = bx >> 8;
        break;
      case 0x02: // all 16 palette registers and overscan from ES:DX
        for (let i = 0; i < 17; i++) regs.attr[i === 16 ? 0x11 : i] = this.mem.read8(f.far('es', dx + i));
        break;
      case 0x03: // blink (BL=1) or bright backgrounds (BL=0)
        regs.attr[0x10] = (regs.attr[0x10] & ~0x08) | (bx & 1 ? 0x08 : 0);
        break;
      case 0x07: // read palette register BL into BH
        f.set('bx', (bx & 0xff) | (regs.attr[bx & 0x1f] << 8));
        return true;
      case 0x10: // one DAC register BX: DH red, CH green, CL blue
        regs.dac.set(
          [dx >> 8, cx >> 8, cx & 0xff].map((v) => v & 0x3f),
          (bx & 0xff) * 3,
        );
        break;
      case 0x12: // CX DAC registers from BX, from ES:DX
        for (let i = 0; i < cx * 3 && (bx & 0xff) * 3 + i < 768; i++)
          regs.dac[(bx & 0xff) * 3 + i] = this.mem.read8(f.far('es', dx + i)) & 0x3f;
        break;
      case 0x15: {
        const d = regs.dac.subarray((bx & 0xff) * 3);
        f.set('dx', (d[0] << 8) | (dx & 0xff));
        f.set('cx', (d[1] << 8) | d[2]);
        return true;
      }
      case 0x17:
        for (let i = 0; i < cx * 3 && (bx & 0xff) * 3 + i < 768; i++)
          this.mem.write8(f.far('es', dx + i), regs.dac[(bx & 0xff) * 3 + i]);
        return true;
      default:
        return false;
    }
    regs.generation++;
    return true;
  }

  /** AH=11h: load the 8×8 (80×50) or 8×16 (80×25) ROM font into the current text mode. */
  private font(f: Frame): boolean {
    const al = f.low('ax');
    const m = this.mem;
    if (al === 0x02 || al === 0x12) {
      setFont8x8(this.vga);
      m.write8(BDA + 0x84, 49);
      m.write16(BDA + 0x85, 8);
      m.write16(BDA + 0x60, 0x0607);
      return true;
    }
    if (al === 0x04 || al === 0x14) {
      loadFont(this.vga, builtinFont(16), 16);
      const r = this.vga.regs;
      r.crtc[0x09] = (r.crtc[0x09] & 0xe0) | 15;
      r.generation++;
      m.write8(BDA + 0x84, 24);
      m.write16(BDA + 0x85, 16);
      return true;
    }
    return false;
  }

  // ---- VBE ----

  private vbe(f: Frame): void {
    const al = f.low('ax');
    const ok = (handled: boolean) => f.set('ax', handled ? 0x004f : 0x014f);
    switch (al) {
      case 0x00:
        ok(this.vbeInfo(f));
        return;
      case 0x01:
        ok(this.vbeModeInfo(f, f.get('cx') & 0x1ff));
        return;
      case 0x02:
        ok(this.vbeSetMode(f.get('bx')));
        return;
      case 0x03:
        f.set('bx', this.vbeCurrentMode());
        ok(true);
        return;
      case 0x05: // bank switch of window A (BH=0 set DX, BH=1 get)
        if (f.high('bx') === 1) f.set('dx', this.vga.vbe.regs[5]);
        else this.dispi(5, f.get('dx'));
        ok(true);
        return;
      case 0x08: // DAC width: BH=bits (6 or 8); BL=1 get
        if ((f.get('bx') & 0xff) === 0) {
          const wide = f.high('bx') >= 8;
          const en = this.vga.vbe.regs[4];
          this.dispi(4, wide ? en | VBE_8BIT_DAC : en & ~VBE_8BIT_DAC);
        }
        f.set('bx', ((this.vga.vbe.dac8 ? 8 : 6) << 8) | (f.get('bx') & 0xff));
        ok(true);
        return;
      default:
        f.set('ax', 0x0100 | 0x4f);
    }
  }

  private dispi(index: number, value: number): void {
    this.vga.write(0x1ce, 2, index);
    this.vga.write(0x1cf, 2, value);
  }

  /** 4F00h: the controller information block at ES:DI; mode list and strings inside the block. */
  private vbeInfo(f: Frame): boolean {
    const at = f.far('es', f.get('di'));
    const m = this.mem;
    const es = f.get('es');
    const di = f.get('di');
    const vbe2 = m.read32(at) === 0x32454256; // 'VBE2': the caller offers 512 bytes
    const size = vbe2 ? 512 : 256;
    for (let i = 4; i < size; i++) m.write8(at + i, 0);
    m.writeBytes(at, [0x56, 0x45, 0x53, 0x41]); // 'VESA'
    m.write16(at + 4, 0x0200);
    const oem = vbe2 ? 0x100 : 0xe0; // OEM string in the block's OEM data (or the reserved tail)
    const name = 'Phantasm VGA';
    m.writeBytes(at + oem, [...name].map((c) => c.charCodeAt(0)).concat(0));
    m.write16(at + 6, di + oem);
    m.write16(at + 8, es);
    m.write32(at + 0x0a, 0x00000001); // capabilities: DAC width switchable
    const list = 0x22; // mode list in the reserved area
    m.write16(at + 0x0e, di + list);
    m.write16(at + 0x10, es);
    m.write16(at + 0x12, this.vga.vbe.vramSize >>> 16);
    const modes = vbeModes(this.vga.vbe.vramSize).slice(0, 40);
    for (const [i, mode] of modes.entries()) m.write16(at + list + 2 * i, mode.mode);
    m.write16(at + list + 2 * modes.length, 0xffff);
    if (vbe2) {
      m.write16(at + 0x14, 0x0001); // OEM software revision
      for (const off of [0x16, 0x1a, 0x1e]) {
        m.write16(at + off, di + oem);
        m.write16(at + off + 2, es);
      }
    }
    return true;
  }

  /** 4F01h: the mode information block of mode `mode` at ES:DI. */
  private vbeModeInfo(f: Frame, mode: number): boolean {
    const vm = vbeModes(this.vga.vbe.vramSize).find((x) => x.mode === mode);
    if (!vm) return false;
    const at = f.far('es', f.get('di'));
    const m = this.mem;
    for (let i = 0; i < 256; i++) m.write8(at + i, 0);
    const line = bytesPerLine(vm);
    const pages = Math.max(1, Math.floor(this.vga.vbe.vramSize / (line * vm.height)));
    m.write16(at + 0x00, 0x009b); // supported, colour, graphics, LFB (bit 7)
    m.write8(at + 0x02, 0x07); // window A: relocatable, readable, writable
    m.write16(at + 0x04, 64); // granularity KiB
    m.write16(at + 0x06, 64); // window size KiB
    m.write16(at + 0x08, 0xa000);
    m.write16(at + 0x10, line);
    m.write16(at + 0x12, vm.width);
    m.write16(at + 0x14, vm.height);
    m.write8(at + 0x16, 8);
    m.write8(at + 0x17, 16);
    m.write8(at + 0x18, 1); // planes
    m.write8(at + 0x19, vm.bpp);
    m.write8(at + 0x1a, 1); // banks
    m.write8(at + 0x1b, vm.bpp === 8 ? 4 : 6); // packed pixel or direct colour
    m.write8(at + 0x1d, pages - 1);
    m.write8(at + 0x1e, 1);
    const fields = colourFields(vm.bpp);
    if (fields) {
      m.writeBytes(at + 0x1f, fields);
      m.writeBytes(at + 0x36, fields); // linear mode fields (VBE 3.0 layout)
    }
    m.write32(at + 0x28, this.lfbAddress() >>> 0);
    m.write16(at + 0x32, line);
    m.write8(at + 0x34, pages - 1);
    m.write8(at + 0x35, pages - 1);
    return true;
  }

  private vbeSetMode(bx: number): boolean {
    const number = bx & 0x1ff;
    const noClear = (bx & 0x8000) !== 0;
    if (number < 0x100) return this.setVgaMode(number | (noClear ? 0x80 : 0));
    const vm = vbeModes(this.vga.vbe.vramSize).find((x) => x.mode === number);
    if (!vm) return false;
    this.dispi(4, 0);
    this.dispi(1, vm.width);
    this.dispi(2, vm.height);
    this.dispi(3, vm.bpp);
    this.dispi(5, 0);
    this.dispi(4, VBE_ENABLED | (bx & 0x4000 ? VBE_LFB_ENABLED : 0) | (noClear ? VBE_NOCLEARMEM : 0));
    if (vm.bpp === 8) this.vga.regs.dac.set(defaultPalette256());
    this.vga.regs.generation++;
    return true;
  }

  /** 4F03h: the VBE mode that the DISPI registers show, else the VGA mode in the BDA. */
  private vbeCurrentMode(): number {
    const v = this.vga.vbe;
    if (v.enabled) {
      const vm = vbeModes(v.vramSize).find(
        (x) => x.width === v.xres && x.height === v.yres && x.bpp === v.bpp,
      );
      if (vm) return vm.mode | (v.regs[4] & VBE_LFB_ENABLED ? 0x4000 : 0);
    }
    return this.mem.read8(BDA + 0x49);
  }

  // ---- int 15h ----

  private int15(f: Frame): boolean {
    if (f.high('ax') !== 0x87) return false;
    // ES:SI: a GDT whose descriptors 2 and 3 are the source and destination; CX words
    const gdt = f.far('es', f.get('si'));
    const base = (d: number) =>
      (this.mem.read16(d + 2) | (this.mem.read8(d + 4) << 16) | (this.mem.read8(d + 7) << 24)) >>> 0;
    const words = f.get('cx');
    if (words > 0x8000) {
      f.set('ax', 0x0100 | (f.get('ax') & 0xff));
      f.setCarry(true);
      return true;
    }
    const bytes = this.mem.readBytes(base(gdt + 0x10), words * 2);
    this.mem.writeBytes(base(gdt + 0x18), bytes);
    f.set('ax', f.get('ax') & 0xff);
    f.setCarry(false);
    return true;
  }
}

/** Red, green, blue and reserved mask sizes and positions of a direct-colour depth. */
function colourFields(bpp: number): number[] | undefined {
  switch (bpp) {
    case 15:
      return [5, 10, 5, 5, 5, 0, 1, 15];
    case 16:
      return [5, 11, 6, 5, 5, 0, 0, 0];
    case 24:
      return [8, 16, 8, 8, 8, 0, 0, 0];
    case 32:
      return [8, 16, 8, 8, 8, 0, 8, 24];
    default:
      return undefined;
  }
}
