// Public API of @phantasm/machine: the PC board, its devices and the multiboot loader; the MIPS Malta board.

export {
  BUSYBOX_LINKS,
  buildBusyboxInitramfs,
  type CpioEntry,
  cpioNewc,
  INIT_SCRIPT,
  writeBusyboxInitramfs,
} from './boards/malta/initramfs.js';
export {
  type BootPlan,
  type LoadOptions,
  MaltaBootError,
  parseMipsElf,
} from './boards/malta/kernel-loader.js';
export {
  MaltaBoard,
  type MaltaBoardOptions,
  type MaltaRunOptions,
  type MaltaRunResult,
  type MaltaStop,
  NS_PER_INSTRUCTION as MALTA_NS_PER_INSTRUCTION,
} from './boards/malta/malta-board.js';
export { BUILTIN_BIOS_PATH, builtinBios, FirmwareError, validateBiosImage } from './boards/pc/firmware.js';
export {
  bootMultiboot,
  findMultibootHeader,
  type LoadedKernel,
  MULTIBOOT_BOOTLOADER_MAGIC,
  MULTIBOOT_MAGIC,
  MultibootError,
} from './boards/pc/multiboot.js';
export {
  LFB_ADDRESS,
  NS_PER_INSTRUCTION,
  PcBoard,
  type PcBoardOptions,
  type RunOptions,
  type RunResult,
  type RunStop,
} from './boards/pc/pc-board.js';
export { main as phantasmMain } from './cli/main.js';
export { AtaChannel } from './devices/ata.js';
export { PIT_HZ, VirtualClock } from './devices/clock.js';
export { type CmosConfig, CmosRtc } from './devices/cmos-rtc.js';
export { cp437ToChar } from './devices/cp437.js';
export { DebugConsole, DebugExit } from './devices/debug-ports.js';
export { DiskImage, DiskImageError, type Geometry, SECTOR } from './devices/disk-image.js';
export { Dma8237 } from './devices/dma8237.js';
export { FloppyController } from './devices/fdc.js';
export { FwCfg } from './devices/fw-cfg.js';
export { I8042, type I8042Events } from './devices/i8042.js';
export { IoPortBus, type PortRangeOptions } from './devices/io-bus.js';
export {
  i440fxFunctions,
  PciFunction,
  type PciFunctionSpec,
  PciHost,
  stdVgaFunction,
} from './devices/pci.js';
export { DualPic } from './devices/pic8259.js';
export { Pit8254 } from './devices/pit8254.js';
export { FastA20Port } from './devices/port92.js';
export { Ps2Mouse } from './devices/ps2-mouse.js';
export { PV_BASE, PV_LAST, PvFirmware } from './devices/pv-firmware.js';
export { RomDevice } from './devices/rom.js';
export { keyFor, scancodesFor, UnknownKeyError } from './devices/scancodes.js';
export { DeviceConfigError, type IrqSink, type PortDevice } from './devices/types.js';
export { Uart16550 } from './devices/uart16550.js';
export type { MouseInput, VgaFrame, VgaFrameSource, VgaRect } from './devices/vga/frame.js';
export { VgaRenderer } from './devices/vga/renderer.js';
export { Vga, VRAM_SIZE } from './devices/vga/vga.js';
