// The page: controls, the VGA canvas, the serial console (xterm.js), the memory-map panel, and the
// machine worker they talk to. `window.__phantasm` is a small hook for tests and the bench.
import '@xterm/xterm/css/xterm.css';
import { scancodesFor } from '@phantasm/machine/browser';
import { Terminal } from '@xterm/xterm';
import type { FromWorker, MemoryMapMessage, StatusMessage, ToWorker } from '../protocol.js';
import { detectImageKind, type ImageKind, KIND_LABEL } from './images.js';
import { scancodesForKey } from './keyboard.js';
import { memoryMapHtml } from './memmap-panel.js';

const SNAPSHOT_INTERVAL_MS = 2000;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('screen');
const ctx = canvas.getContext('2d')!;
const statusLine = $('status');
const logBox = $('log');
const memmapBox = $('memmap');
const buttons = {
  bootPc: $<HTMLButtonElement>('boot-pc'),
  bootSystem: $<HTMLButtonElement>('boot-system'),
  pause: $<HTMLButtonElement>('pause'),
  reset: $<HTMLButtonElement>('reset'),
  screenshot: $<HTMLButtonElement>('screenshot'),
  snapshot: $<HTMLButtonElement>('snapshot'),
  wipe: $<HTMLButtonElement>('wipe'),
};

const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker) => worker.postMessage(message);

const terminal = new Terminal({ convertEol: true, rows: 12, fontSize: 12, scrollback: 2000 });
terminal.open($('serial'));

/** What the page knows, for the UI and the test hook. */
const hook = {
  status: undefined as StatusMessage | undefined,
  serialText: '',
  logs: [] as string[],
  errors: [] as string[],
  memmap: undefined as MemoryMapMessage | undefined,
  frames: 0,
  benchResult: undefined as unknown,
  screen(): string {
    return hook.status?.screen ?? '';
  },
  send,
};
(window as unknown as { __phantasm: typeof hook }).__phantasm = hook;

// ---- images -------------------------------------------------------------------------------------
const images: Partial<Record<ImageKind, { name: string; bytes: ArrayBuffer }>> = {};

function showImages(): void {
  const parts = (Object.keys(images) as ImageKind[]).map((k) => `${KIND_LABEL[k]}: ${images[k]!.name}`);
  $('images').textContent = parts.join(' · ');
  buttons.bootPc.disabled = parts.length === 0;
}

async function openFile(file: File): Promise<void> {
  const bytes = await file.arrayBuffer();
  const chosen = $<HTMLSelectElement>('as').value;
  const kind = chosen === 'auto' ? detectImageKind(new Uint8Array(bytes)) : (chosen as ImageKind);
  images[kind] = { name: file.name, bytes };
  showImages();
  log(`opened ${file.name} (${bytes.byteLength.toLocaleString('en')} bytes) as ${KIND_LABEL[kind]}`);
}

$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  for (const f of input.files ?? []) void openFile(f);
  input.value = '';
});
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) document.body.classList.remove('dragging');
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  for (const f of e.dataTransfer?.files ?? []) void openFile(f);
});

// ---- controls -----------------------------------------------------------------------------------
const memoryMiB = () => Number($<HTMLSelectElement>('memory').value);

buttons.bootPc.addEventListener('click', () => {
  terminal.reset();
  hook.serialText = '';
  send({
    type: 'start-pc',
    memoryMiB: memoryMiB(),
    floppy: images.floppy?.bytes,
    hardDisk: images['hard-disk']?.bytes,
    kernel: images.kernel?.bytes,
  });
  canvas.focus();
});
buttons.bootSystem.addEventListener('click', () => {
  terminal.reset();
  hook.serialText = '';
  send({ type: 'start-system', memoryMiB: memoryMiB(), snapshotIntervalMs: SNAPSHOT_INTERVAL_MS });
  canvas.focus();
});
buttons.pause.addEventListener('click', () => {
  send({ type: hook.status?.state === 'paused' ? 'resume' : 'pause' });
});
buttons.reset.addEventListener('click', () => {
  terminal.reset();
  hook.serialText = '';
  send({ type: 'reset' });
  canvas.focus();
});
buttons.snapshot.addEventListener('click', () => send({ type: 'snapshot' }));
buttons.wipe.addEventListener('click', () => {
  if (confirm('Delete the Phantasm system disk stored in this browser?')) send({ type: 'wipe-system' });
});
buttons.screenshot.addEventListener('click', () => {
  canvas.toBlob((blob) => {
    if (!blob) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `phantasm-${new Date().toISOString().replace(/[:.]/g, '-')}.png`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }, 'image/png');
});
// Best effort: the system takes a final snapshot when the tab goes (periodic ones cover the rest).
window.addEventListener('pagehide', () => send({ type: 'stop' }));

