# SPDX-License-Identifier: GPL-2.0
#
# dlpguard build.
#
# Targets
#   all (default)  dependency check, build/libdlpguard.a, build/dlpd, build/dlpctl,
#                  BPF objects + skeletons, kernel module when sources and headers exist
#   check          build everything (also unit tests, sanitizer tests, host BPF tests, fuzzers),
#                  then run tests/run.sh: unit, asan, bpf, policy, man, fuzz, and the VM tests on
#                  Debian's 6.1 and 6.12 kernels; its last line is "N passed, N failed[, N skipped]"
#   vm-test, vm-check, vm-kernels, vm-headers   the VM test bed: see tests/vm/vm.mk
#   tests          build unit tests, sanitizer unit tests, host BPF tests and fuzz targets,
#                  run nothing
#   fuzz           run every fuzz target for FUZZ_TIME seconds (default 60)
#   demo           dlpguard.ko and dlpd in a VM with policy/default.policy and two USB sticks:
#                  an employee's attempts and the decisions they got (DEMO_KERNEL=6.1|6.12,
#                  default 6.12)
#   install        dlpd, dlpctl to $(DESTDIR)$(PREFIX)/sbin, policy/ to $(DESTDIR)/etc/dlpguard/policy/,
#                  docs/man/*.5 and *.8 to $(DESTDIR)$(PREFIX)/share/man/man5 and man8,
#                  scripts/dlpd.service to $(DESTDIR)$(SYSTEMDUNITDIR) (/etc/systemd/system)
#   kmod           the kernel module only (skipped, with one line saying why, if it can't be built)
#   kmod-vm        the module for each VM kernel, $(BUILD)/kmod/K/dlpguard.ko (part of `tests`)
#   checkpatch     the kernel's checkpatch.pl --strict (Debian's linux-source-6.12, fetched once
#                  into .cache/checkpatch/) on kmod/*.[ch] and include/dlpguard/kmod.h
#   dkms-install   install dlpguard.ko through DKMS on this machine (root): scripts/dkms-install.sh
#   deps           run scripts/install-deps.sh (also run automatically when something is missing)
#   clean          remove build/ and kbuild's output
#
# Variables (override on the command line)
#   V=1            show full commands
#   CC             user-space compiler (gcc); CLANG, LLVM_STRIP, BPFTOOL, PKG_CONFIG: the tools
#   CFLAGS         optimisation/debug flags for user space (default -O2 -g); warnings are fixed
#   KDIR           kernel build tree (default /lib/modules/$(uname -r)/build)
#   VMLINUX_BTF    BTF source for build/bpf/vmlinux.h (default /sys/kernel/btf/vmlinux)
#   PREFIX, DESTDIR, SYSCONFDIR   install locations (/usr/local, empty, /etc)
#   FUZZ_TIME      seconds per target for `make fuzz`
#
# Where files go (everything is found by wildcard; nothing to register)
#   user/lib/*.c          -> build/libdlpguard.a (headers beside them; -I include -I user/lib)
#   user/dlpd/*.c         -> build/dlpd      (links libdlpguard.a and $(USER_LIBS))
#   user/dlpctl/*.c       -> build/dlpctl    (same)
#   bpf/X.bpf.c           -> build/bpf/X.bpf.o (DWARF stripped, BTF kept; unstripped copy in
#                            build/bpf/debug/) -> build/skel/X.skel.h, struct X_bpf.
#                            User code does #include "X.skel.h"; BPF code #include "vmlinux.h".
#   bpf/*.h               shared by BPF programs (-I bpf), e.g. bpf/zone.h: zone map and lookup
#   tests/unit/test_X.c   -> build/tests/test_X and build/asan/tests/test_X (cmocka; one main()
#                            per file; links libdlpguard.a, $(USER_LIBS) and cmocka)
#   tests/bpf/progs/X.bpf.c -> build/tests/bpf/progs/X.bpf.o, by the same rules as bpf/ (debug/
#                            copy too) -> build/tests/bpf/skel/X.skel.h, seen by tests/bpf/ only
#   tests/bpf/test_X.c    -> build/tests/bpf/test_X (cmocka; links libdlpguard.a, $(USER_LIBS) and
#                            cmocka; no sanitizer twin). See "Host BPF tests" below.
#   tests/fuzz/fuzz_X.c   -> build/fuzz/fuzz_X (libFuzzer, clang); seeds in tests/fuzz/corpus/X/
#   kmod/*.c              -> dlpguard.ko through Kbuild (objects listed there by hand)
#
# Link-time wraps for a test (cmocka mocks of external calls)
#   WRAP_test_X := open read     links build/tests/test_X and its asan twin (or a host BPF
#                                test, build/tests/bpf/test_X) with
#                                -Wl,--wrap=open -Wl,--wrap=read, so that calls to open()
#                                from libdlpguard.a reach __wrap_open() in test_X.c, which
#                                can call __real_open(). Same for WRAP_fuzz_X. Put them in the
#                                "Per-test wraps" section below. Only calls between object
#                                files are wrapped, never calls inside one .c file.
#   Tests and fuzzers are built without -Wmissing-prototypes, so __wrap_* functions need
#   no separate declaration.
#
# Host BPF tests (tests/bpf/, suite "bpf" of tests/run.sh; docs/testing.md)
#   A test program in tests/bpf/progs/ includes the shared code under test from bpf/ (say
#   bpf/zone.h), in a program type this host's kernel loads: tc (SEC("tc")), socket filter,
#   cgroup sock_addr; not lsm/ or fentry/, which run in the VM tests. test_X.c loads its
#   skeleton, fills the maps through libdlpguard.a as dlpd will, runs the program on input it
#   builds with bpf_prog_test_run_opts() (BPF_PROG_TEST_RUN; nothing is ever attached) and
#   reads the results and a run counter from skel->bss. Needs root. When the kernel refuses
#   the load (EPERM: not root, lockdown; ENOSYS: no bpf()), test_X prints "SKIP: <reason>"
#   and exits 77, which tests/run.sh counts as skipped; any other failure is a failure.

