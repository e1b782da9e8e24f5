// SPDX-License-Identifier: GPL-2.0
/*
 * Lowering: a compiled policy into the rule table and config the BPF
 * programs read (include/dlpguard/rule.h), user and group names resolved on
 * this terminal; the same decision in user space; and the policy written into
 * the kernel's maps.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "lower.h"
#include "zone_map.h"

/* getpwnam_r/getgrnam_r buffers grow up to this before giving up. */
#define NSS_BUF_MAX	(1024 * 1024)

/*
 * Start from what sysconf() suggests, double on ERANGE.  A NULL result with
 * 0 (glibc) or ENOENT/ESRCH (other libcs, see getpwnam_r(3)) is "no such
 * name".
 */
static size_t nss_buf_start(int name)
{
	long n = sysconf(name);

	return n > 0 && n <= NSS_BUF_MAX ? (size_t)n : 1024;
}

static int nss_result(int err, bool found)
{
	if (found)
		return 0;
	if (!err || err == ENOENT || err == ESRCH)
		return -ENOENT;
	return -err;
}

static int system_user(const char *name, __u32 *ret_id)
{
	size_t len = nss_buf_start(_SC_GETPW_R_SIZE_MAX);
	struct passwd pw, *found = NULL;
	char *buf = NULL, *p;
	int err;

	for (;;) {
		p = realloc(buf, len);
		if (!p) {
			err = ENOMEM;
			break;
		}
		buf = p;
		err = getpwnam_r(name, &pw, buf, len, &found);
		if (err != ERANGE || len >= NSS_BUF_MAX)
			break;
		len *= 2;
	}
	if (found)
		*ret_id = pw.pw_uid;
	free(buf);
	return nss_result(err, found);
}

static int system_group(const char *name, __u32 *ret_id)
{
	size_t len = nss_buf_start(_SC_GETGR_R_SIZE_MAX);
	struct group gr, *found = NULL;
	char *buf = NULL, *p;
	int err;

	for (;;) {
		p = realloc(buf, len);
		if (!p) {
			err = ENOMEM;
			break;
		}
		buf = p;
		err = getgrnam_r(name, &gr, buf, len, &found);
		if (err != ERANGE || len >= NSS_BUF_MAX)
			break;
		len *= 2;
	}
	if (found)
		*ret_id = gr.gr_gid;
	free(buf);
	return nss_result(err, found);
}

const struct dlp_resolver dlp_resolver_system = {
	.user = system_user,
	.group = system_group,
};

