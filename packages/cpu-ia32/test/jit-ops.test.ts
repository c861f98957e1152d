// The block compiler's inline forms beyond the basic subset (SETcc, CMOVcc, MUL/IMUL F6/F7, INC/DEC r/m, TEST r/m,imm,
// shifts by an immediate, one or CL, PUSH imm, CALL/RET, LOOP, traces through JMP, RDTSC) against the interpreter:
// random sequences mixing them with flag writers, memory operands that may fault, loops and
// forward/backward jumps, in every mode; the state, instruction count and memory must be the
// interpreter's after every slice. PHANTASM_JIT_OPS_RUNS=<n> runs n cases per mode (default 25).
import { describe } from 'vitest';
import { eachModeMatchesInterpreter } from './differential.js';
import { CODE } from './machines.js';

const RUNS = Number(process.env.PHANTASM_JIT_OPS_RUNS ?? 25);

function program(rnd: (n: number) => number, code32: boolean): number[] {
  const out: number[] = [];
  const modrmReg = () => 0xc0 | (rnd(8) << 3) | rnd(8);
  // A memory operand with an 8-bit displacement (any base: may fault, may hit the code).
  const modrmMem = (reg: number) => [
    0x40 | (reg << 3) | (code32 ? [0, 1, 2, 3, 6, 7][rnd(6)] : rnd(8)),
    rnd(256),
  ];
  const rm = (reg: number) => (rnd(3) === 0 ? modrmMem(reg) : [(modrmReg() & ~0x38) | (reg << 3)]);
  const imm = (n: number) => Array.from({ length: n }, () => rnd(256));
  const count = 12 + rnd(30);
  let loopAt = 0;
  for (let k = 0; k < count; k++) {
    if (k === count >> 2) loopAt = out.length;
    switch (rnd(18)) {
      case 0: // a flag writer: ALU r/m, r
        out.push((rnd(8) << 3) | (1 + 2 * rnd(2)), modrmReg());
        break;
      case 1: // ALU with an immediate (CMP often)
        out.push(0x83, 0xc0 | ((rnd(2) ? 7 : rnd(8)) << 3) | rnd(8), rnd(256));
        break;
      case 2: // SETcc r/m8
        out.push(0x0f, 0x90 + rnd(16), ...rm(0));
        break;
      case 3: // CMOVcc r, r/m
        out.push(...(rnd(3) === 0 ? [0x66] : []), 0x0f, 0x40 + rnd(16), ...rm(rnd(8)));
        break;
      case 4: // MUL / IMUL r/m (8, 16 or 32 bits)
        out.push(...(rnd(3) === 0 ? [0x66] : []), 0xf6 + rnd(2), ...rm(4 + rnd(2)));
        break;
      case 5: // shifts and rotates by an immediate (0, 1, the size, 31, random)
        out.push(
          ...(rnd(3) === 0 ? [0x66] : []),
          0xc0 + rnd(2),
          ...rm(rnd(8)),
          [0, 1, 2, 3, 7, 8, 15, 16, 31, 32, rnd(256)][rnd(11)],
        );
        break;
      case 6: // shifts by one
        out.push(0xd0 + rnd(2), ...rm(rnd(8)));
        break;
      case 7: // PUSH imm, then POP into a register
        out.push(
          ...(rnd(2) ? [0x68, ...imm(code32 ? 4 : 2)] : [0x6a, rnd(256)]),
          0x58 + [0, 1, 2, 3, 5, 6, 7][rnd(7)],
        );
        break;
      case 8: // a JMP over some random bytes (a trace follows it)
        {
          const skip = rnd(6);
          out.push(0xeb, skip, ...imm(skip));
        }
        break;
      case 9: // MOV r, imm
        out.push(0xb8 + [0, 1, 2, 3, 5, 6, 7][rnd(7)], ...imm(code32 ? 4 : 2));
        break;
      case 10: // INC/DEC r, or INC/DEC r/m (FE/FF /0 /1) (CF carried from the previous flag writer)
        if (rnd(2) === 0) out.push(0x40 + rnd(16));
        else out.push(...(rnd(3) === 0 ? [0x66] : []), 0xfe + rnd(2), ...rm(rnd(2)));
        break;
      case 11: // Jcc forward
        out.push(0x70 + rnd(16), rnd(4));
        break;
      case 12: // a short LOOP back over a few bytes of this snippet: mov ecx, small; l: inc edx; loop l
        out.push(0xb9, rnd(5), 0, ...(code32 ? [0, 0] : []), 0x42, 0xe2, 0xfd);
        break;
      case 14: // CALL over a few random bytes
        {
          const skip = rnd(5);
          out.push(0xe8, skip, 0, ...(code32 ? [0, 0] : []), ...imm(skip));
        }
        break;
      case 15: // PUSH an address in the code, RET (or RET imm16) to it
        {
          const to = rnd(out.length + 1);
          const target = code32 ? CODE + to : to;
          out.push(0x68, target & 0xff, (target >> 8) & 0xff, ...(code32 ? [(target >> 16) & 0xff, 0] : []));
          out.push(...(rnd(3) === 0 ? [0xc2, rnd(8), 0] : [0xc3]));
        }
        break;
      case 13: // RDTSC (the count at the instruction, inside a block as in the interpreter)
        out.push(0x0f, 0x31);
        break;
      case 16: // SHL/SHR/SAL/SAR by CL (D2/D3): CL 0 (the flags stay), 1, 2, the size, 31, 32, random
        out.push(0xb1, [0, 1, 2, 7, 8, 15, 16, 31, 32, rnd(256)][rnd(10)]);
        out.push(...(rnd(3) === 0 ? [0x66] : []), 0xd2 + rnd(2), ...rm(4 + rnd(4)));
        out.push(0x0f, 0x90 + rnd(16), 0xc0 | rnd(8)); // SETcc r8: its flags kept in a register
        break;
      default: // TEST r/m, r, or TEST r/m, imm (F6/F7 /0 /1)
        if (rnd(2) === 0) out.push(0x84 + rnd(2), ...rm(rnd(8)));
        else {
          const word = rnd(2);
          const o16 = rnd(3) === 0;
          out.push(...(o16 ? [0x66] : []), 0xf6 + word, ...rm(rnd(2)));
          out.push(...imm(word === 0 ? 1 : code32 !== o16 ? 4 : 2));
          out.push(0x0f, 0x90 + rnd(16), 0xc0 | rnd(8)); // SETcc r8: its flags kept in a register
        }
        break;
    }
  }
  // Close a loop: DEC eBX / JNZ back (or LOOP when short enough), then a backward JMP to a
  // trace head.
  const back = loopAt - (out.length + 3);
  if (back >= -128) out.push(0x4b, 0x75, back & 0xff);
  out.push(0xeb, 0xfe);
  return out;
}

describe('block compiler: inline SETcc/CMOVcc/MUL/shifts (imm, 1, CL)/PUSH imm/CALL/RET/LOOP and traces', () => {
  eachModeMatchesInterpreter(RUNS, 104729, program);
});
