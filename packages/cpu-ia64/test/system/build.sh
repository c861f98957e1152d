#!/bin/sh
# Rebuild the bare-metal system test programs (elf/) from src/*.s with Debian's
# binutils-ia64-linux-gnu. Programs are linked at physical 1 MiB; lib.inc has the board's map.
# Expected outputs (expected/NAME.txt) are written by hand from the Itanium SDM: see expected/README.md.
set -e
cd "$(dirname "$0")"
AS=${AS:-ia64-linux-gnu-as}
LD=${LD:-ia64-linux-gnu-ld}
mkdir -p elf obj
for s in src/sys_*.s; do
  n=$(basename "$s" .s)
  $AS -I src -o "obj/$n.o" "$s"
  $LD -N -Ttext=0x100000 -e _start --no-warn-rwx-segments -o "elf/$n.elf" "obj/$n.o"
done
rm -rf obj
