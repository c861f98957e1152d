// Text → PC keyboard scancode set 1 (the set software sees with the 8042's translation on).

const UNSHIFTED = "1234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./";
const SHIFTED = '!@#$%^&*()_+\0\0QWERTYUIOP{}\0\0ASDFGHJKL:"~\0|ZXCVBNM<>?';
/** Set-1 make code of the first character of UNSHIFTED / SHIFTED. */
const FIRST_CODE = 0x02;
export const SC_LSHIFT = 0x2a;
export const SC_ENTER = 0x1c;
const SC_SPACE = 0x39;
const SC_ESC = 0x01;

export class UnknownKeyError extends Error {
  override name = 'UnknownKeyError';
}

/** Make code and whether Shift is needed for one character. */
export function keyFor(ch: string): { code: number; shift: boolean } {
  if (ch === ' ') return { code: SC_SPACE, shift: false };
  if (ch === '\r' || ch === '\n') return { code: SC_ENTER, shift: false };
  if (ch === '\x1b') return { code: SC_ESC, shift: false };
  let i = UNSHIFTED.indexOf(ch);
  if (i >= 0 && ch !== '\0') return { code: FIRST_CODE + i, shift: false };
  i = SHIFTED.indexOf(ch);
  if (i >= 0 && ch !== '\0') return { code: FIRST_CODE + i, shift: true };
  throw new UnknownKeyError(`no key on a US keyboard types ${JSON.stringify(ch)}`);
}

/** The make and break codes that type `text` (Shift pressed and released around shifted keys). */
export function scancodesFor(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const { code, shift } = keyFor(ch);
    if (shift) out.push(SC_LSHIFT);
    out.push(code, code | 0x80);
    if (shift) out.push(SC_LSHIFT | 0x80);
  }
  return out;
}
