// SPDX-License-Identifier: GPL-2.0
/*
 * Host BPF test: the kernel decides what the policy says (docs/policy.md
 * §2.6).  Policies are compiled, lowered with a fake resolver and written
 * into the maps with dlp_policy_maps_fill() as dlpd will; then
 * tests/bpf/progs/decide.bpf.c runs dlp_decide(), dlp_report() and
 * dlp_denies() of bpf/common.h on requests carried in test packets, with
 * BPF_PROG_TEST_RUN (nothing is attached).
 *
 * Each decision must equal dlp_decide_user() over the lowered table, and a
 * reference computed here from the policy as written (names, not indices;
 * not the shared matcher of include/dlpguard/rule.h, which a bug would break
 * on both sides alike), and, for the requests written by hand, the verdict
 * written beside them.  Each deny and audit must leave exactly one
 * well-formed record in the ring buffer, each allow none; the counters in
 * dlp_stats must count; a full ring buffer must count every record it lost.
 * The same holds for a policy in slot 1 (its rules in the second half of
 * dlp_rules), and with two policies side by side each switch with
 * dlp_slot_switch() flips every decision to the other.
 *
 * Exits 77 after printing "SKIP: <reason>" when the kernel refuses to load
 * BPF (EPERM, ENOSYS); tests/run.sh counts that as skipped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <dlpguard/event.h>

#include "bpftest.h"
#include "decide.skel.h"
#include "loader.h"
#include "lower.h"
#include "policy.h"
#include "slots.h"

#define EXIT_SKIP	77
#define ETH_HLEN	14
#define TC_ACT_OK	0
#define TC_ACT_SHOT	2
#define GENERATION	0x5eed
#define RANDOM_REQUESTS	2000
#define NONE		0	/* no rule decided (DEFAULT or NO_POLICY): the id is 0 */
#define UNTOUCHED	0xee	/* never a verdict, reason or bool */

#define MEDIA_FIELDS "section 総務課 access rw until 2099-03-31"

/* The terminal's accounts, as the fake resolver knows them. */
static const struct {
	const char *name;
	__u32 id;
} users[] = { { "tanaka", 1001 }, { "suzuki", 1002 } },
  groups[] = { { "somu", 2001 }, { "bunsho-kanri", 2002 } };

static int fake_lookup(const char *name, __u32 *ret_id, bool user)
{
	size_t i, n = user ? sizeof(users) / sizeof(users[0]) : sizeof(groups) / sizeof(groups[0]);

	for (i = 0; i < n; i++) {
		if (!strcmp(user ? users[i].name : groups[i].name, name)) {
			*ret_id = user ? users[i].id : groups[i].id;
			return 0;
		}
	}
	return -ENOENT;
}

static int fake_user(const char *name, __u32 *ret_id)
{
	return fake_lookup(name, ret_id, true);
}

static int fake_group(const char *name, __u32 *ret_id)
{
	return fake_lookup(name, ret_id, false);
}

static const struct dlp_resolver fake = { .user = fake_user, .group = fake_group };

/*
 * Zones: lgwan 0, internet 1, gw 2.  Ledger: R1 0, R2 1.  Paths: /home 0,
 * /share 1.  Users tanaka 1001; groups somu 2001, bunsho-kanri 2002.  The
 * same policy as tests/unit/test_lower.c, with the same hand-written cases.
 */
#define DECIDE_BODY								\
	"media unregistered readonly\n"						\
	"zone lgwan 10.0.0.0/8\nzone internet 0.0.0.0/0\nzone gw 10.20.30.40\n"	\
	"media R1 bus usb id 0781:5583 serial S1 " MEDIA_FIELDS "\n"		\
	"media R2 bus usb id 0781:5583 serial S2 " MEDIA_FIELDS "\n"		\
	"rule mnt-r2     deny  mount media R2\n"				\
	"rule mnt-reg    allow mount media registered\n"			\
	"rule mnt-unreg  audit mount media unregistered by group somu\n"	\
	"rule usb-secret deny  write media if class >= 2\n"			\
	"rule usb-r1     audit write media R1\n"				\
	"rule home-3     deny  write path /home if class >= 3\n"		\
	"rule home-low   audit write path /home if class <= 2\n"		\
	"rule share      allow write path /share by user tanaka\n"		\
	"rule keep       allow modify label 完全性2 by group bunsho-kanri\n"	\
	"rule guard      deny  modify label 完全性2\n"				\
	"rule secret     audit modify label 機密性3A\n"			\
	"rule nodel      deny  delete path /share\n"				\
	"rule gw         allow connect zone gw port 443 proto tcp\n"		\
	"rule web        deny  connect zone internet port 80,443,8000-8080 if class >= 2\n" \
	"rule udp-lg     audit connect zone lgwan proto udp\n"			\
	"rule uid        deny  connect zone any by user 1234\n"			\
	"rule dns        allow send zone lgwan port 53\n"			\
	"rule eq-2       deny  send zone any if class = 2\n"			\
	"rule gt-3       deny  send zone any if class > 3\n"			\
	"rule le-1       audit send zone any if class <= 1 by group 3000\n"	\
	"rule lt-2       audit delete label 機密性1 if class < 2\n"

#define DECIDE_DEFAULTS "default deny\ndefault connect allow\ndefault modify allow\n"	\
	"default delete allow\n"

static const char enforce_policy[] = "mode enforce\ntier lgwan\n" DECIDE_DEFAULTS DECIDE_BODY;
static const char monitor_policy[] = "mode monitor\ntier lgwan\n" DECIDE_DEFAULTS DECIDE_BODY;

/* No rules at all: every decision is a default. */
static const char defaults_policy[] = "mode enforce\ntier internet\ndefault audit\n"
	"default mount deny\ndefault send allow\nmedia unregistered deny\n";

#define LGWAN		(1ULL << 0)
#define INTERNET	(1ULL << 1)
#define GW		(1ULL << 2)
#define HOME		(1ULL << 0)
#define SHARE		(1ULL << 1)

struct decide_case {
	const char *what;
	struct dlp_request q;
	__u8 verdict;
	__u16 rule;		/* NONE: no rule decided */
	__u8 reason;
};

#define MOUNT(...)	{ .action = DLP_ACT_MOUNT, __VA_ARGS__ }
#define WRITE(...)	{ .action = DLP_ACT_WRITE, __VA_ARGS__ }
#define MODIFY(...)	{ .action = DLP_ACT_MODIFY, __VA_ARGS__ }
#define DELETE(...)	{ .action = DLP_ACT_DELETE, __VA_ARGS__ }
#define CONNECT(...)	{ .action = DLP_ACT_CONNECT, .proto = DLP_PROTO_TCP, __VA_ARGS__ }
#define CONNECT_UDP(...) { .action = DLP_ACT_CONNECT, .proto = DLP_PROTO_UDP, __VA_ARGS__ }
#define SEND(...)	{ .action = DLP_ACT_SEND, .proto = DLP_PROTO_UDP, __VA_ARGS__ }
#define REG		.media = DLP_MEDIA_REGISTERED
#define UNREG		.media = DLP_MEDIA_UNREGISTERED
#define ALLOW		DLP_VERDICT_ALLOW
#define DENY		DLP_VERDICT_DENY
#define AUDIT		DLP_VERDICT_AUDIT
#define BY_RULE		DLP_REASON_RULE
#define BY_DEFAULT	DLP_REASON_DEFAULT

