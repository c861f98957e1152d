import { describe, expect, it } from 'vitest';
import {
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  CR0_PE,
  CR0_PG,
  CR0_WP,
  CR4_PGE,
  CR4_PSE,
  FAULT,
  type Ia32AccessKind,
  Ia32Mmu,
  PDE_PS,
  PhysicalMemory,
  PTE_A,
  PTE_D,
  PTE_G,
  PTE_P,
  PTE_PCD,
  PTE_PWT,
  PTE_RW,
  PTE_US,
} from '../src/index.js';
import { pagedMachine } from './ia32-helpers.js';

const V = 0x00801000; // a linear page used throughout
const F = 0x00003000; // its frame

describe('Ia32Mmu #PF error codes (SDM 3A §4.7, Figure 4-12; rules of §4.6.1)', () => {
  // Every combination of page state × access × CR0.WP, written out by hand from the SDM:
  // bit 0 P (0 = not present, 1 = protection), bit 1 W/R, bit 2 U/S; 'ok' = no fault.
  type Row = [state: string, access: 'sr' | 'sw' | 'ur' | 'uw', wp0: number | 'ok', wp1: number | 'ok'];
  const rows: Row[] = [
    ['absent', 'sr', 0x0, 0x0],
    ['absent', 'sw', 0x2, 0x2],
    ['absent', 'ur', 0x4, 0x4],
    ['absent', 'uw', 0x6, 0x6],
    ['ro-super', 'sr', 'ok', 'ok'],
    ['ro-super', 'sw', 'ok', 0x3],
    ['ro-super', 'ur', 0x5, 0x5],
    ['ro-super', 'uw', 0x7, 0x7],
    ['rw-super', 'sr', 'ok', 'ok'],
    ['rw-super', 'sw', 'ok', 'ok'],
    ['rw-super', 'ur', 0x5, 0x5],
    ['rw-super', 'uw', 0x7, 0x7],
    ['ro-user', 'sr', 'ok', 'ok'],
    ['ro-user', 'sw', 'ok', 0x3],
    ['ro-user', 'ur', 'ok', 'ok'],
    ['ro-user', 'uw', 0x7, 0x7],
    ['rw-user', 'sr', 'ok', 'ok'],
    ['rw-user', 'sw', 'ok', 'ok'],
    ['rw-user', 'ur', 'ok', 'ok'],
    ['rw-user', 'uw', 'ok', 'ok'],
  ];
  const states: Record<string, { writable: boolean; user: boolean } | undefined> = {
    absent: undefined,
    'ro-super': { writable: false, user: false },
    'rw-super': { writable: true, user: false },
    'ro-user': { writable: false, user: true },
    'rw-user': { writable: true, user: true },
  };
  for (const [state, access, wp0, wp1] of rows) {
    for (const [wp, expected] of [
      [false, wp0],
      [true, wp1],
    ] as const) {
      it(`${state} ${access} WP=${wp ? 1 : 0} → ${expected === 'ok' ? 'ok' : `#PF ${expected}`}`, () => {
        const { mmu, editor } = pagedMachine({ wp });
        const attrs = states[state];
        if (attrs) editor.map(V, F, attrs);
        else editor.map(V + 0x1000, F, { writable: true, user: true }); // page table exists, PTE absent
        const user = access[0] === 'u';
        const kind = access[1] === 'w' ? ACCESS_WRITE : ACCESS_READ;
        const result = mmu.translate(V + 0x123, kind, user);
        if (expected === 'ok') {
          expect(result).toBe(F + 0x123);
        } else {
          expect(result).toBe(FAULT);
          expect(mmu.faultErrorCode).toBe(expected);
          expect(mmu.faultAddress).toBe(V + 0x123);
        }
      });
    }
  }

  it('a page-directory entry not present gives P=0 as well', () => {
    const { mmu } = pagedMachine();
    expect(mmu.translate(0x12345678, ACCESS_WRITE, true)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x6);
    expect(mmu.faultAddress).toBe(0x12345678);
  });

  it('R/W and U/S of the PDE restrict a permissive PTE (the levels combine with AND)', () => {
    const { memory, cr3, mmu, editor } = pagedMachine({ wp: true });
    editor.map(V, F, { writable: true, user: true });
    const pdeAt = cr3 + (V >>> 22) * 4;
    memory.write32(pdeAt, memory.read32(pdeAt) & ~PTE_RW);
    expect(mmu.translate(V, ACCESS_WRITE, true)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x7);
    expect(mmu.translate(V, ACCESS_WRITE, false)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x3);
    memory.write32(pdeAt, (memory.read32(pdeAt) | PTE_RW) & ~PTE_US);
    mmu.flushAll();
    expect(mmu.translate(V, ACCESS_READ, true)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x5);
    expect(mmu.translate(V, ACCESS_WRITE, false)).toBe(F);
  });

  it('instruction fetches fault like reads; I/D stays 0 without PAE+NXE or SMEP (SDM §4.7)', () => {
    const { mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: false, user: false });
    expect(mmu.translate(V, ACCESS_EXEC, true)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x5);
    expect(mmu.translate(V + 0x2000, 'exec', false)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x0);
  });

  it('reserved bits 21:13 of a 4 MiB PDE give RSVD with P=1 (SDM Table 4-4, MAXPHYADDR 32)', () => {
    const { memory, cr3, mmu } = pagedMachine({ cr4: CR4_PSE });
    memory.write32(cr3 + 4 * 4, 0x01000000 | PTE_P | PTE_RW | PTE_US | PDE_PS | 0x2000);
    const cases: Array<[Ia32AccessKind, boolean, number]> = [
      [ACCESS_READ, false, 0x9],
      [ACCESS_WRITE, false, 0xb],
      [ACCESS_READ, true, 0xd],
      [ACCESS_WRITE, true, 0xf],
    ];
    for (const [kind, user, code] of cases) {
      expect(mmu.translate(0x01000010, kind, user)).toBe(FAULT);
      expect(mmu.faultErrorCode).toBe(code);
    }
  });

  it('with CR4.PSE=0 the PS bit is ignored: the PDE points to a page table, no RSVD', () => {
    const { memory, cr3, mmu } = pagedMachine();
    const table = 0x00200000;
    memory.write32(cr3 + 4 * 4, table | PTE_P | PTE_RW | PTE_US | PDE_PS);
    memory.write32(table + 5 * 4, 0x7000 | PTE_P);
    expect(mmu.translate(0x01005004, ACCESS_READ, false)).toBe(0x7004);
    expect(mmu.translate(0x01006000, ACCESS_READ, false)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0);
  });
});

