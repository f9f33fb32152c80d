#!/bin/sh
# The firmware images of boards/mps2-an386 in QEMU (make test-board builds them):
#  1. the sensor against mosquitto, reset through QEMU's monitor mid-run (sensor.py);
#  2. the modem's runner on a terminal and on a pipe as stdin/stdout (stdio.py);
#  3. the modem: the AT transcript tests and the C host driver of tests/at/run.py, unchanged,
#     with the firmware's runner as their command (AT_BIN=boards/mps2-an386/run.py).
# Environment: BOARD (build/board), AT_DRIVER (build/at_host_driver).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BOARD=${BOARD:-$root/build/board}
export BOARD
rc=0
/usr/bin/python3 "$here/sensor.py" || rc=1
/usr/bin/python3 "$here/stdio.py" || rc=1
echo "test-board: the modem firmware under tests/at/run.py"
BOARD_IMAGE=$BOARD/modem.elf AT_BIN=$root/boards/mps2-an386/run.py \
  AT_DRIVER=${AT_DRIVER:-$root/build/at_host_driver} /usr/bin/python3 "$root/tests/at/run.py" || rc=1
[ $rc = 0 ] && echo "test-board: PASS" || echo "test-board: FAIL"
exit $rc
