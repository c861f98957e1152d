// The Phantasm system on the PC board: the eight boot stages of DESIGN §4, each timed and logged,
// composing every package (vm86, physalloc, mmu, heap, aspace, vm-map), then the kernel's run loop.
import { AddressSpaceAllocator, IoMapper } from '@phantasm/aspace';
import { createKernelHeap, Heap, HeapFormatError } from '@phantasm/heap';
import { PhysAllocator, type PhysAllocator as PhysAllocatorType } from '@phantasm/physalloc';
import { type SnapshotResult, UntrustedDiskError } from '@phantasm/vm-map';
import { Vm86Monitor } from '@phantasm/vm86';
import { PcBoard } from '../boards/pc/pc-board.js';
import { LAYOUT } from './abi.js';
import { Ia32Arch } from './arch/ia32/ia32-arch.js';
import { installKernelImage } from './arch/ia32/kernel-image.js';
import { buildKernelPaging, type KernelPaging } from './arch/ia32/paging.js';
import { KernelConsole } from './console.js';
import { FrameOwners, OWNER_CODES } from './frame-owners.js';
import { builtinPrograms } from './guests.js';
import { Kernel, SpawnError, TIMER_HZ } from './kernel.js';
import { ObjectMemory, ObjectSpaceRegion, type OpenedSpace, openObjectSpace } from './object-space.js';
import { PcPlatform } from './platform/pc.js';
import { ThreadTable } from './threads.js';
import type {
  GuestProgram,
  KernelStateRecord,
  MemoryMapReport,
  MemoryRange,
  PhysicalOwner,
  SystemOptions,
  SystemRunOptions,
  SystemRunResult,
  ThreadRecord,
  VirtualUse,
} from './types.js';

/** Boot could not complete: a clear one-line reason (bad disk, no memory map, bad guest ...). */
export class BootError extends Error {
  override name = 'BootError';
}

const VGA_WINDOW = { physical: 0xa0000, size: 0x20000 };
const TEXT_OFFSET = 0x18000; // 0xB8000 inside the window
/** Frames kept back from the object space for page tables and kernel-heap growth. */
const FRAME_RESERVE = 512;
const CONTEXT_WORDS = 10;

export interface BootStage {
  stage: number;
  name: string;
  ms: number;
  detail: string;
}

export class PhantasmSystem {
  readonly board: PcBoard;
  readonly kernel: Kernel;
  readonly stages: BootStage[];
  readonly fresh: boolean;
  /** The BIOS, callable from the booted kernel through vm86 (its window lives in the low arena). */
  readonly bios: Vm86Monitor;
  private readonly phys: PhysAllocatorType;
  private readonly owners: FrameOwners;
  private readonly paging: KernelPaging;
  private readonly aspace: AddressSpaceAllocator;
  private readonly deviceWindows: IoMapper;
  private readonly kernelHeap: Heap;
  private readonly console: KernelConsole;
  private readonly disk: SystemOptions['disk'];
  private closed = false;

  private constructor(parts: {
    board: PcBoard;
    kernel: Kernel;
    stages: BootStage[];
    fresh: boolean;
    bios: Vm86Monitor;
    phys: PhysAllocatorType;
    owners: FrameOwners;
    paging: KernelPaging;
    aspace: AddressSpaceAllocator;
    deviceWindows: IoMapper;
    kernelHeap: Heap;
    console: KernelConsole;
    disk: SystemOptions['disk'];
  }) {
    this.board = parts.board;
    this.kernel = parts.kernel;
    this.stages = parts.stages;
    this.fresh = parts.fresh;
    this.bios = parts.bios;
    this.phys = parts.phys;
    this.owners = parts.owners;
    this.paging = parts.paging;
    this.aspace = parts.aspace;
    this.deviceWindows = parts.deviceWindows;
    this.kernelHeap = parts.kernelHeap;
    this.console = parts.console;
    this.disk = parts.disk;
  }

