// A page-table editor that keeps mappings in a Map, records calls, and can be told to fail.
import type { PageAttributes, PageMapping, PageTableEditor } from '@phantasm/mmu';

export class FakeEditor implements PageTableEditor {
  readonly pageSize = 4096;
  readonly pages = new Map<number, PageMapping>();
  /** Throw on the mapIo call with this index (0-based, counted over the editor's life). */
  failAtMapIo = -1;
  mapIoCalls = 0;

  map(virtual: number, physical: number, attributes: PageAttributes): void {
    if (virtual % 4096 !== 0 || physical % 4096 !== 0)
      throw new Error(`fake: unaligned ${virtual} ${physical}`);
    if (this.pages.has(virtual)) throw new Error(`fake: 0x${virtual.toString(16)} already mapped`);
    this.pages.set(virtual, { physical, attributes: { ...attributes } });
  }

  mapIo(virtual: number, physical: number): void {
    if (this.mapIoCalls++ === this.failAtMapIo) throw new Error('fake: out of page-table frames');
    this.map(virtual, physical, { writable: true, user: false, uncached: true });
  }

  unmap(virtual: number): void {
    if (!this.pages.delete(virtual)) throw new Error(`fake: 0x${virtual.toString(16)} not mapped`);
  }

  protect(virtual: number, attributes: PageAttributes): void {
    const m = this.pages.get(virtual);
    if (!m) throw new Error(`fake: 0x${virtual.toString(16)} not mapped`);
    m.attributes = { ...attributes };
  }

  lookup(virtual: number): PageMapping | undefined {
    return this.pages.get(virtual);
  }
}
