// The Malta board's FPGA registers at phys 0x1F000000 (Malta user's manual, "System FPGA"):
// the LED bar, the 8-character ASCII display (ASCIIWORD shows a word as hex, ASCIIPOS0-7 one
// character each), SOFTRES (writing 0x42 resets the board) and the status, switch and jumper
// registers. Unlisted offsets read zero and ignore writes.
import type { MmioDevice } from '@phantasm/mmu';
import { type DeviceRecord, RecordReader, type SavableDevice } from '../../devices/state.js';

export const FPGA_BASE = 0x1f00_0000;
export const FPGA_SIZE = 0x1000;

export const FPGA = {
  SWITCH: 0x050,
  STATUS: 0x058,
  JMPRS: 0x070,
  LEDBAR: 0x408,
  ASCIIWORD: 0x410,
  ASCIIPOS0: 0x418,
  SOFTRES: 0x500,
  BRKRES: 0x508,
} as const;

/** SOFTRES value that resets the board (GORESET). */
export const GORESET = 0x42;

export class MaltaFpga implements MmioDevice, SavableDevice {
  ledBar = 0;
  brkres = 0;
  /** The ASCII display's 8 character codes. */
  readonly display = new Uint8Array(8).fill(0x20);

  constructor(private readonly onReset: () => void) {}

  /** The ASCII display as text (trailing spaces kept: it is a fixed 8-character panel). */
  displayText(): string {
    return String.fromCharCode(...this.display.map((c) => (c >= 0x20 && c < 0x7f ? c : 0x20)));
  }

  save(): DeviceRecord {
    return { version: 1, ledBar: this.ledBar, brkres: this.brkres, display: [...this.display] };
  }

  load(record: DeviceRecord): void {
    const r = new RecordReader('fpga', record, [1]);
    const v = { ledBar: r.int('ledBar', 0, 0xff), brkres: r.int('brkres', 0, 0xffffffff) };
    const display = r.ints('display', 8);
    Object.assign(this, v);
    this.display.set(display);
  }

  read(offset: number): number {
    switch (offset & ~3) {
      case FPGA.LEDBAR:
        return this.ledBar;
      case FPGA.BRKRES:
        return this.brkres;
      case FPGA.STATUS:
        return 0; // bit 1 clear: little-endian board
      default:
        return 0;
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    const reg = offset & ~3;
    if (reg === FPGA.LEDBAR) this.ledBar = value & 0xff;
    else if (reg === FPGA.ASCIIWORD) {
      const hex = (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
      for (let i = 0; i < 8; i++) this.display[i] = hex.charCodeAt(i);
    } else if (reg >= FPGA.ASCIIPOS0 && reg < FPGA.ASCIIPOS0 + 64 && (reg - FPGA.ASCIIPOS0) % 8 === 0) {
      this.display[(reg - FPGA.ASCIIPOS0) >>> 3] = value & 0xff;
    } else if (reg === FPGA.SOFTRES) {
      if ((value & 0xff) === GORESET) this.onReset();
    } else if (reg === FPGA.BRKRES) this.brkres = value >>> 0;
  }
}
