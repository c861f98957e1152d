// ATA (IDE) channel with one hard disk as master: PIO data transfers, IDENTIFY DEVICE,
// READ/WRITE SECTORS (and MULTIPLE), LBA28 and CHS addressing, IRQ on each transferred block.
// Command block at base (0x1F0-0x1F7), control block at ctrl (0x3F6). No DMA, no ATAPI.
import { type DiskImage, SECTOR } from './disk-image.js';
import { base64, type DeviceRecord, DeviceStateError, RecordReader, type SavableDevice } from './state.js';
import type { IrqSink, PortDevice } from './types.js';

const BSY = 0x80;
const DRDY = 0x40;
const DSC = 0x10;
const DRQ = 0x08;
const ERR = 0x01;
const ABRT = 0x04;
const IDNF = 0x10;

export class AtaChannel implements PortDevice, SavableDevice {
  status = DRDY | DSC;
  error = 0x01;
  features = 0;
  sectorCount = 1;
  lbaLow = 1;
  lbaMid = 0;
  lbaHigh = 0;
  driveHead = 0xa0;
  control = 0;
  private irqPending = false;
  private multiple = 16;
  private buffer: Uint8Array = new Uint8Array(SECTOR);
  private pos = 0;
  private end = 0;
  /** Sectors left in the current command after the buffer, and where they go. */
  private remaining = 0;
  private nextLba = 0;
  private transfer: 'none' | 'read' | 'write' = 'none';
  private blockSectors = 1;

  constructor(
    readonly base: number,
    readonly ctrl: number,
    private readonly irqLine: number,
    private readonly irq: IrqSink,
    readonly disk: DiskImage | undefined,
  ) {}

  save(): DeviceRecord {
    return {
      version: 1,
      status: this.status,
      error: this.error,
      features: this.features,
      sectorCount: this.sectorCount,
      lbaLow: this.lbaLow,
      lbaMid: this.lbaMid,
      lbaHigh: this.lbaHigh,
      driveHead: this.driveHead,
      control: this.control,
      irqPending: this.irqPending,
      multiple: this.multiple,
      // an in-flight PIO transfer: the sector buffer, the position in it, what follows
      transfer: this.transfer,
      buffer: base64(this.buffer),
      pos: this.pos,
      end: this.end,
      remaining: this.remaining,
      nextLba: this.nextLba,
      blockSectors: this.blockSectors,
    };
  }

  load(record: DeviceRecord): void {
    const r = new RecordReader('ata', record, [1]);
    const buffer = r.bytes('buffer');
    const v = {
      status: r.int('status', 0, 0xff),
      error: r.int('error', 0, 0xff),
      features: r.int('features', 0, 0xff),
      sectorCount: r.int('sectorCount', 0, 0xff),
      lbaLow: r.int('lbaLow', 0, 0xff),
      lbaMid: r.int('lbaMid', 0, 0xff),
      lbaHigh: r.int('lbaHigh', 0, 0xff),
      driveHead: r.int('driveHead', 0, 0xff),
      control: r.int('control', 0, 0xff),
      irqPending: r.bool('irqPending'),
      multiple: r.int('multiple', 1, 16),
      transfer: r.str('transfer', ['none', 'read', 'write']) as 'none' | 'read' | 'write',
      pos: r.int('pos', 0, buffer.length),
      end: r.int('end', 0, buffer.length),
      remaining: r.int('remaining', 0, 256),
      nextLba: r.int('nextLba', 0, 0x0fffffff),
      blockSectors: r.int('blockSectors', 1, 16),
    };
    if (v.transfer !== 'none' && (!this.disk || v.nextLba + v.remaining > this.disk.sectors)) {
      throw new DeviceStateError('ata', 'a transfer beyond the end of the attached disk');
    }
    Object.assign(this, v);
    this.buffer = buffer;
  }

  private slaveSelected(): boolean {
    return (this.driveHead & 0x10) !== 0;
  }

  private present(): boolean {
    return this.disk !== undefined && !this.slaveSelected();
  }

  private raise(): void {
    this.irqPending = true;
    this.irq.setIrq(this.irqLine, !(this.control & 2));
  }

  private clearIrq(): void {
    this.irqPending = false;
    this.irq.setIrq(this.irqLine, false);
  }

