import { PhysicalMemory } from '@phantasm/mmu';
import { describe, expect, it } from 'vitest';
import { CPUID_SIGNATURE, Cpu, CpuError, type InterruptController, SegmentLoadError } from '../src/index.js';

/** A real-mode CPU with `code` at 0000:1000, SS:SP = 0000:8000. */
function realMode(code: number[], options: { pic?: InterruptController } = {}) {
  const memory = new PhysicalMemory({ ramSize: 1024 * 1024 });
  memory.ram.set(code, 0x1000);
  const vectors: number[] = [];
  const cpu = new Cpu({
    memory,
    pic: options.pic,
    hooks: {
      onException: (v) => {
        vectors.push(v);
        return false;
      },
    },
  });
  cpu.setSegment('cs', { selector: 0, base: 0, limit: 0xffff, rights: 0x9b });
  cpu.eip = 0x1000;
  cpu.esp = 0x8000;
  return { cpu, memory, vectors };
}

describe('Cpu basics', () => {
  it('resets to F000:FFF0 in real mode with the P6 reset values', () => {
    const cpu = new Cpu({ memory: new PhysicalMemory({ ramSize: 64 * 1024 }) });
    expect(cpu.getSegment('cs')).toEqual({ selector: 0xf000, base: 0xffff0000, limit: 0xffff, rights: 0x9b });
    expect(cpu.eip).toBe(0xfff0);
    expect(cpu.eflags).toBe(2);
    expect(cpu.cr0 >>> 0).toBe(0x60000010);
    expect(cpu.edx).toBe(CPUID_SIGNATURE);
    expect(cpu.isProtected()).toBe(false);
  });

  it('executes until HLT and reports it', () => {
    // mov ax,1234h; add ax,1111h; mov [2000h],ax; hlt
    const { cpu, memory } = realMode([0xb8, 0x34, 0x12, 0x05, 0x11, 0x11, 0xa3, 0x00, 0x20, 0xf4]);
    expect(cpu.run(100)).toBe('hlt');
    expect(cpu.eax & 0xffff).toBe(0x2345);
    expect(memory.read16(0x2000)).toBe(0x2345);
    expect(cpu.eip).toBe(0x100a);
  });

  it('stops when the budget runs out', () => {
    const { cpu } = realMode([0xeb, 0xfe]); // jmp $
    expect(cpu.run(1000)).toBe('budget');
    expect(cpu.eip).toBe(0x1000);
  });

  it('honours operand- and address-size prefixes in real mode', () => {
    // mov eax,89abcdefh; mov ebx,2000h; mov [ebx+4],eax (67 66 89 43 04); hlt
    const { cpu, memory } = realMode([
      0x66, 0xb8, 0xef, 0xcd, 0xab, 0x89, 0x66, 0xbb, 0x00, 0x20, 0x00, 0x00, 0x67, 0x66, 0x89, 0x43, 0x04,
      0xf4,
    ]);
    expect(cpu.run(10)).toBe('hlt');
    expect(cpu.eax).toBe(0x89abcdef);
    expect(memory.read32(0x2004)).toBe(0x89abcdef);
  });

  it('takes an external interrupt between instructions when IF is set and wakes from HLT', () => {
    let pending = true;
    const pic: InterruptController = {
      hasInterrupt: () => pending,
      acknowledge: () => {
        pending = false;
        return 0x08;
      },
    };
    // sti; hlt; hlt   handler at 0000:3000: mov byte [2100h],1; iret
    const { cpu, memory } = realMode([0xfb, 0xf4, 0xf4], { pic });
    memory.ram.set([0xc6, 0x06, 0x00, 0x21, 0x01, 0xcf], 0x3000);
    memory.write16(0x20, 0x3000);
    memory.write16(0x22, 0);
    expect(cpu.run(100)).toBe('hlt');
    expect(memory.read8(0x2100)).toBe(1);
    // The interrupt arrived after STI's shadow, during the first HLT; IRET returned after it.
    expect(cpu.eip).toBe(0x1003);
  });

  it('lets a hook take over a software interrupt', () => {
    const seen: number[] = [];
    const { cpu } = realMode([0xcd, 0x10, 0xf4]);
    cpu.hooks = {
      onInterrupt: (v, soft) => {
        seen.push(v, soft ? 1 : 0);
        return true;
      },
    };
    expect(cpu.run(10)).toBe('hlt');
    expect(seen).toEqual([0x10, 1]);
    expect(cpu.esp).toBe(0x8000);
  });

  it('requests a reset on a triple fault', () => {
    // lidt [2000h] with limit 0, then int3: #GP, #GP again -> #DF -> shutdown
    const { cpu, memory } = realMode([0x0f, 0x01, 0x1e, 0x00, 0x20, 0xcc, 0xf4]);
    memory.write16(0x2000, 0);
    expect(cpu.run(10)).toBe('reset');
  });

  it('reports the GenuineIntel CPUID identity', () => {
    // xor eax,eax; cpuid; hlt
    const { cpu } = realMode([0x66, 0x31, 0xc0, 0x0f, 0xa2, 0xf4]);
    cpu.run(10);
    const vendor = [cpu.ebx, cpu.edx, cpu.ecx].map((v) =>
      Buffer.from(new Uint32Array([v]).buffer).toString('latin1'),
    );
    expect(vendor.join('')).toBe('GenuineIntel');
  });

  it('raises #NM for x87 instructions when CR0.EM or CR0.TS is set and executes them otherwise', () => {
    // fninit (DB E3); hlt
    const a = realMode([0xdb, 0xe3, 0xf4]);
    expect(a.cpu.run(10)).toBe('hlt');
    expect(a.vectors).toEqual([]);
    const b = realMode([0xdb, 0xe3, 0xf4]);
    b.cpu.setControl(0, b.cpu.cr0 | 0x4);
    b.memory.ram.set([0xf4], 0x3000);
    b.memory.write16(7 * 4, 0x3000);
    b.cpu.run(10);
    expect(b.vectors).toEqual([7]);
  });

  it('exposes segment caches and table registers', () => {
    const { cpu } = realMode([0xf4]);
    cpu.loadSegment('ds', 0x1234);
    expect(cpu.getSegment('ds')).toMatchObject({ selector: 0x1234, base: 0x12340 });
    cpu.gdtr = { base: 0x5000, limit: 0x37 };
    expect(cpu.gdtr).toEqual({ base: 0x5000, limit: 0x37 });
    cpu.eflags = 0x8d5 | 2;
    expect(cpu.eflags).toBe(0x8d7);
  });

  it('loads CS from the GDT when a loader starts it in protected mode', () => {
    const { cpu, memory } = realMode([0xf4]);
    memory.write32(0x5008, 0x0000ffff);
    memory.write32(0x500c, 0x00cf9a00); // code32 DPL0 base 0 limit 4G
    memory.write32(0x5010, 0x0000ffff);
    memory.write32(0x5014, 0x00cff200); // data32 DPL3
    cpu.gdtr = { base: 0x5000, limit: 0x17 };
    cpu.setControl(0, cpu.cr0 | 1);
    cpu.loadSegment('cs', 0x08);
    expect(cpu.getSegment('cs')).toEqual({ selector: 0x08, base: 0, limit: 0xffffffff, rights: 0xc09b });
    expect(cpu.cpl).toBe(0);
    // A DPL-3 data selector with RPL 0 is fine for DS, but not a code segment for CS.
    cpu.loadSegment('ds', 0x10);
    expect(() => cpu.loadSegment('cs', 0x10)).toThrow(/exception 13/);
    expect(() => cpu.loadSegment('ss', 0x10)).toThrow(/exception 13 \(error code 0x10\)/);
    // A refused load is a typed error and leaves the register as it was.
    const ss = cpu.getSegment('ss');
    expect(() => cpu.loadSegment('ss', 0x10)).toThrow(SegmentLoadError);
    expect(cpu.getSegment('ss')).toEqual(ss);
    expect(() => cpu.run(Number.NaN)).toThrow(CpuError);
  });

  it('stops with the reason a device or hook requests', () => {
    // out 80h,al; jmp $
    const { cpu } = realMode([0xe6, 0x80, 0xeb, 0xfe]);
    cpu.io = { read: () => 0xff, write: () => cpu.requestStop('breakpoint') };
    expect(cpu.run(1000)).toBe('breakpoint');
    expect(cpu.eip).toBe(0x1002);
  });

  it('stops at a host breakpoint before executing it and resumes from there', () => {
    // inc ax; inc ax; inc ax; hlt
    const { cpu } = realMode([0x40, 0x40, 0x40, 0xf4]);
    cpu.addBreakpoint(0x1002);
    expect(cpu.run(100)).toBe('breakpoint');
    expect([cpu.eip, cpu.eax & 0xffff]).toEqual([0x1002, 2]);
    expect(cpu.run(100)).toBe('hlt');
    expect(cpu.eax & 0xffff).toBe(3);
    cpu.removeBreakpoint(0x1002);
    expect(cpu.watching).toBe(false);
  });

  it('raises #DB for a DR0 instruction breakpoint, and RF lets the instruction run once', () => {
    // DR0 = 1020h, DR7.L0 with RW0 = 00 (instruction), then jump to 1020h
    const { cpu, memory, vectors } = realMode([
      0x66,
      0xb8,
      0x20,
      0x10,
      0x00,
      0x00, // mov eax,1020h
      0x0f,
      0x23,
      0xc0, // mov dr0,eax
      0x66,
      0xb8,
      0x01,
      0x00,
      0x00,
      0x00, // mov eax,1
      0x0f,
      0x23,
      0xf8, // mov dr7,eax
      0xeb,
      0x08, // jmp 1020h
    ]);
    memory.ram.set([0x40, 0xf4], 0x1020); // inc ax; hlt
    // The #DB handler at 0000:3000 just halts.
    memory.ram.set([0xf4], 0x3000);
    memory.write16(4, 0x3000);
    memory.write16(6, 0);
    expect(cpu.run(100)).toBe('hlt');
    expect(vectors).toEqual([1]);
    expect(cpu.dr[6] & 0xf).toBe(1);
    expect(cpu.eip).toBe(0x3001);
    expect(memory.read16(cpu.esp)).toBe(0x1020); // the fault points at the breakpoint
    // Resume at the breakpoint with RF set: it executes once without faulting again.
    cpu.halted = false;
    cpu.eip = 0x1020;
    cpu.eflags = cpu.eflags | 0x10000;
    expect(cpu.run(100)).toBe('hlt');
    expect(cpu.eip).toBe(0x1022);
    expect(vectors).toEqual([1]);
  });
});

