// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/lower.c: a compiled policy lowered into the rule
 * table and config the kernel reads (include/dlpguard/rule.h), names
 * resolved through a fake resolver, and dlp_decide_user() on requests whose
 * verdicts are written by hand.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scratch.h"

#include "lower.h"
#include "policy.h"

#define HEAD "mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"
#define MEDIA_FIELDS "section 総務課 access rw until 2099-03-31"
#define GENERATION 7

static struct dlp_policy pol;
static struct dlp_lowered low;
static char *diags;
static int lower_ret;

/* The terminal's accounts, as the fake resolver knows them. */
static const struct {
	const char *name;
	__u32 id;
} users[] = { { "tanaka", 1001 }, { "suzuki", 1002 }, { "山田", 1003 } },
  groups[] = { { "somu", 2001 }, { "bunsho-kanri", 2002 } };

static int fake_lookup(const char *name, __u32 *ret_id, bool user)
{
	size_t i, n = user ? sizeof(users) / sizeof(users[0]) : sizeof(groups) / sizeof(groups[0]);

	if (!strcmp(name, "nss-down"))
		return -EIO;
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
 * Compile @src (which must be valid) as "t.policy" and lower it into low;
 * return what lowering reported.  low is left as it was when lowering fails.
 */
static const char *lower(const char *src)
{
	struct dlp_diag diag;
	size_t len;
	FILE *f;

	dlp_lowered_free(&low);
	dlp_policy_free(&pol);
	dlp_policy_init(&pol);
	free(diags);
	diags = NULL;
	f = open_memstream(&diags, &len);
	assert_non_null(f);
	dlp_diag_init(&diag, "t.policy", f);
	if (dlp_policy_load_buffer(&pol, src, strlen(src), &diag)) {
		fclose(f);
		fail_msg("test policy does not compile:\n%s", diags);
	}
	memset(&low, 0xa5, sizeof(low));
	low.npaths = 0;
	lower_ret = dlp_policy_lower(&pol, &fake, GENERATION, &low, &diag);
	fclose(f);
	return diags;
}

static void lower_ok(const char *src)
{
	assert_string_equal(lower(src), "");
	assert_int_equal(lower_ret, 0);
}

static int teardown(void **state)
{
	(void)state;
	scratch_free();
	dlp_lowered_free(&low);
	dlp_policy_free(&pol);
	free(diags);
	diags = NULL;
	return 0;
}

/* The rule with id @id in low, asserting it is at table index @idx. */
static const struct dlp_kern_rule *rule_at(unsigned int idx, unsigned int id)
{
	assert_true(idx < DLP_MAX_RULES);
	assert_int_equal(low.rules[idx].id, id);
	return &low.rules[idx];
}

static void assert_group(enum dlp_action a, unsigned int first, unsigned int count)
{
	assert_int_equal(low.config.first[a], first);
	assert_int_equal(low.config.count[a], count);
}

/* ---- lowering ------------------------------------------------------------ */

static void test_grouping(void **state)
{
	static const unsigned int want_ids[] = { 2, 7, 4, 8, 0, 3, 6, 1, 5 };
	unsigned int i;

	(void)state;
	lower_ok(HEAD "zone lan 10.0.0.0/8\n"
		 "rule c0 deny connect zone lan\n"		/* 0 */
		 "rule s0 allow send zone any\n"		/* 1 */
		 "rule m0 allow mount media\n"			/* 2 */
		 "rule c1 audit connect zone any\n"		/* 3 */
		 "rule w0 deny write media\n"			/* 4 */
		 "rule s1 deny send zone lan\n"			/* 5 */
		 "rule c2 allow connect zone lan port 1\n"	/* 6 */
		 "rule m1 deny mount media registered\n"	/* 7 */
		 "rule w1 audit write path /a\n");		/* 8 */
	assert_group(DLP_ACT_MOUNT, 0, 2);
	assert_group(DLP_ACT_WRITE, 2, 2);
	assert_group(DLP_ACT_MODIFY, 4, 0);
	assert_group(DLP_ACT_DELETE, 4, 0);
	assert_group(DLP_ACT_CONNECT, 4, 3);
	assert_group(DLP_ACT_SEND, 7, 2);
	for (i = 0; i < sizeof(want_ids) / sizeof(want_ids[0]); i++) {
		assert_int_equal(low.rules[i].id, want_ids[i]);
		assert_int_equal(low.rules[i].action, pol.rules[want_ids[i]].action);
		assert_int_equal(low.rules[i].verdict, pol.rules[want_ids[i]].verdict);
	}
}

static void test_no_rules(void **state)
{
	unsigned int a;

	(void)state;
	lower_ok(HEAD);
	for (a = 0; a < DLP_ACT_COUNT; a++)
		assert_group(a, 0, 0);
	assert_int_equal(low.npaths, 0);
}

static void test_config(void **state)
{
	(void)state;
	lower_ok("mode monitor\ntier mynumber\ndefault audit\ndefault connect deny\n"
		 "default delete allow\nmedia unregistered deny\n");
	assert_int_equal(low.config.abi_version, DLP_ABI_VERSION);
	assert_int_equal(low.config.generation, GENERATION);
	assert_int_equal(low.config.mode, DLP_MODE_MONITOR);
	assert_int_equal(low.config.tier, DLP_TIER_MYNUMBER);
	assert_int_equal(low.config.unregistered, DLP_UNREG_DENY);
	assert_int_equal(low.config.defaults[DLP_ACT_MOUNT], DLP_VERDICT_AUDIT);
	assert_int_equal(low.config.defaults[DLP_ACT_WRITE], DLP_VERDICT_AUDIT);
	assert_int_equal(low.config.defaults[DLP_ACT_MODIFY], DLP_VERDICT_AUDIT);
	assert_int_equal(low.config.defaults[DLP_ACT_DELETE], DLP_VERDICT_ALLOW);
	assert_int_equal(low.config.defaults[DLP_ACT_CONNECT], DLP_VERDICT_DENY);
	assert_int_equal(low.config.defaults[DLP_ACT_SEND], DLP_VERDICT_AUDIT);
	assert_memory_equal(low.config.pad, "\0\0\0", 3);

	lower_ok("mode enforce\ntier internet\ndefault allow\nmedia unregistered readonly\n");
	assert_int_equal(low.config.mode, DLP_MODE_ENFORCE);
	assert_int_equal(low.config.tier, DLP_TIER_INTERNET);
	assert_int_equal(low.config.unregistered, DLP_UNREG_READONLY);
	assert_int_equal(low.config.defaults[DLP_ACT_SEND], DLP_VERDICT_ALLOW);
}

/* Every field of a rule that is not set must be zero. */
static void assert_rule(const struct dlp_kern_rule *got, const struct dlp_kern_rule *want)
{
	assert_int_equal(got->verdict, want->verdict);
	assert_int_equal(got->action, want->action);
	assert_int_equal(got->object, want->object);
	assert_int_equal(got->proto, want->proto);
	assert_int_equal(got->subject, want->subject);
	assert_int_equal(got->taint_cmp, want->taint_cmp);
	assert_int_equal(got->taint_class, want->taint_class);
	assert_int_equal(got->label_class, want->label_class);
	assert_int_equal(got->label_integrity, want->label_integrity);
	assert_int_equal(got->nports, want->nports);
	assert_int_equal(got->id, want->id);
	assert_int_equal(got->subject_id, want->subject_id);
	assert_int_equal(got->object_index, want->object_index);
	assert_memory_equal(got->ports, want->ports, sizeof(got->ports));
	assert_memory_equal(got, want, sizeof(*got));
}

static void test_media_objects(void **state)
{
	(void)state;
	lower_ok(HEAD
		 "media R1 bus usb id 0781:5583 serial S1 " MEDIA_FIELDS "\n"
		 "media R2 bus mmc id 0003:5344 serial S2 " MEDIA_FIELDS "\n"
		 "rule a allow mount media\n"
		 "rule b allow mount media any\n"
		 "rule c audit mount media registered\n"
		 "rule d deny mount media unregistered\n"
		 "rule e deny write media R2 if class >= 2\n"
		 "rule f allow write media R1 by user tanaka\n");
	assert_rule(rule_at(0, 0), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_ALLOW, .action = DLP_ACT_MOUNT,
		.object = DLP_OBJ_MEDIA_ANY, .id = 0 });
	assert_rule(rule_at(1, 1), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_ALLOW, .action = DLP_ACT_MOUNT,
		.object = DLP_OBJ_MEDIA_ANY, .id = 1 });
	assert_rule(rule_at(2, 2), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_AUDIT, .action = DLP_ACT_MOUNT,
		.object = DLP_OBJ_MEDIA_REGISTERED, .id = 2 });
	assert_rule(rule_at(3, 3), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_DENY, .action = DLP_ACT_MOUNT,
		.object = DLP_OBJ_MEDIA_UNREGISTERED, .id = 3 });
	assert_rule(rule_at(4, 4), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_DENY, .action = DLP_ACT_WRITE,
		.object = DLP_OBJ_MEDIA_ENTRY, .object_index = 1, .taint_cmp = DLP_CMP_GE,
		.taint_class = DLP_CLASS_2, .id = 4 });
	assert_rule(rule_at(5, 5), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_ALLOW, .action = DLP_ACT_WRITE,
		.object = DLP_OBJ_MEDIA_ENTRY, .object_index = 0, .subject = DLP_SUBJ_USER,
		.subject_id = 1001, .id = 5 });
}