  static boot(options: SystemOptions): PhantasmSystem {
    const log = options.log ?? (() => {});
    const stages: BootStage[] = [];
    const stage = <T>(n: number, name: string, work: () => [T, string]): T => {
      const t0 = performance.now();
      const [value, detail] = work();
      const ms = performance.now() - t0;
      stages.push({ stage: n, name, ms, detail });
      log(`[${ms.toFixed(1).padStart(7)} ms] stage ${n}: ${name}: ${detail}`);
      return value;
    };
    const memoryMiB = options.memoryMiB ?? 64;
    const console = new KernelConsole(options.console ?? (() => {}));

    // 1. firmware POST, up to the boot interrupt (IVT, BIOS data area and devices ready)
    const board = stage(1, 'firmware POST', () => {
      const b = new PcBoard({ memoryMiB, bios: options.bios });
      const r = b.run({ untilInterrupt: 0x19, maxInstructions: 100_000_000, timeoutMs: 60_000 });
      if (r.stop !== 'interrupt') throw new BootError(`the firmware did not finish its POST (${r.stop})`);
      return [
        b,
        `${options.bios ? 'BIOS image' : 'built-in BIOS'}, ${memoryMiB} MiB, ${r.instructions} instructions`,
      ];
    });
    const cpu = board.cpu;
    const arch = new Ia32Arch(cpu, board.memory);
    const platform = new PcPlatform(board);

    // 2. protected mode on the kernel image's tables; the memory map and the console through vm86
    const e820 = stage(2, 'BIOS services through vm86', () => {
      installKernelImage(board.memory);
      arch.enterProtectedMode();
      const bios = new Vm86Monitor({ cpu, memory: board.memory, onIdle: () => board.clock.advance(1e6) });
      try {
        const map = bios.e820();
        bios.call(0x10, { eax: 0x0003 }); // 80x25 colour text, cleared
        bios.call(0x10, { eax: 0x0100, ecx: 0x0607 }); // underline cursor
        const usable = map.filter((e) => e.type === 'usable').reduce((a, e) => a + e.length, 0);
        return [
          map,
          `int 15h E820: ${map.length} entries, ${(usable / 2 ** 20).toFixed(1)} MiB usable; int 10h: text mode 3`,
        ];
      } finally {
        bios.dispose();
      }
    });

    // 3. physalloc from the BIOS map, the kernel image reserved; vm86 keeps a window in the low arena
    const owners = new FrameOwners(board.memory.ramSize);
    const { phys, bios } = stage(3, 'physalloc', () => {
      const p = new PhysAllocator(e820, {
        kernelImage: { start: LAYOUT.kernelImage, end: LAYOUT.kernelEnd },
      });
      // BIOS services after boot run through a monitor whose window comes from the low arena
      const monitor = new Vm86Monitor({
        cpu,
        memory: board.memory,
        lowArena: owners.taggedLow(p.low, 'vm86'),
      });
      const s = p.stats();
      return [
        { phys: p, bios: monitor },
        `main ${s.main.free} frames free of ${s.main.total}, low ${s.low.free} free of ${s.low.total}`,
      ];
    });
    owners.mark(LAYOUT.kernelImage, LAYOUT.kernelEnd, 'kernel-image');

    // 4. kernel page tables: low memory and the kernel identity-mapped, page 0 unmapped, CR0.WP
    const paging = stage(4, 'kernel page tables', () => {
      const kp = buildKernelPaging(cpu, board.memory, owners.tagged(phys, 'page-tables'));
      return [
        kp,
        `directory at 0x${kp.directory.toString(16)}, ${kp.identityPages} pages identity-mapped, page 0 unmapped, CR0.WP set`,
      ];
    });

    // 5. the kernel heap (kernel end – 1 GiB), growing from physalloc
    const kernelHeap = stage(5, 'kernel heap', () => {
      const h = createKernelHeap({
        frames: owners.tagged(phys, 'kernel-heap'),
        editor: paging.editor,
        bus: board.memory,
        kernelEnd: LAYOUT.kernelEnd,
      });
      return [h, `0x${LAYOUT.kernelEnd.toString(16)} – 0x${LAYOUT.heapLimit.toString(16)}`];
    });

    // 6. aspace: the VGA window mapped uncached (page_map_io); the console draws through it
    const { aspace, deviceWindows } = stage(6, 'address space and device windows', () => {
      const a = AddressSpaceAllocator.forArch('ia32');
      const io = new IoMapper(a, paging.editor);
      const vga = io.mapIo(VGA_WINDOW.physical, VGA_WINDOW.size);
      const mmu = paging.mmu;
      const text = vga + TEXT_OFFSET;
      console.attachScreen({
        writeCells: (first, cells) => {
          const bytes = new Uint8Array(cells.buffer, cells.byteOffset, cells.byteLength);
          mmu.writeLinearBytes(text + first * 2, bytes, false);
        },
        setCursor: (i) => {
          board.io.write(0x3d4, 1, 0x0e);
          board.io.write(0x3d5, 1, (i >> 8) & 0xff);
          board.io.write(0x3d4, 1, 0x0f);
          board.io.write(0x3d5, 1, i & 0xff);
        },
      });
      return [
        { aspace: a, deviceWindows: io },
        `VGA memory 0x${VGA_WINDOW.physical.toString(16)} (128 KiB) at 0x${vga.toString(16)}, uncached`,
      ];
    });

    // 7. the object space on the disk: restore the last snapshot or format a fresh one
    const objectFrames = owners.tagged(phys, 'object-space');
    let maxResidentPages = 0;
    const opened = stage(7, 'object space (vm-map)', () => {
      const free = phys.stats().main.free;
      const maxResident = options.maxResidentPages ?? Math.max(64, free - FRAME_RESERVE);
      maxResidentPages = maxResident;
      let o: OpenedSpace;
      try {
        o = openObjectSpace(
          options.disk,
          board.memory.ram,
          objectFrames,
          paging.editor,
          paging.mmu,
          maxResident,
        );
      } catch (e) {
        if (e instanceof UntrustedDiskError) throw new BootError(`the disk cannot be trusted: ${e.message}`);
        throw e;
      }
      const r = o.recovery;
      const what = o.fresh
        ? 'formatted a fresh disk'
        : `restored snapshot generation ${r.generation}${r.fellBack ? ` (fell back: ${r.problems.join('; ')})` : ''}`;
      return [
        o,
        `${what}; 0x${LAYOUT.objectSpace.toString(16)} – 0x${LAYOUT.objectSpaceEnd.toString(16)}, at most ${maxResident} pages resident`,
      ];
    });
    const memory = new ObjectMemory(paging.mmu, opened.space);

    // 8. threads: resumed from the snapshot or started; timer, keyboard and the scheduler
    const programs = new Map<string, GuestProgram>(
      (options.programs ?? builtinPrograms()).map((p) => [p.name, p]),
    );
    const kernel = stage(8, 'threads and scheduler', () => {
      const saved = decodeState(opened.space.clientState);
      const region = new ObjectSpaceRegion(
        memory,
        LAYOUT.persistentHeap,
        LAYOUT.objectSpaceEnd - LAYOUT.persistentHeap,
      );
      let heap: Heap;
      try {
        heap = saved ? Heap.open(region) : Heap.create(region);
      } catch (e) {
        if (e instanceof HeapFormatError) throw new BootError(`the persistent heap is damaged: ${e.message}`);
        throw e;
      }
      const threads = new ThreadTable(kernelHeap, CONTEXT_WORDS);
      const k = new Kernel({
        platform,
        arch,
        threads,
        space: opened.space,
        memory,
        heap,
        console,
        programs,
        log,
        snapshotIntervalMs: options.snapshotIntervalMs ?? 5000,
        maxResidentPages,
        uptimeBaseNs: saved?.uptimeNs ?? 0,
      });
      let detail: string;
      if (saved) {
        threads.nextTid = saved.nextTid;
        for (const r of saved.threads) restoreThread(threads, r, opened.space.generation, arch);
        detail = `resumed ${threads.live().length} threads from uptime ${(saved.uptimeNs / 1e9).toFixed(2)} s`;
      } else detail = '';
      if (threads.live().length === 0) {
        for (const g of options.initial ?? [{ program: 'kvshell' }]) {
          try {
            k.spawn(g.program, g.arg ?? '');
          } catch (e) {
            if (e instanceof SpawnError) throw new BootError(`cannot start ${g.program}: ${e.message}`);
            throw e;
          }
        }
        detail = `${detail ? `${detail}; none alive, ` : ''}started ${threads
          .live()
          .map((t) => t.program)
          .join(', ')}`;
      }
      platform.startInterrupts(TIMER_HZ);
      k.start();
      return [k, `${detail}; PIT at ${TIMER_HZ} Hz`];
    });

    return new PhantasmSystem({
      board,
      kernel,
      stages,
      fresh: opened.fresh,
      bios,
      phys,
      owners,
      paging,
      aspace,
      deviceWindows,
      kernelHeap,
      console,
      disk: options.disk,
    });
  }

