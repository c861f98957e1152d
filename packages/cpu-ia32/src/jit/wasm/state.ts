// The words WebAssembly code shares with the CPU, in the memory's arena (Cpu.jitState): the
// registers (Cpu.regs is a view of the first eight), what the CPU passes in when a chain of
// WebAssembly blocks starts, and what the blocks leave for it when the chain ends.

/** EAX..EDI at words 0..7. */
/** EIP: where the chain starts, and where it stopped. */
export const S_EIP = 8;
/**
 * EFLAGS: the CPU's at the chain's start (its arithmetic bits may be stale where the lazy record
 * below holds them); `flags()` folds the record and the put flags into it.
 */
export const S_FLAGS = 9;
export const S_A20 = 10;
/** Ia32Mmu.writeTag: a write-TLB entry is a hit only with the current tag. */
export const S_WRITE_TAG = 11;
export const S_CS_LIMIT = 12;
/** The lazy record (kind -1: none; else the CPU's lazyOp, A, B, Res, Size, Mask). */
export const S_LAZY_KIND = 13;
export const S_LAZY_A = 14;
export const S_LAZY_B = 15;
export const S_LAZY_RES = 16;
export const S_LAZY_SIZE = 17;
export const S_LAZY_MASK = 18;
/** Flags set explicitly after the record (mask and values). */
export const S_PUT_MASK = 19;
export const S_PUT_VALUE = 20;
/**
 * Why the chain ended inside a block: 0 it did not; BAIL_BEFORE: the block stopped before an
 * instruction it leaves to the interpreter; BAIL_AFTER: it ran an instruction after which the
 * CPU must look again (POPF set IF or TF); BAIL_AFTER_STI: STI set IF (its interrupt shadow
 * covers the next instruction).
 */
export const S_BAIL = 21;
export const BAIL_BEFORE = 1;
export const BAIL_AFTER = 2;
export const BAIL_AFTER_STI = 3;
/**
 * The EFLAGS bits blocks may change in S_FLAGS beside the arithmetic ones (CLI/STI, CLD/STD and
 * POPF at a privilege level that allows it): what POPFD writes at CPL 0.
 */
export const BLOCK_FLAGS = 0x247fd5;
export const S_CS_BASE = 22;
/** The block compiler's mode key and epoch: a block runs only under its own. */
export const S_MODE = 23;
export const S_EPOCH = 24;
/** 1: the chain may start a block whose pass runs past the budget (run's finishBlock). */
export const S_FINISH = 25;
/** Byte offset of the code TLB (the read TLB of the CPL) with paging on; 0 with paging off. */
export const S_CODE_TLB = 26;
/** 1 with paging on (and then S_CODE_TLB 0 means no soft TLB: the chain stops). */
export const S_PAGING = 27;

/** FS and GS: base, and 1 when their limits allow every offset (else an access bails). */
export const S_FS_BASE = 28;
export const S_FS_OPEN = 29;
export const S_GS_BASE = 30;
export const S_GS_OPEN = 31;

/** Instructions the runner retired before the block it calls (RDTSC's count). */
export const S_DONE = 32;
/** 1 when RDTSC must fault (CR4.TSD outside CPL 0 in protected mode): it bails. */
export const S_TSC_DENY = 33;

export const STATE_WORDS = 40;

/**
 * The chain's block cache: direct-mapped by physical address, CACHE_ENTRIES entries of
 * ENTRY_WORDS words: physical address, EIP, mode, table index, instructions per pass, end EIP,
 * epoch checked, whether it reads the flags it found. (With 4096 entries, a chain of the Linux
 * boot's ~3,500 blocks ended 235 K times at a slot another block held; 71 K with 16384.)
 */
export const CACHE_ENTRIES = 16384;
export const ENTRY_WORDS = 8;
export const E_PHYS = 0;
export const E_EIP = 1;
export const E_MODE = 2;
export const E_INDEX = 3;
export const E_LENGTH = 4;
export const E_END = 5;
export const E_CHECKED = 6;
/** 1 when the block reads the flags it found (the runner folds them first: see WasmBlock). */
export const E_READS_FLAGS = 7;
/** Bytes of the block cache. */
export const WASM_CACHE_BYTES = CACHE_ENTRIES * ENTRY_WORDS * 4;

/** The cache slot of physical address p. */
export function cacheSlot(p: number): number {
  return (p ^ (p >>> 12)) & (CACHE_ENTRIES - 1);
}

/**
 * Bytes of tables a Cpu and its Ia32Mmu keep in a PhysicalMemory's WebAssembly arena (the
 * `wasmTableBytes` a board gives for blocks compiled to WebAssembly): the soft TLB (4 × 4 MiB),
 * the read and write page maps (2 × 1 MiB), jitState and the block cache.
 */
export const IA32_WASM_TABLE_BYTES = (18 << 20) + WASM_CACHE_BYTES + 0x20000;
