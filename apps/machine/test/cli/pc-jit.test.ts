// `phantasm pc --jit`: the setting reaches the processor of a new board and of one loaded from a
// portable state (the block compiler is a host-side choice, not part of the state).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PcArgs } from '../../src/cli/args.js';
import { buildPc } from '../../src/cli/pc-machine.js';
import { saveMachineState } from '../../src/persist/machine-state.js';

const dir = mkdtempSync(join(tmpdir(), 'phantasm-pc-jit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pc(extra: Partial<PcArgs>): PcArgs {
  return { serial: join(dir, 'com1.txt'), ...extra };
}

describe('phantasm pc --jit', () => {
  it('turns the block compiler on at the threshold given, or off', () => {
    const saved = process.env.PHANTASM_IA32_JIT;
    delete process.env.PHANTASM_IA32_JIT;
    try {
      const on = buildPc(pc({ jit: 0 })).board;
      on.run({ maxInstructions: 200_000 });
      expect(on.cpu.jitStats?.blocksCompiled).toBeGreaterThan(0);
      expect(buildPc(pc({ jit: false })).board.cpu.jitStats).toBeUndefined();
      expect(buildPc(pc({})).board.cpu.jitStats).toBeUndefined(); // unset: the environment, here off
      const state = join(dir, 'machine.state');
      writeFileSync(state, saveMachineState(on));
      const loaded = buildPc(pc({ loadState: state, jit: 0 })).board;
      expect(loaded.cpu.jitStats).toBeDefined();
      expect(buildPc(pc({ loadState: state })).board.cpu.jitStats).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.PHANTASM_IA32_JIT = saved;
    }
  });
});