describe('a fault in the first instruction of an event handler', () => {
  // The handler at 0000:3000 starts with ADD [FFFFh], AX: a word at offset FFFFh wraps the
  // segment, #GP(0) in real mode. Its opcode (01) never changes ESP itself, so the run loop saves
  // no ESP for it; the #GP frame must go below the frame the event pushed (SP 8000h - 6 - 6),
  // not on the stack as it was before the event (a stale save once restored it: SP 8000h - 6).
  const handler = [0x01, 0x06, 0xff, 0xff];
  function setUp(vector: number, pic?: InterruptController) {
    const { cpu, memory } = realMode([0x90, 0x90, 0x90, 0xf4], { pic });
    memory.ram.set(handler, 0x3000);
    memory.write32(vector * 4, 0x3000); // 0000:3000
    memory.write32(13 * 4, 0x4000); // #GP -> 0000:4000
    memory.ram[0x4000] = 0xf4;
    return cpu;
  }

  it('after a single-step trap (#DB) it pushes on the trap frame', () => {
    const cpu = setUp(1);
    cpu.eflags |= 0x100; // TF
    expect(cpu.run(10)).toBe('hlt');
    expect(cpu.eip).toBe(0x4001); // after the #GP handler's HLT
    expect(cpu.esp).toBe(0x8000 - 12);
    expect(cpu.memory.read16(0x8000 - 12)).toBe(0x3000); // #GP's return IP: the faulting ADD
    expect(cpu.memory.read16(0x8000 - 6)).toBe(0x1001); // #DB's return IP: after the first NOP
  });

  it('after an external interrupt it pushes on the interrupt frame', () => {
    let pending = true;
    const pic: InterruptController = {
      hasInterrupt: () => pending,
      acknowledge: () => {
        pending = false;
        return 0x20;
      },
    };
    const cpu = setUp(0x20, pic);
    cpu.eflags |= 0x200; // IF
    expect(cpu.run(10)).toBe('hlt');
    expect(cpu.eip).toBe(0x4001);
    expect(cpu.esp).toBe(0x8000 - 12);
    expect(cpu.memory.read16(0x8000 - 6)).toBe(0x1000); // the interrupt's return IP: the first NOP
  });
});
