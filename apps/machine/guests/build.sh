#!/bin/sh
# Builds the Phantasm guest programs into bin/<name>.elf, byte for byte reproducibly:
# position-independent ELF32 executables (ET_DYN linked at 0) for a 486 without x87, whose only
# relocations are R_386_RELATIVE. Needs Debian's gcc (with -m32 code generation; no multilib
# libraries, nothing is linked from the system) and GNU ld/readelf/objdump (binutils).
#
#   guests/build.sh           rebuild bin/*.elf
#   guests/build.sh --check   rebuild into a temporary directory and compare with bin/ (exit 1 on a difference)
set -eu

cd "$(dirname "$0")"
GUESTS=$(pwd)
export LC_ALL=C

CHECK=0
case "${1:-}" in
  --check) CHECK=1 ;;
  '') ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

CC=${CC:-gcc}
LD=${LD:-ld}
CFLAGS="-m32 -march=i486 -Os -std=c11 -Wall -Wextra -Werror
  -ffreestanding -nostdlib -fno-builtin -fpie -fvisibility=hidden
  -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-stack-protector -fcf-protection=none
  -fno-tree-loop-distribute-patterns -mgeneral-regs-only -mno-80387 -mpreferred-stack-boundary=2
  -ffunction-sections -fdata-sections -fno-ident -ffile-prefix-map=$GUESTS=.
  -Iinclude -Wa,-march=i486"
LDFLAGS="-m elf_i386 -pie --no-dynamic-linker -z norelro -z noseparate-code -z noexecstack
  --build-id=none --hash-style=sysv --gc-sections"

# Other compiler versions generate other code: bin/TOOLCHAIN names the one that built bin/.
TOOLCHAIN="$($CC --version | head -n 1)
$($LD --version | head -n 1)"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM
OUT=bin
if [ "$CHECK" = 1 ]; then OUT=$WORK/bin; fi
mkdir -p "$OUT" "$WORK/obj"

# The runtime, in a fixed order.
RUNTIME="lib/start.c lib/runtime.c"
for src in $RUNTIME; do
  $CC $CFLAGS -c "$src" -o "$WORK/obj/$(basename "$src" .c).o"
done

status=0
for src in $(ls *.c | sort); do
  name=$(basename "$src" .c)
  $CC $CFLAGS -c "$src" -o "$WORK/obj/$name.o"
  $LD $LDFLAGS -o "$OUT/$name.elf" "$WORK/obj/start.o" "$WORK/obj/runtime.o" "$WORK/obj/$name.o"

  # The image must be what the kernel's loader (src/kernel/elf.ts) accepts and a 486 runs.
  relocs=$(readelf -rW "$OUT/$name.elf" | awk '/^[0-9a-f]+ +[0-9a-f]+ +R_386/ { print $3 }' | sort -u)
  if [ -n "$relocs" ] && [ "$relocs" != R_386_RELATIVE ]; then
    echo "$name.elf: relocations other than R_386_RELATIVE: $relocs" >&2
    status=1
  fi
  if readelf -lW "$OUT/$name.elf" | grep -Eq '^ +(INTERP|TLS) '; then
    echo "$name.elf: has a PT_INTERP or PT_TLS program header" >&2
    status=1
  fi
  # no x87, MMX/SSE, CMOV, long NOPs or ENDBR32 (none of them exists on a 486 without an FPU)
  bad=$(objdump -d --no-show-raw-insn "$OUT/$name.elf" |
    grep -E '^ +[0-9a-f]+:' |
    grep -Ei '[[:space:]](f[a-z0-9]+|cmov[a-z]+|nop[lw]|endbr32|cpuid|rdtsc)([[:space:]]|$)|%(st|mm|xmm)' |
    grep -Ev '[[:space:]]fs([[:space:]]|$)' || true)
  if [ -n "$bad" ]; then
    echo "$name.elf: instructions a 486 without x87 lacks:" >&2
    echo "$bad" >&2
    status=1
  fi

  if [ "$CHECK" = 1 ]; then
    if ! cmp -s "$OUT/$name.elf" "bin/$name.elf"; then
      echo "bin/$name.elf differs from a fresh build (run guests/build.sh and commit bin/)" >&2
      status=1
    fi
  else
    echo "bin/$name.elf: $(wc -c < "bin/$name.elf") bytes"
  fi
done

if [ "$CHECK" = 0 ]; then
  printf '%s\n' "$TOOLCHAIN" > bin/TOOLCHAIN
else
  if [ "$status" != 0 ] && [ "$TOOLCHAIN" != "$(cat bin/TOOLCHAIN 2>/dev/null)" ]; then
    echo "note: bin/ was built with $(tr '\n' ';' < bin/TOOLCHAIN), this is $(printf '%s' "$TOOLCHAIN" | tr '\n' ';')" >&2
  fi
  # a committed image without a source is stale too
  for elf in bin/*.elf; do
    [ -e "$elf" ] || continue
    name=$(basename "$elf" .elf)
    if [ ! -e "$name.c" ]; then
      echo "$elf has no source $name.c" >&2
      status=1
    fi
  done
  [ "$status" = 0 ] && echo "guests: bin/ matches a fresh build"
fi
exit $status
