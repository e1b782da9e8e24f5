// SPDX-License-Identifier: GPL-2.0
/*
 * Two policies side by side, and the switch between them (slots.h).
 *
 * Why the switch is atomic.  Every program reads dlp_slot once, before any
 * other policy map, and looks up only entries of that slot (bpf/slot.h), so
 * a decision sees one slot whole.  dlp_slot is one aligned __u32 in an array
 * map, which the kernel updates with a single store.  What is left is a
 * program that read the old slot just before the switch and looks up its
 * entries just after: dlpd must not change that slot until such a program
 * has finished.  The programs are non-sleepable LSM and cgroup programs,
 * which run inside an RCU read-side critical section, so one grace period
 * after the switch none of them is left; dlp_rcu_fence() waits for one.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include <dlpguard/abi.h>
#include <dlpguard/label.h>
#include <dlpguard/media.h>
#include <dlpguard/rule.h>

#include "slots.h"

/**
 * dlp_slot_active() - the policy slot in force
 * @fds:      the maps (dlp_slot)
 * @ret_slot: 0 or 1
 *
 * Return: 0, or -errno from the kernel; -EINVAL if dlp_slot holds neither.
 */
int dlp_slot_active(const struct dlp_loader_fds *fds, __u32 *ret_slot)
{
	__u32 zero = 0, slot;

	if (bpf_map_lookup_elem(fds->slot, &zero, &slot))
		return -errno;
	if (slot >= DLP_SLOTS)
		return -EINVAL;
	*ret_slot = slot;
	return 0;
}

/*
 * Delete every key of @fd whose slot field (at @off, @width bytes) is
 * @slot.  The keys are gathered first and deleted after: deleting while
 * walking a hash map would restart the walk.
 */
static int clear_keys(int fd, size_t key_size, size_t off, size_t width, __u32 slot)
{
	unsigned char *keys = NULL, *grown, cur[64], next[64];
	size_t n = 0, cap = 0, i;
	void *prev = NULL;
	__u32 s;
	int err = 0;

	if (key_size > sizeof(cur))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		s = 0;
		memcpy(&s, next + off, width); /* little-endian: a __u8 is the low byte */
		if (s == slot) {
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				grown = realloc(keys, cap * key_size);
				if (!grown) {
					free(keys);
					return -ENOMEM;
				}
				keys = grown;
			}
			memcpy(keys + n++ * key_size, next, key_size);
		}
		memcpy(cur, next, key_size);
		prev = cur;
	}
	if (errno != ENOENT)
		err = -errno;
	for (i = 0; i < n && !err; i++)
		if (bpf_map_delete_elem(fd, keys + i * key_size) && errno != ENOENT)
			err = -errno;
	free(keys);
	return err;
}

/**
 * dlp_slot_clear() - remove a slot's policy from the maps
 * @fds:  the maps
 * @slot: a slot not in force, and not read since the last dlp_rcu_fence()
 *
 * Its config and label config are zeroed (no policy, no labels), and its
 * entries of dlp_label_inodes, dlp_media and dlp_zones deleted.  The rule
 * and prefix arrays keep their bytes: only a config points into them.
 *
 * Return: 0; -EBUSY if @slot is the one in force; -EINVAL if out of range;
 * -errno from the kernel (what was deleted stays deleted).
 */
int dlp_slot_clear(const struct dlp_loader_fds *fds, __u32 slot)
{
	struct dlp_label_conf lconf = { 0 };
	struct dlp_config cfg = { 0 };
	__u32 active = DLP_SLOTS;
	int err;

	if (slot >= DLP_SLOTS)
		return -EINVAL;
	err = dlp_slot_active(fds, &active);
	if (err)
		return err;
	if (active == slot)
		return -EBUSY;
	if (bpf_map_update_elem(fds->config, &slot, &cfg, BPF_ANY) ||
	    bpf_map_update_elem(fds->labels.conf, &slot, &lconf, BPF_ANY))
		return -errno;
	err = clear_keys(fds->labels.inodes, sizeof(struct dlp_label_key),
			 offsetof(struct dlp_label_key, slot), sizeof(__u32), slot);
	if (!err)
		err = clear_keys(fds->media, sizeof(struct dlp_media_key),
				 offsetof(struct dlp_media_key, slot), sizeof(__u32), slot);
	if (!err)
		err = clear_keys(fds->zones, sizeof(struct dlp_zone_key),
				 offsetof(struct dlp_zone_key, slot), sizeof(__u8), slot);
	return err;
}

/**
 * dlp_rcu_fence() - wait until no BPF program that started before is running
 *
 * Updating a map-in-map from user space makes the kernel wait for an RCU
 * grace period before the syscall returns (maybe_wait_bpf_programs() in
 * kernel/bpf/syscall.c, since 4.20), so that user space knows no program
 * still holds the old inner map.  A throwaway ARRAY_OF_MAPS gives that
 * wait.  It covers non-sleepable programs, which are all that read the
 * policy maps (bpf/xattr.bpf.c, the one sleepable program, reads none).
 *
 * Return: 0, or -errno from the kernel.
 */
int dlp_rcu_fence(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int inner, outer, err = 0;
	__u32 zero = 0;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "dlp_fence_in", sizeof(__u32), sizeof(__u32), 1,
			       NULL);
	if (inner < 0)
		return -errno;
	opts.inner_map_fd = inner;
	outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "dlp_fence", sizeof(__u32),
			       sizeof(__u32), 1, &opts);
	if (outer < 0)
		err = -errno;
	else if (bpf_map_update_elem(outer, &zero, &inner, BPF_ANY))
		err = -errno;
	if (outer >= 0)
		close(outer);
	close(inner);
	return err;
}

/**
 * dlp_slot_switch() - put a filled slot in force
 * @fds:  the maps
 * @slot: a slot whose config, rules, zones, labels and media are written
 *
 * One write of dlp_slot, then dlp_rcu_fence(): when this returns, every
 * decision being made or to be made uses @slot, and the slot left may be
 * cleared.
 *
 * Return: 0; -EINVAL if out of range, or if @slot holds no policy of this
 * ABI (nothing switched); -errno from the kernel.  A failed fence after a
 * switch made is reported as its error: the caller must not clear the old
 * slot then.
 */
int dlp_slot_switch(const struct dlp_loader_fds *fds, __u32 slot)
{
	struct dlp_config cfg;
	__u32 zero = 0;

	if (slot >= DLP_SLOTS)
		return -EINVAL;
	if (bpf_map_lookup_elem(fds->config, &slot, &cfg))
		return -errno;
	if (cfg.abi_version != DLP_ABI_VERSION)
		return -EINVAL;
	if (bpf_map_update_elem(fds->slot, &zero, &slot, BPF_ANY))
		return -errno;
	return dlp_rcu_fence();
}
