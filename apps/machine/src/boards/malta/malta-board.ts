// The MIPS Malta board (QEMU's "malta" machine as Linux sees it): RAM at 0, a 24K-class
// cpu-mips32, the GT-64120 system controller whose PCI I/O window at phys 0x18000000 carries
// the PIIX4's ISA ports (8259 pair → CPU IP2, 8254 PIT, MC146818 RTC, 8042, the COM1 16550 at
// port 0x3F8, PIIX4 power management), the FPGA registers, and the boot ROM whose word at
// 0x1FC00010 is the board revision. Virtual time follows retired instructions
// (NS_PER_INSTRUCTION) and skips ahead while the CPU waits, so runs are deterministic.
import { MipsCpu } from '@phantasm/cpu-mips32';
import { PhysicalMemory } from '@phantasm/mmu';
import { VirtualClock } from '../../devices/clock.js';
import { CmosRtc } from '../../devices/cmos-rtc.js';
import { I8042 } from '../../devices/i8042.js';
import { IoPortBus } from '../../devices/io-bus.js';
import { PciHost } from '../../devices/pci.js';
import { DualPic } from '../../devices/pic8259.js';
import { Pit8254 } from '../../devices/pit8254.js';
import { RomDevice } from '../../devices/rom.js';
import { DeviceConfigError, type IrqSink, type PortDevice } from '../../devices/types.js';
import { Uart16550 } from '../../devices/uart16550.js';
import { FPGA_BASE, FPGA_SIZE, MaltaFpga } from './fpga.js';
import { GT_BASE, GT_SIZE, Gt64120 } from './gt64120.js';
import { ISA_WINDOW, ISA_WINDOW_SIZE, IsaWindow } from './isa-window.js';
import { type BootPlan, LOW_RAM_LIMIT, type LoadOptions, loadMaltaKernel } from './kernel-loader.js';
import { maltaPciFunctions, PIIX4_SLOT, Piix4Power, PM_SIZE } from './piix4.js';

const MIB = 1 << 20;
/** Virtual time per retired instruction: a 50 MIPS machine, Count (every 2nd instruction) at 25 MHz. */
export const NS_PER_INSTRUCTION = 20;
export const BOOT_ROM_BASE = 0x1fc0_0000;
const BOOT_ROM_SIZE = 0x40_0000;
/** Board revision word (ROM offset 0x10): core card CoreLV (→ GT-64120 system controller), as QEMU. */
export const MALTA_REVISION = 0x0000_0420;
/** CPU interrupt line (0 = IP2) the 8259 pair's INT output drives. */
const PIC_LINE = 0;
/** Serial output kept for `untilSerial` (the tail of the console). */
const SERIAL_TAIL = 64 * 1024;

export interface MaltaBoardOptions {
  /** RAM in MiB (default 128; 16 to 256, the low RAM Malta's kseg0 reaches). */
  memoryMiB?: number;
  /** COM1 (ttyS0) output. */
  serial?: (byte: number) => void;
  /** RTC time at power-on (default 2000-01-01 00:00:00 UTC, for determinism). */
  startTime?: Date;
  /** The processor: '4Kc' (default, no FPU, what Debian's 4kc-malta kernel expects) or '24Kf' (with the FPU). */
  cpu?: '4Kc' | '24Kf';
  /** Run hot code as compiled blocks (default true); false keeps cpu-mips32's plain interpreter. */
  fastPath?: boolean;
}

export type MaltaStop = 'poweroff' | 'reset' | 'serial' | 'max-instructions' | 'timeout';

export interface MaltaRunOptions {
  /** Stop after this many instructions (counted from power-on). */
  maxInstructions?: number;
  /** Wall-clock limit in milliseconds. */
  timeoutMs?: number;
  /** Stop with 'serial' once the serial output since the run began contains this text. */
  untilSerial?: string;
  /** Instructions per slice between device updates (default 8192). */
  slice?: number;
  /** Stop with 'reset' when the guest resets the board (default: reset and boot the kernel again). */
  stopOnReset?: boolean;
}

export interface MaltaRunResult {
  stop: MaltaStop;
  instructions: number;
  wallMs: number;
  virtualSeconds: number;
}

export class MaltaBoard {
  readonly memory: PhysicalMemory;
  readonly cpu: MipsCpu;
  readonly io = new IoPortBus();
  readonly clock = new VirtualClock();
  readonly pic = new DualPic();
  readonly pit: Pit8254;
  readonly cmos: CmosRtc;
  readonly uart: Uart16550;
  readonly kbc: I8042;
  readonly pci: PciHost;
  readonly gt: Gt64120;
  readonly fpga: MaltaFpga;
  readonly power: Piix4Power;
  readonly memoryMiB: number;
  /** Set by a PIIX4 soft-off; the board stays off until reset. */
  poweredOff = false;
  /** Reboots (SOFTRES, 8042 reset) so far. */
  resets = 0;
  private resetPending = false;
  private boot: LoadOptions | undefined;
  /** cpu.cycles already turned into virtual time. */
  private accounted = 0;
  /** The last value a read of RTC register A returned, while the guest polls it (-1: not polling). */
  private lastRegisterA = -1;
  private serialTail = '';
  private readonly serialSink: (byte: number) => void;

