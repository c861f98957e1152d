// Debian 12's 4kc-malta kernel on the Malta board with a busybox initramfs built at test time:
// boot to a shell on ttyS0, run `uname -a; cat /proc/cpuinfo; echo done`, check the answers, then
// `poweroff -f` powers the board off through the PIIX4. About 3.9 billion guest instructions (the
// kernel's XZ self-decompression is most of it): on cpu-mips32's fast path (compiled blocks) it is
// part of the normal run whenever the shared images exist, and is skipped plainly without them. The
// same session on the plain interpreter (twice the CPU time) runs only with PHANTASM_MALTA_LINUX=1 and
// must retire exactly the same instructions and print exactly the same console text.
// linux.qemu.txt is the same session under qemu-system-mipsel -M malta -cpu 24Kf -m 256 (its 24Kf
// adds the FPU and MIPS16 lines).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
const plainEnabled = process.env.PHANTASM_MALTA_LINUX === '1';
const PROMPT = 'phantasm# ';
/** A fixed RNG seed (the CLI passes a fresh one, as QEMU does): the boot is the same every run. */
const SEED = new Uint8Array(32).map((_, i) => i * 37 + 1);
/** Wall-clock ceiling per phase (a loaded 2-core host runs the boot in 1-5 minutes). */
const PHASE_MS = 15 * 60_000;

if (!kernel) console.log(`skipped: ${missingMessage(KERNEL)}`);
else if (!busybox) console.log(`skipped: ${missingMessage(BUSYBOX)}`);
else if (!plainEnabled)
  console.log('skipped: the plain-interpreter Linux boot runs only with PHANTASM_MALTA_LINUX=1');

/** What one session produced: instructions at the end of each phase, and the whole console. */
interface Session {
  instructions: number[];
  console: string;
}

describe.skipIf(!kernel || !busybox)('Debian 12 Linux (4kc-malta) on the Malta board', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phantasm-malta-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const initrdPath = join(dir, 'initramfs.cpio.gz');
  let fast: Session | undefined;

  /** Boot, ask, power off, checking every answer; the session for comparison between the paths. */
  function session(fastPath: boolean): Session {
    if (!existsSync(initrdPath)) writeBusyboxInitramfs(busybox!, initrdPath);
    let console_ = '';
    const board = new MaltaBoard({
      memoryMiB: 128,
      fastPath,
      serial: (b) => (console_ += String.fromCharCode(b)),
    });
    board.loadKernel({
      kernel: readFileSync(kernel!),
      initrd: readFileSync(initrdPath),
      cmdline: 'console=ttyS0',
      kernelName: 'vmlinuz-malta',
      rngSeed: SEED,
    });
    const phase = (until?: string): MaltaRunResult => board.run({ untilSerial: until, timeoutMs: PHASE_MS });
    const boot = phase(PROMPT);
    console.log(
      `Malta Linux (${fastPath ? 'fast path' : 'plain interpreter'}): shell prompt after ${boot.instructions} ` +
        `instructions, ${(boot.wallMs / 1000).toFixed(1)} s wall, ${boot.virtualSeconds.toFixed(2)} s virtual`,
    );
    expect(boot.stop, console_.slice(-2000)).toBe('serial');
    expect(console_).toContain('Linux version 6.1.0');
    expect(console_).toContain('Run /init as init process');

    const before = console_.length;
    board.type('uname -a; cat /proc/cpuinfo; echo done\n');
    // "done" on a line of its own: the echo of the typed line ends in "echo done" instead
    const asked = phase('\ndone\r\n');
    expect(asked.stop).toBe('serial');
    const answer = console_.slice(before);
    expect(answer).toMatch(/Linux \S+ 6\.1\.0-\d+-4kc-malta #1 SMP Debian 6\.1\.\d+-\d+ .* mips GNU\/Linux/);
    expect(answer).toMatch(/system type\s+: MIPS Malta/);
    expect(answer).toMatch(/cpu model\s+: MIPS 24Kc V0\.0/); // PRId 0x00019300 with no FPU
    expect(answer).toMatch(/tlb_entries\s+: 16/);

    board.type('poweroff -f\n');
    const off = phase();
    expect(off.stop).toBe('poweroff');
    expect(console_).toContain('reboot: Power down');
    return { instructions: [boot.instructions, asked.instructions, off.instructions], console: console_ };
  }

  it('boots to a shell on ttyS0 (fast path), answers uname and /proc/cpuinfo, and powers off', {
    timeout: 3 * PHASE_MS,
  }, () => {
    fast = session(true);
  });

  it.skipIf(!plainEnabled)(
    'does the same on the plain interpreter: same instructions, same console',
    {
      timeout: 3 * PHASE_MS,
    },
    () => {
      const plain = session(false);
      expect(fast, 'the fast-path session above must have completed').toBeDefined();
      expect(plain.instructions).toEqual(fast?.instructions);
      expect(plain.console).toBe(fast?.console);
    },
  );
});
