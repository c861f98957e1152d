// The site in headless chromium (playwright-core): built with vite, served statically, FreeDOS
// booted from the shared floppy and answering `ver` on the canvas's text screen; the Phantasm
// system booted on its OPFS disk, a key set in the key-value shell, and found again after the
// tab is closed and the site opened anew.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findShared, missingMessage } from '@phantasm/test-support';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSite,
  findChromium,
  launchChromium,
  NO_CHROMIUM,
  removeSite,
  type StaticSite,
  serveStatic,
} from './harness.js';

const FREEDOS = 'images/freedos722.img';
const VGA_DIR = resolve(import.meta.dirname, '../../machine/test/vga');
/** The machine's VGA test programs (built-in BIOS), one per resolution: 720×400 text, 640×400 (13h), 1024×768×32. */
const VGA_PROGRAMS = ['text80', 'mode13', 'vbe1024'];
const MBHELLO = resolve(import.meta.dirname, '../../machine/test/programs/mbhello.elf');
const MOUSETEST = resolve(import.meta.dirname, 'programs/mousetest.bin');
const chromiumPath = findChromium();
if (!chromiumPath) console.log(`skipped: ${NO_CHROMIUM}`);
const freedos = findShared(FREEDOS);
if (!freedos) console.log(`skipped: ${missingMessage(FREEDOS)}`);

/** Guest time on a loaded 2-core host: generous, the waits end as soon as the text is there. */
const WAIT_MS = 150_000;
const VER_ANSWER = /A:\\>ver\n+FreeCom version \d+\.\d+/;

type Hook = {
  screen(): string;
  serialText: string;
  logs: string[];
  errors: string[];
  frames: number;
  status?: { state: string; mode?: string; instructions: number; note?: string };
  memmap?: { space: { pages: number; residentPages: number }; report: { physical: { owner: string }[] } };
};

/** Wait until the text screen matches (the screen's rows have their trailing spaces removed). */
async function screenMatches(page: Page, pattern: RegExp): Promise<void> {
  await page.waitForFunction(
    ([source, flags]) =>
      new RegExp(source, flags).test((window as unknown as { __phantasm: Hook }).__phantasm.screen()),
    [pattern.source, pattern.flags],
    { timeout: WAIT_MS, polling: 100 },
  );
}

const hook = <T>(page: Page, pick: (h: Hook) => T): Promise<T> =>
  page.evaluate((source) => {
    const f = new Function('h', `return (${source})(h)`) as (h: Hook) => T;
    return f((window as unknown as { __phantasm: Hook }).__phantasm);
  }, pick.toString());

