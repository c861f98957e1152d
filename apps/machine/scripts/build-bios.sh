#!/bin/sh
# Rebuild the built-in BIOS (firmware/bios.bin) and the multiboot test kernel from their nasm
# sources. The built images are committed, so only people changing the sources need nasm.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
nasm -f bin -o "$here/firmware/bios.bin" "$here/firmware/bios.asm"
if [ -f "$here/test/programs/mbhello.asm" ]; then
  nasm -f bin -o "$here/test/programs/mbhello.bin" "$here/test/programs/mbhello.asm"
fi
echo "built $here/firmware/bios.bin"
