// apps/web's tests drive headless chromium: one file, run alone, with the time a loaded 2-core
// host needs to build the site and boot two machines in the browser.
import { resolve } from 'node:path';
import { defineProject } from 'vitest/config';

const root = resolve(import.meta.dirname, '../..');

export default defineProject({
  resolve: {
    alias: [
      { find: '@phantasm/test-support', replacement: resolve(root, 'tools/test-support/src/index.ts') },
    ],
  },
  test: {
    name: 'web',
    root: import.meta.dirname,
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
