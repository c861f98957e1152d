// A short slice of the PC Linux boot for measuring the CPU before/after a change: boots Debian
// 12's 686 kernel with the busybox initramfs (as linux-pc.bench.ts) for N instructions and prints
// the wall and process CPU time, the load average and the compiler's stats. Run it several times
// and take the minimum; compare before/after in the same sitting.
//   npx tsx --conditions=source apps/machine/bench/linux-pc-slice.ts [N=600e6]
// Env: PHANTASM_IA32_JIT (default 16000, as the bench and the test); SLICE_LINES=1 prints each
// console line with its instruction count and time; SLICE_PROGRESS=1 prints
// the time every 200 M instructions; SLICE_PROFILE_FROM=M writes a V8 CPU profile of the run
// from M instructions on to linux-pc-slice.cpuprofile (with tsx, functions sit on one line:
// bundle with esbuild for line ticks).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import { writeBusyboxInitramfs } from '../src/boards/malta/initramfs.js';
import { PcBoard } from '../src/boards/pc/pc-board.js';

const KERNEL = 'images/x86/vmlinuz-686';
const BUSYBOX = 'images/x86/busybox-i386';
const LIMIT = Number(process.argv[2] ?? 600e6);
process.env.PHANTASM_IA32_JIT ||= '16000';

const kernel = findShared(KERNEL);
const busybox = findShared(BUSYBOX);
if (!kernel || !busybox) {
  console.log(`skipped: ${missingMessage(kernel ? BUSYBOX : KERNEL)}`);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'phantasm-pc-slice-'));
const initrd = join(dir, 'initramfs.cpio.gz');
writeBusyboxInitramfs(busybox, initrd);
let out = '';
const board = new PcBoard({
  memoryMiB: 128,
  serial: (b) => {
    out += String.fromCharCode(b);
    if (b === 10 && process.env.SLICE_LINES) {
      const line = out.slice(out.lastIndexOf('\n', out.length - 2) + 1).trimEnd();
      console.log(
        `${(board.cpu.instructions / 1e6).toFixed(0).padStart(5)} M ${((performance.now() - start) / 1000).toFixed(2).padStart(6)} s  ${line.slice(0, 90)}`,
      );
    }
  },
});
const start = performance.now();
const cpu0 = process.cpuUsage();
board.loadLinux(new Uint8Array(readFileSync(kernel)), {
  cmdline: 'console=ttyS0 cryptomgr.notests',
  initrd: new Uint8Array(readFileSync(initrd)),
});
let r = board.run({ maxInstructions: 0 });
const profileFrom = Number(process.env.SLICE_PROFILE_FROM ?? Number.NaN);
let session: Session | undefined;
while (board.cpu.instructions < LIMIT && !out.includes('phantasm# ')) {
  if (session === undefined && board.cpu.instructions >= profileFrom) {
    session = new Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.start');
  }
  r = board.run({ maxInstructions: Math.min(LIMIT, board.cpu.instructions + 20e6) });
  if (r.stop !== 'max-instructions') break;
  if (process.env.SLICE_PROGRESS && board.cpu.instructions % 200e6 < 20e6) {
    const st = board.cpu.jitStats;
    console.log(
      `${(board.cpu.instructions / 1e6).toFixed(0)} M at ${((performance.now() - start) / 1000).toFixed(2)} s, compiled ${((st?.instructions ?? 0) / 1e6).toFixed(0)} M`,
    );
  }
}
const wall = (performance.now() - start) / 1000;
session?.post('Profiler.stop', (err, { profile }) => {
  if (!err) writeFileSync('linux-pc-slice.cpuprofile', JSON.stringify(profile));
});
const cpu = process.cpuUsage(cpu0);
const n = board.cpu.instructions;
const s = board.cpu.jitStats;
console.log(
  `${(n / 1e6).toFixed(0)} M instr, wall ${wall.toFixed(2)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, ` +
    `${(n / 1e6 / wall).toFixed(1)} M/s, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, jit ${process.env.PHANTASM_IA32_JIT}` +
    (s ? `, blocks ${s.blocksCompiled ?? ''} ${JSON.stringify(s)}` : ''),
);
console.log(out.split('\n').slice(-2).join(' | '));
rmSync(dir, { recursive: true, force: true });
