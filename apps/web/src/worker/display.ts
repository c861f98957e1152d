// Pictures of the VGA output for the page: the board's VGA renderer when it has one (RGBA frames
// with a dirty rectangle), else this app's text-mode fallback. Either way the page gets only the
// changed rectangle, and nothing at all when the screen did not change.
import type { PcBoard, VgaFrameSource } from '@phantasm/machine/browser';
import type { FrameMessage } from '../protocol.js';
import { TextModeRenderer } from './text-mode.js';

export interface Display {
  /** The changed part of the picture since the last call, or null when nothing changed. */
  frame(): FrameMessage | null;
  /** Forget what was sent: the next frame is the whole picture (a new page, a canvas reset). */
  invalidate(): void;
}

/** The board's own renderer, once the VGA device provides `vgaRenderer()`; undefined before. */
function boardRenderer(board: PcBoard): VgaFrameSource | undefined {
  const withRenderer = board as unknown as { vgaRenderer?: () => VgaFrameSource };
  return typeof withRenderer.vgaRenderer === 'function' ? withRenderer.vgaRenderer() : undefined;
}

export function displayFor(board: PcBoard): Display {
  const renderer = boardRenderer(board);
  if (renderer) return new RendererDisplay(renderer);
  const text = new TextModeRenderer(board);
  return { frame: () => text.frame(), invalidate: () => text.invalidate() };
}

class RendererDisplay implements Display {
  constructor(private readonly source: VgaFrameSource) {}

  frame(): FrameMessage | null {
    const f = this.source.render();
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
      source: 'vga',
    };
  }

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