/* A numeric name is an id: all digits, and it fits in a __u32. */
static bool numeric_id(const char *name, __u32 *ret_id)
{
	unsigned long long v = 0;
	const char *s;

	if (!*name)
		return false;
	for (s = name; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*ret_id = v;
	return true;
}

static int resolve_subject(const struct dlp_rule *r, const struct dlp_resolver *res,
			   __u32 *ret_id, struct dlp_diag *diag)
{
	bool user = r->subject == DLP_SUBJ_USER;
	const char *kind = user ? "user" : "group";
	int err;

	if (numeric_id(r->subject_name, ret_id))
		return 0;
	err = user ? res->user(r->subject_name, ret_id) : res->group(r->subject_name, ret_id);
	if (err == -ENOENT)
		dlp_error(diag, r->pos.line, r->pos.col,
			  "rule '%s' names %s '%s', %s does not exist on this terminal", r->id,
			  kind, r->subject_name, user ? "who" : "which");
	else if (err)
		dlp_error(diag, r->pos.line, r->pos.col,
			  "rule '%s' names %s '%s', which could not be looked up: %s", r->id,
			  kind, r->subject_name, strerror(-err));
	return err;
}

/* The path id of @path, a new one if it is not there yet. */
static int path_id(struct dlp_lowered *low, const char *path, __u32 *ret_id)
{
	unsigned int i;

	for (i = 0; i < low->npaths; i++) {
		if (!strcmp(low->paths[i], path)) {
			*ret_id = i;
			return 0;
		}
	}
	if (low->npaths >= DLP_MAX_PATHS)
		return -E2BIG;
	low->paths[low->npaths] = strdup(path);
	if (!low->paths[low->npaths])
		return -ENOMEM;
	*ret_id = low->npaths++;
	return 0;
}

static int lower_rule(struct dlp_lowered *low, const struct dlp_policy *pol, unsigned int idx,
		      const struct dlp_resolver *res, struct dlp_kern_rule *k,
		      struct dlp_diag *diag)
{
	const struct dlp_rule *r = &pol->rules[idx];
	unsigned int i;
	int err;

	memset(k, 0, sizeof(*k));
	k->verdict = r->verdict;
	k->action = r->action;
	k->object = r->object;
	k->proto = r->proto;
	k->subject = r->subject;
	k->taint_cmp = r->taint_cmp;
	k->taint_class = dlp_level_class(r->taint_level);
	k->id = idx;
	if (r->nports > DLP_MAX_PORT_RANGES)
		return -EINVAL;
	k->nports = r->nports;
	for (i = 0; i < r->nports; i++)
		k->ports[i] = r->ports[i];

	switch (r->object) {
	case DLP_OBJ_MEDIA_ENTRY:
	case DLP_OBJ_ZONE:
		k->object_index = r->object_index;
		break;
	case DLP_OBJ_PATH:
		err = path_id(low, r->object_name, &k->object_index);
		if (err)
			return err;
		break;
	case DLP_OBJ_LABEL:
		k->label_class = dlp_level_class(r->label_level);
		k->label_integrity = r->label_integrity;
		break;
	default:
		break;
	}
	if (r->subject != DLP_SUBJ_ANY)
		return resolve_subject(r, res, &k->subject_id, diag);
	return 0;
}

/**
 * dlp_policy_lower() - the kernel's form of a compiled policy
 * @pol:        a policy dlp_policy_compile() accepted
 * @res:        how user and group names become ids (&dlp_resolver_system on a terminal)
 * @generation: stored in the config, and so in every decision record
 * @ret:        the result, set only on success; release with dlp_lowered_free()
 * @diag:       where names that do not resolve are reported, each with its rule
 *
 * Rules are grouped by action, file order kept within each action
 * (config.first/count), each carrying its index in @pol as id.  Each distinct
 * PATH of a 'path' object gets a path id, in order of first appearance in the
 * file (ret->paths[]); config.paths[a] has the bit of every path id a rule of
 * action a names.  Rules are lowered in file order, and lowering goes on
 * past a name that does not resolve, so that every such name is reported at
 * once, in file order; any other error ends it.
 *
 * Return: 0; -ENOENT if a rule names a user or group that does not exist
 * (reported); another -errno from the resolver (reported); -E2BIG if @pol has
 * more rules or distinct paths than the kernel holds (the compiler refuses
 * such a policy); -EINVAL on an out-of-range value; -ENOMEM.
 */
int dlp_policy_lower(const struct dlp_policy *pol, const struct dlp_resolver *res,
		     __u32 generation, struct dlp_lowered *ret, struct dlp_diag *diag)
{
	struct dlp_kern_rule *in_file_order = NULL;
	struct dlp_lowered *low;
	unsigned int i, a, n = 0;
	int err = 0, rerr;

	if (pol->nrules > DLP_MAX_RULES)
		return -E2BIG;
	low = calloc(1, sizeof(*low));
	if (!low)
		return -ENOMEM;
	if (pol->nrules) {
		in_file_order = calloc(pol->nrules, sizeof(*in_file_order));
		if (!in_file_order) {
			err = -ENOMEM;
			goto out_free;
		}
	}

	for (i = 0; i < pol->nrules; i++) {
		rerr = lower_rule(low, pol, i, res, &in_file_order[i], diag);
		if (rerr && (!err || err == -ENOENT))
			err = rerr;
		if (rerr && rerr != -ENOENT)
			goto out_free;
	}
	if (err)
		goto out_free;

	low->config.abi_version = DLP_ABI_VERSION;
	low->config.generation = generation;
	low->config.mode = pol->mode;
	low->config.tier = pol->tier;
	low->config.unregistered = pol->unregistered;
	memcpy(low->config.policy_sha256, pol->sha256, sizeof(low->config.policy_sha256));
	for (a = 0; a < DLP_ACT_COUNT; a++) {
		low->config.defaults[a] = pol->defaults[a];
		low->config.first[a] = n;
		for (i = 0; i < pol->nrules; i++)
			if (in_file_order[i].action == a)
				low->rules[n++] = in_file_order[i];
		low->config.count[a] = n - low->config.first[a];
	}
	for (i = 0; i < n; i++)
		if (low->rules[i].object == DLP_OBJ_PATH && low->rules[i].object_index < DLP_MAX_PATHS)
			low->config.paths[low->rules[i].action] |= 1ULL << low->rules[i].object_index;

	*ret = *low;
	free(in_file_order);
	free(low);
	return 0;

out_free:
	free(in_file_order);
	dlp_lowered_free(low);
	free(low);
	return err;
}

/**
 * dlp_lowered_free() - release what dlp_policy_lower() allocated
 * @low: a lowered policy, or one zeroed; left with no paths
 */
void dlp_lowered_free(struct dlp_lowered *low)
{
	unsigned int i;

	for (i = 0; i < low->npaths; i++) {
		free(low->paths[i]);
		low->paths[i] = NULL;
	}
	low->npaths = 0;
}

/**
 * dlp_decide_user() - the verdict of a lowered policy on a request
 * @low:        the policy
 * @q:          the request
 * @ret_rule:   the matching rule's id when @ret_reason is DLP_REASON_RULE, else 0
 * @ret_reason: where the verdict came from
 *
 * The decision dlp_decide() in bpf/common.h makes in the kernel, over the
 * same table with the same matcher (dlp_rule_matches()): only the rules of
 * q->action, in file order, the first match deciding; none matching, the
 * action's default; an action out of range is denied (DLP_REASON_NO_POLICY).
 * Rules past the end of the table are not read, as the kernel's lookups fail
 * there.
 *
 * Return: the verdict, enum dlp_verdict.
 */
__u8 dlp_decide_user(const struct dlp_lowered *low, const struct dlp_request *q,
		     __u16 *ret_rule, __u8 *ret_reason)
{
	const struct dlp_config *cfg = &low->config;
	__u32 i, idx;

	*ret_rule = 0;
	if (q->action >= DLP_ACT_COUNT) {
		*ret_reason = DLP_REASON_NO_POLICY;
		return DLP_VERDICT_DENY;
	}
	for (i = 0; i < cfg->count[q->action]; i++) {
		idx = cfg->first[q->action] + i;
		if (idx >= DLP_MAX_RULES)
			break;
		if (dlp_rule_matches(&low->rules[idx], q)) {
			*ret_rule = low->rules[idx].id;
			*ret_reason = DLP_REASON_RULE;
			return low->rules[idx].verdict;
		}
	}
	*ret_reason = DLP_REASON_DEFAULT;
	return cfg->defaults[q->action];
}

static int map_write(int fd, __u32 key, const void *value)
{
	if (bpf_map_update_elem(fd, &key, value, BPF_ANY))
		return -errno;
	return 0;
}

/**
 * dlp_policy_maps_fill() - write a lowered policy into one slot of the kernel's maps
 * @low:       the lowered policy
 * @pol:       the compiled policy it was lowered from (for its zone table)
 * @slot:      the policy slot (DLP_SLOTS, include/dlpguard/abi.h)
 * @config_fd: the config map (dlp_config in bpf/common.h)
 * @rules_fd:  the rule map (dlp_rules)
 * @zones_fd:  a zone map (dlp_zones in bpf/zone.h) with nothing in @slot,
 *             or -1 for a program family that judges no addresses (media)
 *
 * The rules go to the slot's half of the rule map (slot * DLP_MAX_RULES +
 * i), and the config, its first[] moved there, to dlp_config[slot].  The
 * rules and zones are written first, the config last.  Entries of the slot's
 * half past the policy's rules are left as they are: dlp_decide() reads only
 * rules[first[a] .. first[a] + count[a]) of this config.  Programs read the
 * slot only once dlp_slot names it (user/lib/slots.c switches).
 *
 * Return: 0, or the -errno of the first write that failed (see
 * dlp_zone_map_fill() for the zone map: -EEXIST if the slot was not empty),
 * the config then not written; -EINVAL for a slot out of range.
 */
int dlp_policy_maps_fill(const struct dlp_lowered *low, const struct dlp_policy *pol, __u32 slot,
			 int config_fd, int rules_fd, int zones_fd)
{
	struct dlp_config cfg = low->config;
	unsigned int i, n = 0, a, base = slot * DLP_MAX_RULES;
	int err;

	if (slot >= DLP_SLOTS)
		return -EINVAL;
	for (a = 0; a < DLP_ACT_COUNT; a++) {
		if (cfg.first[a] + cfg.count[a] > n)
			n = cfg.first[a] + cfg.count[a];
		cfg.first[a] += base;
	}
	if (n > DLP_MAX_RULES)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		err = map_write(rules_fd, base + i, &low->rules[i]);
		if (err)
			return err;
	}
	if (zones_fd >= 0) {
		err = dlp_zone_map_fill(zones_fd, slot, pol);
		if (err)
			return err;
	}
	return map_write(config_fd, slot, &cfg);
}
