// node:fs in the browser build. Only module-level code of @phantasm/machine reaches these (the
// built-in BIOS and guest paths); the web app passes its BIOS and guests itself, so a call that
// lands here is a bug: it fails loudly instead of pretending a file exists.
function unavailable(name: string): never {
  throw new Error(`node:fs ${name}() is not available in the browser`);
}

export const existsSync = (_path: string): boolean => false;
export const readFileSync = (): never => unavailable('readFileSync');
export const readdirSync = (): never => unavailable('readdirSync');
export const realpathSync = (): never => unavailable('realpathSync');
export const openSync = (): never => unavailable('openSync');
export const closeSync = (): never => unavailable('closeSync');
export const readSync = (): never => unavailable('readSync');
export const writeSync = (): never => unavailable('writeSync');
export const fstatSync = (): never => unavailable('fstatSync');
export const fsyncSync = (): never => unavailable('fsyncSync');
export const ftruncateSync = (): never => unavailable('ftruncateSync');
