export { AddressSpaceAllocator, type AllocOptions, type AspaceStats, PAGE_SIZE } from './address-space.js';
export {
  AlignmentError,
  AspaceError,
  DoubleFreeError,
  InvalidRequestError,
  OutOfAddressSpaceError,
  OverlapError,
  UnknownRangeError,
} from './errors.js';
export { IoMapper, type IoMapping } from './io-map.js';
export { type Arch, IA32_POOL, IA64_POOL, MIPS32_POOL, POOLS, type Pool } from './pools.js';
