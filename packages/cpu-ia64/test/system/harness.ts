// A minimal bare-metal machine for the system tests, with the `phantasm ia64` board's map: RAM from
// physical 0, console bytes at 0xf0000000 (the 16550's THR; the other registers read 0x60: "ready"),
// the exit port at 0xf0001000.
import { readFileSync } from 'node:fs';
import { Ia64System, parseElf } from '../../src/index.js';

export interface BareResult {
  output: string;
  /** cpu.fault's kind and message when reason = 'fault'. */
  fault?: string;
  status: number | undefined;
  reason: string;
  instructions: number;
  system: Ia64System;
}

export function runBare(path: string, budget = 2_000_000): BareResult {
  const sys = new Ia64System();
  const image = parseElf(readFileSync(path), path);
  for (const s of image.segments) {
    sys.memory.map(s.vaddr, s.memsz);
    sys.memory.writeBytes(s.vaddr, s.data);
  }
  sys.memory.map(0x20_0000n, 0x20_0000); // scratch data pages the programs use
  let output = '';
  let status: number | undefined;
  sys.memory.addMmio({
    base: 0xf000_0000n,
    size: 8n,
    read: (off) => (off === 5 ? 0x60n : 0n),
    write: (off, _size, v) => {
      if (off === 0) output += String.fromCharCode(Number(v & 0xffn));
    },
  });
  sys.memory.addMmio({
    base: 0xf000_1000n,
    size: 8n,
    read: () => 0n,
    write: (_off, _size, v) => {
      status = Number(v & 0xffff_ffffn);
      sys.requestStop();
    },
  });
  sys.boot(image.entry);
  const reason = sys.run(budget);
  const fault = reason === 'fault' ? `${sys.cpu.fault?.kind}: ${sys.cpu.fault?.message}` : undefined;
  return { output, fault, status, reason, instructions: sys.cpu.retired, system: sys };
}
