// QEMU's firmware configuration interface (selector 0x510, data 0x511; no DMA), the channel
// through which SeaBIOS finds extra files such as a VGA option ROM ("vgaroms/…"). Items are
// byte strings chosen by a 16-bit selector; reading past an item's end gives zeros.
import { type DeviceRecord, RecordReader, type SavableDevice } from './state.js';
import { DeviceConfigError, type PortDevice } from './types.js';

const SIGNATURE = 0x0000;
const ID = 0x0001;
const FILE_DIR = 0x0019;
/** QEMU's numbered items a board sets (docs/specs/fw_cfg.rst). */
export const FW_CFG_RAM_SIZE = 0x0003;
export const FW_CFG_NB_CPUS = 0x0005;
export const FW_CFG_MAX_CPUS = 0x000f;
const FIRST_FILE = 0x0020;
const NAME_BYTES = 56;

export class FwCfg implements PortDevice, SavableDevice {
  private readonly items = new Map<number, Uint8Array>();
  private readonly files: { name: string; selector: number; size: number }[] = [];
  private selected = 0;
  private offset = 0;

  constructor() {
    this.items.set(SIGNATURE, new TextEncoder().encode('QEMU'));
    this.items.set(ID, new Uint8Array([1, 0, 0, 0])); // traditional interface only
    this.rebuildDirectory();
  }

  /** The items themselves are the board's configuration; the guest's place in them is state. */
  save(): DeviceRecord {
    return { version: 1, selected: this.selected, offset: this.offset };
  }

  load(record: DeviceRecord): void {
    const r = new RecordReader('fw-cfg', record, [1]);
    const selected = r.int('selected', 0, 0xffff);
    this.offset = r.int('offset');
    this.selected = selected;
  }

  /** Set a numbered item to a little-endian integer of `bytes` bytes (e.g. 0x05, the CPU count). */
  setNumber(selector: number, value: bigint | number, bytes: 2 | 4 | 8): void {
    if (selector < 0 || selector >= FIRST_FILE || selector === FILE_DIR)
      throw new DeviceConfigError(`fw_cfg item 0x${selector.toString(16)} is not a numbered item`);
    const data = new Uint8Array(bytes);
    let v = BigInt(value);
    for (let i = 0; i < bytes; i++, v >>= 8n) data[i] = Number(v & 0xffn);
    this.items.set(selector, data);
  }

  /** Publish a named file (e.g. "vgaroms/vgabios.bin"). */
  addFile(name: string, data: Uint8Array): void {
    if (name.length === 0 || name.length >= NAME_BYTES)
      throw new DeviceConfigError(`fw_cfg file name ${JSON.stringify(name)}`);
    if (this.files.some((f) => f.name === name))
      throw new DeviceConfigError(`fw_cfg file ${name} added twice`);
    const selector = FIRST_FILE + this.files.length;
    this.files.push({ name, selector, size: data.length });
    this.items.set(selector, data);
    this.rebuildDirectory();
  }

  /** Directory: big-endian count, then per file size (BE32), selector (BE16), 0, name[56]. */
  private rebuildDirectory(): void {
    const dir = new Uint8Array(4 + 64 * this.files.length);
    const v = new DataView(dir.buffer);
    v.setUint32(0, this.files.length);
    this.files.forEach((f, i) => {
      const e = 4 + 64 * i;
      v.setUint32(e, f.size);
      v.setUint16(e + 4, f.selector);
      dir.set(new TextEncoder().encode(f.name), e + 8);
    });
    this.items.set(FILE_DIR, dir);
  }

  read(port: number): number {
    if (port !== 0x511) return 0;
    const item = this.items.get(this.selected);
    const byte = item && this.offset < item.length ? item[this.offset] : 0;
    this.offset++;
    return byte;
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    if (port === 0x510 && size >= 2) {
      this.selected = value & 0xffff;
      this.offset = 0;
    }
  }
}
