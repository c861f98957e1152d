// Build the Malta board's busybox initramfs (gzip'd cpio newc) from the shared busybox-mipsel:
//   npx tsx --conditions=source apps/machine/scripts/build-initramfs-mips.ts OUT.cpio.gz [BUSYBOX]
// BUSYBOX defaults to $PHANTASM_SHARED/images/mips/busybox-mipsel.
import { findShared, missingMessage } from '@phantasm/test-support';
import { writeBusyboxInitramfs } from '../src/boards/malta/initramfs.js';

const BUSYBOX = 'images/mips/busybox-mipsel';
const [out, given] = process.argv.slice(2);
if (!out) {
  process.stderr.write('usage: build-initramfs-mips.ts OUT.cpio.gz [BUSYBOX]\n');
  process.exit(64);
}
const busybox = given ?? findShared(BUSYBOX);
if (!busybox) {
  process.stderr.write(`${missingMessage(BUSYBOX)}\n`);
  process.exit(1);
}
const size = writeBusyboxInitramfs(busybox, out);
process.stdout.write(`${out}: ${size} bytes (busybox ${busybox})\n`);
