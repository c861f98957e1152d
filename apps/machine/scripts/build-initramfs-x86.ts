// Build the PC board's busybox initramfs (gzip'd cpio newc) from the shared busybox-i386:
//   npx tsx --conditions=source apps/machine/scripts/build-initramfs-x86.ts OUT.cpio.gz [BUSYBOX]
// BUSYBOX defaults to $PHANTASM_SHARED/images/x86/busybox-i386. The tree and the cpio writer are
// the Malta board's (src/boards/malta/initramfs.ts: nothing in them depends on the architecture).
import { findShared, missingMessage } from '@phantasm/test-support';
import { writeBusyboxInitramfs } from '../src/boards/malta/initramfs.js';

const BUSYBOX = 'images/x86/busybox-i386';
const [out, given] = process.argv.slice(2);
if (!out) {
  process.stderr.write('usage: build-initramfs-x86.ts OUT.cpio.gz [BUSYBOX]\n');
  process.exit(64);
}
const busybox = given ?? findShared(BUSYBOX);
if (!busybox) {
  process.stderr.write(`${missingMessage(BUSYBOX)}\n`);
  process.exit(1);
}
const size = writeBusyboxInitramfs(busybox, out);
process.stdout.write(`${out}: ${size} bytes (busybox ${busybox})\n`);
