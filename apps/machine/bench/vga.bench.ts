// VGA renderer frames per second: a full-screen update in mode 12h (640×480, 16 colours, planar),
// mode 13h (320×200 shown at 640×400) and VBE 1024×768×32, a one-character change in 80×25 text,
// and a frame where nothing changed. Reference: copying one frame's RGBA bytes (TypedArray.set),
// the least any renderer must do per full frame; the ratio says how many such copies one render costs.
import { findMode, setMode } from '../src/devices/vga/modes.js';
import { VgaRenderer } from '../src/devices/vga/renderer.js';
import { Vga } from '../src/devices/vga/vga.js';

const B8000 = 0x18000;

/** Frames per second of `step` (one update + render), best of three runs of about 0.5 s each. */
function fps(step: (i: number) => void): number {
  let best = 0;
  for (let run = 0; run < 3; run++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < 500) step(n++);
    best = Math.max(best, (n * 1000) / (performance.now() - start));
  }
  return best;
}

function copyFps(bytes: number): number {
  const from = new Uint8ClampedArray(bytes);
  const to = new Uint8ClampedArray(bytes);
  return fps((i) => {
    from[i % bytes] = i;
    to.set(from);
  });
}

function vgaIn(mode: number): { vga: Vga; renderer: VgaRenderer } {
  const vga = new Vga();
  setMode(vga, findMode(mode)!, true);
  const renderer = new VgaRenderer(vga);
  renderer.render();
  return { vga, renderer };
}

const rows: { what: string; pixels: number; fps: number }[] = [];

{
  // every byte of the 4 planes rewritten, as a full-screen blit would leave them
  const { vga, renderer } = vgaIn(0x12);
  const vram = vga.memory.vram;
  rows.push({
    what: 'mode 12h 640×480×4 full screen',
    pixels: 640 * 480,
    fps: fps((i) => {
      vram.fill(i & 0xff, 0, 80 * 480 * 4);
      vga.memory.dirty.fill(1);
      renderer.render();
    }),
  });
}
{
  const { vga, renderer } = vgaIn(0x13);
  const vram = vga.memory.vram;
  rows.push({
    what: 'mode 13h 320×200×8 full screen',
    pixels: 640 * 400,
    fps: fps((i) => {
      vram.fill(i & 0xff, 0, 64000);
      vga.memory.dirty.fill(1);
      renderer.render();
    }),
  });
}
{
  const vga = new Vga();
  const dispi = (i: number, v: number) => {
    vga.write(0x1ce, 2, i);
    vga.write(0x1cf, 2, v);
  };
  dispi(1, 1024);
  dispi(2, 768);
  dispi(3, 32);
  dispi(4, 0x41);
  const renderer = new VgaRenderer(vga);
  renderer.render();
  const vram = vga.memory.vram;
  rows.push({
    what: 'VBE 1024×768×32 full screen',
    pixels: 1024 * 768,
    fps: fps((i) => {
      vram.fill(i & 0xff, 0, 1024 * 768 * 4);
      vga.memory.dirty.fill(1);
      renderer.render();
    }),
  });
}
{
  const { vga, renderer } = vgaIn(0x03);
  rows.push({
    what: '80×25 text, one character',
    pixels: 720 * 400,
    fps: fps((i) => {
      vga.window.write(B8000 + 2 * (i % 2000), 2, 0x0741 + (i % 26));
      renderer.render();
    }),
  });
  rows.push({ what: '80×25 text, nothing changed', pixels: 720 * 400, fps: fps(() => renderer.render()) });
}

console.log('VGA renderer (RGBA frames; reference: one TypedArray.set copy of the frame)');
console.log(
  `${'update'.padEnd(34)}${'frame'.padStart(10)}${'frames/s'.padStart(12)}${'copy/s'.padStart(12)}${'copies per render'.padStart(20)}`,
);
for (const r of rows) {
  const copy = copyFps(r.pixels * 4);
  console.log(
    `${r.what.padEnd(34)}${`${(r.pixels / 1000).toFixed(0)}k px`.padStart(10)}${r.fps.toFixed(0).padStart(12)}` +
      `${copy.toFixed(0).padStart(12)}${(copy / r.fps).toFixed(2).padStart(20)}`,
  );
}
