// The PC board: RAM, an IA-32 CPU, the ISA/PCI devices of QEMU's "pc" machine, and firmware.
// `run()` steps the CPU in slices; virtual time advances with retired instructions (and jumps
// to the next timer interrupt while the CPU idles in HLT), so every run is deterministic. The
// CPU's time-stamp counter counts that virtual time.
import { Cpu, type CpuOptions, type CpuState, IA32_WASM_TABLE_BYTES } from '@phantasm/cpu-ia32';
import { MmioOverlapError, PhysicalMemory } from '@phantasm/mmu';
import { AtaChannel } from '../../devices/ata.js';
import { VirtualClock } from '../../devices/clock.js';
import { CmosRtc } from '../../devices/cmos-rtc.js';
import { DebugConsole, DebugExit } from '../../devices/debug-ports.js';
import type { DiskImage } from '../../devices/disk-image.js';
import { Dma8237 } from '../../devices/dma8237.js';
import { FloppyController } from '../../devices/fdc.js';
import { FW_CFG_MAX_CPUS, FW_CFG_NB_CPUS, FW_CFG_RAM_SIZE, FwCfg } from '../../devices/fw-cfg.js';
import { I8042 } from '../../devices/i8042.js';
import { IoPortBus } from '../../devices/io-bus.js';
import { LOCAL_APIC_BASE, LOCAL_APIC_SIZE, LocalApic } from '../../devices/local-apic.js';
import {
  PcTestdev,
  TESTDEV_IOMEM_BASE,
  TESTDEV_IOMEM_SIZE,
  TESTDEV_IRQ_LINES,
  TESTDEV_IRQ_PORT,
} from '../../devices/pc-testdev.js';
import { i440fxFunctions, PciHost, stdVgaFunction } from '../../devices/pci.js';
import { DualPic } from '../../devices/pic8259.js';
import { Pit8254 } from '../../devices/pit8254.js';
import { FastA20Port } from '../../devices/port92.js';
import { PV_BASE, PV_LAST, PvFirmware } from '../../devices/pv-firmware.js';
import { RomDevice } from '../../devices/rom.js';
import {
  type DeviceRecord,
  DeviceStateError,
  RecordReader,
  type SavableDevice,
} from '../../devices/state.js';
import { DeviceConfigError } from '../../devices/types.js';
import { Uart16550 } from '../../devices/uart16550.js';
import type { MouseInput, VgaFrameSource } from '../../devices/vga/frame.js';
import { VgaRenderer } from '../../devices/vga/renderer.js';
import { VGA_WINDOW_BASE, VGA_WINDOW_SIZE, Vga, VRAM_SIZE } from '../../devices/vga/vga.js';
import { builtinBios, validateBiosImage } from './firmware.js';
import { FIRMWARE_SERVICES_BASE, FIRMWARE_SERVICES_LAST, FirmwareServices } from './firmware-services.js';
import { bootLinux, type LoadedLinux } from './linux-boot.js';
import { bootMultiboot, type LoadedKernel } from './multiboot.js';

const MIB = 1 << 20;
/** Where the VGA's linear framebuffer decodes at power-on (QEMU's SeaBIOS puts it there too). */
export const LFB_ADDRESS = 0xfd000000;
/** Virtual time per retired instruction: the guest sees a ~50 MIPS machine. */
export const NS_PER_INSTRUCTION = 20;
/** Keyboard polling for this long (virtual) means the guest is waiting for input. */
const POLL_WAIT_NS = 250e6;
/** A pause longer than this between polls starts a new run of polls. */
const POLL_GAP_NS = 50e6;
/** Instructions a firmware may take to reach int 19h before a multiboot load gives up on it. */
const POST_BUDGET = 500e6;