// ---- keyboard, mouse, serial input ------------------------------------------------------------------
function key(e: KeyboardEvent, down: boolean): void {
  const codes = scancodesForKey(e.code, down);
  if (!codes) return;
  e.preventDefault();
  if (codes.length > 0) send({ type: 'scancodes', codes });
}
canvas.addEventListener('keydown', (e) => key(e, true));
canvas.addEventListener('keyup', (e) => key(e, false));

let buttonsDown = 0;
function mouse(dx: number, dy: number, wheel = 0): void {
  send({ type: 'mouse', dx, dy, buttons: buttonsDown, wheel });
}
const BUTTON_BITS = [1, 4, 2]; // DOM left, middle, right → PS/2 bits 0, 2, 1
canvas.addEventListener('mousedown', (e) => {
  canvas.focus();
  buttonsDown |= BUTTON_BITS[e.button] ?? 0;
  mouse(0, 0);
});
canvas.addEventListener('mouseup', (e) => {
  buttonsDown &= ~(BUTTON_BITS[e.button] ?? 0);
  mouse(0, 0);
});
canvas.addEventListener('mousemove', (e) => {
  if (e.movementX !== 0 || e.movementY !== 0) mouse(e.movementX, e.movementY);
});
canvas.addEventListener('wheel', (e) => {
  e.preventDefault();
  mouse(0, 0, Math.sign(e.deltaY));
});
canvas.addEventListener('contextmenu', (e) => e.preventDefault());

terminal.onData((data) => {
  if (hook.status?.mode === 'system') {
    // the system's console reads the keyboard: type the characters there
    const codes: number[] = [];
    for (const ch of data.replace(/\x7f/g, '\b')) {
      try {
        codes.push(...scancodesFor(ch));
      } catch {
        // a character no US key types: left out
      }
    }
    if (codes.length > 0) send({ type: 'scancodes', codes });
  } else {
    send({ type: 'serial-in', bytes: [...new TextEncoder().encode(data)] });
  }
});

// ---- from the worker ----------------------------------------------------------------------------
function log(line: string): void {
  hook.logs.push(line);
  logBox.textContent += `${line}\n`;
  logBox.scrollTop = logBox.scrollHeight;
}

/** Whole-number scale that fits the window (crisp pixels: never a fraction). */
function fitCanvas(width: number, height: number): void {
  canvas.width = width;
  canvas.height = height;
  const room = Math.max(width, Math.min(window.innerWidth - 480, 1440));
  const scale = Math.max(1, Math.floor(room / width));
  canvas.style.width = `${width * scale}px`;
  canvas.style.height = `${height * scale}px`;
}

function showStatus(s: StatusMessage): void {
  hook.status = s;
  const running = s.state === 'running' || s.state === 'paused';
  buttons.pause.disabled = !running;
  buttons.pause.textContent = s.state === 'paused' ? 'Resume' : 'Pause';
  buttons.reset.disabled = s.mode === undefined;
  buttons.snapshot.disabled = !(running && s.mode === 'system');
  const what = s.mode === 'system' ? 'Phantasm system' : s.mode === 'pc' ? 'PC' : '';
  statusLine.textContent = [
    `${what} ${s.state}`.trim(),
    s.instructions < 1e6
      ? `${s.instructions.toLocaleString('en')} instructions`
      : `${(s.instructions / 1e6).toFixed(1)} M instructions`,
    `${s.mips.toFixed(1)} MIPS`,
    `${s.virtualSeconds.toFixed(1)} s virtual`,
    s.note ?? '',
  ]
    .filter((p) => p !== '')
    .join(' · ');
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'frame':
      if (canvas.width !== m.width || canvas.height !== m.height) fitCanvas(m.width, m.height);
      ctx.putImageData(new ImageData(new Uint8ClampedArray(m.rgba), m.w, m.h), m.x, m.y);
      hook.frames++;
      return;
    case 'status':
      showStatus(m);
      return;
    case 'serial':
      terminal.write(m.bytes);
      hook.serialText += new TextDecoder().decode(m.bytes);
      return;
    case 'memmap':
      hook.memmap = m;
      memmapBox.innerHTML = memoryMapHtml(m);
      return;
    case 'log':
      log(m.line);
      return;
    case 'error':
      hook.errors.push(m.message);
      log(`error: ${m.message}`);
      return;
    case 'bench-result':
      hook.benchResult = m.runs;
      return;
  }
};
worker.onerror = (e) => {
  hook.errors.push(e.message);
  log(`worker error: ${e.message}`);
};
fitCanvas(720, 400);