  read(port: number, size: 1 | 2 | 4): number {
    if (port === this.ctrl) return this.present() ? this.status : 0;
    const reg = port - this.base;
    if (reg === 0) return this.readData(size);
    if (!this.present() && reg === 7) return 0;
    switch (reg) {
      case 1:
        return this.error;
      case 2:
        return this.sectorCount;
      case 3:
        return this.lbaLow;
      case 4:
        return this.lbaMid;
      case 5:
        return this.lbaHigh;
      case 6:
        return this.driveHead;
      default:
        if (this.irqPending) this.clearIrq();
        return this.status;
    }
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    if (port === this.ctrl) {
      this.writeControl(value & 0xff);
      return;
    }
    const reg = port - this.base;
    if (reg === 0) {
      this.writeData(size, value);
      return;
    }
    value &= 0xff;
    switch (reg) {
      case 1:
        this.features = value;
        break;
      case 2:
        this.sectorCount = value;
        break;
      case 3:
        this.lbaLow = value;
        break;
      case 4:
        this.lbaMid = value;
        break;
      case 5:
        this.lbaHigh = value;
        break;
      case 6:
        this.driveHead = value | 0xa0;
        break;
      case 7:
        if (this.present()) this.command(value);
        break;
    }
  }

  private writeControl(value: number): void {
    const wasReset = (this.control & 4) !== 0;
    this.control = value;
    if (value & 4 && !wasReset) {
      this.status = BSY;
    } else if (!(value & 4) && wasReset) {
      // end of software reset: the diagnostic signature of an ATA device
      this.transfer = 'none';
      this.status = DRDY | DSC;
      this.error = 0x01;
      this.sectorCount = 1;
      this.lbaLow = 1;
      this.lbaMid = 0;
      this.lbaHigh = 0;
      this.driveHead = 0xa0;
    }
    if (this.irqPending) this.irq.setIrq(this.irqLine, !(value & 2));
  }

  private fail(err = ABRT): void {
    this.transfer = 'none';
    this.error = err;
    this.status = DRDY | DSC | ERR;
    this.raise();
  }

  private ok(): void {
    this.error = 0;
    this.status = DRDY | DSC;
    this.raise();
  }

  /** The starting sector of the command, from LBA or CHS registers; -1 if invalid. */
  private startLba(): number {
    const disk = this.disk!;
    if (this.driveHead & 0x40) {
      return ((this.driveHead & 0x0f) << 24) | (this.lbaHigh << 16) | (this.lbaMid << 8) | this.lbaLow;
    }
    const cyl = (this.lbaHigh << 8) | this.lbaMid;
    return disk.chsToLba(cyl, this.driveHead & 0x0f, this.lbaLow);
  }

  private command(cmd: number): void {
    const disk = this.disk!;
    switch (cmd) {
      case 0xec:
        this.startOutput(this.identify(), 0);
        return;
      case 0x20:
      case 0x21:
      case 0xc4: {
        const count = this.sectorCount || 256;
        const lba = this.startLba();
        if (lba < 0 || !disk.inRange(lba, count)) {
          this.fail(IDNF);
          return;
        }
        this.blockSectors = cmd === 0xc4 ? this.multiple : 1;
        this.nextLba = lba;
        this.remaining = count;
        this.loadReadBlock();
        return;
      }
      case 0x30:
      case 0x31:
      case 0xc5: {
        const count = this.sectorCount || 256;
        const lba = this.startLba();
        if (lba < 0 || !disk.inRange(lba, count)) {
          this.fail(IDNF);
          return;
        }
        this.blockSectors = cmd === 0xc5 ? this.multiple : 1;
        this.nextLba = lba;
        this.remaining = count;
        this.startWriteBlock();
        return;
      }
      case 0xc6:
        if (this.sectorCount === 0 || this.sectorCount > 16 || this.sectorCount & (this.sectorCount - 1)) {
          this.fail();
          return;
        }
        this.multiple = this.sectorCount;
        {
          this.ok();
          return;
        }
      case 0x40:
      case 0x41: {
        const lba = this.startLba();
        if (lba < 0 || !disk.inRange(lba, this.sectorCount || 256)) {
          this.fail(IDNF);
          return;
        }
        this.ok();
        return;
      }
      case 0xf8: {
        const max = Math.min(disk.sectors, 0x10000000) - 1;
        this.lbaLow = max & 0xff;
        this.lbaMid = (max >> 8) & 0xff;
        this.lbaHigh = (max >> 16) & 0xff;
        this.driveHead = (this.driveHead & 0xf0) | ((max >> 24) & 0x0f);
        this.ok();
        return;
      }
      case 0x91: // initialize device parameters
      case 0xef: // set features
      case 0xe7: // flush cache
      case 0xe0:
      case 0xe1:
      case 0xe2:
      case 0xe3:
      case 0xe5:
      case 0x70: // seek
        {
          this.ok();
          return;
        }
      default:
        if ((cmd & 0xf0) === 0x10) {
          this.ok();
          return;
        } // recalibrate
        this.fail(); // includes IDENTIFY PACKET DEVICE: we are not ATAPI
    }
  }

