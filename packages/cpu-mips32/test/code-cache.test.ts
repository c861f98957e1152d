// Compiled code never runs stale: stores into compiled code (self-modifying code, also inside the
// running block), host writes announced with invalidateCode, and TLB changes (another ASID, tlbwi
// replacing an entry, one page at two virtual addresses). Runs on both paths (see plain-path.test.ts);
// on the fast path the tests also check that the code really was compiled before it changed.
import { describe, expect, it } from 'vitest';
import { EXC, type MipsCpu } from '../src/index.js';
import { CODE, I, load, machine, R } from './helpers.js';

const { v0, v1, a0, a1, a2, t0, t1 } = R;

/** Compiled blocks exist (fast path) — so a later change is a change of compiled code. */
function expectCompiled(cpu: MipsCpu): void {
  if (cpu.fastPath) expect(cpu.blocksCompiled).toBeGreaterThan(0);
  else expect(cpu.blocksCompiled).toBe(0);
}

describe('self-modifying code', () => {
  it('a store into a compiled loop changes what the next pass executes', () => {
    // loop: v0 += 1 (patched to v0 += 100 by the store on the 4th pass); a0 counts down
    const body = CODE + 4;
    const m = machine([
      I.addiu(a0, 0, 8),
      I.addiu(v0, v0, 1), // body: patched
      I.addiu(a0, a0, -1),
      I.bne(a1, a0, 2), // a0 !== 4: skip the patch
      I.nop(),
      I.sw(t1, 0, a2), // patch the body
      I.bne(a0, 0, -6), // back to body
      I.nop(),
      I.wait(),
    ]);
    m.cpu.r[a1] = 4;
    m.cpu.r[a2] = body | 0;
    m.cpu.r[t1] = I.addiu(v0, v0, 100) | 0;
    expect(m.cpu.run(1000)).toBe('wait');
    // passes 1-4 add 1, passes 5-8 add 100
    expect(m.cpu.r[v0]).toBe(4 + 400);
    expectCompiled(m.cpu);
  });

  it('a store into the running block changes an instruction later in the same block', () => {
    // Two passes over one block; on the second the SW rewrites the ADDIU two words after it.
    const m = machine([
      I.addiu(t0, 0, 2),
      I.sw(t1, 12, a2), // loop: patch the word at loop + 12 (only the 2nd time does it differ)
      I.addiu(t0, t0, -1),
      I.addiu(v1, v1, 1),
      I.addiu(v0, v0, 1), // loop + 12
      I.bne(t0, 0, -5),
      I.addu(t1, a1, 0), // slot: from now on the patch is a1
      I.wait(),
    ]);
    m.cpu.r[a2] = (CODE + 4) | 0;
    m.cpu.r[t1] = I.addiu(v0, v0, 1) | 0; // the same word: the first store changes nothing
    m.cpu.r[a1] = I.addiu(v0, v0, 1000) | 0;
    expect(m.cpu.run(1000)).toBe('wait');
    expect([m.cpu.r[v0], m.cpu.r[v1]]).toEqual([1 + 1000, 2]);
    expect(m.memory.read32((CODE + 16) & 0x1fff_ffff)).toBe(I.addiu(v0, v0, 1000));
  });

  it('stores next to compiled code (same page, other words) leave it compiled and correct', () => {
    const m = machine([
      I.addiu(t0, 0, 50),
      I.sw(t0, 0x400, a2), // data on the code page
      I.addiu(t0, t0, -1),
      I.bne(t0, 0, -3),
      I.addiu(v0, v0, 2),
      I.wait(),
    ]);
    m.cpu.r[a2] = CODE | 0;
    expect(m.cpu.run(1000)).toBe('wait');
    expect(m.cpu.r[v0]).toBe(100);
    expect(m.memory.read32((CODE + 0x400) & 0x1fff_ffff)).toBe(1);
    if (m.cpu.fastPath) expect(m.cpu.blocksCompiled).toBeLessThan(6); // not recompiled per store
  });
});

/** Run the program at CODE again (after it stopped in WAIT). */
function again(cpu: MipsCpu): void {
  cpu.waiting = false;
  cpu.jump(CODE);
  expect(cpu.run(10)).toBe('wait');
}

describe('invalidateCode', () => {
  it('code written by the host and announced runs instead of the compiled code', () => {
    const m = machine([I.addiu(v0, v0, 1), I.wait()]);
    for (let pass = 0; pass < 3; pass++) again(m.cpu);
    expect(m.cpu.r[v0]).toBe(3);
    expectCompiled(m.cpu);
    load(m.memory, CODE, [I.addiu(v0, v0, 10)]); // a loader or DMA writes RAM directly
    m.cpu.invalidateCode(CODE & 0x1fff_ffff, 4);
    again(m.cpu);
    expect(m.cpu.r[v0]).toBe(13);
  });

  it('a range covering no compiled word keeps the blocks; a large range drops them all', () => {
    const m = machine([I.addiu(v0, v0, 1), I.wait()]);
    expect(m.cpu.run(10)).toBe('wait');
    const compiled = m.cpu.blocksCompiled;
    m.cpu.invalidateCode(0x80000, 0x1000);
    again(m.cpu);
    expect(m.cpu.blocksCompiled).toBe(compiled);
    load(m.memory, CODE, [I.addiu(v0, v0, 10)]);
    m.cpu.invalidateCode(0, 1 << 20);
    again(m.cpu);
    expect(m.cpu.r[v0]).toBe(12);
  });
});

