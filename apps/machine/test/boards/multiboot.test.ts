import { describe, expect, it } from 'vitest';
import { findMultibootHeader, MULTIBOOT_MAGIC, MultibootError } from '../../src/boards/pc/multiboot.js';
import { PcBoard } from '../../src/boards/pc/pc-board.js';
import { program } from './helpers.js';

function header(flags: number, at = 0, size = 8192): Uint8Array {
  const image = new Uint8Array(size);
  const v = new DataView(image.buffer);
  v.setUint32(at, MULTIBOOT_MAGIC, true);
  v.setUint32(at + 4, flags, true);
  v.setUint32(at + 8, -(MULTIBOOT_MAGIC + flags) >>> 0, true);
  return image;
}

describe('multiboot', () => {
  it('finds the header only with a valid checksum inside the first 8 KiB', () => {
    expect(findMultibootHeader(program('mbhello.bin'))).toEqual({ offset: 0, flags: 0x10003 });
    expect(findMultibootHeader(header(3, 64))).toEqual({ offset: 64, flags: 3 });
    const bad = header(3, 64);
    bad[72] ^= 1;
    expect(findMultibootHeader(bad)).toBeUndefined();
    expect(findMultibootHeader(header(3, 8192, 12000))).toBeUndefined();
  });

  it('enters the kernel in flat 32-bit protected mode with the magic and an info structure', () => {
    const board = new PcBoard({ memoryMiB: 8 });
    const k = board.loadMultiboot(program('mbhello.bin'), 'mbhello --x');
    const cpu = board.cpu;
    expect(cpu.eax).toBe(0x2badb002);
    expect(cpu.ebx).toBe(k.infoAddress);
    expect(cpu.eip).toBe(k.entry);
    expect(cpu.cr0 & 1).toBe(1);
    expect(cpu.getSegment('cs').base).toBe(0);
    const m = board.memory;
    expect(m.read32(k.infoAddress) & 0x45).toBe(0x45);
    expect(m.read32(k.infoAddress + 4)).toBe(640);
    expect(m.read32(k.infoAddress + 8)).toBe(7 * 1024);
    const cmdline = m.read32(k.infoAddress + 16);
    expect(new TextDecoder().decode(m.readBytes(cmdline, 11))).toBe('mbhello --x');
    const mmapLength = m.read32(k.infoAddress + 44);
    expect(mmapLength).toBe(3 * 24);
  });

  it('runs the firmware POST first, as QEMU -kernel does: halted with IF=0, the BIOS timer running', () => {
    const image = header(0x10000);
    const v = new DataView(image.buffer);
    v.setUint32(12, 0x100000, true); // header_addr
    v.setUint32(16, 0x100000, true); // load_addr
    v.setUint32(28, 0x100000 + 32, true); // entry_addr
    image.set([0xfa, 0xf4], 32); // cli; hlt
    const board = new PcBoard({ memoryMiB: 4 });
    board.loadMultiboot(image.subarray(0, 64));
    const atEntry = board.cpu.instructions;
    expect(atEntry).toBeGreaterThan(0); // the POST ran
    const r = board.run({ maxInstructions: atEntry + 1000 });
    expect(r.stop).toBe('halted');
    expect(r.instructions).toBe(atEntry + 2);
    // the PIT and the PICs are as the BIOS left them: a timer interrupt can wake a kernel
    expect(board.nextTimerWakeNs()).toBeDefined();
    expect(new PcBoard({ memoryMiB: 4 }).nextTimerWakeNs()).toBeUndefined();
  });

  it('puts its own structures above a kernel that occupies 0x8000 (kvm-unit-tests realmode.flat)', () => {
    const image = header(0x10000, 0, 0x2000);
    const v = new DataView(image.buffer);
    v.setUint32(12, 0x8000, true); // header_addr
    v.setUint32(16, 0x8000, true); // load_addr
    v.setUint32(24, 0xa000, true); // bss_end_addr
    v.setUint32(28, 0x8020, true); // entry_addr
    image.fill(0x90, 32, 0x2000);
    const board = new PcBoard({ memoryMiB: 4 });
    const k = board.loadMultiboot(image, 'realmode');
    expect(k.segments).toEqual([[0x8000, 0xa000]]);
    const m = board.memory;
    expect([...m.readBytes(0x8020, 0x1fe0)].every((b) => b === 0x90)).toBe(true);
    expect(k.infoAddress).toBeGreaterThanOrEqual(0xa000);
    expect(board.cpu.gdtr.base).toBeGreaterThanOrEqual(0xa000);
    const cmdline = m.read32(k.infoAddress + 16);
    expect(new TextDecoder().decode(m.readBytes(cmdline, 8))).toBe('realmode');
    expect(board.run({ maxInstructions: board.cpu.instructions + 100 }).stop).toBe('max-instructions');
    expect(board.cpu.eip).toBeGreaterThan(0x8020);
  });

  it('refuses an ELF without loadable segments and images that do not fit in RAM', () => {
    const board = new PcBoard({ memoryMiB: 2 });
    const elf = header(3, 64);
    elf.set([0x7f, 0x45, 0x4c, 0x46, 1, 1], 0);
    elf[18] = 3;
    expect(() => board.loadMultiboot(elf)).toThrow(MultibootError);
    const big = header(0x10000);
    const v = new DataView(big.buffer);
    v.setUint32(12, 0x1f0000, true); // header_addr
    v.setUint32(16, 0x1f0000, true); // load_addr
    v.setUint32(24, 0x400000, true); // bss_end beyond 2 MiB
    v.setUint32(28, 0x1f0000, true);
    expect(() => board.loadMultiboot(big)).toThrow(/beyond RAM/);
  });
});
