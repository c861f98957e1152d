// Guest RAM inside a WebAssembly.Memory, with room after it for the tables that code compiled
// to WebAssembly reads (a module reaches one memory only: RAM, the soft TLB and the CPU's maps
// must share it). The memory never grows, so every view taken of it stays valid.
import { InvalidArgumentError } from './errors.js';

/** A WebAssembly.Memory (typed here: the packages build against ES2022 without the DOM lib). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const wasmApi = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => WasmMemory };
  }
).WebAssembly;

const WASM_PAGE = 0x1_0000;
/** wasm32's address space: RAM and tables together must fit below 4 GiB. */
const WASM_MAX_BYTES = 0x1_0000_0000;

export class WasmArena {
  readonly memory: WasmMemory;
  /** Bytes at the start of the memory that are guest RAM. */
  readonly ramSize: number;
  /** Total bytes of the memory (RAM plus tables). */
  readonly byteLength: number;
  private next: number;

  constructor(ramSize: number, tableBytes: number) {
    const total = align(ramSize, WASM_PAGE) + align(tableBytes, WASM_PAGE);
    if (total > WASM_MAX_BYTES) {
      throw new InvalidArgumentError(
        `RAM ${ramSize} plus ${tableBytes} bytes of tables does not fit a WebAssembly memory (4 GiB)`,
      );
    }
    const pages = total / WASM_PAGE;
    this.memory = new wasmApi.Memory({ initial: pages, maximum: pages });
    this.ramSize = ramSize;
    this.byteLength = total;
    this.next = align(ramSize, WASM_PAGE);
  }

  /** True when a table of `bytes` bytes still fits (callers fall back to plain arrays otherwise). */
  fits(bytes: number): boolean {
    return align(this.next, 64) + bytes <= this.byteLength;
  }

  /** Byte offset of a new zeroed table of `bytes` bytes (aligned to 64). */
  take(bytes: number): number {
    const at = align(this.next, 64);
    if (!this.fits(bytes)) {
      throw new InvalidArgumentError(`wasm arena full: ${bytes} bytes asked, ${this.byteLength - at} left`);
    }
    this.next = at + bytes;
    return at;
  }

  /** A new zeroed Int32Array of `length` elements in the arena. */
  int32(length: number): Int32Array {
    return new Int32Array(this.memory.buffer, this.take(length * 4), length);
  }

  /** A new zeroed Uint8Array of `length` bytes in the arena. */
  bytes(length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, this.take(length), length);
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