  run(options?: SystemRunOptions): SystemRunResult {
    return this.kernel.run(options);
  }

  typeKeys(text: string): void {
    this.kernel.typeKeys(text);
  }

  /** Typed keys no guest has read yet. */
  get pendingKeys(): number {
    return this.kernel.pendingKeys;
  }

  /** Everything written on the console since boot. */
  get consoleText(): string {
    return this.console.text;
  }

  get uptimeNs(): number {
    return this.kernel.uptimeNs;
  }

  threads(): ThreadRecord[] {
    return this.kernel.threads.all().map((t) => this.kernel.threads.record(t));
  }

  snapshotNow(): SnapshotResult {
    return this.kernel.snapshotNow();
  }

  /** Final snapshot, then the object space is closed (the disk stays open for the caller). */
  shutdown(): SnapshotResult {
    if (this.closed) throw new BootError('the system is already shut down');
    const result = this.kernel.snapshotNow();
    this.kernel.space.close();
    this.closed = true;
    return result;
  }

  memoryMap(): MemoryMapReport {
    const ram = this.board.memory.ramSize;
    const owners = this.owners.owners;
    const classify = (frame: number): PhysicalOwner => {
      const tagged = owners[frame];
      if (tagged !== 0) return OWNER_CODES[tagged];
      const address = frame * 4096;
      if (address < 0x100000) {
        const low = this.phys.low;
        return low.isFree(address) ? 'low-free' : 'bios';
      }
      return this.phys.main.isFree(address) ? 'free' : 'bios';
    };
    const physical: MemoryRange<PhysicalOwner>[] = [];
    for (let f = 0; f < ram / 4096; f++) {
      const owner = classify(f);
      const last = physical[physical.length - 1];
      if (last && last.owner === owner && last.end === f * 4096) last.end += 4096;
      else physical.push({ start: f * 4096, end: (f + 1) * 4096, owner });
    }
    const stats = this.kernel.space.stats;
    const heapEnd = Math.ceil(this.kernelHeap.stats().end / 4096) * 4096;
    const virtual: MemoryRange<VirtualUse>[] = [
      { start: 0, end: 0x1000, owner: 'unmapped' },
      { start: 0x1000, end: LAYOUT.kernelImage, owner: 'low-memory' },
      { start: LAYOUT.kernelImage, end: LAYOUT.kernelEnd, owner: 'kernel-image' },
      { start: LAYOUT.kernelEnd, end: heapEnd, owner: 'kernel-heap' },
      { start: heapEnd, end: LAYOUT.aspaceStart, owner: 'unmapped' },
    ];
    let at = LAYOUT.aspaceStart;
    for (const r of this.deviceWindows.list()) {
      const start = r.virtual & ~0xfff;
      if (start > at) virtual.push({ start: at, end: start, owner: 'unmapped' });
      at = start + this.aspace.sizeOf(start)! * 4096;
      virtual.push({ start, end: at, owner: 'device' });
    }
    virtual.push({ start: at, end: LAYOUT.aspaceEnd, owner: 'unmapped' });
    virtual.push({ start: LAYOUT.objectSpace, end: LAYOUT.persistentHeap, owner: 'guest' });
    virtual.push({ start: LAYOUT.persistentHeap, end: LAYOUT.objectSpaceEnd, owner: 'persistent-heap' });
    virtual.push({ start: LAYOUT.objectSpaceEnd, end: 2 ** 32, owner: 'unmapped' });
    return {
      ramBytes: ram,
      physical,
      virtual,
      objectSpace: {
        residentPages: stats.residentPages,
        dirtyPages: stats.dirtyPages,
        pages: this.kernel.space.pageCount,
      },
    };
  }

  /** The disk the system runs on. */
  get blockDevice(): SystemOptions['disk'] {
    return this.disk;
  }

  get pageTables(): KernelPaging {
    return this.paging;
  }
}

/** The kernel state in a snapshot, or undefined for a fresh disk (empty state). */
export function decodeState(bytes: Uint8Array): KernelStateRecord | undefined {
  if (bytes.length === 0) return undefined;
  let record: KernelStateRecord;
  try {
    record = JSON.parse(new TextDecoder().decode(bytes)) as KernelStateRecord;
  } catch {
    throw new BootError('the snapshot holds no Phantasm kernel state (not JSON)');
  }
  if (record.format !== 'phantasm-kernel') throw new BootError('the snapshot holds foreign client state');
  if (record.version !== 1)
    throw new BootError(`kernel state version ${record.version} is newer than this release reads (1)`);
  return record;
}

function restoreThread(threads: ThreadTable, r: ThreadRecord, generation: number, arch: Ia32Arch): void {
  if (r.pendingSnapshot && r.regs.length > 0) {
    const regs = [...r.regs];
    arch.setSyscallResult(regs, generation);
    threads.restore({ ...r, regs });
  } else threads.restore(r);
}