describe('Ia32Mmu accessed and dirty bits (SDM 3A §4.8)', () => {
  it('sets A in PDE and PTE on the first read and D only on a write', () => {
    const { memory, cr3, mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: true });
    const pdeAt = cr3 + (V >>> 22) * 4;
    const pteAt = editor.pteAddress(V)!;
    expect(memory.read32(pteAt) & (PTE_A | PTE_D)).toBe(0);
    expect(mmu.readLinear32(V, true)).toBe(0);
    expect(memory.read32(pdeAt) & PTE_A).toBe(PTE_A);
    expect(memory.read32(pteAt) & (PTE_A | PTE_D)).toBe(PTE_A);
    expect(mmu.writeLinear8(V + 1, 0x5a, true)).toBe(0);
    expect(memory.read32(pteAt) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(memory.read32(pdeAt) & PTE_D).toBe(0); // D of a PDE that points to a table is ignored
    expect(memory.ram[F + 1]).toBe(0x5a);
  });

  it('a write through a read-filled entry walks again so that D gets set', () => {
    const { memory, mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: false });
    mmu.readLinear8(V, false);
    const walks = mmu.walks;
    mmu.writeLinear8(V, 1, false);
    expect(mmu.walks).toBe(walks + 1);
    expect(memory.read32(editor.pteAddress(V)!) & PTE_D).toBe(PTE_D);
  });

  it('a faulting access leaves A and D clear', () => {
    const { memory, mmu, editor } = pagedMachine({ wp: true });
    editor.map(V, F, { writable: false, user: false });
    expect(mmu.writeLinear8(V, 1, false)).toBe(FAULT);
    expect(memory.read32(editor.pteAddress(V)!) & (PTE_A | PTE_D)).toBe(0);
    expect(memory.ram[F]).toBe(0);
  });

  it('a PTE fault leaves the PDE accessed as a P6 does; with paging386AccessedRule it stays clear', () => {
    for (const rule386 of [false, true]) {
      for (const pte of ['absent', 'super'] as const) {
        const { memory, cr3, mmu, editor } = pagedMachine();
        mmu.paging386AccessedRule = rule386;
        editor.map(V, F, { writable: true, user: false });
        const pdeAt = cr3 + (V >>> 22) * 4;
        const pteAt = editor.pteAddress(V) as number;
        if (pte === 'absent') memory.write32(pteAt, 0);
        memory.write32(pdeAt, memory.read32(pdeAt) & ~PTE_A);
        mmu.flushAll();
        expect(mmu.readLinear8(V, true)).toBe(FAULT); // not present, or a user read of a supervisor page
        expect(memory.read32(pdeAt) & PTE_A, `${pte} 386=${rule386}`).toBe(rule386 ? 0 : PTE_A);
        if (pte === 'absent') continue;
        expect(mmu.readLinear8(V, false)).toBe(0); // an allowed access sets both, under either rule
        expect(memory.read32(pdeAt) & PTE_A).toBe(PTE_A);
        expect(memory.read32(pteAt) & PTE_A).toBe(PTE_A);
      }
    }
  });

  it('supervisor writes to a read-only page with CR0.WP=0 succeed and set D', () => {
    const { memory, mmu, editor } = pagedMachine({ wp: false });
    editor.map(V, F, { writable: false, user: true });
    expect(mmu.writeLinear32(V, 0xdeadbeef, false)).toBe(0);
    expect(memory.read32(F)).toBe(0xdeadbeef);
    expect(memory.read32(editor.pteAddress(V)!) & PTE_D).toBe(PTE_D);
    // Setting WP drops the cached permission: the same write now faults.
    mmu.setCr0(mmu.cr0 | CR0_WP);
    expect(mmu.writeLinear32(V, 0, false)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x3);
  });

  it('4 MiB pages set A and D in the PDE', () => {
    const { memory, cr3, mmu, editor } = pagedMachine({ cr4: CR4_PSE });
    editor.mapLarge(0x00c00000, 0x00400000, { writable: true, user: true });
    const pdeAt = cr3 + 3 * 4;
    expect(mmu.readLinear8(0x00c12345, true)).toBe(0);
    expect(memory.read32(pdeAt) & (PTE_A | PTE_D)).toBe(PTE_A);
    expect(mmu.writeLinear16(0x00c12345, 0xbeef, true)).toBe(0);
    expect(memory.read32(pdeAt) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(memory.read16(0x00412345)).toBe(0xbeef);
  });
});

