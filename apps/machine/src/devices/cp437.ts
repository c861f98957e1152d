// Code page 437 (the VGA ROM character set) as Unicode, for text screens shown as strings.

/** Code page 437, 0x80-0xFF, as Unicode. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
/** Code page 437, 0x00-0x1F (the glyphs, not control codes). */
const CP437_LOW = ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼';

export function cp437ToChar(byte: number): string {
  if (byte === 0) return ' ';
  if (byte < 0x20) return CP437_LOW[byte];
  if (byte < 0x7f) return String.fromCharCode(byte);
  if (byte === 0x7f) return '⌂';
  return CP437_HIGH[byte - 0x80];
}
