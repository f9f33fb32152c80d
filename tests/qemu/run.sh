#!/bin/sh
# Run test images in QEMU, one at a time, from the repository root (the tests open
# tests/vectors/... through semihosting, relative to QEMU's working directory).
# Usage: QEMU="qemu-system-arm <flags>" tests/qemu/run.sh <machine> [--selftest selftest.elf] image.elf...
# Each image's exit code is its verdict; its output goes to image.log. The
# self-test image (tests/qemu/selftest.c) must fail exactly 2 tests, skip 1 and
# pass 2: that shows failures reach the exit code on this machine.
set -u
machine=$1
shift
: "${QEMU:=qemu-system-arm -nographic -monitor none -serial none -semihosting-config enable=on,target=native}"
: "${QEMU_TIMEOUT:=600}"
if [ "${1:-}" = --selftest ]; then
  log=${2%.elf}.log
  timeout 60 $QEMU -M "$machine" -kernel "$2" >"$log" 2>&1
  rc=$?
  if [ "$rc" -ne 2 ] || ! grep -q '^qemu-test: runner self-test: 2 passed, 2 failed, 1 skipped$' "$log"; then
    echo "qemu $machine: the runner self-test exited $rc (want 2); $log:"
    cat "$log"
    exit 1
  fi
  shift 2
fi
failed=0 passed_tests=0 images=0
start=$(date +%s.%N)
for elf in "$@"; do
  log=${elf%.elf}.log
  name=$(basename "$elf" .elf)
  t0=$(date +%s.%N)
  timeout "$QEMU_TIMEOUT" $QEMU -M "$machine" -kernel "$elf" >"$log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  n=$(grep -c '^\[       OK \]' "$log")
  passed_tests=$((passed_tests + n))
  images=$((images + 1))
  if [ "$rc" -eq 0 ]; then
    printf 'qemu %s: %-22s %4d tests passed  %5.1f s\n' "$machine" "$name" "$n" "$(awk "BEGIN { print $t1 - $t0 }")"
  else
    failed=$((failed + 1))
    case $rc in
      124) why="timed out after $QEMU_TIMEOUT s";;
      125) why="HardFault";;
      *) why="exit code $rc";;
    esac
    echo "qemu $machine: $name FAILED ($why); the end of $log:"
    tail -30 "$log"
  fi
done
total=$(awk "BEGIN { print $(date +%s.%N) - $start }")
if [ "$failed" -ne 0 ]; then
  echo "test-qemu: $machine: FAIL: $failed of $images images failed"
  exit 1
fi
printf 'test-qemu: %s: OK: %d images, %d tests passed on the emulated CPU in %.1f s\n' "$machine" "$images" "$passed_tests" "$total"
