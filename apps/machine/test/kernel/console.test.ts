// The kernel console's screen: shadow cells written in runs, scrolling, backspace, the cursor.
import { describe, expect, it } from 'vitest';
import { scancodesFor } from '../../src/devices/scancodes.js';
import { KernelConsole, KeyboardDecoder } from '../../src/kernel/console.js';

function screen() {
  const cells = new Uint16Array(80 * 25);
  let cursor = -1;
  let writes = 0;
  return {
    cells,
    cursor: () => cursor,
    writes: () => writes,
    row: (r: number) =>
      String.fromCharCode(...Array.from(cells.subarray(r * 80, r * 80 + 80), (c) => c & 0xff)).trimEnd(),
    target: {
      writeCells: (first: number, run: Uint16Array) => {
        writes++;
        cells.set(run, first);
      },
      setCursor: (i: number) => {
        cursor = i;
      },
    },
  };
}

describe('KernelConsole', () => {
  it('draws text, backspace and newlines, and keeps what it wrote for untilConsole', () => {
    const out: number[] = [];
    const s = screen();
    const c = new KernelConsole((b) => out.push(...b));
    c.attachScreen(s.target);
    c.writeText('kv> set a\b\bb 1\nok\n');
    expect(s.row(0)).toBe('kv> setb 1'); // two backspaces took back 'a' and the space
    expect(s.row(1)).toBe('ok');
    expect(s.cursor()).toBe(2 * 80);
    expect(c.text).toBe('kv> set a\b\bb 1\nok\n');
    expect(out.length).toBe(c.text.length);
  });

  it('scrolls with one bulk write per call, keeping the last 25 rows', () => {
    const s = screen();
    const c = new KernelConsole(() => {});
    c.attachScreen(s.target);
    const before = s.writes();
    c.writeText(Array.from({ length: 30 }, (_, i) => `line ${i}\n`).join(''));
    expect(s.writes() - before).toBe(1);
    expect(s.row(0)).toBe('line 6');
    expect(s.row(23)).toBe('line 29');
    expect(s.row(24)).toBe('');
    expect((s.cells[0] >> 8) & 0xff).toBe(0x07);
  });
});

describe('KeyboardDecoder', () => {
  it('turns set-1 scancodes back into the text typed, shift included', () => {
    const text = 'set Key "Hello, World!" 42\r';
    const d = new KeyboardDecoder();
    const bytes = scancodesFor(text)
      .map((code) => d.decode(code))
      .filter((b) => b >= 0);
    expect(String.fromCharCode(...bytes)).toBe(text);
  });
});
