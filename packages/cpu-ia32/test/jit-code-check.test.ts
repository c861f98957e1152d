// The block compiler's code checks (src/jit/code-check.ts: a block's bytes kept and compared as
// masked 32-bit words) and its block table (src/jit/code-table.ts): every byte of the block is
// seen, no byte beside it is, for every alignment and length.
import { describe, expect, it } from 'vitest';
import { copyCode, sameCode, wordView } from '../src/jit/code-check.js';
import { CodeTable } from '../src/jit/code-table.js';

describe('code checks as words', () => {
  it('see a change of each byte of the block and of no byte beside it', () => {
    const ram = new Uint8Array(64);
    for (let i = 0; i < ram.length; i++) ram[i] = (i * 37 + 11) & 0xff;
    const ram32 = wordView(ram);
    expect(ram32).toBeDefined();
    if (ram32 === undefined) return;
    for (let at = 8; at < 16; at++) {
      for (let size = 1; size <= 13; size++) {
        const copy = copyCode(ram32, at, size);
        expect(sameCode(ram32, copy)).toBe(true);
        for (let b = at - 4; b < at + size + 4; b++) {
          const old = ram[b];
          ram[b] = old ^ 0x80;
          expect(sameCode(ram32, copy), `block ${at}+${size}, byte ${b}`).toBe(b < at || b >= at + size);
          ram[b] = old;
        }
      }
    }
  });

  it('are not used where RAM cannot be viewed as words', () => {
    expect(wordView(new Uint8Array(new ArrayBuffer(16), 1, 12))).toBeUndefined();
    expect(wordView(new Uint8Array(10))).toBeUndefined();
  });
});

describe('block table', () => {
  it('finds entries by address, lists them per page, forgets closed pages', () => {
    const t = new CodeTable<string>();
    expect(t.get(0x12345)).toBeUndefined();
    expect(t.set(0x12345, 'a')).toBe(true);
    expect(t.set(0x12400, 'b')).toBe(false);
    expect(t.set(0x13000, 'c')).toBe(true);
    expect(t.get(0x12345)).toBe('a');
    expect(t.get(0x12346)).toBeUndefined();
    expect(t.list(0x12)).toEqual(['a', 'b']);
    t.delete(0x12345, 'x');
    expect(t.get(0x12345)).toBe('a');
    t.delete(0x12345, 'a');
    expect(t.get(0x12345)).toBeUndefined();
    t.close(0x12);
    expect(t.slot[0x12]).toBe(0);
    expect(t.get(0x12400)).toBeUndefined();
    expect(t.list(0x12)).toBeUndefined();
    expect(t.set(0xfffff000, 'd')).toBe(true); // reuses the closed page's slot
    expect(t.get(0xfffff000)).toBe('d');
    expect(t.get(0x13000)).toBe('c');
  });
});
