// `pnpm web` (vite dev server) and `vite build` (static site in dist/). Workspace packages resolve
// to their TypeScript sources (the "source" export condition); the few node: imports that
// @phantasm/machine's modules make at load time map to small browser stubs (src/node-stubs).
import { resolve } from 'node:path';
import { defaultClientConditions, defineConfig } from 'vite';

const here = import.meta.dirname;
const stub = (name: string) => resolve(here, `src/node-stubs/${name}.ts`);

export default defineConfig({
  root: here,
  base: './',
  resolve: {
    conditions: ['source', ...defaultClientConditions],
    alias: [{ find: /^node:(fs|path|url|zlib)$/, replacement: stub('$1') }],
  },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
  },
  server: { port: 5173 },
});
