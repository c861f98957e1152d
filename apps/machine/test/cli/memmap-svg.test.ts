import { describe, expect, it } from 'vitest';
import type { MemoryMapReport } from '../../src/kernel/types.js';
import { atRestMemoryMap } from '../../src/render/at-rest-map.js';
import { renderMemoryMapSvg } from '../../src/render/memmap-svg.js';
import { formatBytes, hexAddress } from '../../src/render/units.js';

const MiB = 2 ** 20;

const report: MemoryMapReport = {
  ramBytes: 16 * MiB,
  physical: [
    { start: 0, end: 0x1000, owner: 'bios' },
    { start: 0x1000, end: 0x8000, owner: 'vm86' },
    { start: 0x8000, end: 0x9f000, owner: 'low-free' },
    { start: 0x9f000, end: 0x100000, owner: 'bios' },
    { start: 0x100000, end: 0x120000, owner: 'kernel-image' },
    { start: 0x120000, end: 0x124000, owner: 'page-tables' },
    { start: 0x124000, end: 0x134000, owner: 'kernel-heap' },
    { start: 0x134000, end: 0x200000, owner: 'object-space' },
    { start: 0x200000, end: 16 * MiB, owner: 'free' },
  ],
  virtual: [
    { start: 0, end: 0x1000, owner: 'unmapped' },
    { start: 0x1000, end: 0x100000, owner: 'low-memory' },
    { start: 0x100000, end: 0x120000, owner: 'kernel-image' },
    { start: 0x120000, end: 0x140000, owner: 'kernel-heap' },
    { start: 0x140000, end: 0x40000000, owner: 'unmapped' },
    { start: 0x40000000, end: 0x40020000, owner: 'device' },
    { start: 0x40020000, end: 0x80000000, owner: 'unmapped' },
    { start: 0x80000000, end: 0x90000000, owner: 'guest' },
    { start: 0x90000000, end: 0xc0000000, owner: 'persistent-heap' },
    { start: 0xc0000000, end: 2 ** 32, owner: 'unmapped' },
  ],
  objectSpace: { residentPages: 204, dirtyPages: 12, pages: 262144 },
};

/**
 * A DOM-less well-formedness check: one root, every tag closed in order, attributes quoted,
 * no stray '<' or unescaped '&' in text. Returns the problem, or undefined.
 */
function xmlProblem(xml: string): string | undefined {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  let at = 0;
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  while (at < body.length) {
    const lt = body.indexOf('<', at);
    const text = body.slice(at, lt === -1 ? body.length : lt);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(text)) return `unescaped & in ${JSON.stringify(text)}`;
    if (lt === -1) break;
    if (stack.length === 0 && text.trim() !== '') return `text outside the root: ${JSON.stringify(text)}`;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (!m) return `malformed tag at ${lt}: ${body.slice(lt, lt + 60)}`;
    const [, close, name, , selfClose] = m;
    if (close) {
      if (stack.pop() !== name) return `</${name}> does not close the open element`;
    } else {
      if (stack.length === 0) roots++;
      if (!selfClose) stack.push(name);
    }
    at = tag.lastIndex;
  }
  if (stack.length > 0) return `unclosed <${stack.join('> <')}>`;
  return roots === 1 ? undefined : `${roots} root elements`;
}

describe('renderMemoryMapSvg', () => {
  const svg = renderMemoryMapSvg(report, { title: 'Test & <map>', notes: ['42 pages stored on disk'] });

  it('is well-formed SVG with the title escaped', () => {
    expect(xmlProblem(svg)).toBeUndefined();
    expect(svg).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    expect(svg).toContain('Test &amp; &lt;map&gt;');
  });

  it('has every physical owner in the legend with its total size, and every virtual range in the rows', () => {
    for (const owner of new Set(report.physical.map((r) => r.owner)))
      expect(svg).toContain(`data-owner="${owner}"`);
    expect(svg).toContain('bios: 392 KiB (2.4 %)'); // 4 KiB + 388 KiB, in two ranges
    expect(svg).toContain('free: 14 MiB (87.5 %)');
    for (const r of report.virtual)
      expect(svg).toContain(`${hexAddress(r.start)} – ${hexAddress(r.end - 1)}`);
    expect(svg).toContain('first MiB, enlarged');
    expect(svg).toContain('42 pages stored on disk');
    expect(svg).toContain('resident 204 pages (816 KiB), dirty 12 pages');
  });

  it('draws a disk at rest: no RAM, the layout virtual map, the object space size', () => {
    const rest = renderMemoryMapSvg(atRestMemoryMap(262144));
    expect(xmlProblem(rest)).toBeUndefined();
    expect(rest).toContain('no RAM in use');
    expect(rest).not.toContain('data-owner=');
    for (const use of ['kernel-image', 'kernel-heap', 'device', 'guest', 'persistent-heap']) {
      expect(rest).toContain(`data-use="${use}"`);
    }
    const ranges = atRestMemoryMap(1).virtual;
    for (let i = 1; i < ranges.length; i++) expect(ranges[i].start).toBeGreaterThanOrEqual(ranges[i - 1].end);
  });

  it('the well-formedness check itself catches broken XML', () => {
    expect(xmlProblem('<svg><g></svg>')).toMatch(/does not close/);
    expect(xmlProblem('<svg><text>a & b</text></svg>')).toMatch(/unescaped &/);
    expect(xmlProblem('<svg x=1/>')).toMatch(/malformed/);
  });
});

describe('units', () => {
  it('formats sizes and addresses', () => {
    expect(formatBytes(4096)).toBe('4 KiB');
    expect(formatBytes(1.5 * MiB)).toBe('1.5 MiB');
    expect(formatBytes(2 ** 32)).toBe('4 GiB');
    expect(formatBytes(100)).toBe('100 B');
    expect(hexAddress(0x100000)).toBe('0x00100000');
  });
});
