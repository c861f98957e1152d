// Signed saturation, where Ski is wrong (see oracle.test.ts): results worked out by hand from the
// SDM's definitions for a few operand pairs of the committed programs (pair k = output line k).
import { describe, expect, it } from 'vitest';
import { runProgram } from './helpers.js';

const line = (name: string, k: number) => runProgram(name).split('\n')[k];

describe('signed saturation (by the SDM)', () => {
  it('padd1.sss adds bytes and clamps to -128..127', () => {
    expect(line('gen_padd1_sss', 0)).toBe('0000000000000001'); // 0 + 1
    expect(line('gen_padd1_sss', 2)).toBe('80ffffffffffffff'); // -1 + 0x80.. : -129 → -128
    expect(line('gen_padd1_sss', 3)).toBe('7ddbb9977553310f'); // 0x7fff.. + 0xfedc..
  });
  it('psub1.sss subtracts bytes', () => {
    expect(line('gen_psub1_sss', 0)).toBe('00000000000000ff'); // 0 - 1 = -1 in byte 0
  });
  it('pack2.sss narrows r2 into the low half, r3 into the high half', () => {
    expect(line('gen_pack2_sss', 0)).toBe('0000000100000000'); // r2 = 0, r3 = 1
  });
  it('pshladd2 shifts then adds with saturation', () => {
    expect(line('gen_pshladd2_1', 0)).toBe('0000000000000001'); // (0 << 1) + 1
    expect(line('gen_pshladd2_1', 2)).toBe('8000fffefffefffe'); // (-1 << 1) + (0, 0, 0, -32768): -2, top -32770 → -32768
  });
});
