// PCI configuration mechanism #1 (address 0xCF8, data 0xCFC-0xCFF) with the functions a PC
// BIOS expects of QEMU's "pc" machine: the i440FX host bridge, the PIIX3 ISA bridge and the
// PIIX3 IDE controller. Each function is a 256-byte register file with a write mask, so BAR
// sizing (write all ones, read the mask back) and BIOS-owned registers work generically.
import { base64, type DeviceRecord, DeviceStateError, RecordReader, type SavableDevice } from './state.js';
import { DeviceConfigError, type PortDevice } from './types.js';

export interface PciFunctionSpec {
  device: number;
  function: number;
  vendorId: number;
  deviceId: number;
  revision?: number;
  /** class code, subclass and programming interface as 0xCCSSPP */
  classCode: number;
  headerType?: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  /** BARs: index 0-5, size in bytes (power of two), io or memory (optionally prefetchable). */
  bars?: { index: number; size: number; io: boolean; prefetchable?: boolean }[];
  /** Config-space byte ranges [first, last] the BIOS may write freely. */
  writable?: [number, number][];
  interruptPin?: number;
  /** Initial values for device-specific registers, as [offset, byte]. */
  initial?: [number, number][];
}

export class PciFunction {
  readonly config = new Uint8Array(256);
  readonly mask = new Uint8Array(256);
  /** Called after every config-space write (a device that decodes its BARs follows them). */
  onWrite: () => void = () => {};

  constructor(readonly spec: PciFunctionSpec) {
    const c = this.config;
    this.set16(0x00, spec.vendorId);
    this.set16(0x02, spec.deviceId);
    this.set16(0x06, 0x0280); // status: medium DEVSEL timing
    c[0x08] = spec.revision ?? 0;
    c[0x09] = spec.classCode & 0xff;
    c[0x0a] = (spec.classCode >> 8) & 0xff;
    c[0x0b] = (spec.classCode >> 16) & 0xff;
    c[0x0e] = spec.headerType ?? 0;
    this.set16(0x2c, spec.subsystemVendorId ?? 0);
    this.set16(0x2e, spec.subsystemId ?? 0);
    c[0x3d] = spec.interruptPin ?? 0;
    this.mask[0x04] = 0x07; // command: I/O, memory, bus master
    this.mask[0x0c] = 0xff; // cache line size
    this.mask[0x0d] = 0xff; // latency timer
    this.mask[0x3c] = 0xff; // interrupt line
    for (const bar of spec.bars ?? []) {
      if (bar.size & (bar.size - 1) || bar.size < (bar.io ? 4 : 16)) {
        throw new DeviceConfigError(`PCI ${spec.device}.${spec.function}: BAR${bar.index} size ${bar.size}`);
      }
      const off = 0x10 + 4 * bar.index;
      this.set32(off, bar.io ? 1 : bar.prefetchable ? 8 : 0);
      const m = (~(bar.size - 1) & (bar.io ? ~3 : ~0xf)) >>> 0;
      for (let i = 0; i < 4; i++) this.mask[off + i] = (m >>> (8 * i)) & 0xff;
    }
    for (const [first, last] of spec.writable ?? []) this.mask.fill(0xff, first, last + 1);
    for (const [off, byte] of spec.initial ?? []) c[off] = byte;
  }

  set16(off: number, v: number): void {
    this.config[off] = v & 0xff;
    this.config[off + 1] = (v >> 8) & 0xff;
  }

  set32(off: number, v: number): void {
    this.set16(off, v & 0xffff);
    this.set16(off + 2, v >>> 16);
  }

  read(off: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.config[(off + i) & 0xff] << (8 * i);
    return v >>> 0;
  }

  write(off: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) {
      const o = (off + i) & 0xff;
      const m = this.mask[o];
      this.config[o] = (this.config[o] & ~m) | ((value >>> (8 * i)) & m);
    }
    this.onWrite();
  }

  /** The address programmed into a memory BAR (0 if unassigned). */
  memoryBar(index: number): number {
    return (this.read(0x10 + 4 * index, 4) & ~0xf) >>> 0;
  }

  /** The address programmed into an I/O BAR (0 if unassigned). */
  ioBar(index: number): number {
    return this.read(0x10 + 4 * index, 4) & 0xfffc;
  }
}