# ---------------------------------------------------------------------------
# Tools and flags
# ---------------------------------------------------------------------------

ifeq ($(origin CC),default)
CC := gcc
endif
CLANG		?= clang
LLVM_STRIP	?= llvm-strip
# Debian installs bpftool in /usr/sbin, which is not in every user's PATH.
ifeq ($(origin BPFTOOL),undefined)
BPFTOOL		:= $(firstword $(shell command -v bpftool 2>/dev/null) /usr/sbin/bpftool)
endif
PKG_CONFIG	?= pkg-config

BUILD		:= build
PREFIX		?= /usr/local
SYSCONFDIR	?= /etc
SYSTEMDUNITDIR	?= /etc/systemd/system
DESTDIR		?=
KDIR		?= /lib/modules/$(shell uname -r)/build
VMLINUX_BTF	?= /sys/kernel/btf/vmlinux
FUZZ_TIME	?= 60

# pkg-config names of the libraries dlpd, dlpctl, tests and fuzzers link with.
# Add a library here (e.g. libbpf libelf libudev) and every link picks it up.
USER_LIBS	:= libcrypto libbpf libudev libsystemd

CFLAGS		?= -O2 -g
WARNINGS	:= -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
		   -Wmissing-prototypes
INCLUDES	:= -I include -I user/lib -I $(BUILD)/skel

# ---------------------------------------------------------------------------
# Quiet output: "  CC      build/obj/user/lib/x.o"; V=1 shows the commands, -s shows nothing
# ---------------------------------------------------------------------------

ifeq ($(V),1)
Q	:=
msg	=
else ifneq ($(findstring s,$(filter-out --%,$(firstword -$(MAKEFLAGS)))),)
Q	:= @
msg	=
else
Q	:= @
msg	= @printf '  %-7s %s\n' '$(1)' '$(2)'
endif

# ---------------------------------------------------------------------------
# Build dependencies: install them once, before building, if any is missing
# ---------------------------------------------------------------------------
# scripts/install-deps.sh is the one list of Debian packages; its --check asks
# dpkg (about 0.1 s) and runs on every invocation that builds.

ifneq ($(filter-out clean deps help,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell bash scripts/install-deps.sh --check >/dev/null 2>&1 && echo ok),ok)
$(info Build dependencies are missing: running scripts/install-deps.sh)
ifneq ($(shell bash scripts/install-deps.sh >&2 </dev/null; echo $$?),0)
$(error scripts/install-deps.sh failed; see above)
endif
endif
endif

