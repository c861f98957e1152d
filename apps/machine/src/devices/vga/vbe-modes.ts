// The VBE mode list of the built-in BIOS: the numbers SeaVGABIOS gives the same resolutions on
// QEMU's standard VGA, so a program that looks modes up by number or by scanning finds the same.

export interface VbeMode {
  mode: number;
  width: number;
  height: number;
  bpp: number;
}

const LIST: [number, number, number, number][] = [
  [0x100, 640, 400, 8],
  [0x101, 640, 480, 8],
  [0x103, 800, 600, 8],
  [0x105, 1024, 768, 8],
  [0x10e, 320, 200, 16],
  [0x10f, 320, 200, 24],
  [0x110, 640, 480, 15],
  [0x111, 640, 480, 16],
  [0x112, 640, 480, 24],
  [0x113, 800, 600, 15],
  [0x114, 800, 600, 16],
  [0x115, 800, 600, 24],
  [0x116, 1024, 768, 15],
  [0x117, 1024, 768, 16],
  [0x118, 1024, 768, 24],
  [0x140, 320, 200, 32],
  [0x141, 640, 400, 32],
  [0x142, 640, 480, 32],
  [0x143, 800, 600, 32],
  [0x144, 1024, 768, 32],
  [0x145, 1280, 1024, 32],
  [0x146, 320, 200, 8],
  [0x147, 1600, 1200, 32],
  [0x180, 1920, 1080, 32],
];

/** The modes that fit in `vramBytes` of video memory. */
export function vbeModes(vramBytes: number): VbeMode[] {
  return LIST.map(([mode, width, height, bpp]) => ({ mode, width, height, bpp })).filter(
    (m) => bytesPerLine(m) * m.height <= vramBytes,
  );
}

export function bytesPerLine(m: VbeMode): number {
  return m.width * ((m.bpp + 7) >> 3);
}
