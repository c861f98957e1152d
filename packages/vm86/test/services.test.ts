// The E820 and VBE helpers against hand-written int 15h / int 10h handlers in the BIOS area.
import { describe, expect, it } from 'vitest';
import { Vm86Monitor, Vm86ServiceError } from '../src/index.js';
import { bareMachine, cpuState, enterKernelMode, installHandler } from './helpers.js';

const HANDLER = 0xf1000;

function setup() {
  const { cpu, memory } = bareMachine();
  enterKernelMode(cpu, memory);
  return { cpu, memory, monitor: new Vm86Monitor({ cpu }) };
}

describe('vbeInfo', () => {
  it('parses the controller information the BIOS writes at ES:DI, with far pointers into the ROM', () => {
    const { cpu, memory, monitor } = setup();
    const before = cpuState(cpu);
    const w = (disp: number, value: number) => [0x26, 0xc7, 0x45, disp, value & 0xff, value >> 8]; // mov word [es:di+disp], value
    const code = [
      ...w(0, 0x4556), // "VE"
      ...w(2, 0x4153), // "SA"
      ...w(4, 0x0300),
      ...w(6, 0x0100), // OEM string at F100:0100
      ...w(8, 0xf100),
      ...w(14, 0x0200), // mode list at F100:0200
      ...w(16, 0xf100),
      ...w(18, 64), // 64 x 64 KiB
      0xb8,
      0x4f,
      0x00, // mov ax, 004Fh
      0xcf,
    ];
    installHandler(memory, 0x10, HANDLER, code);
    memory.ram.set(new TextEncoder().encode('Phantasm VBE\0'), HANDLER + 0x100);
    memory.ram.set([0x01, 0x01, 0x12, 0x01, 0xff, 0xff], HANDLER + 0x200);
    expect(monitor.vbeInfo()).toEqual({
      version: 0x0300,
      oem: 'Phantasm VBE',
      totalMemory: 4 << 20,
      modes: [0x101, 0x112],
    });
    expect(cpuState(cpu)).toEqual(before);
  });

  it('is undefined when the BIOS has no VBE (AX is not 004Fh)', () => {
    const { memory, monitor } = setup();
    installHandler(memory, 0x10, HANDLER, [0xcf]); // iret: AX stays 4F00h
    expect(monitor.vbeInfo()).toBeUndefined();
  });
});

describe('e820', () => {
  it('throws Vm86ServiceError when the BIOS does not support E820 (CF set)', () => {
    const { memory, monitor } = setup();
    installHandler(memory, 0x15, HANDLER, [0xb4, 0x86, 0xf9, 0xca, 0x02, 0x00]); // mov ah,86h; stc; retf 2
    expect(() => monitor.e820()).toThrow(Vm86ServiceError);
    expect(() => monitor.e820()).toThrow(/E820 is not supported \(AX=0x8620\)/);
  });
});
