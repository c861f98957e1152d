#!/bin/sh
# Builds the C test programs (freestanding, no libc) with Debian's gcc -m32 and records what this
# machine's own processor prints as the expected output. Run from this directory.
set -e
FLAGS="-m32 -static -nostdlib -ffreestanding -fno-pic -no-pie -O2 -fno-stack-protector -mfpmath=387 -Wl,--build-id=none -Wl,-Ttext-segment=0x200000"
for prog in x87; do
  gcc $FLAGS -march=pentiumpro -o $prog-p6.elf $prog.c
  gcc $FLAGS -march=i386 -o $prog-386.elf $prog.c
  for v in p6 386; do ./$prog-$v.elf > $prog-$v.expected.txt; done
done
ls -l *.elf *.expected.txt
