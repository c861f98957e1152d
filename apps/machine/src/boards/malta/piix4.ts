// The Malta board's PCI functions (the GT-64120 itself at 00.0 and the PIIX4 south bridge at
// slot 10) and the PIIX4 power-management block: PMSTS, PMEN, PMCNTRL and the PM timer at the
// I/O base the guest programs in function 3's PMBA (Linux's Malta fixup puts it at 0x1000).
// Writing PMCNTRL with SUS_EN and the soft-off suspend type powers the board off.
import type { PciFunction, PciFunctionSpec } from '../../devices/pci.js';
import { type DeviceRecord, RecordReader, type SavableDevice } from '../../devices/state.js';
import type { PortDevice } from '../../devices/types.js';

export const PIIX4_SLOT = 10;
/** Function 3 registers: PMBA (PM I/O base, bit 0 = I/O) and PMREGMISC (bit 0 enables it). */
const PMBA = 0x40;
const PMREGMISC = 0x80;
/** PM block size in ports. */
export const PM_SIZE = 64;
const PMCNTRL_SUS_EN = 1 << 13;
const PMCNTRL_SUS_TYP_SHIFT = 10;
/** The ACPI PM timer counts at 3.579545 MHz, 24 bits wide. */
const PM_TIMER_HZ = 3_579_545;

export function maltaPciFunctions(): PciFunctionSpec[] {
  return [
    {
      // GT-64120 as seen from PCI: a host bridge (Linux points its BAR 4 at the registers)
      device: 0,
      function: 0,
      vendorId: 0x11ab,
      deviceId: 0x4620,
      revision: 0x10,
      classCode: 0x060000,
      bars: [{ index: 4, size: 0x1000, io: false }],
    },
    {
      device: PIIX4_SLOT,
      function: 0,
      vendorId: 0x8086,
      deviceId: 0x7110,
      classCode: 0x060100,
      headerType: 0x80,
      writable: [[0x40, 0xff]],
      // PIRQA-D routed to IRQ 10, 10, 11, 11 (QEMU's Malta; Linux reads them for its PCI IRQs)
      initial: [
        [0x60, 10],
        [0x61, 10],
        [0x62, 11],
        [0x63, 11],
      ],
    },
    {
      device: PIIX4_SLOT,
      function: 1,
      vendorId: 0x8086,
      deviceId: 0x7111,
      classCode: 0x010180, // IDE, legacy mode (no drives behind it)
      bars: [{ index: 4, size: 16, io: true }],
      writable: [[0x40, 0x4f]],
    },
    {
      device: PIIX4_SLOT,
      function: 3,
      vendorId: 0x8086,
      deviceId: 0x7113,
      revision: 0x03,
      classCode: 0x068000,
      writable: [[0x40, 0xff]],
      initial: [
        [PMBA, 0x01], // I/O space indicator
        [0x90, 0x01],
      ],
    },
  ];
}

export class Piix4Power implements PortDevice, SavableDevice {
  pmsts = 0;
  pmen = 0;
  pmcntrl = 0;

  constructor(
    /** PIIX4 function 3's configuration space. */
    private readonly config: PciFunction,
    /** Virtual time in nanoseconds (for the PM timer). */
    private readonly nanos: () => number,
    private readonly onPowerOff: () => void,
  ) {}

  /** The PM block's I/O base, or -1 while PMREGMISC leaves it disabled. */
  base(): number {
    if ((this.config.read(PMREGMISC, 1) & 1) === 0) return -1;
    return this.config.read(PMBA, 2) & 0xffc0;
  }

  save(): DeviceRecord {
    return { version: 1, pmsts: this.pmsts, pmen: this.pmen, pmcntrl: this.pmcntrl };
  }

  load(record: DeviceRecord): void {
    const r = new RecordReader('piix4-pm', record, [1]);
    const v = {
      pmsts: r.int('pmsts', 0, 0xffff),
      pmen: r.int('pmen', 0, 0xffff),
      pmcntrl: r.int('pmcntrl', 0, 0xffff),
    };
    Object.assign(this, v);
  }

  /** `port` is the offset in the PM block. */
  read(port: number, size: 1 | 2 | 4): number {
    const word = port & ~1;
    let value: number;
    if (port >= 8 && port < 12) {
      value = Math.floor((this.nanos() * PM_TIMER_HZ) / 1e9) & 0xff_ffff;
      return (value >>> ((port - 8) * 8)) & (size === 4 ? 0xffff_ffff : size === 2 ? 0xffff : 0xff);
    }
    if (word === 0) value = this.pmsts;
    else if (word === 2) value = this.pmen;
    else if (word === 4) value = this.pmcntrl;
    else return size === 4 ? 0xffff_ffff : size === 2 ? 0xffff : 0xff;
    return size === 1 ? (value >>> ((port & 1) * 8)) & 0xff : value;
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    if (size === 1) value = (value & 0xff) << ((port & 1) * 8);
    value &= 0xffff;
    switch (port & ~1) {
      case 0:
        this.pmsts &= ~value; // write one to clear
        return;
      case 2:
        this.pmen = value;
        return;
      case 4:
        this.pmcntrl = value & ~PMCNTRL_SUS_EN; // SUS_EN reads back as zero
        if (value & PMCNTRL_SUS_EN && ((value >>> PMCNTRL_SUS_TYP_SHIFT) & 7) === 0) this.onPowerOff();
        return;
    }
  }
}
