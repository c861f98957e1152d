// Power-on to the busybox shell prompt of Debian 12's 4kc-malta Linux on the Malta board (cpu-mips32's
// fast path; PHANTASM_BENCH_PLAIN=1 adds the plain interpreter), against
// qemu-system-mipsel -M malta -cpu 24Kf (TCG) booting the same kernel and initramfs in the same
// run when it is installed: guest instructions, wall time, virtual time, MIPS and the wall-time
// ratio. The initramfs is built from the shared busybox-mipsel into a temporary directory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import { writeBusyboxInitramfs } from '../src/boards/malta/initramfs.js';
import { MaltaBoard } from '../src/boards/malta/malta-board.js';
import { type QemuBoot, qemuToPrompt } from './qemu-to-prompt.js';

const KERNEL = 'images/mips/vmlinuz-malta';
const BUSYBOX = 'images/mips/busybox-mipsel';
const PROMPT = 'phantasm# ';
const QEMU = 'qemu-system-mipsel';

const kernel = findShared(KERNEL);
const busybox = findShared(BUSYBOX);
if (!kernel || !busybox) {
  console.log(`skipped: ${missingMessage(kernel ? BUSYBOX : KERNEL)}`);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'phantasm-malta-bench-'));
const initrd = join(dir, 'initramfs.cpio.gz');
writeBusyboxInitramfs(busybox, initrd);

function phantasm(fastPath: boolean) {
  let out = '';
  const board = new MaltaBoard({ memoryMiB: 128, fastPath, serial: (b) => (out += String.fromCharCode(b)) });
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  board.loadKernel({
    kernel: readFileSync(kernel!),
    initrd: readFileSync(initrd),
    cmdline: 'console=ttyS0',
    rngSeed: new Uint8Array(32).fill(0x5a), // fixed: the same instruction count every run
  });
  const r = board.run({ untilSerial: PROMPT, timeoutMs: 30 * 60_000 });
  return {
    reached: r.stop === 'serial',
    instructions: r.instructions,
    wallMs: performance.now() - start,
    cpuMs: (() => {
      const used = process.cpuUsage(cpu0);
      return (used.user + used.system) / 1000;
    })(),
    virtual: r.virtualSeconds,
  };
}

/** QEMU from process start to the prompt on its serial console (then killed); undefined when absent. */
function qemu(): Promise<QemuBoot | undefined> {
  const args = ['-M', 'malta', '-cpu', '24Kf', '-m', '128', '-kernel', kernel!, '-initrd', initrd];
  args.push('-append', 'console=ttyS0', '-nographic', '-monitor', 'none', '-serial', 'stdio', '-no-reboot');
  return qemuToPrompt(QEMU, args, PROMPT, 120_000);
}

try {
  const runs = [{ name: 'phantasm (cpu-mips32 fast path)', ...phantasm(true) }];
  if (process.env.PHANTASM_BENCH_PLAIN === '1')
    runs.push({ name: 'phantasm (plain interpreter)', ...phantasm(false) });
  const reference = await qemu();
  console.log('power-on → busybox shell prompt, Debian 12 4kc-malta Linux 6.1 (Malta, 128 MiB)');
  console.log(
    `${'machine'.padEnd(34)}${'reached'.padEnd(9)}${'instructions'.padStart(14)}${'wall s'.padStart(9)}` +
      `${'CPU s'.padStart(8)}${'MIPS'.padStart(8)}${'virtual s'.padStart(11)}${'wall vs QEMU'.padStart(14)}`,
  );
  for (const ours of runs) {
    console.log(
      `${ours.name.padEnd(34)}${(ours.reached ? 'yes' : 'no').padEnd(9)}${String(ours.instructions).padStart(14)}` +
        `${(ours.wallMs / 1000).toFixed(2).padStart(9)}${(ours.cpuMs / 1000).toFixed(1).padStart(8)}` +
        `${(ours.instructions / ours.wallMs / 1000).toFixed(1).padStart(8)}${ours.virtual.toFixed(2).padStart(11)}` +
        `${(reference?.reached ? `${(ours.wallMs / reference.wallMs).toFixed(1)}x` : '-').padStart(14)}`,
    );
  }
  if (reference) {
    console.log(
      `${'qemu-system-mipsel (TCG)'.padEnd(34)}${(reference.reached ? 'yes' : 'no').padEnd(9)}${'-'.padStart(14)}` +
        `${(reference.wallMs / 1000).toFixed(2).padStart(9)}`,
    );
  } else console.log(`${QEMU} not installed: no reference`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
