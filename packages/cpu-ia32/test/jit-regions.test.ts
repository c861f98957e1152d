// Blocks that go on past forward branches and memory-touching handlers, against the interpreter:
// a forward Jcc / JCXZ over whole instructions becomes an if inside the block (nested ones
// too), the skipped stretch holding instructions that otherwise end a block (CALL, RET, an
// unfollowed JMP, string instructions, segment loads, PUSHA/POPA, ENTER/LEAVE, XLAT, LES),
// with flag writers before and flag readers after the join; LOOPE/LOOPNE/JCXZ inline. State,
// instruction count and memory must be the interpreter's after every slice, in every mode.
// PHANTASM_JIT_REGIONS_RUNS=<n> runs n cases per mode (default 25).
import { describe } from 'vitest';
import { eachModeMatchesInterpreter } from './differential.js';
import { CODE } from './machines.js';

const RUNS = Number(process.env.PHANTASM_JIT_REGIONS_RUNS ?? 25);

function program(rnd: (n: number) => number, code32: boolean): number[] {
  const modrmReg = () => 0xc0 | (rnd(8) << 3) | rnd(8);
  const memRm = (reg: number) => [
    0x40 | (reg << 3) | (code32 ? [0, 1, 2, 3, 6, 7][rnd(6)] : rnd(8)),
    rnd(256),
  ];
  const bytes = (n: number) => Array.from({ length: n }, () => rnd(256));
  const word = (v: number) =>
    code32 ? [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff] : [v & 0xff, (v >> 8) & 0xff];
  let at = 0; // bytes emitted so far (RET targets point back into the code)

  /** One instruction, or a short run, of the kinds a skipped stretch holds. */
  function item(depth: number): number[] {
    switch (rnd(depth < 2 ? 18 : 16)) {
      case 0: // flag writer
        return [(rnd(8) << 3) | (1 + 2 * rnd(2)), modrmReg()];
      case 1: // flag reader: ADC/SBB r, r or SETcc
        return rnd(2) ? [0x11 + 8 * rnd(2), modrmReg()] : [0x0f, 0x90 + rnd(16), 0xc0 | rnd(8)];
      case 2: // string instruction without REP
        return [[0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf][rnd(10)]];
      case 3: // segment register round trips (a valid selector in every mode)
        return rnd(2) ? [0x1e, 0x07] : [0x8c, 0xd8, 0x8e, 0xc0]; // push ds / pop es; mov ax,ds / mov es,ax
      case 4: // CALL over a few bytes (ends the block where it stands)
        {
          const skip = rnd(4);
          return [0xe8, skip, 0, ...(code32 ? [0, 0] : []), ...bytes(skip)];
        }
      case 5: // PUSH an address in the code, RET to it
        {
          const target = (code32 ? CODE : 0) + rnd(at + 1);
          return [0x68, ...word(target).slice(0, code32 ? 4 : 2), 0xc3];
        }
      case 6: // a JMP over some bytes (not followed inside a skipped stretch)
        {
          const skip = rnd(4);
          return [0xeb, skip, ...bytes(skip)];
        }
      case 7: // PUSHA/POPA, PUSHF/POP r
        return rnd(2) ? [0x60, 0x61] : [0x9c, 0x58 + [0, 1, 2, 3, 5, 6, 7][rnd(7)]];
      case 8: // ENTER n,0 ... LEAVE
        return [0xc8, rnd(16), 0, 0, 0x40 + rnd(8), 0xc9];
      case 9: // XLAT, LES/LDS (may fault), INC/DEC r/m in memory
        return [[0xd7], [0xc4 + rnd(2), ...memRm(rnd(8))], [0xfe + rnd(2), ...memRm(rnd(2))]][rnd(3)];
      case 10: // MOV r, imm (counters for JCXZ/LOOPcc too)
        return [0xb8 + [0, 1, 2, 3, 5, 6, 7][rnd(7)], ...bytes(code32 ? 4 : 2)];
      case 11: // LOOPE/LOOPNE/JCXZ over a byte or two (forward, maybe mid-instruction)
        return [0xe0 + [0, 1, 3][rnd(3)], rnd(3)];
      case 12: // short loop: mov cx, n; l: inc dx; cmp al,al or not; loopne/loope l
        return [
          0xb9,
          rnd(5),
          0,
          ...(code32 ? [0, 0] : []),
          0x42,
          ...(rnd(2) ? [0x38, 0xc0] : []),
          0xe0 + rnd(2),
          0xfd,
        ];
      case 13: // memory ALU (may fault, may hit the code)
        return [(rnd(8) << 3) | rnd(4), ...memRm(rnd(8))];
      case 14: // random bytes
        return bytes(1 + rnd(2));
      case 15: // INC/DEC r
        return [0x40 + rnd(16)];
      default: // a forward branch over a stretch of items (nested)
        return region(depth + 1);
    }
  }

  /** A flag writer, then a forward Jcc / JCXZ / Jcc rel16/32 over 1-4 items. */
  function region(depth: number): number[] {
    const body: number[] = [];
    for (let k = 1 + rnd(4); k > 0; k--) body.push(...item(depth));
    const head = [(rnd(8) << 3) | (1 + 2 * rnd(2)), modrmReg()];
    if (body.length > 127 || rnd(4) === 0) {
      // the rel16/32 form
      const rel = body.length;
      return [...head, 0x0f, 0x80 + rnd(16), ...word(rel), ...body];
    }
    const op = rnd(5) === 0 ? 0xe3 : 0x70 + rnd(16);
    return [...head, op, body.length, ...body];
  }

  const out: number[] = [];
  const count = 6 + rnd(16);
  let loopAt = 0;
  for (let k = 0; k < count; k++) {
    if (k === count >> 2) loopAt = out.length;
    at = out.length;
    out.push(...(rnd(2) ? region(0) : item(1)));
  }
  const back = loopAt - (out.length + 3);
  if (back >= -128) out.push(0x4b, 0x75, back & 0xff);
  out.push(0xeb, 0xfe);
  return out;
}

describe('block compiler: forward branches as ifs, blocks past memory-touching handlers', () => {
  eachModeMatchesInterpreter(RUNS, 7919, program);
});
