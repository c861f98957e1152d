// Shared shapes for board devices: a port-mapped device and an interrupt line.

/** A device reachable through port I/O. `port` is the absolute port number. */
export interface PortDevice {
  read(port: number, size: 1 | 2 | 4): number;
  write(port: number, size: 1 | 2 | 4, value: number): void;
}

/** Where devices drive their interrupt request lines (the PIC pair on a PC). */
export interface IrqSink {
  setIrq(irq: number, level: boolean): void;
}

/** Raise then lower a line: one rising edge for an edge-triggered controller. */
export function pulseIrq(sink: IrqSink, irq: number): void {
  sink.setIrq(irq, true);
  sink.setIrq(irq, false);
}

/** Bad host-side configuration of a device or board (never raised by guest actions). */
export class DeviceConfigError extends Error {
  override name = 'DeviceConfigError';
}

export const ALL_ONES = [0, 0xff, 0xffff, 0, 0xffffffff] as const;
