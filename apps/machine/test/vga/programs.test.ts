// The VGA test programs (programs/vgatest.asm) draw in each mode under the built-in BIOS and under
// SeaBIOS + SeaVGABIOS; the rendered frame must equal the committed picture pixel for pixel. The
// pictures of graphics modes, and of text modes under SeaVGABIOS, are QEMU's screendumps of the same
// programs (qemu-system-i386 -vga std); text under the built-in BIOS uses our own font (its own PNG).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../src/cli/screenshot.js';
import { type Firmware, haveSeabios, PROGRAMS, referencePath, runProgram, SEABIOS } from './run-program.js';

/** Pixels whose RGB differs (alpha ignored: QEMU's PNGs have none). */
function differingPixels(a: Uint8ClampedArray | Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  }
  return n;
}

const firmwares: { name: Firmware; skip: boolean }[] = [
  { name: 'builtin', skip: false },
  { name: 'seabios', skip: !haveSeabios },
];

for (const { name: firmware, skip } of firmwares) {
  const title = skip
    ? `${firmware} (skipped: ${SEABIOS} or vgabios-stdvga.bin absent; Debian package seabios)`
    : firmware;
  describe.skipIf(skip)(`VGA test programs under ${title}`, () => {
    for (const program of PROGRAMS) {
      it(`${program}: the frame equals ${referencePath(program, firmware).split('/').pop()}`, () => {
        const { frame } = runProgram(program, firmware);
        const expected = decodePng(readFileSync(referencePath(program, firmware)));
        expect([frame.width, frame.height]).toEqual([expected.width, expected.height]);
        expect(differingPixels(frame.rgba, expected.rgba)).toBe(0);
      }, 120_000);
    }
  });
}
