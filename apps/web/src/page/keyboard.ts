// KeyboardEvent.code (the physical key, whatever the layout) → PC scancode set 1, the set software
// sees through the 8042's translation. Keys of the extended block send an E0 prefix; a release is
// the make code with bit 7 set (after the same prefix). Pause has no release and is its own
// sequence.

/** Make codes of the keys without a prefix, by KeyboardEvent.code. */
// biome-ignore format: a table reads better in rows
const BASE: Record<string, number> = {
  Escape: 0x01, Digit1: 0x02, Digit2: 0x03, Digit3: 0x04, Digit4: 0x05, Digit5: 0x06, Digit6: 0x07,
  Digit7: 0x08, Digit8: 0x09, Digit9: 0x0a, Digit0: 0x0b, Minus: 0x0c, Equal: 0x0d, Backspace: 0x0e,
  Tab: 0x0f, KeyQ: 0x10, KeyW: 0x11, KeyE: 0x12, KeyR: 0x13, KeyT: 0x14, KeyY: 0x15, KeyU: 0x16,
  KeyI: 0x17, KeyO: 0x18, KeyP: 0x19, BracketLeft: 0x1a, BracketRight: 0x1b, Enter: 0x1c,
  ControlLeft: 0x1d, KeyA: 0x1e, KeyS: 0x1f, KeyD: 0x20, KeyF: 0x21, KeyG: 0x22, KeyH: 0x23,
  KeyJ: 0x24, KeyK: 0x25, KeyL: 0x26, Semicolon: 0x27, Quote: 0x28, Backquote: 0x29, ShiftLeft: 0x2a,
  Backslash: 0x2b, KeyZ: 0x2c, KeyX: 0x2d, KeyC: 0x2e, KeyV: 0x2f, KeyB: 0x30, KeyN: 0x31, KeyM: 0x32,
  Comma: 0x33, Period: 0x34, Slash: 0x35, ShiftRight: 0x36, NumpadMultiply: 0x37, AltLeft: 0x38,
  Space: 0x39, CapsLock: 0x3a, F1: 0x3b, F2: 0x3c, F3: 0x3d, F4: 0x3e, F5: 0x3f, F6: 0x40, F7: 0x41,
  F8: 0x42, F9: 0x43, F10: 0x44, NumLock: 0x45, ScrollLock: 0x46, Numpad7: 0x47, Numpad8: 0x48,
  Numpad9: 0x49, NumpadSubtract: 0x4a, Numpad4: 0x4b, Numpad5: 0x4c, Numpad6: 0x4d, NumpadAdd: 0x4e,
  Numpad1: 0x4f, Numpad2: 0x50, Numpad3: 0x51, Numpad0: 0x52, NumpadDecimal: 0x53, IntlBackslash: 0x56,
  F11: 0x57, F12: 0x58,
};

/** Make codes of the extended keys (sent after 0xE0). */
// biome-ignore format: a table reads better in rows
const EXTENDED: Record<string, number> = {
  NumpadEnter: 0x1c, ControlRight: 0x1d, NumpadDivide: 0x35, PrintScreen: 0x37, AltRight: 0x38,
  Home: 0x47, ArrowUp: 0x48, PageUp: 0x49, ArrowLeft: 0x4b, ArrowRight: 0x4d, End: 0x4f,
  ArrowDown: 0x50, PageDown: 0x51, Insert: 0x52, Delete: 0x53, MetaLeft: 0x5b, MetaRight: 0x5c,
  ContextMenu: 0x5d,
};

const PAUSE = [0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5];

/** The scancodes for pressing (down) or releasing a key, or undefined for a key the PC lacks. */
export function scancodesForKey(code: string, down: boolean): number[] | undefined {
  if (code === 'Pause') return down ? PAUSE : [];
  const base = BASE[code];
  if (base !== undefined) return [down ? base : base | 0x80];
  const extended = EXTENDED[code];
  if (extended !== undefined) return [0xe0, down ? extended : extended | 0x80];
  return undefined;
}

/** Every KeyboardEvent.code this table knows (tests check it against the scancode set). */
export const KNOWN_CODES: readonly string[] = [...Object.keys(BASE), ...Object.keys(EXTENDED), 'Pause'];