export interface PcBoardOptions {
  /** RAM in MiB (default 32, at least 2). */
  memoryMiB?: number;
  /** Firmware image; default: the built-in BIOS. */
  bios?: Uint8Array;
  floppyA?: DiskImage;
  floppyB?: DiskImage;
  hardDisk?: DiskImage;
  /** COM1 output. */
  serial?: (byte: number) => void;
  /** Debug console output (ports 0x402 and 0xE9). */
  debugcon?: (byte: number) => void;
  /** RTC time at power-on (default 2000-01-01 00:00:00 UTC, for determinism). */
  startTime?: Date;
  /** A VGA option ROM offered to SeaBIOS through fw_cfg as "vgaroms/vgabios.bin". */
  vgaRom?: Uint8Array;
  /** QEMU's pc-testdev (ports 0xE0–0xEB, 0x2000–0x2017, scratch RAM at 0xFF000000), for kvm-unit-tests. */
  testDevice?: boolean;
  /** The processor's block compiler (as cpu-ia32's CpuOptions.jit; absent: PHANTASM_IA32_JIT decides). */
  jit?: CpuOptions['jit'];
}

export interface RunOptions {
  /** Stop after this many instructions (counted from power-on). */
  maxInstructions?: number;
  /** Stop with 'screen' when the text screen contains this string. */
  untilScreen?: string;
  /** Wall-clock limit in milliseconds. */
  timeoutMs?: number;
  /** Instructions per slice between device updates (default 4096). */
  slice?: number;
  /**
   * Every slice retires exactly `slice` instructions. By default a compiled block may finish its
   * pass past a slice's end (the clock advances by what retired), which spares the interpreter
   * the slice's tail (~8 % of a Linux boot); exact slices make runs with the block compiler on
   * and off take the same instructions to the same point.
   */
  exactSlices?: boolean;
  /**
   * Stop with 'interrupt' when the guest executes INT n with this vector, before it is
   * delivered (EIP left on the INT instruction, so a later run executes it). With 0x19 this
   * stops a BIOS at the end of its POST, with the IVT and BIOS data area ready.
   */
  untilInterrupt?: number;
}

/** The hardware a PcBoard was built with: what a machine state needs to build it again. */
export interface PcBoardConfig {
  memoryMiB: number;
  /** The firmware image (the built-in BIOS when none was given). */
  bios: Uint8Array;
  vgaRom?: Uint8Array;
  floppyA?: DiskImage;
  floppyB?: DiskImage;
  hardDisk?: DiskImage;
  testDevice?: boolean;
}

/** Device records of a PcBoard by name: what `saveDevices` returns and `loadDevices` takes. */
export type PcDeviceRecords = Record<string, DeviceRecord>;

/** The board's devices in save order (the names are the record keys of a machine state). */
export const PC_DEVICE_NAMES = [
  'board',
  'clock',
  'cpu',
  'pic',
  'pit',
  'cmos',
  'uart',
  'kbc',
  'port92',
  'vga',
  'dma',
  'fdc',
  'ata',
  'pci',
  'pv',
  'fw-cfg',
  'debugcon',
  'debug-exit',
  'local-apic',
] as const;

/** Devices added after machine-state format 1 was first written: an older state starts them at power-on. */
const LATER_DEVICES: readonly string[] = ['local-apic'];

export type RunStop = 'exit' | 'screen' | 'max-instructions' | 'timeout' | 'halted' | 'interrupt';

export interface RunResult {
  stop: RunStop;
  /** isa-debug-exit status when stop is 'exit'. */
  exitStatus?: number;
  instructions: number;
  wallMs: number;
  /** Virtual time since power-on, in seconds. */
  virtualSeconds: number;
}

