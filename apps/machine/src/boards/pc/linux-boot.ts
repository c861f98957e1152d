// The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst) as QEMU's -kernel uses it for a
// bzImage: the real-mode setup code at 0x90000, the protected-mode kernel at 0x100000, the command
// line below 0x9A000, the initrd at the top of low memory (below the header's initrd_addr_max, at
// most 0x37FFFFFF), the setup header filled in as a boot loader must, and the CPU in real mode at
// 0x9020:0000 with DS = ES = SS = 0x9000. The firmware has run its POST first (the setup code calls
// the BIOS for the memory map, the keyboard and the screen).
import type { Cpu } from '@phantasm/cpu-ia32';
import type { PhysicalMemory } from '@phantasm/mmu';

const HDRS = 0x53726448; // "HdrS"
const REAL_ADDR = 0x90000;
const PROT_ADDR = 0x100000;
const CMDLINE_END = 0x9a000;
const CMDLINE_MAX = 2048;
const INITRD_ADDR_MAX_DEFAULT = 0x37ffffff;
const LOADED_HIGH = 0x01;
const CAN_USE_HEAP = 0x80;

export class LinuxBootError extends Error {
  override name = 'LinuxBootError';
}

export interface LoadedLinux {
  protocol: number;
  setupBytes: number;
  kernelBytes: number;
  cmdlineAddress: number;
  initrd?: { address: number; size: number };
}

/** A bzImage: the "HdrS" signature of the boot-protocol header at offset 0x202. */
export function isLinuxKernel(image: Uint8Array): boolean {
  if (image.length < 0x260) return false;
  return new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(0x202, true) === HDRS;
}

export function bootLinux(
  cpu: Cpu,
  memory: PhysicalMemory,
  image: Uint8Array,
  options: { cmdline?: string; initrd?: Uint8Array } = {},
): LoadedLinux {
  if (!isLinuxKernel(image)) throw new LinuxBootError('not a Linux kernel image (no "HdrS" boot header)');
  const hv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const protocol = hv.getUint16(0x206, true);
  if (protocol < 0x202)
    throw new LinuxBootError(`boot protocol ${protocol.toString(16)}: 2.02 or later needed`);
  if (!(image[0x211] & LOADED_HIGH))
    throw new LinuxBootError('a zImage (loaded low) is not supported: use a bzImage');
  const setupSects = image[0x1f1] || 4;
  const setupBytes = (setupSects + 1) * 512;
  if (setupBytes >= image.length) throw new LinuxBootError('the setup code is larger than the image');
  const kernel = image.subarray(setupBytes);
  if (PROT_ADDR + kernel.length > memory.ramSize)
    throw new LinuxBootError(`the kernel (${kernel.length} bytes) does not fit in RAM above 1 MiB`);
  if (setupBytes > CMDLINE_END - CMDLINE_MAX - REAL_ADDR) throw new LinuxBootError('setup code too large');

  const ram = memory.ram;
  ram.set(image.subarray(0, setupBytes), REAL_ADDR);
  ram.set(kernel, PROT_ADDR);
  const h = new DataView(ram.buffer, ram.byteOffset + REAL_ADDR, 0x1000);

  const text = new TextEncoder().encode(options.cmdline ?? '');
  const limit = protocol >= 0x206 ? hv.getUint32(0x238, true) : 255;
  if (text.length > Math.min(limit, CMDLINE_MAX - 1))
    throw new LinuxBootError(`command line of ${text.length} bytes: this kernel takes at most ${limit}`);
  const cmdlineAddress = (CMDLINE_END - (text.length + 1)) & ~15;
  ram.fill(0, cmdlineAddress, CMDLINE_END);
  ram.set(text, cmdlineAddress);

  h.setUint8(0x210, 0xff); // type_of_loader: undefined
  h.setUint8(0x211, h.getUint8(0x211) | CAN_USE_HEAP);
  h.setUint16(0x224, cmdlineAddress - REAL_ADDR - 0x200, true); // heap_end_ptr
  h.setUint32(0x228, cmdlineAddress, true); // cmd_line_ptr

  let initrd: LoadedLinux['initrd'];
  if (options.initrd) {
    const max = Math.min(
      protocol >= 0x203 ? hv.getUint32(0x22c, true) : INITRD_ADDR_MAX_DEFAULT,
      memory.ramSize - 1,
    );
    const address = Math.floor((max + 1 - options.initrd.length) / 4096) * 4096;
    if (address < PROT_ADDR + kernel.length)
      throw new LinuxBootError(
        `the initrd (${options.initrd.length} bytes) does not fit in RAM beside the kernel`,
      );
    ram.set(options.initrd, address);
    h.setUint32(0x218, address, true); // ramdisk_image
    h.setUint32(0x21c, options.initrd.length, true); // ramdisk_size
    initrd = { address, size: options.initrd.length };
  }

  // Real mode at the setup code's entry (offset 0x200 of the image), interrupts off.
  cpu.eflags = 0x2;
  for (const s of ['ds', 'es', 'fs', 'gs', 'ss'] as const) cpu.loadSegment(s, REAL_ADDR >>> 4);
  cpu.loadSegment('cs', (REAL_ADDR >>> 4) + 0x20);
  cpu.eip = 0;
  cpu.esp = cmdlineAddress - REAL_ADDR - 0x10;
  return { protocol, setupBytes, kernelBytes: kernel.length, cmdlineAddress, initrd };
}
