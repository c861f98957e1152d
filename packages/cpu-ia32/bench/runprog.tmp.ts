import { readFileSync } from 'node:fs';
import { PhysicalMemory } from '@phantasm/mmu';
import { Cpu, type IoBus } from '../src/index.js';

const name = process.argv[2];
const memory = new PhysicalMemory({ ramSize: 4 * 1024 * 1024 });
memory.ram.set(readFileSync(`test/programs/${name}.bin`), 0x7c00);
let output = '';
const io: IoBus = {
  read: () => 0xff,
  write: (p, _s, v) => {
    if (p === 0xe9) output += String.fromCharCode(v & 0xff);
  },
};
const cpu = new Cpu({ memory, io });
cpu.setSegment('cs', { selector: 0, base: 0, limit: 0xffff, rights: 0x9b });
cpu.eip = 0x7e00;
console.error(cpu.run(5_000_000));
const want = readFileSync(`test/programs/${name}.expected.txt`, 'utf8');
const a = output.split(/[ \n]/),
  b = want.split(/[ \n]/);
let shown = 0;
const OPS =
  'add adc sub sbb cmp and or xor inc dec neg not shl shr sar shl1 sar1 rol ror rcl rcr rcr1 shld shrd mul imul imul2 imul3 div idiv bsf bsr bt bts btr btc bswap xadd cmpxchg cwde cdq movsx movzx setcc add16 sbb16 imul16 mul16 shr16 rcr16 rcl8 add8 mul8 div8 daa das aaa aas aam aad'.split(
    ' ',
  );
const vals = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678, 0xfedcba98, 0x8001];
const k = 0;
for (let i = 0; i < Math.max(a.length, b.length); i++) {
  if (a[i] !== b[i] && shown++ < 30) {
    const idx = i - 1;
    const op = idx % 60;
    const pair = Math.floor(idx / 61);
    console.log(i, OPS[(i - 2) % 61], 'pairish', a[i], 'want', b[i]);
  }
}
console.log('total tokens', a.length, b.length, 'mismatches', shown);
