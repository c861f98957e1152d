#!/bin/sh
# Rebuild the test programs and, with --qemu, print what QEMU's debug console shows for each
# (for comparison with <name>.expected.txt; see the package README for the known QEMU deviations).
set -e
cd "$(dirname "$0")"
for src in protected.asm v86.asm alu.asm mem.asm gates.asm system.asm; do
  name=${src%.asm}
  nasm -f bin -o "$name.bin" "$src"
  if [ "$1" = "--qemu" ]; then
    img=$(mktemp)
    out=$(mktemp)
    cp "$name.bin" "$img"
    truncate -s 1474560 "$img"
    timeout 20 qemu-system-i386 -display none -drive "file=$img,format=raw,if=floppy" -boot a \
      -debugcon "file:$out" -device isa-debug-exit,iobase=0xf4,iosize=0x04 || true
    if cmp -s "$out" "$name.expected.txt"; then
      echo "$name: QEMU output matches $name.expected.txt"
    else
      cp "$out" "/tmp/$name.qemu.txt"
      echo "$name: QEMU output differs from $name.expected.txt (saved as /tmp/$name.qemu.txt)"
    fi
    rm -f "$img" "$out"
  fi
done