static const struct decide_case decide_cases[] = {
	{ "mount R2", MOUNT(REG, .ledger_index = 1), DENY, 0, BY_RULE },
	{ "mount R1", MOUNT(REG, .ledger_index = 0), ALLOW, 1, BY_RULE },
	{ "mount unregistered, somu effective", MOUNT(UNREG, .ngids = 1, .gids = { 2001 }),
	  AUDIT, 2, BY_RULE },
	{ "mount unregistered, somu supplementary",
	  MOUNT(UNREG, .ngids = 3, .gids = { 5, 6, 2001 }), AUDIT, 2, BY_RULE },
	{ "mount unregistered, somu 16th of 16",
	  MOUNT(UNREG, .ngids = 16, .gids = { [15] = 2001 }), AUDIT, 2, BY_RULE },
	{ "mount unregistered, somu past ngids",
	  MOUNT(UNREG, .ngids = 15, .gids = { [15] = 2001 }), DENY, NONE, BY_DEFAULT },
	{ "mount unregistered, ngids past DLP_MAX_GROUPS",
	  MOUNT(UNREG, .ngids = 200, .gids = { [15] = 2001 }), AUDIT, 2, BY_RULE },
	{ "mount unregistered, no groups", MOUNT(UNREG, .uid = 2001), DENY, NONE, BY_DEFAULT },
	{ "mount not media", MOUNT(.ngids = 1, .gids = { 2001 }), DENY, NONE, BY_DEFAULT },

	{ "write R1 taint 2", WRITE(REG, .taint = 2), DENY, 3, BY_RULE },
	{ "write R1 taint 1", WRITE(REG, .taint = 1), AUDIT, 4, BY_RULE },
	{ "write R2 taint 1", WRITE(REG, .ledger_index = 1, .taint = 1), DENY, NONE,
	  BY_DEFAULT },
	{ "write /home taint 3", WRITE(.paths = HOME, .taint = 3), DENY, 5, BY_RULE },
	{ "write /home taint 2", WRITE(.paths = HOME, .taint = 2), AUDIT, 6, BY_RULE },
	{ "write /share tanaka", WRITE(.paths = SHARE, .uid = 1001), ALLOW, 7, BY_RULE },
	{ "write /share suzuki", WRITE(.paths = SHARE, .uid = 1002), DENY, NONE, BY_DEFAULT },
	{ "write /home and /share tanaka taint 3",
	  WRITE(.paths = HOME | SHARE, .uid = 1001, .taint = 3), DENY, 5, BY_RULE },

	{ "modify 完全性2 bunsho-kanri",
	  MODIFY(.label_integrity = 2, .ngids = 2, .gids = { 1, 2002 }), ALLOW, 8, BY_RULE },
	{ "modify 完全性2 other", MODIFY(.label_integrity = 2, .ngids = 1, .gids = { 1 }),
	  DENY, 9, BY_RULE },
	{ "modify 3A", MODIFY(.label_class = DLP_CLASS_3A), AUDIT, 10, BY_RULE },
	{ "modify 3B", MODIFY(.label_class = DLP_CLASS_3B), ALLOW, NONE, BY_DEFAULT },

	{ "delete /share", DELETE(.paths = SHARE), DENY, 11, BY_RULE },
	{ "delete /home", DELETE(.paths = HOME), ALLOW, NONE, BY_DEFAULT },
	{ "delete 機密性1 taint 1", DELETE(.label_class = 1, .taint = 1), AUDIT, 20, BY_RULE },
	{ "delete 機密性3A taint 0", DELETE(.label_class = 5), AUDIT, 20, BY_RULE },
	{ "delete 機密性1 taint 2", DELETE(.label_class = 1, .taint = 2), ALLOW, NONE,
	  BY_DEFAULT },
	{ "delete /share 機密性2 taint 0", DELETE(.paths = SHARE, .label_class = 2), DENY, 11,
	  BY_RULE },

	{ "connect gw 443 tcp", CONNECT(.zones = GW | LGWAN | INTERNET, .port = 443), ALLOW, 12,
	  BY_RULE },
	{ "connect gw 443 udp", CONNECT_UDP(.zones = GW | LGWAN | INTERNET, .port = 443), AUDIT,
	  14, BY_RULE },
	{ "connect internet 443 taint 2", CONNECT(.zones = INTERNET, .port = 443, .taint = 2),
	  DENY, 13, BY_RULE },
	{ "connect internet 443 taint 1", CONNECT(.zones = INTERNET, .port = 443, .taint = 1),
	  ALLOW, NONE, BY_DEFAULT },
	{ "connect internet 79 taint 2", CONNECT(.zones = INTERNET, .port = 79, .taint = 2),
	  ALLOW, NONE, BY_DEFAULT },
	{ "connect internet 81 taint 2", CONNECT(.zones = INTERNET, .port = 81, .taint = 2),
	  ALLOW, NONE, BY_DEFAULT },
	{ "connect internet 8000 taint 2", CONNECT(.zones = INTERNET, .port = 8000, .taint = 2),
	  DENY, 13, BY_RULE },
	{ "connect internet 8081 taint 2", CONNECT(.zones = INTERNET, .port = 8081, .taint = 2),
	  ALLOW, NONE, BY_DEFAULT },
	{ "connect nowhere uid 1234", CONNECT(.uid = 1234, .port = 22), DENY, 15, BY_RULE },
	{ "connect nowhere uid 1235", CONNECT(.uid = 1235, .port = 22), ALLOW, NONE, BY_DEFAULT },

	{ "send lgwan 53", SEND(.zones = LGWAN, .port = 53, .taint = 2), ALLOW, 16, BY_RULE },
	{ "send lgwan 54 taint 2", SEND(.zones = LGWAN, .port = 54, .taint = 2), DENY, 17,
	  BY_RULE },
	{ "send taint 3", SEND(.port = 53, .taint = 3, .ngids = 1, .gids = { 3000 }), DENY, NONE,
	  BY_DEFAULT },
	{ "send taint 3B", SEND(.taint = DLP_CLASS_3B), DENY, 18, BY_RULE },
	{ "send taint 1 group 3000", SEND(.taint = 1, .ngids = 1, .gids = { 3000 }), AUDIT, 19,
	  BY_RULE },
	{ "send taint 1 no group", SEND(.taint = 1), DENY, NONE, BY_DEFAULT },

	{ "action 6", { .action = DLP_ACT_COUNT }, DENY, NONE, DLP_REASON_NO_POLICY },
};

#define NCASES (sizeof(decide_cases) / sizeof(decide_cases[0]))

/* ---- the reference: the policy as written ---------------------------------- */

static __u8 ref_rank(enum dlp_level level)
{
	switch (level) {
	case DLP_LEVEL_1:
		return 1;
	case DLP_LEVEL_2:
		return 2;
	case DLP_LEVEL_3:
	case DLP_LEVEL_3C:
		return 3;
	case DLP_LEVEL_3B:
		return 4;
	case DLP_LEVEL_3A:
		return 5;
	default:
		return 0;
	}
}

static bool ref_taint(const struct dlp_rule *r, __u8 taint)
{
	__u8 want = ref_rank(r->taint_level);

	switch (r->taint_cmp) {
	case DLP_CMP_GE:
		return taint >= want;
	case DLP_CMP_GT:
		return taint > want;
	case DLP_CMP_EQ:
		return taint == want;
	case DLP_CMP_LE:
		return taint <= want;
	case DLP_CMP_LT:
		return taint < want;
	default:
		return true;
	}
}

