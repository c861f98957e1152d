// 82077AA floppy disk controller (0x3F0-0x3F5, 0x3F7; IRQ6; DMA channel 2) with up to two
// drives. Enough of the command set for a BIOS: specify, sense interrupt, recalibrate, seek,
// read/write data (DMA), read ID, sense drive status, version, configure, lock, dumpreg.

import { type DiskImage, SECTOR } from './disk-image.js';
import type { Dma8237 } from './dma8237.js';
import { type DeviceRecord, DeviceStateError, RecordReader, type SavableDevice } from './state.js';
import { type IrqSink, type PortDevice, pulseIrq } from './types.js';

/** Total command length (opcode included) by the opcode's low five bits. */
const COMMAND_LENGTH: Record<number, number> = {
  3: 3, // specify
  4: 2, // sense drive status
  5: 9, // write data
  6: 9, // read data
  7: 2, // recalibrate
  8: 1, // sense interrupt status
  10: 2, // read ID
  13: 6, // format track
  14: 1, // dumpreg
  15: 3, // seek
  16: 1, // version
  18: 2, // perpendicular mode
  19: 4, // configure
  20: 1, // lock / unlock
};

const DMA_CHANNEL = 2;

export class FloppyController implements PortDevice, SavableDevice {
  dor = 0x0c; // not in reset, DMA enabled
  private cylinder = [0, 0];
  private command: number[] = [];
  private result: number[] = [];
  /** Pending sense-interrupt answers (ST0, PCN) after reset, seek or recalibrate. */
  private senses: [number, number][] = [];
  private lockBit = false;
  /** Selected data rate (CCR/DSR); stored for completeness, transfers are instant. */
  dataRate = 0;
  private specify = [0, 0];
  private changed = [true, true];

  constructor(
    private readonly irq: IrqSink,
    private readonly dma: Dma8237,
    readonly drives: [DiskImage | undefined, DiskImage | undefined],
  ) {}

  save(): DeviceRecord {
    return {
      version: 1,
      dor: this.dor,
      cylinder: [...this.cylinder],
      command: [...this.command],
      result: [...this.result],
      senses: this.senses.map((s) => [...s]),
      lockBit: this.lockBit,
      dataRate: this.dataRate,
      specify: [...this.specify],
      changed: [...this.changed],
    };
  }

  /** A command half received or a result half read resumes where it was (transfers are instant). */
  load(record: DeviceRecord): void {
    const r = new RecordReader('fdc', record, [1]);
    const senses = r.intLists('senses', 2, 0, 0xff);
    const changed = r.bools('changed', 2);
    const v = {
      dor: r.int('dor', 0, 0xff),
      cylinder: r.ints('cylinder', 2),
      command: r.ints('command', undefined),
      result: r.ints('result', undefined),
      lockBit: r.bool('lockBit'),
      dataRate: r.int('dataRate', 0, 3),
      specify: r.ints('specify', 2),
    };
    if (v.command.length >= 9 || v.result.length > 10) {
      throw new DeviceStateError('fdc', 'a command or result longer than any the controller has');
    }
    Object.assign(this, v);
    this.senses = senses.map((p) => [p[0], p[1]] as [number, number]);
    this.changed = changed;
  }

  private msr(): number {
    if (this.result.length > 0) return 0xd0; // RQM, DIO (to CPU), busy
    return this.command.length > 0 ? 0x90 : 0x80;
  }

  read(port: number): number {
    switch (port) {
      case 0x3f0:
      case 0x3f1:
        return 0xff;
      case 0x3f2:
        return this.dor;
      case 0x3f3:
        return 0;
      case 0x3f4:
        return this.msr();
      case 0x3f5: {
        const v = this.result.shift();
        return v ?? 0xff;
      }
      case 0x3f7: {
        const drive = this.dor & 1;
        return this.changed[drive] ? 0x80 : 0;
      }
      default:
        return 0xff;
    }
  }

  write(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    switch (port) {
      case 0x3f2: {
        const wasReset = !(this.dor & 4);
        this.dor = value;
        if (wasReset && value & 4) this.reset();
        break;
      }
      case 0x3f4:
        if (value & 0x80) this.reset();
        this.dataRate = value & 3;
        break;
      case 0x3f5:
        this.commandByte(value);
        break;
      case 0x3f7:
        this.dataRate = value & 3;
        break;
    }
  }

  private reset(): void {
    this.command = [];
    this.result = [];
    this.senses = [0, 1, 2, 3].map((d) => [0xc0 | d, 0]);
    pulseIrq(this.irq, 6);
  }

