/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lowering: a compiled policy (struct dlp_policy) into what the kernel reads
 * (struct dlp_config and the rule table, include/dlpguard/rule.h), and the
 * same decision in user space, for tests and for explaining a decision.
 */
#ifndef DLP_LOWER_H
#define DLP_LOWER_H

#include <dlpguard/rule.h>

#include "policy.h"

/*
 * How user and group names in rules become ids.  Names are resolved on the
 * terminal when the policy is applied, so a policy checked elsewhere can name
 * accounts that only the terminal has.  Each returns 0 and sets *ret_id, or
 * -ENOENT if the name is unknown.  dlp_resolver_system uses the system's
 * databases (getpwnam_r, getgrnam_r); numeric names never reach it.
 */
struct dlp_resolver {
	int (*user)(const char *name, __u32 *ret_id);
	int (*group)(const char *name, __u32 *ret_id);
};

extern const struct dlp_resolver dlp_resolver_system;

/* The kernel's form of one policy. */
struct dlp_lowered {
	struct dlp_config config;
	struct dlp_kern_rule rules[DLP_MAX_RULES];
	char *paths[DLP_MAX_PATHS];	/* path id i: the PATH of 'path' objects */
	unsigned int npaths;
};

int dlp_policy_lower(const struct dlp_policy *pol, const struct dlp_resolver *res,
		     __u32 generation, struct dlp_lowered *ret, struct dlp_diag *diag);
void dlp_lowered_free(struct dlp_lowered *low);

__u8 dlp_decide_user(const struct dlp_lowered *low, const struct dlp_request *q,
		     __u16 *ret_rule, __u8 *ret_reason);

int dlp_policy_maps_fill(const struct dlp_lowered *low, const struct dlp_policy *pol, __u32 slot,
			 int config_fd, int rules_fd, int zones_fd);

#endif /* DLP_LOWER_H */