static __u32 ref_account(const struct dlp_rule *r)
{
	const char *s = r->subject_name;
	unsigned long long v = 0;
	__u32 id = 0;

	for (; *s >= '0' && *s <= '9' && v <= UINT32_MAX; s++)
		v = v * 10 + (*s - '0');
	if (!*s && *r->subject_name && v <= UINT32_MAX)
		return v;
	if (fake_lookup(r->subject_name, &id, r->subject == DLP_SUBJ_USER))
		fail_msg("rule '%s': the fake resolver has no '%s'", r->id, r->subject_name);
	return id;
}

static bool ref_subject(const struct dlp_rule *r, const struct dlp_request *q)
{
	unsigned int i, n = q->ngids < DLP_MAX_GROUPS ? q->ngids : DLP_MAX_GROUPS;

	if (r->subject == DLP_SUBJ_USER)
		return q->uid == ref_account(r);
	if (r->subject == DLP_SUBJ_GROUP) {
		for (i = 0; i < n; i++)
			if (q->gids[i] == ref_account(r))
				return true;
		return false;
	}
	return true;
}

/* The request's paths are bits of low->paths: which names they stand for. */
static bool ref_under_path(const struct dlp_lowered *low, const struct dlp_request *q,
			   const char *path)
{
	unsigned int i;

	for (i = 0; i < low->npaths; i++)
		if (((q->paths >> i) & 1) && !strcmp(low->paths[i], path))
			return true;
	return false;
}

static bool ref_in_zone(const struct dlp_policy *pol, const struct dlp_request *q,
			const char *name)
{
	unsigned int z;

	for (z = 0; z < pol->nzones; z++)
		if (!strcmp(pol->zones[z].name, name))
			return (q->zones >> z) & 1;
	fail_msg("no zone '%s'", name);
	return false;
}

static bool ref_object(const struct dlp_policy *pol, const struct dlp_lowered *low,
		       const struct dlp_rule *r, const struct dlp_request *q)
{
	unsigned int i;

	switch (r->object) {
	case DLP_OBJ_MEDIA_ANY:
		return q->media == DLP_MEDIA_REGISTERED || q->media == DLP_MEDIA_UNREGISTERED;
	case DLP_OBJ_MEDIA_REGISTERED:
		return q->media == DLP_MEDIA_REGISTERED;
	case DLP_OBJ_MEDIA_UNREGISTERED:
		return q->media == DLP_MEDIA_UNREGISTERED;
	case DLP_OBJ_MEDIA_ENTRY:
		return q->media == DLP_MEDIA_REGISTERED && q->ledger_index < pol->nmedia &&
		       !strcmp(pol->media[q->ledger_index].regno, r->object_name);
	case DLP_OBJ_PATH:
		return ref_under_path(low, q, r->object_name);
	case DLP_OBJ_LABEL:
		if (r->label_level != DLP_LEVEL_NONE)
			return q->label_class >= ref_rank(r->label_level);
		return q->label_integrity >= r->label_integrity;
	case DLP_OBJ_ZONE:
	case DLP_OBJ_ANY_ADDRESS:
		if (r->object == DLP_OBJ_ZONE && !ref_in_zone(pol, q, r->object_name))
			return false;
		if (r->proto != DLP_PROTO_ANY && r->proto != q->proto)
			return false;
		if (!r->nports)
			return true;
		for (i = 0; i < r->nports; i++)
			if (q->port >= r->ports[i].lo && q->port <= r->ports[i].hi)
				return true;
		return false;
	default:
		fail_msg("rule '%s': object kind %d unknown to the test", r->id, r->object);
		return false;
	}
}

/* The first rule in file order of the request's action that matches, or the default. */
static __u8 ref_decide(const struct dlp_policy *pol, const struct dlp_lowered *low,
		       const struct dlp_request *q, __u16 *ret_rule, __u8 *ret_reason)
{
	const struct dlp_rule *r;
	unsigned int i;

	if (q->action >= DLP_ACT_COUNT) {
		*ret_reason = DLP_REASON_NO_POLICY;
		return DLP_VERDICT_DENY;
	}
	for (i = 0; i < pol->nrules; i++) {
		r = &pol->rules[i];
		if (r->action == q->action && ref_object(pol, low, r, q) && ref_subject(r, q) &&
		    ref_taint(r, q->taint)) {
			*ret_rule = i;
			*ret_reason = DLP_REASON_RULE;
			return r->verdict;
		}
	}
	*ret_reason = DLP_REASON_DEFAULT;
	return pol->defaults[q->action];
}

/* ---- running the program --------------------------------------------------- */

struct records {
	struct dlp_event last;
	unsigned int n;
	unsigned int malformed;		/* of the wrong size */
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct records *rec = ctx;

	rec->n++;
	if (size != sizeof(struct dlp_event)) {
		rec->malformed++;
		return 0;
	}
	memcpy(&rec->last, data, sizeof(rec->last));
	return 0;
}

/* One loaded program with a policy in its maps, and maybe another in the other slot. */
struct bed {
	struct decide_bpf *skel;
	struct ring_buffer *rb;
	struct records rec;
	struct dlp_policy pol; /* the policy in force, in slot @slot */
	struct dlp_lowered low;
	struct dlp_policy other_pol; /* the policy in the other slot (bed_fill_other()) */
	struct dlp_lowered other_low;
	__u32 slot;
	const char *name;
	char comm[DLP_COMM_LEN];
	unsigned int failures;
	unsigned int by_rule;		/* requests a rule decided */
	unsigned int by_verdict[DLP_VERDICT_COUNT];
};

struct outcome {
	__u8 verdict;
	__u8 reason;
	__u16 rule;
	__u8 denies;
	__u32 retval;
};

/* The maps of @b that user/lib/slots.c reads and writes; the others -1. */
static struct dlp_loader_fds bed_fds(const struct bed *b)
{
	struct dlp_loader_fds fds;

	memset(&fds, 0xff, sizeof(fds));
	fds.slot = bpf_map__fd(b->skel->maps.dlp_slot);
	fds.config = bpf_map__fd(b->skel->maps.dlp_config);
	return fds;
}

/* What dlp_slot says. */
static __u32 bed_active_slot(const struct bed *b)
{
	struct dlp_loader_fds fds = bed_fds(b);
	__u32 slot = DLP_SLOTS;
	int err;

	err = dlp_slot_active(&fds, &slot);
	if (err)
		fail_msg("dlp_slot_active: %s", strerror(-err));
	return slot;
}

/* Compile @text (generation GENERATION + @slot) and write it into @slot as dlpd will. */
static void bed_fill(struct bed *b, const char *text, __u32 slot, struct dlp_policy *pol,
		     struct dlp_lowered *low)
{
	struct dlp_diag diag;
	int err;

	dlp_diag_init(&diag, b->name, stderr);
	if (dlp_policy_load_buffer(pol, text, strlen(text), &diag))
		fail_msg("test policy %s does not compile", b->name);
	err = dlp_policy_lower(pol, &fake, GENERATION + slot, low, &diag);
	if (err)
		fail_msg("%s: dlp_policy_lower: %s", b->name, strerror(-err));
	err = dlp_policy_maps_fill(low, pol, slot, bpf_map__fd(b->skel->maps.dlp_config),
				   bpf_map__fd(b->skel->maps.dlp_rules),
				   bpf_map__fd(b->skel->maps.dlp_zones));
	if (err)
		fail_msg("%s: dlp_policy_maps_fill into slot %u: %s", b->name, slot,
			 strerror(-err));
}

