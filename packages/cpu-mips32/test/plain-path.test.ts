// The whole suite again on the plain interpreter (fastPath: false), the reference the compiled fast
// path must match: the other test files register their tests here a second time after the switch.
import { describe, expect, it } from 'vitest';
import { machine, useCpuPath } from './helpers.js';

useCpuPath('plain');
await import('./alu.test.js');
await import('./control.test.js');
await import('./oracle.test.js');
await import('./code-cache.test.js');

describe('plain path', () => {
  it('the tests above ran without compiled blocks', () => {
    expect(machine([]).cpu.fastPath).toBe(false);
  });
});
