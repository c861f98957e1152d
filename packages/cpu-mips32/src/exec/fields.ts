// Instruction fields (MIPS32 formats R, I, J).
export const rs = (i: number): number => (i >>> 21) & 31;
export const rt = (i: number): number => (i >>> 16) & 31;
export const rd = (i: number): number => (i >>> 11) & 31;
export const sa = (i: number): number => (i >>> 6) & 31;
/** Sign-extended 16-bit immediate. */
export const simm = (i: number): number => (i << 16) >> 16;
/** Zero-extended 16-bit immediate. */
export const uimm = (i: number): number => i & 0xffff;
