// Model-based check: random sequences of editor operations and guest accesses, compared with a model
// that knows only the mappings and the SDM's rules (§4.6.1 access rights with CR0.WP = 1, §4.7 codes).
// The editor invalidates through its callback, so the soft TLB must never serve a stale translation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCESS_READ, ACCESS_WRITE, CR4_PGE, CR4_PSE, FAULT, type PageAttributes } from '../src/index.js';
import { pagedMachine } from './ia32-helpers.js';

const PAGES = 4; // linear pages spread over two page tables, few enough that operations collide
const vaOf = (page: number) => 0x00800000 + (page % 2) * 0x1000 + Math.floor(page / 2) * 0x400000;

type Op =
  | { kind: 'map'; page: number; frame: number; attrs: PageAttributes }
  | { kind: 'unmap'; page: number }
  | { kind: 'protect'; page: number; attrs: PageAttributes }
  | { kind: 'access'; page: number; offset: number; write: boolean; user: boolean; value: number }
  | { kind: 'cr3' }
  | { kind: 'epoch' }
  | { kind: 'mapLarge'; attrs: PageAttributes }
  | { kind: 'unmapLarge' }
  | { kind: 'protectLarge'; attrs: PageAttributes }
  | { kind: 'accessLarge'; offset: number; write: boolean; user: boolean; value: number };

/** One 4 MiB page at this linear address, mapped to physical 0 (the 4 KiB frames alias into it). */
const LARGE = 0x01000000;

const attrs = fc.record({ writable: fc.boolean(), user: fc.boolean(), global: fc.boolean() });
const page = fc.integer({ min: 0, max: PAGES - 1 });
const access = (offset: fc.Arbitrary<number>) =>
  fc.record({
    kind: fc.constant('access' as const),
    page,
    offset,
    write: fc.boolean(),
    user: fc.boolean(),
    value: fc.integer({ min: 0, max: 0xffffffff }),
  });
// Weighted so that accesses, remaps and invalidations of the same few pages interleave often.
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('map' as const),
      page,
      frame: fc.integer({ min: 1, max: 200 }),
      attrs,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('unmap' as const), page }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('protect' as const), page, attrs }) },
  { weight: 5, arbitrary: access(fc.integer({ min: 0, max: 0xffc })) },
  { weight: 2, arbitrary: access(fc.constant(0)) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cr3' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'epoch' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mapLarge' as const), attrs }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unmapLarge' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('protectLarge' as const), attrs }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('accessLarge' as const),
      // a few hot 4 KiB pages inside the large page, at offsets that also hit the aliased small frames
      offset: fc
        .tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 0x3ff }))
        .map(([p, o]) => p * 0x80000 + o * 4),
      write: fc.boolean(),
      user: fc.boolean(),
      value: fc.integer({ min: 0, max: 0xffffffff }),
    }),
  },
);

describe('Ia32Mmu against a model', () => {
  it('property: every access gives the model physical address or the model #PF code; data lands in the model frame', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 40, maxLength: 150 }), (ops) => {
        // CR4.PGE on: global entries survive the CR3 loads below, so only the editor's INVLPGs keep them right.
        const { memory, mmu, editor } = pagedMachine({ wp: true, cr4: CR4_PGE | CR4_PSE });
        let large: PageAttributes | undefined;
        const watched = new Set<number>();
        mmu.writeWatcher = (_linear, physical) => {
          const frame = physical >>> 12;
          expect(watched.has(frame)).toBe(false); // once per frame per epoch
          watched.add(frame);
        };
        const model = new Map<number, { frame: number; attrs: PageAttributes }>();
        const content = new Map<number, number>(); // physical address → last 32-bit value written
        for (const o of ops) {
          if (o.kind === 'map') {
            if (model.has(o.page)) continue;
            editor.map(vaOf(o.page), o.frame * 4096, o.attrs);
            model.set(o.page, { frame: o.frame, attrs: o.attrs });
          } else if (o.kind === 'unmap') {
            if (!model.has(o.page)) continue;
            editor.unmap(vaOf(o.page));
            model.delete(o.page);
          } else if (o.kind === 'protect') {
            const m = model.get(o.page);
            if (!m) continue;
            editor.protect(vaOf(o.page), o.attrs);
            m.attrs = o.attrs;
          } else if (o.kind === 'mapLarge') {
            if (large) continue;
            editor.mapLarge(LARGE, 0, o.attrs);
            large = o.attrs;
          } else if (o.kind === 'unmapLarge') {
            if (!large) continue;
            editor.unmapLarge(LARGE);
            large = undefined;
          } else if (o.kind === 'protectLarge') {
            if (!large) continue;
            editor.protect(LARGE, o.attrs);
            large = o.attrs;
          } else if (o.kind === 'accessLarge') {
            const va = LARGE + o.offset;
            let code = -1;
            if (!large) code = (o.write ? 2 : 0) | (o.user ? 4 : 0);
            else if ((o.user && !large.user) || (o.write && !large.writable))
              code = 1 | (o.write ? 2 : 0) | (o.user ? 4 : 0);
            const r = o.write ? mmu.writeLinear32(va, o.value, o.user) : mmu.readLinear32(va, o.user);
            if (code >= 0) {
              expect(r).toBe(FAULT);
              expect(mmu.faultErrorCode).toBe(code);
            } else if (o.write) {
              expect(r).toBe(0);
              for (const key of content.keys()) if (Math.abs(key - o.offset) < 4) content.delete(key);
              content.set(o.offset, o.value >>> 0);
            } else {
              expect(r).toBe(memory.read32(o.offset));
              if (content.has(o.offset)) expect(r).toBe(content.get(o.offset));
            }
          } else if (o.kind === 'cr3') {
            mmu.setCr3(mmu.cr3);
          } else if (o.kind === 'epoch') {
            mmu.bumpWriteEpoch();
            watched.clear();
          } else {
            const va = vaOf(o.page) + o.offset;
            const m = model.get(o.page);
            let expectedCode = -1;
            if (!m) expectedCode = (o.write ? 2 : 0) | (o.user ? 4 : 0);
            else if ((o.user && !m.attrs.user) || (o.write && !m.attrs.writable)) {
              expectedCode = 1 | (o.write ? 2 : 0) | (o.user ? 4 : 0);
            }
            const physical = m ? m.frame * 4096 + o.offset : -1;
            if (o.write) {
              const r = mmu.writeLinear32(va, o.value, o.user);
              if (expectedCode >= 0) {
                expect(r).toBe(FAULT);
                expect(mmu.faultErrorCode).toBe(expectedCode);
                expect(mmu.faultAddress).toBe(va);
              } else {
                expect(r).toBe(0);
                for (const key of content.keys()) if (Math.abs(key - physical) < 4) content.delete(key);
                content.set(physical, o.value >>> 0);
                expect(memory.read32(physical)).toBe(o.value >>> 0);
              }
            } else {
              const r = mmu.readLinear32(va, o.user);
              if (expectedCode >= 0) {
                expect(r).toBe(FAULT);
                expect(mmu.faultErrorCode).toBe(expectedCode);
              } else {
                expect(r).toBe(memory.read32(physical));
                if (content.has(physical)) expect(r).toBe(content.get(physical));
                expect(mmu.translate(va, ACCESS_READ, o.user)).toBe(physical);
                if (m?.attrs.writable) expect(mmu.translate(va, ACCESS_WRITE, o.user)).toBe(physical);
              }
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