describe.skipIf(!chromiumPath)('apps/web in headless chromium', () => {
  let site: StaticSite;
  let siteDir: string;
  let browser: Browser;

  beforeAll(async () => {
    siteDir = buildSite();
    site = await serveStatic(siteDir);
    browser = await launchChromium(chromiumPath!);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (siteDir) removeSite(siteDir);
  });

  it.skipIf(!freedos)('boots FreeDOS from a floppy chosen in the file picker and answers ver', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(site.url);
      await page.setInputFiles('#file', freedos!);
      await page.waitForFunction(() => !(document.getElementById('boot-pc') as HTMLButtonElement).disabled);
      expect(await page.textContent('#images')).toContain('floppy A:: freedos722.img');
      await page.click('#boot-pc');
      await screenMatches(page, /A:\\>$/);
      // real key events on the canvas: KeyboardEvent.code → set-1 scancodes → the PS/2 keyboard
      await page.focus('#screen');
      await page.keyboard.type('ver');
      await page.keyboard.press('Enter');
      await screenMatches(page, VER_ANSWER);
      expect(await hook(page, (h) => h.screen())).toMatch(VER_ANSWER);
      // the canvas was drawn (frames arrived) and shows the mode's resolution: 80×25 text = 720×400
      expect(await hook(page, (h) => h.frames)).toBeGreaterThan(0);
      expect(
        await page.evaluate(() => [
          document.querySelector('canvas')!.width,
          document.querySelector('canvas')!.height,
        ]),
      ).toEqual([720, 400]);
      // pause holds the machine still; resume lets it go on
      await page.click('#pause');
      await page.waitForFunction(
        () => (window as unknown as { __phantasm: Hook }).__phantasm.status?.state === 'paused',
      );
      const held = await hook(page, (h) => h.status!.instructions);
      await page.waitForTimeout(600);
      expect(await hook(page, (h) => h.status!.instructions)).toBe(held);
      await page.click('#pause');
      await page.waitForFunction(
        () => (window as unknown as { __phantasm: Hook }).__phantasm.status?.state === 'running',
      );
      // the screenshot button downloads the canvas as a PNG at the mode's resolution
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#screenshot')]);
      const png = readFileSync((await download.path())!);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([720, 400]);
      expect(await hook(page, (h) => h.errors)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('starts a multiboot kernel dropped on the page; its COM1 output shows in the serial console', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(site.url);
      const bytes = [...readFileSync(MBHELLO)];
      // a drop as the browser makes it: a DataTransfer holding the file
      await page.evaluate((data) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(data)], 'mbhello.elf'));
        document.body.dispatchEvent(
          new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
      }, bytes);
      await page.waitForFunction(() => !(document.getElementById('boot-pc') as HTMLButtonElement).disabled);
      expect(await page.textContent('#images')).toContain('multiboot kernel: mbhello.elf');
      await page.click('#boot-pc');
      await page.waitForFunction(
        () => (window as unknown as { __phantasm: Hook }).__phantasm.status?.state === 'stopped',
        undefined,
        { timeout: WAIT_MS },
      );
      expect(await hook(page, (h) => h.serialText)).toMatch(
        /Hello from a multiboot kernel, mem_upper=0x[0-9A-Fa-f]+ KiB/,
      );
      expect(await hook(page, (h) => h.status!.note)).toBe('the guest exited with status 85');
      await page.waitForFunction(() =>
        document.querySelector('#serial .xterm-rows')?.textContent?.includes('Hello from a multiboot kernel'),
      );
      // reset: power-on again with the same kernel, which runs and exits once more
      await page.click('#reset');
      await page.waitForFunction(
        () => {
          const h = (window as unknown as { __phantasm: Hook }).__phantasm;
          return h.status?.state === 'stopped' && h.serialText.includes('Hello from a multiboot kernel');
        },
        undefined,
        { timeout: WAIT_MS },
      );
      expect(await hook(page, (h) => h.status!.note)).toBe('the guest exited with status 85');
    } finally {
      await context.close();
    }
  });

  it.each(VGA_PROGRAMS)(
    'draws the VGA test program %s on the canvas pixel for pixel as its reference PNG',
    async (program) => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(site.url);
        // the program's sectors at the start of a 1.44 MB floppy, as the machine's VGA tests boot it
        const floppy = Buffer.alloc(1474560);
        readFileSync(resolve(VGA_DIR, 'programs', `${program}.bin`)).copy(floppy);
        await page.setInputFiles('#file', {
          name: `${program}.img`,
          mimeType: 'application/octet-stream',
          buffer: floppy,
        });
        await page.click('#boot-pc');
        await page.waitForFunction(
          () => (window as unknown as { __phantasm: Hook }).__phantasm.status?.state === 'stopped',
          undefined,
          { timeout: WAIT_MS },
        );
        expect(await hook(page, (h) => h.status!.note)).toBe('the CPU halted with interrupts off');
        const expected = [
          ...readFileSync(resolve(VGA_DIR, 'expected', `${program.replace(/^text.*/, '$&-builtin')}.png`)),
        ];
        const result = await page.evaluate(async (png) => {
          // the reference decoded as stored: no colour-space conversion, no premultiplied alpha
          const bitmap = await createImageBitmap(new Blob([new Uint8Array(png)]), {
            colorSpaceConversion: 'none',
            premultiplyAlpha: 'none',
          });
          const ref = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
          ref.drawImage(bitmap, 0, 0);
          const want = ref.getImageData(0, 0, bitmap.width, bitmap.height).data;
          const canvas = document.getElementById('screen') as HTMLCanvasElement;
          const got = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let differing = 0;
          if (got.length === want.length) {
            for (let i = 0; i < got.length; i += 4) {
              if (got[i] !== want[i] || got[i + 1] !== want[i + 1] || got[i + 2] !== want[i + 2]) differing++;
            }
          }
          return {
            canvas: [canvas.width, canvas.height],
            reference: [bitmap.width, bitmap.height],
            differing,
          };
        }, expected);
        expect(result.canvas).toEqual(result.reference);
        expect(result.differing).toBe(0);
      } finally {
        await context.close();
      }
    },
  );

  it('passes mouse moves and clicks over the canvas to a guest that reads the PS/2 mouse', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(site.url);
      // test/programs/mousetest.asm: enables the aux port and streaming, sums the packets it polls and
      // shows "mouse X=±ddddd Y=±ddddd B=b N=±ddddd ready=y" on text row 12 (Y up, as PS/2 counts)
      const floppy = Buffer.alloc(1474560);
      readFileSync(MOUSETEST).copy(floppy);
      await page.setInputFiles('#file', {
        name: 'mousetest.img',
        mimeType: 'application/octet-stream',
        buffer: floppy,
      });
      await page.click('#boot-pc');
      await screenMatches(page, /ready=y/);
      const box = (await page.locator('#screen').boundingBox())!;
      const totals = async () => {
        const m = /mouse X=([-+]\d+) Y=([-+]\d+) B=(\d) N=([-+]\d+)/.exec(
          await hook(page, (h) => h.screen()),
        );
        expect(m).not.toBeNull();
        return { x: Number(m![1]), y: Number(m![2]), buttons: Number(m![3]), packets: Number(m![4]) };
      };
      /** Do `action`, wait until the guest has counted a packet more, let the rest arrive, read the line. */
      const after = async (action: () => Promise<void>) => {
        const before = (await totals()).packets;
        await action();
        await page.waitForFunction(
          (n) => {
            const m = /N=([-+]\d+)/.exec((window as unknown as { __phantasm: Hook }).__phantasm.screen());
            return m !== null && Number(m[1]) > n;
          },
          before,
          { timeout: 30_000, polling: 50 },
        );
        await page.waitForTimeout(500);
        return totals();
      };
      // the pointer enters the canvas (that first move counts too), then moves 30 right and 20 down
      const start = await after(() => page.mouse.move(box.x + 100, box.y + 100));
      const moved = await after(() => page.mouse.move(box.x + 130, box.y + 120));
      expect([moved.x - start.x, moved.y - start.y, moved.buttons]).toEqual([30, -20, 0]);
      // left button down and up, then the right button: the packets carry the button bits and no movement
      const left = await after(() => page.mouse.down());
      expect([left.x, left.y, left.buttons]).toEqual([moved.x, moved.y, 1]);
      expect((await after(() => page.mouse.up())).buttons).toBe(0);
      const right = await after(() => page.mouse.down({ button: 'right' }));
      expect([right.x, right.y, right.buttons]).toEqual([moved.x, moved.y, 2]);
      expect((await after(() => page.mouse.up({ button: 'right' }))).buttons).toBe(0);
      expect(await hook(page, (h) => h.errors)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('keeps the Phantasm system’s data in OPFS across closing and reopening the tab', async () => {
    const context: BrowserContext = await browser.newContext();
    try {
      const key = `k${Date.now().toString(36)}`;
      const value = `v${Math.floor(Math.random() * 1e9).toString(36)}`;
      let page = await context.newPage();
      await page.goto(site.url);
      await page.click('#boot-system');
      await screenMatches(page, /kv>$/);
      expect(await hook(page, (h) => h.logs.some((l) => l.includes('new: it will be formatted')))).toBe(true);
      await page.focus('#screen');
      await page.keyboard.type(`set ${key} ${value}`);
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        () => (window as unknown as { __phantasm: Hook }).__phantasm.serialText.includes('ok\n'),
        undefined,
        { timeout: WAIT_MS },
      );
      // the memory-map panel is live: object-space pages resident, every physical owner listed
      await page.waitForFunction(
        () => (window as unknown as { __phantasm: Hook }).__phantasm.memmap !== undefined,
      );
      const map = await hook(page, (h) => h.memmap!);
      expect(map.space.residentPages).toBeGreaterThan(0);
      expect(new Set(map.report.physical.map((r) => r.owner))).toContain('page-tables');
      expect(await page.locator('#memmap svg').count()).toBe(1);
      // a periodic snapshot committed after the key was set: then the tab goes away
      const before = await hook(page, (h) => h.logs.length);
      await page.waitForFunction(
        (from) =>
          (window as unknown as { __phantasm: Hook }).__phantasm.logs
            .slice(from)
            .some((l) => / committed/.test(l)),
        before,
        { timeout: WAIT_MS },
      );
      await page.close();

      page = await context.newPage();
      await page.goto(site.url);
      await page.click('#boot-system');
      await page.waitForFunction(
        () =>
          (window as unknown as { __phantasm: Hook }).__phantasm.logs.some((l) =>
            /restored snapshot generation/.test(l),
          ),
        undefined,
        { timeout: WAIT_MS },
      );
      await page.waitForFunction(
        () => (window as unknown as { __phantasm: Hook }).__phantasm.status?.state === 'running',
      );
      await page.focus('#screen');
      await page.keyboard.type(`get ${key}`);
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        (v) => (window as unknown as { __phantasm: Hook }).__phantasm.serialText.includes(v),
        value,
        { timeout: WAIT_MS },
      );
      expect(await hook(page, (h) => h.serialText)).toContain(`${value}\n`);
      expect(await hook(page, (h) => h.errors)).toEqual([]);

      // and a reload of the page: the old worker's file lock goes, the new one restores again
      await page.reload();
      await page.click('#boot-system');
      await page.waitForFunction(
        () => (window as unknown as { __phantasm: Hook }).__phantasm.status?.state === 'running',
        undefined,
        { timeout: WAIT_MS },
      );
      expect(await hook(page, (h) => h.logs.some((l) => /restored snapshot generation/.test(l)))).toBe(true);
      await page.focus('#screen');
      await page.keyboard.type('list');
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        (k) => (window as unknown as { __phantasm: Hook }).__phantasm.serialText.includes(k),
        key,
        { timeout: WAIT_MS },
      );
      expect(await hook(page, (h) => h.errors)).toEqual([]);

      // a second tab cannot run the same disk while this one does: it says so, this one goes on
      const second = await context.newPage();
      await second.goto(site.url);
      await second.click('#boot-system');
      await second.waitForFunction(
        () => (window as unknown as { __phantasm: Hook }).__phantasm.errors.length > 0,
        undefined,
        { timeout: WAIT_MS },
      );
      expect((await hook(second, (h) => h.errors)).join('\n')).toMatch(
        /phantasm-system\.img: cannot open the disk .*; is it open in another tab\?/,
      );
      expect(await hook(second, (h) => h.status!.state)).toBe('stopped');
      expect(await hook(page, (h) => h.status!.state)).toBe('running');
    } finally {
      await context.close();
    }
  });
});
