// apps/web's tests: unit tests under Node, and the browser tests that drive headless chromium
// (test/browser.test.ts) with the time a loaded 2-core host needs to build the site and boot two
// machines in the browser. Workspace imports resolve to their sources, as in vitest.shared.ts.
import { resolve } from 'node:path';
import { defineProject } from 'vitest/config';

const root = resolve(import.meta.dirname, '../..');

export default defineProject({
  resolve: {
    alias: [
      { find: '@phantasm/test-support', replacement: resolve(root, 'tools/test-support/src/index.ts') },
      { find: '@phantasm/machine/browser', replacement: resolve(root, 'apps/machine/src/browser.ts') },
      { find: /^@phantasm\/([a-z0-9-]+)$/, replacement: resolve(root, 'packages/$1/src/index.ts') },
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
