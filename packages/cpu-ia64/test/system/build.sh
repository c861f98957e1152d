#!/bin/sh
# Rebuild the bare-metal system test programs (elf/) from src/*.s with Debian's
# binutils-ia64-linux-gnu. Programs are linked at physical 1 MiB; lib.inc has the board's map.
# When HP's Ski simulator is present (SKI=/path/to/bski), each program is also built with
# -defsym SKI=1 (console and exit through Ski's SSC simulator calls instead of the UART and the exit
# port; nothing else differs) and run by `bski` in system mode: its console output becomes
# expected/NAME.txt. expected/README.md derives every value from the SDM as well.
#   ./build.sh            images only          SKI=/path/to/bski ./build.sh
set -e
cd "$(dirname "$0")"
AS=${AS:-ia64-linux-gnu-as}
LD=${LD:-ia64-linux-gnu-ld}
SKI=${SKI:-bski}
mkdir -p elf obj
for s in src/sys_*.s; do
  n=$(basename "$s" .s)
  $AS -I src -o "obj/$n.o" "$s"
  $LD -N -Ttext=0x100000 -e _start --no-warn-rwx-segments -o "elf/$n.elf" "obj/$n.o"
  if command -v "$SKI" > /dev/null 2>&1; then
    $AS -I src --defsym SKI=1 -o "obj/$n.ski.o" "$s"
    $LD -N -Ttext=0x100000 -e _start --no-warn-rwx-segments -o "obj/$n.ski.elf" "obj/$n.ski.o"
    timeout 60 "$SKI" -noconsole "obj/$n.ski.elf" > "expected/$n.txt" 2> /dev/null
  fi
done
command -v "$SKI" > /dev/null 2>&1 || echo "build.sh: $SKI not found, expected outputs left as they are" >&2
rm -rf obj
