// The Malta board's devices seen from the physical bus, as Linux's Malta code reaches them: the
// GT-64120 registers and PCI configuration, the ISA window, the FPGA, PIIX4 power-off, the RTC
// update flag and the kernel loader's YAMON environment.
import { describe, expect, it } from 'vitest';
import { FPGA, FPGA_BASE } from '../../src/boards/malta/fpga.js';
import { GT, GT_BASE, INTRCAUSE_MASABORT0 } from '../../src/boards/malta/gt64120.js';
import { ISA_WINDOW } from '../../src/boards/malta/isa-window.js';
import { ENVP_PADDR, MaltaBootError, parseMipsElf } from '../../src/boards/malta/kernel-loader.js';
import {
  BOOT_ROM_BASE,
  MALTA_REVISION,
  MaltaBoard,
  NS_PER_INSTRUCTION,
} from '../../src/boards/malta/malta-board.js';
import { PIIX4_SLOT } from '../../src/boards/malta/piix4.js';
import { elf } from './helpers.js';

function board(serial?: (b: number) => void): MaltaBoard {
  return new MaltaBoard({ memoryMiB: 32, serial });
}

const gt = (b: MaltaBoard, off: number) => b.memory.read32(GT_BASE + off);
const setGt = (b: MaltaBoard, off: number, v: number) => b.memory.write32(GT_BASE + off, v);

/** A configuration read the way pci-gt64xxx_pci0.c does it: clear aborts, address, data, check. */
function configRead(b: MaltaBoard, dev: number, fn: number, reg: number): number | undefined {
  setGt(b, GT.INTRCAUSE, ~INTRCAUSE_MASABORT0 >>> 0);
  setGt(b, GT.PCI0_CFGADDR, (0x8000_0000 | (dev << 11) | (fn << 8) | reg) >>> 0);
  const value = gt(b, GT.PCI0_CFGDATA);
  return (gt(b, GT.INTRCAUSE) & INTRCAUSE_MASABORT0) !== 0 ? undefined : value;
}

function configWrite(b: MaltaBoard, dev: number, fn: number, reg: number, value: number): void {
  setGt(b, GT.PCI0_CFGADDR, (0x8000_0000 | (dev << 11) | (fn << 8) | reg) >>> 0);
  setGt(b, GT.PCI0_CFGDATA, value);
}

/** Linux's init_8259A through the ISA window: ICW1-4 with vector base 0, everything unmasked. */
function initPics(b: MaltaBoard): void {
  const out = (port: number, v: number) => b.memory.write8(ISA_WINDOW + port, v);
  for (const [cmd, data, base, icw3] of [
    [0x20, 0x21, 0x00, 0x04],
    [0xa0, 0xa1, 0x08, 0x02],
  ]) {
    out(cmd, 0x11);
    out(data, base);
    out(data, icw3);
    out(data, 0x01);
    out(data, 0x00);
  }
}

