import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLinuxKernel, LinuxBootError } from '../../src/boards/pc/linux-boot.js';
import { NS_PER_INSTRUCTION, PcBoard } from '../../src/boards/pc/pc-board.js';

/** A minimal bzImage: 2 setup sectors after the boot sector, the header, then a "kernel". */
function bzImage(protocol = 0x20f, kernelBytes = 8192): Uint8Array {
  const image = new Uint8Array(3 * 512 + kernelBytes);
  const v = new DataView(image.buffer);
  image[0x1f1] = 2; // setup_sects
  v.setUint32(0x202, 0x53726448, true); // "HdrS"
  v.setUint16(0x206, protocol, true);
  image[0x211] = 0x01; // LOADED_HIGH
  v.setUint32(0x22c, 0x37ffffff, true); // initrd_addr_max
  v.setUint32(0x238, 2047, true); // cmdline_size
  image[0x200] = 0xeb; // the setup entry (jmp short)
  image.fill(0xaa, 3 * 512);
  return image;
}

describe('Linux boot protocol (bzImage)', () => {
  it('detects a bzImage by its HdrS header', () => {
    expect(isLinuxKernel(bzImage())).toBe(true);
    expect(isLinuxKernel(new Uint8Array(4096))).toBe(false);
  });

  it('loads setup at 0x90000, the kernel at 1 MiB, the command line and initrd, and enters 9020:0000', () => {
    const board = new PcBoard({ memoryMiB: 16 });
    const initrd = new Uint8Array(10000).fill(0x5c);
    const k = board.loadLinux(bzImage(), { cmdline: 'console=ttyS0 quiet', initrd });
    const m = board.memory;
    expect(m.read32(0x90202)).toBe(0x53726448);
    expect(m.read8(0x100000)).toBe(0xaa);
    expect(m.read8(0x100000 + 8191)).toBe(0xaa);
    expect(m.read8(0x90210)).toBe(0xff); // type_of_loader
    expect(m.read8(0x90211) & 0x81).toBe(0x81); // LOADED_HIGH | CAN_USE_HEAP
    const cmdline = m.read32(0x90228);
    expect(cmdline).toBe(k.cmdlineAddress);
    expect(cmdline).toBeLessThan(0x9a000);
    expect(new TextDecoder().decode(m.readBytes(cmdline, 19))).toBe('console=ttyS0 quiet');
    expect(m.read8(cmdline + 19)).toBe(0);
    expect(m.read16(0x90224)).toBe(cmdline - 0x90000 - 0x200); // heap_end_ptr
    const address = m.read32(0x90218);
    expect(m.read32(0x9021c)).toBe(10000);
    expect(address % 4096).toBe(0);
    expect(address + 10000).toBeLessThanOrEqual(16 << 20);
    expect(address + 10000).toBeGreaterThan((16 << 20) - 4096 - 10000);
    expect(m.read8(address)).toBe(0x5c);
    const cpu = board.cpu;
    expect(cpu.cr0 & 1).toBe(0);
    expect(cpu.getSegment('cs').base).toBe(0x90200);
    expect(cpu.eip).toBe(0);
    expect(cpu.getSegment('ds').base).toBe(0x90000);
    expect(cpu.getSegment('ss').base).toBe(0x90000);
    expect(m.read8(cpu.getSegment('cs').base)).toBe(0xeb);
  });

  it('refuses old protocols, a kernel that does not fit and a command line over the limit', () => {
    expect(() => new PcBoard({ memoryMiB: 4 }).loadLinux(bzImage(0x201))).toThrow(LinuxBootError);
    expect(() => new PcBoard({ memoryMiB: 2 }).loadLinux(bzImage(0x20f, (1 << 20) + 1))).toThrow(
      /does not fit/,
    );
    expect(() => new PcBoard({ memoryMiB: 4 }).loadLinux(bzImage(), { cmdline: 'x'.repeat(3000) })).toThrow(
      /command line/,
    );
  });

  it('the TSC counts board time: HLT skips to the timer tick move it as they move the PIT', () => {
    // setup code: RDTSC, wait in HLT for two BIOS timer ticks (IRQ0, 18.2 Hz), RDTSC, stop
    const image = bzImage();
    image.set(
      [
        [0x0f, 0x31], // rdtsc
        [0x66, 0x89, 0xc6], // mov esi, eax
        [0xfb, 0xf4, 0xf4], // sti; hlt; hlt
        [0x0f, 0x31], // rdtsc
        [0xfa, 0xf4], // cli; hlt (the run ends: halted)
      ].flat(),
      0x270,
    );
    image[0x201] = 0x6e; // the entry's jmp short to 0x270, past the header
    const board = new PcBoard({ memoryMiB: 16 });
    board.loadLinux(image);
    const r = board.run({ maxInstructions: board.cpu.instructions + 1_000_000 });
    expect(r.stop).toBe('halted');
    const cpu = board.cpu;
    const ticks = (cpu.eax - cpu.esi) >>> 0;
    // two ticks of 54.9 ms at 20 ns per count is 5.49 M; a TSC of instructions would show a few hundred
    expect(ticks).toBeGreaterThan(5_000_000);
    expect(ticks).toBeLessThan(5_600_000);
    expect(cpu.tsc).toBe(BigInt(Math.floor(board.clock.nanos / NS_PER_INSTRUCTION)));
  });

  const shared = process.env.PHANTASM_SHARED ?? join(import.meta.dirname, '../../../../../shared');
  const vmlinuz = join(shared, 'images/x86/vmlinuz-686');
  it.skipIf(!existsSync(vmlinuz))(
    `Debian's vmlinuz-686 runs its setup code (BIOS output "Probing EDD")${existsSync(vmlinuz) ? '' : ` — skipped: ${vmlinuz} absent`}`,
    () => {
      const board = new PcBoard({ memoryMiB: 64 });
      const k = board.loadLinux(new Uint8Array(readFileSync(vmlinuz)), { cmdline: 'console=ttyS0' });
      expect(k.protocol).toBe(0x20f);
      board.run({ maxInstructions: board.cpu.instructions + 3_000_000 });
      expect(board.screenText()).toContain('Probing EDD (edd=off to disable)... ok');
    },
  );
});
