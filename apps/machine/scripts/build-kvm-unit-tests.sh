#!/bin/bash
# Build kvm-unit-tests' i386 flat kernels (multiboot ELF images) from their sources and copy the
# ones the PC board runs into test/suites/kvm-unit-tests/images (stripped; the images are committed
# because CI cannot build them). With --qemu, also record what QEMU (TCG) prints for each into
# test/suites/kvm-unit-tests/qemu/NAME.txt and its exit status into qemu/status.txt.
#
#   scripts/build-kvm-unit-tests.sh [--qemu] [SOURCE_DIR]
#
# SOURCE_DIR is a kvm-unit-tests checkout (default: a fresh clone of the upstream repository in a
# temporary directory). Needs gcc with -m32 support, GNU make and binutils; --qemu needs
# qemu-system-i386. The sources are built, never copied into this repository.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/test/suites/kvm-unit-tests"
# every i386 test that runs on a one-processor PC under TCG (no KVM, Hyper-V or HPET needed)
TESTS="realmode sieve taskswitch taskswitch2 cmpxchg8b setjmp tsc emulator eventinj msr umip smptest tsc_adjust"

qemu=0
if [ "${1:-}" = "--qemu" ]; then
  qemu=1
  shift
fi
src="${1:-}"
if [ -z "$src" ]; then
  src=$(mktemp -d)/kvm-unit-tests
  git clone --depth 1 https://gitlab.com/kvm-unit-tests/kvm-unit-tests.git "$src"
fi
build=$(mktemp -d)
(cd "$build" && "$src/configure" --arch=i386 >/dev/null && make -j2 >/dev/null)

mkdir -p "$out/images"
for t in $TESTS; do
  objcopy --strip-all "$build/x86/$t.flat" "$out/images/$t.flat"
done
commit=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unknown)
echo "kvm-unit-tests $commit, ./configure --arch=i386, $(gcc --version | head -1)" >"$out/images/SOURCE"

if [ "$qemu" = 1 ]; then
  mkdir -p "$out/qemu"
  : >"$out/qemu/status.txt"
  for t in $TESTS; do
    # the command line of kvm-unit-tests' x86/run, with TCG instead of KVM
    set +e
    timeout 300 qemu-system-i386 --no-reboot -nodefaults -device pc-testdev \
      -device isa-debug-exit,iobase=0xf4,iosize=0x4 -display none -serial stdio \
      -device pci-testdev -machine accel=tcg -kernel "$out/images/$t.flat" \
      </dev/null >"$out/qemu/$t.txt" 2>&1
    status=$?
    set -e
    echo "$t $status" >>"$out/qemu/status.txt"
  done
  # the tests that go beyond a Pentium Pro, again as QEMU runs them on a P6-class model (their
  # reference in the test table): qemu/NAME.pentium2.txt, status in qemu/status-pentium2.txt
  : >"$out/qemu/status-pentium2.txt"
  for t in emulator msr; do
    set +e
    timeout 300 qemu-system-i386 --no-reboot -nodefaults -device pc-testdev \
      -device isa-debug-exit,iobase=0xf4,iosize=0x4 -display none -serial stdio \
      -device pci-testdev -machine accel=tcg -cpu pentium2 -kernel "$out/images/$t.flat" \
      </dev/null >"$out/qemu/$t.pentium2.txt" 2>&1
    status=$?
    set -e
    echo "$t $status" >>"$out/qemu/status-pentium2.txt"
  done
fi
rm -rf "$build"
echo "built $(echo $TESTS | wc -w) images into $out/images (from $commit)"
