// QEMU-style debug devices: the debug console (0x402 for SeaBIOS, 0xE9 for Bochs-style code)
// and isa-debug-exit (0xF4), where writing v ends the run with status (v << 1) | 1.
import { type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import type { PortDevice } from './types.js';

/** Both debug ports hold no state; their record is a version alone, checked on load. */
const STATELESS = {
  save(): DeviceRecord {
    return { version: 1 };
  },
  check(name: string, record: DeviceRecord): void {
    new RecordReader(name, record, [1]);
  },
};

export class DebugConsole implements PortDevice, SavableDevice {
  constructor(private readonly sink: (byte: number) => void) {}

  save(): DeviceRecord {
    return STATELESS.save();
  }

  load(record: DeviceRecord): void {
    STATELESS.check('debugcon', record);
  }

  /** Reading answers 0xE9, which programs use to detect the port. */
  read(): number {
    return 0xe9;
  }

  write(_port: number, _size: 1 | 2 | 4, value: number): void {
    this.sink(value & 0xff);
  }
}

export class DebugExit implements PortDevice, SavableDevice {
  constructor(private readonly onExit: (status: number) => void) {}

  save(): DeviceRecord {
    return STATELESS.save();
  }

  load(record: DeviceRecord): void {
    STATELESS.check('debug-exit', record);
  }

  read(): number {
    return 0xff;
  }

  write(_port: number, size: 1 | 2 | 4, value: number): void {
    const v = size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
    this.onExit(((v << 1) | 1) >>> 0);
  }
}