  constructor(options: MaltaBoardOptions = {}) {
    const mib = options.memoryMiB ?? 128;
    if (!Number.isInteger(mib) || mib < 16 || mib > LOW_RAM_LIMIT / MIB) {
      throw new DeviceConfigError(`memory ${mib} MiB: choose a whole number from 16 to 256`);
    }
    this.memoryMiB = mib;
    this.memory = new PhysicalMemory({ ramSize: mib * MIB });
    this.serialSink = options.serial ?? (() => {});
    const irq: IrqSink = {
      setIrq: (line, level) => {
        this.pic.setIrq(line, level);
        this.syncInterrupt();
      },
    };
    this.pit = new Pit8254(this.clock, irq);
    this.cmos = new CmosRtc(
      this.clock,
      { ramBytes: mib * MIB, floppyTypes: [0, 0], startTime: options.startTime, updateInProgress: true },
      irq,
    );
    this.uart = new Uart16550(0x3f8, 4, irq, (byte) => this.serialOut(byte));
    this.kbc = new I8042(irq, { onReset: () => this.requestReset() });
    this.pci = new PciHost(maltaPciFunctions());
    this.gt = new Gt64120({
      pci: this.pci,
      acknowledge: () => {
        const vector = this.pic.acknowledge();
        this.syncInterrupt();
        return vector;
      },
    });
    this.fpga = new MaltaFpga(() => this.requestReset());
    const pmConfig = this.pci.fn(PIIX4_SLOT, 3);
    if (!pmConfig) throw new DeviceConfigError('Malta: no PIIX4 function 3');
    this.power = new Piix4Power(
      pmConfig,
      () => this.clock.nanos,
      () => this.powerOff(),
    );
    this.wirePorts();
    this.mapDevices();
    this.cpu = new MipsCpu({ memory: this.memory, model: options.cpu, fastPath: options.fastPath ?? true });
  }

  private wirePorts(): void {
    const io = this.io;
    const rtc: PortDevice = {
      read: (port) => this.readRtc(port),
      write: (port, size, value) => {
        if (port === 0x71) this.lastRegisterA = -1;
        this.cmos.write(port, size, value);
      },
    };
    io.register('pic-master', 0x20, 0x21, this.pic);
    io.register('pit', 0x40, 0x43, this.pit);
    io.register('kbc-data', 0x60, 0x60, this.kbc);
    io.register('port61', 0x61, 0x61, this.pit);
    io.register('kbc-cmd', 0x64, 0x64, this.kbc);
    io.register('rtc', 0x70, 0x71, rtc);
    io.register('pic-slave', 0xa0, 0xa1, this.pic);
    io.register('com1', 0x3f8, 0x3ff, this.uart);
    io.register('elcr', 0x4d0, 0x4d1, this.pic);
  }

  private mapDevices(): void {
    // PCI I/O: the PIIX4 power-management block sits wherever function 3's PMBA puts it
    const ports: PortDevice = {
      read: (port, size) => {
        const pm = this.power.base();
        return pm >= 0 && port - pm >= 0 && port - pm < PM_SIZE
          ? this.power.read(port - pm, size)
          : this.io.read(port, size);
      },
      write: (port, size, value) => {
        const pm = this.power.base();
        if (pm >= 0 && port - pm >= 0 && port - pm < PM_SIZE) this.power.write(port - pm, size, value);
        else this.io.write(port, size, value);
      },
    };
    const window = new IsaWindow(ports, {
      before: (port) => {
        this.syncClock();
        if (port !== 0x70 && port !== 0x71) this.lastRegisterA = -1;
      },
      after: () => this.syncInterrupt(),
    });
    this.memory.mapMmio(ISA_WINDOW, ISA_WINDOW_SIZE, window);
    this.memory.mapMmio(GT_BASE, GT_SIZE, this.gt);
    this.memory.mapMmio(FPGA_BASE, FPGA_SIZE, this.fpga);
    const rom = new Uint8Array(BOOT_ROM_SIZE).fill(0xff);
    new DataView(rom.buffer).setUint32(0x10, MALTA_REVISION, true);
    this.memory.mapMmio(BOOT_ROM_BASE, BOOT_ROM_SIZE, new RomDevice(rom));
  }

  /**
   * Load a kernel (and initrd) as QEMU's -kernel does and start the CPU at its entry with the
   * YAMON arguments in a0-a3. The images are kept: a reset boots them again.
   */
  loadKernel(options: LoadOptions): BootPlan {
    const plan = loadMaltaKernel(this.memory.ram, options);
    this.boot = options;
    this.enter(plan);
    return plan;
  }

