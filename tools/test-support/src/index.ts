// Where the shared test data and disk images live. One setting: PHANTASM_SHARED
// (default: ../shared next to the repository root). Tests that need it skip with a
// plain message when it is absent; the data's public sources are named in README.md.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function sharedDir(): string {
  const configured = process.env.PHANTASM_SHARED;
  if (configured) return isAbsolute(configured) ? configured : resolve(repoRoot, configured);
  return resolve(repoRoot, '../shared');
}

/** Absolute path of a file or folder under the shared directory. */
export function sharedPath(relative: string): string {
  return resolve(sharedDir(), relative);
}

/** The path if it exists, or undefined (callers skip with `missingMessage`). */
export function findShared(relative: string): string | undefined {
  const path = sharedPath(relative);
  return existsSync(path) ? path : undefined;
}

export function missingMessage(relative: string): string {
  return `shared data not found: ${sharedPath(relative)} (set PHANTASM_SHARED; see README.md "Shared data")`;
}
export { processGroupGone } from './process-group.js';