export class PcBoard {
  readonly memory: PhysicalMemory;
  readonly cpu: Cpu;
  readonly io = new IoPortBus();
  readonly clock = new VirtualClock();
  readonly pic = new DualPic();
  readonly pit: Pit8254;
  readonly cmos: CmosRtc;
  readonly uart: Uart16550;
  readonly kbc: I8042;
  readonly port92: FastA20Port;
  readonly vga: Vga;
  readonly dma: Dma8237;
  readonly fdc: FloppyController;
  readonly ata: AtaChannel;
  readonly pci: PciHost;
  readonly pv: PvFirmware;
  readonly fwCfg = new FwCfg();
  readonly localApic = new LocalApic();
  /** What the CPU's INTR sees: the local APIC's accepted interrupts first, then the 8259 pair. */
  private readonly interrupts = {
    hasInterrupt: () => this.localApic.hasInterrupt() || this.pic.hasInterrupt(),
    acknowledge: () =>
      this.localApic.hasInterrupt() ? this.localApic.acknowledge() : this.pic.acknowledge(),
  };
  /** QEMU's pc-testdev when PcBoardOptions.testDevice asked for it. */
  readonly testDevice: PcTestdev | undefined;
  private readonly firmwareServices: FirmwareServices;
  private renderer: VgaRenderer | undefined;
  /** Where the linear framebuffer is mapped now (undefined: not mapped). */
  private lfbMapped: number | undefined;
  /** What the board was built from (a machine state carries it, to build the same board again). */
  readonly config: PcBoardConfig;
  private readonly debugcon: DebugConsole;
  private readonly debugExit: DebugExit;
  exitStatus: number | undefined;
  private resetPending = false;
  /** Characters still to be typed, one key per moment the guest waits for input. */
  private typeQueue: string[] = [];
  private inputWanted = false;
  /** RunOptions.untilInterrupt of the current run, and whether it was hit. */
  private stopVector = -1;
  private interruptHit = false;
  /** Virtual time of the first and latest empty keyboard poll in the current run of polls. */
  private pollSince = -1;
  private lastPoll = -1;
  private typingStarted = false;

  constructor(options: PcBoardOptions = {}) {
    const mib = options.memoryMiB ?? 32;
    if (!Number.isInteger(mib) || mib < 2 || mib > 3584) {
      throw new DeviceConfigError(`memory ${mib} MiB: choose a whole number from 2 to 3584`);
    }
    try {
      // RAM in a WebAssembly memory with the CPU's tables, for blocks compiled to WebAssembly.
      const wasmTableBytes = options.jit === false ? 0 : IA32_WASM_TABLE_BYTES;
      this.memory = new PhysicalMemory({ ramSize: mib * MIB, wasmTableBytes });
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new DeviceConfigError(`memory ${mib} MiB: the host could not allocate it (${e.message})`);
    }
    const irq = this.pic;
    this.pit = new Pit8254(this.clock, irq);
    const floppies = [options.floppyA, options.floppyB];
    this.cmos = new CmosRtc(
      this.clock,
      {
        ramBytes: mib * MIB,
        floppyTypes: [options.floppyA?.cmosType ?? 0, options.floppyB?.cmosType ?? 0],
        hardDisks: options.hardDisk ? 1 : 0,
        startTime: options.startTime,
        bootDevice: options.floppyA ? 1 : 2,
      },
      irq,
    );
    this.uart = new Uart16550(0x3f8, 4, irq, options.serial ?? (() => {}));
    this.debugcon = new DebugConsole(options.debugcon ?? (() => {}));
    this.debugExit = new DebugExit((s) => this.exit(s));
    this.kbc = new I8042(irq, { onA20: (on) => this.setA20(on), onReset: () => this.requestReset() });
    this.port92 = new FastA20Port(
      (on) => this.setA20(on),
      () => this.requestReset(),
    );
    this.vga = new Vga();
    this.memory.mapMmio(VGA_WINDOW_BASE, VGA_WINDOW_SIZE, this.vga.window);
    this.firmwareServices = new FirmwareServices(this.memory, this.vga, () => this.lfbMapped ?? 0);
    this.dma = new Dma8237(this.memory);
    this.fdc = new FloppyController(irq, this.dma, [options.floppyA, options.floppyB]);
    this.ata = new AtaChannel(0x1f0, 0x3f6, 14, irq, options.hardDisk);
    this.pci = new PciHost([...i440fxFunctions(), stdVgaFunction(VRAM_SIZE, LFB_ADDRESS)], () =>
      this.requestReset(),
    );
    const vgaFunction = this.pci.fn(2, 0)!;
    vgaFunction.onWrite = () => this.mapLinearFramebuffer();
    this.mapLinearFramebuffer();
    this.memory.mapMmio(LOCAL_APIC_BASE, LOCAL_APIC_SIZE, this.localApic);
    if (options.testDevice) {
      this.testDevice = new PcTestdev(irq);
      this.memory.mapMmio(TESTDEV_IOMEM_BASE, TESTDEV_IOMEM_SIZE, this.testDevice.window);
    }
    this.pv = new PvFirmware(this.memory, floppies, [options.hardDisk]);
    this.pv.onKeyboardWait = (kind) => this.keyboardPolled(kind === 1);
    this.wirePorts(options);
    const bios = validateBiosImage(options.bios ?? builtinBios());
    this.loadFirmware(bios);
    this.config = {
      memoryMiB: mib,
      bios,
      vgaRom: options.vgaRom,
      floppyA: options.floppyA,
      floppyB: options.floppyB,
      hardDisk: options.hardDisk,
      testDevice: options.testDevice,
    };
    this.cpu = new Cpu({
      memory: this.memory,
      io: this.io,
      jit: options.jit,
      pic: this.interrupts,
      // the TSC ticks with the board clock (one count per NS_PER_INSTRUCTION), so it agrees with
      // the PIT and RTC across HLT skips and timed port reads, and Linux can trust it
      tsc: (pending) => Math.floor(this.clock.nanos / NS_PER_INSTRUCTION) + pending,
      hooks: {
        onInterrupt: (vector, software) => {
          if (software && vector === this.stopVector) return this.stopAtInterrupt();
          if (software && vector === 0x16) this.keyboardServiceCalled();
          return false;
        },
        // (it stops the run or notes a keyboard poll: compiled code stays valid across interrupts)
        writesRam: false,
      },
    });
    this.localApic.onNmi = () => this.cpu.nmi(); // ICR NMI IPIs, LVT LINTn in NMI mode
  }

