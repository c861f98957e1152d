#!/bin/sh
# Rebuild the IA-64 test programs (elf/), the objdump decoding table (objdump.txt) and, when HP's Ski
# simulator is present, the expected outputs (expected/NAME.txt, as `bskinc NAME.elf` prints them).
# Needs Debian's binutils-ia64-linux-gnu. Ski: build github.com/trofi/ski and set SKI to its bski.
#   ./build.sh            everything          SKI=/path/to/bski ./build.sh
set -e
cd "$(dirname "$0")"
AS=${AS:-ia64-linux-gnu-as}
LD=${LD:-ia64-linux-gnu-ld}
OBJDUMP=${OBJDUMP:-ia64-linux-gnu-objdump}
SKI=${SKI:-bski}
mkdir -p elf expected obj
$AS -W -I src -o obj/lib.o src/lib.s
for s in src/t_*.s src/gen_*.s src/bench_*.s src/fault_*.s; do
  n=$(basename "$s" .s)
  $AS -W -I src -o "obj/$n.o" "$s"
  $LD -o "elf/$n.elf" "obj/$n.o" obj/lib.o
  $OBJDUMP -d "elf/$n.elf" > "obj/$n.dis"
done
npx tsx objdump-table.ts obj > objdump.txt
if command -v "$SKI" > /dev/null 2>&1; then
  for e in elf/*.elf; do
    n=$(basename "$e" .elf)
    status=0
    timeout 60 "$SKI" -forceuser -noconsole "$e" > "expected/$n.txt" 2> /dev/null || status=$?
    if [ "$status" != 0 ]; then echo "[exit $status]" >> "expected/$n.txt"; fi
  done
else
  echo "build.sh: $SKI not found, expected outputs left as they are" >&2
fi
