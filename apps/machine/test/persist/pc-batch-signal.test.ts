// `phantasm pc --state FILE` in batch mode (no terminal) ends on SIGTERM or SIGINT like a limit:
// the exit snapshot is committed, the status is 143 or 130, and FILE resumes exactly there.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findShared, missingMessage } from '@phantasm/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { PersistentPc } from '../../src/persist/persistent-pc.js';
import { cpuDefect } from '../boards/helpers.js';

const pkg = resolve(import.meta.dirname, '../..');
const TSX_LOADER = pathToFileURL(resolve(pkg, '../../node_modules/tsx/dist/loader.mjs')).href;
const FREEDOS = 'images/freedos722.img';
const image = findShared(FREEDOS);
const defect = cpuDefect();
const dir = mkdtempSync(join(tmpdir(), 'phantasm-pc-signal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMITTED = /snapshot (\d+) committed at instruction (\d+)/g;

/** Run `phantasm pc --state FILE` until its first periodic commit, then send `signal`. */
function runAndSignal(
  file: string,
  signal: NodeJS.Signals,
): Promise<{ status: number | null; stderr: string }> {
  const argv = [
    'pc',
    '--state',
    file,
    '--fda',
    image!,
    '--snapshot-interval',
    '0.2',
    '--serial',
    join(dir, 'serial.txt'),
  ];
  // --timeout: a child whose test died ends by itself
  const child = spawn(
    process.execPath,
    ['--import', TSX_LOADER, '--conditions=source', 'src/cli/main.ts', ...argv, '--timeout', '60'],
    { cwd: pkg, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  let sent = false;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr += d;
    if (!sent && /snapshot \d+ committed at/.test(stderr)) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((done) => child.on('close', (status) => done({ status, stderr })));
}

describe.skipIf(!image || defect !== undefined)(
  `phantasm pc --state in batch mode (${image ? FREEDOS : missingMessage(FREEDOS)}${defect ? `; ${defect}` : ''})`,
  () => {
    for (const [signal, status] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      it(`takes the exit snapshot on ${signal}, exits ${status}, and resumes there`, async () => {
        const file = join(dir, `${signal}.state`);
        const r = await runAndSignal(file, signal);
        expect(r.status, r.stderr).toBe(status);
        expect(r.stderr).toContain(`stopped: ${signal}`);
        const after = r.stderr.slice(r.stderr.indexOf(`stopped: ${signal}`));
        const commits = [...after.matchAll(COMMITTED)];
        expect(commits.length, r.stderr).toBe(1);
        const [, generation, instruction] = commits[0];
        const pc = PersistentPc.open(file, {
          create: () => {
            throw new Error('no machine in the state file');
          },
        });
        try {
          expect(pc.resumedFrom).toBe(Number(generation));
          expect(pc.board.cpu.instructions).toBe(Number(instruction));
        } finally {
          pc.close();
        }
      }, 90_000);
    }
  },
);
