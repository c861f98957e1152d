// The Bochs VBE extension ("DISPI", as in QEMU's standard VGA): index port 0x1CE, data 0x1CF.
// SeaVGABIOS's VBE and the built-in BIOS program resolution, depth, virtual width and the 64 KiB
// bank through it; the framebuffer is the whole video memory, linear on a PCI BAR.

export const VBE_ID = 0xb0c5;
export const VBE_MAX_XRES = 2560;
export const VBE_MAX_YRES = 1600;
export const VBE_MAX_BPP = 32;
export const VBE_ENABLED = 0x01;
export const VBE_GETCAPS = 0x02;
export const VBE_8BIT_DAC = 0x20;
export const VBE_LFB_ENABLED = 0x40;
export const VBE_NOCLEARMEM = 0x80;
const BPP = [4, 8, 15, 16, 24, 32];

/** Register numbers (the index port). */
export const Dispi = {
  Id: 0,
  XRes: 1,
  YRes: 2,
  Bpp: 3,
  Enable: 4,
  Bank: 5,
  VirtWidth: 6,
  VirtHeight: 7,
  XOffset: 8,
  YOffset: 9,
  VideoMemory64K: 10,
} as const;

export class VbeRegisters {
  index = 0;
  /** Registers 0-9 (10, the memory size, is computed). */
  readonly regs = new Uint16Array(10);
  /** Byte offset of the visible picture in video memory, and bytes per line. */
  startOffset = 0;
  lineOffset = 0;
  generation = 0;

  constructor(readonly vramSize: number) {
    this.regs[Dispi.Id] = VBE_ID;
    this.regs[Dispi.Bpp] = 8;
  }

  get enabled(): boolean {
    return (this.regs[Dispi.Enable] & VBE_ENABLED) !== 0;
  }

  get dac8(): boolean {
    return (this.regs[Dispi.Enable] & VBE_8BIT_DAC) !== 0;
  }

  get bankOffset(): number {
    return this.regs[Dispi.Bank] * 0x10000;
  }

  get bpp(): number {
    return this.regs[Dispi.Bpp];
  }

  get xres(): number {
    return this.regs[Dispi.XRes];
  }

  get yres(): number {
    return this.regs[Dispi.YRes];
  }

  readData(): number {
    const i = this.index;
    if (i === Dispi.VideoMemory64K) return this.vramSize >>> 16;
    if (i >= this.regs.length) return 0;
    if (this.regs[Dispi.Enable] & VBE_GETCAPS) {
      if (i === Dispi.XRes) return VBE_MAX_XRES;
      if (i === Dispi.YRes) return VBE_MAX_YRES;
      if (i === Dispi.Bpp) return VBE_MAX_BPP;
    }
    return this.regs[i];
  }

  /** Returns true when the mode was just enabled and video memory should be cleared. */
  writeData(value: number): { clear: boolean } {
    value &= 0xffff;
    const r = this.regs;
    let clear = false;
    switch (this.index) {
      case Dispi.Id:
        if (value >= 0xb0c0 && value <= VBE_ID) r[Dispi.Id] = value;
        break;
      case Dispi.XRes:
        if (value <= VBE_MAX_XRES && (value & 7) === 0) r[Dispi.XRes] = value;
        break;
      case Dispi.YRes:
        if (value <= VBE_MAX_YRES) r[Dispi.YRes] = value;
        break;
      case Dispi.Bpp:
        r[Dispi.Bpp] = BPP.includes(value) ? value : value === 0 ? 8 : r[Dispi.Bpp];
        break;
      case Dispi.Bank:
        if (value * 0x10000 < this.vramSize) r[Dispi.Bank] = value;
        break;
      case Dispi.Enable: {
        const wasEnabled = this.enabled;
        r[Dispi.Enable] = value;
        if (value & VBE_ENABLED && !wasEnabled) {
          // as QEMU: enabling resets the virtual size and offsets to the visible mode
          r[Dispi.VirtWidth] = r[Dispi.XRes];
          r[Dispi.VirtHeight] = r[Dispi.YRes];
          r[Dispi.XOffset] = 0;
          r[Dispi.YOffset] = 0;
          clear = (value & VBE_NOCLEARMEM) === 0;
        }
        r[Dispi.Bank] = 0;
        break;
      }
      case Dispi.VirtWidth:
      case Dispi.VirtHeight:
      case Dispi.XOffset:
      case Dispi.YOffset:
        r[this.index] = value;
        break;
      default:
        return { clear };
    }
    this.updateLayout();
    this.generation++;
    return { clear };
  }

  bytesPerPixel(): number {
    return this.bpp === 4 ? 0.5 : (this.bpp + 7) >> 3;
  }

  /** Line length and start of the picture from the virtual width and the x/y offsets. */
  updateLayout(): void {
    const r = this.regs;
    const bpp = this.bytesPerPixel();
    this.lineOffset = Math.floor(r[Dispi.VirtWidth] * bpp);
    this.startOffset = r[Dispi.YOffset] * this.lineOffset + Math.floor(r[Dispi.XOffset] * bpp);
  }
}
