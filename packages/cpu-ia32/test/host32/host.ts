// Builds and runs test/native/ia32-harness.c as a 32-bit process (the host processor in IA-32
// mode as the oracle): needs gcc -m32 (Debian's gcc-multilib) and a host that runs 32-bit code.
import { join } from 'node:path';
import { buildHarness, type Host } from '../native/host-harness.js';

export type { Host };

/** Compile the harness into a temporary directory; a reason string when that cannot be done here. */
export const buildHost = (): Host | string =>
  buildHarness(join(import.meta.dirname, '..', 'native', 'ia32-harness.c'), 'ia32', ['-m32']);
