// Port I/O dispatcher: ranges of ports → devices. Unclaimed ports read all ones and
// ignore writes, as an ISA bus with nothing answering does.
import { ALL_ONES, DeviceConfigError, type PortDevice } from './types.js';

export interface PortRangeOptions {
  /**
   * Wide devices get 16/32-bit accesses as they come; narrow ones (the default, like most
   * ISA chips) see a wide access as consecutive byte accesses at port, port+1, ….
   */
  wide?: boolean;
  /**
   * False for devices that never write guest RAM (no DMA, no firmware calls): the CPU then does
   * not check its compiled code again after each access (serial status polls, PIC and PIT
   * programming, port 80h delays). Default true.
   */
  writesRam?: boolean;
}

interface Claim {
  device: PortDevice;
  wide: boolean;
  writesRam: boolean;
  name: string;
}

/** Satisfies the cpu-ia32 `IoBus` contract (structurally). */
export class IoPortBus {
  private readonly claims: (Claim | undefined)[] = new Array(0x10000);

  /** Claim ports first..last (inclusive) for a device; overlapping claims are refused. */
  register(
    name: string,
    first: number,
    last: number,
    device: PortDevice,
    options: PortRangeOptions = {},
  ): void {
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 0 || last > 0xffff || first > last) {
      throw new DeviceConfigError(`${name}: bad port range 0x${first.toString(16)}-0x${last.toString(16)}`);
    }
    for (let p = first; p <= last; p++) {
      const other = this.claims[p];
      if (other)
        throw new DeviceConfigError(`${name}: port 0x${p.toString(16)} already claimed by ${other.name}`);
    }
    const claim: Claim = { device, wide: options.wide ?? false, writesRam: options.writesRam ?? true, name };
    for (let p = first; p <= last; p++) this.claims[p] = claim;
  }

  /** False when no device a `size`-byte access at `port` reaches ever writes RAM. */
  writesRam(port: number, size: 1 | 2 | 4): boolean {
    for (let i = 0; i < size; i++) {
      const c = this.claims[(port + i) & 0xffff];
      if (c?.writesRam) return true;
    }
    return false;
  }

  /** Name of the device owning a port, for diagnostics. */
  owner(port: number): string | undefined {
    return this.claims[port & 0xffff]?.name;
  }

  read(port: number, size: 1 | 2 | 4): number {
    port &= 0xffff;
    const claim = this.claims[port];
    if (size === 1 || claim?.wide) {
      // the data lines carry only `size` bytes, whatever a device returns
      return claim ? (claim.device.read(port, size) & ALL_ONES[size]) >>> 0 : ALL_ONES[size];
    }
    let value = 0;
    for (let i = 0; i < size; i++) {
      const c = this.claims[(port + i) & 0xffff];
      const byte = c ? c.device.read((port + i) & 0xffff, 1) & 0xff : 0xff;
      value |= byte << (8 * i);
    }
    return value >>> 0;
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    port &= 0xffff;
    const claim = this.claims[port];
    if (size === 1 || claim?.wide) {
      claim?.device.write(port, size, value);
      return;
    }
    for (let i = 0; i < size; i++) {
      const c = this.claims[(port + i) & 0xffff];
      c?.device.write((port + i) & 0xffff, 1, (value >>> (8 * i)) & 0xff);
    }
  }
}
