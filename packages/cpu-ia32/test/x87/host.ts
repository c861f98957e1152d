// Builds and runs test/native/x87-harness.c (the host processor as the x87 oracle).
import { join } from 'node:path';
import { buildHarness, type Host } from '../native/host-harness.js';

export type { Host };

/** Compile the harness into a temporary directory; a reason string when that cannot be done here. */
export const buildHost = (): Host | string =>
  buildHarness(join(import.meta.dirname, '..', 'native', 'x87-harness.c'), 'x87');
