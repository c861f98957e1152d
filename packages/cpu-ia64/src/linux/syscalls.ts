// Linux/ia64 system calls as a table of small handlers (numbers from the kernel's ia64 syscall table).
// A handler gets the process and the eight argument registers and returns a result, or a negative
// errno which the dispatcher turns into the ia64 convention (r8 = errno, r10 = -1).
import type { LinuxProcess } from './process.js';

export const NR = {
  exit: 1025,
  read: 1026,
  write: 1027,
  open: 1028,
  close: 1029,
  getpid: 1041,
  brk: 1060,
  uname: 1130,
  mmap: 1151,
  munmap: 1152,
  exit_group: 1236,
  clock_gettime: 1254,
} as const;

export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EBADF: 9,
  ENOMEM: 12,
  EFAULT: 14,
  EINVAL: 22,
  EROFS: 30,
  ENOSYS: 38,
};

type Handler = (p: LinuxProcess, a: bigint[]) => bigint;
const MAX_IO = 1 << 24;

const exit: Handler = (p, a) => {
  p.exit(Number(BigInt.asIntN(32, a[0])) & 0xff);
  return 0n;
};

const write: Handler = (p, a) => {
  const out = p.output(Number(a[0]));
  if (!out) return -BigInt(ERRNO.EBADF);
  const len = Number(a[2] > BigInt(MAX_IO) ? BigInt(MAX_IO) : a[2]);
  const bytes = p.memory.readBytes(a[1], len);
  if (!bytes) return -BigInt(ERRNO.EFAULT);
  out(bytes);
  return BigInt(len);
};

const read: Handler = (p, a) => {
  const len = Number(a[2] > BigInt(MAX_IO) ? BigInt(MAX_IO) : a[2]);
  const bytes = p.input(Number(a[0]), len);
  if (!bytes) return -BigInt(ERRNO.EBADF);
  if (!p.memory.writeBytes(a[1], bytes)) return -BigInt(ERRNO.EFAULT);
  return BigInt(bytes.length);
};

const open: Handler = (p, a) => {
  const path = p.readString(a[0]);
  if (path === undefined) return -BigInt(ERRNO.EFAULT);
  if ((a[1] & 3n) !== 0n) return -BigInt(ERRNO.EROFS); // read-only access to host files
  return BigInt(p.openHostFile(path));
};

const close: Handler = (p, a) => (p.closeFile(Number(a[0])) ? 0n : -BigInt(ERRNO.EBADF));

const brk: Handler = (p, a) => p.setBrk(a[0]);

const MAP_FIXED = 0x10n;
const MAP_ANONYMOUS = 0x20n;
const mmap: Handler = (p, a) => {
  if ((a[3] & MAP_ANONYMOUS) === 0n) return -BigInt(ERRNO.ENOSYS); // file mappings are not emulated
  if (a[1] === 0n || a[1] > 1n << 32n) return -BigInt(ERRNO.EINVAL);
  return p.mapAnonymous((a[3] & MAP_FIXED) !== 0n ? a[0] : undefined, Number(a[1]));
};

const munmap: Handler = (p, a) => {
  if (a[1] > 1n << 32n) return -BigInt(ERRNO.EINVAL);
  p.memory.unmap(a[0], Number(a[1]));
  return 0n;
};

const clockGettime: Handler = (p, a) => {
  const ns = p.now();
  const ok =
    p.memory.write(a[1], 8, ns / 1_000_000_000n) && p.memory.write(a[1] + 8n, 8, ns % 1_000_000_000n);
  return ok ? 0n : -BigInt(ERRNO.EFAULT);
};

const UTS_FIELDS = ['Linux', 'phantasm', '2.6.32', '#1 SMP', 'ia64', '(none)'];
const uname: Handler = (p, a) => {
  const buf = new Uint8Array(65 * UTS_FIELDS.length);
  UTS_FIELDS.forEach((text, k) => {
    buf.set(new TextEncoder().encode(text), 65 * k);
  });
  return p.memory.writeBytes(a[0], buf) ? 0n : -BigInt(ERRNO.EFAULT);
};

const getpid: Handler = () => 1000n;

export const SYSCALLS: Record<number, Handler> = {
  [NR.exit]: exit,
  [NR.exit_group]: exit,
  [NR.read]: read,
  [NR.write]: write,
  [NR.open]: open,
  [NR.close]: close,
  [NR.getpid]: getpid,
  [NR.brk]: brk,
  [NR.mmap]: mmap,
  [NR.munmap]: munmap,
  [NR.clock_gettime]: clockGettime,
  [NR.uname]: uname,
};
