import type { PageAttributes, PageTableEditor } from '@phantasm/mmu';
import type { PageMapper, WriteWatcher } from './page-mapper.js';

/** The write-epoch part of an mmu (Ia32Mmu has it): O(1) bump, watcher before the first write per epoch. */
export interface WriteTrackingMmu {
  bumpWriteEpoch(): unknown;
  writeWatcher: ((linear: number, physical: number) => void) | null;
}

export interface TablePageMapperOptions {
  /** Map the pages user-accessible (guests run in user mode inside the object space). Default true. */
  user?: boolean;
}

/**
 * PageMapper for the emulated machine: page-table edits through the mmu's PageTableEditor (whose
 * onInvalidate must reach the TLB, e.g. Ia32Mmu.invlpg) and dirty logging through the mmu's write epoch.
 * Write faults on write-protected pages arrive as guest page faults; the kernel's #PF handler passes
 * them to PersistentSpace.handleFault. Supervisor-mode access needs CR0.WP set, or writes to
 * write-protected (clean) pages would go through unnoticed and be lost at eviction.
 */
export class TablePageMapper implements PageMapper {
  private readonly user: boolean;

  constructor(
    private readonly editor: PageTableEditor,
    private readonly mmu: WriteTrackingMmu,
    options: TablePageMapperOptions = {},
  ) {
    this.user = options.user ?? true;
  }

  map(virtual: number, physical: number, writable: boolean): void {
    const attributes: PageAttributes = { writable, user: this.user };
    const existing = this.editor.lookup(virtual);
    if (existing?.physical === physical) {
      this.editor.protect(virtual, attributes);
      return;
    }
    if (existing) this.editor.unmap(virtual);
    this.editor.map(virtual, physical, attributes);
  }

  unmap(virtual: number): void {
    if (this.editor.lookup(virtual)) this.editor.unmap(virtual);
  }

  setWritable(virtual: number, writable: boolean): void {
    if (this.editor.lookup(virtual)) this.editor.protect(virtual, { writable, user: this.user });
  }

  bumpWriteEpoch(): void {
    this.mmu.bumpWriteEpoch();
  }

  setWriteWatcher(watcher: WriteWatcher | undefined): void {
    this.mmu.writeWatcher = watcher ? (linear) => watcher((linear & ~0xfff) >>> 0) : null;
  }
}
