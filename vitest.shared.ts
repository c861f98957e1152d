// One vitest configuration for every package: workspace imports resolve to the
// sources, so tests never need a build of their dependencies.
import { resolve } from 'node:path';
import { defineProject } from 'vitest/config';

const root = import.meta.dirname;

export function packageTestConfig(packageDir: string, name: string) {
  return defineProject({
    resolve: {
      alias: [
        { find: '@phantasm/test-support', replacement: resolve(root, 'tools/test-support/src/index.ts') },
        { find: /^@phantasm\/([a-z0-9-]+)$/, replacement: resolve(root, 'packages/$1/src/index.ts') },
      ],
    },
    test: {
      name,
      root: packageDir,
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  });
}
