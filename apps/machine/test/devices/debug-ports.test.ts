import { describe, expect, it } from 'vitest';
import { DebugConsole, DebugExit } from '../../src/devices/debug-ports.js';
import { IoPortBus } from '../../src/devices/io-bus.js';

describe('debug ports', () => {
  it('send debug console bytes to the sink and identify as 0xE9', () => {
    const out: number[] = [];
    const bus = new IoPortBus();
    const con = new DebugConsole((b) => out.push(b));
    bus.register('debugcon', 0x402, 0x402, con);
    bus.register('e9', 0xe9, 0xe9, con);
    bus.write(0x402, 1, 0x4f);
    bus.write(0xe9, 1, 0x4b);
    expect(String.fromCharCode(...out)).toBe('OK');
    expect(bus.read(0xe9, 1)).toBe(0xe9);
  });

  it('exit with (v << 1) | 1 as isa-debug-exit does', () => {
    const statuses: number[] = [];
    const exit = new DebugExit((s) => statuses.push(s));
    exit.write(0xf4, 1, 0x00);
    exit.write(0xf4, 1, 0x10);
    exit.write(0xf4, 2, 0x1ff);
    expect(statuses).toEqual([1, 0x21, 0x3ff]);
  });
});