describe('Ia32Mmu soft TLB', () => {
  it('hits without walking and keeps stale translations until INVLPG, like hardware', () => {
    const { memory, mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: true });
    memory.write32(F + 8, 0x11111111);
    memory.write32(0x9000 + 8, 0x22222222);
    expect(mmu.readLinear32(V + 8, false)).toBe(0x11111111);
    const walks = mmu.walks;
    expect(mmu.readLinear32(V + 8, false)).toBe(0x11111111);
    expect(mmu.walks).toBe(walks);
    // Change the PTE behind the TLB's back: the old translation stays cached.
    const pteAt = editor.pteAddress(V)!;
    memory.write32(pteAt, 0x9000 | PTE_P | PTE_RW | PTE_US);
    expect(mmu.readLinear32(V + 8, false)).toBe(0x11111111);
    mmu.invlpg(V + 0xabc);
    expect(mmu.readLinear32(V + 8, false)).toBe(0x22222222);
  });

  it('the editor invalidates through its callback on unmap', () => {
    const { mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: true });
    expect(mmu.readLinear8(V, true)).toBe(0);
    editor.unmap(V);
    expect(mmu.readLinear8(V, true)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x4);
  });

  it('global pages survive a CR3 load; non-global ones do not; a CR4.PGE change flushes both', () => {
    const { memory, mmu, editor } = pagedMachine({ cr4: CR4_PGE });
    editor.map(V, F, { writable: true, user: false, global: true });
    editor.map(V + 0x1000, F + 0x1000, { writable: true, user: false });
    expect(mmu.translate(V, ACCESS_READ, false)).toBe(F);
    expect(mmu.translate(V + 0x1000, ACCESS_READ, false)).toBe(F + 0x1000);
    expect(mmu.lastFlags & PTE_G).toBe(0);
    // Repoint both PTEs without INVLPG, then reload CR3.
    memory.write32(editor.pteAddress(V)!, 0x20000 | PTE_P | PTE_RW | PTE_G);
    memory.write32(editor.pteAddress(V + 0x1000)!, 0x21000 | PTE_P | PTE_RW);
    mmu.setCr3(mmu.cr3);
    expect(mmu.translate(V, ACCESS_READ, false)).toBe(F); // still cached: global
    expect(mmu.lastFlags & PTE_G).toBe(PTE_G);
    expect(mmu.translate(V + 0x1000, ACCESS_READ, false)).toBe(0x21000);
    mmu.setCr4(0);
    expect(mmu.translate(V, ACCESS_READ, false)).toBe(0x20000);
  });

  it('G is ignored while CR4.PGE is clear', () => {
    const { memory, mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: false, global: true });
    expect(mmu.translate(V, ACCESS_READ, false)).toBe(F);
    memory.write32(editor.pteAddress(V)!, 0x20000 | PTE_P | PTE_G);
    mmu.setCr3(mmu.cr3);
    expect(mmu.translate(V, ACCESS_READ, false)).toBe(0x20000);
    expect(mmu.probe(V)?.global).toBe(false);
  });

  it('INVLPG anywhere in a 4 MiB page drops the whole large translation', () => {
    const { memory, cr3, mmu, editor } = pagedMachine({ cr4: CR4_PSE });
    editor.mapLarge(0x00c00000, 0x00400000, { writable: true, user: false });
    expect(mmu.translate(0x00c01000, ACCESS_READ, false)).toBe(0x00401000);
    expect(mmu.translate(0x00ff0000, ACCESS_READ, false)).toBe(0x007f0000);
    expect(mmu.probe(0x00c01000)?.pageSize).toBe(0x400000);
    memory.write32(cr3 + 3 * 4, 0x00000000 | PTE_P | PDE_PS);
    mmu.invlpg(0x00e00000); // a page of the large page that was never touched
    expect(mmu.translate(0x00c01000, ACCESS_READ, false)).toBe(0x00001000);
    expect(mmu.translate(0x00ff0000, ACCESS_READ, false)).toBe(0x003f0000);
  });

  it('the user and supervisor entries are separate: a supervisor fill never lets a user access through', () => {
    const { mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: false });
    expect(mmu.readLinear32(V, false)).toBe(0);
    expect(mmu.writeLinear32(V, 1, false)).toBe(0);
    expect(mmu.readLinear32(V, true)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x5);
    expect(mmu.writeLinear32(V, 1, true)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x7);
  });

  it('one walk fills the read entries of both privilege levels that the page allows', () => {
    const { mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: true });
    editor.map(V + 0x1000, F + 0x1000, { writable: true, user: false });
    mmu.writeLinear8(V, 1, false);
    mmu.readLinear8(V + 0x1000, false);
    const walks = mmu.walks;
    expect(mmu.readLinear8(V, true)).toBe(1);
    expect(mmu.readLinear8(V, false)).toBe(1);
    expect(mmu.walks).toBe(walks);
    expect(mmu.readLinear8(V + 0x1000, true)).toBe(FAULT); // supervisor page: no user entry was made
    expect(mmu.walks).toBe(walks + 1);
  });

  it('reports PCD/PWT of the page it translated', () => {
    const { mmu, editor } = pagedMachine();
    editor.mapIo(0x40000000, 0x5000);
    expect(mmu.translate(0x40000004, ACCESS_READ, false)).toBe(0x5004);
    expect(mmu.lastFlags & (PTE_PCD | PTE_PWT)).toBe(PTE_PCD | PTE_PWT);
    expect(mmu.probe(0x40000004)).toEqual({
      physical: 0x5004,
      flags: PTE_P | PTE_RW | PTE_PCD | PTE_PWT | PTE_A,
      pageSize: 4096,
      uncached: true,
      global: false,
    });
  });

  it('with paging off, linear is physical and nothing faults', () => {
    const memory = new PhysicalMemory({ ramSize: 0x10000 });
    const mmu = new Ia32Mmu(memory);
    expect(mmu.writeLinear32(0x1234, 0xcafebabe, true)).toBe(0);
    expect(memory.read32(0x1234)).toBe(0xcafebabe);
    expect(mmu.translate(0xfffff000, 'write', true)).toBe(0xfffff000);
    expect(mmu.readLinear8(0x20000, false)).toBe(0xff); // open bus
    // Turning paging on drops the identity translations.
    mmu.setCr0(CR0_PE | CR0_PG);
    expect(mmu.readLinear8(0x1234, false)).toBe(FAULT);
  });

  it('routes MMIO pages to the device on every access but walks only once', () => {
    const { memory, mmu, editor } = pagedMachine();
    const seen: number[] = [];
    memory.mapMmio(0xfec00000, 0x1000, {
      read: (offset) => 0xab000000 + offset,
      write: (offset, _size, value) => seen.push(offset, value),
    });
    editor.mapIo(0x40000000, 0xfec00000);
    expect(mmu.readLinear32(0x40000010, false)).toBe(0xab000010);
    const walks = mmu.walks;
    expect(mmu.readLinear32(0x40000020, false)).toBe(0xab000020);
    expect(mmu.writeLinear32(0x40000030, 7, false)).toBe(0);
    expect(mmu.writeLinear32(0x40000034, 8, false)).toBe(0);
    expect(seen).toEqual([0x30, 7, 0x34, 8]);
    expect(mmu.walks).toBe(walks + 1); // the write entry's first fill only
  });

  it('mapping MMIO over RAM flushes translations that pointed straight into RAM', () => {
    const { memory, mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: false });
    expect(mmu.readLinear8(V, false)).toBe(0);
    memory.mapMmio(F, 0x1000, { read: () => 0x77, write: () => {} });
    expect(mmu.readLinear8(V, false)).toBe(0x77);
  });

  it('flushAll drops global entries too', () => {
    const { memory, mmu, editor } = pagedMachine({ cr4: CR4_PGE });
    editor.map(V, F, { writable: true, user: false, global: true });
    mmu.translate(V, ACCESS_READ, false);
    memory.write32(editor.pteAddress(V)!, 0x20000 | PTE_P | PTE_G);
    mmu.flushAll();
    expect(mmu.translate(V, ACCESS_READ, false)).toBe(0x20000);
  });

  it('keeps working when more pages are touched than the flush list holds', () => {
    const { mmu, editor } = pagedMachine({ cr4: CR4_PSE });
    for (let i = 0; i < 20; i++)
      editor.mapLarge(0x10000000 + i * 0x400000, 0, { writable: true, user: true });
    for (let p = 0; p < 20 * 1024; p++) expect(mmu.readLinear8(0x10000000 + p * 4096, true)).toBe(0);
    for (let p = 0; p < 70000 - 20 * 1024; p++) mmu.translate(0x20000000 + p * 4096, ACCESS_READ, false);
    expect(mmu.readLinear8(0x10000000, true)).toBe(0);
  });
});

