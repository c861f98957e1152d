// test386.asm (barotto/test386.asm, built by scripts/build-test386.sh with its POST codes on port
// 0xE9, the image committed) as the PC board's firmware: the POST codes it writes are compared with
// the expected sequence, which ends with the suite's success code 0xFF.
// test386 checks one 386 behaviour a P6 does not have: a page fault at the PTE leaves the
// directory entry's accessed bit clear (386 Programmer's Reference §5.2.4.4); a P6 sets it as soon
// as the walk uses the entry (SDM 3A §4.8; QEMU agrees, see @phantasm/mmu's paging-oracle.asm). So
// the suite runs with the mmu's documented 386 option (`Ia32Mmu.paging386AccessedRule`) and reaches
// 0xFF; the processor as modelled (the option off) stops at POST 0x11 in test386's error routine.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PcBoard } from '../../src/boards/pc/pc-board.js';

const image = join(dirname(fileURLToPath(import.meta.url)), 'test386', 'test386.bin');
/** POST codes in order through 0xFF (0x07 is skipped by the suite itself; E0/EE are its last groups). */
const EXPECTED = readFileSync(join(dirname(image), 'expected-post.txt'), 'utf8')
  .trim()
  .split(/\s+/)
  .map((h) => Number.parseInt(h, 16));
/** test386's error routine (cli; hlt at ring 0) and its success loop after POST 0xFF. */
const ERROR_HALT = 0xfe8a;
const SUCCESS_HALT = 0xfe7d;

function run(paging386: boolean, budget: number) {
  const post: number[] = [];
  const board = new PcBoard({
    memoryMiB: 4,
    bios: new Uint8Array(readFileSync(image)),
    debugcon: (b) => post.push(b),
  });
  const mmu = board.cpu.mmu;
  if (mmu === undefined) throw new Error('the PC board has no Ia32Mmu');
  mmu.paging386AccessedRule = paging386;
  const r = board.run({ maxInstructions: budget });
  return { post, stop: r.stop, eip: board.cpu.eip, instructions: board.cpu.instructions };
}

describe('test386.asm', () => {
  it('with the 386 accessed-bit rule: every POST through 0xFF, then its success halt', {
    timeout: 600_000,
  }, () => {
    const r = run(true, 150_000_000); // about 76 M instructions
    expect(r.post.map((p) => p.toString(16))).toEqual(EXPECTED.map((p) => p.toString(16)));
    expect(r.stop).toBe('halted');
    expect(r.eip).toBe(SUCCESS_HALT);
  });

  it('as a P6 (the option off): stops at POST 0x11 in its error routine (PDE accessed bit)', () => {
    const r = run(false, 20_000_000);
    expect(r.post).toEqual(EXPECTED.slice(0, EXPECTED.indexOf(0x11) + 1));
    expect(r.stop).toBe('halted');
    expect(r.eip).toBe(ERROR_HALT);
  });
});