  private commandByte(value: number): void {
    if (this.result.length > 0) return;
    this.command.push(value);
    const op = this.command[0] & 0x1f;
    const length = COMMAND_LENGTH[op] ?? 1;
    if (this.command.length < length) return;
    const cmd = this.command;
    this.command = [];
    this.execute(cmd);
  }

  private execute(cmd: number[]): void {
    const op = cmd[0] & 0x1f;
    const drive = (cmd[1] ?? 0) & 1;
    switch (op) {
      case 0x03:
        this.specify = [cmd[1], cmd[2]];
        return;
      case 0x04: {
        const head = (cmd[1] >> 2) & 1;
        const wp = 0; // images are writable
        this.result = [0x20 | (this.cylinder[drive] === 0 ? 0x10 : 0) | 0x08 | (head << 2) | drive | wp];
        return;
      }
      case 0x07:
        this.seekTo(drive, 0);
        return;
      case 0x0f:
        this.seekTo(drive, cmd[2]);
        return;
      case 0x08: {
        const s = this.senses.shift();
        this.result = s ? [s[0], s[1]] : [0x80];
        return;
      }
      case 0x05:
      case 0x06:
        this.transfer(cmd, op === 0x06);
        return;
      case 0x0a: {
        const head = (cmd[1] >> 2) & 1;
        const disk = this.drives[drive];
        if (!disk) {
          this.finish([0x40 | (head << 2) | drive, 0x01, 0, 0, 0, 0, 2]);
          return;
        }
        this.finish([(head << 2) | drive, 0, 0, this.cylinder[drive], head, 1, 2]);
        return;
      }
      case 0x0e:
        this.result = [
          this.cylinder[0],
          this.cylinder[1],
          0,
          0,
          this.specify[0],
          this.specify[1],
          0,
          0,
          this.lockBit ? 0x80 : 0,
          0,
        ];
        return;
      case 0x10:
        this.result = [0x90];
        return;
      case 0x14:
        this.lockBit = (cmd[0] & 0x80) !== 0;
        this.result = [this.lockBit ? 0x10 : 0];
        return;
      case 0x12:
      case 0x13:
        return;
      case 0x0d: {
        this.finish([0x40 | drive, 0x02, 0, 0, 0, 0, 2]);
        return;
      } // format: write protected
      default:
        this.result = [0x80]; // invalid command
    }
  }

  private seekTo(drive: number, cyl: number): void {
    this.cylinder[drive] = cyl;
    if (this.drives[drive]) this.changed[drive] = false;
    this.senses.push([0x20 | drive, cyl]);
    pulseIrq(this.irq, 6);
  }

  private finish(result: number[]): void {
    this.result = result;
    pulseIrq(this.irq, 6);
  }

  /** READ DATA / WRITE DATA through DMA channel 2, sector by sector until TC or end of track. */
  private transfer(cmd: number[], isRead: boolean): void {
    const drive = cmd[1] & 1;
    const head = (cmd[1] >> 2) & 1;
    let c = cmd[2];
    let h = cmd[3];
    let r = cmd[4];
    const n = cmd[5];
    const eot = cmd[6];
    const multiTrack = (cmd[0] & 0x80) !== 0;
    const disk = this.drives[drive];
    const st0Base = (head << 2) | drive;
    if (!disk) {
      this.finish([0x40 | 0x08 | st0Base, 0, 0, c, h, r, n]);
      return;
    } // not ready
    if (n !== 2) {
      this.finish([0x40 | st0Base, 0x04, 0, c, h, r, n]);
      return;
    } // only 512-byte sectors
    for (;;) {
      const lba = disk.chsToLba(c, h, r);
      if (lba < 0) {
        this.finish([0x40 | st0Base, 0x04, 0, c, h, r, n]);
        return;
      } // no data
      if (isRead) {
        if (this.dma.toMemory(DMA_CHANNEL, disk.read(lba, 1)) < SECTOR) break;
      } else {
        const data = this.dma.fromMemory(DMA_CHANNEL, SECTOR);
        if (data.length < SECTOR) break;
        disk.write(lba, data);
      }
      // next sector; past the end of track, continue on head 1 with MT, else stop
      const tc = this.dma.available(DMA_CHANNEL) === 0;
      if (r < eot) r++;
      else if (multiTrack && h === 0) {
        r = 1;
        h = 1;
      } else {
        r = 1;
        c++;
        if (multiTrack) h = 0;
        if (!tc) {
          this.finish([0x40 | st0Base, 0x80, 0, c, h, r, n]);
          return;
        } // end of cylinder
        break;
      }
      if (tc) break;
    }
    this.cylinder[drive] = cmd[2];
    this.finish([st0Base, 0, 0, c, h, r, n]);
  }
}