  private enter(plan: BootPlan): void {
    const cpu = this.cpu;
    cpu.reset();
    cpu.flushTranslations();
    const { a0, a1, a2, a3, sp } = plan.registers;
    cpu.r[4] = a0;
    cpu.r[5] = a1;
    cpu.r[6] = a2;
    cpu.r[7] = a3;
    cpu.r[29] = sp;
    cpu.jump(plan.entry);
  }

  private requestReset(): void {
    this.resetPending = true;
    this.cpu?.requestStop('reset');
  }

  private powerOff(): void {
    this.poweredOff = true;
    this.cpu.requestStop('breakpoint');
  }

  /** Board reset: controller and CPU to power-on state, the kernel loaded and entered again. */
  reset(): void {
    this.resets++;
    this.resetPending = false;
    this.poweredOff = false;
    this.gt.reset();
    if (this.boot) this.enter(loadMaltaKernel(this.memory.ram, this.boot));
    else this.cpu.reset();
  }

  /** Text typed on the serial console (received by COM1 at once). */
  type(text: string): void {
    this.uart.receive(new TextEncoder().encode(text));
    this.syncInterrupt();
  }

  /** The last 64 KiB of serial output. */
  serialText(): string {
    return this.serialTail;
  }

  private serialOut(byte: number): void {
    this.serialTail += String.fromCharCode(byte);
    if (this.serialTail.length > 2 * SERIAL_TAIL) this.serialTail = this.serialTail.slice(-SERIAL_TAIL);
    this.serialSink(byte);
  }

  /** Bring virtual time up to the instructions retired so far. */
  private syncClock(): void {
    const cycles = this.cpu.cycles;
    if (cycles !== this.accounted) {
      this.clock.advance((cycles - this.accounted) * NS_PER_INSTRUCTION);
      this.accounted = cycles;
    }
  }

  private syncInterrupt(): void {
    this.cpu?.setInterruptLine(PIC_LINE, this.pic.hasInterrupt());
  }

  /**
   * RTC port reads. A guest polling register A for the update-in-progress edge (Linux's Malta
   * timer calibration) would spin for up to a second of virtual time: a second identical read in
   * a row (only index writes between) skips time (instructions and Count with it) to the next
   * UIP change instead.
   */
  private readRtc(port: number): number {
    let value = this.cmos.read(port);
    if (port !== 0x71) return value;
    if (this.cmos.index !== 0x0a) {
      this.lastRegisterA = -1; // another register read between: not a tight poll of A
      return value;
    }
    if (value === this.lastRegisterA) {
      const change = this.cmos.nextUipChangeNs();
      if (change !== undefined) {
        this.cpu.cycles += Math.ceil((change - this.clock.nanos) / NS_PER_INSTRUCTION);
        this.syncClock();
        value = this.cmos.read(port);
      }
    }
    this.lastRegisterA = value;
    return value;
  }

  /** Run until power-off, the serial text, or a limit. */
  run(options: MaltaRunOptions = {}): MaltaRunResult {
    const start = performance.now();
    const slice = options.slice ?? 8192;
    const max = options.maxInstructions ?? Number.POSITIVE_INFINITY;
    const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : start + options.timeoutMs;
    const cpu = this.cpu;
    const serialFrom = this.serialTail.length;
    let stop: MaltaStop | undefined = this.poweredOff ? 'poweroff' : undefined;
    let slices = 0;
    while (stop === undefined) {
      this.syncClock();
      this.pit.update();
      this.cmos.update();
      this.syncInterrupt();
      const budget = Math.min(slice, max - cpu.cycles);
      const reason = budget > 0 ? cpu.run(budget) : 'budget';
      this.syncClock();
      if (this.poweredOff) stop = 'poweroff';
      else if (this.resetPending || reason === 'reset') {
        if (options.stopOnReset) {
          this.resetPending = false;
          stop = 'reset';
        } else this.reset();
      }
      if (stop === undefined && cpu.cycles >= max) stop = 'max-instructions';
      if (
        stop === undefined &&
        options.untilSerial !== undefined &&
        this.serialSeen(options.untilSerial, serialFrom)
      ) {
        stop = 'serial';
      }
      if (stop === undefined && (++slices & 15) === 0 && performance.now() > deadline) stop = 'timeout';
    }
    return {
      stop,
      instructions: cpu.cycles,
      wallMs: performance.now() - start,
      virtualSeconds: this.clock.nanos / 1e9,
    };
  }

  private serialSeen(text: string, from: number): boolean {
    const tail = this.serialTail;
    // the tail may have been trimmed since the run began: then search all of it
    const at = from <= tail.length ? Math.max(0, from - text.length) : 0;
    return tail.indexOf(text, at) >= 0;
  }
}
