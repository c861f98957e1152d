import { describe, expect, it } from 'vitest';
import { FwCfg } from '../../src/devices/fw-cfg.js';
import { DeviceConfigError } from '../../src/devices/types.js';

function item(cfg: FwCfg, selector: number, length: number): number[] {
  cfg.write(0x510, 2, selector);
  return Array.from({ length }, () => cfg.read(0x511));
}

describe('FwCfg', () => {
  it('identifies as QEMU with the traditional interface', () => {
    const cfg = new FwCfg();
    expect(String.fromCharCode(...item(cfg, 0, 4))).toBe('QEMU');
    expect(item(cfg, 1, 4)).toEqual([1, 0, 0, 0]);
  });

  it('lists files big-endian in the directory and serves their bytes, zeros past the end', () => {
    const cfg = new FwCfg();
    cfg.addFile('vgaroms/vgabios.bin', new Uint8Array([0x55, 0xaa, 0x40]));
    const dir = item(cfg, 0x19, 4 + 64);
    expect(dir.slice(0, 4)).toEqual([0, 0, 0, 1]);
    expect(dir.slice(4, 8)).toEqual([0, 0, 0, 3]);
    const selector = (dir[8] << 8) | dir[9];
    const name = String.fromCharCode(...dir.slice(12, 12 + 19));
    expect(name).toBe('vgaroms/vgabios.bin');
    expect(item(cfg, selector, 5)).toEqual([0x55, 0xaa, 0x40, 0, 0]);
    expect(() => cfg.addFile('vgaroms/vgabios.bin', new Uint8Array(1))).toThrow(DeviceConfigError);
  });
});
