// The bare-metal IA-64 board behind `phantasm ia64 --kernel ELF`: an Itanium CPU in system mode
// (@phantasm/cpu-ia64's Ia64System: translation, interruptions, the ITC/ITM interval timer) with
// RAM from physical address 0, a 16550 UART for the console and an exit port, as QEMU's
// isa-debug-exit / pc-testdev serve test programs. The kernel is an ELF64 whose segments are loaded
// at their addresses as physical addresses; it starts at its entry point with psr = 0 (translation
// and interruption collection off, cpl 0, register bank 0), as Ski starts a system-mode program.
//
// Physical map:
//   0 .. memory-1        RAM (zero-filled on first touch)
//   0xf0000000 .. +7     16550 UART, one byte per register (THR/RBR at +0, LSR at +5); its interrupt
//                        line makes external-interrupt vector 0x30 pending
//   0xf0001000 .. +7     exit port: a store of any size ends the run; the value is the exit status
import { type ElfImage, Ia64ElfError, Ia64Error, Ia64System, parseElf } from '@phantasm/cpu-ia64';
import { Uart16550 } from '../../devices/uart16550.js';

export const IA64_UART_BASE = 0xf000_0000n;
export const IA64_EXIT_PORT = 0xf000_1000n;
/** External-interrupt vector of the UART's interrupt line. */
export const IA64_UART_VECTOR = 0x30;

/** A board configuration that cannot be built (RAM size). */
export class Ia64BoardError extends Ia64Error {
  override name = 'Ia64BoardError';
}

export interface Ia64BoardOptions {
  /** RAM size in MiB, 1 … 3840 (default 64). */
  memoryMiB?: number;
  /** Console output, byte by byte. */
  serial?: (byte: number) => void;
}

export type Ia64Stop = 'exit' | 'max-instructions' | 'fault';

export interface Ia64RunResult {
  stop: Ia64Stop;
  /** The exit port's value when stop = 'exit'. */
  status?: number;
  /** What stopped the CPU when stop = 'fault' (no memory behind an address, a machine check). */
  fault?: string;
  instructions: number;
  wallMs: number;
}

/** Instructions per run() slice of the system (between checks of the stop conditions). */
const SLICE = 1_000_000;

export class Ia64Board {
  readonly system: Ia64System;
  readonly uart: Uart16550;
  readonly memoryMiB: number;
  private exitStatus: number | undefined;

  constructor(options: Ia64BoardOptions = {}) {
    const mib = options.memoryMiB ?? 64;
    if (!Number.isInteger(mib) || mib < 1 || mib > 3840)
      throw new Ia64BoardError(`memory ${mib} MiB must be an integer from 1 to 3840`);
    this.memoryMiB = mib;
    this.system = new Ia64System();
    const memory = this.system.memory;
    memory.reserve(0n, mib * 1024 * 1024);
    const serial = options.serial ?? (() => {});
    this.uart = new Uart16550(
      0,
      0,
      { setIrq: (_line, level) => level && this.system.raiseInterrupt(IA64_UART_VECTOR) },
      serial,
    );
    memory.addMmio({
      base: IA64_UART_BASE,
      size: 8n,
      read: (offset) => BigInt(this.uart.read(offset)),
      write: (offset, _size, value) => this.uart.write(offset, 1, Number(value & 0xffn)),
    });
    memory.addMmio({
      base: IA64_EXIT_PORT,
      size: 8n,
      read: () => 0n,
      write: (_offset, _size, value) => {
        this.exitStatus = Number(value & 0xffff_ffffn);
        this.system.requestStop();
      },
    });
  }

  /** Load an ELF64 IA-64 kernel into RAM and point the CPU at its entry. */
  loadKernel(bytes: Uint8Array, name = 'kernel'): ElfImage {
    const image = parseElf(bytes, name);
    const top = BigInt(this.memoryMiB) * 1024n * 1024n;
    for (const s of image.segments) {
      if (s.vaddr < 0n || s.vaddr + BigInt(s.memsz) > top)
        throw new Ia64ElfError(
          `${name}: segment at 0x${s.vaddr.toString(16)} (${s.memsz} bytes) is outside RAM (0 .. 0x${top.toString(16)})`,
        );
      this.system.memory.writeBytes(s.vaddr, s.data);
    }
    if (image.entry >= top)
      throw new Ia64ElfError(`${name}: entry 0x${image.entry.toString(16)} is outside RAM`);
    this.system.boot(image.entry);
    return image;
  }

  /** Run until the exit port, a fault without a vector, or maxInstructions (total). */
  run(options: { maxInstructions?: number } = {}): Ia64RunResult {
    const start = performance.now();
    const cpu = this.system.cpu;
    const limit = options.maxInstructions ?? Number.POSITIVE_INFINITY;
    let stop: Ia64Stop = 'max-instructions';
    let fault: string | undefined;
    while (cpu.retired < limit) {
      const reason = this.system.run(Math.min(SLICE, limit - cpu.retired));
      if (reason === 'stop') {
        if (this.exitStatus !== undefined) {
          stop = 'exit';
          break;
        }
        continue;
      }
      if (reason === 'fault') {
        stop = 'fault';
        fault = cpu.fault?.message ?? 'fault';
        break;
      }
    }
    const result: Ia64RunResult = { stop, instructions: cpu.retired, wallMs: performance.now() - start };
    if (stop === 'exit') result.status = this.exitStatus;
    if (fault !== undefined) result.fault = fault;
    return result;
  }
}
