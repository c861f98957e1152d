// The monitor's guard rails: memory outside the allowed windows, the instruction budget, its
// own tables, buffers, and the promise that the CPU's previous state comes back intact.
import { describe, expect, it } from 'vitest';
import {
  FixedLowArena,
  Vm86AccessError,
  Vm86BudgetError,
  Vm86ConfigError,
  Vm86Monitor,
} from '../src/index.js';
import { bareMachine, cpuState, enterKernelMode, installHandler } from './helpers.js';

const HANDLER = 0xf1000;

function setup(options: { kernel?: boolean; budget?: number } = {}) {
  const { cpu, memory } = bareMachine();
  if (options.kernel !== false) enterKernelMode(cpu, memory);
  const monitor = new Vm86Monitor({ cpu, budget: options.budget });
  const before = cpuState(cpu);
  return { cpu, memory, monitor, before };
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

describe('forbidden accesses', () => {
  it('a read of conventional memory outside the windows ends with Vm86AccessError naming it', () => {
    const { cpu, memory, monitor, before } = setup();
    // mov ax,3000h; mov ds,ax; mov al,[0010h]; iret
    installHandler(memory, 0x40, HANDLER, [0xb8, 0x00, 0x30, 0x8e, 0xd8, 0xa0, 0x10, 0x00, 0xcf]);
    const e = thrown(() => monitor.call(0x40, {}));
    expect(e).toBeInstanceOf(Vm86AccessError);
    expect(e).toMatchObject({ address: 0x30010, write: false, cs: 0xf100, ip: 5, reason: 'outside-window' });
    expect(String(e)).toMatch(/read from 0x30010 is outside the allowed windows/);
    expect(cpuState(cpu)).toEqual(before);
  });

  it('a write is reported as a write', () => {
    const { memory, monitor } = setup();
    // mov ax,3000h; mov es,ax; mov [es:0022h],al; iret
    installHandler(memory, 0x40, HANDLER, [0xb8, 0x00, 0x30, 0x8e, 0xc0, 0x26, 0xa2, 0x22, 0x00, 0xcf]);
    expect(thrown(() => monitor.call(0x40, {}))).toMatchObject({ address: 0x30022, write: true });
    expect(memory.read8(0x30022)).toBe(0);
  });

  it('reading 0x200000 (beyond what a v86 segment reaches) ends with Vm86AccessError', () => {
    const { cpu, memory, monitor, before } = setup();
    // xor ax,ax; mov ds,ax; mov eax,[dword 200000h]; iret
    const code = [0x31, 0xc0, 0x8e, 0xd8, 0x66, 0x67, 0xa1, 0x00, 0x00, 0x20, 0x00, 0xcf];
    installHandler(memory, 0x40, HANDLER, code);
    memory.write32(0x200000, 0x12345678);
    const e = thrown(() => monitor.call(0x40, {}));
    expect(e).toBeInstanceOf(Vm86AccessError);
    expect(e).toMatchObject({ address: 0x200000, reason: 'segment-limit', ip: 4 });
    expect(cpuState(cpu)).toEqual(before);
    // the same through a ModRM operand with a 32-bit base register
    const modrm = [0x66, 0xbb, 0x00, 0x00, 0x20, 0x00, 0x67, 0x8b, 0x03, 0xcf]; // mov ebx,200000h; mov ax,[ebx]
    installHandler(memory, 0x40, HANDLER, modrm);
    expect(thrown(() => monitor.call(0x40, { ds: 0 }))).toMatchObject({
      address: 0x200000,
      reason: 'segment-limit',
    });
  });

  it('the HMA (FFFF:0010 = 1 MiB) is outside the windows', () => {
    const { memory, monitor } = setup();
    // mov ax,0FFFFh; mov ds,ax; mov al,[0010h]; iret
    installHandler(memory, 0x40, HANDLER, [0xb8, 0xff, 0xff, 0x8e, 0xd8, 0xa0, 0x10, 0x00, 0xcf]);
    expect(thrown(() => monitor.call(0x40, {}))).toMatchObject({ address: 0x100000 });
  });

  it("the monitor's own page tables, GDT, IDT and TSS are out of reach", () => {
    const { memory, monitor } = setup();
    const seg = monitor.windowBase >>> 4;
    for (const page of [0, 2, 3]) {
      // mov ax,seg; mov ds,ax; mov [page*1000h],al; iret
      const off = page * 0x1000;
      installHandler(memory, 0x40, HANDLER, [
        0xb8,
        seg & 0xff,
        seg >> 8,
        0x8e,
        0xd8,
        0xa2,
        off & 0xff,
        off >> 8,
        0xcf,
      ]);
      expect(thrown(() => monitor.call(0x40, {}))).toMatchObject({
        address: monitor.windowBase + off,
        write: true,
      });
    }
  });

  it('a call buffer is reachable while it lives and refused after it is freed', () => {
    const { memory, monitor } = setup();
    const buffer = monitor.allocLowBuffer(16);
    // mov al,5Ah; mov [es:di],al; iret
    installHandler(memory, 0x40, HANDLER, [0xb0, 0x5a, 0x26, 0x88, 0x05, 0xcf]);
    monitor.call(0x40, { es: buffer.segment, edi: buffer.offset });
    expect(monitor.readBuffer(buffer, 0, 1)).toEqual(new Uint8Array([0x5a]));
    monitor.freeLowBuffer(buffer);
    expect(thrown(() => monitor.call(0x40, { es: buffer.segment, edi: buffer.offset }))).toMatchObject({
      address: buffer.physical,
      write: true,
    });
    expect(() => monitor.freeLowBuffer(buffer)).toThrow(Vm86ConfigError);
  });

  it('IVT, BDA and the video/ROM area are reachable', () => {
    const { memory, monitor } = setup();
    // xor ax,ax; mov ds,ax; mov bx,[0410h]; mov ax,0B800h; mov es,ax; mov [es:0],bl; iret
    const code = [
      0x31, 0xc0, 0x8e, 0xd8, 0x8b, 0x1e, 0x10, 0x04, 0xb8, 0x00, 0xb8, 0x8e, 0xc0, 0x26, 0x88, 0x1e, 0x00,
      0x00, 0xcf,
    ];
    installHandler(memory, 0x40, HANDLER, code);
    memory.write16(0x410, 0x4321);
    expect(monitor.call(0x40, {}).ebx & 0xffff).toBe(0x4321);
    expect(memory.read8(0xb8000)).toBe(0x21);
  });
});

describe('instruction budget', () => {
  it('a handler that loops forever ends with Vm86BudgetError and the CPU comes back intact', () => {
    const { cpu, memory, monitor, before } = setup({ budget: 200_000 });
    installHandler(memory, 0x40, HANDLER, [0xfb, 0xeb, 0xfe]); // sti; jmp $
    const e = thrown(() => monitor.call(0x40, { eax: 1, ds: 0x40 }));
    expect(e).toBeInstanceOf(Vm86BudgetError);
    expect(e).toMatchObject({ budget: 200_000, cs: 0xf100, ip: 1 });
    expect(monitor.lastCall?.instructions).toBe(200_000);
    expect(cpuState(cpu)).toEqual(before);
    // and the CPU still runs the caller's code afterwards: a kernel-mode instruction at EIP
    memory.ram.set([0x40, 0xf4], 0x123456); // inc eax; hlt
    cpu.eflags = 0x046; // IF off so HLT stops the run
    expect(cpu.run(10)).toBe('hlt');
    expect(cpu.eax).toBe(0x11111112);
  });

  it('a per-call budget overrides the monitor default', () => {
    const { memory, monitor } = setup();
    installHandler(memory, 0x40, HANDLER, [0xeb, 0xfe]);
    expect(thrown(() => monitor.call(0x40, {}, { budget: 1000 }))).toMatchObject({ budget: 1000 });
    expect(() => monitor.call(0x40, {}, { budget: 0 })).toThrow(Vm86ConfigError);
  });
});

describe('state restore', () => {
  it('from real mode too (a CPU straight out of reset)', () => {
    const { cpu, memory, monitor, before } = setup({ kernel: false });
    installHandler(memory, 0x40, HANDLER, [0xb8, 0x99, 0x00, 0xcf]);
    expect(monitor.call(0x40, {}).eax).toBe(0x99);
    expect(cpu.isProtected()).toBe(false);
    expect(cpuState(cpu)).toEqual(before);
  });

  it('keeps the caller hooks and gives them nothing from the call', () => {
    const { cpu, memory } = bareMachine();
    enterKernelMode(cpu, memory);
    const seen: number[] = [];
    cpu.hooks = {
      onException: (v) => {
        seen.push(v);
        return false;
      },
    };
    const hooks = cpu.hooks;
    const monitor = new Vm86Monitor({ cpu });
    installHandler(memory, 0x40, HANDLER, [0xfa, 0xfb, 0xcf]);
    monitor.call(0x40, {});
    expect(cpu.hooks).toBe(hooks);
    expect(seen).toEqual([]);
  });

  it('does not leave the monitor paging or tables behind (kernel page 0 stays unmapped)', () => {
    const { cpu, memory, monitor } = setup();
    installHandler(memory, 0x40, HANDLER, [0xcf]);
    monitor.call(0x40, {});
    expect(cpu.linearToPhysical(0x0)).toBe(-1);
    expect(cpu.gdtr.base).toBe(0x300000);
  });
});

describe('configuration', () => {
  it('rejects bad vectors, nested calls and a window that does not fit', () => {
    const { cpu, memory, monitor } = setup();
    expect(() => monitor.call(256, {})).toThrow(Vm86ConfigError);
    installHandler(memory, 0x40, HANDLER, [0xf4, 0xcf]); // hlt: onIdle tries a nested call
    const nested = new Vm86Monitor({
      cpu,
      lowArena: new FixedLowArena(0x20000, 0x30000),
      onIdle: () => nested.call(0x40, {}),
    });
    expect(() => nested.call(0x40, {})).toThrow(/nested vm86 call/);
    expect(() => new Vm86Monitor({ cpu, lowArena: new FixedLowArena(0x30000, 0x32000) })).toThrow(
      Vm86ConfigError,
    );
    monitor.dispose();
    expect(() => monitor.call(0x40, {})).toThrow(/disposed/);
  });
});

describe('TLB after the call', () => {
  it('the kernel sees its own mapping of a page the BIOS touched through the identity map', () => {
    const { cpu, memory } = bareMachine();
    enterKernelMode(cpu, memory);
    // kernel: linear B8000h -> physical 250000h (its own choice)
    memory.write32(0x300000 + 0x2000 + 0xb8 * 4, 0x250000 | 3);
    cpu.setControl(3, cpu.cr3);
    const monitor = new Vm86Monitor({ cpu });
    // BIOS: mov ax,0B800h; mov ds,ax; mov byte [0],11h; iret
    installHandler(memory, 0x40, HANDLER, [0xb8, 0x00, 0xb8, 0x8e, 0xd8, 0xc6, 0x06, 0x00, 0x00, 0x11, 0xcf]);
    monitor.call(0x40, {});
    expect(memory.read8(0xb8000)).toBe(0x11);
    // kernel code: mov byte [0B8000h], 77h; hlt
    memory.ram.set([0xc6, 0x05, 0x00, 0x80, 0x0b, 0x00, 0x77, 0xf4], 0x123456);
    cpu.eflags = 0x002;
    expect(cpu.run(10)).toBe('hlt');
    expect(memory.read8(0x250000)).toBe(0x77);
    expect(memory.read8(0xb8000)).toBe(0x11);
  });
});
