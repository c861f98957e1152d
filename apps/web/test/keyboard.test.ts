// The KeyboardEvent.code table against the machine's own character → scancode table (two tables
// written separately must agree on every key both know), and the shape of make/break sequences.
import { keyFor } from '@phantasm/machine/browser';
import { describe, expect, it } from 'vitest';
import { KNOWN_CODES, scancodesForKey } from '../src/page/keyboard.js';

/** The key that types each character unshifted on a US layout, by KeyboardEvent.code. */
// biome-ignore format: a table reads better in rows
const CHAR_OF_CODE: Record<string, string> = {
  Backquote: '`', Minus: '-', Equal: '=', BracketLeft: '[', BracketRight: ']', Backslash: '\\',
  Semicolon: ';', Quote: "'", Comma: ',', Period: '.', Slash: '/', Space: ' ', Enter: '\r',
  Tab: '\t', Backspace: '\b', Escape: '\x1b',
};
for (let i = 0; i < 10; i++) CHAR_OF_CODE[`Digit${i}`] = String(i);
for (const c of 'abcdefghijklmnopqrstuvwxyz') CHAR_OF_CODE[`Key${c.toUpperCase()}`] = c;

describe('scancodesForKey', () => {
  it.each(Object.entries(CHAR_OF_CODE))('%s gives the make code the machine uses for %j', (code, ch) => {
    const { code: make, shift } = keyFor(ch);
    expect(shift).toBe(false);
    expect(scancodesForKey(code, true)).toEqual([make]);
    expect(scancodesForKey(code, false)).toEqual([make | 0x80]);
  });

  it('sends extended keys after an E0 prefix, on press and release', () => {
    expect(scancodesForKey('ArrowUp', true)).toEqual([0xe0, 0x48]);
    expect(scancodesForKey('ArrowUp', false)).toEqual([0xe0, 0xc8]);
    expect(scancodesForKey('ControlRight', true)).toEqual([0xe0, 0x1d]);
    expect(scancodesForKey('NumpadEnter', false)).toEqual([0xe0, 0x9c]);
  });

  it('sends Pause as its one sequence on press and nothing on release', () => {
    expect(scancodesForKey('Pause', true)).toEqual([0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]);
    expect(scancodesForKey('Pause', false)).toEqual([]);
  });

  it('knows no code for keys a PC keyboard lacks', () => {
    expect(scancodesForKey('MediaPlayPause', true)).toBeUndefined();
    expect(scancodesForKey('', true)).toBeUndefined();
  });

  it('gives every known key a distinct press sequence with make codes below 0x80', () => {
    const seen = new Set<string>();
    for (const code of KNOWN_CODES) {
      const down = scancodesForKey(code, true)!;
      const key = down.join(',');
      expect(seen.has(key), `${code} repeats ${key}`).toBe(false);
      seen.add(key);
      if (code !== 'Pause') expect(down[down.length - 1]).toBeLessThan(0x80);
    }
    expect(seen.size).toBe(KNOWN_CODES.length);
  });
});
