// The kernel image at 1 MiB: the code the CPU itself executes for the kernel (one entry stub per
// vector, the IRETD that returns to a guest, the idle loop) and the descriptor tables (GDT, TSS,
// IDT) plus the ring-0 stack. Everything else the kernel does runs in TypeScript while the CPU
// stands on the common entry HLT.
import type { MemoryBus } from '@phantasm/mmu';
import { LAYOUT, SYSCALL_VECTOR } from '../../abi.js';

const BASE = LAYOUT.kernelImage;
/** Entry stubs, 16 bytes each: [push 0] push imm32 vector; jmp ENTRY_HLT. */
export const STUBS = BASE;
const STUB_SIZE = 16;
/** The common kernel entry: a HLT with interrupts off, where `run` hands control to TypeScript. */
export const ENTRY_HLT = BASE + 256 * STUB_SIZE;
/** IRETD with a frame the kernel has written at ESP. */
export const RESUME_IRET = ENTRY_HLT + 1;
/** sti; hlt; jmp back: where the CPU waits when no thread is ready. */
export const IDLE_LOOP = ENTRY_HLT + 2;
/** The code above fills the first two pages (mapped read-only). */
export const CODE_END = BASE + 0x2000;
export const GDT = BASE + 0x2000;
export const TSS = BASE + 0x2800;
export const IDT = BASE + 0x3000;
/** Ring-0 stack (TSS.ESP0 = its top). */
export const KERNEL_STACK_TOP = BASE + 0x10000;

export const SEL = { kernelCode: 0x08, kernelData: 0x10, userCode: 0x1b, userData: 0x23, tss: 0x28 } as const;

/** Access rights (descriptor bytes 5–6) of the flat segments, as SegmentState.rights. */
export const RIGHTS = { kernelCode: 0xc09b, kernelData: 0xc093, userCode: 0xc0fb, userData: 0xc0f3 } as const;

/** Exceptions that push an error code (SDM Vol. 3, table 6-1). */
const HAS_ERROR_CODE = new Set([8, 10, 11, 12, 13, 14, 17]);
const TSS_SIZE = 104;

function flatDescriptor(rights: number): [number, number] {
  // base 0, limit 0xFFFFF pages: low word = limit 15:0, high = limit 19:16 | rights
  return [0x0000ffff, ((rights & 0xf0ff) << 8) | 0x000f0000];
}

function stubBytes(vector: number): number[] {
  const at = STUBS + vector * STUB_SIZE;
  const code: number[] = HAS_ERROR_CODE.has(vector) ? [0x90, 0x90] : [0x6a, 0x00]; // nop nop | push 0
  code.push(0x68, vector, 0, 0, 0); // push imm32
  const next = at + code.length + 5;
  const rel = (ENTRY_HLT - next) | 0;
  code.push(0xe9, rel & 0xff, (rel >>> 8) & 0xff, (rel >>> 16) & 0xff, (rel >>> 24) & 0xff);
  while (code.length < STUB_SIZE) code.push(0xcc);
  return code;
}

/** Write the kernel image into physical memory (identity-mapped later, supervisor only). */
export function installKernelImage(bus: MemoryBus): void {
  const code: number[] = [];
  for (let v = 0; v < 256; v++) code.push(...stubBytes(v));
  code.push(0xf4); // ENTRY_HLT
  code.push(0xcf); // RESUME_IRET
  code.push(0xfb, 0xf4, 0xeb, 0xfc); // IDLE_LOOP: sti; hlt; jmp IDLE_LOOP
  for (let i = 0; i < code.length; i++) bus.write8(BASE + i, code[i]);

  const gdt: [number, number][] = [
    [0, 0],
    flatDescriptor(RIGHTS.kernelCode),
    flatDescriptor(RIGHTS.kernelData),
    flatDescriptor(RIGHTS.userCode),
    flatDescriptor(RIGHTS.userData),
    // 32-bit available TSS, byte granular, limit TSS_SIZE - 1 (no I/O bitmap: every port faults at CPL 3)
    [((TSS & 0xffff) << 16) | (TSS_SIZE - 1), (TSS & 0xff000000) | 0x8900 | ((TSS >>> 16) & 0xff)],
  ];
  gdt.forEach(([lo, hi], i) => {
    bus.write32(GDT + i * 8, lo >>> 0);
    bus.write32(GDT + i * 8 + 4, hi >>> 0);
  });

  for (let i = 0; i < TSS_SIZE; i += 4) bus.write32(TSS + i, 0);
  bus.write32(TSS + 4, KERNEL_STACK_TOP); // ESP0
  bus.write32(TSS + 8, SEL.kernelData); // SS0
  bus.write16(TSS + 102, TSS_SIZE); // I/O map base beyond the limit

  for (let v = 0; v < 256; v++) {
    const handler = STUBS + v * STUB_SIZE;
    const dpl = v === SYSCALL_VECTOR ? 3 : 0;
    // 32-bit interrupt gate: IF is cleared on entry, so the kernel runs with interrupts off
    bus.write32(IDT + v * 8, ((SEL.kernelCode << 16) | (handler & 0xffff)) >>> 0);
    bus.write32(IDT + v * 8 + 4, ((handler & 0xffff0000) | 0x8e00 | (dpl << 13)) >>> 0);
  }
}

export const GDT_LIMIT = 6 * 8 - 1;
export const IDT_LIMIT = 256 * 8 - 1;
