// Where a PC Linux boot spends its instructions: boot Debian 12's 686 kernel with the busybox
// initramfs to the shell prompt, sampling EIP every SAMPLE instructions, then map the kernel's
// samples to functions through the guest's own /proc/kallsyms (only the lines of the sampled
// pages are printed, by a busybox awk typed at the prompt). Samples taken with paging off (setup
// code, the decompressor, early head code) and in user mode are counted apart. Also prints the
// instruction count at which each console line appeared.
//   nice -n 5 npx tsx --conditions=source apps/machine/bench/linux-pc-profile.ts [APPEND]
// Env: PHANTASM_IA32_JIT as for the CPU; PROFILE_SAMPLE (default 1e6).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import { writeBusyboxInitramfs } from '../src/boards/malta/initramfs.js';
import { PcBoard } from '../src/boards/pc/pc-board.js';

const KERNEL = 'images/x86/vmlinuz-686';
const BUSYBOX = 'images/x86/busybox-i386';
const PROMPT = 'phantasm# ';
const SAMPLE = Number(process.env.PROFILE_SAMPLE ?? 1e6);
const append = process.argv[2] ?? 'console=ttyS0';

const kernel = findShared(KERNEL);
const busybox = findShared(BUSYBOX);
if (!kernel || !busybox) {
  console.log(`skipped: ${missingMessage(kernel ? BUSYBOX : KERNEL)}`);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'phantasm-pc-profile-'));
const initrd = join(dir, 'initramfs.cpio.gz');
writeBusyboxInitramfs(busybox, initrd);

let log = '';
const lines: string[] = [];
let line = '';
const board = new PcBoard({
  memoryMiB: 128,
  serial: (b) => {
    log += String.fromCharCode(b);
    if (b === 10) {
      lines.push(`${(board.cpu.instructions / 1e6).toFixed(0).padStart(7)} M  ${line.trimEnd()}`);
      line = '';
    } else line += String.fromCharCode(b);
  },
});
const start = performance.now();
board.loadLinux(new Uint8Array(readFileSync(kernel)), {
  cmdline: append,
  initrd: new Uint8Array(readFileSync(initrd)),
});
const samples = new Map<number, number>();
let noPaging = 0;
let user = 0;
let halted = 0;
const sampleOnce = () => {
  const cpu = board.cpu;
  if (!(cpu.cr0 & 0x80000000)) noPaging++;
  else if (cpu.cpl === 3) user++;
  else samples.set(cpu.eip >>> 0, (samples.get(cpu.eip >>> 0) ?? 0) + 1);
};
const until = (text: string, from: number, limit: number) => {
  for (;;) {
    const r = board.run({ maxInstructions: board.cpu.instructions + SAMPLE });
    if (r.stop === 'halted') halted++;
    sampleOnce();
    if (log.indexOf(text, from) >= 0 || board.cpu.instructions >= limit) return r;
  }
};
const boot = until(PROMPT, 0, 30e9);
const wall = (performance.now() - start) / 1000;
console.log(lines.join('\n'));
console.log(
  `\nprompt: ${log.includes(PROMPT)} after ${(boot.instructions / 1e9).toFixed(3)} G instructions, ` +
    `${wall.toFixed(1)} s wall, ${boot.virtualSeconds.toFixed(2)} s virtual, append "${append}"`,
);
const total = noPaging + user + [...samples.values()].reduce((a, b) => a + b, 0);
console.log(
  `samples every ${SAMPLE}: ${total}; paging off ${noPaging}, user ${user}, kernel ${total - noPaging - user}` +
    ` (${halted} samples ended in a halt nothing could wake)`,
);

// the kallsyms lines of the sampled pages (and the line before each run of them)
const pages = [...new Set([...samples.keys()].map((a) => (a >>> 12).toString(16).padStart(5, '0')))];
const mark = log.length;
const type = (s: string) => board.uart.receive(new TextEncoder().encode(s));
type('echo 0 > /proc/sys/kernel/kptr_restrict\n');
until(PROMPT, mark + 1, board.cpu.instructions + 2e9);
for (let i = 0; i < pages.length; i += 300) {
  const m = log.length;
  type(`echo "${pages.slice(i, i + 300).join(' ')}" >> /tmp/pages\n`);
  until(PROMPT, m + 1, board.cpu.instructions + 2e9);
}
const kmark = log.length;
type(
  `awk 'BEGIN{while((getline l < "/tmp/pages")>0){n=split(l,a," ");for(i=1;i<=n;i++)s[a[i]]=1}} ` +
    `{if(substr($1,1,5) in s){if(p!="")print p;print;p=""}else p=$0}' /proc/kallsyms; echo KSYMS-END\n`,
);
until('KSYMS-END\r\n', kmark, board.cpu.instructions + 5e9);
const syms: { addr: number; name: string }[] = [];
for (const l of log.slice(kmark).split(/\r?\n/)) {
  const m = /^([0-9a-f]{8}) [tTwW] (\S+)/.exec(l);
  if (m) syms.push({ addr: Number.parseInt(m[1], 16), name: m[2] });
}
syms.sort((a, b) => a.addr - b.addr);
const byName = new Map<string, number>();
for (const [addr, n] of samples) {
  let lo = 0;
  let hi = syms.length - 1;
  let found = '?';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (syms[mid].addr <= addr) {
      found = syms[mid].name;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found === '?') found = `?${addr.toString(16)}`;
  byName.set(found, (byName.get(found) ?? 0) + n);
}
console.log(`kallsyms lines read: ${syms.length}`);
if (syms.length === 0) console.log(`the console after the awk:\n${log.slice(kmark, kmark + 1500)}`);
console.log('kernel functions by samples:');
for (const [name, n] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
  console.log(`${String(n).padStart(7)} ${((100 * n) / total).toFixed(1).padStart(5)}%  ${name}`);
}
rmSync(dir, { recursive: true, force: true });
