// A picture of the text screen for boards without a VGA renderer (`PcBoard.vgaRenderer`, which
// the VGA device brings): the 25 rows of `screenLines()` drawn 9×16 pixels a character (720×400,
// as a VGA monitor shows 80×25 text), light grey on black. Only rows that changed are drawn again;
// the frame carries their bounding rectangle. Colours and the cursor need the real renderer.
import type { PcBoard } from '@phantasm/machine/browser';
import type { FrameMessage } from '../protocol.js';

const CELL_W = 9;
const CELL_H = 16;
const COLUMNS = 80;
const ROWS = 25;

export class TextModeRenderer {
  private ctx: OffscreenCanvasRenderingContext2D | undefined;
  /** The rows as last drawn (undefined: never drawn). */
  private drawn: (string | undefined)[] = new Array(ROWS);

  constructor(private readonly board: PcBoard) {}

  invalidate(): void {
    this.drawn = new Array(ROWS);
  }

  frame(): FrameMessage | null {
    this.ctx ??= this.createContext();
    const ctx = this.ctx;
    const lines = this.board.screenLines();
    let first = -1;
    let last = -1;
    for (let row = 0; row < ROWS; row++) {
      const line = lines[row] ?? '';
      if (this.drawn[row] === line) continue;
      this.drawn[row] = line;
      this.drawRow(ctx, row, line);
      if (first < 0) first = row;
      last = row;
    }
    if (first < 0) return null;
    const width = COLUMNS * CELL_W;
    const y = first * CELL_H;
    const h = (last - first + 1) * CELL_H;
    const rgba = ctx.getImageData(0, y, width, h).data;
    return { type: 'frame', width, height: ROWS * CELL_H, x: 0, y, w: width, h, rgba, source: 'text' };
  }

  private createContext(): OffscreenCanvasRenderingContext2D {
    const ctx = new OffscreenCanvas(COLUMNS * CELL_W, ROWS * CELL_H).getContext('2d', {
      willReadFrequently: true,
    })!;
    ctx.font = `${CELL_H - 2}px "DejaVu Sans Mono", "Courier New", monospace`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'center';
    return ctx;
  }

  private drawRow(ctx: OffscreenCanvasRenderingContext2D, row: number, line: string): void {
    const y = row * CELL_H;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, y, COLUMNS * CELL_W, CELL_H);
    ctx.fillStyle = '#aaa';
    const chars = [...line];
    for (let col = 0; col < Math.min(chars.length, COLUMNS); col++) {
      if (chars[col] !== ' ') ctx.fillText(chars[col], col * CELL_W + CELL_W / 2, y + CELL_H / 2 + 1);
    }
  }
}