  private startOutput(data: Uint8Array, remaining: number): void {
    this.buffer = data;
    this.pos = 0;
    this.end = data.length;
    this.remaining = remaining;
    this.transfer = 'read';
    this.error = 0;
    this.status = DRDY | DSC | DRQ;
    this.raise();
  }

  private loadReadBlock(): void {
    const n = Math.min(this.blockSectors, this.remaining);
    const data = this.disk!.read(this.nextLba, n).slice();
    this.nextLba += n;
    this.startOutput(data, this.remaining - n);
  }

  private startWriteBlock(): void {
    const n = Math.min(this.blockSectors, this.remaining);
    this.buffer = new Uint8Array(n * SECTOR);
    this.pos = 0;
    this.end = this.buffer.length;
    this.transfer = 'write';
    this.error = 0;
    this.status = DRDY | DSC | DRQ;
  }

  private readData(size: 1 | 2 | 4): number {
    if (this.transfer !== 'read') return size === 4 ? 0xffffffff : 0xffff;
    let v = 0;
    const bytes = size === 1 ? 2 : size;
    for (let i = 0; i < bytes && this.pos < this.end; i++) v |= this.buffer[this.pos++] << (8 * i);
    if (this.pos >= this.end) {
      if (this.remaining > 0) this.loadReadBlock();
      else {
        this.transfer = 'none';
        this.status = DRDY | DSC;
      }
    }
    return v >>> 0;
  }

  private writeData(size: 1 | 2 | 4, value: number): void {
    if (this.transfer !== 'write') return;
    const bytes = size === 1 ? 2 : size;
    for (let i = 0; i < bytes && this.pos < this.end; i++)
      this.buffer[this.pos++] = (value >>> (8 * i)) & 0xff;
    if (this.pos < this.end) return;
    this.disk!.write(this.nextLba, this.buffer);
    const n = this.buffer.length / SECTOR;
    this.nextLba += n;
    this.remaining -= n;
    if (this.remaining > 0) {
      this.startWriteBlock();
      this.raise();
    } else {
      this.transfer = 'none';
      this.ok();
    }
  }

  /** The 512-byte IDENTIFY DEVICE block. */
  identify(): Uint8Array {
    const disk = this.disk!;
    const w = new Uint16Array(256);
    const g = disk.geometry;
    const total = Math.min(disk.sectors, 0x0fffffff);
    const str = (first: number, words: number, s: string) => {
      const padded = s.padEnd(words * 2, ' ');
      for (let i = 0; i < words; i++)
        w[first + i] = (padded.charCodeAt(2 * i) << 8) | padded.charCodeAt(2 * i + 1);
    };
    w[0] = 0x0040; // fixed disk
    w[1] = g.cylinders;
    w[3] = g.heads;
    w[6] = g.sectorsPerTrack;
    str(10, 10, 'PHANTASM0001');
    str(23, 4, '1.0');
    str(27, 20, 'PHANTASM HARDDISK');
    w[47] = 0x8000 | 16; // READ/WRITE MULTIPLE up to 16 sectors
    w[49] = 0x0200; // LBA supported
    w[53] = 0x0001; // words 54-58 valid
    w[54] = g.cylinders;
    w[55] = g.heads;
    w[56] = g.sectorsPerTrack;
    const chs = g.cylinders * g.heads * g.sectorsPerTrack;
    w[57] = chs & 0xffff;
    w[58] = chs >>> 16;
    w[59] = 0x0100 | this.multiple;
    w[60] = total & 0xffff;
    w[61] = total >>> 16;
    w[80] = 0x007e; // ATA-1 to ATA-6
    w[82] = 0x4000;
    w[83] = 0x4000;
    w[84] = 0x4000;
    const out = new Uint8Array(SECTOR);
    for (let i = 0; i < 256; i++) {
      out[2 * i] = w[i] & 0xff;
      out[2 * i + 1] = w[i] >> 8;
    }
    return out;
  }
}