describe('Ia32Mmu linear access helpers', () => {
  it('reads and writes 8/16/32-bit little-endian values inside a page', () => {
    const { memory, mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: true });
    expect(mmu.writeLinear32(V + 0x10, 0x89abcdef, true)).toBe(0);
    expect(mmu.writeLinear16(V + 0x20, 0x1234, true)).toBe(0);
    expect(mmu.writeLinear8(V + 0x30, 0x56, true)).toBe(0);
    expect(memory.read32(F + 0x10)).toBe(0x89abcdef);
    expect(mmu.readLinear32(V + 0x10, true)).toBe(0x89abcdef);
    expect(mmu.readLinear16(V + 0x11, true)).toBe(0xabcd);
    expect(mmu.readLinear16(V + 0x20, false)).toBe(0x1234);
    expect(mmu.readLinear8(V + 0x30, true)).toBe(0x56);
    expect(mmu.fetch8(V + 0x30, true)).toBe(0x56);
  });

  it('splits accesses that cross into a page mapped to an unrelated frame', () => {
    const { memory, mmu, editor } = pagedMachine();
    editor.map(V, 0x5000, { writable: true, user: true });
    editor.map(V + 0x1000, 0x2000, { writable: true, user: true });
    expect(mmu.writeLinear32(V + 0xffe, 0x44332211, true)).toBe(0);
    expect([memory.ram[0x5ffe], memory.ram[0x5fff], memory.ram[0x2000], memory.ram[0x2001]]).toEqual([
      0x11, 0x22, 0x33, 0x44,
    ]);
    expect(mmu.readLinear32(V + 0xffe, true)).toBe(0x44332211);
    expect(mmu.readLinear16(V + 0xfff, true)).toBe(0x3322);
    expect(mmu.writeLinear16(V + 0xfff, 0xbeef, false)).toBe(0);
    expect(mmu.readLinear32(V + 0xffe, true)).toBe(0x44beef11);
  });

  it('a crossing write whose second page faults writes nothing and reports the second page', () => {
    const { memory, mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: true });
    expect(mmu.writeLinear32(V + 0xffd, 0xffffffff, true)).toBe(FAULT);
    expect(mmu.faultAddress).toBe(V + 0x1000);
    expect(mmu.faultErrorCode).toBe(0x6);
    expect(memory.read32(F + 0xffc)).toBe(0);
    expect(mmu.readLinear32(V + 0xffe, false)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x0);
  });

  it('a crossing access at the top of the address space wraps to page 0', () => {
    const { mmu, editor } = pagedMachine();
    editor.map(0xfffff000, 0x5000, { writable: true, user: false });
    editor.map(0, 0x6000, { writable: true, user: false });
    expect(mmu.writeLinear32(0xfffffffe, 0xa1b2c3d4, false)).toBe(0);
    expect(mmu.readLinear16(0, false)).toBe(0xa1b2);
  });
});

