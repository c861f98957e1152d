// Child process for the PC power-cut test (pc-powercut.test.ts, scripts/pc-powercut-soak.ts). Its
// modules load first; then it reads one JSON line {"argv": [...]} on stdin and runs the real
// `phantasm` command line with it (`pc --state FILE ...`) until it is SIGKILLed. The harness starts
// the next child while the current one runs, so module loading costs no time between cuts.
import { main } from '../../src/cli/main.js';

let text = '';
for await (const chunk of process.stdin) {
  text += chunk;
  if (text.includes('\n')) break;
}
const { argv } = JSON.parse(text.split('\n')[0]) as { argv: string[] };
process.exitCode = await main(argv);
