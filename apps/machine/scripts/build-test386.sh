#!/bin/bash
# Build test386.asm (a 386 CPU test ROM) from its sources with nasm into
# test/suites/test386/test386.bin, configured to write its POST codes to port 0xE9 (the board's
# debug console) instead of 0x190, with the 64 KiB ROM and no LPT/COM output. The image is
# committed; the sources are built in a temporary directory, never copied into this repository.
#
#   scripts/build-test386.sh [SOURCE_DIR]     (default: a fresh clone of barotto/test386.asm)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/test/suites/test386"
src="${1:-}"
if [ -z "$src" ]; then
  src=$(mktemp -d)/test386.asm
  git clone --depth 1 https://github.com/barotto/test386.asm.git "$src"
fi
work=$(mktemp -d)
cp -r "$src/src" "$work/src"
sed -i -e 's/^POST_PORT equ .*/POST_PORT equ 0xE9/' "$work/src/configuration.asm"
grep -q '^POST_PORT equ 0xE9' "$work/src/configuration.asm"
mkdir -p "$out"
(cd "$work" && nasm -i./src/ -f bin src/test386.asm -w-all -o "$out/test386.bin")
commit=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unknown)
echo "test386.asm $commit, POST_PORT 0xE9, 64 KiB ROM, $(nasm -v)" >"$out/SOURCE"
rm -rf "$work"
echo "built $out/test386.bin ($(wc -c <"$out/test386.bin") bytes)"
