// Draws the emulated text screen on the terminal (ANSI): the alternate screen, the 25 rows and a
// status line, redrawn only when the text changed and at most every `minIntervalMs`.

const CSI = '\x1b[';

export class ScreenPainter {
  private last = '';
  private lastAt = Number.NEGATIVE_INFINITY;
  private open = true;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly minIntervalMs = 50,
  ) {
    out.write(`${CSI}?1049h${CSI}H${CSI}2J`); // alternate screen, cleared
  }

  /** Draw when the frame changed and the last draw is old enough (or `force`); true when drawn. */
  draw(
    rows: string[],
    status: string,
    cursor?: { row: number; column: number },
    now = performance.now(),
    force = false,
  ): boolean {
    const frame = `${rows.join('\n')}\n${status}\n${cursor ? `${cursor.row},${cursor.column}` : ''}`;
    if (!this.open || frame === this.last || (!force && now - this.lastAt < this.minIntervalMs)) return false;
    this.last = frame;
    this.lastAt = now;
    // home, each row erased to its end, then everything below erased: a clear without flicker
    let text = `${CSI}H`;
    // (a full 80-column row is not erased after: in the pending-wrap state that would erase its last cell)
    for (const row of [...rows, '', status]) text += `${row}${row.length >= 80 ? '' : `${CSI}K`}\r\n`;
    text += `${CSI}J`;
    if (cursor) text += `${CSI}${cursor.row + 1};${cursor.column + 1}H`;
    this.out.write(text);
    return true;
  }

  /** Back to the normal screen. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.out.write(`${CSI}?1049l`);
  }
}