static void test_path_objects(void **state)
{
	(void)state;
	lower_ok(HEAD
		 "rule a deny delete path /share/b\n"		/* path id 0 */
		 "rule b deny write path /home\n"		/* 1 */
		 "rule c audit modify path /share/b\n"		/* 0 again */
		 "rule d allow write path /share/b\n"		/* 0 again */
		 "rule e deny modify path \"/share/人事 給与\"\n"	/* 2 */
		 "rule f deny delete path /home\n");		/* 1 again */
	assert_int_equal(low.npaths, 3);
	assert_string_equal(low.paths[0], "/share/b");
	assert_string_equal(low.paths[1], "/home");
	assert_string_equal(low.paths[2], "/share/人事 給与");
	assert_group(DLP_ACT_WRITE, 0, 2);
	assert_group(DLP_ACT_MODIFY, 2, 2);
	assert_group(DLP_ACT_DELETE, 4, 2);
	assert_rule(rule_at(0, 1), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_DENY, .action = DLP_ACT_WRITE,
		.object = DLP_OBJ_PATH, .object_index = 1, .id = 1 });
	assert_rule(rule_at(1, 3), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_ALLOW, .action = DLP_ACT_WRITE,
		.object = DLP_OBJ_PATH, .object_index = 0, .id = 3 });
	assert_rule(rule_at(2, 2), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_AUDIT, .action = DLP_ACT_MODIFY,
		.object = DLP_OBJ_PATH, .object_index = 0, .id = 2 });
	assert_rule(rule_at(3, 4), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_DENY, .action = DLP_ACT_MODIFY,
		.object = DLP_OBJ_PATH, .object_index = 2, .id = 4 });
	assert_rule(rule_at(4, 0), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_DENY, .action = DLP_ACT_DELETE,
		.object = DLP_OBJ_PATH, .object_index = 0, .id = 0 });
	assert_rule(rule_at(5, 5), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_DENY, .action = DLP_ACT_DELETE,
		.object = DLP_OBJ_PATH, .object_index = 1, .id = 5 });
	/* which files each action judges at all */
	assert_int_equal(low.config.paths[DLP_ACT_WRITE], 1 << 0 | 1 << 1);
	assert_int_equal(low.config.paths[DLP_ACT_MODIFY], 1 << 0 | 1 << 2);
	assert_int_equal(low.config.paths[DLP_ACT_DELETE], 1 << 0 | 1 << 1);
	assert_int_equal(low.config.paths[DLP_ACT_MOUNT], 0);
	assert_int_equal(low.config.paths[DLP_ACT_CONNECT], 0);
}