describe('GT-64120 system controller', () => {
  it('is where YAMON leaves it: registers at 0x1BE00000, PCI I/O at 0x18000000, remaps loaded', () => {
    const b = board();
    expect(gt(b, GT.ISD)).toBe(0xdf);
    expect(gt(b, GT.PCI0IOLD)).toBe(0xc0);
    expect(gt(b, GT.PCI0IOHD)).toBe(0x40);
    expect(gt(b, GT.PCI0IOREMAP)).toBe(0xc0);
    expect(gt(b, GT.PCI0M0LD)).toBe(0x80);
    expect(gt(b, GT.PCI0M0HD)).toBe(0x3f);
    expect(gt(b, GT.PCI0M1LD)).toBe(0xc1);
    expect(gt(b, GT.CPU)).toBe(0x1000);
    expect(b.gt.ioBase()).toBe(ISA_WINDOW);
    // Linux's prom_init: IOREMAP &= ~IOLD when they overlap; the register keeps what is written
    setGt(b, GT.PCI0IOREMAP, 0);
    expect(gt(b, GT.PCI0IOREMAP)).toBe(0);
    setGt(b, GT.PCI0_CMD, 0x10001);
    expect(gt(b, GT.PCI0_CMD)).toBe(0x10001);
  });

  it('reads PCI configuration of the bridge and the PIIX4 functions, with byte accesses too', () => {
    const b = board();
    expect(configRead(b, 0, 0, 0)).toBe(0x4620_11ab);
    expect(configRead(b, PIIX4_SLOT, 0, 0)).toBe(0x7110_8086);
    expect(configRead(b, PIIX4_SLOT, 0, 0x08)! >>> 8).toBe(0x060100);
    expect((configRead(b, PIIX4_SLOT, 0, 0x0c)! >>> 16) & 0xff).toBe(0x80); // multi-function
    expect(configRead(b, PIIX4_SLOT, 1, 0)).toBe(0x7111_8086);
    expect(configRead(b, PIIX4_SLOT, 3, 0)).toBe(0x7113_8086);
    expect(configRead(b, PIIX4_SLOT, 0, 0x60)).toBe(0x0b0b_0a0a); // PIRQA-D → 10, 10, 11, 11
    setGt(b, GT.PCI0_CFGADDR, 0x8000_0000 | (PIIX4_SLOT << 11));
    expect(b.memory.read16(GT_BASE + GT.PCI0_CFGADDR + 2)).toBe(0x8000);
  });

  it('flags a master abort for a function nobody answers, cleared by writing zero to the bit', () => {
    const b = board();
    expect(configRead(b, 5, 0, 0)).toBeUndefined();
    expect(configRead(b, PIIX4_SLOT, 2, 0)).toBeUndefined();
    expect(gt(b, GT.INTRCAUSE) & 1).toBe(1);
    setGt(b, GT.INTRCAUSE, ~INTRCAUSE_MASABORT0 >>> 0);
    expect(gt(b, GT.INTRCAUSE)).toBe(0);
    // bus 1 does not exist either
    setGt(b, GT.PCI0_CFGADDR, 0x8001_0000);
    expect(gt(b, GT.PCI0_CFGDATA)).toBe(0xffff_ffff);
    expect(gt(b, GT.INTRCAUSE) & INTRCAUSE_MASABORT0).not.toBe(0);
  });

  it('sizes and programs the bridge BAR 4 that Linux points at the registers', () => {
    const b = board();
    configWrite(b, 0, 0, 0x20, 0xffff_ffff);
    expect(configRead(b, 0, 0, 0x20)).toBe(0xffff_f000);
    configWrite(b, 0, 0, 0x20, GT_BASE);
    expect(configRead(b, 0, 0, 0x20)).toBe(GT_BASE);
  });

  it('answers the PCI interrupt acknowledge with the 8259 vector and lowers IP2', () => {
    const b = board();
    initPics(b);
    expect(b.cpu.causeValue() & 0x400).toBe(0);
    b.pic.setIrq(4, true);
    b.cpu.setInterruptLine(0, b.pic.hasInterrupt());
    expect(b.cpu.causeValue() & 0x400).toBe(0x400);
    expect(gt(b, GT.PCI0_IACK)).toBe(4);
    expect(b.cpu.causeValue() & 0x400).toBe(0); // in service: nothing more to deliver
  });
});

