// SingleStepTests 80286 real-mode runner core, shared by `pnpm sst` and the vitest subset.
// Procedure from ../shared/testdata/sst-80286-real/README.md: load registers (FLAGS & 0x0FFF),
// 16 MiB RAM without A20 masking, I/O reads all ones, run until the first HLT has executed,
// compare registers and RAM under the metadata's undefined-flag masks. Tests that hit one of
// the documented 286-vs-386 differences (README.md of this package) are "excused" — and only
// when this CPU shows the 386 behaviour the difference describes; otherwise they fail.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { PhysicalMemory } from '@phantasm/mmu';
import { Cpu } from '../src/index.js';
import { parseMoo } from './moo.js';

export interface SstTest {
  idx: number;
  name: string;
  bytes: number[];
  initial: { regs: Record<string, number>; ram: [number, number][] };
  final: { regs: Record<string, number>; ram: [number, number][] };
  exception?: { number: number; flag_address: number };
}

export interface FormResult {
  form: string;
  passed: number;
  failed: number;
  excused: number;
  /** Excused tests per difference id (see DIFFERENCES). */
  byDifference: Record<string, number>;
  failures: string[];
}

/** The documented 286-vs-386 differences a test may be excused by (ids used in the README). */
export const DIFFERENCES: Record<string, string> = {
  'flags-12-15':
    'POPF/IRET in real mode: a 386 keeps IOPL/NT (bits 12-14) from the popped word, a 286 reads them as 0',
  lock: 'LOCK before a non-lockable instruction: #UD (6) on a 386, ignored by the 286',
  length: 'instruction longer than 10 bytes: #GP (13) on the 286, a 386 allows 15',
  'ss-ffff': 'word access at offset FFFFh through SS: #SS (12) on a 386, #GP (13) on the 286',
  'multiword-end':
    'multi-word operand (LES/LDS/BOUND/far CALL/JMP m) ending past FFFFh: a 386 faults, the 286 wraps',
  'sreg-4-5': 'MOV to/from Sreg with reg field 4/5: FS/GS on a 386, #UD on the 286',
  'string-fault-index':
    'string instruction faulting (#GP) at offset FFFFh: the 286 has already stepped SI/DI (and CX), a 386 faults restartably with them unchanged',
  'esc-wrap':
    'ESC (D8) with a memory operand running past FFFFh: the 286 without a coprocessor does not fault, this CPU (with its x87) limit-checks the whole operand: #GP (13) / #SS (12)',
  'pop-mem-fault':
    'POP m16 whose memory operand faults: the 286 pushes the fault frame with SP already incremented, a 386 faults restartably with SP unchanged; everything else (frame contents included) must match',
  'aam-0-flags':
    'AAM 0 (#DE): the 286 sets SF/ZF/PF from AL (as a word) and clears CF/OF/AF before the fault, a 386 faults with the flags unchanged; everything else must match',
  'idiv8-quotient-80':
    'IDIV r/m8 with a quotient out of range: the 286 sometimes returns AL=80h without a fault, a 386 raises #DE (0)',
  'loadall-cs-selector':
    'interrupt frame whose CS word holds the initial SS: the captured chip wrote SS there (its bus trace shows it) while fetching the instruction from the recorded CS base — a CS selector that disagrees with its base, which only the LOADALL that sets up each test can create (real-mode code cannot); everything else must match',
};

const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
const SEGS = ['es', 'cs', 'ss', 'ds'] as const;
const STRING_OPS = new Set([
  '6C',
  '6D',
  '6E',
  '6F',
  'A4',
  'A5',
  'A6',
  'A7',
  'AA',
  'AB',
  'AC',
  'AD',
  'AE',
  'AF',
]);
const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0xf0, 0xf2, 0xf3]);

export interface Metadata {
  opcodes: Record<string, { 'flags-mask'?: number; reg?: Record<string, { 'flags-mask'?: number }> }>;
}

/** Defined-flags mask for a form ("XX" or "XX.r"); bits set are compared. */
export function flagsMask(meta: Metadata | undefined, form: string): number {
  if (!meta) return 0xffff;
  const [op, reg] = form.split('.');
  const entry = meta.opcodes[op.toUpperCase()];
  if (!entry) return 0xffff;
  if (reg !== undefined) return entry.reg?.[reg]?.['flags-mask'] ?? 0xffff;
  return entry['flags-mask'] ?? 0xffff;
}

/** Test files: the shared subset's `<form>.json.gz` or upstream's binary `<form>.MOO.gz`. */
export const TEST_FILE = /\.(json|MOO)\.gz$/;

export function loadTests(file: string): SstTest[] {
  const data = gunzipSync(readFileSync(file));
  if (file.endsWith('.MOO.gz')) return parseMoo(data);
  return JSON.parse(data.toString('utf8')) as SstTest[];
}

export class SstMachine {
  readonly memory = new PhysicalMemory({ ramSize: 16 * 1024 * 1024 });
  readonly cpu: Cpu;
  private readonly raised: number[] = [];