describe('Ia32Mmu write epochs and the write watcher (DESIGN.md §5)', () => {
  function watched() {
    const m = pagedMachine();
    const events: Array<[number, number]> = [];
    m.mmu.writeWatcher = (linear, physical) => events.push([linear, physical]);
    for (let i = 0; i < 4; i++) m.editor.map(V + i * 0x1000, F + i * 0x1000, { writable: true, user: true });
    return { ...m, events };
  }

  it('fires exactly once per page per epoch, before the write lands', () => {
    const { memory, mmu, events } = watched();
    memory.write32(F + 4, 0x1234);
    let seenBefore = -1;
    mmu.writeWatcher = (linear, physical) => {
      events.push([linear, physical]);
      if (events.length === 1) seenBefore = memory.read32(F + 4);
    };
    for (let round = 0; round < 3; round++) {
      mmu.writeLinear32(V + 4, round, true);
      mmu.writeLinear8(V + 0x800, round, false); // supervisor write to the same page
      mmu.writeLinear16(V + 0x1002, round, true);
    }
    expect(events).toEqual([
      [V + 4, F + 4],
      [V + 0x1002, F + 0x1002],
    ]);
    expect(seenBefore).toBe(0x1234);
    expect(memory.read32(F + 4)).toBe(2);
  });

  it('bumpWriteEpoch is O(1): it touches no TLB entry, and the next writes refire without walking', () => {
    const { mmu, events } = watched();
    for (let i = 0; i < 4; i++) mmu.writeLinear32(V + i * 0x1000, 1, true);
    const entries = mmu.tlbUserWrite.slice(V >>> 12, (V >>> 12) + 4);
    const walks = mmu.walks;
    expect(events.length).toBe(4);
    expect(mmu.bumpWriteEpoch()).toBe(1);
    expect(mmu.tlbUserWrite.slice(V >>> 12, (V >>> 12) + 4)).toEqual(entries);
    for (let round = 0; round < 3; round++)
      for (let i = 0; i < 4; i++) mmu.writeLinear32(V + i * 0x1000, 2, true);
    expect(events.length).toBe(8);
    expect(mmu.walks).toBe(walks);
    // Reads are untouched by epochs.
    expect(mmu.readLinear32(V, true)).toBe(2);
  });

  it('counts per physical frame: two linear aliases of one frame report once per epoch', () => {
    const { mmu, editor, events } = watched();
    editor.map(0x40000000, F, { writable: true, user: true });
    mmu.writeLinear8(V, 1, true);
    mmu.writeLinear8(0x40000000, 2, true);
    expect(events).toEqual([[V, F]]);
  });

  it('stays exact across tag wrap-around (thousands of epochs)', () => {
    const { mmu, events } = watched();
    for (let epoch = 0; epoch < 5000; epoch++) {
      mmu.writeLinear8(V, epoch, true);
      mmu.writeLinear8(V + 1, epoch, true);
      mmu.bumpWriteEpoch();
    }
    expect(events.length).toBe(5000);
    expect(mmu.writeEpoch).toBe(5000);
  });

  it('a watcher that write-protects the page makes the pending write fault', () => {
    const { mmu, editor } = watched();
    mmu.writeWatcher = (linear) => editor.protect(linear & ~0xfff, { writable: false, user: true });
    expect(mmu.writeLinear8(V, 1, true)).toBe(FAULT);
    expect(mmu.faultErrorCode).toBe(0x7);
  });

  it('is not called for reads, MMIO pages or faulting writes', () => {
    const { memory, mmu, editor, events } = watched();
    memory.mapMmio(0xfec00000, 0x1000, { read: () => 0, write: () => {} });
    editor.mapIo(0x40000000, 0xfec00000);
    mmu.readLinear32(V, true);
    mmu.writeLinear32(0x40000000, 1, false);
    mmu.writeLinear32(0x50000000, 1, false);
    expect(events).toEqual([]);
  });
});

