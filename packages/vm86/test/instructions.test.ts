// Each IOPL-sensitive instruction, run by hand-written real-mode handlers in the BIOS area
// (0xF1000: inside the allowed ROM window) of a bare CPU that is in a kernel-like protected
// mode with paging when `call` starts. Every test also checks that the CPU comes back intact.
import type { IoBus } from '@phantasm/cpu-ia32';
import { describe, expect, it } from 'vitest';
import { Vm86FaultError, Vm86IoError, Vm86Monitor, type Vm86MonitorOptions } from '../src/index.js';
import { bareMachine, cpuState, enterKernelMode, installHandler } from './helpers.js';

const HANDLER = 0xf1000;
const IF = 0x200;
const CF = 1;

function setup(extra: Partial<Vm86MonitorOptions> = {}, machine = bareMachine()) {
  const { cpu, memory } = machine;
  enterKernelMode(cpu, memory);
  const monitor = new Vm86Monitor({ cpu, ...extra });
  const before = cpuState(cpu);
  const intact = () => expect(cpuState(cpu)).toEqual(before);
  return { cpu, memory, monitor, intact };
}

describe('emulated sensitive instructions', () => {
  it('reflects INT n through the IVT with IF cleared, and IRET returns to the sentinel', () => {
    const { memory, monitor, intact } = setup();
    // pushf; pop ax; mov bx, 1234h; iret
    installHandler(memory, 0x40, HANDLER, [0x9c, 0x58, 0xbb, 0x34, 0x12, 0xcf]);
    const r = monitor.call(0x40, { eflags: 0x202 | CF, ecx: 0xdeadbeef, esi: 7, ds: 0x1234, es: 0x5678 });
    expect(r.eax & IF).toBe(0); // entry through the IVT clears IF
    expect(r.eax & CF).toBe(CF); // the other flags are the caller's
    expect(r.ebx & 0xffff).toBe(0x1234);
    expect(r.ecx).toBe(0xdeadbeef);
    expect(r.esi).toBe(7);
    expect([r.ds, r.es]).toEqual([0x1234, 0x5678]);
    expect(r.eflags & (IF | CF)).toBe(IF | CF); // IRET restored the caller's FLAGS
    expect(monitor.lastCall?.emulated).toEqual({ pushf: 1, iret: 1 });
    intact();
  });

  it('CLI and STI change the virtual IF that PUSHF shows, without touching the real IOPL', () => {
    const { memory, monitor, intact } = setup();
    // sti; pushf; pop ax; cli; pushf; pop bx; retf 2
    installHandler(memory, 0x40, HANDLER, [0xfb, 0x9c, 0x58, 0xfa, 0x9c, 0x5b, 0xca, 0x02, 0x00]);
    const r = monitor.call(0x40, {});
    expect(r.eax & IF).toBe(IF);
    expect(r.ebx & IF).toBe(0);
    expect(r.eflags & IF).toBe(0); // RETF 2 keeps the handler's flags
    expect(monitor.lastCall?.emulated).toEqual({ sti: 1, cli: 1, pushf: 2 });
    intact();
  });

  it('POPF loads arithmetic flags, virtual IF and IOPL; the next CLI still traps', () => {
    const { memory, monitor, intact } = setup();
    // push 3AD5h; popf; pushf; pop ax; cli; retf 2
    installHandler(memory, 0x40, HANDLER, [0x68, 0xd5, 0x3a, 0x9d, 0x9c, 0x58, 0xfa, 0xca, 0x02, 0x00]);
    const r = monitor.call(0x40, { eflags: 0x002 });
    expect(r.eax & 0x3fd5).toBe(0x3ad5); // OF DF IF SF ZF AF PF CF and IOPL 3 as pushed
    expect(r.eflags & 0x08d5).toBe(0x08d5);
    expect(r.eflags & IF).toBe(0);
    expect(monitor.lastCall?.emulated).toEqual({ popf: 1, pushf: 1, cli: 1 });
    intact();
  });

  it('PUSHFD hides VM and RF; POPFD and IRETD use 32-bit images', () => {
    const { memory, monitor, intact } = setup();
    const code = [
      0x66,
      0x9c, // pushfd
      0x66,
      0x58, // pop eax
      0x66,
      0x9c, // pushfd           (IRETD frame: EFLAGS
      0x66,
      0x0e, //  push cs (32)                 CS
      0x66,
      0x68,
      0x10,
      0x00,
      0x00,
      0x00, //  push dword 10h  EIP)
      0x66,
      0xcf, // iretd -> offset 10h
      0xbe,
      0x51,
      0x51, // 10h: mov si, 5151h
      0xcf, // iret
    ];
    installHandler(memory, 0x40, HANDLER, code);
    const r = monitor.call(0x40, { eflags: 0x202 });
    expect(r.eax & 0x30000).toBe(0); // no VM, no RF in the image
    expect(r.eax & 2).toBe(2);
    expect(r.esi & 0xffff).toBe(0x5151);
    expect(monitor.lastCall?.emulated).toEqual({ pushf: 2, iret: 2 });
    intact();
  });

  it('INT n inside a handler nests; INT3 and INTO reflect through vectors 3 and 4', () => {
    const { memory, monitor, intact } = setup();
    // int 41h; int3; mov al, 7Fh; add al, 1 (OF); into; iret
    installHandler(memory, 0x40, HANDLER, [0xcd, 0x41, 0xcc, 0xb0, 0x7f, 0x04, 0x01, 0xce, 0xcf]);
    installHandler(memory, 0x41, HANDLER + 0x100, [0xbb, 0x41, 0x41, 0xcf]); // mov bx, 4141h
    installHandler(memory, 0x03, HANDLER + 0x200, [0xb9, 0x03, 0x03, 0xcf]); // mov cx, 0303h
    installHandler(memory, 0x04, HANDLER + 0x300, [0xba, 0x04, 0x04, 0xcf]); // mov dx, 0404h
    const r = monitor.call(0x40, {});
    expect([r.ebx, r.ecx, r.edx].map((v) => v & 0xffff)).toEqual([0x4141, 0x0303, 0x0404]);
    expect(monitor.lastCall?.emulated).toEqual({ int: 1, int3: 1, into: 1, iret: 4 });
    expect(monitor.lastCall?.reflected).toBe(3);
    intact();
  });

  it('INTO with OF clear does nothing', () => {
    const { memory, monitor } = setup();
    installHandler(memory, 0x40, HANDLER, [0x31, 0xdb, 0xce, 0xcf]); // xor bx,bx; into; iret
    installHandler(memory, 0x04, HANDLER + 0x300, [0xbb, 0x04, 0x04, 0xcf]);
    expect(monitor.call(0x40, { ebx: 9 }).ebx & 0xffff).toBe(0);
  });

  it('HLT outside the sentinel calls onIdle and continues', () => {
    let idle = 0;
    const { memory, monitor, intact } = setup({ onIdle: () => idle++ });
    installHandler(memory, 0x40, HANDLER, [0xfb, 0xf4, 0xb8, 0x01, 0x00, 0xcf]); // sti; hlt; mov ax,1; iret
    expect(monitor.call(0x40, {}).eax & 0xffff).toBe(1);
    expect(idle).toBe(1);
    intact();
  });

  it('reflects #DE through IVT vector 0 as real mode does', () => {
    const { memory, monitor, intact } = setup();
    // xor cx,cx; div cx; iret
    installHandler(memory, 0x40, HANDLER, [0x31, 0xc9, 0xf7, 0xf1, 0xcf]);
    // int 0: mov bp,sp; add word [bp],2 (skip the DIV); mov di,0DEDEh; iret
    installHandler(
      memory,
      0x00,
      HANDLER + 0x100,
      [0x89, 0xe5, 0x83, 0x46, 0x00, 0x02, 0xbf, 0xde, 0xde, 0xcf],
    );
    expect(monitor.call(0x40, {}).edi & 0xffff).toBe(0xdede);
    intact();
  });

  it('ends with Vm86FaultError on #UD and on privileged instructions', () => {
    const { memory, monitor, intact } = setup();
    installHandler(memory, 0x40, HANDLER, [0x90, 0x0f, 0x0b]); // nop; ud2
    const ud = (() => {
      try {
        monitor.call(0x40, {});
      } catch (e) {
        return e;
      }
    })();
    expect(ud).toBeInstanceOf(Vm86FaultError);
    expect(ud).toMatchObject({ vector: 6, cs: HANDLER >>> 4, ip: 1 });
    intact();
    installHandler(memory, 0x40, HANDLER, [0x0f, 0x22, 0xc0]); // mov cr0, eax
    expect(() => monitor.call(0x40, {})).toThrow(/exception 13 .*opcode 0xf is not emulated/);
    intact();
  });
});

