// Screenshots: one rendered VGA frame as a PNG file (pngjs).
import { existsSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import type { VgaFrame } from '../devices/vga/frame.js';

/** The frame as PNG bytes (RGBA, 8 bits per channel). */
export function encodePng(frame: Pick<VgaFrame, 'width' | 'height' | 'rgba'>): Buffer {
  const png = new PNG({ width: frame.width, height: frame.height });
  png.data = Buffer.from(frame.rgba.buffer, frame.rgba.byteOffset, frame.width * frame.height * 4);
  return PNG.sync.write(png);
}

/** Decode PNG bytes into width, height and RGBA (for comparisons in tests and tools). */
export function decodePng(bytes: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data) };
}

export function writePng(path: string, frame: Pick<VgaFrame, 'width' | 'height' | 'rgba'>): void {
  writeFileSync(path, encodePng(frame));
}

/** Render the board's VGA picture now and write it to `path` as PNG. */
export function saveScreenshot(board: { vgaRenderer(): { render(): VgaFrame } }, path: string): void {
  writePng(path, board.vgaRenderer().render());
}

/** phantasm-1.png, phantasm-2.png, …: the first name not taken in the current directory. */
export function nextScreenshotName(): string {
  for (let n = 1; ; n++) {
    const name = `phantasm-${n}.png`;
    if (!existsSync(name)) return name;
  }
}
