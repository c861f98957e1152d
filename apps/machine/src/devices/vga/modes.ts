// Standard VGA modes as register tables, and the mode set that the built-in BIOS asks for through
// its paravirtual port: program every register, load the DAC and (in text modes) the font into
// plane 2 as a VGA BIOS does. Values are IBM's VGA tables for these modes.
import { FONT_8X8_BASE64, FONT_8X16_BASE64 } from './font-data.js';
import type { Vga } from './vga.js';

export interface VgaModeTable {
  mode: number;
  kind: 'text' | 'planar' | 'vga256';
  /** Columns × rows for text; pixels for graphics. */
  width: number;
  height: number;
  /** Character height for text modes (and int 10h's BDA). */
  charHeight: number;
  misc: number;
  /** Sequencer 01h-04h. */
  seq: number[];
  /** CRTC 00h-18h. */
  crtc: number[];
  /** Attribute controller 00h-14h. */
  attr: number[];
  /** Graphics controller 00h-08h. */
  gfx: number[];
  /** Segment of the video window. */
  segment: number;
}

const TEXT_ATTR = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00,
  0x0f, 0x08, 0x00,
];
const TEXT_GFX = [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff];
const EGA_ATTR = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x01, 0x00,
  0x0f, 0x00, 0x00,
];
const VGA16_ATTR = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x01, 0x00,
  0x0f, 0x00, 0x00,
];
const PLANAR_GFX = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff];
const CRTC_80X25 = [
  0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e,
  0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
];
const CRTC_40X25 = [
  0x2d, 0x27, 0x28, 0x90, 0x2b, 0xa0, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e,
  0x8f, 0x14, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
];
const CRTC_200_LINES_40 = [
  0x2d, 0x27, 0x28, 0x90, 0x2b, 0x80, 0xbf, 0x1f, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e,
  0x8f, 0x14, 0x00, 0x96, 0xb9, 0xe3, 0xff,
];
const CRTC_200_LINES_80 = [
  0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e,
  0x8f, 0x28, 0x00, 0x96, 0xb9, 0xe3, 0xff,
];
const CRTC_350_LINES = [
  0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x83, 0x85,
  0x5d, 0x28, 0x0f, 0x63, 0xba, 0xe3, 0xff,
];
const CRTC_480_LINES = [
  0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xea, 0x8c,
  0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff,
];
const CRTC_MODE13 = [
  0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e,
  0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff,
];

const text = (mode: number, cols: number, crtc: number[], seq1: number): VgaModeTable => ({
  mode,
  kind: 'text',
  width: cols,
  height: 25,
  charHeight: 16,
  misc: 0x67,
  seq: [seq1, 0x03, 0x00, 0x02],
  crtc,
  attr: TEXT_ATTR,
  gfx: TEXT_GFX,
  segment: 0xb800,
});

const planar = (
  mode: number,
  w: number,
  h: number,
  misc: number,
  seq1: number,
  crtc: number[],
  attr: number[],
) => ({
  mode,
  kind: 'planar' as const,
  width: w,
  height: h,
  charHeight: h === 350 ? 14 : h === 480 ? 16 : 8,
  misc,
  seq: [seq1, 0x0f, 0x00, 0x06],
  crtc,
  attr,
  gfx: PLANAR_GFX,
  segment: 0xa000,
});

/** The modes the built-in BIOS sets. 80×50 is mode 03h with the 8×8 font (int 10h AX=1112h). */
export const VGA_MODES: readonly VgaModeTable[] = [
  text(0x00, 40, CRTC_40X25, 0x08),
  text(0x01, 40, CRTC_40X25, 0x08),
  text(0x02, 80, CRTC_80X25, 0x00),
  text(0x03, 80, CRTC_80X25, 0x00),
  planar(0x0d, 320, 200, 0x63, 0x09, CRTC_200_LINES_40, EGA_ATTR),
  planar(0x0e, 640, 200, 0x63, 0x01, CRTC_200_LINES_80, EGA_ATTR),
  planar(0x10, 640, 350, 0xa3, 0x01, CRTC_350_LINES, VGA16_ATTR),
  planar(0x11, 640, 480, 0xe3, 0x01, CRTC_480_LINES, [
    0x00,
    ...new Array(15).fill(0x3f),
    0x01,
    0x00,
    0x0f,
    0x00,
    0x00,
  ]),
  planar(0x12, 640, 480, 0xe3, 0x01, CRTC_480_LINES, VGA16_ATTR),
  {
    mode: 0x13,
    kind: 'vga256',
    width: 320,
    height: 200,
    charHeight: 8,
    misc: 0x63,
    seq: [0x01, 0x0f, 0x00, 0x0e],
    crtc: CRTC_MODE13,
    attr: [...Array.from({ length: 16 }, (_, i) => i), 0x41, 0x00, 0x0f, 0x00, 0x00],
    gfx: [0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff],
    segment: 0xa000,
  },
];

export function findMode(mode: number): VgaModeTable | undefined {
  return VGA_MODES.find((m) => m.mode === mode);
}

/** The 64 colours of the EGA palette (rgbRGB bits), as 6-bit DAC triples. */
function egaColour(i: number): [number, number, number] {
  const c = (hi: number, lo: number) => ((i >> hi) & 1) * 0x2a + ((i >> lo) & 1) * 0x15;
  return [c(2, 5), c(1, 4), c(0, 3)];
}

/** The 16 CGA colours (intensity from bit 4) repeated over 64 DAC entries, for 200-line modes. */
function cgaPalette64(): number[] {
  const cga = defaultPalette256().slice(0, 48);
  return Array.from({ length: 64 }, (_, i) => {
    const c = ((i & 0x10) >> 1) | (i & 7);
    return cga.slice(3 * c, 3 * c + 3);
  }).flat();
}

