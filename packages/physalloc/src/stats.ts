// Fragmentation statistics in Linux's terms, computed from free runs of a bitmap.

/** Highest order reported, as Linux's MAX_PAGE_ORDER (blocks of up to 1024 frames, 4 MiB). */
export const MAX_ORDER = 10;

/**
 * Adds to perOrder[o] the blocks a buddy allocator would hold for the free frames
 * [first, end) (absolute frame numbers): the largest naturally aligned power-of-two blocks,
 * capped at MAX_ORDER. This is what /proc/buddyinfo would show after full coalescing.
 */
export function buddyBlocks(first: number, end: number, perOrder: number[]): void {
  while (first < end) {
    let order = MAX_ORDER;
    while (order > 0 && (first % 2 ** order !== 0 || first + 2 ** order > end)) order -= 1;
    perOrder[order] += 1;
    first += 2 ** order;
  }
}

/**
 * Linux's fragmentation index (mm/vmstat.c, __fragmentation_index) for a request of 2^order
 * frames, in thousandths:
 *   -1000 when a free block of that order or larger exists (the request would succeed);
 *   0 when there are no free blocks at all;
 *   otherwise 1000 - (1000 + free_pages * 1000 / requested) / free_blocks_total, with integer
 *   division: towards 0 the request fails for lack of memory, towards 1000 for fragmentation.
 */
export function fragmentationIndex(order: number, perOrder: readonly number[]): number {
  const requested = 2 ** order;
  let blocksTotal = 0;
  let freePages = 0;
  let suitable = 0;
  for (let o = 0; o < perOrder.length; o++) {
    blocksTotal += perOrder[o];
    freePages += perOrder[o] * 2 ** o;
    if (o >= order) suitable += perOrder[o] * 2 ** (o - order);
  }
  if (blocksTotal === 0) return 0;
  if (suitable > 0) return -1000;
  return 1000 - Math.floor((1000 + Math.floor((freePages * 1000) / requested)) / blocksTotal);
}
