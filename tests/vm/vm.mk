# SPDX-License-Identifier: GPL-2.0
#
# The VM test bed (docs/testing.md), included by the top Makefile.
#
# Targets
#   vm-test      run one guest test in a VM:
#                  make vm-test TEST=tests/vm/smoke.sh [KERNEL=6.1|6.12] [TIMEOUT=seconds]
#                the exit status is the guest test's (124: timeout, 125: guest crash)
#                (both build all and tests first, so test binaries the VM brings are fresh)
#   vm-check     every tests/vm/*.sh on both kernels; last line "N passed, N failed[, N skipped]"
#   vm-kernels   fetch and cache both kernels now (nothing is downloaded when cached)
#   vm-headers   fetch KERNEL's headers; print the KDIR to build the module with:
#                  make kmod KDIR=$$(make -s vm-headers KERNEL=6.12)
#   vm-refresh   look for newer kernel packages; fetch those that changed
#   vm-clean-cache  remove the kernel cache ($(VM_CACHE)); make clean keeps it
#
# Variables
#   KERNEL       6.1 (Debian 12, default) or 6.12 (Debian 13)
#   TEST         the test to run (vm-test)
#   TIMEOUT      seconds before the VM is stopped (default: the test's "# vm-timeout:", else 120)
#   VM_KERNELS   kernels vm-check runs on (default "6.1 6.12")
#   VM_JOBS      VMs vm-check runs at a time (default: CPUs, at most 2)
#   DLPVM_CACHE  (environment) where kernels are cached (default .cache/vm)

KERNEL		?= 6.1
TEST		?=
TIMEOUT		?=
VM_KERNELS	?= 6.1 6.12
VM_JOBS		?=
VM_CACHE	:= $(or $(DLPVM_CACHE),.cache/vm)
VM_ENV		:= BUILD=$(BUILD)

.PHONY: vm-test vm-check vm-kernels vm-headers vm-refresh vm-clean-cache

vm-test: all tests
ifeq ($(TEST),)
	$(error vm-test: say which test, e.g. make vm-test TEST=tests/vm/smoke.sh KERNEL=6.1)
endif
	$(Q)$(VM_ENV) bash scripts/vm/run.sh -k $(KERNEL) $(if $(TIMEOUT),-t $(TIMEOUT)) $(TEST)

vm-check: all tests
	$(Q)$(VM_ENV) bash scripts/vm/check.sh -k "$(VM_KERNELS)" $(if $(VM_JOBS),-j $(VM_JOBS))

vm-kernels:
	$(Q)for k in $(VM_KERNELS); do \
		$(VM_ENV) bash scripts/vm/kernel.sh image $$k >/dev/null && \
		echo "vm: kernel $$k: $$($(VM_ENV) bash scripts/vm/kernel.sh release $$k)" || exit 1; \
	done

vm-headers:
	$(Q)$(VM_ENV) bash scripts/vm/kernel.sh headers $(KERNEL)

vm-refresh:
	$(Q)$(VM_ENV) bash scripts/vm/kernel.sh refresh

vm-clean-cache:
	rm -rf $(VM_CACHE)
