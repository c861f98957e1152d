// Standard VGA modes as register tables, and the mode set that the built-in BIOS asks for through
// its paravirtual port: program every register, load the DAC and (in text modes) the font into
// plane 2 as a VGA BIOS does. One table, a row per mode.
import { FONT_8X8_BASE64, FONT_8X16_BASE64 } from './font-data.js';
import type { Vga } from './vga.js';

export interface VgaModeTable {
  mode: number;
  kind: 'text' | 'planar' | 'cga' | 'vga256';
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
  /** The DAC's contents after the mode set. */
  dac: DacKind;
  /** Segment of the video window. */
  segment: number;
}

type DacKind = 'cga' | 'ega' | 'mono' | 'vga256';

/** CR00-05 (horizontal timing) for 40 or 80 character clocks; text and graphics differ in the skews. */
const HORIZONTAL = {
  text40: [0x2d, 0x27, 0x28, 0x90, 0x2b, 0xa0],
  text80: [0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81],
  gfx40: [0x2d, 0x27, 0x28, 0x90, 0x2b, 0x80],
  gfx80: [0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80],
};

/** CR06, 07, 10, 11, 12, 15, 16 (vertical timing) by the scan lines shown. */
const VERTICAL = {
  400: [0xbf, 0x1f, 0x9c, 0x8e, 0x8f, 0x96, 0xb9],
  350: [0xbf, 0x1f, 0x83, 0x85, 0x5d, 0x63, 0xba],
  480: [0x0b, 0x3e, 0xea, 0x8c, 0xdf, 0xe7, 0x04],
};

/** Attribute controller palettes 00h-0Fh and then 10h-14h (mode control, overscan, plane enable, ...). */
const ATTR = {
  text: [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c,
    0x00, 0x0f, 0x08, 0x00,
  ],
  mono: [0x00, ...Array(7).fill(0x08), 0x10, ...Array(7).fill(0x18), 0x0e, 0x00, 0x0f, 0x08, 0x00],
  cga4: [
    0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x01,
    0x00, 0x03, 0x00, 0x00,
  ],
  cga2: [0x00, ...Array(15).fill(0x17), 0x01, 0x00, 0x01, 0x00, 0x00],
  ega: [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x01,
    0x00, 0x0f, 0x00, 0x00,
  ],
  vga16: [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x01,
    0x00, 0x0f, 0x00, 0x00,
  ],
  mono2: [...Array.from({ length: 16 }, (_, i) => (i & 1 ? 0x3f : 0x00)), 0x01, 0x00, 0x0f, 0x00, 0x00],
  vga256: [...Array.from({ length: 16 }, (_, i) => i), 0x41, 0x00, 0x0f, 0x00, 0x00],
};

/** Graphics controller 00h-08h; they differ in GR05 (shift mode, odd/even) and GR06 (memory map). */
const GFX = {
  text: [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff],
  mono: [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0a, 0x0f, 0xff],
  cga4: [0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0f, 0x0f, 0xff],
  cga2: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x0f, 0xff],
  planar: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff],
  vga256: [0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff],
};

type Row = [
  mode: number,
  kind: VgaModeTable['kind'],
  width: number,
  height: number,
  charHeight: number,
  misc: number,
  seq: number[],
  horizontal: keyof typeof HORIZONTAL,
  lines: keyof typeof VERTICAL,
  maxScan: number,
  cursor: number,
  offset: number,
  underline: number,
  crtcMode: number,
  attr: keyof typeof ATTR,
  gfx: keyof typeof GFX,
  dac: DacKind,
  segment: number,
];

/**
 * Every mode the built-in BIOS sets: IBM's VGA values (as SeaVGABIOS programs them). Width and
 * height are columns × rows in text modes, pixels otherwise; CR09 is the maximum scan line (bit 7:
 * double scan), CR0A-0B the cursor lines, CR13 the offset, CR14 the underline row, CR17 the mode
 * control (bit 0 clear: CGA odd/even line banks). 80×50 is mode 03h with the 8×8 font (AX=1112h).
 */
