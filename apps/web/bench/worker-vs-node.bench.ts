// The machine's speed in the browser's Web Worker against Node, in the same run: power-on to the
// FreeDOS A:\> prompt (built-in BIOS, 32 MiB) on fresh boards, flat out (no pacing), in headless
// chromium through playwright-core (the built site's worker, message 'bench-boot') and in this
// Node process (the same PcBoard code). Instructions, wall time (first and best of the warm runs)
// and millions of instructions per second, with the browser's ratio to Node.
// Reference: Node running the same board and guest.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinBios, DiskImage, PcBoard } from '@phantasm/machine';
import { findShared, missingMessage } from '@phantasm/test-support';
import type { BenchRun } from '../src/protocol.js';
import {
  buildSite,
  findChromium,
  launchChromium,
  NO_CHROMIUM,
  removeSite,
  serveStatic,
} from '../test/harness.js';

const FREEDOS = 'images/freedos722.img';
const RUNS = 6;
const UNTIL = 'A:\\>';

const image = findShared(FREEDOS);
const chromiumPath = findChromium();
if (!image || !chromiumPath) {
  console.log(`skipped: ${!image ? missingMessage(FREEDOS) : NO_CHROMIUM}`);
  process.exit(0);
}

function nodeRuns(): BenchRun[] {
  const bios = builtinBios();
  const floppy = readFileSync(image!);
  const runs: BenchRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const board = new PcBoard({ bios, floppyA: DiskImage.floppy(new Uint8Array(floppy)) });
    const r = board.run({ untilScreen: UNTIL, maxInstructions: 200_000_000, timeoutMs: 120_000 });
    runs.push({ stop: r.stop, instructions: r.instructions, ms: r.wallMs });
  }
  return runs;
}

async function browserRuns(): Promise<BenchRun[]> {
  const dir = buildSite();
  copyFileSync(image!, join(dir, 'bench-floppy.img'));
  const site = await serveStatic(dir);
  const browser = await launchChromium(chromiumPath!);
  try {
    const page = await browser.newPage();
    await page.goto(site.url);
    return await page.evaluate(
      async ({ runs, untilScreen }) => {
        const hook = (window as unknown as { __phantasm: { send(m: unknown): void; benchResult?: unknown } })
          .__phantasm;
        const floppy = await (await fetch('bench-floppy.img')).arrayBuffer();
        hook.send({ type: 'bench-boot', floppy, runs, untilScreen });
        while (hook.benchResult === undefined) await new Promise((r) => setTimeout(r, 50));
        return hook.benchResult as BenchRun[];
      },
      { runs: RUNS, untilScreen: UNTIL },
    );
  } finally {
    await browser.close();
    await site.close();
    removeSite(dir);
  }
}

function summary(runs: BenchRun[]) {
  const failed = runs.find((r) => r.stop !== 'screen');
  if (failed) throw new Error(`a boot stopped with ${failed.stop} before ${UNTIL}`);
  const warm = runs.slice(1).map((r) => r.ms);
  const best = Math.min(...warm);
  return {
    instructions: runs[0].instructions,
    firstMs: runs[0].ms,
    bestMs: best,
    mips: runs[0].instructions / best / 1000,
  };
}

const node = summary(nodeRuns());
const web = summary(await browserRuns());
const nodeAgain = summary(nodeRuns()); // Node once more after the browser: the host's load drifts

const bestNode = Math.max(node.mips, nodeAgain.mips);
const row = (name: string, s: ReturnType<typeof summary>) =>
  `| ${name} | ${(s.instructions / 1e6).toFixed(2)} M | ${s.firstMs.toFixed(0)} ms | ${s.bestMs.toFixed(0)} ms | ${s.mips.toFixed(1)} | ${(s.mips / bestNode).toFixed(2)}x |`;
console.log(
  `power-on → FreeDOS ${UNTIL} (built-in BIOS, 32 MiB), ${RUNS} boots each, best of the last ${RUNS - 1}`,
);
console.log(
  '| where | instructions | first boot | warm boot | M instr/s | ratio to Node (faster of its two runs) |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
console.log(row('Node (before)', node));
console.log(row('chromium Web Worker', web));
console.log(row('Node (after)', nodeAgain));
