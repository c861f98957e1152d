// Small stand-ins for the mmu contract: enough to test the kernel-heap backing on its own.
import type { FrameSource, MemoryBus, PageAttributes, PageMapping, PageTableEditor } from '@phantasm/mmu';

export class FakeBus implements MemoryBus {
  readonly ram: Uint8Array;
  private readonly view: DataView;
  constructor(readonly ramSize: number) {
    this.ram = new Uint8Array(ramSize);
    this.view = new DataView(this.ram.buffer);
  }
  read8(a: number) {
    return this.ram[a];
  }
  read16(a: number) {
    return this.view.getUint16(a, true);
  }
  read32(a: number) {
    return this.view.getUint32(a, true);
  }
  read64(a: number) {
    return this.view.getBigUint64(a, true);
  }
  write8(a: number, v: number) {
    this.ram[a] = v;
  }
  write16(a: number, v: number) {
    this.view.setUint16(a, v, true);
  }
  write32(a: number, v: number) {
    this.view.setUint32(a, v, true);
  }
  write64(a: number, v: bigint) {
    this.view.setBigUint64(a, v, true);
  }
}

export class FakeEditor implements PageTableEditor {
  readonly pageSize = 4096;
  readonly pages = new Map<number, PageMapping>();
  map(virtual: number, physical: number, attributes: PageAttributes): void {
    if (virtual % 4096 || physical % 4096) throw new Error('unaligned');
    if (this.pages.has(virtual)) throw new Error(`already mapped 0x${virtual.toString(16)}`);
    this.pages.set(virtual, { physical, attributes });
  }
  mapIo(virtual: number, physical: number): void {
    this.map(virtual, physical, { writable: true, user: false, uncached: true });
  }
  unmap(virtual: number): void {
    if (!this.pages.delete(virtual)) throw new Error(`not mapped 0x${virtual.toString(16)}`);
  }
  protect(virtual: number, attributes: PageAttributes): void {
    const m = this.pages.get(virtual);
    if (!m) throw new Error('not mapped');
    m.attributes = attributes;
  }
  lookup(virtual: number): PageMapping | undefined {
    return this.pages.get(virtual);
  }
}

/** Hands out frames from the top of [start, end) downwards (so virtual and physical order differ). */
export class FakeFrames implements FrameSource {
  readonly outstanding = new Set<number>();
  private readonly freeList: number[] = [];
  constructor(start: number, end: number) {
    for (let f = start; f < end; f += 4096) this.freeList.push(f);
  }
  allocFrame(): number {
    const f = this.freeList.pop();
    if (f === undefined) throw new Error('no frames left');
    this.outstanding.add(f);
    return f;
  }
  freeFrame(physical: number): void {
    if (!this.outstanding.delete(physical))
      throw new Error(`freeFrame of unknown 0x${physical.toString(16)}`);
    this.freeList.push(physical);
  }
}
