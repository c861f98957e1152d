// The browser-safe part of @phantasm/machine (`@phantasm/machine/browser`): the PC board, its disks
// and keyboard, the Phantasm system and its memory map, without the CLI or anything that needs
// Node (files, processes, zlib). Two modules still import node:fs/node:url at load time to find their
// files beside the sources — the built-in BIOS (boards/pc/firmware.ts) and the built-in guests
// (kernel/guests.ts); a browser build maps those imports to stubs and passes `bios` and `programs`
// itself, so the node code paths are never called there (apps/web/vite.config.ts does this).
export { FirmwareError, validateBiosImage } from './boards/pc/firmware.js';
export { MultibootError } from './boards/pc/multiboot.js';
export {
  NS_PER_INSTRUCTION,
  PcBoard,
  type PcBoardOptions,
  type RunOptions,
  type RunResult,
  type RunStop,
} from './boards/pc/pc-board.js';
export { Pacer } from './cli/pacer.js';
export { DiskImage, DiskImageError } from './devices/disk-image.js';
export { keyFor, scancodesFor, UnknownKeyError } from './devices/scancodes.js';
export { DeviceConfigError } from './devices/types.js';
export type { MouseInput, VgaFrame, VgaFrameSource, VgaRect } from './devices/vga/frame.js';
export { BootError, type BootStage, PhantasmSystem } from './kernel/system.js';
export type {
  GuestProgram,
  MemoryMapReport,
  MemoryRange,
  PhysicalOwner,
  SystemOptions,
  SystemRunResult,
  ThreadRecord,
  VirtualUse,
} from './kernel/types.js';
export { type MemoryMapPictureOptions, renderMemoryMapSvg } from './render/memmap-svg.js';
