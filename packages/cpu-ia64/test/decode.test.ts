// Our decoder against `ia64-linux-gnu-objdump -d` on every committed image: every slot of every
// bundle in the code segment must decode to the same instruction family objdump names (objdump.txt
// holds objdump's mnemonic per distinct slot encoding; programs/build.sh regenerates it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBundle, parseElf, TEMPLATES } from '../src/index.js';
import { image, PROGRAMS, programNames } from './helpers.js';

const table = new Map<string, string>();
for (const line of readFileSync(join(PROGRAMS, 'objdump.txt'), 'utf8').split('\n')) {
  const [unit, raw, mnemonic] = line.split(' ');
  if (mnemonic) table.set(`${unit} ${raw}`, mnemonic);
}

// objdump prints pseudo-ops (mov for adds/addl, shl for dep.z, shr for extr) and drops the
// predicate-less `.cond`: compare instruction families after these aliases.
// FP pseudo-ops: fadd/fmpy/fnorm/fcvt.xuf are fma, fsub is fms, fneg/fabs/fnegabs (and mov of an FR)
// are fmerge.
const ALIAS: Record<string, string> = {
  adds: 'mov',
  addl: 'mov',
  shl: 'dep',
  extr: 'shr',
  fadd: 'fma',
  fmpy: 'fma',
  fnorm: 'fma',
  fsub: 'fms',
  fneg: 'fmerge',
  fabs: 'fmerge',
  fnegabs: 'fmerge',
};
function family(mnemonic: string, unit = ''): string {
  if (mnemonic.startsWith('fcvt.xuf')) return 'fma';
  if (unit === 'F' && mnemonic === 'mov') return 'fmerge';
  const parts = mnemonic.split('.');
  const head = ALIAS[parts[0]] ?? parts[0];
  if (head === 'br' || head === 'brl') {
    const kind = parts[1];
    return ['call', 'ret', 'cloop', 'ctop', 'cexit', 'wtop', 'wexit', 'ia'].includes(kind)
      ? `${head}.${kind}`
      : head;
  }
  return head;
}

describe('decoder against objdump', () => {
  it('names the same instruction in every slot of every image', () => {
    let slots = 0;
    const mismatches: string[] = [];
    for (const name of [...programNames(), ...programNames('fault_'), ...programNames('bench_')]) {
      const elf = parseElf(image(name));
      const text = elf.segments.find((s) => s.flags & 1);
      if (!text) throw new Error(`${name}: no code segment`);
      for (let off = 0; off + 16 <= text.data.length; off += 16) {
        const v = new DataView(text.data.buffer, text.data.byteOffset + off, 16);
        const b = decodeBundle(v.getBigUint64(0, true), v.getBigUint64(8, true));
        const t = TEMPLATES[b.template];
        b.insns.forEach((d, k) => {
          if (!d || !t) return;
          const unit = t.units[k] === 'L' ? 'X' : t.units[k];
          const theirs = table.get(`${unit} ${d.raw.toString(16)}`);
          if (theirs === undefined) return; // padding after the last bundle objdump listed
          slots++;
          if (family(theirs, unit) !== family(d.name, unit))
            mismatches.push(`${name}+${off}: ${unit} ${d.name} vs objdump ${theirs}`);
        });
      }
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(slots).toBeGreaterThan(10_000);
  });
});
