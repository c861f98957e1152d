// For the browser tests and the bench: find Debian's chromium, build the site into a temporary
// folder (vite build), serve it on 127.0.0.1 and open it in headless chromium (playwright-core).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const appDir = resolve(import.meta.dirname, '..');

/** Candidates in order: $PHANTASM_CHROMIUM, Debian's binary (the /usr/bin one is a shell wrapper). */
const CHROMIUM_PATHS = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function findChromium(): string | undefined {
  const configured = process.env.PHANTASM_CHROMIUM;
  if (configured) return existsSync(configured) ? configured : undefined;
  return CHROMIUM_PATHS.find((p) => existsSync(p));
}

export const NO_CHROMIUM = `no chromium found (apt-get install chromium, or set PHANTASM_CHROMIUM); tried ${CHROMIUM_PATHS.join(', ')}`;

/** `vite build` of apps/web into a fresh temporary folder; returns the folder. */
export function buildSite(): string {
  const out = mkdtempSync(join(tmpdir(), 'phantasm-web-'));
  const vite = resolve(appDir, 'node_modules/vite/bin/vite.js');
  const run = spawnSync(
    process.execPath,
    [vite, 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: appDir,
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`vite build failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return out;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

/** Serve `dir` on an ephemeral loopback port (GET only, nothing outside dir). */
export async function serveStatic(dir: string): Promise<StaticSite> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export function launchChromium(executablePath: string): Promise<Browser> {
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
}

export function removeSite(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
