// SPDX-License-Identifier: GPL-2.0
/*
 * The policy compiler: what the parser cannot see from one line.  It checks
 * the policy as a whole, resolves the names rules use, and builds the zone
 * prefix table the kernel looks addresses up in.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static void check_required(const struct dlp_policy *pol, struct dlp_diag *diag)
{
	static const struct {
		size_t seen;
		const char *what;
	} required[] = {
		{ offsetof(struct dlp_policy, seen_mode),
		  "no 'mode' statement; expected 'mode enforce' or 'mode monitor'" },
		{ offsetof(struct dlp_policy, seen_tier),
		  "no 'tier' statement; expected 'tier mynumber', 'tier lgwan' or 'tier internet'" },
		{ offsetof(struct dlp_policy, seen_default),
		  "no 'default' statement; expected 'default allow', 'default deny' or "
		  "'default audit'" },
		{ offsetof(struct dlp_policy, seen_unregistered),
		  "no 'media unregistered' statement; expected 'media unregistered deny', "
		  "'readonly' or 'allow'" },
	};
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const struct dlp_pos *seen = (const void *)((const char *)pol + required[i].seen);

		if (!seen->line)
			dlp_error(diag, 1, 1, "the policy has %s", required[i].what);
	}
}

static void resolve_rule(struct dlp_policy *pol, struct dlp_rule *r, struct dlp_diag *diag)
{
	unsigned int i;

	if (r->object == DLP_OBJ_ZONE) {
		for (i = 0; i < pol->nzones; i++) {
			if (!strcmp(pol->zones[i].name, r->object_name)) {
				r->object_index = i;
				return;
			}
		}
		if (r->object_name[0] >= '0' && r->object_name[0] <= '9')
			dlp_error(diag, r->object_pos.line, r->object_pos.col,
				  "rule '%s' names zone '%s', which looks like an address; a rule "
				  "names a zone: define 'zone NAME %s' and use its name",
				  r->id, r->object_name, r->object_name);
		else
			dlp_error(diag, r->object_pos.line, r->object_pos.col,
				  "rule '%s' names zone '%s', which is not defined; expected a "
				  "'zone %s ...' statement or 'zone any'", r->id, r->object_name,
				  r->object_name);
	} else if (r->object == DLP_OBJ_MEDIA_ENTRY) {
		for (i = 0; i < pol->nmedia; i++) {
			if (!strcmp(pol->media[i].regno, r->object_name)) {
				r->object_index = i;
				return;
			}
		}
		dlp_error(diag, r->object_pos.line, r->object_pos.col,
			  "rule '%s' names ledger entry '%s', which is not in the ledger; expected "
			  "a registration number from a 'media' statement, 'any', 'registered' or "
			  "'unregistered'", r->id, r->object_name);
	}
}

static void check_rules(struct dlp_policy *pol, struct dlp_diag *diag)
{
	unsigned int i, j;

	for (i = 0; i < pol->nrules; i++) {
		for (j = 0; j < i; j++) {
			if (!strcmp(pol->rules[i].id, pol->rules[j].id)) {
				dlp_error(diag, pol->rules[i].pos.line, pol->rules[i].pos.col,
					  "rule id '%s' is already used at line %u", pol->rules[i].id,
					  pol->rules[j].pos.line);
				break;
			}
		}
		resolve_rule(pol, &pol->rules[i], diag);
	}
}

/*
 * The kernel tells 'path' objects apart by a bit each in a __u64
 * (struct dlp_request.paths): at most DLP_MAX_PATHS distinct PATHs, however
 * many rules name each.  Said once, at the first PATH over the limit.
 */
static void check_paths(const struct dlp_policy *pol, struct dlp_diag *diag)
{
	const struct dlp_rule *r;
	unsigned int i, j, distinct = 0;

	for (i = 0; i < pol->nrules; i++) {
		r = &pol->rules[i];
		if (r->object != DLP_OBJ_PATH)
			continue;
		for (j = 0; j < i; j++)
			if (pol->rules[j].object == DLP_OBJ_PATH &&
			    !strcmp(pol->rules[j].object_name, r->object_name))
				break;
		if (j < i)
			continue;
		if (++distinct > DLP_MAX_PATHS) {
			dlp_error(diag, r->object_pos.line, r->object_pos.col,
				  "too many distinct paths in 'path' objects; at most %d",
				  DLP_MAX_PATHS);
			return;
		}
	}
}

