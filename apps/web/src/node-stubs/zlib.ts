// node:zlib in the browser build: machine-state files (CLI only) are not read or written here.
function unavailable(name: string): never {
  throw new Error(`node:zlib ${name}() is not available in the browser`);
}

export const deflateRawSync = (): never => unavailable('deflateRawSync');
export const inflateRawSync = (): never => unavailable('inflateRawSync');
