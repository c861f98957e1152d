// A few SVG element writers: hand-written SVG text, every attribute and text node escaped.

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

type Attributes = Record<string, string | number | undefined>;

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? round(v) : v!)}"`)
    .join('');
}

/** Numbers with at most two decimals (smaller files, same picture). */
function round(n: number): string {
  return String(Math.round(n * 100) / 100);
}

export function element(name: string, attrs: Attributes, children = ''): string {
  return children === ''
    ? `<${name}${attributes(attrs)}/>`
    : `<${name}${attributes(attrs)}>${children}</${name}>`;
}

export function text(x: number, y: number, content: string, attrs: Attributes = {}): string {
  return element('text', { x, y, ...attrs }, escapeXml(content));
}

/** A rectangle with a tooltip (<title>) when `tip` is given. */
export function rect(
  x: number,
  y: number,
  width: number,
  height: number,
  attrs: Attributes,
  tip?: string,
): string {
  return element('rect', { x, y, width, height, ...attrs }, tip ? element('title', {}, escapeXml(tip)) : '');
}

export function document(width: number, height: number, body: string[]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${round(height)}" ` +
    `viewBox="0 0 ${width} ${round(height)}" font-family="sans-serif" font-size="12">\n` +
    `${body.join('\n')}\n</svg>\n`
  );
}
