// Terminal bytes → keys for the emulated keyboard, with QEMU's Ctrl-A escapes (Ctrl-A X quits,
// Ctrl-A H prints help, Ctrl-A S takes a snapshot). Characters no US keyboard types are dropped.
import { keyFor } from '../devices/scancodes.js';

export type KeyEvent =
  | { kind: 'text'; text: string }
  | { kind: 'quit' }
  | { kind: 'help' }
  | { kind: 'snapshot' }
  | { kind: 'screenshot' }
  /** Ctrl-C: no key of the emulated keyboard types it (the consoles say how to quit instead). */
  | { kind: 'interrupt' };

const CTRL_A = 0x01;
const CTRL_C = 0x03;

export const ESCAPE_HELP = [
  'Ctrl-A H    print this help',
  'Ctrl-A X    quit (final snapshot for `phantasm boot`)',
  'Ctrl-A S    take a snapshot now (`phantasm boot`)',
  'Ctrl-A P    save a PNG screenshot (`phantasm pc`)',
];

/** True when a US keyboard can type `ch` (so the keyboard controller accepts it). */
function typeable(ch: string): boolean {
  try {
    keyFor(ch);
    return true;
  } catch {
    return false;
  }
}

/** Text from a pipe or file as keys: newline is Enter, CR LF one Enter, untypeable characters dropped. */
export function typeableText(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r\n/g, '\n')) {
    const key = ch === '\n' ? '\r' : ch;
    if (typeable(key)) out += key;
  }
  return out;
}

/** Decodes raw-mode terminal input: Enter (CR) → '\r', Backspace (DEL) → '\b', escapes after Ctrl-A. */
export class EscapeDecoder {
  private armed = false;

  feed(bytes: Uint8Array): KeyEvent[] {
    const events: KeyEvent[] = [];
    let text = '';
    const flush = () => {
      if (text) events.push({ kind: 'text', text });
      text = '';
    };
    for (const b of bytes) {
      if (this.armed) {
        this.armed = false;
        const command = String.fromCharCode(b).toLowerCase();
        if (command === 'x') {
          flush();
          events.push({ kind: 'quit' });
        } else if (command === 'h' || command === '?') {
          flush();
          events.push({ kind: 'help' });
        } else if (command === 's') {
          flush();
          events.push({ kind: 'snapshot' });
        } else if (command === 'p') {
          flush();
          events.push({ kind: 'screenshot' });
        }
        continue;
      }
      if (b === CTRL_A) {
        this.armed = true;
        continue;
      }
      if (b === CTRL_C) {
        flush();
        events.push({ kind: 'interrupt' });
        continue;
      }
      const ch = b === 0x0d || b === 0x0a ? '\r' : b === 0x7f ? '\b' : String.fromCharCode(b);
      if (typeable(ch)) text += ch;
    }
    flush();
    return events;
  }
}
