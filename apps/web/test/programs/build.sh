#!/bin/sh
# Build the browser tests' guest programs (nasm). The built images are committed, so only people
# changing the sources need nasm.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
nasm -f bin -o "$here/mousetest.bin" "$here/mousetest.asm"
echo "built $here/mousetest.bin"