/* 64 distinct paths is the most the kernel tells apart, and the compiler allows. */
static void test_path_limit(void **state)
{
	char *src = NULL;
	unsigned int i;
	size_t len;
	FILE *f;

	(void)state;
	f = open_memstream(&src, &len);
	assert_non_null(f);
	fputs(HEAD, f);
	for (i = 0; i < DLP_MAX_PATHS; i++)
		fprintf(f, "rule w%u deny write path /p%u\nrule d%u deny delete path /p%u\n", i, i,
			i, i);
	fclose(f);
	keep(src);
	lower_ok(src);
	assert_int_equal(low.npaths, DLP_MAX_PATHS);
	assert_string_equal(low.paths[DLP_MAX_PATHS - 1], "/p63");
	assert_true(low.config.paths[DLP_ACT_WRITE] == ~0ULL);
	assert_true(low.config.paths[DLP_ACT_DELETE] == ~0ULL);
	assert_int_equal(low.rules[DLP_MAX_PATHS + 5].id, 11);
	assert_int_equal(low.rules[DLP_MAX_PATHS + 5].object_index, 5);
}

static void test_label_objects(void **state)
{
	static const struct {
		const char *level;
		__u8 class, integrity;
	} cases[] = {
		{ "機密性1", DLP_CLASS_1, 0 },
		{ "機密性2", DLP_CLASS_2, 0 },
		{ "機密性3", DLP_CLASS_3, 0 },
		{ "機密性3C", DLP_CLASS_3, 0 },
		{ "class 3c", DLP_CLASS_3, 0 },
		{ "機密性3B", DLP_CLASS_3B, 0 },
		{ "機密性3A", DLP_CLASS_3A, 0 },
		{ "class 3A", DLP_CLASS_3A, 0 },
		{ "完全性1", 0, DLP_INTEG_1 },
		{ "integrity 2", 0, DLP_INTEG_2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lower_ok(fmt(HEAD "rule x audit modify label %s by group somu\n"
			     "rule y deny delete label %s\n", cases[i].level, cases[i].level));
		assert_rule(rule_at(0, 0), &(struct dlp_kern_rule){
			.verdict = DLP_VERDICT_AUDIT, .action = DLP_ACT_MODIFY,
			.object = DLP_OBJ_LABEL, .label_class = cases[i].class,
			.label_integrity = cases[i].integrity, .subject = DLP_SUBJ_GROUP,
			.subject_id = 2001, .id = 0 });
		assert_rule(rule_at(1, 1), &(struct dlp_kern_rule){
			.verdict = DLP_VERDICT_DENY, .action = DLP_ACT_DELETE,
			.object = DLP_OBJ_LABEL, .label_class = cases[i].class,
			.label_integrity = cases[i].integrity, .id = 1 });
	}
}

static void test_net_objects(void **state)
{
	(void)state;
	lower_ok(HEAD "zone a 10.0.0.0/8\nzone b 192.0.2.0/24\n"
		 "rule gw allow connect zone b port 443 proto tcp\n"
		 "rule web deny connect zone any proto udp port 80,443,8000-8080,1-1,65535\n"
		 "rule all audit connect zone a\n"
		 "rule dns allow send zone a port 53 proto udp\n"
		 "rule any deny send zone any proto any\n");
	assert_rule(rule_at(0, 0), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_ALLOW, .action = DLP_ACT_CONNECT,
		.object = DLP_OBJ_ZONE, .object_index = 1, .proto = DLP_PROTO_TCP,
		.nports = 1, .ports = { { 443, 443 } }, .id = 0 });
	assert_rule(rule_at(1, 1), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_DENY, .action = DLP_ACT_CONNECT,
		.object = DLP_OBJ_ANY_ADDRESS, .proto = DLP_PROTO_UDP, .nports = 5,
		.ports = { { 80, 80 }, { 443, 443 }, { 8000, 8080 }, { 1, 1 }, { 65535, 65535 } },
		.id = 1 });
	assert_rule(rule_at(2, 2), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_AUDIT, .action = DLP_ACT_CONNECT,
		.object = DLP_OBJ_ZONE, .object_index = 0, .id = 2 });
	assert_rule(rule_at(3, 3), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_ALLOW, .action = DLP_ACT_SEND,
		.object = DLP_OBJ_ZONE, .proto = DLP_PROTO_UDP, .nports = 1,
		.ports = { { 53, 53 } }, .id = 3 });
	assert_rule(rule_at(4, 4), &(struct dlp_kern_rule){
		.verdict = DLP_VERDICT_DENY, .action = DLP_ACT_SEND,
		.object = DLP_OBJ_ANY_ADDRESS, .id = 4 });
}

