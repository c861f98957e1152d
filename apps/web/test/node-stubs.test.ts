// The browser build's stand-ins for node:path and node:url agree with Node's own on the paths
// @phantasm/machine computes at load time; the node:fs stand-in finds nothing and refuses reads.
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fs from '../src/node-stubs/fs.js';
import * as path from '../src/node-stubs/path.js';
import { fileURLToPath } from '../src/node-stubs/url.js';

describe('node stubs', () => {
  it.each([['/a/b/c.ts'], ['/a/b/'], ['/a'], ['/'], ['a/b'], ['a']])('dirname(%j) as node:path', (p) => {
    expect(path.dirname(p)).toBe(nodePath.posix.dirname(p));
  });

  it.each([
    [['/x/src/kernel', '../../guests/bin']],
    [['/x/src/kernel', './a', '../b']],
    [['/x', '/y/z']],
    [['/x/y', '..', '..', '..']],
  ])('resolve(%j) as node:path', (parts) => {
    expect(path.resolve(...parts)).toBe(nodePath.posix.resolve(...parts));
  });

  it('fileURLToPath of a file URL as node:url', () => {
    const url = pathToFileURL('/work/some dir/bios.bin').href;
    expect(fileURLToPath(url)).toBe('/work/some dir/bios.bin');
    expect(fileURLToPath(new URL('../../firmware/bios.bin', 'file:///a/b/c/d.ts'))).toBe(
      '/a/firmware/bios.bin',
    );
  });

  it('fs finds no file and refuses to read one', () => {
    expect(fs.existsSync('/anything')).toBe(false);
    expect(() => fs.readFileSync()).toThrow(/node:fs readFileSync\(\) is not available in the browser/);
    expect(() => fs.openSync()).toThrow(/not available in the browser/);
  });
});
