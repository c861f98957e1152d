// Test guests for the Malta board: a minimal ELF writer and a few hand-assembled programs.

/** A minimal ELF32 LE MIPS executable: one PT_LOAD of `code` at `vaddr`. */
export function elf(vaddr: number, code: number[], memExtra = 0, machine = 8, dataEncoding = 1): Uint8Array {
  const body = new Uint8Array(new Uint32Array(code).buffer);
  const out = new Uint8Array(0x100 + body.length);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, dataEncoding, 1]);
  v.setUint16(16, 2, true);
  v.setUint16(18, machine, true);
  v.setUint32(24, vaddr, true); // entry
  v.setUint32(28, 52, true); // phoff
  v.setUint16(42, 32, true);
  v.setUint16(44, 1, true);
  v.setUint32(52, 1, true); // PT_LOAD
  v.setUint32(56, 0x100, true);
  v.setUint32(60, vaddr, true);
  v.setUint32(64, vaddr, true);
  v.setUint32(68, body.length, true);
  v.setUint32(72, body.length + memExtra, true);
  out.set(body, 0x100);
  return out;
}

const itype = (op: number, rs: number, rt: number, imm: number) =>
  ((op << 26) | (rs << 21) | (rt << 16) | (imm & 0xffff)) >>> 0;
const T0 = 8;
const T1 = 9;
const T2 = 10;
const T3 = 11;
const T4 = 12;
const lui = (rt: number, imm: number) => itype(0x0f, 0, rt, imm);
const ori = (rt: number, rs: number, imm: number) => itype(0x0d, rs, rt, imm);
const sw = (rt: number, base: number, off: number) => itype(0x2b, base, rt, off);
const sh = (rt: number, base: number, off: number) => itype(0x29, base, rt, off);
const sb = (rt: number, base: number, off: number) => itype(0x28, base, rt, off);

/**
 * Prints `text` on COM1 (kseg1 0xB80003F8), then powers the board off as Linux's piix4-poweroff
 * does: PMBA = 0x1000 and PMREGMISC = 1 in PIIX4 function 3 (through the GT-64120's CFGADDR and
 * CFGDATA at kseg1 0xBBE00CF8/CFC), then PMCNTRL = SUS_EN with the soft-off type. Spins after.
 */
export function powerOffProgram(text: string): Uint8Array {
  const code: number[] = [lui(T3, 0xb800)];
  for (const ch of text) code.push(ori(T4, 0, ch.charCodeAt(0)), sb(T4, T3, 0x3f8));
  code.push(...powerOff());
  return elf(0x8010_0000, code);
}

/**
 * Echoes what COM1 receives (polling LSR.DR, with the receive interrupt enabled in IER as a driver
 * that has the port open does) until it echoes `last`, then powers off as `powerOffProgram`.
 */
export function echoProgram(last: string): Uint8Array {
  const T5 = 13;
  const T6 = 14;
  const lbu = (rt: number, base: number, off: number) => itype(0x24, base, rt, off);
  const code: number[] = [lui(T3, 0xb800), ori(T4, 0, 1), sb(T4, T3, 0x3f9)];
  const loop = code.length;
  code.push(lbu(T4, T3, 0x3fd), itype(0x0c, T4, T4, 1)); // andi t4, t4, 1 (data ready)
  code.push(itype(4, T4, 0, loop - (code.length + 1)), 0); // beq t4, zero, loop
  code.push(lbu(T5, T3, 0x3f8), sb(T5, T3, 0x3f8), ori(T6, 0, last.charCodeAt(0)));
  code.push(itype(5, T5, T6, loop - (code.length + 1)), 0); // bne t5, t6, loop
  code.push(...powerOff());
  return elf(0x8010_0000, code);
}

/** PIIX4 power-off through PCI configuration and PMCNTRL (t3 = kseg1 base of the ISA window). */
function powerOff(): number[] {
  return [
    lui(T0, 0xbbe0),
    lui(T1, 0x8000),
    ori(T1, T1, 0x5340), // bus 0, device 10, function 3, register 0x40 (PMBA)
    sw(T1, T0, 0xcf8),
    ori(T2, 0, 0x1000),
    sw(T2, T0, 0xcfc),
    lui(T1, 0x8000),
    ori(T1, T1, 0x5380), // register 0x80 (PMREGMISC)
    sw(T1, T0, 0xcf8),
    ori(T2, 0, 1),
    sw(T2, T0, 0xcfc),
    ori(T4, 0, 0x2000), // SUS_EN, suspend type 0 (soft off)
    sh(T4, T3, 0x1004),
    itype(4, 0, 0, 0xffff), // b . (never reached)
    0,
  ];
}
