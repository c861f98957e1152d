// 8237 DMA controller pair as used by ISA devices. Only the first controller's channels
// (0-3, 8-bit) move data — channel 2 is the floppy's; the second controller (0xC0-0xDF) and
// the page registers (0x80-0x8F, 0x80 also being the POST code port) are stored. Transfers
// are done at once by the device calling `toMemory`/`fromMemory`.
import { base64, type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import type { PortDevice } from './types.js';

export interface DmaMemory {
  read8(addr: number): number;
  write8(addr: number, value: number): void;
}

/** Page-register port offsets (from 0x80) of DMA channels 0-3. */
const PAGE_PORT = [0x07, 0x03, 0x01, 0x02];

class DmaChannel {
  baseAddress = 0;
  address = 0;
  baseCount = 0;
  count = 0;
  mode = 0;
  page = 0;
  masked = true;
}

export class Dma8237 implements PortDevice, SavableDevice {
  readonly channels = [new DmaChannel(), new DmaChannel(), new DmaChannel(), new DmaChannel()];
  readonly pages = new Uint8Array(16);
  /** Second controller's registers, kept so firmware reads back what it wrote. */
  readonly high = new Uint8Array(32);
  private flipFlop = false;
  private status = 0;
  /** Last byte written to port 0x80 (BIOS POST codes). */
  postCode = 0;

  constructor(private readonly memory: DmaMemory) {}

  save(): DeviceRecord {
    return {
      version: 1,
      channels: this.channels.map((c) => ({
        baseAddress: c.baseAddress,
        address: c.address,
        baseCount: c.baseCount,
        count: c.count,
        mode: c.mode,
        page: c.page,
        masked: c.masked,
      })),
      pages: base64(this.pages),
      high: base64(this.high),
      flipFlop: this.flipFlop,
      status: this.status,
      postCode: this.postCode,
    };
  }

  load(record: DeviceRecord): void {
    const r = new RecordReader('dma', record, [1]);
    const channels = r.list('channels', 4).map((c) => ({
      baseAddress: c.int('baseAddress', 0, 0xffff),
      address: c.int('address', 0, 0xffff),
      baseCount: c.int('baseCount', 0, 0xffff),
      count: c.int('count', 0, 0xffff),
      mode: c.int('mode', 0, 0xff),
      page: c.int('page', 0, 0xff),
      masked: c.bool('masked'),
    }));
    const pages = r.bytes('pages', 16);
    const high = r.bytes('high', 32);
    const v = {
      flipFlop: r.bool('flipFlop'),
      status: r.int('status', 0, 0xff),
      postCode: r.int('postCode', 0, 0xff),
    };
    for (const [i, c] of channels.entries()) Object.assign(this.channels[i], c);
    this.pages.set(pages);
    this.high.set(high);
    Object.assign(this, v);
  }

  read(port: number): number {
    if (port >= 0xc0) return this.high[(port - 0xc0) >> 1];
    if (port >= 0x80) return this.pages[port - 0x80];
    if (port < 8) {
      const ch = this.channels[port >> 1];
      const v = port & 1 ? ch.count : ch.address;
      const byte = this.flipFlop ? v >> 8 : v & 0xff;
      this.flipFlop = !this.flipFlop;
      return byte & 0xff;
    }
    if (port === 8) {
      const s = this.status;
      this.status &= 0xf0;
      return s;
    }
    return 0xff;
  }

  write(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    if (port >= 0xc0) {
      this.high[(port - 0xc0) >> 1] = value;
      return;
    }
    if (port >= 0x80) {
      this.pages[port - 0x80] = value;
      if (port === 0x80) this.postCode = value;
      const ch = PAGE_PORT.indexOf(port - 0x80);
      if (ch >= 0) this.channels[ch].page = value;
      return;
    }
    if (port < 8) {
      const ch = this.channels[port >> 1];
      const hi = this.flipFlop;
      this.flipFlop = !this.flipFlop;
      if (port & 1) {
        ch.baseCount = hi ? (ch.baseCount & 0xff) | (value << 8) : (ch.baseCount & 0xff00) | value;
        ch.count = ch.baseCount;
      } else {
        ch.baseAddress = hi ? (ch.baseAddress & 0xff) | (value << 8) : (ch.baseAddress & 0xff00) | value;
        ch.address = ch.baseAddress;
      }
      return;
    }
    switch (port) {
      case 0x0a:
        this.channels[value & 3].masked = (value & 4) !== 0;
        break;
      case 0x0b:
        this.channels[value & 3].mode = value;
        break;
      case 0x0c:
        this.flipFlop = false;
        break;
      case 0x0d:
        this.flipFlop = false;
        for (const ch of this.channels) ch.masked = true;
        break;
      case 0x0e:
        for (const ch of this.channels) ch.masked = false;
        break;
      case 0x0f:
        this.channels.forEach((ch, i) => {
          ch.masked = (value & (1 << i)) !== 0;
        });
        break;
    }
  }

  /** Bytes the channel can still move (count + 1), 0 when masked. */
  available(channel: number): number {
    const ch = this.channels[channel];
    return ch.masked ? 0 : ch.count + 1;
  }

  private step(channel: number, n: number): void {
    const ch = this.channels[channel];
    const down = (ch.mode & 0x20) !== 0;
    ch.address = (ch.address + (down ? -n : n)) & 0xffff;
    if (n >= ch.count + 1) {
      this.status |= 1 << channel; // terminal count
      if (ch.mode & 0x10) {
        ch.address = ch.baseAddress; // auto-initialise
        ch.count = ch.baseCount;
      } else {
        ch.count = 0xffff;
        ch.masked = true;
      }
    } else ch.count -= n;
  }

  private addr(channel: number, i: number): number {
    const ch = this.channels[channel];
    const down = (ch.mode & 0x20) !== 0;
    return (ch.page << 16) | ((ch.address + (down ? -i : i)) & 0xffff);
  }

  /** Device → memory (a "write" transfer). Returns bytes moved. */
  toMemory(channel: number, data: Uint8Array): number {
    const n = Math.min(data.length, this.available(channel));
    for (let i = 0; i < n; i++) this.memory.write8(this.addr(channel, i), data[i]);
    if (n > 0) this.step(channel, n);
    return n;
  }

  /** Memory → device (a "read" transfer). */
  fromMemory(channel: number, length: number): Uint8Array {
    const n = Math.min(length, this.available(channel));
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.memory.read8(this.addr(channel, i));
    if (n > 0) this.step(channel, n);
    return out;
  }
}