// biome-ignore format: a table reads better in rows
const ROWS: Row[] = [
  // mode kind       w    h  ch  misc  seq 01h-04h              CR00-05   lines CR09  CR0A-0B CR13  CR14  CR17  attr      gfx       DAC       segment
  [0x00, 'text',    40,  25, 16, 0x67, [0x08, 0x03, 0x00, 0x02], 'text40', 400, 0x4f, 0x0d0e, 0x14, 0x1f, 0xa3, 'text',   'text',   'ega',    0xb800],
  [0x01, 'text',    40,  25, 16, 0x67, [0x08, 0x03, 0x00, 0x02], 'text40', 400, 0x4f, 0x0d0e, 0x14, 0x1f, 0xa3, 'text',   'text',   'ega',    0xb800],
  [0x02, 'text',    80,  25, 16, 0x67, [0x00, 0x03, 0x00, 0x02], 'text80', 400, 0x4f, 0x0d0e, 0x28, 0x1f, 0xa3, 'text',   'text',   'ega',    0xb800],
  [0x03, 'text',    80,  25, 16, 0x67, [0x00, 0x03, 0x00, 0x02], 'text80', 400, 0x4f, 0x0d0e, 0x28, 0x1f, 0xa3, 'text',   'text',   'ega',    0xb800],
  [0x04, 'cga',    320, 200,  8, 0x63, [0x09, 0x03, 0x00, 0x02], 'gfx40',  400, 0xc1, 0x0000, 0x14, 0x00, 0xa2, 'cga4',   'cga4',   'cga',    0xb800],
  [0x05, 'cga',    320, 200,  8, 0x63, [0x09, 0x03, 0x00, 0x02], 'gfx40',  400, 0xc1, 0x0000, 0x14, 0x00, 0xa2, 'cga4',   'cga4',   'cga',    0xb800],
  [0x06, 'cga',    640, 200,  8, 0x63, [0x01, 0x01, 0x00, 0x06], 'gfx80',  400, 0xc1, 0x0000, 0x28, 0x00, 0xc2, 'cga2',   'cga2',   'cga',    0xb800],
  [0x07, 'text',    80,  25, 16, 0x66, [0x00, 0x03, 0x00, 0x03], 'text80', 400, 0x4f, 0x0b0c, 0x28, 0x1f, 0xa3, 'mono',   'mono',   'mono',   0xb000],
  [0x0d, 'planar', 320, 200,  8, 0x63, [0x09, 0x0f, 0x00, 0x06], 'gfx40',  400, 0xc0, 0x0000, 0x14, 0x00, 0xe3, 'ega',    'planar', 'cga',    0xa000],
  [0x0e, 'planar', 640, 200,  8, 0x63, [0x01, 0x0f, 0x00, 0x06], 'gfx80',  400, 0xc0, 0x0000, 0x28, 0x00, 0xe3, 'ega',    'planar', 'cga',    0xa000],
  [0x10, 'planar', 640, 350, 14, 0xa3, [0x01, 0x0f, 0x00, 0x06], 'gfx80',  350, 0x40, 0x0000, 0x28, 0x0f, 0xe3, 'vga16',  'planar', 'ega',    0xa000],
  [0x11, 'planar', 640, 480, 16, 0xe3, [0x01, 0x0f, 0x00, 0x06], 'gfx80',  480, 0x40, 0x0000, 0x28, 0x00, 0xe3, 'mono2',  'planar', 'ega',    0xa000],
  [0x12, 'planar', 640, 480, 16, 0xe3, [0x01, 0x0f, 0x00, 0x06], 'gfx80',  480, 0x40, 0x0000, 0x28, 0x00, 0xe3, 'vga16',  'planar', 'ega',    0xa000],
  [0x13, 'vga256', 320, 200,  8, 0x63, [0x01, 0x0f, 0x00, 0x0e], 'gfx80',  400, 0x41, 0x0000, 0x28, 0x40, 0xa3, 'vga256', 'vga256', 'vga256', 0xa000],
];

/** CR00-18h from a row's parts. */
function crtcOf(row: Row): number[] {
  const [, , , , , , , horizontal, lines, maxScan, cursor, offset, underline, crtcMode] = row;
  const [vt, overflow, vrs, vre, vde, vbs, vbe] = VERTICAL[lines];
  return [
    ...HORIZONTAL[horizontal],
    vt,
    overflow,
    0x00, // preset row scan
    maxScan,
    cursor >> 8,
    cursor & 0xff,
    0x00, // start address and cursor location
    0x00,
    0x00,
    0x00,
    vrs,
    vre,
    vde,
    offset,
    underline,
    vbs,
    vbe,
    crtcMode,
    0xff, // line compare
  ];
}

/** The modes the built-in BIOS sets, one table each. */
export const VGA_MODES: readonly VgaModeTable[] = ROWS.map((row) => {
  const [mode, kind, width, height, charHeight, misc, seq, , , , , , , , attr, gfx, dac, segment] = row;
  return {
    mode,
    kind,
    width,
    height,
    charHeight,
    misc,
    seq,
    crtc: crtcOf(row),
    attr: ATTR[attr],
    gfx: GFX[gfx],
    dac,
    segment,
  };
});

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

/** Monochrome: black, normal and intense grey, chosen by bits 3-4 of the attribute palette entry. */
function monoPalette64(): number[] {
  return Array.from({ length: 64 }, (_, i) => {
    const v = [0x00, 0x2a, 0x2a, 0x3f][(i >> 3) & 3];
    return [v, v, v];
  }).flat();
}

/** DAC contents by kind: 200-line modes are CGA-compatible (16 colours, brown included). */
const DAC: Record<DacKind, () => number[]> = {
  cga: cgaPalette64,
  ega: () => Array.from({ length: 64 }, (_, i) => egaColour(i)).flat(),
  mono: monoPalette64,
  vga256: defaultPalette256,
};

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
  r.dac.fill(0);
  r.dac.set(DAC[table.dac]());
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