  constructor() {
    this.cpu = new Cpu({
      memory: this.memory,
      hooks: {
        onException: (vector) => {
          this.raised.push(vector);
          return false;
        },
      },
    });
  }

  /** Run one test; returns undefined on a match, else a description of the mismatch. */
  run(test: SstTest, mask: number, ignoreRegs: readonly string[] = []): { error?: string; raised: number[] } {
    const { cpu, memory } = this;
    const ram = memory.ram;
    this.raised.length = 0;
    cpu.reset();
    // The tests ran on a 286 without a coprocessor. With every x87 exception masked, an ESC
    // instruction here touches only its memory operand and the FPU's own state (not recorded).
    cpu.fpu.init();
    const ir = test.initial.regs;
    for (let i = 0; i < 8; i++) cpu.regs[i] = ir[REG16[i]];
    for (let i = 0; i < 4; i++) {
      const sel = ir[SEGS[i]];
      cpu.setSegment(SEGS[i], {
        selector: sel,
        base: sel * 16,
        limit: 0xffff,
        rights: i === 1 ? 0x9b : 0x93,
      });
    }
    cpu.eip = ir.ip;
    cpu.eflags = (ir.flags & 0x0fff) | 2;
    for (const [a, v] of test.initial.ram) ram[a] = v;
    let stop = 'budget';
    for (let n = 0; n < 64 && stop === 'budget'; n++) stop = cpu.run(256);
    const problems: string[] = [];
    if (stop !== 'hlt') problems.push(`did not reach HLT (${stop})`);
    const fr = { ...ir, ...test.final.regs };
    for (let i = 0; i < 8; i++) {
      const mine = cpu.regs[i] & 0xffff;
      if (mine !== fr[REG16[i]] && !ignoreRegs.includes(REG16[i]))
        problems.push(`${REG16[i]}=${hex(mine)} want ${hex(fr[REG16[i]])}`);
    }
    for (let i = 0; i < 4; i++) {
      const mine = cpu.getSegment(SEGS[i]).selector;
      if (mine !== fr[SEGS[i]]) problems.push(`${SEGS[i]}=${hex(mine)} want ${hex(fr[SEGS[i]])}`);
    }
    if ((cpu.eip & 0xffff) !== fr.ip) problems.push(`ip=${hex(cpu.eip)} want ${hex(fr.ip)}`);
    const flags = cpu.eflags & 0xffff;
    if ((flags & mask) !== (fr.flags & mask)) problems.push(`flags=${hex(flags)} want ${hex(fr.flags)}`);
    // Memory: every byte named in the test must hold its final (or unchanged initial) value.
    const want = new Map<number, number>();
    for (const [a, v] of test.initial.ram) want.set(a, v);
    for (const [a, v] of test.final.ram) want.set(a, v);
    // The pushed FLAGS word of an interrupt frame is compared under the same mask.
    const frameFlags = new Map<number, number>();
    if (test.exception) {
      const at = ((fr.ss << 4) + fr.sp + 4) >>> 0;
      frameFlags.set(at, mask & 0xff);
      frameFlags.set(at + 1, mask >> 8);
    }
    for (const [a, v] of want) {
      const m = frameFlags.get(a) ?? 0xff;
      if ((ram[a] & m) !== (v & m)) problems.push(`[${hex(a)}]=${hex(ram[a])} want ${hex(v)}`);
    }
    // Leave RAM clean for the next test.
    for (const a of want.keys()) ram[a] = 0;
    return problems.length
      ? { error: problems.join(', '), raised: [...this.raised] }
      : { raised: [...this.raised] };
  }
}

function hex(v: number): string {
  return v.toString(16);
}

function prefixBytes(bytes: number[]): number[] {
  const out: number[] = [];
  for (const b of bytes) {
    if (!PREFIXES.has(b)) break;
    out.push(b);
  }
  return out;
}

/** Which documented difference explains a mismatch, given what this CPU raised; undefined if none. */
export function explain(form: string, test: SstTest, raised: number[]): string | undefined {
  const op = form.split('.')[0].toUpperCase();
  const expected = test.exception?.number;
  const prefixes = prefixBytes(test.bytes);
  const first = raised[0];
  if (prefixes.includes(0xf0) && first === 6) return 'lock';
  if ((op === '9D' || op === 'CF') && expected === undefined) return 'flags-12-15';
  if (STRING_OPS.has(op) && expected === 13 && first === 13) return 'string-fault-index';
  if (test.bytes.length - 1 > 10 && expected === 13) return 'length';
  if (expected === 13 && first === 12) return 'ss-ffff';
  if (['C4', 'C5', '62', 'FF'].includes(op) && expected !== 13 && (first === 13 || first === 12)) {
    return 'multiword-end';
  }
  if ((op === '8C' || op === '8E') && expected === 6) {
    const modrm = test.bytes[prefixes.length + 1];
    const reg = (modrm >> 3) & 7;
    if ((reg === 4 || reg === 5) && first === undefined) return 'sreg-4-5';
  }
  if (op === 'D8' && expected === undefined && (first === 13 || first === 12)) return 'esc-wrap';
  if (op === '8F' && expected !== undefined && first === expected) return 'pop-mem-fault';
  if (op === 'D4' && test.bytes[prefixes.length + 1] === 0 && expected === 0 && first === 0)
    return 'aam-0-flags';
  if (frameCsIsSs(test)) return 'loadall-cs-selector';
  if (form === 'F6.7' && expected === undefined && first === 0 && (test.final.regs.ax & 0xff) === 0x80) {
    return 'idiv8-quotient-80';
  }
  // The upstream record lists only the bytes up to the HLT, which may cut a long MOV Ev,Iz short.
  if ((op === 'C6' || op === 'C7') && expected === 13 && first === 6) {
    const modrm = test.bytes[prefixes.length + 1];
    if (prefixes.length + 2 + dispLength16(modrm) + (op === 'C6' ? 1 : 2) > 10) return 'length';
  }
  return undefined;
}