/* Load the program, write @text into @slot and put that slot in force. */
static struct bed *bed_new_in(const char *name, const char *text, __u32 slot)
{
	struct bed *b = calloc(1, sizeof(*b));
	struct dlp_loader_fds fds;
	int err;

	assert_non_null(b);
	b->name = name;
	assert_int_equal(prctl(PR_GET_NAME, b->comm), 0);
	dlp_policy_init(&b->pol);
	dlp_policy_init(&b->other_pol);

	b->skel = decide_bpf__open_and_load();
	if (!b->skel)
		fail_msg("decide_bpf__open_and_load: %s", strerror(errno));
	bed_fill(b, text, slot, &b->pol, &b->low);
	fds = bed_fds(b);
	err = dlp_slot_switch(&fds, slot);
	if (err)
		fail_msg("%s: dlp_slot_switch(%u): %s", name, slot, strerror(-err));
	b->slot = slot;
	if (bed_active_slot(b) != slot)
		fail_msg("%s: dlp_slot says %u after switching to %u", name, bed_active_slot(b),
			 slot);
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.dlp_events), on_record, &b->rec, NULL);
	if (!b->rb)
		fail_msg("ring_buffer__new: %s", strerror(errno));
	return b;
}

static struct bed *bed_new(const char *name, const char *text)
{
	return bed_new_in(name, text, 0);
}

/* Write @text into the slot not in force, which stays out of force. */
static void bed_fill_other(struct bed *b, const char *text)
{
	bed_fill(b, text, !b->slot, &b->other_pol, &b->other_low);
}

/* Put the other slot in force with dlp_slot_switch(); its policy is then b->pol. */
static void bed_switch(struct bed *b)
{
	struct dlp_loader_fds fds = bed_fds(b);
	struct dlp_lowered *low;
	struct dlp_policy pol;
	int err;

	err = dlp_slot_switch(&fds, !b->slot);
	if (err)
		fail_msg("%s: dlp_slot_switch(%u): %s", b->name, !b->slot, strerror(-err));
	b->slot = !b->slot;
	assert_int_equal(bed_active_slot(b), b->slot);
	pol = b->pol;
	b->pol = b->other_pol;
	b->other_pol = pol;
	low = malloc(sizeof(*low));
	assert_non_null(low);
	*low = b->low;
	b->low = b->other_low;
	b->other_low = *low;
	free(low);
}

static void bed_free(struct bed *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	decide_bpf__destroy(b->skel);
	dlp_lowered_free(&b->low);
	dlp_policy_free(&b->pol);
	dlp_lowered_free(&b->other_low);
	dlp_policy_free(&b->other_pol);
	free(b);
}

static int bed_teardown(void **state)
{
	bed_free(*state);
	*state = NULL;
	return 0;
}

/* dlp_stats[stat], summed over every CPU. */
static __u64 stat_sum(struct bed *b, enum dlp_stat stat)
{
	int ncpus = libbpf_num_possible_cpus();
	__u32 key = stat;
	__u64 *v, sum = 0;
	int i;

	assert_true(ncpus > 0);
	v = calloc(ncpus, sizeof(*v));
	assert_non_null(v);
	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.dlp_stats), &key, v)) {
		free(v);
		fail_msg("reading dlp_stats: %s", strerror(errno));
	}
	for (i = 0; i < ncpus; i++)
		sum += v[i];
	free(v);
	return sum;
}

/* Run the program once on @q; asserts it ran exactly once. */
static struct outcome run_request(struct bed *b, const struct dlp_request *q)
{
	uint8_t pkt[ETH_HLEN + sizeof(*q)] = {
		0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x88, 0xb5,	/* local experimental */
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = 1);
	struct decide_bpf__bss *bss = b->skel->bss;
	__u32 runs = bss->dlp_test_runs;
	struct outcome o;
	int err;

	memcpy(pkt + ETH_HLEN, q, sizeof(*q));
	bss->dlp_test_verdict = UNTOUCHED;
	bss->dlp_test_reason = UNTOUCHED;
	bss->dlp_test_rule = UNTOUCHED;
	bss->dlp_test_denies = UNTOUCHED;
	err = bpf_prog_test_run_opts(bpf_program__fd(b->skel->progs.dlp_test_decide), &opts);
	if (err)
		fail_msg("BPF_PROG_TEST_RUN: %s", strerror(-err));
	if (bss->dlp_test_runs != runs + 1)
		fail_msg("run counter went from %u to %u; the program did not run once", runs,
			 bss->dlp_test_runs);
	o.verdict = bss->dlp_test_verdict;
	o.reason = bss->dlp_test_reason;
	o.rule = bss->dlp_test_rule;
	o.denies = bss->dlp_test_denies;
	o.retval = opts.retval;
	return o;
}

static const char *request_str(const struct dlp_request *q)
{
	static char buf[512];
	size_t n;
	unsigned int i;

	n = snprintf(buf, sizeof(buf), "{action %u taint %u media %u ledger %u proto %u port %u "
		     "label %u/%u uid %u zones 0x%llx paths 0x%llx ngids %u gids", q->action,
		     q->taint, q->media, q->ledger_index, q->proto, q->port, q->label_class,
		     q->label_integrity, q->uid, (unsigned long long)q->zones,
		     (unsigned long long)q->paths, q->ngids);
	for (i = 0; i < DLP_MAX_GROUPS && i < q->ngids && n < sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, " %u", q->gids[i]);
	if (n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - n, "}");
	return buf;
}

static void failure(struct bed *b, const char *what, const struct dlp_request *q,
		    const char *fmt, ...)
{
	va_list ap;

	b->failures++;
	if (b->failures > 30)
		return;
	print_error("%s: %s %s: ", b->name, what, request_str(q));
	va_start(ap, fmt);
	vprint_error(fmt, ap);
	va_end(ap);
	print_error("\n");
}

/* The one record a deny or audit leaves, field by field. */
static void check_record(struct bed *b, const char *what, const struct dlp_request *q,
			 __u8 verdict, __u8 reason, __u16 rule)
{
	const struct dlp_event *e = &b->rec.last;

	if (e->version != DLP_EVENT_VERSION || e->size != sizeof(*e) ||
	    e->hook != DLP_HOOK_SOCKET_CONNECT || e->action != q->action || e->verdict != verdict ||
	    e->reason != reason || (reason == DLP_REASON_RULE && e->rule != rule) ||
	    e->taint != q->taint || e->uid != q->uid || e->generation != b->low.config.generation ||
	    e->mode != b->low.config.mode || e->port != q->port || e->proto != q->proto ||
	    e->label_class != q->label_class || e->label_integrity != q->label_integrity ||
	    e->tgid != (__u32)getpid() || !e->time_ns || strncmp(e->comm, b->comm, DLP_COMM_LEN))
		failure(b, what, q, "record {version %u size %u hook %u action %u verdict %u "
			"reason %u rule %u taint %u uid %u generation 0x%x mode %u tgid %u comm "
			"'%.16s'} is not the decision's", e->version, e->size, e->hook, e->action,
			e->verdict, e->reason, e->rule, e->taint, e->uid, e->generation, e->mode,
			e->tgid, e->comm);
}

/*
 * Decide @q in the kernel, with dlp_decide_user() and with the reference, and
 * compare the three, the hand-written expectation when there is one, the
 * return value, and the records left in the ring buffer.
 */
