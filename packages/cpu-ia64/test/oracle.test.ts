// Every committed program against what HP's Ski printed for it (test/programs/expected).
import { describe, expect, it } from 'vitest';
import { ENGINES, expected, programNames, runProgram } from './helpers.js';

/**
 * Programs whose Ski output is wrong by the architecture, with the reason. Ski's signedSat8/16
 * compare a signed value against 0xFFFF...80LL, an unsigned constant in C, so every non-negative
 * lane "saturates" to the minimum (padd1.sss 0 + 1 gives 0x80 per byte). These programs are
 * checked against the SDM definitions in multimedia.test.ts instead.
 */
const SKI_SIGNED_SATURATION_BUG = [
  'gen_pack2_sss',
  'gen_pack4_sss',
  'gen_padd1_sss',
  'gen_padd2_sss',
  'gen_psub1_sss',
  'gen_psub2_sss',
  'gen_pshladd2_1',
  'gen_pshladd2_2',
  'gen_pshladd2_3',
  'gen_pshradd2_1',
  'gen_pshradd2_2',
  'gen_pshradd2_3',
];

const names = programNames();
const compared = names.filter((n) => expected(n) !== undefined && !SKI_SIGNED_SATURATION_BUG.includes(n));

describe.each(ENGINES)('%s', (_engine, options) => {
  describe(`IA-64 programs against Ski (${compared.length} of ${names.length} compared, ${SKI_SIGNED_SATURATION_BUG.length} excluded for a Ski bug)`, () => {
    it('has the expected outputs for every image', () => {
      expect(names.filter((n) => expected(n) === undefined)).toEqual([]);
      expect(names.length).toBeGreaterThanOrEqual(150);
    });
    it.each(compared)('%s', (name) => {
      expect(runProgram(name, undefined, options)).toBe(expected(name));
    });
    it('the excluded programs still differ from Ski (the bug is real, not ours)', () => {
      for (const name of SKI_SIGNED_SATURATION_BUG)
        expect(runProgram(name, undefined, options)).not.toBe(expected(name));
    });
  });
});
