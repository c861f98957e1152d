#!/usr/bin/env bash
# Rebuilds the QEMU oracle programs in test/programs and reruns them, rewriting the committed
# outputs (*.qemu.bin). Development-time only: the tests replay the committed outputs and need
# neither QEMU nor the assemblers. Needs (Debian): nasm qemu-system-x86 qemu-system-mips
# binutils-mips-linux-gnu.
set -euo pipefail
cd "$(dirname "$0")/../test/programs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nasm -f bin -o paging-oracle.bin paging-oracle.asm
timeout 60 qemu-system-i386 -kernel paging-oracle.bin -debugcon "file:$tmp/ia32.bin" -display none \
  -device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot -m 32 || true # exits 1 through isa-debug-exit
cp "$tmp/ia32.bin" paging-oracle.qemu.bin

mips-linux-gnu-as -EB -march=mips32r2 -o "$tmp/mips.o" mips-tlb-oracle.S
mips-linux-gnu-ld -EB -Ttext=0x80100000 -e start -o mips-tlb-oracle.elf "$tmp/mips.o"
mips-linux-gnu-strip mips-tlb-oracle.elf
timeout 60 qemu-system-mips -M malta -cpu 24Kf -kernel mips-tlb-oracle.elf -serial "file:$tmp/mips.bin" \
  -display none -no-reboot
cp "$tmp/mips.bin" mips-tlb-oracle.qemu.bin

echo "oracle outputs rewritten: $(wc -c < paging-oracle.qemu.bin) + $(wc -c < mips-tlb-oracle.qemu.bin) bytes"
