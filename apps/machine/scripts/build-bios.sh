#!/bin/sh
# Rebuild the built-in BIOS (firmware/bios.bin) and the test programs (test/programs) from their nasm
# sources. The built images are committed, so only people changing the sources need nasm.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
nasm -f bin -o "$here/firmware/bios.bin" "$here/firmware/bios.asm"
for p in mbhello biostest kbdtest resettest misctest int15move mousebios; do
  nasm -f bin -I "$here/test/programs/" -o "$here/test/programs/$p.bin" "$here/test/programs/$p.asm"
done
# the ELF flavour of the multiboot test kernel needs binutils (ld)
nasm -f elf32 -DELF -o "$here/test/programs/mbhello.o" "$here/test/programs/mbhello.asm"
ld -m elf_i386 -N -s --no-warn-rwx-segments -Ttext=0x100000 -e start -o "$here/test/programs/mbhello.elf" "$here/test/programs/mbhello.o"
rm "$here/test/programs/mbhello.o"
echo "built firmware/bios.bin and test/programs/*.bin"