  private wirePorts(options: PcBoardOptions): void {
    const io = this.io;
    // Devices that never write RAM: compiled code need not be checked again after their ports.
    const pure = { writesRam: false };
    io.register('dma1', 0x00, 0x0f, this.dma);
    io.register('pic-master', 0x20, 0x21, this.pic, pure);
    io.register('pit', 0x40, 0x43, this.pit, pure);
    io.register('kbc-data', 0x60, 0x60, this.kbc, pure);
    io.register('port61', 0x61, 0x61, this.pit, pure);
    io.register('kbc-cmd', 0x64, 0x64, this.kbc, pure);
    io.register('rtc', 0x70, 0x71, this.cmos, pure);
    io.register('dma-pages', 0x80, 0x8f, this.dma, pure); // page registers (and port 80h delays) move nothing
    io.register('port92', 0x92, 0x92, this.port92);
    io.register('pic-slave', 0xa0, 0xa1, this.pic, pure);
    io.register('dma2', 0xc0, 0xdf, this.dma);
    const debugcon = this.debugcon;
    io.register('debugcon-e9', 0xe9, 0xe9, debugcon);
    io.register('debug-exit', 0xf4, 0xf4, this.debugExit, { wide: true });
    io.register('ata0', 0x1f0, 0x1f7, this.ata, { wide: true });
    io.register('ata0-ctrl', 0x3f6, 0x3f6, this.ata);
    io.register('debugcon', 0x402, 0x402, debugcon);
    io.register('elcr', 0x4d0, 0x4d1, this.pic, pure);
    io.register('pv-firmware', PV_BASE, PV_LAST, this.pv, { wide: true });
    io.register('vga-mono', 0x3b4, 0x3b5, this.vga);
    io.register('vga-status-mono', 0x3ba, 0x3ba, this.vga);
    io.register('vga', 0x3c0, 0x3cf, this.vga);
    io.register('vga-crtc', 0x3d4, 0x3d5, this.vga);
    io.register('vga-status', 0x3da, 0x3da, this.vga);
    io.register('vbe', 0x1ce, 0x1cf, this.vga, { wide: true });
    io.register('firmware-services', FIRMWARE_SERVICES_BASE, FIRMWARE_SERVICES_LAST, this.firmwareServices, {
      wide: true,
    });
    io.register('fdc', 0x3f0, 0x3f5, this.fdc);
    io.register('fdc-dir', 0x3f7, 0x3f7, this.fdc);
    io.register('com1', 0x3f8, 0x3ff, this.uart, pure);
    io.register('pci', 0xcf8, 0xcff, this.pci, { wide: true });
    io.register('fw-cfg', 0x510, 0x511, this.fwCfg, { wide: true });
    // SeaBIOS runs a file named after a PCI device's ids as that device's option ROM (with its bus address)
    if (options.vgaRom) this.fwCfg.addFile('pci1234,1111.rom', options.vgaRom);
    if (this.testDevice) {
      // 0xE9 stays the debug console (QEMU's run script for kvm-unit-tests has no debugcon there)
      io.register('pc-testdev', 0xe0, 0xe8, this.testDevice, { wide: true });
      io.register('pc-testdev-byte', 0xea, 0xeb, this.testDevice);
      io.register(
        'pc-testdev-irq',
        TESTDEV_IRQ_PORT,
        TESTDEV_IRQ_PORT + TESTDEV_IRQ_LINES - 1,
        this.testDevice,
      );
    }
    // one processor, as QEMU's pc machine tells its firmware (and kvm-unit-tests) here
    this.fwCfg.setNumber(FW_CFG_NB_CPUS, 1, 2);
    this.fwCfg.setNumber(FW_CFG_MAX_CPUS, 1, 2);
    this.fwCfg.setNumber(FW_CFG_RAM_SIZE, (options.memoryMiB ?? 32) * MIB, 8);
  }

