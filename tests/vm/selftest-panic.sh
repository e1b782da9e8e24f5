#!/bin/sh
# tests/vm/selftest-panic.sh - harness check: a guest kernel panic fails the run
# at once with a message saying so. check.sh passes it only if run.sh exits 125
# and prints "PANIC: ...".
# vm-expect: panic
# vm-udev: no
# vm-usb: no
# vm-timeout: 60
echo "crashing the kernel on purpose"
echo c >/proc/sysrq-trigger
sleep 60