describe('port I/O by the bitmap', () => {
  function ioMachine() {
    const log: string[] = [];
    const io: IoBus = {
      read: (port, size) => {
        log.push(`in ${port.toString(16)}/${size}`);
        return 0xa5a5a5a5 & (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff);
      },
      write: (port, size, value) => {
        log.push(`out ${port.toString(16)}/${size}=${value.toString(16)}`);
      },
    };
    const policy = (port: number) => (port === 0x81 ? 'trap' : port === 0x82 ? 'deny' : 'allow');
    const m = setup({ ports: policy }, bareMachine({ io }));
    return { ...m, log };
  }

  it('allowed ports run natively, trapped ports go through the monitor to the same bus', () => {
    const { memory, monitor, log, intact } = ioMachine();
    // mov al,12h; out 80h,al; out 81h,al; in al,81h; mov ah,al; in al,80h; out 80h,ax (80-81: traps)
    const code = [0xb0, 0x12, 0xe6, 0x80, 0xe6, 0x81, 0xe4, 0x81, 0x88, 0xc4, 0xe4, 0x80, 0xe7, 0x80, 0xcf];
    installHandler(memory, 0x40, HANDLER, code);
    const r = monitor.call(0x40, {});
    expect(r.eax & 0xffff).toBe(0xa5a5);
    expect(log).toEqual(['out 80/1=12', 'out 81/1=12', 'in 81/1', 'in 80/1', 'out 80/2=a5a5']);
    expect(monitor.lastCall?.emulated).toEqual({ out: 2, in: 1, iret: 1 });
    intact();
  });

  it('REP OUTSB and REP INSB through a trapped port move the whole count', () => {
    const { memory, monitor, log, intact } = ioMachine();
    memory.ram.set([1, 2, 3], HANDLER + 0x800);
    // mov dx,81h; mov si,800h; mov cx,3; rep outsb; mov di,900h; mov cx,2; rep insb; iret (DS=ES=F100h)
    const code = [0xba, 0x81, 0x00, 0xbe, 0x00, 0x08, 0xb9, 0x03, 0x00, 0xf3, 0x6e];
    code.push(0xbf, 0x00, 0x09, 0xb9, 0x02, 0x00, 0xf3, 0x6c, 0xcf);
    installHandler(memory, 0x40, HANDLER, code);
    const seg = HANDLER >>> 4;
    const r = monitor.call(0x40, { ds: seg, es: seg });
    expect(log).toEqual(['out 81/1=1', 'out 81/1=2', 'out 81/1=3', 'in 81/1', 'in 81/1']);
    expect([...memory.ram.subarray(HANDLER + 0x900, HANDLER + 0x903)]).toEqual([0xa5, 0xa5, 0]);
    expect([r.esi & 0xffff, r.edi & 0xffff, r.ecx & 0xffff]).toEqual([0x803, 0x902, 0]);
    intact();
  });

  it('a denied port ends the call with Vm86IoError and no bus cycle', () => {
    const { memory, monitor, log, intact } = ioMachine();
    installHandler(memory, 0x40, HANDLER, [0xb0, 0x12, 0xe6, 0x82, 0xcf]); // out 82h, al
    expect(() => monitor.call(0x40, {})).toThrow(Vm86IoError);
    expect(() => monitor.call(0x40, {})).toThrow(/OUT to port 0x0082 denied/);
    expect(log).toEqual([]);
    intact();
  });
});

