// A disk image held in memory: 512-byte sectors, with the geometry a BIOS reports for it.
// Writes change the in-memory copy only (like QEMU's -snapshot); `bytes` can be saved by the host.

export const SECTOR = 512;
const PAGE = 4096;

export class DiskImageError extends Error {
  override name = 'DiskImageError';
}

export interface Geometry {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

/** Standard floppy formats by size in bytes, with their CMOS drive-type codes. */
const FLOPPY_FORMATS: { bytes: number; geometry: Geometry; cmosType: number; biosType: number }[] = [
  { bytes: 368_640, geometry: { cylinders: 40, heads: 2, sectorsPerTrack: 9 }, cmosType: 1, biosType: 1 },
  { bytes: 737_280, geometry: { cylinders: 80, heads: 2, sectorsPerTrack: 9 }, cmosType: 3, biosType: 3 },
  { bytes: 1_228_800, geometry: { cylinders: 80, heads: 2, sectorsPerTrack: 15 }, cmosType: 2, biosType: 2 },
  { bytes: 1_474_560, geometry: { cylinders: 80, heads: 2, sectorsPerTrack: 18 }, cmosType: 4, biosType: 4 },
  { bytes: 2_949_120, geometry: { cylinders: 80, heads: 2, sectorsPerTrack: 36 }, cmosType: 5, biosType: 6 },
];

export class DiskImage {
  readonly sectors: number;
  readonly geometry: Geometry;
  /** CMOS drive type for floppies (0 for hard disks). */
  readonly cmosType: number;

  private constructor(
    readonly bytes: Uint8Array,
    readonly kind: 'floppy' | 'hard-disk',
    geometry: Geometry,
    cmosType: number,
  ) {
    this.sectors = Math.floor(bytes.length / SECTOR);
    this.geometry = geometry;
    this.cmosType = cmosType;
  }

  static floppy(bytes: Uint8Array): DiskImage {
    const format = FLOPPY_FORMATS.find((f) => f.bytes === bytes.length);
    if (!format) {
      const sizes = FLOPPY_FORMATS.map((f) => f.bytes).join(', ');
      throw new DiskImageError(`floppy image of ${bytes.length} bytes: not a standard size (${sizes})`);
    }
    return new DiskImage(bytes, 'floppy', format.geometry, format.cmosType);
  }

  static hardDisk(bytes: Uint8Array): DiskImage {
    if (bytes.length < SECTOR || bytes.length % SECTOR !== 0) {
      throw new DiskImageError(`hard disk image of ${bytes.length} bytes: not a positive multiple of 512`);
    }
    const sectors = bytes.length / SECTOR;
    const heads = 16;
    const sectorsPerTrack = 63;
    const cylinders = Math.max(1, Math.min(16383, Math.floor(sectors / (heads * sectorsPerTrack))));
    return new DiskImage(bytes, 'hard-disk', { cylinders, heads, sectorsPerTrack }, 0);
  }

  /** LBA of a CHS address (sector is 1-based), or -1 when outside the geometry. */
  chsToLba(cylinder: number, head: number, sector: number): number {
    const g = this.geometry;
    if (sector < 1 || sector > g.sectorsPerTrack || head >= g.heads || cylinder >= g.cylinders) return -1;
    return (cylinder * g.heads + head) * g.sectorsPerTrack + sector - 1;
  }

  inRange(lba: number, count: number): boolean {
    return lba >= 0 && count >= 0 && lba + count <= this.sectors;
  }

  read(lba: number, count: number): Uint8Array {
    if (!this.inRange(lba, count))
      throw new DiskImageError(`read of sectors ${lba}+${count} beyond ${this.sectors}`);
    return this.bytes.subarray(lba * SECTOR, (lba + count) * SECTOR);
  }

  write(lba: number, data: Uint8Array): void {
    const count = Math.ceil(data.length / SECTOR);
    if (!this.inRange(lba, count))
      throw new DiskImageError(`write of sectors ${lba}+${count} beyond ${this.sectors}`);
    this.bytes.set(data, lba * SECTOR);
    const dirty = this.dirtyPages;
    if (dirty) {
      const last = Math.floor((lba * SECTOR + data.length - 1) / PAGE);
      for (let p = Math.floor((lba * SECTOR) / PAGE); p <= last; p++) dirty[p] = 1;
    }
  }

  /**
   * One byte per 4 KiB page of the image, set by every write after trackWrites() (a persistent
   * machine state copies the dirty pages into its snapshot and clears them).
   */
  dirtyPages: Uint8Array | undefined;

  trackWrites(): Uint8Array {
    this.dirtyPages ??= new Uint8Array(Math.ceil(this.bytes.length / PAGE));
    return this.dirtyPages;
  }

  /** Rebuild an image of the same kind from saved bytes (a machine state's copy of the disk). */
  static restore(kind: 'floppy' | 'hard-disk', bytes: Uint8Array): DiskImage {
    return kind === 'floppy' ? DiskImage.floppy(bytes) : DiskImage.hardDisk(bytes);
  }
}
