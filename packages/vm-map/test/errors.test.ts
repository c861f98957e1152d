import { describe, expect, it } from 'vitest';
import {
  AddressError,
  BlockDeviceError,
  ChecksumError,
  CorruptPageError,
  DamageError,
  FormatError,
  OutOfFramesError,
  PowerCutError,
  StateError,
  UntrustedDiskError,
  VmMapError,
} from '../src/index.js';

describe('typed errors', () => {
  const checksum = new ChecksumError(7, 'page 3', 1, 2);
  const cases: [Error, string, ...(abstract new (...args: never[]) => Error)[]][] = [
    [new VmMapError('m'), 'VmMapError'],
    [new BlockDeviceError('m'), 'BlockDeviceError', VmMapError],
    [new PowerCutError(5), 'PowerCutError', VmMapError],
    [new DamageError('m'), 'DamageError', VmMapError],
    [new FormatError('m'), 'FormatError', DamageError, VmMapError],
    [checksum, 'ChecksumError', DamageError, VmMapError],
    [new CorruptPageError(0x1000, 7, checksum), 'CorruptPageError', VmMapError],
    [new UntrustedDiskError('m', ['a']), 'UntrustedDiskError', VmMapError],
    [new AddressError('m'), 'AddressError', VmMapError],
    [new StateError('m'), 'StateError', VmMapError],
    [new OutOfFramesError('m'), 'OutOfFramesError', VmMapError],
  ];
  it.each(cases)('%s is named %s and keeps its ancestry', (error, name, ...ancestors) => {
    expect(error.name).toBe(name);
    expect(String(error).startsWith(`${name}: `)).toBe(true);
    for (const a of ancestors) expect(error).toBeInstanceOf(a);
    expect(error).toBeInstanceOf(Error);
  });
  it('keeps messages and causes', () => {
    expect(new PowerCutError(5).message).toBe('simulated power cut at device operation 5');
    expect(new CorruptPageError(0x1000, 7, checksum).cause).toBe(checksum);
    expect(new DamageError('m')).not.toBeInstanceOf(BlockDeviceError);
  });
});
