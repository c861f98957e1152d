// Cost of a BIOS call through the monitor. Each workload is a real-mode handler run two ways:
// through Vm86Monitor.call from paged protected mode (v86, every sensitive instruction traps),
// and as the reference, the same handler entered directly in real mode by the CPU (no monitor:
// what it would cost if the kernel could drop to real mode for free). The ratio is the
// monitor's overhead; the traps column says how many exits each call took.
import { Cpu } from '@phantasm/cpu-ia32';
import { PhysicalMemory } from '@phantasm/mmu';
import { Vm86Monitor } from '../src/index.js';

const HANDLER = 0xf1000;

interface Workload {
  name: string;
  code: number[];
}

const loop = (body: number[]) => [0xb9, 0xe8, 0x03, ...body, 0xe2, -(body.length + 2) & 0xff, 0xcf]; // mov cx,1000; body; loop; iret

const WORKLOADS: Workload[] = [
  { name: 'empty handler (iret)', code: [0xcf] },
  { name: '1000 x (add/xor), no traps', code: loop([0x01, 0xc3, 0x31, 0xd2]) },
  { name: '1000 x (pushf; popf)', code: loop([0x9c, 0x9d]) },
  { name: '1000 x (cli; sti)', code: loop([0xfa, 0xfb]) },
];

function machine(code: number[]) {
  const memory = new PhysicalMemory({ ramSize: 4 << 20 });
  memory.ram.set(code, HANDLER);
  memory.write16(0x40 * 4, 0);
  memory.write16(0x40 * 4 + 2, HANDLER >>> 4);
  memory.ram[0x500] = 0xf4; // real-mode reference returns to a HLT at 0000:0500
  return { memory, cpu: new Cpu({ memory }) };
}

function viaMonitor(code: number[], calls: number): { seconds: number; traps: number } {
  const { memory, cpu } = machine(code);
  // kernel-like flat protected mode with paging (identity map of 4 MiB)
  memory.write32(0x300000, 0x301000 | 3);
  for (let i = 0; i < 1024; i++) memory.write32(0x301000 + i * 4, (i << 12) | 3);
  cpu.setControl(3, 0x300000);
  cpu.setControl(0, 0x80000011);
  cpu.setSegment('cs', { selector: 8, base: 0, limit: 0xffffffff, rights: 0xc09b });
  const monitor = new Vm86Monitor({ cpu });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) monitor.call(0x40, { eflags: 0x002 });
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, traps: monitor.lastCall?.traps ?? 0 };
}

function realMode(code: number[], calls: number): number {
  const { cpu } = machine(code);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    // as `int 40h` from 0000:0500 would: FLAGS, CS, IP on the stack, CS:IP from the IVT
    cpu.setSegment('ss', { selector: 0, base: 0, limit: 0xffff, rights: 0x93 });
    cpu.esp = 0x7000 - 6;
    cpu.memory.write16(0x7000 - 6, 0x500);
    cpu.memory.write16(0x7000 - 4, 0);
    cpu.memory.write16(0x7000 - 2, 0x002);
    cpu.setSegment('cs', { selector: HANDLER >>> 4, base: HANDLER, limit: 0xffff, rights: 0x9b });
    cpu.eip = 0;
    cpu.halted = false;
    if (cpu.run(1_000_000) !== 'hlt') throw new Error('reference run did not return');
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const rows: string[][] = [
  ['workload', 'vm86 calls/s', 'traps/call', 'real-mode calls/s (reference)', 'overhead'],
];
for (const w of WORKLOADS) {
  const calls = w.code.length > 1 ? 200 : 20_000;
  viaMonitor(w.code, Math.ceil(calls / 10)); // warm-up
  realMode(w.code, Math.ceil(calls / 10));
  const v = viaMonitor(w.code, calls);
  const r = realMode(w.code, calls);
  rows.push([
    w.name,
    (calls / v.seconds).toFixed(0),
    String(v.traps),
    (calls / r).toFixed(0),
    `${(v.seconds / r).toFixed(1)}x`,
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows)
  console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
