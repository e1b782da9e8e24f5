/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Switching the kernel from one policy to another while it enforces
 * (DLP_SLOTS, include/dlpguard/abi.h; bpf/slot.h).  The maps hold two
 * policies, slot 0 and slot 1; dlp_slot names the one in force.  To apply a
 * policy:
 *
 *	dlp_slot_active()   the slot in force, s; the other is n = !s
 *	dlp_slot_clear(n)   after dlp_rcu_fence(): nothing reads n any more
 *	fill n              dlp_policy_maps_fill(), dlp_label_map_fill(),
 *	                    dlp_media_map_set() for every device
 *	dlp_slot_switch(n)  one map write, then an RCU grace period: every
 *	                    decision from then on is made with n alone
 *	dlp_slot_clear(s)   the old policy's entries go
 *
 * A failure before dlp_slot_switch() leaves the policy in force as it was
 * (clear n again and give up).  Since slot n is cleared before it is filled,
 * a dlpd killed half-way leaves nothing that the next apply trips over.
 */
#ifndef DLP_SLOTS_H
#define DLP_SLOTS_H

#include <linux/types.h>

#include "loader.h"

int dlp_slot_active(const struct dlp_loader_fds *fds, __u32 *ret_slot);
int dlp_slot_clear(const struct dlp_loader_fds *fds, __u32 slot);
int dlp_slot_switch(const struct dlp_loader_fds *fds, __u32 slot);
int dlp_rcu_fence(void);

#endif /* DLP_SLOTS_H */
