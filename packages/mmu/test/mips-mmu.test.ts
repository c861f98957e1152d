import { describe, expect, it } from 'vitest';
import {
  BumpFrameSource,
  MIPS_ADDRESS_ERROR,
  MIPS_MODE_KERNEL,
  MIPS_MODE_USER,
  MIPS_MODIFIED,
  MIPS_REFILL,
  MipsMmu,
  MipsPageTableEditor,
  MipsTlb,
  PhysicalMemory,
} from '../src/index.js';

function setup() {
  const memory = new PhysicalMemory({ ramSize: 0x200000, bigEndian: true });
  const frames = new BumpFrameSource(0x100000, 0x200000);
  const tlb = new MipsTlb({ entries: 16 });
  const editor = new MipsPageTableEditor(memory, MipsPageTableEditor.createDirectory(memory, frames), frames);
  return { memory, tlb, editor, mmu: new MipsMmu(tlb, memory) };
}

describe('MipsMmu', () => {
  it('loads and stores big-endian through kseg0/kseg1 and the TLB', () => {
    const { memory, tlb, editor, mmu } = setup();
    expect(mmu.write32(0x80001000, 0x11223344, MIPS_MODE_KERNEL)).toBe(0);
    expect(memory.ram[0x1000]).toBe(0x11);
    expect(mmu.read16(0xa0001002, MIPS_MODE_KERNEL)).toBe(0x3344);
    editor.map(0x00400000, 0x1000, { writable: true, user: true });
    expect(mmu.read32(0x00400000, MIPS_MODE_USER)).toBe(MIPS_REFILL);
    editor.refill(tlb, 0x00400000);
    expect(mmu.read32(0x00400000, MIPS_MODE_USER)).toBe(0x11223344);
    expect(mmu.write8(0x00400003, 0x99, MIPS_MODE_USER)).toBe(0);
    expect(mmu.read8(0x80001003, MIPS_MODE_KERNEL)).toBe(0x99);
  });

  it('misaligned halfword and word accesses are address errors with BadVAddr, nothing written', () => {
    const { memory, mmu } = setup();
    for (const [va, width] of [
      [0x80001001, 16],
      [0x80001002, 32],
      [0x80001003, 32],
    ] as const) {
      expect(width === 16 ? mmu.read16(va, MIPS_MODE_KERNEL) : mmu.read32(va, MIPS_MODE_KERNEL)).toBe(
        MIPS_ADDRESS_ERROR,
      );
      expect(mmu.tlb.badVAddr).toBe(va);
      expect(width === 16 ? mmu.write16(va, 1, MIPS_MODE_KERNEL) : mmu.write32(va, 1, MIPS_MODE_KERNEL)).toBe(
        MIPS_ADDRESS_ERROR,
      );
    }
    expect(memory.read32(0x1000)).toBe(0);
  });

  it('stores to read-only pages give TLB Modified and leave memory alone', () => {
    const { memory, tlb, editor, mmu } = setup();
    editor.map(0x00400000, 0x2000, { writable: false, user: true });
    editor.refill(tlb, 0x00400000);
    expect(mmu.write32(0x00400010, 5, MIPS_MODE_USER)).toBe(MIPS_MODIFIED);
    expect(memory.read32(0x2010)).toBe(0);
    expect(mmu.read32(0x80000000, MIPS_MODE_USER)).toBe(MIPS_ADDRESS_ERROR);
  });
});