/** Displacement bytes of a 16-bit ModRM byte. */
function dispLength16(modrm: number): number {
  const mod = modrm >> 6;
  if (mod === 0) return (modrm & 7) === 6 ? 2 : 0;
  return mod === 3 ? 0 : mod;
}

/** The test as a 386 would end it: the fault frame pushed at SP - 2 (SP never incremented). */
function withRestartableFrame(test: SstTest): SstTest {
  const fr = { ...test.initial.regs, ...test.final.regs };
  const lin = (sp: number) => ((fr.ss << 4) + (sp & 0xffff)) >>> 0;
  const frame = new Map<number, number>();
  for (let k = 0; k < 6; k++) frame.set(lin(fr.sp + k), k);
  const ram: [number, number][] = test.final.ram.filter(([a]) => !frame.has(a));
  for (const [a, v] of test.final.ram) {
    const k = frame.get(a);
    if (k !== undefined) ram.push([lin(fr.sp - 2 + k), v]);
  }
  return { ...test, final: { regs: { ...test.final.regs, sp: (fr.sp - 2) & 0xffff }, ram } };
}

/** Linear address of the CS word of the interrupt frame a test ends with. */
function frameCsAt(test: SstTest): number {
  const fr = { ...test.initial.regs, ...test.final.regs };
  return ((fr.ss << 4) + ((fr.sp + 2) & 0xffff)) >>> 0;
}

/** The test's final interrupt frame holds the initial SS where the initial CS belongs. */
function frameCsIsSs(test: SstTest): boolean {
  const { cs, ss } = test.initial.regs;
  if (cs === ss) return false;
  const at = frameCsAt(test);
  const byte = (a: number) => test.final.ram.find(([x]) => x === a)?.[1];
  return byte(at) === (ss & 0xff) && byte(at + 1) === ss >> 8;
}

/** The test with its frame's CS word set to the initial CS (what a consistent chip pushes). */
function withFrameCs(test: SstTest): SstTest {
  const at = frameCsAt(test);
  const cs = test.initial.regs.cs;
  const ram = test.final.ram.map(([a, v]): [number, number] =>
    a === at ? [a, cs & 0xff] : a === at + 1 ? [a, cs >> 8] : [a, v],
  );
  return { ...test, final: { ...test.final, ram } };
}

type RunResult = ReturnType<SstMachine['run']>;
const ARITH_FLAGS = 0x8d5; // CF PF AF ZF SF OF

/** How a test is re-run under a difference: only what the difference names may differ. */
const RECHECKS: Record<string, (m: SstMachine, t: SstTest, mask: number) => RunResult> = {
  'flags-12-15': (m, t, mask) => m.run(t, mask & ~0x7000),
  'string-fault-index': (m, t, mask) => m.run(t, mask, ['si', 'di', 'cx']),
  'pop-mem-fault': (m, t, mask) => m.run(withRestartableFrame(t), mask),
  'aam-0-flags': (m, t, mask) => m.run(t, mask & ~ARITH_FLAGS),
  'loadall-cs-selector': (m, t, mask) => m.run(withFrameCs(t), mask),
};

/** Run the tests of one form (optionally only the first `limit`). */
export function runForm(
  machine: SstMachine,
  form: string,
  tests: SstTest[],
  meta: Metadata | undefined,
  limit = Number.POSITIVE_INFINITY,
): FormResult {
  const result: FormResult = { form, passed: 0, failed: 0, excused: 0, byDifference: {}, failures: [] };
  const baseMask = flagsMask(meta, form);
  for (let i = 0; i < tests.length && i < limit; i++) {
    const test = tests[i];
    let r = machine.run(test, baseMask);
    if (r.error === undefined) {
      result.passed++;
      continue;
    }
    const why = explain(form, test, r.raised);
    // A difference that leaves the rest of the test comparable is excused only if the rest matches.
    const recheck = why === undefined ? undefined : RECHECKS[why];
    if (recheck) r = recheck(machine, test, baseMask);
    if (why !== undefined && (!recheck || r.error === undefined)) {
      result.excused++;
      result.byDifference[why] = (result.byDifference[why] ?? 0) + 1;
    } else {
      result.failed++;
      result.failures.push(`#${test.idx} ${test.name}: ${r.error}`);
    }
  }
  return result;
}