static void test_taint_conditions(void **state)
{
	static const struct {
		const char *cond;
		__u8 cmp, class;
	} cases[] = {
		{ "if class >= 3", DLP_CMP_GE, DLP_CLASS_3 },
		{ "if class >= 3C", DLP_CMP_GE, DLP_CLASS_3 },
		{ "if 機密性 > 3B", DLP_CMP_GT, DLP_CLASS_3B },
		{ "if class = 3A", DLP_CMP_EQ, DLP_CLASS_3A },
		{ "if class <= 1", DLP_CMP_LE, DLP_CLASS_1 },
		{ "if class < 2", DLP_CMP_LT, DLP_CLASS_2 },
		{ "", DLP_CMP_NONE, DLP_CLASS_NONE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lower_ok(fmt(HEAD "rule x deny write media %s\n", cases[i].cond));
		assert_rule(rule_at(0, 0), &(struct dlp_kern_rule){
			.verdict = DLP_VERDICT_DENY, .action = DLP_ACT_WRITE,
			.object = DLP_OBJ_MEDIA_ANY, .taint_cmp = cases[i].cmp,
			.taint_class = cases[i].class });
	}
}

static void test_subjects(void **state)
{
	static const struct {
		const char *subject;
		__u8 kind;
		__u32 id;
	} cases[] = {
		{ "by user tanaka", DLP_SUBJ_USER, 1001 },
		{ "by user 山田", DLP_SUBJ_USER, 1003 },
		{ "by user \"suzuki\"", DLP_SUBJ_USER, 1002 },
		{ "by user 0", DLP_SUBJ_USER, 0 },
		{ "by user 1234", DLP_SUBJ_USER, 1234 },
		{ "by user 007", DLP_SUBJ_USER, 7 },
		{ "by user 4294967295", DLP_SUBJ_USER, 4294967295u },
		{ "by group somu", DLP_SUBJ_GROUP, 2001 },
		{ "by group bunsho-kanri", DLP_SUBJ_GROUP, 2002 },
		{ "by group 100", DLP_SUBJ_GROUP, 100 },
		{ "by any", DLP_SUBJ_ANY, 0 },
		{ "", DLP_SUBJ_ANY, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lower_ok(fmt(HEAD "rule x deny mount media %s\n", cases[i].subject));
		assert_int_equal(low.rules[0].subject, cases[i].kind);
		assert_int_equal(low.rules[0].subject_id, cases[i].id);
	}
}

/* What an unknown name leaves: an error per name, -ENOENT, and low untouched. */
static void assert_lower_fails(const char *src, const char *want, int err)
{
	assert_string_equal(lower(src), want);
	assert_int_equal(lower_ret, err);
	assert_int_equal(low.npaths, 0);
	assert_int_equal(low.config.abi_version, 0xa5a5a5a5);
}

static void test_unknown_names(void **state)
{
	(void)state;
	assert_lower_fails(HEAD "rule x deny mount media by user tanka\n",
			   "t.policy:5:6: error: rule 'x' names user 'tanka', who does not "
			   "exist on this terminal\n", -ENOENT);
	assert_lower_fails(HEAD "rule y deny mount media by group 総務\n",
			   "t.policy:5:6: error: rule 'y' names group '総務', which does not "
			   "exist on this terminal\n", -ENOENT);
	/* too big for a uid: a name, which this terminal does not have */
	assert_lower_fails(HEAD "rule z deny mount media by user 4294967296\n",
			   "t.policy:5:6: error: rule 'z' names user '4294967296', who does not "
			   "exist on this terminal\n", -ENOENT);
	/* every unknown name is reported, whatever its action, in file order */
	assert_lower_fails(HEAD "zone a 10.0.0.0/8\n"
			   "rule c  deny connect zone a by group nobody-here\n"
			   "rule ok allow mount media by user tanaka\n"
			   "rule m  deny  mount media by user ghost\n"
			   "rule w  deny write path /p by user 1x\n",
			   "t.policy:6:6: error: rule 'c' names group 'nobody-here', which does "
			   "not exist on this terminal\n"
			   "t.policy:8:6: error: rule 'm' names user 'ghost', who does not exist "
			   "on this terminal\n"
			   "t.policy:9:6: error: rule 'w' names user '1x', who does not exist "
			   "on this terminal\n", -ENOENT);
	/* a resolver that fails otherwise: said, and lowering stops there */
	assert_lower_fails(HEAD "rule a deny mount media by user ghost\n"
			   "rule b deny mount media by group nss-down\n"
			   "rule c deny mount media by user ghost2\n",
			   "t.policy:5:6: error: rule 'a' names user 'ghost', who does not exist "
			   "on this terminal\n"
			   "t.policy:6:6: error: rule 'b' names group 'nss-down', which could not "
			   "be looked up: Input/output error\n", -EIO);
}

static void test_system_resolver(void **state)
{
	__u32 id = 99;

	(void)state;
	assert_int_equal(dlp_resolver_system.user("root", &id), 0);
	assert_int_equal(id, 0);
	id = 99;
	assert_int_equal(dlp_resolver_system.group("root", &id), 0);
	assert_int_equal(id, 0);
	id = 99;
	assert_int_equal(dlp_resolver_system.user("dlpguard-no-such-user", &id), -ENOENT);
	assert_int_equal(dlp_resolver_system.group("dlpguard-no-such-group", &id), -ENOENT);
	assert_int_equal(id, 99);
}

/* ---- dlp_decide_user ----------------------------------------------------- */

/*
 * Zones: lgwan 0, internet 1, gw 2.  Ledger: R1 0, R2 1.  Paths: /home 0,
 * /share 1.  Users tanaka 1001; groups somu 2001, bunsho-kanri 2002.
 */
static const char decide_policy[] =
	"mode enforce\ntier lgwan\ndefault deny\ndefault connect allow\n"
	"default modify allow\ndefault delete allow\nmedia unregistered readonly\n"
	"zone lgwan 10.0.0.0/8\nzone internet 0.0.0.0/0\nzone gw 10.20.30.40\n"
	"media R1 bus usb id 0781:5583 serial S1 " MEDIA_FIELDS "\n"
	"media R2 bus usb id 0781:5583 serial S2 " MEDIA_FIELDS "\n"
	"rule mnt-r2     deny  mount media R2\n"					/* 0 */
	"rule mnt-reg    allow mount media registered\n"				/* 1 */
	"rule mnt-unreg  audit mount media unregistered by group somu\n"		/* 2 */
	"rule usb-secret deny  write media if class >= 2\n"				/* 3 */
	"rule usb-r1     audit write media R1\n"					/* 4 */
	"rule home-3     deny  write path /home if class >= 3\n"			/* 5 */
	"rule home-low   audit write path /home if class <= 2\n"			/* 6 */
	"rule share      allow write path /share by user tanaka\n"			/* 7 */
	"rule keep       allow modify label 完全性2 by group bunsho-kanri\n"		/* 8 */
	"rule guard      deny  modify label 完全性2\n"					/* 9 */
	"rule secret     audit modify label 機密性3A\n"				/* 10 */
	"rule nodel      deny  delete path /share\n"					/* 11 */
	"rule gw         allow connect zone gw port 443 proto tcp\n"			/* 12 */
	"rule web        deny  connect zone internet port 80,443,8000-8080 if class >= 2\n" /* 13 */
	"rule udp-lg     audit connect zone lgwan proto udp\n"			/* 14 */
	"rule uid        deny  connect zone any by user 1234\n"			/* 15 */
	"rule dns        allow send zone lgwan port 53\n"				/* 16 */
	"rule eq-2       deny  send zone any if class = 2\n"				/* 17 */
	"rule gt-3       deny  send zone any if class > 3\n"				/* 18 */
	"rule le-1       audit send zone any if class <= 1 by group 3000\n"		/* 19 */
	"rule lt-2       audit delete label 機密性1 if class < 2\n";			/* 20 */

#define LGWAN		(1ULL << 0)
#define INTERNET	(1ULL << 1)
#define GW		(1ULL << 2)
#define HOME		(1ULL << 0)
#define SHARE		(1ULL << 1)
#define NONE		0		/* no rule decided (DEFAULT or NO_POLICY): the id is 0 */

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
#define CONNECT_UDP(...)	{ .action = DLP_ACT_CONNECT, .proto = DLP_PROTO_UDP, __VA_ARGS__ }
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
	{ "mount unregistered, other groups", MOUNT(UNREG, .ngids = 2, .gids = { 2000, 2002 }),
	  DENY, NONE, BY_DEFAULT },
	{ "mount not media", MOUNT(.ngids = 1, .gids = { 2001 }), DENY, NONE, BY_DEFAULT },

	{ "write R1 taint 2", WRITE(REG, .taint = 2), DENY, 3, BY_RULE },
	{ "write R1 taint 1", WRITE(REG, .taint = 1), AUDIT, 4, BY_RULE },
	{ "write R2 taint 1", WRITE(REG, .ledger_index = 1, .taint = 1), DENY, NONE,
	  BY_DEFAULT },
	{ "write unregistered taint 3A", WRITE(UNREG, .taint = DLP_CLASS_3A), DENY, 3, BY_RULE },
	{ "write unregistered taint 0", WRITE(UNREG), DENY, NONE, BY_DEFAULT },
	{ "write /home taint 3", WRITE(.paths = HOME, .taint = 3), DENY, 5, BY_RULE },
	{ "write /home taint 3A", WRITE(.paths = HOME, .taint = 5), DENY, 5, BY_RULE },
	{ "write /home taint 2", WRITE(.paths = HOME, .taint = 2), AUDIT, 6, BY_RULE },
	{ "write /home taint 0", WRITE(.paths = HOME), AUDIT, 6, BY_RULE },
	{ "write /share tanaka", WRITE(.paths = SHARE, .uid = 1001), ALLOW, 7, BY_RULE },
	{ "write /share suzuki", WRITE(.paths = SHARE, .uid = 1002), DENY, NONE, BY_DEFAULT },
	{ "write /share gid 1001", WRITE(.paths = SHARE, .ngids = 1, .gids = { 1001 }), DENY,
	  NONE, BY_DEFAULT },
	{ "write /home and /share tanaka taint 3",
	  WRITE(.paths = HOME | SHARE, .uid = 1001, .taint = 3), DENY, 5, BY_RULE },
	{ "write path id 2", WRITE(.paths = 1ULL << 2, .uid = 1001), DENY, NONE, BY_DEFAULT },
	{ "write /share on R1 taint 0", WRITE(REG, .paths = SHARE, .uid = 1001), AUDIT, 4,
	  BY_RULE },

	{ "modify 完全性2 bunsho-kanri",
	  MODIFY(.label_integrity = 2, .ngids = 2, .gids = { 1, 2002 }), ALLOW, 8, BY_RULE },
	{ "modify 完全性2 other", MODIFY(.label_integrity = 2, .ngids = 1, .gids = { 1 }),
	  DENY, 9, BY_RULE },
	{ "modify 完全性1", MODIFY(.label_integrity = 1), ALLOW, NONE, BY_DEFAULT },
	{ "modify 3A", MODIFY(.label_class = DLP_CLASS_3A), AUDIT, 10, BY_RULE },
	{ "modify 3A and 完全性2", MODIFY(.label_class = 5, .label_integrity = 2), DENY, 9,
	  BY_RULE },
	{ "modify 3B", MODIFY(.label_class = DLP_CLASS_3B), ALLOW, NONE, BY_DEFAULT },
	{ "modify 3", MODIFY(.label_class = DLP_CLASS_3), ALLOW, NONE, BY_DEFAULT },
	{ "modify /share", MODIFY(.paths = SHARE), ALLOW, NONE, BY_DEFAULT },

	{ "delete /share", DELETE(.paths = SHARE), DENY, 11, BY_RULE },
	{ "delete /home", DELETE(.paths = HOME), ALLOW, NONE, BY_DEFAULT },
	{ "delete 機密性1 taint 1", DELETE(.label_class = 1, .taint = 1), AUDIT, 20, BY_RULE },
	{ "delete 機密性3A taint 0", DELETE(.label_class = 5), AUDIT, 20, BY_RULE },
	{ "delete 機密性1 taint 2", DELETE(.label_class = 1, .taint = 2), ALLOW, NONE,
	  BY_DEFAULT },
	{ "delete /share 機密性2 taint 0", DELETE(.paths = SHARE, .label_class = 2), DENY, 11,
	  BY_RULE },
	{ "delete 完全性2", DELETE(.label_integrity = 2), ALLOW, NONE, BY_DEFAULT },

	{ "connect gw 443 tcp", CONNECT(.zones = GW | LGWAN | INTERNET, .port = 443), ALLOW, 12,
	  BY_RULE },
	{ "connect gw 443 udp",
	  CONNECT_UDP(.zones = GW | LGWAN | INTERNET, .port = 443), AUDIT,
	  14, BY_RULE },
	{ "connect gw 443 tcp taint 2", CONNECT(.zones = GW | INTERNET, .port = 443, .taint = 2),
	  ALLOW, 12, BY_RULE },
	{ "connect gw 442 tcp taint 2", CONNECT(.zones = GW | INTERNET, .port = 442, .taint = 2),
	  ALLOW, NONE, BY_DEFAULT },
	{ "connect internet 443 taint 2", CONNECT(.zones = INTERNET, .port = 443, .taint = 2),
	  DENY, 13, BY_RULE },
	{ "connect internet 443 taint 1", CONNECT(.zones = INTERNET, .port = 443, .taint = 1),
	  ALLOW, NONE, BY_DEFAULT },
	{ "connect internet 80 taint 2", CONNECT(.zones = INTERNET, .port = 80, .taint = 2),
	  DENY, 13, BY_RULE },
	{ "connect internet 79 taint 2", CONNECT(.zones = INTERNET, .port = 79, .taint = 2),
	  ALLOW, NONE, BY_DEFAULT },
	{ "connect internet 81 taint 2", CONNECT(.zones = INTERNET, .port = 81, .taint = 2),
	  ALLOW, NONE, BY_DEFAULT },
	{ "connect internet 7999 taint 2", CONNECT(.zones = INTERNET, .port = 7999, .taint = 2),
	  ALLOW, NONE, BY_DEFAULT },
	{ "connect internet 8000 taint 2", CONNECT(.zones = INTERNET, .port = 8000, .taint = 2),
	  DENY, 13, BY_RULE },
	{ "connect internet 8080 taint 2", CONNECT(.zones = INTERNET, .port = 8080, .taint = 2),
	  DENY, 13, BY_RULE },
	{ "connect internet 8081 taint 2", CONNECT(.zones = INTERNET, .port = 8081, .taint = 2),
	  ALLOW, NONE, BY_DEFAULT },
	{ "connect internet 443 udp taint 3",
	  CONNECT_UDP(.zones = INTERNET, .port = 443, .taint = 3), DENY, 13,
	  BY_RULE },
	{ "connect lgwan udp", CONNECT_UDP(.zones = LGWAN, .port = 9), AUDIT,
	  14, BY_RULE },
	{ "connect lgwan tcp", CONNECT(.zones = LGWAN, .port = 9), ALLOW, NONE, BY_DEFAULT },
	{ "connect nowhere uid 1234", CONNECT(.uid = 1234, .port = 22), DENY, 15, BY_RULE },
	{ "connect nowhere uid 1235", CONNECT(.uid = 1235, .port = 22), ALLOW, NONE, BY_DEFAULT },
	{ "connect zone bit 63", CONNECT(.zones = 1ULL << 63, .uid = 1), ALLOW, NONE, BY_DEFAULT },

	{ "send lgwan 53", SEND(.zones = LGWAN, .port = 53, .taint = 2), ALLOW, 16, BY_RULE },
	{ "send lgwan 54 taint 2", SEND(.zones = LGWAN, .port = 54, .taint = 2), DENY, 17,
	  BY_RULE },
	{ "send taint 3", SEND(.port = 53, .taint = 3, .ngids = 1, .gids = { 3000 }), DENY, NONE,
	  BY_DEFAULT },
	{ "send taint 3B", SEND(.taint = DLP_CLASS_3B), DENY, 18, BY_RULE },
	{ "send taint 1 group 3000", SEND(.taint = 1, .ngids = 1, .gids = { 3000 }), AUDIT, 19,
	  BY_RULE },
	{ "send taint 0 group 3000", SEND(.ngids = 1, .gids = { 3000 }), AUDIT, 19, BY_RULE },
	{ "send taint 1 no group", SEND(.taint = 1), DENY, NONE, BY_DEFAULT },

	{ "action 6", { .action = DLP_ACT_COUNT }, DENY, NONE, DLP_REASON_NO_POLICY },
	{ "action 255", { .action = 255 }, DENY, NONE, DLP_REASON_NO_POLICY },
};

static void test_decide(void **state)
{
	unsigned int i, failures = 0;
	__u16 rule;
	__u8 verdict, reason;

	(void)state;
	lower_ok(decide_policy);
	assert_int_equal(low.npaths, 2);
	assert_string_equal(low.paths[0], "/home");
	for (i = 0; i < sizeof(decide_cases) / sizeof(decide_cases[0]); i++) {
		const struct decide_case *c = &decide_cases[i];

		rule = NONE;
		reason = 0xff;
		verdict = dlp_decide_user(&low, &c->q, &rule, &reason);
		if (verdict == c->verdict && rule == c->rule && reason == c->reason)
			continue;
		failures++;
		print_error("%s: got verdict %u rule %u reason %u, expected %u %u %u\n", c->what,
			    verdict, rule, reason, c->verdict, c->rule, c->reason);
	}
	if (failures)
		fail_msg("%u of %zu decisions wrong (listed above)", failures,
			 sizeof(decide_cases) / sizeof(decide_cases[0]));
}

/* An action whose default alone decides; an empty table. */
static void test_decide_defaults(void **state)
{
	struct dlp_request q = { 0 };
	__u16 rule = NONE;
	__u8 reason, a;

	(void)state;
	lower_ok("mode monitor\ntier lgwan\ndefault audit\ndefault send deny\n"
		 "media unregistered deny\n");
	for (a = 0; a < DLP_ACT_COUNT; a++) {
		q.action = a;
		assert_int_equal(dlp_decide_user(&low, &q, &rule, &reason),
				 a == DLP_ACT_SEND ? DENY : AUDIT);
		assert_int_equal(reason, DLP_REASON_DEFAULT);
		assert_int_equal(rule, NONE);
	}
}

/* The walk stops at the table's end, as the kernel's lookups fail there. */
static void test_decide_table_end(void **state)
{
	struct dlp_request q = { .action = DLP_ACT_MOUNT, .media = DLP_MEDIA_REGISTERED };
	__u16 rule = NONE;
	__u8 reason;

	(void)state;
	lower_ok(HEAD "rule a allow mount media\n");
	low.config.first[DLP_ACT_MOUNT] = DLP_MAX_RULES - 1;
	low.config.count[DLP_ACT_MOUNT] = 5;
	low.rules[DLP_MAX_RULES - 1] = low.rules[0];
	low.rules[DLP_MAX_RULES - 1].id = 42;
	assert_int_equal(dlp_decide_user(&low, &q, &rule, &reason), ALLOW);
	assert_int_equal(rule, 42);
	q.media = DLP_MEDIA_NONE;
	rule = NONE;
	assert_int_equal(dlp_decide_user(&low, &q, &rule, &reason), DENY);
	assert_int_equal(reason, DLP_REASON_DEFAULT);
	assert_int_equal(rule, NONE);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_grouping),
		T(test_no_rules),
		T(test_config),
		T(test_media_objects),
		T(test_path_objects),
		T(test_path_limit),
		T(test_label_objects),
		T(test_net_objects),
		T(test_taint_conditions),
		T(test_subjects),
		T(test_unknown_names),
		T(test_system_resolver),
		T(test_decide),
		T(test_decide_defaults),
		T(test_decide_table_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
