// Sizes and addresses as people read them: 4 KiB, 1.5 MiB, 0x0010_0000.

/** Bytes in the largest unit that keeps the number ≥ 1 (B, KiB, MiB, GiB), at most one decimal. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${text} ${units[unit]}`;
}

/** A 32-bit address as 0x followed by eight hex digits (4 GiB itself as 0x100000000). */
export function hexAddress(address: number): string {
  return `0x${address.toString(16).padStart(8, '0')}`;
}
