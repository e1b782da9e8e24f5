// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/slots.c with the BPF map calls answered by the
 * test (-Wl,--wrap, WRAP_test_slots_mock in the Makefile): every kernel
 * failure is reported and never taken for success, nothing is switched to
 * a slot without a policy of this ABI, and a fence that fails after the
 * switch is reported although the switch was made.  tests/bpf/test_slots.c
 * runs the same code on real maps.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>

#include <dlpguard/label.h>
#include <dlpguard/media.h>
#include <dlpguard/rule.h>

#include "slots.h"

/* The maps, by fd. */
enum { FD_SLOT = 100, FD_CONFIG, FD_INODES, FD_MEDIA, FD_ZONES, FD_LCONF, FD_INNER, FD_OUTER };

static __u32 slot_value;
static struct dlp_config configs[DLP_SLOTS];
static struct dlp_label_conf lconfs[DLP_SLOTS];
static struct dlp_media_key media[8];
static unsigned int nmedia;
static unsigned int deleted;

/* What fails: the call (by name) and on which call of it (1: the first). */
static const char *fail_call;
static int fail_nth, fail_errno, calls;
static bool fence_updated;

static bool failing(const char *name)
{
	if (!fail_call || strcmp(fail_call, name))
		return false;
	if (++calls != fail_nth)
		return false;
	errno = fail_errno;
	return true;
}

int __wrap_bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	__u32 k = *(const __u32 *)key;

	if (failing("lookup"))
		return -1;
	if (fd == FD_SLOT) {
		memcpy(value, &slot_value, sizeof(slot_value));
		return 0;
	}
	if (fd == FD_CONFIG && k < DLP_SLOTS) {
		memcpy(value, &configs[k], sizeof(configs[k]));
		return 0;
	}
	errno = ENOENT;
	return -1;
}