describe('Ia32Mmu misuse', () => {
  it('refuses a big-endian bus', () => {
    expect(() => new Ia32Mmu(new PhysicalMemory({ ramSize: 4096, bigEndian: true }))).toThrow(
      /little-endian/,
    );
  });
  it('exposes CR values as written', () => {
    const { mmu } = pagedMachine({ wp: true, cr4: CR4_PSE });
    expect(mmu.cr0).toBe((CR0_PE | CR0_PG | CR0_WP) >>> 0);
    expect(mmu.cr4).toBe(CR4_PSE);
    expect(mmu.pagingEnabled).toBe(true);
  });
});

describe('Ia32Mmu code-frame watching (self-modifying code, DESIGN.md §5)', () => {
  it('calls the hook before every write to a watched frame, through any alias, until unwatched', () => {
    const { memory, mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: true });
    editor.map(0x40000000, F, { writable: true, user: false });
    const calls: Array<[number, number, number]> = [];
    mmu.codeWriteHook = (physical, linear) => calls.push([physical, linear, memory.ram[physical]]);
    // Cache fast write entries for both aliases first: watchCode must turn them slow.
    mmu.writeLinear8(V + 1, 0x11, true);
    mmu.writeLinear8(0x40000002, 0x22, false);
    expect(calls).toEqual([]);
    mmu.watchCode(F + 0x10);
    expect(mmu.isCodeWatched(F)).toBe(true);
    mmu.writeLinear8(V + 1, 0x33, true);
    mmu.writeLinear32(0x40000004, 0x44, false);
    mmu.writeLinear8(V + 1, 0x55, true);
    expect(calls).toEqual([
      [F + 1, V + 1, 0x11],
      [F + 4, 0x40000004, 0],
      [F + 1, V + 1, 0x33],
    ]);
    expect(memory.ram[F + 1]).toBe(0x55);
    mmu.unwatchCode(F);
    mmu.writeLinear8(V + 1, 0x66, true);
    mmu.writeLinear8(V + 1, 0x77, true);
    expect(calls.length).toBe(3);
    // Back on the fast path: the entry carries the current write tag again.
    expect(~mmu.tlbUserWrite[V >>> 12] & 0xfff).toBe(mmu.writeTag);
  });

  it('reads and other frames stay on the fast path', () => {
    const { mmu, editor } = pagedMachine();
    editor.map(V, F, { writable: true, user: true });
    editor.map(V + 0x1000, F + 0x1000, { writable: true, user: true });
    let calls = 0;
    mmu.codeWriteHook = () => calls++;
    mmu.watchCode(F);
    expect(mmu.readLinear32(V, true)).toBe(0);
    mmu.writeLinear32(V + 0x1000, 1, true);
    expect(calls).toBe(0);
    expect(~mmu.tlbUserRead[V >>> 12] & 0xfff).toBe(0);
  });
});