describe('the ISA window, FPGA and boot ROM', () => {
  it('puts COM1 at phys 0x180003F8 and raises IP2 through the 8259 for its interrupts', () => {
    const bytes: number[] = [];
    const b = board((x) => bytes.push(x));
    for (const ch of 'hi') b.memory.write8(ISA_WINDOW + 0x3f8, ch.charCodeAt(0));
    expect(String.fromCharCode(...bytes)).toBe('hi');
    expect(b.memory.read8(ISA_WINDOW + 0x3fd) & 0x60).toBe(0x60); // transmitter empty
    initPics(b);
    // enable RX interrupts and OUT2, then receive a byte
    b.memory.write8(ISA_WINDOW + 0x3f9, 0x01);
    b.memory.write8(ISA_WINDOW + 0x3fc, 0x08);
    b.type('x');
    expect(b.cpu.causeValue() & 0x400).toBe(0x400);
    expect(b.memory.read8(ISA_WINDOW + 0x3f8)).toBe(0x78);
  });

  it('reads ports nobody claims (and beyond 64 KiB) as all ones', () => {
    const b = board();
    expect(b.memory.read8(ISA_WINDOW + 0x2f8)).toBe(0xff);
    expect(b.memory.read32(ISA_WINDOW + 0x10000)).toBe(0xffff_ffff);
  });

  it('holds the board revision Linux reads at 0x1FC00010 (CoreLV: a GT-64120 board)', () => {
    const b = board();
    expect(b.memory.read32(BOOT_ROM_BASE + 0x10)).toBe(MALTA_REVISION);
    expect((MALTA_REVISION >>> 10) & 0x3f).toBe(1);
  });

  it('shows the ASCII display and the LED bar', () => {
    const b = board();
    'LINUX ON'.split('').forEach((c, i) => {
      b.memory.write32(FPGA_BASE + FPGA.ASCIIPOS0 + 8 * i, c.charCodeAt(0));
    });
    expect(b.fpga.displayText()).toBe('LINUX ON');
    b.memory.write32(FPGA_BASE + FPGA.ASCIIWORD, 0xdead_beef);
    expect(b.fpga.displayText()).toBe('DEADBEEF');
    b.memory.write32(FPGA_BASE + FPGA.LEDBAR, 0x5a);
    expect(b.memory.read32(FPGA_BASE + FPGA.LEDBAR)).toBe(0x5a);
  });

  it('resets the board on SOFTRES = 0x42 and ignores other values', () => {
    const b = board();
    b.memory.write32(FPGA_BASE + FPGA.SOFTRES, 0x41);
    b.cpu.jump(0x8000_0000); // RAM of zeros: NOPs
    expect(b.run({ maxInstructions: 100, stopOnReset: true }).stop).toBe('max-instructions');
    b.memory.write32(FPGA_BASE + FPGA.SOFTRES, 0x42);
    expect(b.run({ maxInstructions: 200, stopOnReset: true }).stop).toBe('reset');
  });
});

describe('PIIX4 power management', () => {
  it('powers off on PMCNTRL = SUS_EN | soft-off at the base Linux programs in PMBA', () => {
    const b = board();
    const pmcntrl = ISA_WINDOW + 0x1000 + 4;
    b.memory.write16(pmcntrl, 0x2000);
    expect(b.poweredOff).toBe(false); // PM block not enabled yet: nothing there
    // Linux's malta_piix_func3_base_fixup: PMBA = 0x1000, PMREGMISC = 1
    configWrite(b, PIIX4_SLOT, 3, 0x40, 0x1000);
    configWrite(b, PIIX4_SLOT, 3, 0x80, 0x01);
    expect(b.memory.read16(pmcntrl)).toBe(0);
    b.memory.write16(pmcntrl, (1 << 10) | 0x2000); // suspend type 1: not power-off
    expect(b.poweredOff).toBe(false);
    b.memory.write16(pmcntrl, 0x2000);
    expect(b.poweredOff).toBe(true);
    expect(b.run({ maxInstructions: 1000 }).stop).toBe('poweroff');
  });

  it('counts the PM timer at 3.58 MHz of virtual time', () => {
    const b = board();
    configWrite(b, PIIX4_SLOT, 3, 0x40, 0x1000);
    configWrite(b, PIIX4_SLOT, 3, 0x80, 0x01);
    const t0 = b.memory.read32(ISA_WINDOW + 0x1008);
    b.cpu.jump(0x8000_0000);
    b.run({ maxInstructions: 1_000_000 });
    const t1 = b.memory.read32(ISA_WINDOW + 0x1008);
    const expected = (1_000_000 * NS_PER_INSTRUCTION * 3_579_545) / 1e9;
    expect(Math.abs(t1 - t0 - expected)).toBeLessThan(2);
  });
});

