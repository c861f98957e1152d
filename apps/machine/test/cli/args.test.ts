import { describe, expect, it } from 'vitest';
import { helpText, parseCommandLine, parsePcArgs, UsageError, unescapeTyped } from '../../src/cli/args.js';

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

  it('reads --jit as a threshold or off, and refuses anything else', () => {
    expect(parsePcArgs(['--jit', '16000']).jit).toBe(16000);
    expect(parsePcArgs(['--jit=0']).jit).toBe(0);
    expect(parsePcArgs(['--jit', 'off']).jit).toBe(false);
    expect(parsePcArgs([]).jit).toBeUndefined();
    expect(() => parsePcArgs(['--jit', 'fast'])).toThrow(/--jit needs "off" or a threshold/);
    expect(() => parsePcArgs(['--jit', '-1'])).toThrow(UsageError);
  });
});

describe('unescapeTyped', () => {
  it('turns \\n and \\r into Enter and keeps escaped backslashes', () => {
    expect(unescapeTyped('dir\\n')).toBe('dir\r');
    expect(unescapeTyped('a\\rb')).toBe('a\rb');
    expect(unescapeTyped('c:\\\\dos')).toBe('c:\\dos');
  });
});

describe('parseCommandLine', () => {
  it('boots the Phantasm system with no arguments, and with boot options but no command', () => {
    expect(parseCommandLine([])).toEqual({ command: 'boot', args: { arch: 'ia32', guests: [] } });
    expect(parseCommandLine(['--memory', '32'])).toEqual({
      command: 'boot',
      args: { arch: 'ia32', guests: [], memoryMiB: 32 },
    });
  });

  it('reads every boot option; --guest repeats', () => {
    const r = parseCommandLine([
      'boot',
      '--arch',
      'ia32',
      '--disk',
      'd.img',
      '--memory=16',
      '--guest',
      'kvshell',
      '--guest',
      './counter.elf',
      '--snapshot-interval',
      '0.5',
      '--bios',
      'b.bin',
      '--memmap',
      'm.svg',
      '--max-instructions',
      '1000000',
      '--timeout',
      '3',
    ]);
    expect(r).toEqual({
      command: 'boot',
      args: {
        arch: 'ia32',
        disk: 'd.img',
        memoryMiB: 16,
        guests: ['kvshell', './counter.elf'],
        snapshotIntervalSeconds: 0.5,
        bios: 'b.bin',
        memmap: 'm.svg',
        maxInstructions: 1_000_000,
        timeoutSeconds: 3,
      },
    });
    expect(parseCommandLine(['boot', '--snapshot-interval', '0'])).toMatchObject({
      args: { snapshotIntervalSeconds: 0 },
    });
  });

  it('tells a bare `phantasm pc` (the default PC machine) from one with options', () => {
    expect(parseCommandLine(['pc'])).toEqual({ command: 'pc', bare: true, args: { serial: 'stdio' } });
    expect(parseCommandLine(['pc', '--serial', 'stdio'])).toMatchObject({ bare: false });
  });

  it('reads inspect: a disk, --json, --memmap', () => {
    expect(parseCommandLine(['inspect', 'd.img'])).toEqual({
      command: 'inspect',
      args: { disk: 'd.img', json: false },
    });
    expect(parseCommandLine(['inspect', '--json', 'd.img', '--memmap', 'm.svg'])).toEqual({
      command: 'inspect',
      args: { disk: 'd.img', json: true, memmap: 'm.svg' },
    });
  });

  it('refuses unknown commands, missing and excess arguments, bad choices and numbers', () => {
    expect(() => parseCommandLine(['machine'])).toThrow(/unknown command "machine"/);
    expect(() => parseCommandLine(['inspect'])).toThrow(/missing required argument 'FILE'/);
    expect(() => parseCommandLine(['inspect', 'a', 'b'])).toThrow(UsageError);
    expect(() => parseCommandLine(['boot', 'extra'])).toThrow(/too many arguments/);
    expect(() => parseCommandLine(['boot', '--arch', 'mips32'])).toThrow(/Allowed choices are ia32/);
    expect(() => parseCommandLine(['boot', '--snapshot-interval', '-1'])).toThrow(/number of seconds/);
    expect(() => parseCommandLine(['boot', '--guest'])).toThrow(/--guest needs a value/);
    expect(() => parseCommandLine(['boot', '--fda', 'a.img'])).toThrow(/unknown option "--fda"/);
    expect(() => parseCommandLine(['inspect', 'd.img', '--memory', '3'])).toThrow(UsageError);
  });

  it('generates help for the program and each command, and the version', () => {
    const top = helpText();
    for (const command of ['boot', 'pc', 'inspect']) expect(top).toContain(command);
    expect(helpText('boot')).toContain('--snapshot-interval <SECONDS>');
    expect(helpText('pc')).toContain('--until-screen <TEXT>');
    expect(helpText('inspect')).toContain('--json');
    expect(parseCommandLine(['help', 'inspect'])).toMatchObject({ command: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({
      command: 'help',
      text: expect.stringMatching(/^\d+\.\d+\.\d+\n$/),
    });
  });
});