  /**
   * The image is mapped read-only at the top of 4 GiB (where the CPU starts) and its last
   * 128 KiB (or all of a 64 KiB image) is copied to the BIOS area below 1 MiB.
   */
  private loadFirmware(image: Uint8Array): void {
    this.memory.mapMmio(0x1_0000_0000 - image.length, image.length, new RomDevice(image));
    const low = image.subarray(Math.max(0, image.length - 0x20000));
    this.memory.ram.set(low, 0x100000 - low.length);
  }

  /** Both gates drive the same line, as on QEMU's pc machine: the last change wins. */
  private setA20(enabled: boolean): void {
    this.cpu?.setA20(enabled);
  }

  /** Reset lines and the exit port end the CPU's slice at once, not at its budget. */
  private requestReset(): void {
    this.resetPending = true;
    this.cpu?.requestStop('reset');
  }

  private exit(status: number): void {
    this.exitStatus ??= status;
    this.cpu?.requestStop('breakpoint');
  }

  /**
   * Load a multiboot kernel and start the CPU at its entry in protected mode. As with QEMU's
   * -kernel (SeaBIOS's POST, then its multiboot option ROM at boot time), the firmware first runs
   * its POST up to int 19h, so the kernel finds the PICs, the PIT, the IVT and the BIOS data area
   * set up (kvm-unit-tests' realmode.flat waits in HLT for a timer tick).
   */
  loadMultiboot(image: Uint8Array, cmdline = ''): LoadedKernel {
    this.runPost();
    return bootMultiboot(this.cpu, this.memory, image, cmdline);
  }

  /**
   * Load a Linux bzImage by the Linux/x86 boot protocol (linux-boot.ts) after the firmware's POST,
   * and start its real-mode setup code at 0x9020:0000, as QEMU's -kernel/-initrd/-append do.
   */
  loadLinux(image: Uint8Array, options: { cmdline?: string; initrd?: Uint8Array } = {}): LoadedLinux {
    this.runPost();
    return bootLinux(this.cpu, this.memory, image, options);
  }

  private runPost(): void {
    const post = this.run({ untilInterrupt: 0x19, maxInstructions: this.cpu.instructions + POST_BUDGET });
    if (post.stop !== 'interrupt')
      throw new DeviceConfigError(
        `the firmware did not reach its boot step (int 19h): stopped (${post.stop})`,
      );
  }