describe('RTC update-in-progress', () => {
  it('rises once a second; polling register A skips time (and the CPU Count) to its edges', () => {
    const b = board();
    const regA = () => {
      b.memory.write8(ISA_WINDOW + 0x70, 0x0a);
      return b.memory.read8(ISA_WINDOW + 0x71) & 0x80;
    };
    expect(regA()).toBe(0);
    expect(regA()).toBe(0x80); // the poll: time jumped to the rising edge
    const start = b.cpu.count;
    const at = b.clock.nanos;
    expect(regA()).toBe(0); // … to the falling edge
    expect(regA()).toBe(0x80); // … to the next rising edge, one second later
    expect(b.clock.nanos - at).toBeGreaterThanOrEqual(1e9 - NS_PER_INSTRUCTION);
    expect(b.clock.nanos - at).toBeLessThanOrEqual(1e9 + NS_PER_INSTRUCTION);
    // Count runs at half the instruction rate: Linux computes 25 MHz from this
    expect(Math.abs(b.cpu.count - start - 1e9 / NS_PER_INSTRUCTION / 2)).toBeLessThanOrEqual(1);
  });
});

describe('kernel loading (QEMU -kernel convention)', () => {
  it('copies segments to physical memory, clears BSS and enters with the YAMON arguments', () => {
    const b = board();
    b.memory.ram.fill(0xaa, 0x100000, 0x100100);
    const plan = b.loadKernel({
      kernel: elf(0x8010_0000, [0x2402_0007, 0x1000_ffff, 0], 0x40),
      initrd: new Uint8Array([1, 2, 3, 4, 5]),
      cmdline: 'console=ttyS0',
      kernelName: 'vmlinux',
    });
    expect(b.memory.read32(0x100000)).toBe(0x2402_0007);
    expect(b.memory.read32(0x10000c)).toBe(0); // BSS cleared
    expect(plan.entry).toBe(0x8010_0000);
    expect(b.cpu.pc).toBe(0x8010_0000);
    // initrd near the top of low RAM (QEMU: 128 KiB gap, 64 KiB aligned)
    expect(plan.initrd).toEqual({ physical: 32 * 2 ** 20 - 0x20000, size: 5 });
    expect([...b.memory.ram.subarray(plan.initrd!.physical, plan.initrd!.physical + 5)]).toEqual([
      1, 2, 3, 4, 5,
    ]);
    const readString = (va: number) => {
      let s = '';
      for (let p = va - 0x8000_0000; b.memory.ram[p] !== 0; p++) s += String.fromCharCode(b.memory.ram[p]);
      return s;
    };
    const [a0, a1, a2, a3] = [4, 5, 6, 7].map((r) => b.cpu.r[r] >>> 0);
    expect(a0).toBe(2);
    expect(a1).toBe(0x8000_0000 + ENVP_PADDR);
    expect(a3).toBe(32 * 2 ** 20);
    const argv = [0, 1].map((i) => readString(b.memory.read32(a1 - 0x8000_0000 + 4 * i)));
    expect(argv).toEqual([
      'vmlinux',
      `rd_start=0x${(0x8000_0000 + plan.initrd!.physical).toString(16)} rd_size=5 console=ttyS0`,
    ]);
    const envp: string[] = [];
    for (let p = a2 - 0x8000_0000; b.memory.read32(p) !== 0; p += 4)
      envp.push(readString(b.memory.read32(p)));
    expect(envp).toEqual(['memsize', String(32 << 20), 'ememsize', String(32 << 20), 'modetty0', '38400n8r']);
    b.run({ maxInstructions: 10 });
    expect(b.cpu.r[2]).toBe(7);
  });

  it('passes an RNG seed as the rngseed variable in hex, as QEMU does', () => {
    const b = board();
    const plan = b.loadKernel({ kernel: elf(0x8010_0000, [0]), rngSeed: new Uint8Array([0, 1, 0xab, 0xff]) });
    expect(plan.envp.slice(-2)).toEqual(['rngseed', '0001abff']);
    expect(b.loadKernel({ kernel: elf(0x8010_0000, [0]) }).envp).not.toContain('rngseed');
  });

  it('refuses what it cannot load with a clear MaltaBootError', () => {
    expect(() => parseMipsElf(new Uint8Array(100))).toThrow(/not an ELF/);
    expect(() => parseMipsElf(elf(0x8010_0000, [0], 0, 3))).toThrow(/machine 3, not MIPS/);
    expect(() => parseMipsElf(elf(0x8010_0000, [0], 0, 8, 2))).toThrow(/big-endian/);
    expect(() => parseMipsElf(elf(0x0040_0000, [0]))).toThrow(/not in kseg0/);
    const b = board();
    expect(() => b.loadKernel({ kernel: elf(0x8010_0000, [0], 40 << 20) })).toThrow(MaltaBootError);
    expect(() =>
      b.loadKernel({ kernel: elf(0x8010_0000, [0], 30 << 20), initrd: new Uint8Array(1 << 20) }),
    ).toThrow(/does not fit/);
  });
});

