// Small fakes shared by the device tests.
import type { IrqSink } from '../../src/devices/types.js';

/** Records every IRQ line change and counts rising edges per line. */
export class IrqRecorder implements IrqSink {
  readonly levels = new Map<number, boolean>();
  readonly edges = new Map<number, number>();

  setIrq(irq: number, level: boolean): void {
    if (level && !this.levels.get(irq)) this.edges.set(irq, (this.edges.get(irq) ?? 0) + 1);
    this.levels.set(irq, level);
  }

  edgeCount(irq: number): number {
    return this.edges.get(irq) ?? 0;
  }

  level(irq: number): boolean {
    return this.levels.get(irq) ?? false;
  }
}

/** Flat byte memory for DMA and VGA tests. */
export class FlatMemory {
  readonly bytes: Uint8Array;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }
  read8(addr: number): number {
    return this.bytes[addr];
  }
  write8(addr: number, value: number): void {
    this.bytes[addr] = value;
  }
}
