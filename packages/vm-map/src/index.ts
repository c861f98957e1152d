export { crc32c } from './crc32c.js';
export { BLOCK_SIZE, type BlockDevice, MAX_BLOCKS, SECTOR_SIZE, writeBlocks } from './device/block-device.js';
export { FileBlockDevice, type FileBlockDeviceOptions } from './device/file-device.js';
export { MemoryBlockDevice } from './device/memory-device.js';
export { type CrashModel, PowerLossBlockDevice, type PowerLossOptions } from './device/power-loss-device.js';
export {
  AddressError,
  BlockDeviceError,
  ChecksumError,
  CorruptPageError,
  DamageError,
  FormatError,
  OutOfFramesError,
  PowerCutError,
  StateError,
  UntrustedDiskError,
  VmMapError,
} from './errors.js';
export { decodeSuperblock, type Superblock, type TreeRef } from './format/layout.js';
export { readSlots, type SlotInfo } from './format/reader.js';
export { type FsckOptions, type FsckReport, fsck, type SnapshotCheck } from './fsck/fsck.js';
export { Prng } from './prng.js';
export { RangeFrameSource } from './space/frames.js';
export type { PageMapper, WriteWatcher } from './space/page-mapper.js';
export {
  type FormatOptions,
  formatDisk,
  PersistentSpace,
  type RecoveryReport,
  type SnapshotJob,
  type SnapshotResult,
  type SpaceOptions,
  type SpaceStats,
} from './space/persistent-space.js';
export { type FaultHandler, SoftMmu } from './space/soft-mmu.js';
export { TablePageMapper, type TablePageMapperOptions, type WriteTrackingMmu } from './space/table-mapper.js';