static void check_request(struct bed *b, const char *what, const struct dlp_request *q,
			  const struct decide_case *hand)
{
	__u16 urule = NONE, rrule = NONE;
	__u8 uverdict, ureason = UNTOUCHED, rverdict, rreason = UNTOUCHED;
	bool monitor = b->low.config.mode == DLP_MODE_MONITOR;
	bool reports, denies;
	struct outcome k;
	int n;

	k = run_request(b, q);
	uverdict = dlp_decide_user(&b->low, q, &urule, &ureason);
	rverdict = ref_decide(&b->pol, &b->low, q, &rrule, &rreason);

	if (uverdict != rverdict || ureason != rreason || urule != rrule)
		failure(b, what, q, "dlp_decide_user: verdict %u rule %u reason %u, the policy "
			"as written: %u %u %u", uverdict, urule, ureason, rverdict, rrule,
			rreason);
	if (k.verdict != rverdict || k.reason != rreason ||
	    (rreason == DLP_REASON_RULE && k.rule != rrule))
		failure(b, what, q, "kernel: verdict %u rule %u reason %u, the policy as "
			"written: %u %u %u", k.verdict, k.rule, k.reason, rverdict, rrule, rreason);
	if (hand && (hand->verdict != rverdict || hand->reason != rreason || hand->rule != rrule))
		failure(b, what, q, "the policy as written: verdict %u rule %u reason %u, by "
			"hand: %u %u %u", rverdict, rrule, rreason, hand->verdict, hand->rule,
			hand->reason);
	if (hand && (k.verdict != hand->verdict || k.reason != hand->reason ||
		     (hand->reason == DLP_REASON_RULE && k.rule != hand->rule)))
		failure(b, what, q, "kernel: verdict %u rule %u reason %u, by hand: %u %u %u",
			k.verdict, k.rule, k.reason, hand->verdict, hand->rule, hand->reason);

	b->by_rule += rreason == DLP_REASON_RULE;
	if (rverdict < DLP_VERDICT_COUNT)
		b->by_verdict[rverdict]++;
	denies = k.verdict == DLP_VERDICT_DENY && !monitor;
	if (k.denies != denies || k.retval != (denies ? TC_ACT_SHOT : TC_ACT_OK))
		failure(b, what, q, "dlp_denies %u, program returned %u, for verdict %u in %s "
			"mode", k.denies, k.retval, k.verdict, monitor ? "monitor" : "enforce");

	reports = k.verdict == DLP_VERDICT_DENY || k.verdict == DLP_VERDICT_AUDIT;
	b->rec.n = 0;
	b->rec.malformed = 0;
	n = ring_buffer__consume(b->rb);
	if (n < 0)
		fail_msg("ring_buffer__consume: %s", strerror(-n));
	if (b->rec.n != (reports ? 1u : 0u) || b->rec.malformed)
		failure(b, what, q, "%u records (%u malformed) for verdict %u, expected %u",
			b->rec.n, b->rec.malformed, k.verdict, reports ? 1 : 0);
	else if (reports)
		check_record(b, what, q, k.verdict, k.reason, rrule);
}

static void check_hand_cases(struct bed *b)
{
	unsigned int i;

	for (i = 0; i < NCASES; i++)
		check_request(b, decide_cases[i].what, &decide_cases[i].q, &decide_cases[i]);
}

/* ---- pseudo-random requests over what a policy names ---------------------- */

static __u64 rng_state;

static __u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned int pick(unsigned int n)
{
	return n ? rng() % n : 0;
}

/* Ports worth trying: every rule's bounds and their neighbours, and a few more. */
struct values {
	__u16 ports[4 * DLP_MAX_RULES * DLP_MAX_PORT_RANGES + 8];
	unsigned int nports;
	__u32 ids[2 * DLP_MAX_RULES + 8];
	unsigned int nids;
};

static void add_port(struct values *v, unsigned int port)
{
	if (port <= 0xffff && v->nports < sizeof(v->ports) / sizeof(v->ports[0]))
		v->ports[v->nports++] = port;
}

static void add_id(struct values *v, __u32 id)
{
	if (v->nids < sizeof(v->ids) / sizeof(v->ids[0]))
		v->ids[v->nids++] = id;
}

static void collect_values(const struct bed *b, struct values *v)
{
	const struct dlp_kern_rule *r;
	unsigned int i, k;

	memset(v, 0, sizeof(*v));
	add_port(v, 0);
	add_port(v, 1);
	add_port(v, 65535);
	add_id(v, 0);
	add_id(v, 1000);
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		add_id(v, users[i].id);
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		add_id(v, groups[i].id);
	for (i = 0; i < b->pol.nrules; i++) {
		r = &b->low.rules[i];
		for (k = 0; k < r->nports; k++) {
			add_port(v, r->ports[k].lo - 1);
			add_port(v, r->ports[k].lo);
			add_port(v, r->ports[k].hi);
			add_port(v, r->ports[k].hi + 1);
		}
		if (r->subject != DLP_SUBJ_ANY) {
			add_id(v, r->subject_id);
			add_id(v, r->subject_id + 1);
		}
	}
}

static __u64 random_mask(unsigned int nbits)
{
	__u64 m = 0;
	unsigned int i;

	if (!pick(8))
		return pick(4) ? 0 : 1ULL << 63;
	for (i = 0; i < nbits; i++)
		if (!pick(3))
			m |= 1ULL << i;
	return m;
}

static void random_request(const struct bed *b, const struct values *v, struct dlp_request *q)
{
	unsigned int i;

	memset(q, 0, sizeof(*q));
	q->action = pick(60) ? pick(DLP_ACT_COUNT) : DLP_ACT_COUNT + pick(250);
	q->taint = pick(DLP_CLASS_MAX + 1);
	q->media = pick(3);
	q->ledger_index = pick(10) ? pick(b->pol.nmedia + 1) : rng();
	q->proto = pick(8) ? DLP_PROTO_TCP + pick(2) : DLP_PROTO_ANY;
	q->label_class = pick(DLP_CLASS_MAX + 1);
	q->label_integrity = pick(DLP_INTEG_MAX + 1);
	q->port = pick(5) ? v->ports[pick(v->nports)] : pick(65536);
	q->uid = pick(6) ? v->ids[pick(v->nids)] : rng();
	q->ngids = pick(12) ? pick(DLP_MAX_GROUPS + 1) : DLP_MAX_GROUPS + pick(240);
	for (i = 0; i < DLP_MAX_GROUPS; i++)
		q->gids[i] = pick(4) ? v->ids[pick(v->nids)] : rng();
	q->zones = random_mask(b->pol.nzones);
	q->paths = random_mask(b->low.npaths);
}

static void check_random(struct bed *b, __u64 seed, unsigned int n)
{
	struct values *v = malloc(sizeof(*v));
	struct dlp_request q;
	char what[64];
	unsigned int i;

	assert_non_null(v);
	collect_values(b, v);
	rng_state = seed;
	for (i = 0; i < n; i++) {
		random_request(b, v, &q);
		snprintf(what, sizeof(what), "random request %u (seed 0x%llx)", i,
			 (unsigned long long)seed);
		check_request(b, what, &q, NULL);
	}
	free(v);
}

static void assert_no_failures(struct bed *b, unsigned int checked)
{
	if (b->failures)
		fail_msg("%s: %u of %u checks wrong (the first 30 listed above)", b->name,
			 b->failures, checked);
	print_message("%s: %u requests decided alike in the kernel, in user space and by the "
		      "policy as written (%u by a rule; %u allowed, %u denied, %u audited)\n",
		      b->name, checked, b->by_rule, b->by_verdict[DLP_VERDICT_ALLOW],
		      b->by_verdict[DLP_VERDICT_DENY], b->by_verdict[DLP_VERDICT_AUDIT]);
}

