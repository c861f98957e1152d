// node:url in the browser build: a file or http URL's path (module-level path computations only).
export function fileURLToPath(url: string | URL): string {
  return decodeURIComponent(new URL(url).pathname);
}