USER_PKG_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(USER_LIBS) 2>/dev/null)
USER_PKG_LIBS	:= $(shell $(PKG_CONFIG) --libs $(USER_LIBS) 2>/dev/null)
TEST_PKG_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
TEST_PKG_LIBS	:= $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

USER_CFLAGS	:= -std=gnu11 $(WARNINGS) -D_GNU_SOURCE $(CFLAGS) -MMD -MP $(INCLUDES) \
		   $(USER_PKG_CFLAGS)

# Test sources (tests/...) also get cmocka's flags; __wrap_* need no prototypes. Host BPF
# tests (tests/bpf/) also see their own skeletons.
test_cflags	= $(if $(filter tests/%,$<),-Wno-missing-prototypes $(TEST_PKG_CFLAGS)) \
		  $(if $(filter tests/bpf/%,$<),-I $(BPF_TEST_SKEL_DIR))
TEST_LDLIBS	:= $(USER_PKG_LIBS) $(TEST_PKG_LIBS)

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (gcc).
ASAN_FLAGS	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all

# libFuzzer targets (clang). The library is instrumented with fuzzer-no-link; the
# fuzz_*.c file, which holds LLVMFuzzerTestOneInput, and the link use fuzzer.
FUZZ_SAN	:= address,undefined
FUZZ_CFLAGS	:= -std=gnu11 $(WARNINGS) -Wno-missing-prototypes -D_GNU_SOURCE -O1 -g \
		   -fno-omit-frame-pointer -fno-sanitize-recover=all \
		   -MMD -MP $(INCLUDES) $(USER_PKG_CFLAGS)

# BPF programs. The -idirafter list lets BPF code include <linux/...> UAPI headers
# through the host's multiarch include directory, as libbpf-bootstrap does.
BPF_CFLAGS	:= -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 \
		   -I $(BUILD)/bpf -I bpf -I include -MMD -MP
CLANG_BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

# ---------------------------------------------------------------------------
# Per-test wraps (see the header of this file)
# ---------------------------------------------------------------------------
# WRAP_test_example := open read
WRAP_test_devices := udev_device_get_devnum udev_device_get_sysname udev_device_get_devnode \
	udev_device_get_devtype udev_device_get_action udev_device_get_sysattr_value \
	udev_device_get_property_value udev_device_get_parent_with_subsystem_devtype \
	udev_device_unref udev_device_new_from_syspath udev_device_get_syspath udev_device_get_udev \
	udev_new udev_unref \
	udev_monitor_new_from_netlink udev_monitor_filter_add_match_subsystem_devtype \
	udev_monitor_enable_receiving udev_monitor_get_fd udev_monitor_receive_device \
	udev_monitor_unref udev_enumerate_new udev_enumerate_add_match_subsystem \
	udev_enumerate_scan_devices udev_enumerate_get_list_entry udev_enumerate_unref \
	udev_list_entry_get_next udev_list_entry_get_name
# user/lib/slots.c against maps kept in the test, each call able to fail
WRAP_test_slots_mock := bpf_map_lookup_elem bpf_map_update_elem bpf_map_get_next_key \
	bpf_map_delete_elem bpf_map_create
# user/lib/kmod_client.c against a /dev/dlpguard the test answers
WRAP_test_kmod_client := open ioctl close

wrap_flags = $(foreach s,$(WRAP_$(1)),-Wl,--wrap=$(s))

# ---------------------------------------------------------------------------
# Sources and outputs
# ---------------------------------------------------------------------------