  private savable(name: (typeof PC_DEVICE_NAMES)[number]): SavableDevice {
    switch (name) {
      case 'board':
        return { save: () => this.saveBoard(), load: (r) => this.loadBoard(r) };
      case 'cpu':
        return { save: () => this.saveCpu(), load: (r) => this.loadCpu(r) };
      case 'clock':
        return this.clock;
      case 'pic':
        return this.pic;
      case 'pit':
        return this.pit;
      case 'cmos':
        return this.cmos;
      case 'uart':
        return this.uart;
      case 'kbc':
        return this.kbc;
      case 'port92':
        return this.port92;
      case 'vga':
        return {
          save: () => this.vga.save(),
          // records of the text-only VGA kept the screen in RAM at B8000h
          load: (r) => this.vga.load(r, this.memory.ram.subarray(0xb8000, 0xc0000)),
        };
      case 'dma':
        return this.dma;
      case 'fdc':
        return this.fdc;
      case 'ata':
        return this.ata;
      case 'pci':
        return this.pci;
      case 'pv':
        return this.pv;
      case 'fw-cfg':
        return this.fwCfg;
      case 'debugcon':
        return this.debugcon;
      case 'debug-exit':
        return this.debugExit;
      case 'local-apic':
        return this.localApic;
    }
  }

  /**
   * The state of the CPU, every device and the board's own bookkeeping (typed keys still queued,
   * a pending reset), as versioned records. RAM and disk contents are not in it.
   */
  saveDevices(): PcDeviceRecords {
    const out: PcDeviceRecords = {};
    for (const name of PC_DEVICE_NAMES) out[name] = this.savable(name).save();
    return out;
  }

  /**
   * Load records from `saveDevices` (of this or an older release). All or nothing: when one record
   * is refused (DeviceStateError), every device is put back as it was before the call.
   */
  loadDevices(records: PcDeviceRecords): void {
    const missing = PC_DEVICE_NAMES.filter((n) => records[n] === undefined && !LATER_DEVICES.includes(n));
    if (missing.length > 0) throw new DeviceStateError('machine', `no record for ${missing.join(', ')}`);
    const before = this.saveDevices();
    try {
      for (const name of PC_DEVICE_NAMES) {
        const record = records[name];
        if (record !== undefined) this.savable(name).load(record);
        else this.localApic.reset(); // the only later device (LATER_DEVICES)
      }
    } catch (e) {
      for (const name of PC_DEVICE_NAMES) this.savable(name).load(before[name]);
      this.mapLinearFramebuffer();
      throw e;
    }
    this.mapLinearFramebuffer();
  }

  private saveBoard(): DeviceRecord {
    return {
      version: 1,
      exitStatus: this.exitStatus ?? null,
      resetPending: this.resetPending,
      typeQueue: this.typeQueue.join(''),
      inputWanted: this.inputWanted,
      pollSince: this.pollSince,
      lastPoll: this.lastPoll,
      typingStarted: this.typingStarted,
    };
  }

  private loadBoard(record: DeviceRecord): void {
    const r = new RecordReader('board', record, [1]);
    const v = {
      exitStatus: r.optInt('exitStatus'),
      resetPending: r.bool('resetPending'),
      typeQueue: [...r.str('typeQueue')],
      inputWanted: r.bool('inputWanted'),
      pollSince: r.num('pollSince'),
      lastPoll: r.num('lastPoll'),
      typingStarted: r.bool('typingStarted'),
    };
    Object.assign(this, v);
  }

  private saveCpu(): DeviceRecord {
    return {
      version: 1,
      instructions: this.cpu.instructions,
      state: this.cpu.saveState() as unknown as DeviceRecord,
    };
  }

  private loadCpu(record: DeviceRecord): void {
    const r = new RecordReader('cpu', record, [1]);
    const instructions = r.num('instructions', 0);
    const state = record.state;
    if (typeof state !== 'object' || state === null || Array.isArray(state)) {
      throw new DeviceStateError('cpu', 'field "state" must be a record');
    }
    const before = this.cpu.instructions;
    try {
      this.cpu.instructions = instructions; // first: the TSC is loaded relative to it
      this.cpu.loadState(state as unknown as CpuState);
    } catch (e) {
      this.cpu.instructions = before;
      if (e instanceof DeviceStateError) throw e;
      throw new DeviceStateError('cpu', (e as Error).message);
    }
  }

