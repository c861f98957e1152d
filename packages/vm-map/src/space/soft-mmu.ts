import { AddressError } from '../errors.js';
import type { PageMapper, WriteWatcher } from './page-mapper.js';

/** Resolves a fault at `virtual`; afterwards the page must be mapped (writable if `write`). */
export type FaultHandler = (virtual: number, write: boolean) => void;

const UNMAPPED = -1;

/**
 * A host-side software MMU over one RAM array: a page table (virtual page -> frame, writable bit) and a
 * write epoch with the semantics of the emulated mmu's dirty logging: after bumpWriteEpoch the first
 * write to each page calls the watcher once, before the bytes land. (Ia32Mmu tracks this per frame
 * rather than per page; the space relies on the watcher only for pages that keep their frame across
 * the bump, where the two agree, and on write protection for everything else.) Reads and writes that hit an
 * unmapped or write-protected page call the fault handler, as the CPU's page-fault path would.
 */
export class SoftMmu implements PageMapper {
  private readonly frame = new Map<number, number>();
  private readonly writable = new Set<number>();
  private readonly seen = new Map<number, number>();
  private epoch = 1;
  private watcher: WriteWatcher | undefined;
  onFault: FaultHandler = (v) => {
    throw new AddressError(`page fault at 0x${v.toString(16)} with no handler`);
  };
  readonly stats = { faults: 0, watcherCalls: 0 };

  constructor(readonly ram: Uint8Array) {}

  map(virtual: number, physical: number, writable: boolean): void {
    const vpn = virtual >>> 12;
    this.frame.set(vpn, physical);
    if (writable) this.writable.add(vpn);
    else this.writable.delete(vpn);
  }

  unmap(virtual: number): void {
    const vpn = virtual >>> 12;
    this.frame.delete(vpn);
    this.writable.delete(vpn);
  }

  setWritable(virtual: number, writable: boolean): void {
    const vpn = virtual >>> 12;
    if (!this.frame.has(vpn)) return;
    if (writable) this.writable.add(vpn);
    else this.writable.delete(vpn);
  }

  bumpWriteEpoch(): void {
    this.epoch++;
  }

  setWriteWatcher(watcher: WriteWatcher | undefined): void {
    this.watcher = watcher;
  }

  isMapped(virtual: number): boolean {
    return this.frame.has(virtual >>> 12);
  }

  isWritable(virtual: number): boolean {
    return this.writable.has(virtual >>> 12);
  }

  read(virtual: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const v = virtual + done;
      const n = Math.min(length - done, 4096 - (v & 0xfff));
      const phys = this.translate(v, false);
      out.set(this.ram.subarray(phys, phys + n), done);
      done += n;
    }
    return out;
  }

  write(virtual: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      const v = virtual + done;
      const n = Math.min(data.length - done, 4096 - (v & 0xfff));
      const phys = this.translate(v, true);
      this.ram.set(data.subarray(done, done + n), phys);
      done += n;
    }
  }

  private translate(virtual: number, write: boolean): number {
    const vpn = virtual >>> 12;
    let f = this.frame.get(vpn) ?? UNMAPPED;
    if (f === UNMAPPED || (write && !this.writable.has(vpn))) {
      this.stats.faults++;
      this.onFault(virtual - (virtual & 0xfff), write);
      f = this.frame.get(vpn) ?? UNMAPPED;
      if (f === UNMAPPED || (write && !this.writable.has(vpn))) {
        throw new AddressError(`fault at 0x${virtual.toString(16)} was not resolved by the handler`);
      }
    }
    if (write && this.seen.get(vpn) !== this.epoch) {
      this.seen.set(vpn, this.epoch);
      this.stats.watcherCalls++;
      this.watcher?.((vpn << 12) >>> 0);
    }
    return f + (virtual & 0xfff);
  }
}
