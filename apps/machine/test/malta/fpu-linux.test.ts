// Debian 12's 4kc-malta kernel on a 24Kf Malta board (`cpu: '24Kf'`): the kernel finds the FPU
// (FIR 0x00739300, as under QEMU's -cpu 24Kf) and busybox awk's floating point runs on the hardware
// FPU instead of the kernel's emulator. Billions of instructions: only with PHANTASM_MALTA_LINUX=1,
// like linux.test.ts; without the shared images it is skipped plainly.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBusyboxInitramfs } from '../../src/boards/malta/initramfs.js';
import { MaltaBoard, type MaltaRunResult } from '../../src/boards/malta/malta-board.js';

const KERNEL = 'images/mips/vmlinuz-malta';
const BUSYBOX = 'images/mips/busybox-mipsel';
const kernel = findShared(KERNEL);
const busybox = findShared(BUSYBOX);
const enabled = process.env.PHANTASM_MALTA_LINUX === '1';
const PROMPT = 'phantasm# ';
const SEED = new Uint8Array(32).map((_, i) => i * 37 + 1);
const PHASE_MS = 15 * 60_000;

if (!kernel) console.log(`skipped: ${missingMessage(KERNEL)}`);
else if (!busybox) console.log(`skipped: ${missingMessage(BUSYBOX)}`);
else if (!enabled) console.log('skipped: the Linux boot runs only with PHANTASM_MALTA_LINUX=1 (minutes)');

describe.skipIf(!kernel || !busybox || !enabled)(
  'Debian 12 Linux on a 24Kf Malta board (hardware FPU)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'phantasm-malta-fpu-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reports the FPU, and awk computes IEEE doubles on it', { timeout: 3 * PHASE_MS }, () => {
      const initrdPath = join(dir, 'initramfs.cpio.gz');
      writeBusyboxInitramfs(busybox!, initrdPath);
      let console_ = '';
      const board = new MaltaBoard({
        memoryMiB: 128,
        cpu: '24Kf',
        serial: (b) => (console_ += String.fromCharCode(b)),
      });
      board.loadKernel({
        kernel: readFileSync(kernel!),
        initrd: readFileSync(initrdPath),
        cmdline: 'console=ttyS0',
        kernelName: 'vmlinuz-malta',
        rngSeed: SEED,
      });
      const phase = (until?: string): MaltaRunResult =>
        board.run({ untilSerial: until, timeoutMs: PHASE_MS });
      const boot = phase(PROMPT);
      console.log(
        `Malta Linux (24Kf): shell prompt after ${boot.instructions} instructions, ${(boot.wallMs / 1000).toFixed(1)} s wall`,
      );
      expect(boot.stop, console_.slice(-2000)).toBe('serial');
      expect(console_).toContain('FPU revision is: 00739300'); // the line QEMU's 24Kf boot prints too

      const before = console_.length;
      // Busybox awk has no math library here (no sqrt): plain arithmetic, printf and int().
      board.type(
        `cat /proc/cpuinfo; awk 'BEGIN { printf "%.17g %.17g %.17g %d\\n", 1/3, 0.1+0.2, 7/9*1e300, int(-7.9) }'; echo done\n`,
      );
      expect(phase('\ndone\r\n').stop).toBe('serial');
      const answer = console_.slice(before);
      expect(answer).toMatch(/cpu model\s+: MIPS 24Kc V0\.0 {2}FPU V0\.0/);
      expect(answer).toContain('0.33333333333333331 0.30000000000000004 7.7777777777777782e+299 -7');
      board.type('poweroff -f\n');
      expect(phase().stop).toBe('poweroff');
    });
  },
);
