import { describe, expect, it } from 'vitest';
import * as heap from '../src/index.js';

describe('typed errors', () => {
  const cases: [heap.HeapError, string][] = [
    [new heap.HeapOutOfMemoryError(64, 0x1000), 'HeapOutOfMemoryError'],
    [new heap.DoubleFreeError(0x1008), 'DoubleFreeError'],
    [new heap.InvalidPointerError(0x1008, 'why'), 'InvalidPointerError'],
    [new heap.InteriorPointerError(0x1010, 0x1008), 'InteriorPointerError'],
    [new heap.OutsideHeapError(0x10, 0x1000, 0x2000), 'OutsideHeapError'],
    [new heap.CorruptedHeaderError(0x1000, 'detail'), 'CorruptedHeaderError'],
    [new heap.HeapFormatError(0x1000, 'why'), 'HeapFormatError'],
    [new heap.HeapArgumentError(0x1000, 'why'), 'HeapArgumentError'],
  ];
  it.each(cases)('%s is named %s, is a HeapError and names its address', (error, name) => {
    expect(error.name).toBe(name);
    expect(String(error).startsWith(`${name}: `)).toBe(true);
    expect(error).toBeInstanceOf(heap.HeapError);
    expect(error.message).toContain(`(address 0x${error.address.toString(16).padStart(8, '0')})`);
  });
});
