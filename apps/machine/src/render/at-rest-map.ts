// The memory map of a system that is not running (`phantasm inspect --memmap`): no RAM in use, the
// virtual map as the IA-32 layout reserves it, the object space's size from the disk.
import { LAYOUT } from '../kernel/abi.js';
import type { MemoryMapReport, MemoryRange, VirtualUse } from '../kernel/types.js';

/** The virtual ranges the layout reserves (the kernel heap and device windows at their full extent). */
export function layoutVirtualMap(): MemoryRange<VirtualUse>[] {
  return [
    { start: 0, end: 0x1000, owner: 'unmapped' },
    { start: 0x1000, end: LAYOUT.kernelImage, owner: 'low-memory' },
    { start: LAYOUT.kernelImage, end: LAYOUT.kernelEnd, owner: 'kernel-image' },
    { start: LAYOUT.kernelEnd, end: LAYOUT.heapLimit, owner: 'kernel-heap' },
    { start: LAYOUT.aspaceStart, end: LAYOUT.aspaceEnd, owner: 'device' },
    { start: LAYOUT.objectSpace, end: LAYOUT.persistentHeap, owner: 'guest' },
    { start: LAYOUT.persistentHeap, end: LAYOUT.objectSpaceEnd, owner: 'persistent-heap' },
    { start: LAYOUT.objectSpaceEnd, end: 2 ** 32, owner: 'unmapped' },
  ];
}

export function atRestMemoryMap(objectSpacePages: number): MemoryMapReport {
  return {
    ramBytes: 0,
    physical: [],
    virtual: layoutVirtualMap(),
    objectSpace: { residentPages: 0, dirtyPages: 0, pages: objectSpacePages },
  };
}
