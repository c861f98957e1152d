// QEMU-style debug devices: the debug console (0x402 for SeaBIOS, 0xE9 for Bochs-style code)
// and isa-debug-exit (0xF4), where writing v ends the run with status (v << 1) | 1.
import type { PortDevice } from './types.js';

export class DebugConsole implements PortDevice {
  constructor(private readonly sink: (byte: number) => void) {}

  /** Reading answers 0xE9, which programs use to detect the port. */
  read(): number {
    return 0xe9;
  }

  write(_port: number, _size: 1 | 2 | 4, value: number): void {
    this.sink(value & 0xff);
  }
}

export class DebugExit implements PortDevice {
  constructor(private readonly onExit: (status: number) => void) {}

  read(): number {
    return 0xff;
  }

  write(_port: number, size: 1 | 2 | 4, value: number): void {
    const v = size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
    this.onExit(((v << 1) | 1) >>> 0);
  }
}
