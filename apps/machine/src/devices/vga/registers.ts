// The VGA register file behind ports 0x3B4-0x3DA: sequencer, CRTC, graphics controller, attribute
// controller (one port for index and data, told apart by a flip-flop that reading input status 1
// resets), DAC with its read/write indices and three-step colour counter, misc output, and input
// status 1 whose retrace bits toggle on each read so that polling loops end.
// Every write that can change the picture bumps `generation`; the renderer redraws on a change.

/** CRTC registers 0x0E/0x0F (cursor location) change only two character cells, not the whole picture. */
const CURSOR_LOCATION = new Set([0x0e, 0x0f]);

export class VgaRegisters {
  readonly seq = new Uint8Array(8);
  readonly crtc = new Uint8Array(32);
  readonly gfx = new Uint8Array(16);
  readonly attr = new Uint8Array(32);
  /** 256 × RGB, 6 significant bits each (8 with the VBE 8-bit DAC). */
  readonly dac = new Uint8Array(768);
  seqIndex = 0;
  crtcIndex = 0;
  gfxIndex = 0;
  /** Bits 0-4 the register, bit 5 PAS (palette address source: 0 = the CPU owns the palette, screen blank). */
  attrIndex = 0;
  /** false: the next 0x3C0 write is an index. */
  attrFlipFlop = false;
  misc = 0x67;
  featureControl = 0;
  dacReadIndex = 0;
  dacWriteIndex = 0;
  /** Colour component (0-2) of the entry being read or written. */
  dacComponent = 0;
  /** 0x3C7 read: 0 = the DAC was last set up for writing, 3 = for reading. */
  dacState = 0;
  pelMask = 0xff;
  /** Input status 1 bits that toggle per read (saved: polling loops see the same sequence after a restore). */
  retrace = 0;
  /** Bumped by every write that may change what is shown (not by cursor moves). */
  generation = 0;
  /** Bumped by cursor location and shape changes. */
  cursorGeneration = 0;

  /** 0x3D4 (colour) or 0x3B4 (mono), from misc output bit 0. */
  crtcBase(): number {
    return this.misc & 1 ? 0x3d0 : 0x3b0;
  }

  read(port: number): number {
    const base = this.crtcBase();
    if ((port & 0xfff0) === 0x3b0 || (port & 0xfff0) === 0x3d0) {
      if ((port & 0xfff0) !== base) return 0xff; // the other address range is not decoded
      port &= 0x0f;
      if (port === 0x4) return this.crtcIndex;
      if (port === 0x5) return this.crtcIndex < this.crtc.length ? this.crtc[this.crtcIndex] : 0xff;
      if (port === 0xa) {
        this.attrFlipFlop = false;
        this.retrace ^= 0x09; // display enable and vertical retrace, toggled per read
        return this.retrace;
      }
      return 0xff;
    }
    switch (port) {
      case 0x3c0:
        return this.attrIndex;
      case 0x3c1:
        return this.attr[this.attrIndex & 0x1f];
      case 0x3c2:
        return 0x10; // input status 0: switch sense (a colour monitor is attached)
      case 0x3c4:
        return this.seqIndex;
      case 0x3c5:
        return this.seqIndex < this.seq.length ? this.seq[this.seqIndex] : 0xff;
      case 0x3c6:
        return this.pelMask;
      case 0x3c7:
        return this.dacState;
      case 0x3c8:
        return this.dacWriteIndex;
      case 0x3c9: {
        const v = this.dac[this.dacReadIndex * 3 + this.dacComponent];
        if (++this.dacComponent === 3) {
          this.dacComponent = 0;
          this.dacReadIndex = (this.dacReadIndex + 1) & 0xff;
        }
        return v;
      }
      case 0x3ca:
        return this.featureControl;
      case 0x3cc:
        return this.misc;
      case 0x3ce:
        return this.gfxIndex;
      case 0x3cf:
        return this.gfxIndex < this.gfx.length ? this.gfx[this.gfxIndex] : 0xff;
      default:
        return 0xff;
    }
  }

  /** `dac8`: the VBE 8-bit DAC is on (entries keep all 8 bits). */
  write(port: number, value: number, dac8 = false): void {
    value &= 0xff;
    const base = this.crtcBase();
    if ((port & 0xfff0) === 0x3b0 || (port & 0xfff0) === 0x3d0) {
      if ((port & 0xfff0) !== base) return;
      port &= 0x0f;
      if (port === 0x4) this.crtcIndex = value;
      else if (port === 0x5) this.writeCrtc(this.crtcIndex, value);
      else if (port === 0xa) this.featureControl = value;
      return;
    }
    switch (port) {
      case 0x3c0:
        if (!this.attrFlipFlop) {
          if ((value ^ this.attrIndex) & 0x20) this.generation++; // screen on or off
          this.attrIndex = value & 0x3f;
        } else if ((this.attrIndex & 0x1f) < 0x15) {
          this.attr[this.attrIndex & 0x1f] = value;
          this.generation++;
        }
        this.attrFlipFlop = !this.attrFlipFlop;
        return;
      case 0x3c2:
        this.misc = value;
        this.generation++;
        return;
      case 0x3c4:
        this.seqIndex = value;
        return;
      case 0x3c5:
        if (this.seqIndex < this.seq.length) {
          this.seq[this.seqIndex] = value;
          this.generation++;
        }
        return;
      case 0x3c6:
        this.pelMask = value;
        this.generation++;
        return;
      case 0x3c7:
        this.dacReadIndex = value;
        this.dacComponent = 0;
        this.dacState = 3;
        return;
      case 0x3c8:
        this.dacWriteIndex = value;
        this.dacComponent = 0;
        this.dacState = 0;
        return;
      case 0x3c9:
        this.dac[this.dacWriteIndex * 3 + this.dacComponent] = dac8 ? value : value & 0x3f;
        if (++this.dacComponent === 3) {
          this.dacComponent = 0;
          this.dacWriteIndex = (this.dacWriteIndex + 1) & 0xff;
        }
        this.generation++;
        return;
      case 0x3ce:
        this.gfxIndex = value;
        return;
      case 0x3cf:
        if (this.gfxIndex < this.gfx.length) {
          this.gfx[this.gfxIndex] = value;
          this.generation++;
        }
        return;
    }
  }

  private writeCrtc(index: number, value: number): void {
    if (index >= this.crtc.length) return;
    // CR11 bit 7 write-protects CR00-CR07, except the line compare bit 4 of CR07
    if (index <= 7 && this.crtc[0x11] & 0x80) {
      if (index !== 7) return;
      value = (this.crtc[7] & ~0x10) | (value & 0x10);
    }
    this.crtc[index] = value;
    if (CURSOR_LOCATION.has(index) || index === 0x0a || index === 0x0b) this.cursorGeneration++;
    if (!CURSOR_LOCATION.has(index)) this.generation++;
  }
}