LIB_SRCS	:= $(wildcard user/lib/*.c)
DLPD_SRCS	:= $(wildcard user/dlpd/*.c)
DLPCTL_SRCS	:= $(wildcard user/dlpctl/*.c)
TEST_SRCS	:= $(wildcard tests/unit/test_*.c)
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_TEST_SRCS	:= $(wildcard tests/bpf/test_*.c)
BPF_TEST_PROG_SRCS := $(wildcard tests/bpf/progs/*.bpf.c)
KMOD_SRCS	:= $(wildcard kmod/*.c)

obj		= $(patsubst %.c,$(BUILD)/$(1)obj/%.o,$(2))

LIB		:= $(BUILD)/libdlpguard.a
LIB_OBJS	:= $(call obj,,$(LIB_SRCS))
DLPD_OBJS	:= $(call obj,,$(DLPD_SRCS))
DLPCTL_OBJS	:= $(call obj,,$(DLPCTL_SRCS))
PROGS		:= $(if $(DLPD_SRCS),$(BUILD)/dlpd) $(if $(DLPCTL_SRCS),$(BUILD)/dlpctl)

TEST_OBJS	:= $(call obj,,$(TEST_SRCS))
TESTS		:= $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))

ASAN_LIB	:= $(BUILD)/asan/libdlpguard.a
ASAN_LIB_OBJS	:= $(call obj,asan/,$(LIB_SRCS))
ASAN_TEST_OBJS	:= $(call obj,asan/,$(TEST_SRCS))
ASAN_TESTS	:= $(patsubst tests/unit/%.c,$(BUILD)/asan/tests/%,$(TEST_SRCS))

FUZZ_LIB	:= $(BUILD)/fuzz/libdlpguard.a
FUZZ_LIB_OBJS	:= $(call obj,fuzz/,$(LIB_SRCS))
FUZZ_OBJS	:= $(call obj,fuzz/,$(FUZZ_SRCS))
FUZZERS		:= $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

VMLINUX_H	:= $(BUILD)/bpf/vmlinux.h
BPF_OBJS	:= $(patsubst bpf/%.c,$(BUILD)/bpf/%.o,$(BPF_SRCS))
BPF_DEBUG_OBJS	:= $(patsubst bpf/%.c,$(BUILD)/bpf/debug/%.o,$(BPF_SRCS))
SKELS		:= $(patsubst bpf/%.bpf.c,$(BUILD)/skel/%.skel.h,$(BPF_SRCS))

BPF_TEST_OBJ_DIR := $(BUILD)/tests/bpf/progs
BPF_TEST_SKEL_DIR := $(BUILD)/tests/bpf/skel
BPF_TEST_PROG_OBJS := $(patsubst tests/bpf/progs/%.c,$(BPF_TEST_OBJ_DIR)/%.o,$(BPF_TEST_PROG_SRCS))
BPF_TEST_DEBUG_OBJS := $(patsubst tests/bpf/progs/%.c,$(BPF_TEST_OBJ_DIR)/debug/%.o,\
		   $(BPF_TEST_PROG_SRCS))
BPF_TEST_SKELS	:= $(patsubst tests/bpf/progs/%.bpf.c,$(BPF_TEST_SKEL_DIR)/%.skel.h,\
		   $(BPF_TEST_PROG_SRCS))
BPF_TEST_OBJS	:= $(call obj,,$(BPF_TEST_SRCS))
BPF_TESTS	:= $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(BPF_TEST_SRCS))

USER_OBJS	:= $(LIB_OBJS) $(DLPD_OBJS) $(DLPCTL_OBJS) $(TEST_OBJS) $(BPF_TEST_OBJS)
SAN_OBJS	:= $(ASAN_LIB_OBJS) $(ASAN_TEST_OBJS) $(FUZZ_LIB_OBJS) $(FUZZ_OBJS)

.PHONY: all check tests fuzz demo install kmod kmod-vm checkpatch dkms-install deps clean help
.DEFAULT_GOAL := all
# A recipe that fails leaves no half-written target behind.
.DELETE_ON_ERROR:

all: $(LIB) $(PROGS) $(BPF_DEBUG_OBJS) $(BPF_OBJS) $(SKELS) kmod

# ---------------------------------------------------------------------------
# User space: library, dlpd, dlpctl
# ---------------------------------------------------------------------------
# Skeletons are order-only prerequisites of every user object, so they exist before
# the first compile; after that -MMD records which object includes which skeleton.

$(USER_OBJS): $(BUILD)/obj/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(test_cflags) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/dlpd: $(DLPD_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(USER_PKG_LIBS) -o $@

$(BUILD)/dlpctl: $(DLPCTL_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(USER_PKG_LIBS) -o $@

# ---------------------------------------------------------------------------
# BPF: vmlinux.h, objects, skeletons
# ---------------------------------------------------------------------------
# vmlinux.h is made only when missing (no prerequisite), so it never forces a rebuild.

$(VMLINUX_H):
	$(call msg,GEN,$@)
	@mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

# $(call bpf_rules,SRC_DIR,OBJ_DIR,SKEL_DIR): SRC_DIR/X.bpf.c -> OBJ_DIR/debug/X.bpf.o
# -> OBJ_DIR/X.bpf.o (DWARF stripped) -> SKEL_DIR/X.skel.h. One instance per tree.
define bpf_rules
$(2)/debug/%.bpf.o: $(1)/%.bpf.c | $$(VMLINUX_H)
	$$(call msg,CLANG,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(CLANG) $$(BPF_CFLAGS) $$(CLANG_BPF_SYS_INCLUDES) -c $$< -o $$@

$(2)/%.bpf.o: $(2)/debug/%.bpf.o
	$$(call msg,STRIP,$$@)
	$$(Q)$$(LLVM_STRIP) -g $$< -o $$@

$(3)/%.skel.h: $(2)/%.bpf.o
	$$(call msg,SKEL,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(BPFTOOL) gen skeleton $$< > $$@.tmp && mv $$@.tmp $$@
endef

$(eval $(call bpf_rules,bpf,$(BUILD)/bpf,$(BUILD)/skel))
$(eval $(call bpf_rules,tests/bpf/progs,$(BPF_TEST_OBJ_DIR),$(BPF_TEST_SKEL_DIR)))

# ---------------------------------------------------------------------------
# Kernel module (Kbuild holds the object list; built with the kernel's own gcc)
# ---------------------------------------------------------------------------

# What kbuild leaves in the source tree; `make clean` removes it even without KDIR.
KBUILD_OUTPUT_FILES := dlpguard.o dlpguard.ko dlpguard.mod dlpguard.mod.c dlpguard.mod.o \
		       .module-common.o modules.order Module.symvers .*.cmd kmod/*.o kmod/.*.cmd

kmod:
ifeq ($(KMOD_SRCS),)
	@echo "  SKIP    kmod: no kmod/*.c sources yet"
else ifeq ($(wildcard $(KDIR)/Makefile),)
	@echo "  SKIP    kmod: no kernel headers for this kernel (no $(KDIR)); set KDIR=<kernel build tree>"
else
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) modules
endif

checkpatch:
	$(Q)bash scripts/checkpatch.sh

dkms-install:
	$(Q)bash scripts/dkms-install.sh

# dlpguard.ko for each VM kernel, for tests/vm/kmod.sh: $(BUILD)/kmod/K/dlpguard.ko, built
# with Debian's headers for K (fetched once into $(VM_CACHE) by scripts/vm/kernel.sh). One
# kernel at a time: kbuild builds in the source tree, whose outputs are removed by hand
# (kbuild's own `clean` with M= would delete every object below the tree, $(BUILD)
# included). Without headers (offline), it says so and the VM test skips.
kmod-vm: $(KMOD_SRCS) Kbuild include/dlpguard/kmod.h
	$(Q)mkdir -p $(BUILD); for k in $(VM_KERNELS); do \
		ko=$(BUILD)/kmod/$$k/dlpguard.ko; \
		[ -f $$ko ] && [ -z "$$(find $^ -newer $$ko)" ] && continue; \
		kdir=$$($(VM_ENV) bash scripts/vm/kernel.sh headers $$k 2>$(BUILD)/kmod-$$k.log | tail -n 1); \
		if [ ! -f "$$kdir/Makefile" ]; then \
			echo "  SKIP    kmod for $$k: no headers (see $(BUILD)/kmod-$$k.log)"; continue; \
		fi; \
		echo "  KMOD    $(BUILD)/kmod/$$k/dlpguard.ko"; \
		rm -f $(KBUILD_OUTPUT_FILES); \
		$(MAKE) -s -C "$$kdir" M=$(CURDIR) modules >>$(BUILD)/kmod-$$k.log 2>&1 && \
		mkdir -p $(BUILD)/kmod/$$k && cp dlpguard.ko $(BUILD)/kmod/$$k/ || \
		{ cat $(BUILD)/kmod-$$k.log; exit 1; }; \
	done; rm -f $(KBUILD_OUTPUT_FILES)

# ---------------------------------------------------------------------------
# Unit tests (cmocka), plain and under ASan+UBSan
# ---------------------------------------------------------------------------

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIB) Makefile
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(call wrap_flags,test_$*) $(filter %.o %.a,$^) $(TEST_LDLIBS) -o $@

$(ASAN_LIB_OBJS) $(ASAN_TEST_OBJS): $(BUILD)/asan/obj/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(ASAN_FLAGS) $(test_cflags) -c $< -o $@

$(ASAN_LIB): $(ASAN_LIB_OBJS)
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/asan/tests/test_%: $(BUILD)/asan/obj/tests/unit/test_%.o $(ASAN_LIB) Makefile
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(ASAN_FLAGS) $(call wrap_flags,test_$*) $(filter %.o %.a,$^) $(TEST_LDLIBS) -o $@

# ---------------------------------------------------------------------------
# Host BPF tests (see the header of this file)
# ---------------------------------------------------------------------------

$(BPF_TEST_OBJS): | $(BPF_TEST_SKELS)

$(BPF_TESTS): $(BUILD)/tests/bpf/%: $(BUILD)/obj/tests/bpf/%.o $(LIB) Makefile
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(call wrap_flags,$*) $(filter %.o %.a,$^) $(TEST_LDLIBS) -o $@

# ---------------------------------------------------------------------------
# Fuzz targets (libFuzzer, clang)
# ---------------------------------------------------------------------------

$(FUZZ_LIB_OBJS): $(BUILD)/fuzz/obj/%.o: %.c | $(SKELS)
	$(call msg,CLANG,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c $< -o $@

$(FUZZ_OBJS): $(BUILD)/fuzz/obj/%.o: %.c | $(SKELS)
	$(call msg,CLANG,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB) Makefile
	$(call msg,LD,$@)
	$(Q)$(CLANG) $(LDFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) $(call wrap_flags,fuzz_$*) $(filter %.o %.a,$^) $(USER_PKG_LIBS) -o $@

# ---------------------------------------------------------------------------
# check, fuzz, demo
# ---------------------------------------------------------------------------

tests: $(TESTS) $(ASAN_TESTS) $(BPF_TEST_DEBUG_OBJS) $(BPF_TEST_PROG_OBJS) $(BPF_TESTS) $(FUZZERS) \
	$(if $(KMOD_SRCS),kmod-vm)

check: all tests
	$(Q)BUILD=$(BUILD) bash tests/run.sh

# Long fuzzing. The corpus grows in build/fuzz/long/X/corpus and is kept from one run
# to the next (`make check` starts from a fresh copy of the seeds every time); copy
# inputs worth keeping into tests/fuzz/corpus/X/ by hand.
fuzz: $(FUZZERS)
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_TIME) FUZZ_RUN_DIR=$(BUILD)/fuzz/long \
		FUZZ_KEEP_CORPUS=1 bash tests/run.sh fuzz

# The demo is a VM test (tests/vm/demo.sh, also run by make check), shown as it runs.
DEMO_KERNEL	?= 6.12
demo: all
	@echo "demo: boots Debian's $(DEMO_KERNEL) kernel in qemu with dlpguard.ko, dlpd,"
	@echo "demo: policy/default.policy, a registered and a personal USB stick; the first"
	@echo "demo: run fetches the kernel and its headers (to build the module)."
	$(if $(KMOD_SRCS),$(Q)$(MAKE) -s kmod-vm VM_KERNELS=$(DEMO_KERNEL))
	$(Q)$(VM_ENV) bash scripts/vm/run.sh -k $(DEMO_KERNEL) tests/vm/demo.sh

# ---------------------------------------------------------------------------
# The VM test bed: vm-test, vm-check, vm-kernels, vm-headers (docs/testing.md)
# ---------------------------------------------------------------------------
include tests/vm/vm.mk

# ---------------------------------------------------------------------------
# install, deps, clean
# ---------------------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(SYSCONFDIR)/dlpguard/policy
	install -m 0755 $(BUILD)/dlpd $(BUILD)/dlpctl $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 $(wildcard policy/*.policy) $(DESTDIR)$(SYSCONFDIR)/dlpguard/policy/
	install -d $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 $(wildcard docs/man/*.5) $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 $(wildcard docs/man/*.8) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|g' scripts/dlpd.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/dlpd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/dlpd.service

deps:
	bash scripts/install-deps.sh

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)
	$(Q)rm -f $(KBUILD_OUTPUT_FILES)

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' Makefile

-include $(USER_OBJS:.o=.d) $(SAN_OBJS:.o=.d) $(BPF_DEBUG_OBJS:.o=.d) $(BPF_TEST_DEBUG_OBJS:.o=.d)
