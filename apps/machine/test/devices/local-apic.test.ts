import { describe, expect, it } from 'vitest';
import { PcBoard } from '../../src/boards/pc/pc-board.js';
import { LOCAL_APIC_BASE, LocalApic } from '../../src/devices/local-apic.js';

describe('local APIC register page', () => {
  it('reads as a P6 APIC after RESET: ID 0, version 50014h, LVTs masked, ICR idle', () => {
    const apic = new LocalApic();
    expect(apic.read(0x20, 4)).toBe(0);
    expect(apic.read(0x30, 4)).toBe(0x50014);
    for (const lvt of [0x320, 0x330, 0x340, 0x350, 0x360, 0x370]) expect(apic.read(lvt, 4)).toBe(1 << 16);
    expect(apic.read(0xf0, 4)).toBe(0xff);
    expect(apic.read(0xe0, 4)).toBe(0xffffffff);
    apic.write(0x300, 4, 0x000c4500); // INIT to all but self: delivery status stays idle (bit 12)
    expect(apic.read(0x300, 4) & (1 << 12)).toBe(0);
  });

  it('keeps only the writable bits, ignores EOI and read-only registers, and saves them', () => {
    const apic = new LocalApic();
    apic.write(0xf0, 4, 0xffffffff);
    expect(apic.read(0xf0, 4)).toBe(0x3ff);
    apic.write(0x80, 4, 0x1234);
    expect(apic.read(0x80, 4)).toBe(0x34);
    expect(apic.read(0xa0, 4)).toBe(0x30); // PPR follows TPR with nothing in service
    apic.write(0x30, 4, 0);
    apic.write(0xb0, 4, 0);
    expect(apic.read(0x30, 4)).toBe(0x50014);
    apic.write(0xd0, 1, 0x55); // a narrow write merges into the register
    apic.write(0xd3, 1, 0x07);
    expect(apic.read(0xd0, 4)).toBe(0x07000000);
    const again = new LocalApic();
    again.load(apic.save());
    expect(again.read(0xf0, 4)).toBe(0x3ff);
    expect(again.read(0xd0, 4)).toBe(0x07000000);
    apic.reset();
    expect(apic.read(0xf0, 4)).toBe(0xff);
  });

  it('delivers a fixed self-IPI by priority class against TPR and ISR, and EOI ends it', () => {
    const apic = new LocalApic();
    apic.write(0x300, 4, 0x00040031); // self, fixed, vector 31h: requested while software-disabled
    expect(apic.hasInterrupt()).toBe(false);
    apic.write(0xf0, 4, 0x1ff); // software-enable
    expect(apic.hasInterrupt()).toBe(true);
    apic.write(0x80, 4, 0x30); // TPR class 3 masks class 3
    expect(apic.hasInterrupt()).toBe(false);
    apic.write(0x80, 4, 0);
    expect(apic.read(0x210, 4)).toBe(1 << 17); // IRR bit 31h
    expect(apic.acknowledge()).toBe(0x31);
    expect(apic.read(0x110, 4)).toBe(1 << 17); // ISR bit 31h
    apic.write(0x300, 4, 0x0004003f); // same class: waits for the EOI
    expect(apic.hasInterrupt()).toBe(false);
    apic.write(0x300, 4, 0x00040041); // higher class: nests
    expect(apic.hasInterrupt()).toBe(true);
    expect(apic.acknowledge()).toBe(0x41);
    apic.write(0xb0, 4, 0); // EOI 41h
    apic.write(0xb0, 4, 0); // EOI 31h
    expect(apic.acknowledge()).toBe(0x3f);
    apic.write(0x300, 4, 0x000c4050); // all but self: nobody else to take it
    apic.write(0x300, 4, 0x00000450); // NMI mode: never an INTR vector
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('NMI-mode IPIs to this processor and LVT LINTn in NMI mode raise onNmi; the vector is ignored', () => {
    const apic = new LocalApic();
    let nmis = 0;
    apic.onNmi = () => nmis++;
    apic.write(0x300, 4, 0x00004400); // physical destination 0 (this APIC), NMI: even software-disabled
    apic.write(0x300, 4, 0x00044402); // shorthand self
    apic.write(0x300, 4, 0x00084400); // all including self
    expect(nmis).toBe(3);
    apic.write(0x300, 4, 0x000c4400); // all excluding self
    apic.write(0x310, 4, 0x05000000);
    apic.write(0x300, 4, 0x00004400); // physical destination 5: another processor
    apic.write(0x300, 4, 0x00004031); // fixed mode is not an NMI
    expect(nmis).toBe(3);
    apic.assertLint(1); // LVT LINT1 masked after RESET
    apic.write(0x360, 4, 0x400); // unmasked, NMI mode
    apic.assertLint(1);
    apic.assertLint(0); // LINT0 still masked
    apic.write(0x350, 4, 0x700); // ExtINT: not an NMI
    apic.assertLint(0);
    expect(nmis).toBe(4);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('is mapped at FEE00000h on the PC board and the board reports one CPU through fw_cfg', () => {
    const board = new PcBoard({ memoryMiB: 4 });
    expect(board.memory.read32(LOCAL_APIC_BASE + 0x30)).toBe(0x50014);
    board.io.write(0x510, 2, 0x05); // FW_CFG_NB_CPUS
    expect(board.io.read(0x511, 1) | (board.io.read(0x511, 1) << 8)).toBe(1);
  });
});