describe('Ia32Mmu A20 gate', () => {
  it('with the gate closed, 0x100000 aliases 0 (real mode wrap-around), and opening it flushes', () => {
    const memory = new PhysicalMemory({ ramSize: 0x200000 });
    const mmu = new Ia32Mmu(memory);
    memory.write8(0x000010, 0xaa);
    memory.write8(0x100010, 0xbb);
    expect(mmu.readLinear8(0x100010, false)).toBe(0xbb);
    mmu.setA20(false);
    expect(mmu.a20Enabled).toBe(false);
    expect(mmu.readLinear8(0x100010, false)).toBe(0xaa);
    expect(mmu.probe(0x10fff0)?.physical).toBe(0x00fff0);
    mmu.setA20(true);
    expect(mmu.readLinear8(0x100010, false)).toBe(0xbb);
  });

  it('masks the final physical address when paging is on', () => {
    const { memory, mmu, editor } = pagedMachine();
    editor.map(V, 0x103000, { writable: true, user: false });
    memory.write8(0x103000, 1);
    memory.write8(0x003000, 2);
    expect(mmu.readLinear8(V, false)).toBe(1);
    mmu.setA20(false);
    // The tables sit at 0x400000–0x401fff (bit 20 clear): only the data address changes.
    expect(mmu.probe(V)?.physical).toBe(0x003000);
    expect(mmu.readLinear8(V, false)).toBe(2);
  });
});