  /**
   * Map the VGA's linear framebuffer where PCI BAR 0 points while memory decoding is on. A BAR
   * that overlaps another device (during sizing, or a guest's mistake) leaves it unmapped.
   */
  private mapLinearFramebuffer(): void {
    const fn = this.pci.fn(2, 0)!;
    const bar = fn.memoryBar(0);
    const want = fn.config[0x04] & 0x02 && bar !== 0 && bar + VRAM_SIZE <= 0x1_0000_0000 ? bar : undefined;
    if (want === this.lfbMapped) return;
    if (this.lfbMapped !== undefined) this.memory.unmapMmio(this.lfbMapped);
    this.lfbMapped = undefined;
    if (want === undefined) return;
    try {
      this.memory.mapMmio(want, VRAM_SIZE, this.vga.linear);
      this.lfbMapped = want;
    } catch (e) {
      if (!(e instanceof MmioOverlapError)) throw e;
    }
  }

  /** The board's VGA renderer (one per board): RGBA frames of what the monitor shows. */
  vgaRenderer(): VgaFrameSource {
    this.renderer ??= new VgaRenderer(this.vga);
    return this.renderer;
  }

  /** Mouse movement and buttons, sent as a PS/2 packet when the guest has enabled streaming. */
  mouse(input: MouseInput): void {
    this.kbc.mouse.move(input);
  }

  /** The VGA text screen, rows joined by newlines (trailing blank rows dropped). */
  screenText(): string {
    return this.vga.screenText();
  }

  /** The rows of the VGA text screen (25 or 50), trailing spaces removed. */
  screenLines(): string[] {
    return this.vga.screenLines();
  }

  /** Queue text to type: one key each time the guest waits for keyboard input. */
  type(text: string): void {
    for (const ch of text) this.typeQueue.push(ch);
  }

  /** Type text at once (all keys queued in the keyboard controller now). */
  typeNow(text: string): void {
    this.kbc.typeText(text);
  }

  get pendingTypedKeys(): number {
    return this.typeQueue.length;
  }

  /**
   * The BIOS found no key. A blocking wait means the guest wants input now; polling (DOS
   * checks with int 16h AH=01h/11h and idles) counts once it has gone on for POLL_WAIT_NS,
   * so short checks during boot ("press F8") do not swallow the typed text.
   */
  private keyboardPolled(blocking: boolean): void {
    const now = this.clock.nanos;
    if (this.lastPoll < 0 || now - this.lastPoll > POLL_GAP_NS) this.pollSince = now;
    this.lastPoll = now;
    if (blocking || this.typingStarted || now - this.pollSince >= POLL_WAIT_NS) this.inputWanted = true;
  }

  /** Leave EIP on the INT instruction and end the run; true = not delivered. */
  private stopAtInterrupt(): boolean {
    this.interruptHit = true;
    this.cpu.requestStop('breakpoint');
    return true;
  }

  /**
   * Any firmware: an int 16h read or peek while the BIOS data area's keyboard buffer is empty
   * (head == tail at 0x41A/0x41C) is a look for a key that finds none.
   */
  private keyboardServiceCalled(): void {
    const ah = (this.cpu.eax >>> 8) & 0xff;
    if (ah !== 0x00 && ah !== 0x01 && ah !== 0x10 && ah !== 0x11) return;
    if (this.memory.read16(0x41a) !== this.memory.read16(0x41c)) return;
    this.keyboardPolled(ah === 0x00 || ah === 0x10);
  }

  private feedKeyboard(): void {
    if (this.typeQueue.length === 0 || !this.inputWanted || this.kbc.pendingBytes > 0) return;
    this.inputWanted = false;
    this.typingStarted = true;
    this.kbc.typeText(this.typeQueue.shift()!);
  }

