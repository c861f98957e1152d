import { describe, expect, it } from 'vitest';
import { Ia32Mmu, InvalidArgumentError, PhysicalMemory, WasmArena } from '../src/index.js';

describe('WasmArena', () => {
  it('puts RAM at offset 0 of one WebAssembly memory and the Ia32Mmu TLB after it', () => {
    const memory = new PhysicalMemory({ ramSize: 1 << 20, wasmTableBytes: 17 << 20 });
    const arena = memory.arena;
    expect(arena).toBeDefined();
    expect(memory.ram.buffer).toBe(arena?.memory.buffer);
    expect(memory.ram.byteOffset).toBe(0);
    expect(memory.ram.length).toBe(1 << 20);
    memory.write32(0x1234, 0xdeadbeef);
    expect(new DataView(arena?.memory.buffer as ArrayBuffer).getUint32(0x1234, true)).toBe(0xdeadbeef);
    const mmu = new Ia32Mmu(memory);
    for (const t of [mmu.tlbRead, mmu.tlbWrite, mmu.tlbUserRead, mmu.tlbUserWrite]) {
      expect(t.buffer).toBe(memory.ram.buffer);
      expect(t.byteOffset).toBeGreaterThanOrEqual(1 << 20);
    }
    expect(mmu.tlbWrite.byteOffset).toBe(mmu.tlbRead.byteOffset + mmu.tlbRead.byteLength);
    // RAM accesses past the end still go to the open bus, not into the tables.
    expect(memory.read32(1 << 20)).toBe(0xffffffff);
  });

  it('hands out aligned, disjoint tables and reports when it is full', () => {
    const arena = new WasmArena(100, 0x10000);
    const a = arena.bytes(3);
    const b = arena.int32(4);
    expect(a.byteOffset % 64).toBe(0);
    expect(b.byteOffset % 64).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 3);
    expect(arena.fits(0x10000)).toBe(false);
    expect(arena.fits(0x100)).toBe(true);
    expect(() => arena.bytes(0x10000)).toThrow(InvalidArgumentError);
  });

  it('refuses RAM and tables that do not fit 4 GiB', () => {
    expect(() => new WasmArena(0xffff_0000, 0x20000)).toThrow(/does not fit/);
  });

  it('keeps a second Ia32Mmu on the same memory outside the arena (full)', () => {
    const memory = new PhysicalMemory({ ramSize: 1 << 20, wasmTableBytes: 17 << 20 });
    const first = new Ia32Mmu(memory);
    const second = new Ia32Mmu(memory);
    expect(first.tlbRead.buffer).toBe(memory.ram.buffer);
    expect(second.tlbRead.buffer).not.toBe(memory.ram.buffer);
  });

  it('is absent by default', () => {
    expect(new PhysicalMemory({ ramSize: 4096 }).arena).toBeUndefined();
  });
});