int __wrap_bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	__u32 k = *(const __u32 *)key;

	(void)flags;
	if (failing("update"))
		return -1;
	switch (fd) {
	case FD_SLOT:
		memcpy(&slot_value, value, sizeof(slot_value));
		return 0;
	case FD_CONFIG:
		memcpy(&configs[k], value, sizeof(configs[k]));
		return 0;
	case FD_LCONF:
		memcpy(&lconfs[k], value, sizeof(lconfs[k]));
		return 0;
	case FD_OUTER:
		fence_updated = true;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

/* dlp_media holds media[]; the label and zone maps are empty. */
int __wrap_bpf_map_get_next_key(int fd, const void *key, void *next)
{
	unsigned int i = 0;

	if (failing("next"))
		return -1;
	if (fd == FD_MEDIA && nmedia) {
		if (key) {
			for (i = 0; i < nmedia; i++)
				if (!memcmp(&media[i], key, sizeof(media[i])))
					break;
			i++;
		}
		if (i < nmedia) {
			memcpy(next, &media[i], sizeof(media[i]));
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

int __wrap_bpf_map_delete_elem(int fd, const void *key)
{
	unsigned int i;

	if (failing("delete"))
		return -1;
	for (i = 0; fd == FD_MEDIA && i < nmedia; i++)
		if (!memcmp(&media[i], key, sizeof(media[i]))) {
			memmove(&media[i], &media[i + 1], (nmedia - i - 1) * sizeof(media[0]));
			nmedia--;
			deleted++;
			return 0;
		}
	errno = ENOENT;
	return -1;
}

int __wrap_bpf_map_create(enum bpf_map_type type, const char *name, __u32 key_size,
			  __u32 value_size, __u32 max_entries, const struct bpf_map_create_opts *opts)
{
	(void)name;
	(void)key_size;
	(void)value_size;
	(void)max_entries;
	if (failing("create"))
		return -1;
	if (type == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
		assert_non_null(opts);
		assert_int_equal(opts->inner_map_fd, FD_INNER);
		return FD_OUTER; /* slots.c closes it: no such fd here, close() says EBADF */
	}
	return FD_INNER;
}

static const struct dlp_loader_fds fds = {
	.slot = FD_SLOT,
	.config = FD_CONFIG,
	.zones = FD_ZONES,
	.media = FD_MEDIA,
	.labels = { .inodes = FD_INODES, .conf = FD_LCONF },
};

static int reset(void **state)
{
	(void)state;
	slot_value = 0;
	memset(configs, 0, sizeof(configs));
	memset(lconfs, 0xee, sizeof(lconfs));
	nmedia = deleted = 0;
	fail_call = NULL;
	fail_nth = calls = 0;
	fence_updated = false;
	return 0;
}

static void fail_at(const char *call, int nth, int err)
{
	fail_call = call;
	fail_nth = nth;
	fail_errno = err;
	calls = 0;
}

static void test_active(void **state)
{
	__u32 s = 7;

	(void)state;
	slot_value = 1;
	assert_int_equal(dlp_slot_active(&fds, &s), 0);
	assert_int_equal(s, 1);
	slot_value = 2;
	assert_int_equal(dlp_slot_active(&fds, &s), -EINVAL);
	fail_at("lookup", 1, EPERM);
	assert_int_equal(dlp_slot_active(&fds, &s), -EPERM);
}

static void add_media(__u32 dev, __u32 slot)
{
	media[nmedia++] = (struct dlp_media_key){ .dev = dev, .slot = slot };
}

static void test_clear(void **state)
{
	(void)state;
	add_media(1, 0);
	add_media(2, 1);
	add_media(3, 1);
	add_media(4, 0);
	configs[1].abi_version = DLP_ABI_VERSION;

	assert_int_equal(dlp_slot_clear(&fds, 0), -EBUSY); /* in force */
	assert_int_equal(dlp_slot_clear(&fds, 2), -EINVAL);
	assert_int_equal(nmedia, 4);

	/* slot 1's entries go, slot 0's stay; its configs are zeroed */
	assert_int_equal(dlp_slot_clear(&fds, 1), 0);
	assert_int_equal(nmedia, 2);
	assert_int_equal(media[0].slot, 0);
	assert_int_equal(media[1].slot, 0);
	assert_int_equal(configs[1].abi_version, 0);
	assert_int_equal(lconfs[1].version, 0);
	assert_int_equal(lconfs[0].version, 0xeeeeeeee);

	/* every kernel failure is reported */
	add_media(5, 1);
	fail_at("delete", 1, EIO);
	assert_int_equal(dlp_slot_clear(&fds, 1), -EIO);
	fail_at("next", 2, EFAULT);
	assert_int_equal(dlp_slot_clear(&fds, 1), -EFAULT);
	fail_at("update", 1, EPERM);
	assert_int_equal(dlp_slot_clear(&fds, 1), -EPERM);
	fail_at("lookup", 1, EBADF);
	assert_int_equal(dlp_slot_clear(&fds, 1), -EBADF);
	fail_at(NULL, 0, 0);
	assert_int_equal(dlp_slot_clear(&fds, 1), 0);
	assert_int_equal(nmedia, 2);
}

static void test_switch(void **state)
{
	(void)state;
	/* no policy of this ABI there: refused, dlp_slot untouched */
	configs[1].abi_version = DLP_ABI_VERSION - 1;
	assert_int_equal(dlp_slot_switch(&fds, 1), -EINVAL);
	assert_int_equal(slot_value, 0);
	assert_false(fence_updated);
	assert_int_equal(dlp_slot_switch(&fds, 2), -EINVAL);

	configs[1].abi_version = DLP_ABI_VERSION;
	fail_at("lookup", 1, EIO);
	assert_int_equal(dlp_slot_switch(&fds, 1), -EIO);
	fail_at("update", 1, EPERM); /* the write of dlp_slot */
	assert_int_equal(dlp_slot_switch(&fds, 1), -EPERM);
	assert_int_equal(slot_value, 0);

	fail_at(NULL, 0, 0);
	assert_int_equal(dlp_slot_switch(&fds, 1), 0);
	assert_int_equal(slot_value, 1);
	assert_true(fence_updated);

	/* the fence fails after the switch: said, though the switch was made */
	configs[0].abi_version = DLP_ABI_VERSION;
	fail_at("create", 1, EPERM);
	assert_int_equal(dlp_slot_switch(&fds, 0), -EPERM);
	assert_int_equal(slot_value, 0);
}

static void test_fence(void **state)
{
	(void)state;
	assert_int_equal(dlp_rcu_fence(), 0);
	assert_true(fence_updated);
	fence_updated = false;
	fail_at("create", 1, ENOMEM);
	assert_int_equal(dlp_rcu_fence(), -ENOMEM);
	fail_at("create", 2, EPERM); /* the outer map */
	assert_int_equal(dlp_rcu_fence(), -EPERM);
	fail_at("update", 1, EBUSY);
	assert_int_equal(dlp_rcu_fence(), -EBUSY);
	assert_false(fence_updated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_active, reset),
		cmocka_unit_test_setup(test_clear, reset),
		cmocka_unit_test_setup(test_switch, reset),
		cmocka_unit_test_setup(test_fence, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