describe('hardware interrupts', () => {
  function picMachine(vector: number) {
    let pending = false;
    let acknowledged = 0;
    const pic = {
      hasInterrupt: () => pending,
      acknowledge: () => {
        pending = false;
        acknowledged++;
        return vector;
      },
      raise: () => {
        pending = true;
      },
      get acknowledged() {
        return acknowledged;
      },
    };
    return { pic, machine: bareMachine({ pic }) };
  }

  it('are reflected through the IVT once the BIOS enables them with STI', () => {
    const { pic, machine } = picMachine(0x08); // vector 8 collides with #DF: the hook tells them apart
    const { memory, monitor, intact } = setup({}, machine);
    // nop; sti; nop; nop; cli; iret
    installHandler(memory, 0x40, HANDLER, [0x90, 0xfb, 0x90, 0x90, 0xfa, 0xcf]);
    installHandler(memory, 0x08, HANDLER + 0x100, [0xba, 0x08, 0x08, 0xcf]); // mov dx, 0808h
    pic.raise();
    const r = monitor.call(0x40, { edx: 0 });
    expect(r.edx & 0xffff).toBe(0x0808);
    expect(pic.acknowledged).toBe(1);
    expect(monitor.lastCall?.reflected).toBe(1);
    intact();
  });

  it('stay pending while the virtual IF is clear', () => {
    const { pic, machine } = picMachine(0x08);
    const { memory, monitor } = setup({}, machine);
    installHandler(memory, 0x40, HANDLER, [0x90, 0x90, 0xcf]);
    installHandler(memory, 0x08, HANDLER + 0x100, [0xba, 0x08, 0x08, 0xcf]);
    pic.raise();
    expect(monitor.call(0x40, { edx: 0, eflags: 0x002 }).edx).toBe(0);
    expect(pic.acknowledged).toBe(0);
  });
});
