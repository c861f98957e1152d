// Our own progress lines go to stderr, prefixed with the program name; the guest console owns stdout.

export function progress(text: string): void {
  process.stderr.write(`phantasm: ${text}\n`);
}
