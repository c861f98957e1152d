// The rectangle copy that sends only the changed part of a frame to the page.
import { describe, expect, it } from 'vitest';
import { copyRect } from '../src/worker/display.js';

describe('copyRect', () => {
  it('copies the rows of a rectangle out of a wider frame', () => {
    const width = 5;
    const height = 4;
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let p = 0; p < width * height; p++) rgba.fill(p, p * 4, p * 4 + 4);
    const out = copyRect(rgba, width, 1, 2, 3, 2);
    expect(out.length).toBe(3 * 2 * 4);
    const pixels = Array.from({ length: 6 }, (_, i) => out[i * 4]);
    expect(pixels).toEqual([11, 12, 13, 16, 17, 18]);
  });
});