  /** Run until one of the stop conditions holds. */
  run(options: RunOptions = {}): RunResult {
    const start = performance.now();
    const slice = options.slice ?? 4096;
    const max = options.maxInstructions ?? Number.POSITIVE_INFINITY;
    const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : start + options.timeoutMs;
    const cpu = this.cpu;
    let stop: RunStop | undefined;
    let slices = 0;
    this.stopVector = options.untilInterrupt ?? -1;
    this.interruptHit = false;
    if (this.exitStatus !== undefined) stop = 'exit'; // the guest already left through port 0xF4
    while (stop === undefined) {
      this.pit.update();
      this.cmos.update();
      this.feedKeyboard();
      const before = cpu.instructions;
      const budget = Math.min(slice, max - before);
      // Between slices only the timers and the keyboard queue run (no RAM writes): a slice after
      // the first continues the run (the CPU does not check its compiled code against RAM again).
      // A slice is a time step, not an exact count: a compiled block may finish its pass past it
      // (the clock advances by what retired), unless the slice ends at maxInstructions.
      const finishBlock = budget === slice && options.exactSlices !== true;
      const reason = budget > 0 ? cpu.run(budget, slices > 0, finishBlock) : 'budget';
      this.clock.advance((cpu.instructions - before) * NS_PER_INSTRUCTION);
      if (this.exitStatus !== undefined) stop = 'exit';
      else if (this.interruptHit) {
        cpu.eip = cpu.startEip; // back onto the INT instruction
        stop = 'interrupt';
      } else if (this.resetPending || reason === 'reset') {
        this.resetPending = false;
        cpu.reset();
        this.localApic.reset();
      } else if (reason === 'hlt') {
        if (!this.idle()) stop = 'halted';
      }
      if (stop === undefined && cpu.instructions >= max) stop = 'max-instructions';
      if (stop === undefined && (++slices & 15) === 0) {
        if (options.untilScreen !== undefined && this.screenText().includes(options.untilScreen))
          stop = 'screen';
        else if (performance.now() > deadline) stop = 'timeout';
      }
    }
    if (
      stop !== 'screen' &&
      options.untilScreen !== undefined &&
      this.screenText().includes(options.untilScreen)
    ) {
      stop = 'screen';
    }
    return {
      stop,
      exitStatus: stop === 'exit' ? this.exitStatus : undefined,
      instructions: cpu.instructions,
      wallMs: performance.now() - start,
      virtualSeconds: this.clock.nanos / 1e9,
    };
  }

  /**
   * The CPU halted: skip virtual time to the next timer or RTC interrupt it can receive. False
   * when nothing can wake it (interrupts disabled, no unmasked timer, nothing pending and no
   * key to type).
   */
  private idle(): boolean {
    const interruptsOn = (this.cpu.eflags & 0x200) !== 0;
    if (!interruptsOn) return false;
    if (this.interrupts.hasInterrupt()) return true;
    const wake = this.nextTimerWakeNs();
    if (wake === undefined) {
      // only a key can wake it now: type the next one, unless the last is still unread
      if (this.typeQueue.length === 0 || this.kbc.pendingBytes > 0) return false;
      this.inputWanted = true;
      return true;
    }
    this.clock.advance(Math.max(0, Math.ceil(wake - this.clock.nanos)));
    return true;
  }

  /**
   * Virtual time (ns) of the next interrupt a timer will raise that the PICs let through (PIT
   * channel 0 or the RTC), or undefined when no timer can interrupt.
   */
  nextTimerWakeNs(): number | undefined {
    const wake: number[] = [];
    const pitTick = this.pit.nextIrq0Tick();
    if (pitTick !== undefined && !(this.pic.master.imr & 1)) {
      wake.push(this.clock.nanos + this.clock.nanosUntilPitTick(pitTick));
    }
    const rtc = this.cmos.nextInterruptNs();
    if (rtc !== undefined && !(this.pic.slave.imr & 1) && !(this.pic.master.imr & 4)) wake.push(rtc);
    return wake.length === 0 ? undefined : Math.min(...wake);
  }
}
