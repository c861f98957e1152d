/** A 32-bit address as 8 hex digits, for kernel messages. */
export function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
