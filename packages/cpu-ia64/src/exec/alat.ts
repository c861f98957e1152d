// The advanced load address table: ld.a/ld.sa/ldf.a insert an entry per target register, stores that
// overlap an entry remove it, ld.c/chk.a look the register up. 32 entries, oldest replaced first.
// Registers are keyed by physical index (GR: 0..127, FR: 1000 + physical FR) so rotation and the
// register stack do not confuse them.

const CAPACITY = 32;

export class Alat {
  private readonly reg = new Int32Array(CAPACITY).fill(-1);
  private readonly addr: bigint[] = new Array(CAPACITY).fill(0n);
  private readonly size = new Uint8Array(CAPACITY);
  private next = 0;
  /** False while no entry can be live (every entry removed since the last clear): the compiled code's
   * loads and stores skip the table then. */
  used = false;

  clear(): void {
    this.reg.fill(-1);
    this.used = false;
  }

  insert(reg: number, addr: bigint, size: number): void {
    this.remove(reg);
    this.used = true;
    this.reg[this.next] = reg;
    this.addr[this.next] = addr;
    this.size[this.next] = size;
    this.next = (this.next + 1) % CAPACITY;
  }

  remove(reg: number): void {
    for (let i = 0; i < CAPACITY; i++) if (this.reg[i] === reg) this.reg[i] = -1;
  }

  /** True when `reg` has an entry for exactly this address and size. */
  has(reg: number, addr: bigint, size: number): boolean {
    for (let i = 0; i < CAPACITY; i++) {
      if (this.reg[i] === reg && this.addr[i] === addr && this.size[i] === size) return true;
    }
    return false;
  }

  /** True when `reg` has any entry (chk.a). */
  hasReg(reg: number): boolean {
    for (let i = 0; i < CAPACITY; i++) if (this.reg[i] === reg) return true;
    return false;
  }

  invalidateRange(addr: bigint, size: number): void {
    for (let i = 0; i < CAPACITY; i++) {
      if (this.reg[i] < 0) continue;
      const a = this.addr[i];
      if (a < addr + BigInt(size) && addr < a + BigInt(this.size[i])) this.reg[i] = -1;
    }
  }
}
