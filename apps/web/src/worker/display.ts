// Pictures of the VGA output for the page, from the board's VGA renderer: only the changed
// rectangle of each frame crosses to the page, and nothing when the picture did not change.
import type { PcBoard, VgaFrameSource } from '@phantasm/machine/browser';
import type { FrameMessage } from '../protocol.js';

export class Display {
  private readonly source: VgaFrameSource;

  constructor(board: PcBoard) {
    this.source = board.vgaRenderer();
  }

  /** The changed part of the picture since the last call, or null when nothing changed. */
  frame(): FrameMessage | null {
    const f = this.source.render(performance.now()); // the clock makes the text cursor blink
    if (!f.dirty) return null;
    const { x, y, width: w, height: h } = f.dirty;
    return {
      type: 'frame',
      width: f.width,
      height: f.height,
      x,
      y,
      w,
      h,
      rgba: copyRect(f.rgba, f.width, x, y, w, h),
    };
  }

  /** Forget what was sent: the next frame is the whole picture. */
  invalidate(): void {
    this.source.invalidate();
  }
}

/** The rows of a rectangle out of a frame `width` pixels wide, as their own buffer (to transfer). */
export function copyRect(
  rgba: Uint8ClampedArray,
  width: number,
  x: number,
  y: number,
  w: number,
  h: number,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let row = 0; row < h; row++) {
    const from = ((y + row) * width + x) * 4;
    out.set(rgba.subarray(from, from + w * 4), row * w * 4);
  }
  return out;
}