describe('TLB changes never run stale compiled code', () => {
  // User code at virtual 0x0000, mapped by TLB entries the host writes through CP0 and guest TLBWI.
  // Each program counts a0 passes adding its own constant to v0, then SYSCALL (the hook stops).
  const program = (k: number) => [
    I.addiu(v0, v0, k),
    I.addiu(a0, a0, -1),
    I.bgtz(a0, -3),
    I.nop(),
    I.syscall(),
  ];
  const PAGES = { 1: 0x10000, 100: 0x20000, 7: 0x30000 } as const;

  function setup() {
    const m = machine([I.tlbwi(), I.eret()], {
      hooks: {
        onException(code, _epc, _bd, cpu) {
          if (code !== EXC.Sys) return false;
          cpu.requestStop();
          return true;
        },
      },
    });
    for (const [k, pa] of Object.entries(PAGES)) load(m.memory, 0x8000_0000 + pa, program(Number(k)));
    return m;
  }
  /** Map virtual page 0 (ASID asid) onto `pa` in TLB entry `index`; with `write`, by a guest TLBWI. */
  function enterUser(
    cpu: MipsCpu,
    asid: number,
    va: number,
    pa: number,
    index: number,
    write: boolean,
  ): number {
    cpu.writeCp0(0, 0, index);
    cpu.writeCp0(10, 0, va | asid);
    cpu.writeCp0(2, 0, ((pa >>> 12) << 6) | 0x16); // C=2, D, V (not global)
    cpu.writeCp0(3, 0, 0);
    cpu.writeCp0(5, 0, 0);
    cpu.writeCp0(14, 0, va);
    cpu.writeCp0(12, 0, 0x12); // UM, EXL: ERET enters user mode
    cpu.r[v0] = 0;
    cpu.r[a0] = 5;
    cpu.jump(write ? CODE : CODE + 4); // TLBWI; ERET   or just ERET
    expect(cpu.run(1000)).toBe('breakpoint');
    return cpu.r[v0];
  }

  it('another ASID, back again, then TLBWI replacing the entry', () => {
    const { cpu } = setup();
    expect(enterUser(cpu, 1, 0, PAGES[1], 0, true)).toBe(5);
    expectCompiled(cpu);
    expect(enterUser(cpu, 2, 0, PAGES[100], 1, true)).toBe(500); // ASID 2: its own entry
    expect(enterUser(cpu, 1, 0, PAGES[1], 0, false)).toBe(5); // ASID 1 again, entry 0 unchanged
    expect(enterUser(cpu, 1, 0, PAGES[7], 0, true)).toBe(35); // TLBWI remaps ASID 1's page
    expect(enterUser(cpu, 2, 0, PAGES[100], 1, false)).toBe(500);
  });

  it('one physical page at two virtual addresses: links and jumps use the address it runs at', () => {
    const m = machine([I.tlbwi(), I.eret()], {
      hooks: {
        onException(code, _epc, _bd, cpu) {
          if (code !== EXC.Sys) return false;
          cpu.requestStop();
          return true;
        },
      },
    });
    // bal +2 (link), nop, syscall(skipped), v1 = ra; syscall
    load(m.memory, 0x8004_0000, [I.bgezal(0, 2), I.nop(), I.syscall(), I.addu(v1, R.ra, 0), I.syscall()]);
    const links: number[] = [];
    for (const [asid, va] of [
      [1, 0x0000],
      [2, 0x6000],
      [1, 0x0000],
      [2, 0x6000],
    ]) {
      enterUser(m.cpu, asid, va, 0x40000, asid, true);
      links.push(m.cpu.r[v1]);
    }
    expect(links).toEqual([8, 0x6008, 8, 0x6008]);
  });
});

describe('devices during compiled code', () => {
  it('a device that stops the CPU from a store ends the run right after that instruction', () => {
    // A loop storing a counter to a device; the device asks for a stop at the 40th write.
    const m = machine([I.addiu(t0, t0, 1), I.sw(t0, 0, a0), I.addiu(v0, v0, 3), I.beq(0, 0, -4), I.nop()]);
    let writes = 0;
    m.memory.mapMmio(0x1e00_0000, 0x1000, {
      read: () => 0,
      write: () => {
        if (++writes === 40) m.cpu.requestStop();
      },
    });
    m.cpu.r[a0] = 0xbe00_0000 | 0; // kseg1: uncached window onto the device
    expect(m.cpu.run(100_000)).toBe('breakpoint');
    // 39 full passes of 5 instructions, then ADDIU and the SW that asked for the stop
    expect([writes, m.cpu.r[t0], m.cpu.r[v0], m.cpu.cycles]).toEqual([40, 40, 39 * 3, 39 * 5 + 2]);
    expect(m.cpu.pc).toBe(CODE + 8);
    expectCompiled(m.cpu);
  });
});
