import { describe, expect, it } from 'vitest';
import * as vm from '../src/index.js';

describe('typed errors', () => {
  const checksum = new vm.ChecksumError(7, 'page 3', 1, 2);
  const cases: [Error, string, ...(abstract new (...args: never[]) => Error)[]][] = [
    [new vm.VmMapError('m'), 'VmMapError'],
    [new vm.BlockDeviceError('m'), 'BlockDeviceError', vm.VmMapError],
    [new vm.PowerCutError(5), 'PowerCutError', vm.VmMapError],
    [new vm.DamageError('m'), 'DamageError', vm.VmMapError],
    [new vm.FormatError('m'), 'FormatError', vm.DamageError, vm.VmMapError],
    [checksum, 'ChecksumError', vm.DamageError, vm.VmMapError],
    [new vm.CorruptPageError(0x1000, 7, checksum), 'CorruptPageError', vm.VmMapError],
    [new vm.UntrustedDiskError('m', ['a']), 'UntrustedDiskError', vm.VmMapError],
    [new vm.AddressError('m'), 'AddressError', vm.VmMapError],
    [new vm.StateError('m'), 'StateError', vm.VmMapError],
    [new vm.OutOfFramesError('m'), 'OutOfFramesError', vm.VmMapError],
  ];
  it.each(cases)('%s is named %s and keeps its ancestry', (error, name, ...ancestors) => {
    expect(error.name).toBe(name);
    expect(String(error).startsWith(`${name}: `)).toBe(true);
    for (const a of ancestors) expect(error).toBeInstanceOf(a);
    expect(error).toBeInstanceOf(Error);
  });
  it('keeps messages and causes', () => {
    expect(new vm.PowerCutError(5).message).toBe('simulated power cut at device operation 5');
    expect(new vm.CorruptPageError(0x1000, 7, checksum).cause).toBe(checksum);
    expect(new vm.DamageError('m')).not.toBeInstanceOf(vm.BlockDeviceError);
  });
});
