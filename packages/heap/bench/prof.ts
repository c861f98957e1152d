import { ArrayRegion, Heap } from '../src/index.js';
import { churn } from './workloads.js';

const s = churn(30000, 3_000_000);
const heap = Heap.create(new ArrayRegion(new ArrayBuffer(64 << 20)));
const ptr = new Float64Array(s.slotCount);
for (let rep = 0; rep < 2; rep++) {
  const t0 = performance.now();
  for (let i = 0; i < s.slots.length; i++) {
    const size = s.sizes[i];
    if (size >= 0) ptr[s.slots[i]] = heap.malloc(size);
    else heap.free(ptr[s.slots[i]]);
  }
  for (let i = 0; i < s.slotCount; i++) heap.free(ptr[i]);
  console.log((s.slots.length / (performance.now() - t0) / 1000).toFixed(2));
}
