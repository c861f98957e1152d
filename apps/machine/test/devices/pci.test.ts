import { describe, expect, it } from 'vitest';
import { i440fxFunctions, PciHost } from '../../src/devices/pci.js';
import { DeviceConfigError } from '../../src/devices/types.js';

function cfgRead(pci: PciHost, dev: number, fn: number, reg: number, size: 1 | 2 | 4 = 4): number {
  pci.write(0xcf8, 4, 0x80000000 | (dev << 11) | (fn << 8) | (reg & 0xfc));
  return pci.read(0xcfc + (reg & 3), size);
}

function cfgWrite(
  pci: PciHost,
  dev: number,
  fn: number,
  reg: number,
  value: number,
  size: 1 | 2 | 4 = 4,
): void {
  pci.write(0xcf8, 4, 0x80000000 | (dev << 11) | (fn << 8) | (reg & 0xfc));
  pci.write(0xcfc + (reg & 3), size, value);
}

describe('PciHost (i440FX/PIIX3)', () => {
  it('exposes the IDs a BIOS looks for', () => {
    const pci = new PciHost(i440fxFunctions());
    expect(cfgRead(pci, 0, 0, 0)).toBe(0x12378086);
    expect(cfgRead(pci, 1, 0, 0)).toBe(0x70008086);
    expect(cfgRead(pci, 1, 1, 0)).toBe(0x70108086);
    expect(cfgRead(pci, 1, 0, 0x0e, 1)).toBe(0x80);
    expect(cfgRead(pci, 1, 1, 0x0a, 2)).toBe(0x0101);
    expect(cfgRead(pci, 5, 0, 0)).toBe(0xffffffff);
  });

  it('sizes BARs by writing all ones', () => {
    const pci = new PciHost(i440fxFunctions());
    cfgWrite(pci, 1, 1, 0x20, 0xffffffff);
    expect(cfgRead(pci, 1, 1, 0x20)).toBe(0xfffffff1);
    cfgWrite(pci, 1, 1, 0x20, 0xc001);
    expect(pci.fn(1, 1)!.ioBar(4)).toBe(0xc000);
  });

  it('keeps read-only registers and stores BIOS-owned ones', () => {
    const pci = new PciHost(i440fxFunctions());
    cfgWrite(pci, 0, 0, 0, 0);
    expect(cfgRead(pci, 0, 0, 0)).toBe(0x12378086);
    cfgWrite(pci, 0, 0, 0x59, 0x30, 1);
    expect(cfgRead(pci, 0, 0, 0x59, 1)).toBe(0x30);
    expect(cfgRead(pci, 1, 0, 0x60, 1)).toBe(0x80);
    pci.write(0xcf8, 4, 0x1234);
    expect(pci.read(0xcf8, 4)).toBe(0x1234);
    expect(pci.read(0xcfc, 4)).toBe(0xffffffff); // enable bit clear
  });

  it('requests a reset through 0xCF9 and refuses duplicate functions', () => {
    let resets = 0;
    const pci = new PciHost(i440fxFunctions(), () => resets++);
    pci.write(0xcf9, 1, 0x06);
    expect(resets).toBe(1);
    const dup = i440fxFunctions();
    expect(() => new PciHost([...dup, dup[0]])).toThrow(DeviceConfigError);
  });
});
