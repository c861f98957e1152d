// Power-on to the busybox shell prompt of Debian 12's 686 Linux on the PC board, against v86
// (npm devDependency: its wasm interpreter and x86-to-wasm JIT, booting the same bzImage, initrd
// and command line through its own `bzimage`/`initrd`/`cmdline` options on Debian's SeaBIOS) and
// qemu-system-i386 -cpu pentium3 (TCG) when installed, all in the same run: guest instructions
// (ours and v86's counters), wall time, MIPS and wall-time ratios. The initramfs is built from
// the shared busybox-i386 into a temporary directory.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import { writeBusyboxInitramfs } from '../src/boards/malta/initramfs.js';
import { PcBoard } from '../src/boards/pc/pc-board.js';
import { qemuToPrompt } from './qemu-to-prompt.js';

const KERNEL = 'images/x86/vmlinuz-686';
const BUSYBOX = 'images/x86/busybox-i386';
const PROMPT = 'phantasm# ';
// as the test's: cryptomgr.notests skips the crypto self-tests (~2.5 G instructions of guest work)
const APPEND = 'console=ttyS0 cryptomgr.notests';
const QEMU = 'qemu-system-i386';
const TIMEOUT_MS = 10 * 60_000;
/** The block compiler as the PC Linux test runs it (PHANTASM_IA32_JIT overrides): hot loops only. */
const JIT = process.env.PHANTASM_IA32_JIT || '16000';

interface Result {
  reached: boolean;
  wallMs: number;
  instructions?: number;
  virtual?: number;
}

const kernel = findShared(KERNEL);
const busybox = findShared(BUSYBOX);
if (!kernel || !busybox) {
  console.log(`skipped: ${missingMessage(kernel ? BUSYBOX : KERNEL)}`);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'phantasm-pc-bench-'));
const initrd = join(dir, 'initramfs.cpio.gz');
writeBusyboxInitramfs(busybox, initrd);

function phantasm(): Result {
  let out = '';
  const saved = process.env.PHANTASM_IA32_JIT;
  process.env.PHANTASM_IA32_JIT = JIT;
  const board = new PcBoard({ memoryMiB: 128, serial: (b) => (out += String.fromCharCode(b)) });
  if (saved === undefined) delete process.env.PHANTASM_IA32_JIT;
  else process.env.PHANTASM_IA32_JIT = saved;
  const start = performance.now();
  board.loadLinux(new Uint8Array(readFileSync(kernel!)), {
    cmdline: APPEND,
    initrd: new Uint8Array(readFileSync(initrd)),
  });
  for (;;) {
    const r = board.run({ maxInstructions: board.cpu.instructions + 20e6 });
    const wallMs = performance.now() - start;
    if (out.includes(PROMPT) || r.stop !== 'max-instructions' || wallMs > 4 * TIMEOUT_MS)
      return {
        reached: out.includes(PROMPT),
        wallMs,
        instructions: r.instructions,
        virtual: r.virtualSeconds,
      };
  }
}

/** The part of v86's public API used here. */
interface V86Emulator {
  add_listener(event: 'serial0-output-byte', listener: (byte: number) => void): void;
  get_instruction_counter(): number;
  destroy(): Promise<void>;
}
type V86Constructor = new (options: Record<string, unknown>) => V86Emulator;