describe('RTC polling skip', () => {
  it('does not skip when another register is read between reads of register A', () => {
    const b = board();
    const read = (index: number) => {
      b.memory.write8(ISA_WINDOW + 0x70, index);
      return b.memory.read8(ISA_WINDOW + 0x71);
    };
    const before = b.clock.nanos;
    for (let i = 0; i < 5; i++) {
      read(0x00); // seconds, as mc146818_avoid_UIP reads between its UIP checks
      expect(read(0x0a) & 0x80).toBe(0);
    }
    expect(b.clock.nanos - before).toBeLessThan(1e6);
  });
});

describe('bad guest accesses', () => {
  it('random reads and writes of every size across the device windows never throw', () => {
    const b = board();
    let seed = 12345;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const windows = [
      [ISA_WINDOW, 0x20_0000],
      [GT_BASE, 0x1000],
      [FPGA_BASE, 0x1000],
      [BOOT_ROM_BASE, 0x40_0000],
    ];
    const sizes = [1, 2, 4] as const;
    for (let i = 0; i < 20_000; i++) {
      const [base, size] = windows[rand() % windows.length];
      // mostly the interesting low offsets, sometimes anywhere in the window
      const offset = rand() % (rand() % 4 === 0 ? size : 0x1100);
      const width = sizes[rand() % 3];
      const at = base + Math.min(offset, size - width);
      if (rand() & 1) {
        const v = rand();
        if (width === 1) b.memory.write8(at, v & 0xff);
        else if (width === 2) b.memory.write16(at, v & 0xffff);
        else b.memory.write32(at, v);
      } else if (width === 1) b.memory.read8(at);
      else if (width === 2) b.memory.read16(at);
      else b.memory.read32(at);
    }
    expect(b.run({ maxInstructions: 1000, stopOnReset: true }).stop).toMatch(
      /poweroff|reset|max-instructions/,
    );
  });
});

describe('device records', () => {
  it('GT-64120, FPGA and PIIX4 power management save and load their state; damage is refused', () => {
    const a = board();
    setGt(a, GT.PCI0IOREMAP, 0);
    setGt(a, GT.INTRMASK, 0x1234);
    a.memory.write32(FPGA_BASE + FPGA.ASCIIWORD, 0x1234_abcd);
    a.memory.write32(FPGA_BASE + FPGA.LEDBAR, 0x81);
    a.power.pmen = 0x0100;
    const b = board();
    b.gt.load(a.gt.save());
    b.fpga.load(a.fpga.save());
    b.power.load(a.power.save());
    expect(gt(b, GT.PCI0IOREMAP)).toBe(0);
    expect(gt(b, GT.INTRMASK)).toBe(0x1234);
    expect(b.fpga.displayText()).toBe('1234ABCD');
    expect(b.memory.read32(FPGA_BASE + FPGA.LEDBAR)).toBe(0x81);
    expect(b.power.pmen).toBe(0x0100);
    expect(() => b.gt.load({ version: 1, regs: 'AAAA' })).toThrow(/gt64120/);
    expect(() => b.fpga.load({ version: 2 })).toThrow(/fpga/);
    expect(gt(b, GT.INTRMASK)).toBe(0x1234); // a refused record changes nothing
  });
});
