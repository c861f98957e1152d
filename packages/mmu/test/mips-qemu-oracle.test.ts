// Replays test/programs/mips-tlb-oracle.S on MipsTlb and compares with what QEMU (malta, 24Kf, 16 TLB
// entries) produced for it: mips-tlb-oracle.qemu.bin, big-endian words — 11 register read-backs, then
// for each access: vector (0 none, 1 refill, 2 general), ExcCode, and the BadVAddr, EntryHi and
// Context the last exception left, and the loaded word (each marker word holds its own physical
// address); then user-mode exceptions as (vector, ExcCode, BadVAddr) triples.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MIPS_ADDRESS_ERROR,
  MIPS_MODE_KERNEL,
  MIPS_MODE_USER,
  MIPS_MODIFIED,
  MIPS_REFILL,
  MipsTlb,
} from '../src/index.js';

function replay(): number[] {
  const tlb = new MipsTlb({ entries: 16 });
  const out: number[] = [];
  const write = (index: number, hi: number, lo0: number, lo1: number, mask: number) => {
    tlb.setIndex(index);
    tlb.setEntryHi(hi);
    tlb.setEntryLo0(lo0);
    tlb.setEntryLo1(lo1);
    tlb.setPageMask(mask);
    tlb.tlbwi();
  };
  for (let i = 0; i < 16; i++) write(i, 0x80000000 + i * 0x2000, 0, 0, 0);
  tlb.setPageMask(0xffffffff);
  out.push(tlb.pageMask);
  const lo = (pfn: number, c: number, bits: number) => (pfn << 6) | (c << 3) | bits;
  write(0, 0x00400005, lo(0x200, 3, 6), lo(0x201, 2, 2), 0);
  write(1, 0x00410005, lo(0x203, 3, 4), lo(0x202, 3, 6), 0);
  write(2, 0x01006005, lo(0x204, 3, 6), lo(0x208, 3, 2), 0x6000);
  write(3, 0x02000007, lo(0x300, 3, 6), lo(0x400, 3, 6), 0x1fe000);
  write(4, 0xc0000009, lo(0x1000, 3, 7), lo(0x2000, 3, 7), 0x1ffe000);
  for (const index of [2, 4]) {
    tlb.setIndex(index);
    tlb.tlbr();
    out.push(tlb.entryHi, tlb.entryLo0, tlb.entryLo1, tlb.pageMask);
  }
  tlb.setEntryHi(0x01006005);
  tlb.tlbp();
  out.push(tlb.index);
  tlb.setEntryHi(0x00420005);
  tlb.tlbp();
  out.push((tlb.index & 0x80000000) >>> 0);

  const record = { badVAddr: 0, entryHi: 0, context: 0 };
  const access = (store: boolean, va: number) => {
    const r = tlb.translate(va, store, MIPS_MODE_KERNEL);
    if (r < 0) {
      record.badVAddr = tlb.badVAddr;
      record.entryHi = tlb.entryHi;
      record.context = tlb.context;
      const code = r === MIPS_MODIFIED ? 1 : store ? 3 : 2;
      out.push(r === MIPS_REFILL ? 1 : 2, code, record.badVAddr, record.entryHi, record.context, 0);
    } else {
      out.push(0, 0, record.badVAddr, record.entryHi, record.context, store ? 0 : r);
    }
  };
  const asid = (value: number) => tlb.setEntryHi(value);
  asid(5);
  access(false, 0x00400010);
  access(false, 0x00401010);
  access(true, 0x00401010);
  access(false, 0x00410010);
  access(true, 0x00410010);
  access(false, 0x00411010);
  access(false, 0x00420010);
  asid(5);
  access(true, 0x00420010);
  asid(5);
  access(false, 0x01003ff0);
  access(false, 0x01004010);
  access(true, 0x01004010);
  access(false, 0x02000010);
  asid(7);
  access(false, 0x02100010);
  access(false, 0x00400010);
  asid(7);
  access(false, 0xc0000010);
  access(false, 0xc1000010);
  asid(5);
  access(false, 0xc1fffff0);

  // User mode: code mapped at 0x00600000 by a global entry; exceptions logged as
  // (vector, ExcCode, BadVAddr), the log printed as its length in words, then the words.
  write(5, 0x00600005, lo(0x1000, 3, 7), lo(0x1001, 3, 7), 0);
  asid(5);
  const log: number[] = [];
  const user = (store: boolean, va: number) => {
    expect(tlb.translate(0x00600000, false, MIPS_MODE_USER)).toBe(0x01000000); // the fetch
    const r = tlb.translate(va, store, MIPS_MODE_USER);
    if (r >= 0) return;
    const code = r === MIPS_ADDRESS_ERROR ? (store ? 5 : 4) : r === MIPS_MODIFIED ? 1 : store ? 3 : 2;
    log.push(r === MIPS_REFILL ? 1 : 2, code, tlb.badVAddr);
  };
  user(false, 0x00400010);
  user(false, 0x80000010);
  user(true, 0xc0000010);
  user(false, 0xa0000000);
  user(false, 0x00420010);
  log.push(2, 8, tlb.badVAddr); // SYSCALL: BadVAddr keeps its last value
  out.push(log.length, ...log);
  return out;
}

describe('MipsTlb against QEMU (mips-tlb-oracle)', () => {
  const USER_LOG = 11 + 17 * 6;
  const bytes = readFileSync(resolve(import.meta.dirname, 'programs/mips-tlb-oracle.qemu.bin'));
  const qemu: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) qemu.push(bytes.readUInt32BE(i));
  const ours = replay();

  it('has the same number of words (11 read-backs + 17 accesses × 6 + user-mode log)', () => {
    expect(qemu.length).toBe(11 + 17 * 6 + 1 + 15);
    expect(ours.length).toBe(qemu.length);
  });

  it('matches PageMask, TLBR and TLBP read-backs', () => {
    expect(ours.slice(0, 11).map((w) => w.toString(16))).toEqual(
      qemu.slice(0, 11).map((w) => w.toString(16)),
    );
  });

  it('matches every access: outcome, exception vector and code, BadVAddr, EntryHi, Context, data', () => {
    for (let i = 11; i < 11 + 17 * 6; i += 6) {
      expect({ access: (i - 11) / 6, words: ours.slice(i, i + 6) }).toEqual({
        access: (i - 11) / 6,
        words: qemu.slice(i, i + 6),
      });
    }
  });

  it('matches user mode: kuseg mapped, address errors for kseg0/kseg1/kseg2 (AdEL/AdES), refill', () => {
    expect(ours.slice(USER_LOG).map((w) => w.toString(16))).toEqual(
      qemu.slice(USER_LOG).map((w) => w.toString(16)),
    );
  });
});
