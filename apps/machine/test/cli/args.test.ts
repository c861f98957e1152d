import { describe, expect, it } from 'vitest';
import { parsePcArgs, UsageError, unescapeTyped } from '../../src/cli/args.js';

describe('parsePcArgs', () => {
  it('reads every QEMU-style option, with or without "pc" and "="', () => {
    const a = parsePcArgs([
      'pc',
      '--bios',
      'b.bin',
      '--fda=a.img',
      '--hda',
      'c.img',
      '--kernel',
      'k.elf',
      '--memory',
      '64',
      '--serial',
      'out.txt',
      '--debugcon',
      'stdio',
      '--max-instructions',
      '1000',
      '--until-screen',
      'A:\\>',
      '--type',
      'ver\\n',
      '--screen-dump',
      's.txt',
      '--timeout',
      '2.5',
    ]);
    expect(a).toEqual({
      bios: 'b.bin',
      fda: 'a.img',
      hda: 'c.img',
      kernel: 'k.elf',
      memoryMiB: 64,
      serial: 'out.txt',
      debugcon: 'stdio',
      maxInstructions: 1000,
      untilScreen: 'A:\\>',
      type: 'ver\r',
      screenDump: 's.txt',
      timeoutSeconds: 2.5,
    });
    expect(parsePcArgs([]).serial).toBe('stdio');
  });

  it('refuses unknown options, missing values and bad numbers with a UsageError', () => {
    expect(() => parsePcArgs(['--floppy', 'x'])).toThrow(UsageError);
    expect(() => parsePcArgs(['--fda'])).toThrow(/needs a value/);
    expect(() => parsePcArgs(['--memory', 'lots'])).toThrow(/positive integer/);
    expect(() => parsePcArgs(['--max-instructions', '1.5'])).toThrow(/positive integer/);
    expect(() => parsePcArgs(['--timeout', '-1'])).toThrow(/positive number/);
  });
});

describe('unescapeTyped', () => {
  it('turns \\n and \\r into Enter and keeps escaped backslashes', () => {
    expect(unescapeTyped('dir\\n')).toBe('dir\r');
    expect(unescapeTyped('a\\rb')).toBe('a\rb');
    expect(unescapeTyped('c:\\\\dos')).toBe('c:\\dos');
  });
});
