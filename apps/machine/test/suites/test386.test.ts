// test386.asm (barotto/test386.asm, built by scripts/build-test386.sh with its POST codes on port
// 0xE9, the image committed) as the PC board's firmware: the POST codes it writes are compared with
// the expected sequence. The suite's success code is 0xFF; this machine stops at 0x11 (paging), where
// test386 expects the 386's behaviour: a page fault on a PTE leaves the directory entry's accessed
// bit clear. A P6 sets it as soon as the walk uses the entry (SDM 3A §4.8; QEMU agrees, see
// @phantasm/mmu's paging-oracle.asm), so the test stops there by design of this processor model.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PcBoard } from '../../src/boards/pc/pc-board.js';

const image = join(dirname(fileURLToPath(import.meta.url)), 'test386', 'test386.bin');
/** POST codes in order, as this machine writes them (0x07 is skipped by the suite itself). */
const EXPECTED = readFileSync(join(dirname(image), 'expected-post.txt'), 'utf8')
  .trim()
  .split(/\s+/)
  .map((h) => Number.parseInt(h, 16));

describe('test386.asm', () => {
  it('runs as the firmware through POST 0x11 and stops in its error routine (PDE accessed bit: 386 vs P6)', () => {
    const post: number[] = [];
    const board = new PcBoard({
      memoryMiB: 4,
      bios: new Uint8Array(readFileSync(image)),
      debugcon: (b) => post.push(b),
    });
    const r = board.run({ maxInstructions: 20_000_000 });
    expect(post).toEqual(EXPECTED);
    expect(r.stop).toBe('halted'); // cli; hlt in test386's error routine
    expect(board.cpu.eip).toBe(0xfe8a);
  });
});
