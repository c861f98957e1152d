// The kernel console: text goes to the host sink (stdout in the CLI) and onto the VGA text screen,
// which the kernel reaches through its device window (mapped uncached by aspace in stage 6).
// Keys come from the PC keyboard as set-1 scancodes (IRQ 1) and are decoded here.
import { keyFor } from '../devices/scancodes.js';

const COLUMNS = 80;
const ROWS = 25;
const ATTRIBUTE = 0x07;

/** Where the screen's cells are: 16-bit cells (character | attribute << 8), written in runs. */
export interface TextScreen {
  writeCells(first: number, cells: Uint16Array): void;
  setCursor(index: number): void;
}

const BLANK = (ATTRIBUTE << 8) | 0x20;

export class KernelConsole {
  private column = 0;
  private row = 0;
  private screen: TextScreen | undefined;
  /** The screen's contents, kept here so that scrolling is one bulk write instead of a read and a write per cell. */
  private readonly cells = new Uint16Array(COLUMNS * ROWS).fill(BLANK);
  /** Everything written since boot (tests and `untilConsole` look for text in it). */
  private history = '';
  private readonly decoder = new TextDecoder();

  constructor(private readonly sink: (bytes: Uint8Array) => void) {}

  attachScreen(screen: TextScreen): void {
    this.screen = screen;
    this.cells.fill(BLANK);
    this.column = 0;
    this.row = 0;
    screen.writeCells(0, this.cells);
    screen.setCursor(0);
  }

  get text(): string {
    return this.history;
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.sink(bytes);
    this.history += this.decoder.decode(bytes, { stream: true });
    if (this.history.length > 1 << 20) this.history = this.history.slice(-(1 << 19));
    const screen = this.screen;
    if (!screen) return;
    // Draw into the shadow cells, then write the run of cells that changed (all of them after a scroll).
    this.dirtyLow = this.cells.length;
    this.dirtyHigh = 0;
    for (const b of bytes) this.put(b);
    if (this.dirtyLow < this.dirtyHigh) {
      screen.writeCells(this.dirtyLow, this.cells.subarray(this.dirtyLow, this.dirtyHigh));
    }
    screen.setCursor(this.row * COLUMNS + this.column);
  }

  writeText(text: string): void {
    this.write(new TextEncoder().encode(text));
  }

  /** Cells changed by the current write: [dirtyLow, dirtyHigh). */
  private dirtyLow = 0;
  private dirtyHigh = 0;

  private setCell(index: number, value: number): void {
    this.cells[index] = value;
    if (index < this.dirtyLow) this.dirtyLow = index;
    if (index + 1 > this.dirtyHigh) this.dirtyHigh = index + 1;
  }

  /** One byte onto the shadow screen. */
  private put(b: number): void {
    if (b === 0x0a) {
      this.column = 0;
      this.newline();
    } else if (b === 0x0d) {
      this.column = 0;
    } else if (b === 0x08) {
      if (this.column > 0) this.column--;
      this.setCell(this.row * COLUMNS + this.column, BLANK);
    } else if (b >= 0x20 || b === 0x09) {
      this.setCell(this.row * COLUMNS + this.column, (ATTRIBUTE << 8) | (b === 0x09 ? 0x20 : b));
      if (++this.column === COLUMNS) {
        this.column = 0;
        this.newline();
      }
    }
  }

  private newline(): void {
    if (this.row < ROWS - 1) {
      this.row++;
      return;
    }
    this.cells.copyWithin(0, COLUMNS);
    this.cells.fill(BLANK, COLUMNS * (ROWS - 1));
    this.dirtyLow = 0;
    this.dirtyHigh = this.cells.length;
  }
}

const SC_LSHIFT = 0x2a;
const SC_RSHIFT = 0x36;

/** Set-1 scancodes → bytes (US layout), the inverse of what devices/scancodes.ts types. */
export class KeyboardDecoder {
  private static readonly plain = new Map<number, number>();
  private static readonly shifted = new Map<number, number>();
  private shift = false;

  static {
    for (let c = 0x20; c < 0x7f; c++) add(String.fromCharCode(c));
    for (const ch of ['\r', '\b', '\t', '\x1b']) add(ch);
    function add(ch: string): void {
      const { code, shift } = keyFor(ch);
      const table = shift ? KeyboardDecoder.shifted : KeyboardDecoder.plain;
      if (!table.has(code)) table.set(code, ch.charCodeAt(0));
    }
  }

  /** One scancode byte; returns the byte it types, or -1 (a release, a modifier, an unknown key). */
  decode(scancode: number): number {
    const make = scancode & 0x7f;
    if (make === SC_LSHIFT || make === SC_RSHIFT) {
      this.shift = (scancode & 0x80) === 0;
      return -1;
    }
    if (scancode & 0x80) return -1;
    const table = this.shift ? KeyboardDecoder.shifted : KeyboardDecoder.plain;
    return table.get(make) ?? KeyboardDecoder.plain.get(make) ?? -1;
  }
}
