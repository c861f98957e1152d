// The whole cpu-ia32 suite a second time with the block compiler forced on (threshold 0: every
// block is compiled the first time it is reached). The other files run with the compiler off
// (the default); here they are imported, so their tests register again under this file.
// The random-stream fuzz runs fewer cases here (fuzz.test.ts: jitScaled); jit.test.ts holds the
// compiler's own differential fuzz.
import { afterAll, beforeAll } from 'vitest';

const saved = process.env.PHANTASM_IA32_JIT;
beforeAll(() => {
  process.env.PHANTASM_IA32_JIT = '0';
});
afterAll(() => {
  if (saved === undefined) delete process.env.PHANTASM_IA32_JIT;
  else process.env.PHANTASM_IA32_JIT = saved;
});

await import('./cpu.test.js');
await import('./flags.test.js');
await import('./fuzz.test.js');
await import('./moo.test.js');
await import('./nmi.test.js');
await import('./pentium.test.js');
await import('./programs.test.js');
await import('./protected.test.js');
await import('./smc.test.js');
await import('./sst.test.js');
await import('./state.test.js');
await import('./vme.test.js');
await import('./x87-rules.test.js');
await import('./x87.test.js');
