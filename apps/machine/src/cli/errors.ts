// Errors of the `phantasm` command line and the exit status each kind of failure gives.

/** The command line itself is wrong (unknown option, bad number, missing value): exit 64. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A disk given to `phantasm inspect` cannot be read as a Phantasm disk: exit 1 (2 when untrusted). */
export class InspectError extends Error {
  override name = 'InspectError';
  constructor(
    message: string,
    readonly status: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Exit statuses (sysexits for usage; 128 + signal number for signals, as shells report them). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 64,
  sigint: 130,
  sigterm: 143,
} as const;

/** One line for stderr: `phantasm: <Name>: <message>` (the first line of the message only). */
export function errorLine(e: Error): string {
  const first = e.message.split('\n')[0];
  return `phantasm: ${e.name}: ${first}`;
}