/* ---- tests ------------------------------------------------------------------ */

/* The enforce policy's hand-written cases and RANDOM_REQUESTS more, with the counters. */
static void check_enforce(struct bed *b)
{
	__u64 decisions = stat_sum(b, DLP_STAT_DECISIONS);
	__u64 denied = stat_sum(b, DLP_STAT_DENIED);
	unsigned int i, ndenied = 0, nvalid = 0;

	check_hand_cases(b);
	assert_no_failures(b, NCASES);
	for (i = 0; i < NCASES; i++) {
		nvalid += decide_cases[i].q.action < DLP_ACT_COUNT;
		ndenied += decide_cases[i].verdict == DLP_VERDICT_DENY;
	}
	assert_int_equal(stat_sum(b, DLP_STAT_DECISIONS) - decisions, nvalid);
	assert_int_equal(stat_sum(b, DLP_STAT_DENIED) - denied, ndenied);
	assert_int_equal(stat_sum(b, DLP_STAT_WOULD_DENY), 0);
	assert_int_equal(stat_sum(b, DLP_STAT_LOST), 0);

	check_random(b, 0x9e3779b97f4a7c15ULL, RANDOM_REQUESTS);
	assert_int_equal(stat_sum(b, DLP_STAT_LOST), 0);
	assert_no_failures(b, NCASES + RANDOM_REQUESTS);
}

static void test_enforce(void **state)
{
	check_enforce(*state = bed_new("enforce", enforce_policy));
}

/* dlp_config[@slot] as the kernel holds it. */
static struct dlp_config config_in(const struct bed *b, __u32 slot)
{
	struct dlp_config cfg;

	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.dlp_config), &slot, &cfg))
		fail_msg("dlp_config[%u]: %s", slot, strerror(errno));
	return cfg;
}

/*
 * The same policy in slot 1, its rules in the second half of dlp_rules, with
 * dlp_slot saying 1: the same verdicts, records and counters as in slot 0.
 */
static void test_enforce_slot1(void **state)
{
	struct bed *b = *state = bed_new_in("enforce in slot 1", enforce_policy, 1);
	struct dlp_config cfg = config_in(b, 1);
	unsigned int a;

	assert_int_equal(config_in(b, 0).abi_version, 0);
	assert_int_equal(cfg.abi_version, DLP_ABI_VERSION);
	assert_int_equal(cfg.generation, GENERATION + 1);
	for (a = 0; a < DLP_ACT_COUNT; a++) {
		if (cfg.first[a] != b->low.config.first[a] + DLP_MAX_RULES)
			fail_msg("slot 1, action %u: first %u, expected %u + DLP_MAX_RULES", a,
				 cfg.first[a], b->low.config.first[a]);
		assert_int_equal(cfg.count[a], b->low.config.count[a]);
	}
	check_enforce(b);
}

/*
 * With dlp_slot naming a slot that holds no policy, the program finds no
 * config and decides nothing, even though the other slot holds one.
 */
static void test_empty_slot_in_force(void **state)
{
	const struct dlp_request q = {
		.action = DLP_ACT_CONNECT, .proto = DLP_PROTO_TCP, .uid = 1234, .port = 22
	};
	struct bed *b = *state = bed_new_in("slot 0 empty", enforce_policy, 1);
	int slot_fd = bpf_map__fd(b->skel->maps.dlp_slot);
	__u32 zero = 0, slot;
	struct outcome o;

	o = run_request(b, &q);
	assert_int_equal(o.verdict, DLP_VERDICT_DENY);
	assert_int_equal(o.rule, 15);

	slot = 0;
	assert_int_equal(bpf_map_update_elem(slot_fd, &zero, &slot, BPF_ANY), 0);
	o = run_request(b, &q);
	if (o.verdict != UNTOUCHED || o.retval != TC_ACT_SHOT)
		fail_msg("dlp_slot 0, slot 0 empty: verdict %u returned %u, expected no config "
			 "found (verdict untouched, TC_ACT_SHOT)",
			 o.verdict, o.retval);

	slot = 1;
	assert_int_equal(bpf_map_update_elem(slot_fd, &zero, &slot, BPF_ANY), 0);
	o = run_request(b, &q);
	assert_int_equal(o.verdict, DLP_VERDICT_DENY);
	assert_int_equal(o.rule, 15);
}

/*
 * Two different policies side by side: each switch with dlp_slot_switch()
 * flips every decision, and its record's generation, to the other one.
 */
static void test_switch(void **state)
{
	/* rule uid denies it in the enforce policy; the defaults policy audits any connect */
	const struct decide_case uid_deny = { "connect as 1234, enforce policy",
					      CONNECT(.uid = 1234, .port = 22), DENY, 15, BY_RULE };
	const struct decide_case uid_audit = { "connect as 1234, defaults policy",
					       CONNECT(.uid = 1234, .port = 22), AUDIT, NONE,
					       BY_DEFAULT };
	struct bed *b = *state = bed_new("switch", enforce_policy);
	unsigned int round;

	bed_fill_other(b, defaults_policy);
	assert_int_equal(b->slot, 0);
	assert_int_equal(config_in(b, 1).generation, GENERATION + 1);
	/* filled, the other slot changes nothing until the switch */
	check_request(b, uid_deny.what, &uid_deny.q, &uid_deny);
	check_hand_cases(b);
	assert_no_failures(b, NCASES + 1);

	for (round = 0; round < 2; round++) {
		bed_switch(b);
		assert_int_equal(b->slot, 1);
		check_request(b, uid_audit.what, &uid_audit.q, &uid_audit);
		check_random(b, 0x5107 + round, RANDOM_REQUESTS / 4);
		assert_no_failures(b, 1 + RANDOM_REQUESTS / 4);

		bed_switch(b);
		assert_int_equal(b->slot, 0);
		check_request(b, uid_deny.what, &uid_deny.q, &uid_deny);
		check_hand_cases(b);
		check_random(b, 0x5108 + round, RANDOM_REQUESTS / 4);
		assert_no_failures(b, 1 + NCASES + RANDOM_REQUESTS / 4);
	}
}

/* Monitor mode: the same verdicts and records, nothing refused, would-denies counted. */
static void test_monitor(void **state)
{
	struct bed *b = *state = bed_new("monitor", monitor_policy);
	unsigned int i, ndenied = 0;

	check_hand_cases(b);
	assert_no_failures(b, NCASES);
	for (i = 0; i < NCASES; i++)
		ndenied += decide_cases[i].verdict == DLP_VERDICT_DENY;
	assert_int_equal(stat_sum(b, DLP_STAT_WOULD_DENY), ndenied);
	assert_int_equal(stat_sum(b, DLP_STAT_DENIED), 0);

	check_random(b, 0x0123456789abcdefULL, RANDOM_REQUESTS / 4);
	assert_int_equal(stat_sum(b, DLP_STAT_DENIED), 0);
	assert_true(stat_sum(b, DLP_STAT_WOULD_DENY) > ndenied);
	assert_no_failures(b, NCASES + RANDOM_REQUESTS / 4);
}

static void test_defaults_only(void **state)
{
	struct bed *b = *state = bed_new("defaults", defaults_policy);

	check_random(b, 42, RANDOM_REQUESTS / 4);
	assert_no_failures(b, RANDOM_REQUESTS / 4);
}