/** QEMU's standard VGA (1234:1111) at 00:02.0; BAR 0 is the linear framebuffer. */
export function stdVgaFunction(vramSize: number, lfbAddress: number): PciFunctionSpec {
  return {
    device: 2,
    function: 0,
    vendorId: 0x1234,
    deviceId: 0x1111,
    revision: 0x02,
    classCode: 0x030000,
    subsystemVendorId: 0x1af4,
    subsystemId: 0x1100,
    bars: [{ index: 0, size: vramSize, io: false, prefetchable: true }],
    // power-on: decoding at lfbAddress, for firmware that does not enumerate PCI (the built-in BIOS);
    // SeaBIOS sizes and places the BAR again
    initial: [
      [0x04, 0x03],
      [0x10, 0x08 | (lfbAddress & 0xf0)],
      [0x11, (lfbAddress >>> 8) & 0xff],
      [0x12, (lfbAddress >>> 16) & 0xff],
      [0x13, lfbAddress >>> 24],
    ],
  };
}

/** The functions of QEMU's i440FX "pc" machine that firmware looks for. */
export function i440fxFunctions(): PciFunctionSpec[] {
  return [
    {
      device: 0,
      function: 0,
      vendorId: 0x8086,
      deviceId: 0x1237,
      revision: 0x02,
      classCode: 0x060000,
      // PAM shadow-RAM control 0x59-0x5F, SMRAM 0x72
      writable: [
        [0x50, 0x5f],
        [0x72, 0x72],
      ],
    },
    {
      device: 1,
      function: 0,
      vendorId: 0x8086,
      deviceId: 0x7000,
      classCode: 0x060100,
      headerType: 0x80,
      // PIRQ routing 0x60-0x63 (0x80 = disabled), top-of-memory, misc control
      writable: [[0x40, 0xff]],
      initial: [
        [0x60, 0x80],
        [0x61, 0x80],
        [0x62, 0x80],
        [0x63, 0x80],
      ],
    },
    {
      device: 1,
      function: 1,
      vendorId: 0x8086,
      deviceId: 0x7010,
      classCode: 0x010180, // IDE, legacy mode, bus-master capable
      bars: [{ index: 4, size: 16, io: true }],
      writable: [[0x40, 0x4f]],
      initial: [
        [0x41, 0x80], // primary channel decode enabled
        [0x43, 0x80], // secondary channel decode enabled
      ],
    },
  ];
}

export class PciHost implements PortDevice, SavableDevice {
  address = 0;
  private readonly functions = new Map<number, PciFunction>();

  constructor(
    specs: PciFunctionSpec[],
    private readonly onReset: () => void = () => {},
  ) {
    for (const s of specs) {
      const key = (s.device << 3) | s.function;
      if (this.functions.has(key)) throw new DeviceConfigError(`PCI ${s.device}.${s.function} defined twice`);
      this.functions.set(key, new PciFunction(s));
    }
  }

  save(): DeviceRecord {
    const functions: Record<string, string> = {};
    for (const [key, f] of this.functions) functions[`${key >> 3}.${key & 7}`] = base64(f.config);
    return { version: 1, address: this.address >>> 0, functions };
  }

  /** Config spaces by device.function; the record must name exactly this host's functions. */
  load(record: DeviceRecord): void {
    const r = new RecordReader('pci', record, [1]);
    const address = r.int('address');
    const fr = r.sub('functions');
    // a function the record does not name was added by a later release (the VGA): it keeps its power-on state
    const configs = [...this.functions.entries()]
      .filter(([key]) => fr.has(`${key >> 3}.${key & 7}`))
      .map(([key, f]) => [f, fr.bytes(`${key >> 3}.${key & 7}`, 256)] as const);
    const saved = Object.keys(record.functions as object);
    if (saved.length !== configs.length) {
      throw new DeviceStateError(
        'pci',
        `the record holds ${saved.length} functions, this board has ${configs.length} of them`,
      );
    }
    this.address = address;
    for (const [f, bytes] of configs) f.config.set(bytes);
  }

  fn(device: number, func: number): PciFunction | undefined {
    return this.functions.get((device << 3) | func);
  }

  private selected(): PciFunction | undefined {
    const a = this.address;
    if (!(a & 0x80000000) || (a >> 16) & 0xff) return undefined; // disabled, or not bus 0
    return this.functions.get((a >> 8) & 0xff);
  }

  read(port: number, size: 1 | 2 | 4): number {
    if (port >= 0xcf8 && port <= 0xcfb) {
      if (port === 0xcf8 && size === 4) return this.address >>> 0;
      if (port === 0xcf9) return 0;
      return 0xff;
    }
    const f = this.selected();
    const ones = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    if (!f) return ones;
    return f.read((this.address & 0xfc) | (port & 3), size);
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    if (port === 0xcf8 && size === 4) {
      this.address = value >>> 0;
      return;
    }
    if (port === 0xcf9 && size === 1) {
      if (value & 0x04) this.onReset(); // reset control register: system reset
      return;
    }
    if (port < 0xcfc) return;
    this.selected()?.write((this.address & 0xfc) | (port & 3), size, value);
  }
}
