#!/bin/sh
# tests/vm/selftest-hang.sh - harness check: a guest test that hangs is stopped at
# its timeout with a message saying so. check.sh passes it only if run.sh exits
# 124 and prints "TIMEOUT: ... the test ran ...".
# vm-expect: timeout
# vm-udev: no
# vm-usb: no
# vm-timeout: 25
echo "hanging on purpose"
sleep 3600