/*
 * DLP_MAX_RULES rules over every action, object kind, subject and condition,
 * drawn from a fixed seed: long walks for bpf_loop, rules deciding far down
 * the table, 64 distinct paths.
 */
static char *full_policy(void)
{
	static const char *const levels[] = { "1", "2", "3", "3A", "3B", "3C" };
	static const char *const ops[] = { ">=", ">", "=", "<=", "<" };
	static const char *const verdicts[] = { "allow", "deny", "audit" };
	char *src = NULL;
	unsigned int i, k, n, next_path = 0;
	bool connect;
	size_t len;
	FILE *f;

	f = open_memstream(&src, &len);
	assert_non_null(f);
	fputs("mode enforce\ntier lgwan\ndefault deny\ndefault connect allow\n"
	      "default modify audit\nmedia unregistered deny\n", f);
	for (i = 0; i < 10; i++)
		fprintf(f, "zone z%u 10.%u.0.0/16\n", i, i);
	for (i = 0; i < 6; i++)
		fprintf(f, "media R%u bus usb id 0781:5583 serial S%u " MEDIA_FIELDS "\n", i, i);
	rng_state = 0xfeedface;
	for (i = 0; i < DLP_MAX_RULES; i++) {
		fprintf(f, "rule r%u %s ", i, verdicts[pick(3)]);
		switch (pick(6)) {
		case 0:
			fprintf(f, "mount media %s", (const char *[]){ "", "registered",
				"unregistered", "R0", "R3", "R5" }[pick(6)]);
			break;
		case 1:
			if (pick(2))
				fprintf(f, "write media %s", pick(2) ? "" : "R1");
			else
				fprintf(f, "write path /p%u", pick(2) ? next_path++ % 64 : pick(64));
			break;
		case 2:
		case 3:
			fprintf(f, "%s ", pick(2) ? "modify" : "delete");
			if (pick(2))
				fprintf(f, "path /p%u", pick(2) ? next_path++ % 64 : pick(64));
			else if (pick(3))
				fprintf(f, "label class %s", levels[pick(6)]);
			else
				fprintf(f, "label integrity %u", 1 + pick(2));
			break;
		default:
			connect = pick(2);
			fprintf(f, "%s zone ", connect ? "connect" : "send");
			if (pick(5))
				fprintf(f, "z%u", pick(10));
			else
				fputs("any", f);
			if (pick(2)) {
				fputs(" port ", f);
				for (k = 0, n = 1 + pick(DLP_MAX_PORT_RANGES); k < n; k++) {
					unsigned int lo = 1 + pick(2000);

					if (pick(2))
						fprintf(f, "%s%u", k ? "," : "", lo);
					else
						fprintf(f, "%s%u-%u", k ? "," : "", lo, lo + pick(50));
				}
			}
			if (!pick(3))
				fprintf(f, " proto %s", connect && pick(2) ? "tcp" : "udp");
			break;
		}
		switch (pick(5)) {
		case 0:
			fprintf(f, " by user %s", pick(2) ? "tanaka" : "1234");
			break;
		case 1:
			fprintf(f, " by group %s", (const char *[]){ "somu", "bunsho-kanri",
				"3000" }[pick(3)]);
			break;
		default:
			break;
		}
		if (!pick(3))
			fprintf(f, " if class %s %s", ops[pick(5)], levels[pick(6)]);
		fputc('\n', f);
	}
	fclose(f);
	return src;
}

/* DLP_MAX_RULES rules in @slot: in slot 1 they end at the last entry of dlp_rules. */
static void check_full_table(void **state, __u32 slot)
{
	char *src = full_policy();
	struct bed *b = *state = bed_new_in(slot ? "full in slot 1" : "full", src, slot);
	unsigned int a, n = 0;

	free(src);
	for (a = 0; a < DLP_ACT_COUNT; a++)
		n += b->low.config.count[a];
	assert_int_equal(n, DLP_MAX_RULES);
	assert_int_equal(b->low.npaths, DLP_MAX_PATHS);
	check_random(b, 0xdecafbadULL, RANDOM_REQUESTS);
	assert_no_failures(b, RANDOM_REQUESTS);
}

static void test_full_table(void **state)
{
	check_full_table(state, 0);
}

static void test_full_table_slot1(void **state)
{
	check_full_table(state, 1);
}

/*
 * A ring buffer nobody reads fills up: every deny past that is still decided,
 * and its record is counted as lost, none silently dropped.
 */
static void test_ring_buffer_full(void **state)
{
	const struct dlp_request q = { .action = DLP_ACT_CONNECT, .proto = DLP_PROTO_TCP,
				       .uid = 1234, .port = 22 };
	struct bed *b = *state = bed_new("enforce", enforce_policy);
	size_t room = bpf_map__max_entries(b->skel->maps.dlp_events);
	/* a record takes its size plus an 8-byte header, rounded to 8 */
	unsigned int fits = room / ((sizeof(struct dlp_event) + 8 + 7) / 8 * 8);
	unsigned int i, runs = fits + 100, reported;
	struct outcome o;

	for (i = 0; i < runs; i++) {
		o = run_request(b, &q);
		if (o.verdict != DLP_VERDICT_DENY || o.rule != 15 || !o.denies)
			fail_msg("run %u: verdict %u rule %u denies %u, expected deny by rule 15",
				 i, o.verdict, o.rule, o.denies);
	}
	reported = b->skel->bss->dlp_test_reported;
	assert_int_equal(reported, fits);
	assert_int_equal(stat_sum(b, DLP_STAT_LOST), runs - reported);
	assert_int_equal(stat_sum(b, DLP_STAT_DENIED), runs);

	b->rec.n = 0;
	assert_int_equal(ring_buffer__consume(b->rb), reported);
	assert_int_equal(b->rec.n, reported);
	assert_int_equal(b->rec.malformed, 0);
	check_record(b, "the last record kept", &q, DLP_VERDICT_DENY, DLP_REASON_RULE, 15);
	assert_int_equal(b->failures, 0);

	/* read, it has room again */
	o = run_request(b, &q);
	assert_int_equal(b->skel->bss->dlp_test_reported, reported + 1);
	assert_int_equal(stat_sum(b, DLP_STAT_LOST), runs - reported);
	print_message("%u denies, %u records, %u counted lost\n", runs, reported, runs - reported);
}

/*
 * The config is written last: when the zone map refuses (not empty), the
 * rules are there but the config still says no policy.
 */
