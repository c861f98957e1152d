// The Phantasm paravirtual firmware interface (ports 0x580-0x593), used by the built-in BIOS
// instead of programming the FDC and ATA controllers: whole-sector transfers straight into
// guest memory, drive geometry queries, and a hint that the BIOS is waiting for a key.
// Register map (16-bit ports):
//   0x580 drive (00h/01h floppy A/B, 80h/81h hard disk)   0x582/0x584 LBA low/high
//   0x586 sector count   0x588/0x58A buffer offset/segment
//   0x58C write: command (1 read, 2 write); read: status (0 ok, 1 no drive, 2 out of range)
//   0x58E write: info index; read: value (0 present, 1 cylinders, 2 heads, 3 sectors/track,
//         4/5 total sectors low/high word, 6 BIOS floppy type)
//   0x590 write: 1 = waiting in int 16h for a key, 2 = int 16h polled an empty buffer
//   0x592 read: floppy drives (low byte), hard disks (high byte)
import { type DiskImage, SECTOR } from './disk-image.js';
import { type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import type { PortDevice } from './types.js';

export const PV_BASE = 0x580;
export const PV_LAST = 0x593;

export const PV_STATUS_OK = 0;
export const PV_STATUS_NO_DRIVE = 1;
export const PV_STATUS_RANGE = 2;

export interface PvMemory {
  readonly ram: Uint8Array;
  readonly ramSize: number;
}

/** BIOS floppy type codes (int 13h AH=08h BL) by CMOS type. */
const BIOS_FLOPPY_TYPE = [0, 1, 2, 3, 4, 6];

export class PvFirmware implements PortDevice, SavableDevice {
  private readonly regs = new Uint16Array(10);
  private status = 0;
  private infoIndex = 0;
  /** Called with 1 (blocking wait) or 2 (empty poll) when the BIOS looks for a key. */
  onKeyboardWait: (kind: number) => void = () => {};

  constructor(
    private readonly memory: PvMemory,
    readonly floppies: (DiskImage | undefined)[],
    readonly disks: (DiskImage | undefined)[],
  ) {}

  save(): DeviceRecord {
    return { version: 1, regs: [...this.regs], status: this.status, infoIndex: this.infoIndex };
  }

  load(record: DeviceRecord): void {
    const r = new RecordReader('pv-firmware', record, [1]);
    const regs = r.ints('regs', 10, 0, 0xffff);
    const status = r.int('status', 0, 0xffff);
    this.infoIndex = r.int('infoIndex', 0, 0xffff);
    this.regs.set(regs);
    this.status = status;
  }

  private drive(): DiskImage | undefined {
    const d = this.regs[0] & 0xff;
    return d & 0x80 ? this.disks[d & 0x7f] : this.floppies[d];
  }

  read(port: number): number {
    switch (port) {
      case 0x58c:
        return this.status;
      case 0x58e:
        return this.info();
      case 0x592:
        return this.floppies.filter(Boolean).length | (this.disks.filter(Boolean).length << 8);
      default:
        return port < 0x58c ? this.regs[(port - PV_BASE) >> 1] : 0;
    }
  }

  write(port: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xffff;
    if (port < 0x58c) this.regs[(port - PV_BASE) >> 1] = value;
    else if (port === 0x58c) this.status = this.command(value);
    else if (port === 0x58e) this.infoIndex = value;
    else if (port === 0x590) this.onKeyboardWait(value & 0xff);
  }

  private info(): number {
    const disk = this.drive();
    if (!disk) return 0;
    const g = disk.geometry;
    switch (this.infoIndex) {
      case 0:
        return 1;
      case 1:
        return g.cylinders;
      case 2:
        return g.heads;
      case 3:
        return g.sectorsPerTrack;
      case 4:
        return disk.sectors & 0xffff;
      case 5:
        return (disk.sectors >>> 16) & 0xffff;
      case 6:
        return BIOS_FLOPPY_TYPE[disk.cmosType] ?? 0;
      default:
        return 0;
    }
  }

  /** Whole-sector transfer between the disk and guest RAM at segment:offset. */
  private command(cmd: number): number {
    const disk = this.drive();
    if (!disk) return PV_STATUS_NO_DRIVE;
    const lba = this.regs[1] | (this.regs[2] << 16);
    const count = this.regs[3];
    const addr = this.regs[5] * 16 + this.regs[4];
    const bytes = count * SECTOR;
    if (!disk.inRange(lba, count) || addr + bytes > this.memory.ramSize) return PV_STATUS_RANGE;
    if (cmd === 1) this.memory.ram.set(disk.read(lba, count), addr);
    else if (cmd === 2) disk.write(lba, this.memory.ram.subarray(addr, addr + bytes));
    else return PV_STATUS_RANGE;
    return PV_STATUS_OK;
  }
}