/** v86 from construction to the prompt; a reason string when it cannot run here. */
async function v86(): Promise<Result | string> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('v86');
  } catch {
    return 'v86 package not installed';
  }
  const bios = '/usr/share/seabios/bios.bin';
  const vgaBios = '/usr/share/seabios/vgabios-stdvga.bin';
  if (!existsSync(bios) || !existsSync(vgaBios)) return 'no SeaBIOS images in /usr/share/seabios';
  const spec = 'v86';
  const mod = (await import(spec)) as { V86?: V86Constructor; default?: { V86?: V86Constructor } };
  const V86 = mod.V86 ?? mod.default?.V86;
  if (!V86) return 'v86 module has no V86 export';
  const buffer = (path: string) => new Uint8Array(readFileSync(path)).buffer;
  return new Promise((resolve) => {
    const start = performance.now();
    const emulator = new V86({
      wasm_path: join(dirname(entry), 'v86.wasm'),
      bios: { buffer: buffer(bios) },
      vga_bios: { buffer: buffer(vgaBios) },
      bzimage: { buffer: buffer(kernel!) },
      initrd: { buffer: buffer(initrd) },
      cmdline: APPEND,
      memory_size: 128 * 1024 * 1024,
      vga_memory_size: 8 * 1024 * 1024,
      autostart: true,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      log_level: 0,
    });
    // the counter is 32 bits wide: sum its steps, read often enough never to miss a wrap
    let instructions = 0;
    let last = 0;
    const count = () => {
      const now = emulator.get_instruction_counter();
      instructions += (now - last) >>> 0;
      last = now;
    };
    const poll = setInterval(count, 100);
    let out = '';
    let done = false;
    const finish = (reached: boolean) => {
      if (done) return;
      done = true;
      count();
      const wallMs = performance.now() - start;
      clearInterval(poll);
      clearTimeout(timer);
      void emulator
        .destroy()
        .catch(() => undefined)
        .then(() => resolve({ reached, wallMs, instructions }));
    };
    const timer = setTimeout(() => finish(false), TIMEOUT_MS);
    emulator.add_listener('serial0-output-byte', (byte) => {
      out += String.fromCharCode(byte);
      if (out.endsWith(PROMPT)) finish(true);
    });
  });
}

/** QEMU from process start to the prompt on its serial console (then killed); undefined when absent. */
function qemu(): Promise<Result | undefined> {
  // no_timer_check: QEMU's pc has an IO-APIC, and on a loaded host its TCG misses the kernel's
  // check that the timer reaches it ("IO-APIC + timer doesn't work!" panic); our board has none
  const append = `${APPEND} no_timer_check`;
  const args = ['-cpu', 'pentium3', '-m', '128', '-kernel', kernel!, '-initrd', initrd, '-append', append];
  args.push('-nographic', '-monitor', 'none', '-serial', 'stdio', '-no-reboot');
  return qemuToPrompt(QEMU, args, PROMPT, TIMEOUT_MS);
}

const row = (name: string, r: Result, ours: Result) =>
  `${name.padEnd(34)}${(r.reached ? 'yes' : 'no').padEnd(9)}` +
  `${(r.instructions === undefined ? '-' : (r.instructions / 1e9).toFixed(3)).padStart(10)}` +
  `${(r.wallMs / 1000).toFixed(2).padStart(9)}` +
  `${(r.instructions === undefined ? '-' : (r.instructions / r.wallMs / 1000).toFixed(1)).padStart(8)}` +
  `${(ours.wallMs / r.wallMs).toFixed(2).padStart(12)}`;

try {
  const ours = phantasm();
  const reference = await v86();
  const tcg = await qemu();
  console.log(`power-on → busybox shell prompt, Debian 12 686 Linux 6.1 (PC, 128 MiB, "${APPEND}")`);
  console.log(
    `${'machine'.padEnd(34)}${'reached'.padEnd(9)}${'G instr'.padStart(10)}${'wall s'.padStart(9)}` +
      `${'MIPS'.padStart(8)}${'ours / it'.padStart(12)}`,
  );
  console.log(row(`phantasm (cpu-ia32, jit ${JIT})`, ours, ours));
  console.log(`  virtual time at the prompt: ${ours.virtual?.toFixed(2)} s`);
  if (typeof reference === 'string') console.log(`v86: ${reference}`);
  else console.log(row('v86 (npm)', reference, ours));
  if (tcg) console.log(row(`${QEMU} -cpu pentium3 (TCG)`, tcg, ours));
  else console.log(`${QEMU} not installed: no reference`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
