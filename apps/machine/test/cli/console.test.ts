import { describe, expect, it } from 'vitest';
import { EscapeDecoder, typeableText } from '../../src/cli/keys.js';
import { Pacer } from '../../src/cli/pacer.js';
import { ScreenPainter } from '../../src/cli/screen-painter.js';
import {
  type LoopInput,
  type RunnableSystem,
  SystemLoop,
  waitingForKeys,
} from '../../src/cli/system-loop.js';
import type { SystemRunResult, ThreadRecord, ThreadStatus } from '../../src/kernel/types.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('EscapeDecoder', () => {
  it('passes keys through, Enter as CR and Backspace (DEL) as BS', () => {
    expect(new EscapeDecoder().feed(bytes('get a\r\x7f'))).toEqual([{ kind: 'text', text: 'get a\r\b' }]);
  });

  it('decodes Ctrl-A X / H / S (either case), even split across reads, and drops untypeable bytes', () => {
    const d = new EscapeDecoder();
    expect(d.feed(bytes('ab\x01'))).toEqual([{ kind: 'text', text: 'ab' }]);
    expect(d.feed(bytes('xc'))).toEqual([{ kind: 'quit' }, { kind: 'text', text: 'c' }]);
    expect(d.feed(bytes('\x01H\x01s\x01q\x02\x03'))).toEqual([
      { kind: 'help' },
      { kind: 'snapshot' },
      { kind: 'interrupt' },
    ]);
    expect(d.feed(bytes('\x01p\x01P'))).toEqual([{ kind: 'screenshot' }, { kind: 'screenshot' }]);
  });
});

describe('typeableText', () => {
  it('makes newlines (and CR LF) Enter and drops what no key types', () => {
    expect(typeableText('set a 1\nget a\r\n\x00é\t')).toBe('set a 1\rget a\r\t');
  });
});

describe('Pacer', () => {
  it('says how long until a virtual time is due, and rebases once virtual time lags too far', () => {
    let wall = 1000;
    let virtual = 0;
    const pacer = new Pacer(
      () => virtual,
      250,
      () => wall,
    );
    expect(pacer.delayUntil(10)).toBe(10);
    wall += 4;
    expect(pacer.delayUntil(10)).toBe(6);
    virtual = 30; // ran ahead (an idle skip)
    expect(pacer.aheadMs()).toBe(26);
    wall += 1000; // a busy guest: virtual 970 ms behind → rebased
    expect(pacer.aheadMs()).toBe(0);
    expect(pacer.delayUntil(40)).toBe(10);
  });
});

describe('ScreenPainter', () => {
  it('redraws only changed frames, at most every minIntervalMs, and leaves the alternate screen', () => {
    let out = '';
    const painter = new ScreenPainter({ write: (s: string) => (out += s) }, 50);
    expect(out).toContain('\x1b[?1049h');
    expect(painter.draw(['A:\\>'], 'status', { row: 0, column: 3 }, 0)).toBe(true);
    expect(out).toContain('A:\\>\x1b[K\r\n');
    expect(out.endsWith('\x1b[1;4H')).toBe(true);
    expect(painter.draw(['A:\\>dir'], 'status', undefined, 20)).toBe(false); // too soon
    expect(painter.draw(['A:\\>dir'], 'status', undefined, 60)).toBe(true);
    expect(painter.draw(['A:\\>dir'], 'status', undefined, 200)).toBe(false); // unchanged
    painter.close();
    expect(out.endsWith('\x1b[?1049l')).toBe(true);
  });
});

function thread(tid: number, status: ThreadStatus): ThreadRecord {
  return { tid, program: 'kvshell', arg: '', slot: 0, status, regs: [] };
}

/** A scripted system: each run() returns the next result and advances uptime by `advanceNs`. */
class FakeSystem implements RunnableSystem {
  uptimeNs = 0;
  pendingKeys = 0;
  runs = 0;
  constructor(
    private readonly script: SystemRunResult[],
    public statuses: ThreadStatus[] = ['reading'],
    private readonly advanceNs = 1e6,
  ) {}
  run(): SystemRunResult {
    const r = this.script[Math.min(this.runs++, this.script.length - 1)];
    this.uptimeNs += this.advanceNs;
    return r;
  }
  threads(): ThreadRecord[] {
    return this.statuses.map((s, i) => thread(i + 1, s));
  }
}

class FakeInput implements LoopInput {
  waits: number[] = [];
  constructor(public ended: boolean) {}
  wait(ms: number): Promise<void> {
    this.waits.push(ms);
    return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
  }
  notify(): void {}
}

describe('SystemLoop', () => {
  it('ends when piped input has ended, no key is pending and every guest reads a key', async () => {
    const system = new FakeSystem([
      { stop: 'budget', instructions: 10 },
      { stop: 'idle', instructions: 1, nextWakeNs: 5e6 },
    ]);
    const loop = new SystemLoop(system, new FakeInput(true));
    expect(await loop.run()).toBe('input-ended');
    expect(loop.instructions).toBe(11);
  });

  it('keeps waiting in real time while a guest sleeps or keys are pending', async () => {
    const system = new FakeSystem(
      [{ stop: 'idle', instructions: 1, nextWakeNs: 10e6 }],
      ['reading', 'sleeping'],
    );
    const input = new FakeInput(true);
    const loop = new SystemLoop(system, input);
    setTimeout(() => {
      system.statuses = ['reading', 'exited'];
      system.pendingKeys = 1;
    }, 20);
    setTimeout(() => {
      system.pendingKeys = 0;
    }, 40);
    expect(await loop.run()).toBe('input-ended');
    expect(system.runs).toBeGreaterThan(2);
    // the wait is for the next wake in wall time: about 10 ms minus the uptime already run
    expect(input.waits[0]).toBeGreaterThan(0);
    expect(input.waits[0]).toBeLessThanOrEqual(10);
  });

  it('stops on no-threads, on the instruction limit, on the timeout and on request', async () => {
    expect(
      await new SystemLoop(
        new FakeSystem([{ stop: 'no-threads', instructions: 5 }]),
        new FakeInput(false),
      ).run(),
    ).toBe('no-threads');
    const busy = () => new FakeSystem([{ stop: 'budget', instructions: 400 }]);
    expect(await new SystemLoop(busy(), new FakeInput(false), { maxInstructions: 1000 }).run()).toBe(
      'max-instructions',
    );
    expect(await new SystemLoop(busy(), new FakeInput(false), { timeoutMs: 30 }).run()).toBe('timeout');
    const loop = new SystemLoop(busy(), new FakeInput(false));
    setTimeout(() => loop.stop('sigterm'), 10);
    expect(await loop.run()).toBe('sigterm');
  });

  it('counts a guest as able to go on unless it reads, waits or has ended', () => {
    expect(waitingForKeys([thread(1, 'reading'), thread(2, 'waiting'), thread(3, 'killed')])).toBe(true);
    expect(waitingForKeys([thread(1, 'reading'), thread(2, 'sleeping')])).toBe(false);
    expect(waitingForKeys([thread(1, 'ready')])).toBe(false);
  });
});
