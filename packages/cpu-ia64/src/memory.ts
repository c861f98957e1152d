// Guest memory for user-mode programs: a sparse 64-bit address space of 4 KiB pages, each a DataView
// over its own buffer. Unmapped addresses read as `undefined` so that the CPU can raise a fault
// (or set a NaT for a speculative load) instead of throwing on the host.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
const OFFSET_MASK = BigInt(PAGE_SIZE - 1);
const SHIFT = BigInt(PAGE_SHIFT);

export class GuestMemory {
  private readonly pages = new Map<number, DataView>();
  /** Reserved page ranges [first, last] that are mapped (zero-filled) on first touch: stacks. */
  private readonly lazy: [number, number][] = [];
  private lastKey = -1;
  private lastPage: DataView | undefined;
  /** Called with a page number on every store to a page that holds decoded code. */
  onCodeWrite: ((page: number) => void) | undefined;
  readonly codePages = new Set<number>();

  /** Map zero-filled pages over [addr, addr + length); already mapped pages keep their contents. */
  map(addr: bigint, length: number): void {
    const first = addr >> SHIFT;
    const last = (addr + BigInt(Math.max(length, 1)) - 1n) >> SHIFT;
    for (let p = first; p <= last; p++) {
      const key = Number(p);
      if (!this.pages.has(key)) this.pages.set(key, new DataView(new ArrayBuffer(PAGE_SIZE)));
    }
  }

  unmap(addr: bigint, length: number): void {
    const first = addr >> SHIFT;
    const last = (addr + BigInt(Math.max(length, 1)) - 1n) >> SHIFT;
    for (let p = first; p <= last; p++) this.pages.delete(Number(p));
    this.lastKey = -1;
    this.lastPage = undefined;
  }

  /** Reserve [addr, addr + length): its pages appear, zero-filled, when first touched. */
  reserve(addr: bigint, length: number): void {
    this.lazy.push([Number(addr >> SHIFT), Number((addr + BigInt(Math.max(length, 1)) - 1n) >> SHIFT)]);
  }

  /** Physical address of the bundle at ip (system mode translates it; here the identity). */
  fetchAddress(ip: bigint): bigint {
    return ip;
  }

  /** Eight bytes of code at a physical address; undefined when unmapped. */
  fetchRead(physical: bigint): bigint | undefined {
    return this.read(physical, 8);
  }

  isMapped(addr: bigint): boolean {
    return this.page(Number(addr >> SHIFT)) !== undefined;
  }

  /** The page with this number (address >> 12), mapping a reserved one on first touch (compiled code). */
  view(key: number): DataView | undefined {
    return this.page(key);
  }

  private page(key: number): DataView | undefined {
    if (key === this.lastKey) return this.lastPage;
    let p = this.pages.get(key);
    if (!p && this.lazy.some(([first, last]) => key >= first && key <= last)) {
      p = new DataView(new ArrayBuffer(PAGE_SIZE));
      this.pages.set(key, p);
    }
    if (p) {
      this.lastKey = key;
      this.lastPage = p;
    }
    return p;
  }

  /** Little-endian load of 1, 2, 4 or 8 bytes; undefined when any byte is unmapped. */
  read(addr: bigint, size: number): bigint | undefined {
    const off = Number(addr & OFFSET_MASK);
    if (off + size <= PAGE_SIZE) {
      const p = this.page(Number(addr >> SHIFT));
      if (!p) return undefined;
      switch (size) {
        case 1:
          return BigInt(p.getUint8(off));
        case 2:
          return BigInt(p.getUint16(off, true));
        case 4:
          return BigInt(p.getUint32(off, true));
        default:
          return p.getBigUint64(off, true);
      }
    }
    return this.readBytewise(addr, size);
  }

  /** An access across a page boundary, byte by byte through `read` (which a subclass may translate). */
  protected readBytewise(addr: bigint, size: number): bigint | undefined {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) {
      const b = this.read(addr + BigInt(i), 1);
      if (b === undefined) return undefined;
      v = (v << 8n) | b;
    }
    return v;
  }

  /** Little-endian store; false (nothing written) when any byte is unmapped. */
  write(addr: bigint, size: number, value: bigint): boolean {
    const off = Number(addr & OFFSET_MASK);
    const key = Number(addr >> SHIFT);
    if (off + size <= PAGE_SIZE) {
      const p = this.page(key);
      if (!p) return false;
      if (this.codePages.has(key)) this.onCodeWrite?.(key);
      switch (size) {
        case 1:
          p.setUint8(off, Number(value & 0xffn));
          return true;
        case 2:
          p.setUint16(off, Number(value & 0xffffn), true);
          return true;
        case 4:
          p.setUint32(off, Number(value & 0xffffffffn), true);
          return true;
        default:
          p.setBigUint64(off, BigInt.asUintN(64, value), true);
          return true;
      }
    }
    for (let i = 0; i < size; i++) if (!this.isMapped(addr + BigInt(i))) return false;
    for (let i = 0; i < size; i++) this.write(addr + BigInt(i), 1, value >> BigInt(8 * i));
    return true;
  }

  /** Copy bytes in (host use: loaders, system calls); false when a page is unmapped. */
  writeBytes(addr: bigint, bytes: Uint8Array): boolean {
    for (let i = 0; i < bytes.length; i++)
      if (!this.write(addr + BigInt(i), 1, BigInt(bytes[i]))) return false;
    return true;
  }

  /** Copy bytes out; undefined when a page is unmapped. */
  readBytes(addr: bigint, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const b = this.read(addr + BigInt(i), 1);
      if (b === undefined) return undefined;
      out[i] = Number(b);
    }
    return out;
  }
}