/** The VGA BIOS's default 256-colour palette: 16 CGA colours, 16 greys, 9 hue wheels of 24. */
export function defaultPalette256(): number[] {
  const out: number[] = [];
  for (let i = 0; i < 16; i++) {
    const bright = i & 8 ? 0x15 : 0;
    const g = i === 6 ? 0x15 : ((i >> 1) & 1) * 0x2a + bright; // brown, not dark yellow
    out.push(((i >> 2) & 1) * 0x2a + bright, g, (i & 1) * 0x2a + bright);
  }
  for (const g of [
    0x00, 0x05, 0x08, 0x0b, 0x0e, 0x11, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x28, 0x2d, 0x32, 0x38, 0x3f,
  ])
    out.push(g, g, g);
  const wheels = [
    [0x00, 0x10, 0x1f, 0x2f, 0x3f],
    [0x1f, 0x27, 0x2f, 0x37, 0x3f],
    [0x2d, 0x31, 0x36, 0x3a, 0x3f],
    [0x00, 0x07, 0x0e, 0x15, 0x1c],
    [0x0e, 0x11, 0x15, 0x18, 0x1c],
    [0x14, 0x16, 0x18, 0x1a, 0x1c],
    [0x00, 0x04, 0x08, 0x0c, 0x10],
    [0x08, 0x0a, 0x0c, 0x0e, 0x10],
    [0x0b, 0x0c, 0x0d, 0x0f, 0x10],
  ];
  for (const [lo, r1, r2, r3, hi] of wheels) {
    const up = [r1, r2, r3];
    const down = [r3, r2, r1];
    out.push(lo, lo, hi);
    for (const v of [...up, hi]) out.push(v, lo, hi); // blue → magenta
    for (const v of [...down, lo]) out.push(hi, lo, v); // → red
    for (const v of [...up, hi]) out.push(hi, v, lo); // → yellow
    for (const v of [...down, lo]) out.push(v, hi, lo); // → green
    for (const v of [...up, hi]) out.push(lo, hi, v); // → cyan
    for (const v of down) out.push(lo, v, hi); // → back towards blue
  }
  while (out.length < 768) out.push(0);
  return out;
}

// atob, not Buffer: this module runs in the browser build too
const decode = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
let fonts: { 8: Uint8Array; 16: Uint8Array } | undefined;

/** The built-in BIOS's CP437 font of 8 or 16 lines per character. */
export function builtinFont(height: 8 | 16): Uint8Array {
  fonts ??= { 8: decode(FONT_8X8_BASE64), 16: decode(FONT_8X16_BASE64) };
  return fonts[height];
}

/**
 * Load a font into plane 2 (character c's line l at plane-2 byte 32·c + l of font block `block`)
 * and set the character height, as int 10h AX=1110h-1114h do.
 */
export function loadFont(vga: Vga, font: Uint8Array, height: number, block = 0): void {
  const vram = vga.memory.vram;
  const base = block * 8192;
  for (let c = 0; c < 256; c++) {
    for (let l = 0; l < 32; l++) vram[(base + c * 32 + l) * 4 + 2] = l < height ? font[c * height + l] : 0;
  }
  vga.memory.fontGeneration++;
  vga.memory.dirty.fill(1);
}

/** Program mode `table` the way int 10h AH=00h does; `clear` fills video memory with blanks. */
export function setMode(vga: Vga, table: VgaModeTable, clear: boolean): void {
  const r = vga.regs;
  vga.write(0x1ce, 2, 4); // VBE off
  vga.write(0x1cf, 2, 0);
  r.write(0x3c2, table.misc);
  r.seq[0] = 0x03;
  table.seq.forEach((v, i) => {
    r.seq[i + 1] = v;
  });
  r.crtc[0x11] &= 0x7f; // unprotect CR00-07
  table.crtc.forEach((v, i) => {
    r.crtc[i] = v;
  });
  table.attr.forEach((v, i) => {
    r.attr[i] = v;
  });
  table.gfx.forEach((v, i) => {
    r.gfx[i] = v;
  });
  r.attrIndex = 0x20;
  r.attrFlipFlop = false;
  r.pelMask = 0xff;
  const dac =
    table.kind === 'vga256'
      ? defaultPalette256()
      : table.height === 200
        ? cgaPalette64() // 200-line modes are CGA-compatible: 16 colours, brown included
        : Array.from({ length: 64 }, (_, i) => egaColour(i)).flat();
  r.dac.fill(0);
  r.dac.set(dac);
  r.generation++;
  r.cursorGeneration++;
  const vram = vga.memory.vram;
  if (table.kind === 'text') {
    if (clear) {
      for (let i = 0; i < 0x8000; i++) {
        vram[i * 4] = 0x20;
        vram[i * 4 + 1] = 0x07;
      }
    }
    loadFont(vga, builtinFont(16), 16);
  } else if (clear) {
    vram.fill(0, 0, 0x40000);
  }
  vga.memory.dirty.fill(1);
}

/** Switch the current text mode to the 8×8 font: 50 rows on a 400-line screen (int 10h AX=1112h). */
export function setFont8x8(vga: Vga): void {
  loadFont(vga, builtinFont(8), 8);
  const r = vga.regs;
  r.crtc[0x09] = (r.crtc[0x09] & 0xe0) | 7;
  r.crtc[0x0a] = 0x06;
  r.crtc[0x0b] = 0x07;
  r.crtc[0x14] = 7;
  r.generation++;
  r.cursorGeneration++;
}