describe('Ia32Mmu bulk copies', () => {
  it('copies across pages mapped to scattered frames, both ways', () => {
    const { memory, mmu, editor } = pagedMachine();
    editor.map(V, 0x7000, { writable: true, user: true });
    editor.map(V + 0x1000, 0x3000, { writable: true, user: true });
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    expect(mmu.writeLinearBytes(V + 0xf00, data, true)).toBe(0);
    expect(memory.ram[0x7f00]).toBe(data[0]);
    expect(memory.ram[0x3000]).toBe(data[256]);
    const back = new Uint8Array(300);
    expect(mmu.readLinearBytes(V + 0xf00, back, true)).toBe(0);
    expect([...back]).toEqual([...data]);
  });

  it('a fault anywhere in the range leaves memory and the buffer untouched', () => {
    const { memory, mmu, editor } = pagedMachine({ wp: true });
    editor.map(V, 0x7000, { writable: true, user: true });
    editor.map(V + 0x1000, 0x3000, { writable: false, user: true });
    expect(mmu.writeLinearBytes(V + 0xff0, new Uint8Array(32).fill(9), true)).toBe(FAULT);
    expect(mmu.faultAddress).toBe(V + 0x1000);
    expect(mmu.faultErrorCode).toBe(0x7);
    expect(memory.ram[0x7ff0]).toBe(0);
    const into = new Uint8Array(8).fill(5);
    expect(mmu.readLinearBytes(V + 0x1ffc, into, true)).toBe(FAULT);
    expect(mmu.faultAddress).toBe(V + 0x2000);
    expect([...into]).toEqual([5, 5, 5, 5, 5, 5, 5, 5]);
  });

  it('writes to watched code frames go through the hook', () => {
    const { mmu, editor } = pagedMachine();
    editor.map(V, 0x7000, { writable: true, user: true });
    const hits: number[] = [];
    mmu.codeWriteHook = (physical) => hits.push(physical);
    mmu.watchCode(0x7000);
    expect(mmu.writeLinearBytes(V + 4, [1, 2], true)).toBe(0);
    expect(hits).toEqual([0x7004]);
  });
});
