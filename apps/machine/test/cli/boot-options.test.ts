import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultDiskPath, resolveGuests } from '../../src/cli/boot-options.js';
import { UsageError } from '../../src/cli/errors.js';
import { ElfError } from '../../src/kernel/elf.js';
import { builtinPrograms, GUEST_BIN_DIR } from '../../src/kernel/guests.js';
import { BootError } from '../../src/kernel/system.js';

const dir = mkdtempSync(join(tmpdir(), 'phantasm-boot-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('defaultDiskPath', () => {
  it('uses $XDG_DATA_HOME/phantasm, else ~/.local/share/phantasm (a relative XDG_DATA_HOME is ignored)', () => {
    expect(defaultDiskPath({ XDG_DATA_HOME: '/data' }, '/home/u')).toBe('/data/phantasm/system.img');
    expect(defaultDiskPath({}, '/home/u')).toBe('/home/u/.local/share/phantasm/system.img');
    expect(defaultDiskPath({ XDG_DATA_HOME: 'rel' }, '/home/u')).toBe(
      '/home/u/.local/share/phantasm/system.img',
    );
  });
});

describe('resolveGuests', () => {
  const builtins = builtinPrograms();

  it('starts the key-value shell by default, with every built-in program available', () => {
    const r = resolveGuests([], builtins);
    expect(r.initial).toEqual([{ program: 'kvshell' }]);
    expect(r.programs.map((p) => p.name)).toEqual(builtins.map((p) => p.name));
    expect(() => resolveGuests([], [])).toThrow(BootError);
  });

  it('takes built-in names and ELF files (named after the file), in order', () => {
    const file = join(dir, 'mycounter.elf');
    copyFileSync(join(GUEST_BIN_DIR, 'counter.elf'), file);
    const r = resolveGuests(['kvshell', file], builtins);
    expect(r.initial).toEqual([{ program: 'kvshell' }, { program: 'mycounter' }]);
    expect(r.programs.map((p) => p.name)).toContain('mycounter');
  });

  it('refuses an unknown name (UsageError) and a file that is no guest image (ElfError)', () => {
    expect(() => resolveGuests(['nosuch'], builtins)).toThrow(UsageError);
    expect(() => resolveGuests(['nosuch'], builtins)).toThrow(
      /neither a built-in program \(.*kvshell.*\) nor a file/,
    );
    const junk = join(dir, 'junk.elf');
    writeFileSync(junk, 'not an ELF image');
    expect(() => resolveGuests([junk], builtins)).toThrow(ElfError);
    expect(() => resolveGuests([dir], builtins)).toThrow(/not a file/);
  });
});
