// The static build: `vite build` succeeds, and what it emits for the browser (the page and the
// machine worker) imports no Node module — the few node: imports in @phantasm/machine's sources
// resolve to src/node-stubs, and nothing reaches for processes or the terminal.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, removeSite } from './harness.js';

const NODE_ONLY = /\b(?:from\s*["']node:|import\s*\(\s*["']node:|require\s*\(|process\.stdin|child_process)/;

describe('vite build', () => {
  let dir: string;
  beforeAll(() => {
    dir = buildSite();
  });
  afterAll(() => {
    if (dir) removeSite(dir);
  });

  it('emits the page, the worker, the BIOS and the guests, none of them importing Node modules', () => {
    const assets = readdirSync(join(dir, 'assets'));
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('<canvas id="screen"');
    const scripts = assets.filter((f) => f.endsWith('.js'));
    expect(scripts.some((f) => f.startsWith('worker'))).toBe(true);
    expect(assets.some((f) => f.startsWith('bios') && f.endsWith('.bin'))).toBe(true);
    expect(assets.some((f) => f.startsWith('kvshell') && f.endsWith('.elf'))).toBe(true);
    for (const f of scripts) {
      const code = readFileSync(join(dir, 'assets', f), 'utf8');
      expect(code.match(NODE_ONLY)?.[0], `${f} reaches for Node`).toBeUndefined();
    }
  });
});