static bool same_device(const struct dlp_media *a, const struct dlp_media *b)
{
	return a->bus == b->bus && a->vendor == b->vendor && a->product == b->product &&
	       !strcmp(a->serial, b->serial);
}

static void check_ledger(const struct dlp_policy *pol, struct dlp_diag *diag)
{
	const struct dlp_media *m, *o;
	unsigned int i, j;

	for (i = 0; i < pol->nmedia; i++) {
		m = &pol->media[i];
		for (j = 0; j < i; j++) {
			o = &pol->media[j];
			if (!strcmp(m->regno, o->regno)) {
				dlp_error(diag, m->pos.line, m->pos.col,
					  "registration number '%s' is already in the ledger at line %u",
					  m->regno, o->pos.line);
				break;
			}
			if (same_device(m, o)) {
				dlp_error(diag, m->pos.line, m->pos.col,
					  "device %s %04x:%04x serial '%s' is already registered as "
					  "'%s' at line %u", dlp_bus_names[m->bus], m->vendor,
					  m->product, m->serial, o->regno, o->pos.line);
				break;
			}
		}
	}
}

static int prefix_cmp(const void *a, const void *b)
{
	const struct dlp_network *x = &((const struct dlp_zone_prefix *)a)->net;
	const struct dlp_network *y = &((const struct dlp_zone_prefix *)b)->net;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->prefixlen != y->prefixlen)
		return x->prefixlen < y->prefixlen ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

/*
 * One entry per distinct network, sorted by family, length and address, each
 * carrying every zone of every network that contains it.  A longest-prefix
 * match then finds all zones of an address in one lookup.  Entries are sorted
 * wider first, so the networks containing entry i all come before it.
 */
static void build_prefixes(struct dlp_policy *pol)
{
	struct dlp_zone_prefix *p;
	unsigned int z, k, i, j, n = 0;

	if (!pol->nnets)
		return;
	p = calloc(pol->nnets, sizeof(*p));
	if (!p)
		abort();
	for (z = 0; z < pol->nzones; z++) {
		for (k = 0; k < pol->zones[z].nnets; k++) {
			p[n].net = pol->zones[z].nets[k];
			p[n].zones = 1ULL << z;
			n++;
		}
	}
	qsort(p, n, sizeof(*p), prefix_cmp);
	for (i = 0, j = 0; i < n; i++) {
		if (j && !prefix_cmp(&p[j - 1], &p[i]))
			p[j - 1].zones |= p[i].zones;
		else
			p[j++] = p[i];
	}
	n = j;
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (dlp_network_contains(&p[j].net, &p[i].net))
				p[i].zones |= p[j].zones;
	pol->prefixes = p;
	pol->nprefixes = n;
}

/*
 * Legal, but against what the tier means in the national guideline: worth a
 * word to the administrator, not a refusal.
 */
static void check_tier(const struct dlp_policy *pol, struct dlp_diag *diag)
{
	if (pol->tier == DLP_TIER_MYNUMBER && pol->seen_unregistered.line &&
	    pol->unregistered != DLP_UNREG_DENY)
		dlp_warning(diag, pol->seen_unregistered.line, pol->seen_unregistered.col,
			    "a mynumber terminal lets no data leave it (端末からの情報持ち出し不可); "
			    "expected 'media unregistered deny'");
}

/**
 * dlp_policy_compile() - check a parsed policy as a whole and complete it
 * @pol:  a policy dlp_policy_parse() read without error
 * @diag: where errors and warnings go
 *
 * Resolves the zones and ledger entries rules name, rejects duplicates,
 * missing statements and more distinct 'path' objects than the kernel
 * tells apart, and builds pol->prefixes.
 *
 * Return: 0, or -EINVAL if the policy is invalid (every error reported).
 */
int dlp_policy_compile(struct dlp_policy *pol, struct dlp_diag *diag)
{
	unsigned int errors = diag->errors;

	check_ledger(pol, diag);
	check_rules(pol, diag);
	check_paths(pol, diag);
	check_required(pol, diag);
	if (diag->errors > errors)
		return -EINVAL;
	check_tier(pol, diag);
	build_prefixes(pol);
	return 0;
}
