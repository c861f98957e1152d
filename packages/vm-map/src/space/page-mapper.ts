// What the persistent space needs from the paging hardware. The kernel supplies one built on the mmu
// (page-table editor + write epoch); SoftMmu is a host-side one for tools and tests.

/** Called on the first write to a page after bumpWriteEpoch, before the written bytes land. */
export type WriteWatcher = (virtual: number) => void;

export interface PageMapper {
  /** Map the page at `virtual` to the frame at `physical`; read-only when `writable` is false. */
  map(virtual: number, physical: number, writable: boolean): void;
  unmap(virtual: number): void;
  /** Change the write permission of a mapped page (write-protect after pageout, unprotect on first write). */
  setWritable(virtual: number, writable: boolean): void;
  /** O(1): afterwards, the next write to every page reports to the watcher once. */
  bumpWriteEpoch(): void;
  setWriteWatcher(watcher: WriteWatcher | undefined): void;
}
