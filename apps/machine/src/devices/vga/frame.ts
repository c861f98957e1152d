// What the VGA renderer hands to a display (the terminal screenshot writer, the browser canvas):
// one RGBA frame at the mode's own resolution, and which part of it changed since the last call.
// This is the contract between @phantasm/machine and its front ends; it stays small on purpose.

/** A rectangle of pixels, in frame coordinates. */
export interface VgaRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One rendered picture of the VGA output. */
export interface VgaFrame {
  /** Pixels per row and rows of the current mode as the monitor shows them (720×400 for 80×25 text, 640×400 for mode 13h, 640×480 for mode 12h, the VBE resolution in a VBE mode). */
  width: number;
  height: number;
  /**
   * width × height × 4 bytes, RGBA (alpha always 255), row by row from the top left. The same
   * buffer is reused by the next `render()` while the size stays the same: copy it (or draw it
   * onto a canvas with `new ImageData(rgba, width, height)`) before rendering again.
   */
  rgba: Uint8ClampedArray;
  /**
   * The part that changed since the previous `render()` (the whole frame after a mode or size
   * change, or on the first call); null when nothing changed, so a display can skip the frame.
   */
  dirty: VgaRect | null;
}

/**
 * Turns the VGA state into frames, incrementally: only scanlines whose video memory or
 * registers changed since the last call are drawn again. Get one from `PcBoard.vgaRenderer()`
 * (or `new VgaRenderer(board.vga)`), call `render()` whenever the display wants a picture
 * (e.g. on requestAnimationFrame or every 50 ms of the run loop).
 */
export interface VgaFrameSource {
  /**
   * The picture now. `timeMs` (a clock in milliseconds, e.g. performance.now()) makes the text
   * cursor and blinking characters blink as on a 60 Hz VGA; without it they are always shown.
   */
  render(timeMs?: number): VgaFrame;
  /** Forget what was drawn: the next render() redraws everything and reports the whole frame dirty. */
  invalidate(): void;
}

/** Mouse input for the PS/2 aux port: relative motion (x right, y down as on a screen) and buttons. */
export interface MouseInput {
  dx: number;
  dy: number;
  /** Bit 0 left, bit 1 right, bit 2 middle. */
  buttons: number;
  /** Wheel steps (positive = towards the user); needs an IntelliMouse-aware guest driver. */
  wheel?: number;
}

// On the board (PcBoard): `board.vgaRenderer(): VgaFrameSource` (one renderer per board, created
// on first use) and `board.mouse(input: MouseInput)` (queues one PS/2 movement packet when the
// guest has enabled streaming). Both arrive with the VGA device in apps/machine/src/devices/vga/.
