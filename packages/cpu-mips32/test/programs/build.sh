#!/bin/sh
# Rebuilds the oracle programs and (when QEMU is installed) their expected outputs.
# Needs Debian's gcc-mipsel-linux-gnu and qemu-system-mips (for qemu-system-mipsel).
set -e
cd "$(dirname "$0")"
CFLAGS="-march=mips32r2 -EL -O1 -ffreestanding -fno-builtin -nostdlib -static -mno-abicalls -fno-pic -G0 -msoft-float -Wall -Wextra"
for p in alu mem exc branch; do
  src=$p.c
  mipsel-linux-gnu-gcc $CFLAGS -T link.ld -Wl,--build-id=none -o $p.elf start.S $src
  if command -v qemu-system-mipsel >/dev/null; then
    rm -f $p.qemu.txt
    timeout 60 qemu-system-mipsel -M malta -cpu 24Kf -m 64 -display none -nic none -no-reboot -monitor none \
      -kernel $p.elf -serial file:$p.qemu.txt
  fi
done
