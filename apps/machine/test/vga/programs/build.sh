#!/bin/sh
# Build the VGA test programs (nasm): one 17-sector floppy head per picture. The built images are
# committed, so only people changing vgatest.asm need nasm.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for t in TEXT80 TEXT80X50 TEXT40 MODE13 MODE12 MODE0D VBE640 VBE1024 GFXTEXT MODE0E MODE10 MODE11 CGA04 CGA05 CGA06 MONO07; do
  name=$(echo "$t" | tr 'A-Z' 'a-z')
  nasm -f bin -DTEST=T_$t -o "$here/$name.bin" "$here/vgatest.asm"
done
echo "built $here/*.bin"
