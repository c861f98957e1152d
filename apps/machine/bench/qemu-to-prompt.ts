// Times a QEMU boot from process start to a prompt on its serial console (stdio), for the
// Linux benches that put our boards side by side with QEMU.
import { spawn } from 'node:child_process';

export interface QemuBoot {
  reached: boolean;
  wallMs: number;
}

/** Runs `qemu args…` until `prompt` appears on its stdout (then kills it); undefined when QEMU cannot start. */
export function qemuToPrompt(
  qemu: string,
  args: string[],
  prompt: string,
  timeoutMs: number,
): Promise<QemuBoot | undefined> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(qemu, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('latin1');
      if (out.includes(prompt)) {
        const wallMs = performance.now() - start;
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve({ reached: true, wallMs });
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ reached: out.includes(prompt), wallMs: performance.now() - start });
    });
  });
}
