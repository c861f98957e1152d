// VGA in 80×25 (or 40×25) colour text mode. The text buffer is ordinary RAM at 0xB8000 (the board keeps
// that range as RAM), so the CPU writes it at full speed and `screenText()` reads it back.
// The registers (CRTC, sequencer, graphics, attribute, DAC, misc) are stored and read back so
// a VGA BIOS can program them; only the CRTC cursor and start address change what we show.
import { base64, type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import type { PortDevice } from './types.js';

export const TEXT_BASE = 0xb8000;
export const COLUMNS = 80;
export const ROWS = 25;

/** Code page 437, 0x80-0xFF, as Unicode. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
/** Code page 437, 0x00-0x1F (the glyphs, not control codes). */
const CP437_LOW = ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼';

export function cp437ToChar(byte: number): string {
  if (byte === 0) return ' ';
  if (byte < 0x20) return CP437_LOW[byte];
  if (byte < 0x7f) return String.fromCharCode(byte);
  if (byte === 0x7f) return '⌂';
  return CP437_HIGH[byte - 0x80];
}

export interface TextMemory {
  read8(addr: number): number;
}

export class VgaText implements PortDevice, SavableDevice {
  readonly crtc = new Uint8Array(256);
  readonly sequencer = new Uint8Array(256);
  readonly graphics = new Uint8Array(256);
  readonly attribute = new Uint8Array(32);
  readonly dac = new Uint8Array(768);
  crtcIndex = 0;
  seqIndex = 0;
  gfxIndex = 0;
  attrIndex = 0;
  private attrFlipFlop = false; // false = next 0x3C0 write is an index
  misc = 0x67;
  private dacRead = 0;
  private dacWrite = 0;
  private retrace = 0;

  constructor(private readonly memory: TextMemory) {
    this.crtc[0x01] = COLUMNS - 1; // horizontal display end
    this.crtc[0x0a] = 0x0d; // cursor start line
    this.crtc[0x0b] = 0x0e; // cursor end line
  }

  save(): DeviceRecord {
    return {
      version: 1,
      crtc: base64(this.crtc),
      sequencer: base64(this.sequencer),
      graphics: base64(this.graphics),
      attribute: base64(this.attribute),
      dac: base64(this.dac),
      crtcIndex: this.crtcIndex,
      seqIndex: this.seqIndex,
      gfxIndex: this.gfxIndex,
      attrIndex: this.attrIndex,
      attrFlipFlop: this.attrFlipFlop,
      misc: this.misc,
      dacRead: this.dacRead,
      dacWrite: this.dacWrite,
      retrace: this.retrace,
    };
  }

  /** The text itself lives in guest RAM at 0xB8000 and comes back with it. */
  load(record: DeviceRecord): void {
    const r = new RecordReader('vga', record, [1]);
    const tables = {
      crtc: r.bytes('crtc', 256),
      sequencer: r.bytes('sequencer', 256),
      graphics: r.bytes('graphics', 256),
      attribute: r.bytes('attribute', 32),
      dac: r.bytes('dac', 768),
    };
    const v = {
      crtcIndex: r.int('crtcIndex', 0, 0xff),
      seqIndex: r.int('seqIndex', 0, 0xff),
      gfxIndex: r.int('gfxIndex', 0, 0xff),
      attrIndex: r.int('attrIndex', 0, 0x3f),
      attrFlipFlop: r.bool('attrFlipFlop'),
      misc: r.int('misc', 0, 0xff),
      dacRead: r.int('dacRead', 0, 767),
      dacWrite: r.int('dacWrite', 0, 767),
      retrace: r.int('retrace', 0, 0xff),
    };
    for (const [name, bytes] of Object.entries(tables)) this[name as keyof typeof tables].set(bytes);
    Object.assign(this, v);
  }

  /** Characters per row: 40 or 80, from the CRTC horizontal display end register. */
  columns(): number {
    return this.crtc[0x01] + 1 <= 40 ? 40 : COLUMNS;
  }

  /** Cursor position as row/column, from CRTC 0x0E/0x0F. */
  cursor(): { row: number; column: number } {
    const cols = this.columns();
    const pos = ((this.crtc[0x0e] << 8) | this.crtc[0x0f]) - this.startAddress();
    return { row: Math.floor(pos / cols), column: pos % cols };
  }

  private startAddress(): number {
    return (this.crtc[0x0c] << 8) | this.crtc[0x0d];
  }

  /** The visible screen, one string per row, trailing spaces removed. */
  screenLines(): string[] {
    const lines: string[] = [];
    const cols = this.columns();
    const start = TEXT_BASE + 2 * this.startAddress();
    for (let row = 0; row < ROWS; row++) {
      let line = '';
      for (let col = 0; col < cols; col++) {
        line += cp437ToChar(this.memory.read8(start + 2 * (row * cols + col)));
      }
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

  read(port: number): number {
    switch (port) {
      case 0x3b4:
      case 0x3d4:
        return this.crtcIndex;
      case 0x3b5:
      case 0x3d5:
        return this.crtc[this.crtcIndex];
      case 0x3c0:
        return this.attrIndex;
      case 0x3c1:
        return this.attribute[this.attrIndex & 0x1f];
      case 0x3c4:
        return this.seqIndex;
      case 0x3c5:
        return this.sequencer[this.seqIndex];
      case 0x3c7:
        return 0; // DAC state
      case 0x3c8:
        return this.dacWrite / 3;
      case 0x3c9: {
        const v = this.dac[this.dacRead];
        this.dacRead = (this.dacRead + 1) % 768;
        return v;
      }
      case 0x3cc:
        return this.misc;
      case 0x3ce:
        return this.gfxIndex;
      case 0x3cf:
        return this.graphics[this.gfxIndex];
      case 0x3ba:
      case 0x3da:
        // input status 1: toggle display-enable and vertical retrace so polling loops end
        this.attrFlipFlop = false;
        this.retrace ^= 0x09;
        return this.retrace;
      default:
        return 0xff;
    }
  }

  write(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    switch (port) {
      case 0x3b4:
      case 0x3d4:
        this.crtcIndex = value;
        break;
      case 0x3b5:
      case 0x3d5:
        this.crtc[this.crtcIndex] = value;
        break;
      case 0x3c0:
        if (!this.attrFlipFlop) this.attrIndex = value & 0x3f;
        else this.attribute[this.attrIndex & 0x1f] = value;
        this.attrFlipFlop = !this.attrFlipFlop;
        break;
      case 0x3c2:
        this.misc = value;
        break;
      case 0x3c4:
        this.seqIndex = value;
        break;
      case 0x3c5:
        this.sequencer[this.seqIndex] = value;
        break;
      case 0x3c7:
        this.dacRead = (value * 3) % 768;
        break;
      case 0x3c8:
        this.dacWrite = (value * 3) % 768;
        break;
      case 0x3c9:
        this.dac[this.dacWrite] = value & 0x3f;
        this.dacWrite = (this.dacWrite + 1) % 768;
        break;
      case 0x3ce:
        this.gfxIndex = value;
        break;
      case 0x3cf:
        this.graphics[this.gfxIndex] = value;
        break;
    }
  }
}
