// Turns `objdump -d` listings (obj/*.dis) into objdump.txt: one line per distinct instruction slot,
// "UNIT RAW41HEX MNEMONIC", which test/decode.test.ts checks our decoder against on every image.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'obj';
const UNITS: Record<string, string> = {
  MII: 'MII',
  MI_I: 'MII',
  MLX: 'ML',
  MMI: 'MMI',
  M_MI: 'MMI',
  MFI: 'MFI',
  MMF: 'MMF',
  MIB: 'MIB',
  MBB: 'MBB',
  BBB: 'BBB',
  MMB: 'MMB',
  MFB: 'MFB',
};
const seen = new Map<string, string>();
for (const f of readdirSync(dir)
  .filter((x) => x.endsWith('.dis'))
  .sort()) {
  let bytes: number[] = [];
  let texts: string[] = [];
  let units = '';
  const flush = () => {
    if (bytes.length !== 16) return;
    let v = 0n;
    for (let i = 15; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
    const m41 = (1n << 41n) - 1n;
    const slots = [(v >> 5n) & m41, (v >> 46n) & m41, (v >> 87n) & m41];
    texts.forEach((t, k) => {
      const slot = units === 'ML' && k === 1 ? slots[2] : slots[k];
      const unit = units === 'ML' && k === 1 ? 'X' : units[k];
      const mnemonic = t
        .replace(/^\(p\d+\)\s*/, '')
        .split(/\s+/)[0]
        .replace(/;;$/, '');
      seen.set(`${unit} ${slot.toString(16)}`, mnemonic);
    });
  };
  for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
    const m = /^\s*[0-9a-f]+:\t((?:[0-9a-f]{2} )+)\s*\t?(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[2];
    const t = /^\[([A-Z_]+)\]\s*(.*)$/.exec(rest.trim());
    if (t) {
      flush();
      bytes = [];
      texts = [];
      units = UNITS[t[1].replace(/;;/g, '')] ?? '?';
      if (t[2]) texts.push(t[2].trim());
    } else if (rest.trim()) texts.push(rest.trim());
    for (const b of m[1].trim().split(' ')) bytes.push(Number.parseInt(b, 16));
  }
  flush();
}
for (const [key, mnemonic] of [...seen].sort()) console.log(`${key} ${mnemonic}`);
