// The monitor's window in low memory and the protected-mode structures in it: a page
// directory and one page table (identity map of the allowed pages only), a GDT, an IDT whose
// every gate leads to a one-byte HLT stub, a 32-bit TSS with ESP0/SS0 and a full I/O
// permission bitmap, and a user page with the v86 stack and the return sentinel.
import type { MemoryBus } from '@phantasm/mmu';
import { PAGE } from './low-memory.js';

export const WINDOW_PAGES = 8;

// Page offsets inside the window.
export const PD_PAGE = 0;
export const PT_PAGE = 1;
export const SYS_PAGE = 2;
export const TSS_PAGE = 3; // three pages: 0x68 bytes of TSS, 8 KiB bitmap, the 0xFF terminator
export const TSS_PAGES = 3;
export const V86_PAGE = 6; // two pages of v86 stack; the sentinel at its start
export const V86_PAGES = 2;

// Offsets inside the system page.
export const GDT_OFF = 0x000;
export const IDT_OFF = 0x100;
export const STUB_OFF = 0x900; // 256 HLT bytes: vector v traps at STUB_OFF + v
export const IRET_OFF = 0xa00; // IRETD: the way into (and back into) virtual-8086 mode
export const STACK0_TOP = 0x1000;

// Selectors.
export const SEL_CODE0 = 0x08;
export const SEL_DATA0 = 0x10;
export const SEL_TSS = 0x18;
export const GDT_LIMIT = 0x1f;
export const IDT_LIMIT = 256 * 8 - 1;

export const TSS_IOMAP = 0x68;
/** Bitmap for all 65536 ports plus the terminating byte the CPU reads past the last port. */
export const TSS_LIMIT = TSS_IOMAP + 0x2000;

/** Segment cache rights (access byte | flags << 12), as cpu-ia32's SegmentState wants them. */
export const RIGHTS_CODE32 = 0xc09b; // G, D, present, code, readable, accessed
export const RIGHTS_DATA32 = 0xc093; // G, B, present, data, writable, accessed
export const RIGHTS_TSS32_BUSY = 0x008b;

/** Physical addresses of everything in a window based at `base`. */
export class WindowLayout {
  constructor(readonly base: number) {}
  get pd(): number {
    return this.base + PD_PAGE * PAGE;
  }
  get pt(): number {
    return this.base + PT_PAGE * PAGE;
  }
  get sys(): number {
    return this.base + SYS_PAGE * PAGE;
  }
  get gdt(): number {
    return this.sys + GDT_OFF;
  }
  get idt(): number {
    return this.sys + IDT_OFF;
  }
  get stubs(): number {
    return this.sys + STUB_OFF;
  }
  get iretStub(): number {
    return this.sys + IRET_OFF;
  }
  get stack0Top(): number {
    return this.sys + STACK0_TOP;
  }
  get tss(): number {
    return this.base + TSS_PAGE * PAGE;
  }
  get v86(): number {
    return this.base + V86_PAGE * PAGE;
  }
  /** Real-mode segment of the v86 page: sentinel at offset 0, stack top at SP below. */
  get v86Segment(): number {
    return this.v86 >>> 4;
  }
  get v86StackTop(): number {
    return V86_PAGES * PAGE;
  }
  /** Linear address of the sentinel HLT the reflected call returns to. */
  get sentinel(): number {
    return this.v86;
  }
  /** Pages only ring 0 may touch. */
  supervisorPages(): number[] {
    const out: number[] = [];
    for (let p = 0; p < V86_PAGE; p++) out.push(this.base / PAGE + p);
    return out;
  }
  userPages(): number[] {
    const out: number[] = [];
    for (let p = 0; p < V86_PAGES; p++) out.push(this.v86 / PAGE + p);
    return out;
  }
}

function writeDescriptor(
  mem: MemoryBus,
  at: number,
  base: number,
  limit: number,
  access: number,
  flags: number,
): void {
  mem.write32(at, ((base & 0xffff) << 16) | (limit & 0xffff));
  mem.write32(
    at + 4,
    (base & 0xff000000) |
      ((flags & 0xf) << 20) |
      (limit & 0xf0000) |
      ((access & 0xff) << 8) |
      ((base >>> 16) & 0xff),
  );
}

/** Write the GDT, IDT, stubs, TSS and the v86 sentinel. The I/O bitmap is written separately. */
export function buildSystemStructures(mem: MemoryBus, w: WindowLayout): void {
  for (let i = 0; i < PAGE; i += 4) mem.write32(w.sys + i, 0);
  // GDT: null, flat ring-0 code and data, and the (busy) 32-bit TSS.
  writeDescriptor(mem, w.gdt + SEL_CODE0, 0, 0xfffff, 0x9b, 0xc);
  writeDescriptor(mem, w.gdt + SEL_DATA0, 0, 0xfffff, 0x93, 0xc);
  writeDescriptor(mem, w.gdt + SEL_TSS, w.tss, TSS_LIMIT, 0x8b, 0);
  // IDT: 32-bit interrupt gates (IF cleared on entry), DPL 0, so INT3/INTO from v86 fault with
  // #GP as well and reach the monitor for emulation.
  for (let v = 0; v < 256; v++) {
    const off = w.stubs + v;
    mem.write32(w.idt + v * 8, (SEL_CODE0 << 16) | (off & 0xffff));
    mem.write32(w.idt + v * 8 + 4, (off & 0xffff0000) | 0x8e00);
    mem.write8(off, 0xf4); // HLT: stops the CPU run so the host monitor can look at the frame
  }
  mem.write8(w.iretStub, 0xcf); // IRETD (32-bit code segment)
  // TSS: ring-0 stack for traps out of v86 mode, and the I/O bitmap right after the TSS.
  for (let i = 0; i < TSS_IOMAP; i += 4) mem.write32(w.tss + i, 0);
  mem.write32(w.tss + 4, w.stack0Top);
  mem.write32(w.tss + 8, SEL_DATA0);
  mem.write32(w.tss + 0x64, TSS_IOMAP << 16);
  mem.write8(w.tss + TSS_LIMIT, 0xff);
  // v86 page: the sentinel HLT the reflected interrupt returns to.
  mem.write8(w.sentinel, 0xf4);
}

/** Fill the I/O permission bitmap: bit set = the port traps to the monitor. */
export function writeIoBitmap(mem: MemoryBus, w: WindowLayout, trapped: (port: number) => boolean): void {
  const at = w.tss + TSS_IOMAP;
  for (let byte = 0; byte < 0x2000; byte++) {
    let bits = 0;
    for (let b = 0; b < 8; b++) if (trapped(byte * 8 + b)) bits |= 1 << b;
    mem.write8(at + byte, bits);
  }
}