static void test_fill_config_last(void **state)
{
	struct decide_bpf *skel = decide_bpf__open_and_load();
	struct dlp_kern_rule rule;
	struct dlp_config cfg;
	struct dlp_policy pol;
	struct dlp_lowered low;
	struct dlp_diag diag;
	/* 10.0.0.0/8, zone lgwan's network, as the zone map keys it */
	struct dlp_zone_key key = { .prefixlen = DLP_ZONE_SLOT_BITS + 96 + 8,
				    .addr = { [10] = 0xff, 0xff, 10 } };
	__u64 zones = 1;
	__u32 zero = 0, one = 1;
	int config_fd, rules_fd, zones_fd;

	(void)state;
	assert_non_null(skel);
	config_fd = bpf_map__fd(skel->maps.dlp_config);
	rules_fd = bpf_map__fd(skel->maps.dlp_rules);
	zones_fd = bpf_map__fd(skel->maps.dlp_zones);
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "enforce", stderr);
	assert_int_equal(dlp_policy_load_buffer(&pol, enforce_policy, strlen(enforce_policy),
						&diag), 0);
	assert_int_equal(dlp_policy_lower(&pol, &fake, GENERATION, &low, &diag), 0);

	assert_int_equal(bpf_map_update_elem(zones_fd, &key, &zones, BPF_NOEXIST), 0);
	assert_int_equal(dlp_policy_maps_fill(&low, &pol, 0, config_fd, rules_fd, zones_fd),
			 -EEXIST);
	assert_int_equal(bpf_map_lookup_elem(config_fd, &zero, &cfg), 0);
	assert_int_equal(cfg.abi_version, 0);
	assert_int_equal(bpf_map_lookup_elem(rules_fd, &one, &rule), 0);
	assert_memory_equal(&rule, &low.rules[1], sizeof(rule));

	assert_int_equal(dlp_policy_maps_fill(&low, &pol, 0, config_fd, -1, zones_fd), -EBADF);
	assert_int_equal(bpf_map_lookup_elem(config_fd, &zero, &cfg), 0);
	assert_int_equal(cfg.abi_version, 0);

	/* emptied, the zone map takes the policy, and then the config is written */
	while (!bpf_map_get_next_key(zones_fd, NULL, &key))
		assert_int_equal(bpf_map_delete_elem(zones_fd, &key), 0);
	assert_int_equal(dlp_policy_maps_fill(&low, &pol, 0, config_fd, rules_fd, zones_fd), 0);
	assert_int_equal(bpf_map_lookup_elem(config_fd, &zero, &cfg), 0);
	assert_memory_equal(&cfg, &low.config, sizeof(cfg));

	dlp_lowered_free(&low);
	dlp_policy_free(&pol);
	decide_bpf__destroy(skel);
}

/*
 * dlp_policy_maps_fill() into slot 1: the rules in the second half of
 * dlp_rules, the config's first[] moved with them, every zone key of slot 1;
 * slot 0 untouched.  A slot out of range writes nothing.
 */
static void test_fill_slot(void **state)
{
	struct decide_bpf *skel = decide_bpf__open_and_load();
	struct dlp_kern_rule rule, none = { 0 };
	struct dlp_zone_key key, *prev = NULL;
	struct dlp_config cfg;
	struct dlp_policy pol;
	struct dlp_lowered low;
	struct dlp_diag diag;
	int config_fd, rules_fd, zones_fd;
	unsigned int a, n = 0, nkeys = 0;
	__u32 i, slot;

	(void)state;
	assert_non_null(skel);
	config_fd = bpf_map__fd(skel->maps.dlp_config);
	rules_fd = bpf_map__fd(skel->maps.dlp_rules);
	zones_fd = bpf_map__fd(skel->maps.dlp_zones);
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "enforce", stderr);
	assert_int_equal(
		dlp_policy_load_buffer(&pol, enforce_policy, strlen(enforce_policy), &diag), 0);
	assert_int_equal(dlp_policy_lower(&pol, &fake, GENERATION, &low, &diag), 0);
	for (a = 0; a < DLP_ACT_COUNT; a++)
		if (low.config.first[a] + low.config.count[a] > n)
			n = low.config.first[a] + low.config.count[a];
	assert_int_equal(n, pol.nrules);

	for (slot = DLP_SLOTS; slot < DLP_SLOTS + 2; slot++)
		assert_int_equal(
			dlp_policy_maps_fill(&low, &pol, slot, config_fd, rules_fd, zones_fd),
			-EINVAL);
	assert_int_equal(bpf_map_get_next_key(zones_fd, NULL, &key), -ENOENT);
	for (i = 0; i < DLP_SLOTS; i++) {
		assert_int_equal(bpf_map_lookup_elem(config_fd, &i, &cfg), 0);
		assert_int_equal(cfg.abi_version, 0);
	}
	for (i = 0; i < DLP_SLOTS * DLP_MAX_RULES; i++) {
		assert_int_equal(bpf_map_lookup_elem(rules_fd, &i, &rule), 0);
		if (memcmp(&rule, &none, sizeof(rule)))
			fail_msg("dlp_rules[%u] written by a fill into an invalid slot", i);
	}

	assert_int_equal(dlp_policy_maps_fill(&low, &pol, 1, config_fd, rules_fd, zones_fd), 0);
	slot = 0;
	assert_int_equal(bpf_map_lookup_elem(config_fd, &slot, &cfg), 0);
	assert_int_equal(cfg.abi_version, 0);
	slot = 1;
	assert_int_equal(bpf_map_lookup_elem(config_fd, &slot, &cfg), 0);
	assert_int_equal(cfg.abi_version, DLP_ABI_VERSION);
	assert_int_equal(cfg.generation, GENERATION);
	assert_int_equal(cfg.mode, low.config.mode);
	for (a = 0; a < DLP_ACT_COUNT; a++) {
		assert_int_equal(cfg.first[a], low.config.first[a] + DLP_MAX_RULES);
		assert_int_equal(cfg.count[a], low.config.count[a]);
	}
	for (i = 0; i < DLP_SLOTS * DLP_MAX_RULES; i++) {
		assert_int_equal(bpf_map_lookup_elem(rules_fd, &i, &rule), 0);
		if (i >= DLP_MAX_RULES && i < DLP_MAX_RULES + n) {
			if (memcmp(&rule, &low.rules[i - DLP_MAX_RULES], sizeof(rule)))
				fail_msg("dlp_rules[%u] is not rule %u of the policy", i,
					 i - DLP_MAX_RULES);
		} else if (memcmp(&rule, &none, sizeof(rule))) {
			fail_msg("dlp_rules[%u] written, outside slot 1's %u rules", i, n);
		}
	}
	/* the policy's networks (0.0.0.0/0 among them: no IPv4 boundary), all in slot 1 */
	while (!bpf_map_get_next_key(zones_fd, prev, &key)) {
		if (key.slot != 1 || key.prefixlen < DLP_ZONE_SLOT_BITS)
			fail_msg("zone key of slot %u, prefixlen %u, after a fill of slot 1",
				 key.slot, key.prefixlen);
		nkeys++;
		prev = &key;
	}
	assert_int_equal(nkeys, pol.nprefixes);

	dlp_lowered_free(&low);
	dlp_policy_free(&pol);
	decide_bpf__destroy(skel);
}

/*
 * Whether the kernel loads the program at all: not when it refuses BPF to
 * this process (EPERM) or has none (ENOSYS).  Other errors are the test's to
 * report, case by case.
 */
static bool kernel_refuses(void)
{
	struct decide_bpf *skel = decide_bpf__open_and_load();
	int err = errno;

	if (skel)
		decide_bpf__destroy(skel);
	return !skel && bpftest_refused(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_enforce, bed_teardown),
		cmocka_unit_test_teardown(test_enforce_slot1, bed_teardown),
		cmocka_unit_test_teardown(test_empty_slot_in_force, bed_teardown),
		cmocka_unit_test_teardown(test_switch, bed_teardown),
		cmocka_unit_test_teardown(test_monitor, bed_teardown),
		cmocka_unit_test_teardown(test_defaults_only, bed_teardown),
		cmocka_unit_test_teardown(test_full_table, bed_teardown),
		cmocka_unit_test_teardown(test_full_table_slot1, bed_teardown),
		cmocka_unit_test_teardown(test_ring_buffer_full, bed_teardown),
		cmocka_unit_test(test_fill_config_last),
		cmocka_unit_test(test_fill_slot),
	};

	if (kernel_refuses())
		return EXIT_SKIP;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
