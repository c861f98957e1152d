// Builds and runs test/int-fuzz/harness.c (the host processor as the integer oracle).
import { join } from 'node:path';
import { buildHarness, type Host } from '../native/host-harness.js';

export type { Host };

/** Compile the harness into a temporary directory; a reason string when that cannot be done here. */
export const buildHost = (): Host | string => buildHarness(join(import.meta.dirname, 'harness.c'), 'int');
