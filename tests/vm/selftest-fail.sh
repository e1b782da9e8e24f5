#!/bin/sh
# tests/vm/selftest-fail.sh - harness check: a guest test that fails makes the
# run fail. It exits 1; check.sh passes it only if run.sh exits 1 too.
# vm-expect: exit 1
# vm-udev: no
# vm-usb: no
# vm-timeout: 60
echo "failing on purpose"
exit 1
