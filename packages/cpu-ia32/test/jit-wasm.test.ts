// The block compiler's WebAssembly back end against the interpreter, on programs written for
// what it must get right: flags carried from block to block through the WebAssembly runner
// (a record left by one block and read by the next, INC/DEC keeping another block's CF), loops
// inside a block, bails before an access that must take the slow path (a store into the code,
// a page not in the TLB yet), and the budget. Each runs in protected and paged mode on three
// CPUs (interpreter, JavaScript blocks, WebAssembly blocks) compared after every slice.
import { PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { Cpu, type CpuOptions, IA32_WASM_TABLE_BYTES } from '../src/index.js';
import { MEM_FLAT } from '../src/jit/codegen.js';
import { decodeInsn, type Insn } from '../src/jit/decode.js';
import { generateWasm } from '../src/jit/wasm/codegen.js';
import { differential, wasmBlocksCompiled } from './differential.js';
import { CODE, machine } from './machines.js';

/** 32-bit code at CODE: the program's bytes, then JMP $ (the run ends by budget). */
function fixed(bytes: number[]) {
  return () => [...bytes, 0xeb, 0xfe];
}

const CASES: [string, number[]][] = [
  [
    // The CMP's record crosses into f (a loop whose INC keeps CF: flags() folds the record at
    // f's entry); after RET, SETcc read the CF INC kept and DEC's ZF/SF/OF.
    'a record read by the next block, a DEC/JNZ loop keeping CF',
    [
      0xb9,
      0x20,
      0x00,
      0x00,
      0x00, // mov ecx, 32
      0x39,
      0xd8, // cmp eax, ebx
      0xe8,
      0x0b,
      0x00,
      0x00,
      0x00, // call f
      0x0f,
      0x92,
      0xc2, // setb dl
      0x0f,
      0x9c,
      0xc6, // setl dh
      0x0f,
      0x94,
      0xc1, // sete cl
      0xeb,
      0xfe, // jmp $
      // f:
      0x40, // inc eax
      0x49, // dec ecx
      0x75,
      0xfc, // jnz f
      0xc3, // ret
    ],
  ],
  [
    // A shift's record and explicit CF/OF/AF read in g; INC there keeps the shift's CF; after
    // RET the caller reads INC's record and that CF.
    'explicit flags of a shift across blocks, INC keeping them',
    [
      0xc1,
      0xe0,
      0x05, // shl eax, 5
      0xe8,
      0x0b,
      0x00,
      0x00,
      0x00, // call g
      0x0f,
      0x92,
      0xc0, // setc al
      0x0f,
      0x94,
      0xc4, // setz ah
      0x0f,
      0x98,
      0xc1, // sets cl
      0xeb,
      0xfe, // jmp $
      // g:
      0x0f,
      0x90,
      0xc1, // seto cl
      0x42, // inc edx
      0x0f,
      0x92,
      0xc5, // setc ch
      0x0f,
      0x9f,
      0xc3, // setg bl
      0x0f,
      0x9a,
      0xc7, // setp bh
      0xc3, // ret
    ],
  ],
  [
    // INC right after CMP, and DEC right after SHR, in one block each: the CF they keep is
    // another instruction's of the same block, and must reach the next block.
    'INC/DEC keeping the CF of an instruction of their own block',
    [
      0x39,
      0xd8, // cmp eax, ebx
      0x42, // inc edx
      0xe8,
      0x08,
      0x00,
      0x00,
      0x00, // call h
      0x0f,
      0x92,
      0xc1, // setc cl
      0x0f,
      0x9e,
      0xc5, // setle ch
      0xeb,
      0xfe, // jmp $
      // h:
      0x0f,
      0x92,
      0xc3, // setc bl
      0xc1,
      0xe8,
      0x03, // shr eax, 3
      0x4a, // dec edx
      0xc3, // ret
    ],
  ],
  [
    // An if whose two paths leave different flags (TEST's or XOR's), read after the join.
    'flags read after an if that writes them on one path',
    [
      0x85,
      0xc0, // test eax, eax
      0x74,
      0x02, // je +2
      0x31,
      0xdb, // xor ebx, ebx
      0x0f,
      0x94,
      0xc1, // sete cl
      0x0f,
      0x98,
      0xc5, // sets ch
      0x83,
      0xc0,
      0xff, // add eax, -1
      0xeb,
      0xef, // jmp start
    ],
  ],
  [
    // Stores into a page with code (a bail before each: the interpreter's path for code writes).
    'stores into the running code',
    [
      0xb8,
      0x90,
      0x90,
      0x90,
      0x90, // mov eax, 0x90909090
      0xa3,
      ...le32(CODE + 40), // mov [CODE+40], eax (moffs: a JavaScript block)
      0x89,
      0x05,
      ...le32(CODE + 44), // mov [CODE+44], eax
      0x83,
      0xc3,
      0x01, // add ebx, 1
      0x83,
      0xfb,
      0x10, // cmp ebx, 16
      0x72,
      0xe8, // jb start
    ],
  ],
  [
    // Memory through the stack and a table spread over pages (TLB misses in paged mode).
    'stack and spread memory accesses, CALL/RET, IMUL',
    [
      0x8d,
      0x34,
      0x9d,
      0x00,
      0x00,
      0x02,
      0x00, // lea esi, [ebx*4 + 0x20000]
      0x89,
      0x1e, // mov [esi], ebx
      0x6b,
      0x06,
      0x07, // imul eax, [esi], 7
      0xe8,
      0x08,
      0x00,
      0x00,
      0x00, // call f
      0x43, // inc ebx
      0x80,
      0xfb,
      0x40, // cmp bl, 64
      0x72,
      0xe9, // jb start
      0xeb,
      0xfe, // jmp $
      // f:
      0x50, // push eax
      0x01,
      0x04,
      0x24, // add [esp], eax
      0x58, // pop eax
      0xc3, // ret
    ],
  ],
];

/** Register values of every kind: small, negative, around the sign bit, equal pairs. */
function anyValues(rnd: (n: number) => number): number[] {
  const pick = () =>
    [rnd(100), -rnd(100), 0x7fffffff - rnd(4), 0x80000000 + rnd(4), rnd(0x10000) * 0x10001, 0][rnd(6)] | 0;
  const regs = Array.from({ length: 8 }, pick);
  if (rnd(4) === 0) regs[3] = regs[0];
  regs[6] = 0x20000; // ESI and EDI point at RAM
  regs[7] = 0x20000;
  return regs;
}

/** The part of WebAssembly.Module used here (the package builds against ES2022 only). */
interface WasmModuleApi {
  new (bytes: Uint8Array): object;
  imports(module: object): { kind: string; name: string }[];
}

/** Every block of `code` compiles to WebAssembly (none left to JavaScript), and they run most of it. */
function expectAllWebAssembly(mode: 'protected' | 'paged', code: number[]): void {
  const cpu = machine(mode, Uint8Array.from(code), new Uint8Array(16), { jit: { threshold: 0 } }, true);
  cpu.run(5000);
  expect(cpu.jitStats?.instructions).toBeGreaterThan(4000);
  expect(cpu.jitStats?.blocksCompiled).toBe(cpu.jitStats?.wasmBlocks);
}

/**
 * An interrupt controller asking for vector 0x21 whenever EBX is a new multiple of 4 (the
 * program changes EBX only while IF is clear), whose handler is IRETD: the interrupt comes at
 * the first boundary where IF allows it, which compiled code must not run past.
 */
function interruptAtEbx(cpu: Cpu): void {
  cpu.memory.ram[0x30000 + 0x21 * 16] = 0xcf;
  let taken = -1;
  cpu.pic = {
    hasInterrupt: () => (cpu.regs[3] & 3) === 0 && cpu.regs[3] !== taken,
    acknowledge: () => {
      taken = cpu.regs[3];
      return 0x21;
    },
  };
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

describe('block compiler: WebAssembly blocks against the interpreter', () => {
  for (const [name, bytes] of CASES) {
    for (const mode of ['protected', 'paged'] as const) {
      it(`${name} (${mode})`, () => {
        const before = wasmBlocksCompiled;
        for (let seed = 1; seed <= 12; seed++) differential(mode, seed, fixed(bytes), undefined, anyValues);
        expect(wasmBlocksCompiled).toBeGreaterThan(before);
      });
    }
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`FS with a base, MOV moffs, LEAVE, ADC/SBB (registers, AL, memory), shifts by CL (${mode})`, () => {
      // nasm: and ebx,0xffc; push ebp; mov ebp,esp; mov eax,[fs:ebx]; add [fs:ebx+4],eax;
      // mov eax,[0x20010]; cmp edx,ecx; adc eax,ebx; cmp ecx,edx; sbb edx,ecx; sbb al,3;
      // adc dword [fs:ebx+8],5; shl eax,cl; sar edx,cl; shr esi,cl; mov [fs:8],eax; leave;
      // setc dh; inc ecx; jmp start
      const code = [
        0x81, 0xe3, 0xfc, 0x0f, 0x00, 0x00, 0x55, 0x89, 0xe5, 0x64, 0x8b, 0x03, 0x64, 0x01, 0x43, 0x04, 0xa1,
        0x10, 0x00, 0x02, 0x00, 0x39, 0xca, 0x11, 0xd8, 0x39, 0xd1, 0x19, 0xca, 0x1c, 0x03, 0x64, 0x83, 0x53,
        0x08, 0x05, 0xd3, 0xe0, 0xd3, 0xfa, 0xd3, 0xee, 0x64, 0xa3, 0x08, 0x00, 0x00, 0x00, 0xc9, 0x0f, 0x92,
        0xc6, 0x41, 0xeb, 0xc9,
      ];
      const fsBase = (cpu: Cpu) =>
        cpu.setSegment('fs', { selector: 0x10, base: 0x21000, limit: 0xffffffff, rights: 0xc093 });
      const before = wasmBlocksCompiled;
      for (let seed = 1; seed <= 12; seed++)
        differential(mode, seed, () => code, undefined, anyValues, fsBase);
      expect(wasmBlocksCompiled).toBeGreaterThan(before);
    });
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`NOT/NEG, MUL/IMUL r/m in three sizes, PUSH r/m, CDQ/CWDE, BSWAP, BT family, ROL/ROR, UD2 (${mode})`, () => {
      // nasm: and ebx,0x1ffc; not dword [ebx+0x20000]; neg ecx; mov eax,[ebx+0x20000]; mul ecx;
      // imul edx; mul byte [ebx+0x20001]; imul word [ebx+0x20002]; push dword [ebx+0x20000];
      // pop edi; cdq; cwde; bswap esi; xor esi,eax; bt esi,ecx; setc dl; bts dword [ebx+0x20000],7;
      // btr esi,edx; btc dword [ebx+0x20004],31; rol eax,7; ror byte [ebx+0x20003],3; rol dx,1;
      // adc eax,1; seto cl; cmp esi,edi; jne skip; ud2; skip: inc ebx; jmp start
      const code = [
        0x81, 0xe3, 0xfc, 0x1f, 0x00, 0x00, 0xf7, 0x93, 0x00, 0x00, 0x02, 0x00, 0xf7, 0xd9, 0x8b, 0x83, 0x00,
        0x00, 0x02, 0x00, 0xf7, 0xe1, 0xf7, 0xea, 0xf6, 0xa3, 0x01, 0x00, 0x02, 0x00, 0x66, 0xf7, 0xab, 0x02,
        0x00, 0x02, 0x00, 0xff, 0xb3, 0x00, 0x00, 0x02, 0x00, 0x5f, 0x99, 0x98, 0x0f, 0xce, 0x31, 0xc6, 0x0f,
        0xa3, 0xce, 0x0f, 0x92, 0xc2, 0x0f, 0xba, 0xab, 0x00, 0x00, 0x02, 0x00, 0x07, 0x0f, 0xb3, 0xd6, 0x0f,
        0xba, 0xbb, 0x04, 0x00, 0x02, 0x00, 0x1f, 0xc1, 0xc0, 0x07, 0xc0, 0x8b, 0x03, 0x00, 0x02, 0x00, 0x03,
        0x66, 0xd1, 0xc2, 0x83, 0xd0, 0x01, 0x0f, 0x90, 0xc1, 0x39, 0xfe, 0x75, 0x02, 0x0f, 0x0b, 0x43, 0xeb,
        0x99,
      ];
      const before = wasmBlocksCompiled;
      for (let seed = 1; seed <= 12; seed++) differential(mode, seed, () => code, undefined, anyValues);
      expect(wasmBlocksCompiled).toBeGreaterThan(before);
    });
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`XCHG and CMPXCHG: registers, eAX, memory, three sizes, a destination that is eAX (${mode})`, () => {
      // nasm: start: and ebx,0xffc; xchg esi,eax; xchg edx,eax; xchg ecx,edi; xchg al,ah;
      // xchg [ebx+0x20000],ecx; xchg [ebx+0x20004],dl; xchg [ebx+0x20008],si;
      // mov eax,[ebx+0x20000]; cmpxchg [ebx+0x20000],edx; setz dl; cmpxchg [ebx+0x20004],ecx;
      // setc cl; cmpxchg eax,esi; cmpxchg ecx,edi; cmpxchg dl,bh; cmpxchg [ebx+0x2000c],si;
      // sete dh; adc ebp,0; inc ebx (x4); jmp start
      const code = [
        0x81, 0xe3, 0xfc, 0x0f, 0x00, 0x00, 0x96, 0x92, 0x87, 0xcf, 0x86, 0xc4, 0x87, 0x8b, 0x00, 0x00, 0x02,
        0x00, 0x86, 0x93, 0x04, 0x00, 0x02, 0x00, 0x66, 0x87, 0xb3, 0x08, 0x00, 0x02, 0x00, 0x8b, 0x83, 0x00,
        0x00, 0x02, 0x00, 0x0f, 0xb1, 0x93, 0x00, 0x00, 0x02, 0x00, 0x0f, 0x94, 0xc2, 0x0f, 0xb1, 0x8b, 0x04,
        0x00, 0x02, 0x00, 0x0f, 0x92, 0xc1, 0x0f, 0xb1, 0xf0, 0x0f, 0xb1, 0xf9, 0x0f, 0xb0, 0xfa, 0x66, 0x0f,
        0xb1, 0xb3, 0x0c, 0x00, 0x02, 0x00, 0x0f, 0x94, 0xc6, 0x83, 0xd5, 0x00, 0x43, 0x43, 0x43, 0x43, 0xeb,
        0xaa,
      ];
      for (let seed = 1; seed <= 12; seed++) differential(mode, seed, () => code, undefined, anyValues);
      expectAllWebAssembly(mode, code);
    });
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`XADD, CMPXCHG8B (only ZF changes), SHLD/SHRD by imm8 and CL (counts of 0) (${mode})`, () => {
      // nasm: start: and ebx,0xff8; mov [ebx+0x20000],eax; mov [ebx+0x20004],edx; cmp eax,esi;
      // lock cmpxchg8b [ebx+0x20000]; setz dl; adc ebp,0; cmpxchg8b [ebx+0x20000]; setz dh;
      // sbb ebp,0; xadd [ebx+0x20008],ecx; xadd esi,edi; xadd al,ah; lock xadd [ebx+0x2000c],si;
      // xadd edx,edx; shld eax,edx,5; shrd [ebx+0x20010],esi,13; seto ah; mov ecx,ebx;
      // shld edx,eax,cl; setc ch; shrd esi,ebp,cl; seto cl; shld eax,ecx,0; setp al; xor edi,edi;
      // mov esi,edi; shrd esi,edi,cl (a zero result, or a count of 0); setz al;
      // add ebx,12; jmp start
      const code = [
        0x81, 0xe3, 0xf8, 0x0f, 0x00, 0x00, 0x89, 0x83, 0x00, 0x00, 0x02, 0x00, 0x89, 0x93, 0x04, 0x00, 0x02,
        0x00, 0x39, 0xf0, 0xf0, 0x0f, 0xc7, 0x8b, 0x00, 0x00, 0x02, 0x00, 0x0f, 0x94, 0xc2, 0x83, 0xd5, 0x00,
        0x0f, 0xc7, 0x8b, 0x00, 0x00, 0x02, 0x00, 0x0f, 0x94, 0xc6, 0x83, 0xdd, 0x00, 0x0f, 0xc1, 0x8b, 0x08,
        0x00, 0x02, 0x00, 0x0f, 0xc1, 0xfe, 0x0f, 0xc0, 0xe0, 0xf0, 0x66, 0x0f, 0xc1, 0xb3, 0x0c, 0x00, 0x02,
        0x00, 0x0f, 0xc1, 0xd2, 0x0f, 0xa4, 0xd0, 0x05, 0x0f, 0xac, 0xb3, 0x10, 0x00, 0x02, 0x00, 0x0d, 0x0f,
        0x90, 0xc4, 0x89, 0xd9, 0x0f, 0xa5, 0xc2, 0x0f, 0x92, 0xc5, 0x0f, 0xad, 0xee, 0x0f, 0x90, 0xc1, 0x0f,
        0xa4, 0xc8, 0x00, 0x0f, 0x9a, 0xc0, 0x31, 0xff, 0x89, 0xfe, 0x0f, 0xad, 0xfe, 0x0f, 0x94, 0xc0, 0x83,
        0xc3, 0x0c, 0xeb, 0x85,
      ];
      for (let seed = 1; seed <= 12; seed++) differential(mode, seed, () => code, undefined, anyValues);
      expectAllWebAssembly(mode, code);
    });
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`LOCK: lockable memory forms compile, a register destination is #UD as interpreted (${mode})`, () => {
      // nasm: start: and ebx,0xffc; lock add [ebx+0x20000],eax; lock add eax,ebx (#UD: the
      // handler steps over its 3 bytes); lock inc dword [ebx+0x20000]; lock or [ebx+0x20004],ecx;
      // inc ebx; jmp start
      const code = [
        0x81, 0xe3, 0xfc, 0x0f, 0x00, 0x00, 0xf0, 0x01, 0x83, 0x00, 0x00, 0x02, 0x00, 0xf0, 0x01, 0xd8, 0xf0,
        0xff, 0x83, 0x00, 0x00, 0x02, 0x00, 0xf0, 0x09, 0x8b, 0x04, 0x00, 0x02, 0x00, 0x43, 0xeb, 0xdf,
      ];
      // #UD: add dword [esp],3; iretd
      const stepOver = (cpu: Cpu) => cpu.memory.ram.set([0x83, 0x04, 0x24, 0x03, 0xcf], 0x30000 + 6 * 16);
      for (let seed = 1; seed <= 8; seed++)
        differential(mode, seed, () => code, undefined, anyValues, stepOver);
      const cpu = machine(mode, Uint8Array.from(code), new Uint8Array(16), { jit: { threshold: 0 } }, true);
      stepOver(cpu);
      cpu.run(5000);
      // The locked forms run compiled: all but the #UD, its handler's IRETD and the block after.
      expect(cpu.jitStats?.instructions).toBeGreaterThan(3000);
    });
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`BT/BTS/BTR/BTC memory with a register's (signed) bit offset, BSF/BSR (REP BSF) (${mode})`, () => {
      // nasm: start: and ebx,0xffc; mov ecx,esi; and ecx,0x3ff; sub ecx,0x180;
      // bt [ebx+0x20400],ecx; setc dl; bts [ebx+0x20400],ecx; and edi,0xfff;
      // lock btr [ebx+0x20400],edi; and eax,0xfff; btc dword [ebx+0x20408],eax; adc ebp,0;
      // mov ecx,ebx; shl ecx,4; bt word [ebx+0x20400],cx (negative at times); setc dh; bsf eax,ebp; setz cl; bsr edx,[ebx+0x20400];
      // rep bsf esi,ecx; adc ebp,edx; xor ecx,ecx; cmp eax,ebx; bsf edi,ecx (0: ZF only);
      // setb al; setz ah; add esi,0x1c5; add ebx,12; jmp start
      const code = [
        0x81, 0xe3, 0xfc, 0x0f, 0x00, 0x00, 0x89, 0xf1, 0x81, 0xe1, 0xff, 0x03, 0x00, 0x00, 0x81, 0xe9, 0x80,
        0x01, 0x00, 0x00, 0x0f, 0xa3, 0x8b, 0x00, 0x04, 0x02, 0x00, 0x0f, 0x92, 0xc2, 0x0f, 0xab, 0x8b, 0x00,
        0x04, 0x02, 0x00, 0x81, 0xe7, 0xff, 0x0f, 0x00, 0x00, 0xf0, 0x0f, 0xb3, 0xbb, 0x00, 0x04, 0x02, 0x00,
        0x25, 0xff, 0x0f, 0x00, 0x00, 0x0f, 0xbb, 0x83, 0x08, 0x04, 0x02, 0x00, 0x83, 0xd5, 0x00, 0x89, 0xd9,
        0xc1, 0xe1, 0x04, 0x66, 0x0f, 0xa3, 0x8b, 0x00, 0x04, 0x02, 0x00, 0x0f, 0x92, 0xc6, 0x0f, 0xbc, 0xc5,
        0x0f, 0x94, 0xc1, 0x0f, 0xbd, 0x93, 0x00, 0x04, 0x02, 0x00, 0xf3, 0x0f, 0xbc, 0xf1, 0x11, 0xd5, 0x31,
        0xc9, 0x39, 0xd8, 0x0f, 0xbc, 0xf9, 0x0f, 0x92, 0xc0, 0x0f, 0x94, 0xc4, 0x81, 0xc6, 0xc5, 0x01, 0x00,
        0x00, 0x83, 0xc3, 0x0c, 0xeb, 0x83,
      ];
      for (let seed = 1; seed <= 12; seed++) differential(mode, seed, () => code, undefined, anyValues);
      expectAllWebAssembly(mode, code);
    });
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`CALL/JMP through memory and registers (${mode})`, () => {
      // nasm (org 0x10000): start: and ebx,0xc; mov dword [ebx+0x20000],f; call [ebx+0x20000];
      // mov edx,g; call edx; mov eax,back; jmp eax; int3; back: mov dword [0x20010],again;
      // jmp [0x20010]; int3; again: add ebx,4; jmp start; f: add ecx,3; ret; g: xor ecx,esi; ret
      const code = [
        0x83, 0xe3, 0x0c, 0xc7, 0x83, 0x00, 0x00, 0x02, 0x00, 0x38, 0x00, 0x01, 0x00, 0xff, 0x93, 0x00, 0x00,
        0x02, 0x00, 0xba, 0x3c, 0x00, 0x01, 0x00, 0xff, 0xd2, 0xb8, 0x22, 0x00, 0x01, 0x00, 0xff, 0xe0, 0xcc,
        0xc7, 0x05, 0x10, 0x00, 0x02, 0x00, 0x33, 0x00, 0x01, 0x00, 0xff, 0x25, 0x10, 0x00, 0x02, 0x00, 0xcc,
        0x83, 0xc3, 0x04, 0xeb, 0xc8, 0x83, 0xc1, 0x03, 0xc3, 0x31, 0xf1, 0xc3,
      ];
      for (let seed = 1; seed <= 12; seed++) differential(mode, seed, () => code, undefined, anyValues);
      expectAllWebAssembly(mode, code);
    });
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`MOVS/STOS/LODS/SCAS in three sizes, up and down (DF), CLC/STC/CMC (${mode})`, () => {
      // nasm: and esi,0x3ffc; and edi,0x3ffc; add esi,0x20000; add edi,0x24000; lodsd; stosb;
      // movsw; scasd; cmc; lodsb; clc; movsd; stc; stosd; scasb; setb dl; cmc; adc ecx,0;
      // inc ebx; jmp start
      const code = [
        0x81, 0xe6, 0xfc, 0x3f, 0x00, 0x00, 0x81, 0xe7, 0xfc, 0x3f, 0x00, 0x00, 0x81, 0xc6, 0x00, 0x00, 0x02,
        0x00, 0x81, 0xc7, 0x00, 0x40, 0x02, 0x00, 0xad, 0xaa, 0x66, 0xa5, 0xaf, 0xf5, 0xac, 0xf8, 0xa5, 0xf9,
        0xab, 0xae, 0x0f, 0x92, 0xc2, 0xf5, 0x83, 0xd1, 0x00, 0x43, 0xeb, 0xd2,
      ];
      const before = wasmBlocksCompiled;
      for (let seed = 1; seed <= 12; seed++) {
        const down = (cpu: Cpu) => {
          if (seed % 2 === 0) cpu.eflags |= 0x400; // DF
        };
        differential(mode, seed, () => code, undefined, anyValues, down);
      }
      expect(wasmBlocksCompiled).toBeGreaterThan(before);
    });
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`REP MOVS/STOS, REPE/REPNE CMPS/SCAS: in a page, a chunk's rewind, strlen; bails (${mode})`, () => {
      // nasm: start: and ebx,0xffc; lea esi,[ebx+0x20000]; lea edi,[ebx+0x20800]; mov ecx,ebx;
      // and ecx,0x3f; inc ecx; rep movsb; lea esi,[ebx+0x20000]; lea edi,[ebx+0x20800];
      // mov ecx,16; repe cmpsb; setz dl; mov ecx,8; lea edi,[ebx+0x20000]; mov eax,ebp;
      // rep stosd; mov ecx,20; lea edi,[ebx+0x20000]; repne scasb; setc dh; adc ebp,ecx;
      // lea esi,[ebx+0x20001]; lea edi,[ebx+0x20000]; mov ecx,8; rep movsw;
      // lea esi,[ebx+0x20000]; lea edi,[ebx+0x20002]; mov ecx,4; rep movsb (overlaps: bails);
      // mov ecx,5; lea esi,[ebx+0x20010]; lea edi,[ebx+0x20810]; repne cmpsd; setnz al;
      // rep stosb (ECX 0 at times: bails); mov edi,0x22000; mov ecx,5000; mov al,1;
      // repne scasb (a page of zeros: the first chunk of 4096 rewinds); lea edi,[ebx+0x20000];
      // or ecx,-1; mov al,0; repne scasb (strlen; a page's end at times: bails); not ecx;
      // add ebp,ecx; add ebx,0x1c4; jmp start
      const code = [
        0x81, 0xe3, 0xfc, 0x0f, 0x00, 0x00, 0x8d, 0xb3, 0x00, 0x00, 0x02, 0x00, 0x8d, 0xbb, 0x00, 0x08, 0x02,
        0x00, 0x89, 0xd9, 0x83, 0xe1, 0x3f, 0x41, 0xf3, 0xa4, 0x8d, 0xb3, 0x00, 0x00, 0x02, 0x00, 0x8d, 0xbb,
        0x00, 0x08, 0x02, 0x00, 0xb9, 0x10, 0x00, 0x00, 0x00, 0xf3, 0xa6, 0x0f, 0x94, 0xc2, 0xb9, 0x08, 0x00,
        0x00, 0x00, 0x8d, 0xbb, 0x00, 0x00, 0x02, 0x00, 0x89, 0xe8, 0xf3, 0xab, 0xb9, 0x14, 0x00, 0x00, 0x00,
        0x8d, 0xbb, 0x00, 0x00, 0x02, 0x00, 0xf2, 0xae, 0x0f, 0x92, 0xc6, 0x11, 0xcd, 0x8d, 0xb3, 0x01, 0x00,
        0x02, 0x00, 0x8d, 0xbb, 0x00, 0x00, 0x02, 0x00, 0xb9, 0x08, 0x00, 0x00, 0x00, 0xf3, 0x66, 0xa5, 0x8d,
        0xb3, 0x00, 0x00, 0x02, 0x00, 0x8d, 0xbb, 0x02, 0x00, 0x02, 0x00, 0xb9, 0x04, 0x00, 0x00, 0x00, 0xf3,
        0xa4, 0xb9, 0x05, 0x00, 0x00, 0x00, 0x8d, 0xb3, 0x10, 0x00, 0x02, 0x00, 0x8d, 0xbb, 0x10, 0x08, 0x02,
        0x00, 0xf2, 0xa7, 0x0f, 0x95, 0xc0, 0xf3, 0xaa, 0xbf, 0x00, 0x20, 0x02, 0x00, 0xb9, 0x88, 0x13, 0x00,
        0x00, 0xb0, 0x01, 0xf2, 0xae, 0x8d, 0xbb, 0x00, 0x00, 0x02, 0x00, 0x83, 0xc9, 0xff, 0xb0, 0x00, 0xf2,
        0xae, 0xf7, 0xd1, 0x01, 0xcd, 0x81, 0xc3, 0xc4, 0x01, 0x00, 0x00, 0xe9, 0x46, 0xff, 0xff, 0xff,
      ];
      // Paged, linear page 0x21 is frame 0x40: a run must not go on into the next frame.
      const remap = (cpu: Cpu) => {
        if (mode === 'paged') cpu.memory.write32(0x5000 + 0x21 * 4, 0x40007);
      };
      for (let seed = 1; seed <= 12; seed++)
        differential(mode, seed, () => code, undefined, anyValues, remap);
      expectAllWebAssembly(mode, code);
      // The REPs run in WebAssembly, but for the overlapping one, an ECX of 0 and page crossings.
      const cpu = machine(mode, Uint8Array.from(code), new Uint8Array(16), { jit: { threshold: 0 } }, true);
      cpu.run(20000);
      expect(cpu.jitStats?.instructions).toBeGreaterThan(18000);
    });
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`REP STOSD with a count whose byte count overflows 32 bits runs in chunks (${mode})`, () => {
      // nasm: mov edi,0x20000; mov ecx,0x40000001; rep stosd; jmp $ (slices of 3: one chunk each)
      const code = [0xbf, 0x00, 0x00, 0x02, 0x00, 0xb9, 0x01, 0x00, 0x00, 0x40, 0xf3, 0xab];
      for (let seed = 1; seed <= 2; seed++) differential(mode, seed, fixed(code), 3, anyValues);
    });
  }

  for (const mode of ['protected', 'paged', 'ring3'] as const) {
    it(`PUSHF/POPF, CLI/STI, CLD/STD: an interrupt waiting for IF comes where the interpreter takes it (${mode})`, () => {
      // nasm: start: add eax,ecx; pushfd; cli; inc ebx; cmp eax,edx; pushfd; pop ecx; popfd;
      // setc dl; std; pushfd; pop edi; cld; sti; adc ebp,0; mov edi,esi; and edi,0xcd5; push edi;
      // cli; inc ebx; popfd; sete dh; pushfd; pop edi; sti; jmp start
      // The interrupt asked for while IF is clear comes right after the POPF that sets IF, or
      // after the instruction following STI (its shadow). Ring 3 runs with IOPL 3, which allows
      // CLI/STI there; POPF then keeps IOPL.
      const code = [
        0x01, 0xc8, 0x9c, 0xfa, 0x43, 0x39, 0xd0, 0x9c, 0x59, 0x9d, 0x0f, 0x92, 0xc2, 0xfd, 0x9c, 0x5f, 0xfc,
        0xfb, 0x83, 0xd5, 0x00, 0x89, 0xf7, 0x81, 0xe7, 0xd5, 0x0c, 0x00, 0x00, 0x57, 0xfa, 0x43, 0x9d, 0x0f,
        0x94, 0xc6, 0x9c, 0x5f, 0xfb, 0xeb, 0xd7,
      ];
      const setup = (cpu: Cpu) => {
        if (mode === 'ring3') cpu.eflags |= 0x3000;
        interruptAtEbx(cpu);
      };
      for (let seed = 1; seed <= 12; seed++)
        differential(mode, seed, () => code, undefined, anyValues, setup);
      if (mode !== 'ring3') expectAllWebAssembly(mode, code);
    });
  }

  it('CPL 3 above IOPL: POPF keeps IF and IOPL, CLI/STI fault; TF set by POPF traps after the next instruction (ring3)', () => {
    // nasm: start: pushfd; pop eax; xor eax,0x3301 (IOPL, IF, TF, CF); push eax; popfd; cli; sti;
    // pushfd; pop ecx; setc dl; inc ebx; jmp start
    const code = [
      0x9c, 0x58, 0x35, 0x01, 0x33, 0x00, 0x00, 0x50, 0x9d, 0xfa, 0xfb, 0x9c, 0x59, 0x0f, 0x92, 0xc2, 0x43,
      0xeb, 0xed,
    ];
    const handlers = (cpu: Cpu) => {
      const ram = cpu.memory.ram;
      ram[0x30000 + 1 * 16] = 0xcf; // #DB: iretd
      // #GP: add esp,4; inc dword [esp]; iretd (past the one-byte CLI/STI)
      ram.set([0x83, 0xc4, 0x04, 0xff, 0x04, 0x24, 0xcf], 0x30000 + 13 * 16);
    };
    const before = wasmBlocksCompiled;
    for (let seed = 1; seed <= 6; seed++)
      differential('ring3', seed, () => code, undefined, anyValues, handlers);
    expect(wasmBlocksCompiled).toBeGreaterThan(before);
  });

  for (const mode of ['protected', 'paged'] as const) {
    it(`RDTSC inside blocks reads the count at its instruction (${mode})`, () => {
      // nasm: rdtsc; add ebx,eax; adc ecx,edx; mov [0x20000],eax; rdtsc; sub eax,[0x20000];
      // cmp eax,5; jne skip; inc edi; skip: jmp start
      const code = [
        0x0f, 0x31, 0x01, 0xc3, 0x11, 0xd1, 0xa3, 0x00, 0x00, 0x02, 0x00, 0x0f, 0x31, 0x2b, 0x05, 0x00, 0x00,
        0x02, 0x00, 0x83, 0xf8, 0x05, 0x75, 0x01, 0x47, 0xeb, 0xe5,
      ];
      const before = wasmBlocksCompiled;
      for (let seed = 1; seed <= 6; seed++) differential(mode, seed, () => code, undefined, anyValues);
      expect(wasmBlocksCompiled).toBeGreaterThan(before);
    });
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`loops: DEC/JNZ carrying CF between passes, a shift by CL at the top, flags read after the loop (${mode})`, () => {
      // nasm: start: lea eax,[esi+ecx*8]; shl eax,cl; setz dh; dec ecx; jnz start; setc bl;
      // sets bh; seto dl; jmp $
      const shiftLoop = [
        0x8d, 0x04, 0xce, 0xd3, 0xe0, 0x0f, 0x94, 0xc6, 0x49, 0x75, 0xf5, 0x0f, 0x92, 0xc3, 0x0f, 0x98, 0xc7,
        0x0f, 0x90, 0xc2, 0xeb, 0xfe,
      ];
      // nasm: top: dec ecx; jnz top; adc ebx,0; setz dl; setc dh; jmp $
      const decLoop = [0x49, 0x75, 0xfd, 0x83, 0xd3, 0x00, 0x0f, 0x94, 0xc2, 0x0f, 0x92, 0xc6, 0xeb, 0xfe];
      const before = wasmBlocksCompiled;
      // ECX small (the loops end inside the slices), and a CF set or clear at entry
      const small = (rnd: (n: number) => number) => {
        const regs = anyValues(rnd);
        regs[1] = rnd(3) === 0 ? 0x100 + rnd(8) * 32 : 1 + rnd(200);
        regs[6] = rnd(2) === 0 ? 0 : -rnd(0x1000);
        return regs;
      };
      for (let seed = 1; seed <= 12; seed++) {
        const carry = (cpu: Cpu) => {
          if (seed % 2 === 0) cpu.eflags |= 1;
        };
        for (const code of [shiftLoop, decLoop])
          differential(mode, seed, () => code, undefined, small, carry);
      }
      expect(wasmBlocksCompiled).toBeGreaterThan(before);
    });
  }

  for (const mode of ['protected', 'paged'] as const) {
    it(`joins: flags read after paths that left them in different places, or after a dead path (${mode})`, () => {
      // nasm: start: add eax,edx; rol edx,5; cmp eax,ebx; jbe .skip; add ecx,edx; .skip:
      // sbb esi,esi; add edi,esi; cmp eax,ecx; jb .x; test eax,eax; xor eax,ecx; jmp .y;
      // .x: sbb esi,esi; or esi,1; add edi,esi; .y: inc ebx; jmp start
      // (The SBB at .skip reads the CF that CMP or ADD left; at .x only the taken path arrives.)
      const code = [
        0x01, 0xd0, 0xc1, 0xc2, 0x05, 0x39, 0xd8, 0x76, 0x02, 0x01, 0xd1, 0x19, 0xf6, 0x01, 0xf7, 0x39, 0xc8,
        0x72, 0x06, 0x85, 0xc0, 0x31, 0xc8, 0xeb, 0x07, 0x19, 0xf6, 0x83, 0xce, 0x01, 0x01, 0xf7, 0x43, 0xeb,
        0xdd,
      ];
      for (let seed = 1; seed <= 12; seed++) differential(mode, seed, () => code, undefined, anyValues);
      // Every block of it is WebAssembly (none left to JavaScript for a flag it could not place),
      // and they run most of it.
      const run = (jit: CpuOptions['jit']) => {
        const cpu = machine(mode, Uint8Array.from(code), new Uint8Array(16), { jit }, true);
        cpu.regs.set([0x9e3779b9, 3, 0x7f4a7c15, 0x80000000, 0, 0, 0, 0].map((v) => v | 0).slice(0, 4));
        cpu.run(20_000);
        return cpu;
      };
      const interpreted = run(false);
      const cpu = run({ threshold: 0 });
      expect([...cpu.regs]).toEqual([...interpreted.regs]);
      expect(cpu.jitStats?.instructions).toBeGreaterThan(19_000);
      expect(cpu.jitStats?.wasmBlocks).toBeGreaterThan(0);
      expect(cpu.jitStats?.blocksCompiled).toBe(cpu.jitStats?.wasmBlocks);
    });
  }

  it('compiles the blocks a long straight stretch falls through to together with its first', () => {
    // 100 x (add eax,ecx; rol ecx,3), then dec ebx; jnz start: four blocks of at most 64.
    const body = Array.from({ length: 100 }, () => [0x01, 0xc8, 0xc1, 0xc1, 0x03]).flat();
    const code = Uint8Array.from([...body, 0x4b, 0x0f, 0x85, ...le32(-(body.length + 7)), 0xf4]);
    const run = (jit: CpuOptions['jit']) => {
      const cpu = machine('protected', code, new Uint8Array(16), { jit }, true);
      cpu.regs[1] = 0x12345;
      cpu.regs[3] = 15;
      expect(cpu.run(100_000)).toBe('hlt');
      return cpu;
    };
    const interpreted = run(false);
    const compiled = run({ threshold: 1000, wasmThreshold: 10 });
    expect(compiled.regs[0]).toBe(interpreted.regs[0]);
    // The first block compiles at its second run (a lookup repeated at once weighs as a REP
    // chunk), the three after it at once: passes 2-15 run every instruction compiled. (One at a
    // time, each of the three would wait for ten lookups of its own, one per pass.)
    expect(compiled.jitStats?.wasmBlocks).toBe(4);
    expect(compiled.jitStats?.instructions).toBe(14 * (200 + 2));
  });

  it('counts code from zero again after a store drops its block: the new code gets its WebAssembly try', () => {
    // nasm (org 0x10000): mov ecx,2; outer: mov ebx,50; a: add eax,1; jmp b; int3; b: dec ebx;
    // jnz a; mov byte [a+2],2; dec ecx; jnz outer; hlt
    // (Interpreted, the lookups alternate between a and b: no lookup repeats at once.)
    const code = Uint8Array.from([
      0xb9, 0x02, 0x00, 0x00, 0x00, 0xbb, 0x32, 0x00, 0x00, 0x00, 0x83, 0xc0, 0x01, 0xeb, 0x01, 0xcc, 0x4b,
      0x75, 0xf7, 0xc6, 0x05, 0x0c, 0x00, 0x01, 0x00, 0x02, 0x49, 0x75, 0xe8, 0xf4,
    ]);
    const cpu = machine(
      'protected',
      code,
      new Uint8Array(16),
      { jit: { threshold: 1000, wasmThreshold: 10 } },
      true,
    );
    expect(cpu.run(10_000)).toBe('hlt');
    expect(cpu.regs[0]).toBe(50 + 50 * 2);
    // b and then a compile at their tenth lookups; the store drops a's block, and a compiles
    // again at its tenth lookup after it: three blocks. (Counted on from ten, a would run
    // interpreted until other blocks and a repeated lookup took it past `threshold`: four.)
    expect(cpu.jitStats?.invalidations).toBe(2);
    expect(cpu.jitStats?.wasmBlocks).toBe(3);
  });

  it('gives a loop its WebAssembly try at its own threshold when another, 64 KiB away, ran first', () => {
    // nasm (org 0x10000): mov ecx,2000; a: add eax,1; jmp a2; int3; a2: dec ecx; jnz a; jmp b0;
    // ... (at 0x20001) b0: mov ecx,2000; b: add eax,1; jmp b2; int3; b2: dec ecx; jnz b; hlt
    // (a at 0x10005 and b at 0x20006 shared a counter of 2^16; the lookups alternate between
    // each loop's two blocks, so none repeats at once.)
    const code = new Uint8Array(0x10010);
    code.set([
      0xb9, 0xd0, 0x07, 0x00, 0x00, 0x83, 0xc0, 0x01, 0xeb, 0x01, 0xcc, 0x49, 0x75, 0xf7, 0xe9, 0xee, 0xff,
    ]);
    code.set(
      [0xb9, 0xd0, 0x07, 0x00, 0x00, 0x83, 0xc0, 0x01, 0xeb, 0x01, 0xcc, 0x49, 0x75, 0xf7, 0xf4],
      0x10001,
    );
    const cpu = machine(
      'protected',
      code,
      new Uint8Array(16),
      { jit: { threshold: 16000, wasmThreshold: 1000 } },
      true,
    );
    expect(cpu.run(20_000)).toBe('hlt');
    expect(cpu.regs[0]).toBe(4000);
    // Each loop compiles (one block following its JMP) at its 1000th lookup and runs its last
    // ~1000 passes of 4 instructions compiled. Sharing a's counter, b waited for 16000 (6006).
    expect(cpu.jitStats?.instructions).toBeGreaterThan(7900);
  });

  it('imports no function into a block but RDTSC: the runner folds the flags a block reads', () => {
    const block = (bytes: number[]) => {
      const ram = new Uint8Array(0x1000);
      ram.set(bytes);
      const insns: Insn[] = [];
      for (let at = 0; at < bytes.length; ) {
        const i = decodeInsn({ ram, phys: 0, base: 0, end: 0x1000, start: 0 }, at, true) as Insn;
        insns.push(i);
        at = i.next;
      }
      const shape = {
        start: 0,
        insns,
        memKind: MEM_FLAT,
        user: false,
        cpl: 0,
        protectedMode: true,
        stack32: true,
        flatSegs: 0b1111,
      };
      const layout = {
        state: 0x100000,
        slowRead: 0x101000,
        slowWrite: 0x102000,
        tlbRead: 0,
        tlbWrite: 0,
        pages: 32,
      };
      const b = generateWasm(shape, layout);
      if (b === undefined) throw new Error('not compiled');
      const { Module } = (globalThis as unknown as { WebAssembly: { Module: WasmModuleApi } }).WebAssembly;
      const imports = Module.imports(new Module(b.bytes)).map((i) => `${i.kind} ${i.name}`);
      return { imports, readsFlags: b.readsFlags };
    };
    // adc eax,ebx; ret (reads the CF it found) | add eax,ebx; ret | rdtsc; ret
    expect(block([0x11, 0xd8, 0xc3])).toEqual({ imports: ['memory mem'], readsFlags: true });
    expect(block([0x01, 0xd8, 0xc3])).toEqual({ imports: ['memory mem'], readsFlags: false });
    expect(block([0x0f, 0x31, 0xc3])).toEqual({ imports: ['memory mem', 'function tsc'], readsFlags: false });
  });

  it('keeps the registers in the arena: Cpu.regs is a view of jitState', () => {
    const cpu = machine(
      'protected',
      Uint8Array.from([0x40, 0xeb, 0xfd]),
      new Uint8Array(16),
      { jit: { threshold: 0 } },
      true,
    );
    expect(cpu.jitState).toBeDefined();
    expect(cpu.regs.buffer).toBe(cpu.jitState?.buffer);
    expect(cpu.regs.buffer).toBe(cpu.memory.ram.buffer);
    cpu.regs[0] = 5;
    cpu.run(1000);
    expect(cpu.regs[0]).toBe(5 + 500); // INC, JMP: 500 passes
    expect(cpu.jitStats?.wasmBlocks).toBeGreaterThan(0);
  });

  it('compiles nothing to WebAssembly without an arena, or with wasm: false', () => {
    const plain = machine('protected', Uint8Array.from([0x40, 0xeb, 0xfd]), new Uint8Array(16), {
      jit: { threshold: 0 },
    });
    plain.run(100);
    expect(plain.jitStats?.wasmBlocks).toBe(0);
    expect(plain.jitState).toBeUndefined();
    const off = machine(
      'protected',
      Uint8Array.from([0x40, 0xeb, 0xfd]),
      new Uint8Array(16),
      { jit: { threshold: 0, wasm: false } },
      true,
    );
    off.run(100);
    expect(off.jitStats?.wasmBlocks).toBe(0);
    expect(off.regs[0]).toBe(plain.regs[0]);
  });

  it('sizes the arena for one CPU and its MMU; a second CPU on the memory runs JavaScript blocks', () => {
    expect(IA32_WASM_TABLE_BYTES).toBeGreaterThanOrEqual(18 << 20);
    const memory = new PhysicalMemory({ ramSize: 1 << 20, wasmTableBytes: IA32_WASM_TABLE_BYTES });
    const code = [0x40, 0xeb, 0xfd]; // inc eax; jmp $-1
    memory.ram.set(code, 0x1000);
    const cpus = [0, 1].map(() => {
      const cpu = new Cpu({ memory, jit: { threshold: 0 } });
      cpu.setSegment('cs', { selector: 0x08, base: 0, limit: 0xffffffff, rights: 0xc09b });
      for (const seg of ['ds', 'es', 'ss'] as const)
        cpu.setSegment(seg, { selector: 0x10, base: 0, limit: 0xffffffff, rights: 0xc093 });
      cpu.setControl(0, cpu.cr0 | 1);
      cpu.eip = 0x1000;
      cpu.esp = 0x8000;
      return cpu;
    });
    for (const cpu of cpus) cpu.run(1000);
    expect(cpus[0].jitState).toBeDefined();
    expect(cpus[0].jitStats?.wasmBlocks).toBeGreaterThan(0);
    expect(cpus[1].jitState).toBeUndefined();
    expect(cpus[1].jitStats?.wasmBlocks).toBe(0);
    expect(cpus.map((c) => c.regs[0])).toEqual([500, 500]);
  });
});
