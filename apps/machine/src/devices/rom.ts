// A read-only memory region for MMIO mapping (the firmware image at the top of 4 GiB, where
// the CPU fetches its first instruction). Writes are ignored, as on a real flash part.
import type { MmioDevice } from '@phantasm/mmu';

export class RomDevice implements MmioDevice {
  constructor(readonly image: Uint8Array) {}

  read(offset: number, size: 1 | 2 | 4): number {
    const b = this.image;
    if (size === 1) return b[offset] ?? 0xff;
    if (size === 2) return (b[offset] ?? 0xff) | ((b[offset + 1] ?? 0xff) << 8);
    return (
      ((b[offset] ?? 0xff) |
        ((b[offset + 1] ?? 0xff) << 8) |
        ((b[offset + 2] ?? 0xff) << 16) |
        ((b[offset + 3] ?? 0xff) << 24)) >>>
      0
    );
  }

  write(): void {}
}
