// The NMI input (Cpu.nmi): vector 2 at the next instruction boundary whatever EFLAGS.IF, NMI
// blocking from delivery to the next IRET with one NMI latched meanwhile, the MOV SS shadow,
// HLT wake-up, INT 2 not blocking, and the latch in state snapshots (SDM 3A §6.7.1, §6.8.3).
// Protected mode and task gates are covered by kvm-unit-tests eventinj and taskswitch2
// (apps/machine/test/suites).
import { PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { Cpu } from '../src/index.js';

const COUNT = 0x500;
const HANDLER = 0x2000;
const IF = 0x200;

/** Real mode at 0000:1000 running `program`; the NMI vector counts in [500h] and returns. */
function machine(program: number[]): { cpu: Cpu; memory: PhysicalMemory } {
  const memory = new PhysicalMemory({ ramSize: 1 << 20 });
  const cpu = new Cpu({ memory });
  cpu.setSegment('cs', { selector: 0, base: 0, limit: 0xffff, rights: 0x9b });
  cpu.eip = 0x1000;
  cpu.esp = 0x8000;
  memory.write16(2 * 4, HANDLER);
  memory.write16(2 * 4 + 2, 0);
  memory.ram.set([0xfe, 0x06, 0x00, 0x05, 0xcf], HANDLER); // inc byte [500h]; iret
  memory.ram.set(program, 0x1000);
  return { cpu, memory };
}

const NOPS = new Array(16).fill(0x90);

describe('NMI input', () => {
  it('is taken at the next boundary with IF clear, pushing the interrupted IP and FLAGS', () => {
    const { cpu, memory } = machine([0xfa, ...NOPS]); // cli; nop...
    cpu.run(2);
    expect(cpu.eip).toBe(0x1002);
    cpu.nmi();
    cpu.run(1); // delivery, then the handler's first instruction
    expect(memory.ram[COUNT]).toBe(1);
    expect(cpu.eip).toBe(HANDLER + 4);
    expect(memory.read16(0x8000 - 6)).toBe(0x1002); // IP, CS, FLAGS
    expect(memory.read16(0x8000 - 2) & IF).toBe(0);
    cpu.run(1); // iret
    expect(cpu.eip).toBe(0x1002);
  });

  it('blocks further NMIs until IRET and latches only one of them', () => {
    const { cpu, memory } = machine(NOPS);
    cpu.nmi();
    cpu.run(1);
    cpu.nmi();
    cpu.nmi(); // two edges while blocked: one NMI is remembered
    cpu.run(1); // the IRET runs; nothing nests
    expect(memory.ram[COUNT]).toBe(1);
    expect(cpu.eip).toBe(0x1000);
    cpu.run(1); // unblocked: the latched NMI at once
    expect(memory.ram[COUNT]).toBe(2);
    cpu.run(5);
    expect(memory.ram[COUNT]).toBe(2);
    expect(cpu.eip).toBe(0x1004);
  });

  it('INT 2 runs the handler without blocking NMIs', () => {
    const { cpu, memory } = machine([0xcd, 0x02, ...NOPS]);
    cpu.run(1); // int 2 (the handler's inc not yet)
    expect(cpu.eip).toBe(HANDLER);
    cpu.nmi();
    cpu.run(1); // nests inside the software-invoked handler
    expect(memory.ram[COUNT]).toBe(1);
    expect(memory.read16(0x8000 - 12)).toBe(HANDLER); // the nested frame returns to the handler
  });

  it('waits out the MOV SS shadow and wakes a halted processor', () => {
    const { cpu, memory } = machine([0x8e, 0xd0, 0x90, 0xf4, ...NOPS]); // mov ss,ax; nop; hlt
    cpu.eax = 0;
    cpu.run(1);
    cpu.nmi();
    cpu.run(1); // the NOP in the shadow runs first
    expect(memory.ram[COUNT]).toBe(0);
    expect(cpu.eip).toBe(0x1003);
    cpu.run(3); // nmi, inc, iret
    expect(memory.ram[COUNT]).toBe(1);
    expect(cpu.run(10)).toBe('hlt');
    expect(cpu.eip).toBe(0x1004);
    cpu.nmi();
    cpu.run(2);
    expect(memory.ram[COUNT]).toBe(2);
    expect(cpu.eip).toBe(0x1004); // back after the HLT
  });

  it('keeps the latch and the blocking in snapshots; RESET clears both', () => {
    const { cpu } = machine(NOPS);
    cpu.nmi();
    cpu.run(1);
    cpu.nmi();
    const state = JSON.parse(JSON.stringify(cpu.saveState()));
    expect([state.nmiPending, state.nmiBlocked]).toEqual([true, true]);
    const other = machine(NOPS).cpu;
    other.loadState(state);
    expect([other.nmiPending, other.nmiBlocked]).toEqual([true, true]);
    const { nmiPending: _p, nmiBlocked: _b, ...old } = state;
    other.loadState(old);
    expect([other.nmiPending, other.nmiBlocked]).toEqual([false, false]);
    cpu.reset();
    expect([cpu.nmiPending, cpu.nmiBlocked]).toEqual([false, false]);
  });
});
