// node:path in the browser build: plain string operations on '/'-separated paths, enough for the
// module-level path computations of @phantasm/machine (their results are never opened).
export function dirname(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path.startsWith('/') ? '/' : '.';
  const i = trimmed.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : trimmed.slice(0, i);
}

export function isAbsolute(path: string): boolean {
  return path.startsWith('/');
}

export function resolve(...parts: string[]): string {
  const out: string[] = [];
  for (const part of parts) {
    if (part.startsWith('/')) out.length = 0;
    for (const seg of part.split('/')) {
      if (seg === '..') out.pop();
      else if (seg !== '' && seg !== '.') out.push(seg);
    }
  }
  return `/${out.join('/')}`;
}
