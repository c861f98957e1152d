// The bare-metal ia64 board: cpu-ia64's system programs (interruptions, TLB faults, the timer)
// print through the board's 16550 and end through its exit port, as their SDM-derived outputs say.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  IA64_EXIT_PORT,
  IA64_UART_BASE,
  Ia64Board,
  Ia64BoardError,
} from '../../src/boards/ia64/ia64-board.js';

const SYSTEM = resolve(import.meta.dirname, '../../../../packages/cpu-ia64/test/system');
const PROGRAMS = readdirSync(resolve(SYSTEM, 'elf'))
  .filter((f) => f.endsWith('.elf'))
  .map((f) => f.slice(0, -4));

function boot(name: string, memoryMiB?: number): { board: Ia64Board; out: () => string } {
  const bytes: number[] = [];
  const board = new Ia64Board({ memoryMiB, serial: (b) => bytes.push(b) });
  board.loadKernel(new Uint8Array(readFileSync(resolve(SYSTEM, 'elf', `${name}.elf`))), name);
  return { board, out: () => Buffer.from(bytes).toString('latin1') };
}

describe('ia64 board', () => {
  it('documents its map', () => {
    expect(IA64_UART_BASE).toBe(0xf000_0000n);
    expect(IA64_EXIT_PORT).toBe(0xf000_1000n);
  });

  for (const name of PROGRAMS) {
    it(`runs ${name} with the expected console output and end`, () => {
      const { board, out } = boot(name);
      const r = board.run({ maxInstructions: 5_000_000 });
      expect(out()).toBe(readFileSync(resolve(SYSTEM, 'expected', `${name}.txt`), 'latin1'));
      if (name === 'sys_mcheck') {
        expect(r.stop).toBe('fault');
        expect(r.fault).toContain('machine check');
      } else {
        expect(r.stop).toBe('exit');
        expect(r.status).toBe(0);
      }
    });
  }

  it('stops at maxInstructions', () => {
    const { board } = boot('sys_tlb');
    const r = board.run({ maxInstructions: 1000 });
    expect(r.stop).toBe('max-instructions');
    expect(r.instructions).toBeGreaterThanOrEqual(1000);
    expect(r.instructions).toBeLessThan(1003); // whole bundles
  });

  it('the UART line status says the transmitter is empty', () => {
    const board = new Ia64Board();
    expect(board.system.memory.readPhysical(IA64_UART_BASE + 5n, 1)! & 0x60n).toBe(0x60n);
  });

  it('refuses RAM sizes and kernels outside RAM with typed errors', () => {
    expect(() => new Ia64Board({ memoryMiB: 0 })).toThrow(Ia64BoardError);
    expect(() => new Ia64Board({ memoryMiB: 4096 })).toThrow(Ia64BoardError);
    // linked at 1 MiB: does not fit in 1 MiB of RAM
    const board = new Ia64Board({ memoryMiB: 1 });
    expect(() =>
      board.loadKernel(new Uint8Array(readFileSync(resolve(SYSTEM, 'elf', 'sys_break.elf'))), 'sys_break'),
    ).toThrow(/outside RAM/);
  });
});
