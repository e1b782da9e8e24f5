// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/parser.c against docs/policy.md §2 and §4: every
 * statement and form, the fields each fills in, and the exact diagnostic
 * line of each syntax error.  Only the parser runs here (dlp_policy_parse());
 * whole-file checks are test_compiler.c's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "scratch.h"

#include "policy.h"
#include "utf8.h"

static struct dlp_policy pol;	/* what the last parse() read */
static char *diags;		/* what it reported */
static int parse_ret;
static unsigned int nerrors, nwarnings;

static int teardown(void **state)
{
	(void)state;
	scratch_free();
	dlp_policy_free(&pol);
	free(diags);
	diags = NULL;
	return 0;
}

/* Parse @src as file "t.policy"; return the diagnostics. */
static const char *parse(const char *src)
{
	struct dlp_diag diag;
	size_t len;
	FILE *f;

	dlp_policy_free(&pol);
	free(diags);
	diags = NULL;
	f = open_memstream(&diags, &len);
	assert_non_null(f);
	dlp_diag_init(&diag, "t.policy", f);
	parse_ret = dlp_policy_parse(&pol, src, strlen(src), &diag);
	fclose(f);
	nerrors = diag.errors;
	nwarnings = diag.warnings;
	return diags;
}

/* Parse @src, which must be free of errors and warnings. */
static void parse_ok(const char *src)
{
	assert_string_equal(parse(src), "");
	assert_int_equal(parse_ret, 0);
	assert_int_equal(nerrors, 0);
	assert_int_equal(nwarnings, 0);
}

/* Parse @src, which must hold exactly one rule; return it. */
static const struct dlp_rule *rule(const char *src)
{
	parse_ok(src);
	assert_int_equal(pol.nrules, 1);
	return &pol.rules[0];
}

/* Parse @src, which must hold exactly one label; return it. */
static const struct dlp_label *label(const char *src)
{
	parse_ok(src);
	assert_int_equal(pol.nlabels, 1);
	return &pol.labels[0];
}

#define assert_pos(p, l, c) do {			\
	assert_int_equal((p).line, (l));		\
	assert_int_equal((p).col, (c));			\
} while (0)

#define assert_defaults(m, w, mo, de, c, s) do {			\
	assert_int_equal(pol.defaults[DLP_ACT_MOUNT], (m));		\
	assert_int_equal(pol.defaults[DLP_ACT_WRITE], (w));		\
	assert_int_equal(pol.defaults[DLP_ACT_MODIFY], (mo));		\
	assert_int_equal(pol.defaults[DLP_ACT_DELETE], (de));		\
	assert_int_equal(pol.defaults[DLP_ACT_CONNECT], (c));		\
	assert_int_equal(pol.defaults[DLP_ACT_SEND], (s));		\
} while (0)

#define ALLOW DLP_VERDICT_ALLOW
#define DENY DLP_VERDICT_DENY
#define AUDIT DLP_VERDICT_AUDIT

/* ---- version, mode, tier -------------------------------------------- */

static void test_version(void **state)
{
	(void)state;
	parse_ok("mode enforce\n");
	assert_int_equal(pol.version, 1);		/* 1 if absent */
	assert_int_equal(pol.seen_version.line, 0);
	parse_ok("# comment\n\nversion 1\nmode enforce\n");
	assert_int_equal(pol.version, 1);
	assert_pos(pol.seen_version, 3, 1);
	parse_ok("\xef\xbb\xbf　version\t1 # first\n");
	assert_pos(pol.seen_version, 1, 2);
}

static void test_mode(void **state)
{
	(void)state;
	parse_ok("mode enforce");
	assert_int_equal(pol.mode, DLP_MODE_ENFORCE);
	assert_pos(pol.seen_mode, 1, 1);
	parse_ok("\n  mode monitor  # comment\n");
	assert_int_equal(pol.mode, DLP_MODE_MONITOR);
	assert_pos(pol.seen_mode, 2, 3);
	assert_int_equal(pol.nlines, 2);
}

static void test_tier(void **state)
{
	(void)state;
	parse_ok("tier mynumber");
	assert_int_equal(pol.tier, DLP_TIER_MYNUMBER);
	parse_ok("tier lgwan");
	assert_int_equal(pol.tier, DLP_TIER_LGWAN);
	parse_ok("mode enforce\ntier internet\n");
	assert_int_equal(pol.tier, DLP_TIER_INTERNET);
	assert_pos(pol.seen_tier, 2, 1);
}

/* ---- default ---------------------------------------------------------- */

static void test_default(void **state)
{
	(void)state;
	parse_ok("default deny");
	assert_defaults(DENY, DENY, DENY, DENY, DENY, DENY);
	assert_pos(pol.seen_default, 1, 1);
	parse_ok("default audit");
	assert_defaults(AUDIT, AUDIT, AUDIT, AUDIT, AUDIT, AUDIT);
	parse_ok("default allow");
	assert_defaults(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW);
}

static void test_default_action_after_default(void **state)
{
	(void)state;
	parse_ok("default deny\ndefault connect allow\n");
	assert_defaults(DENY, DENY, DENY, DENY, ALLOW, DENY);
	assert_pos(pol.seen_default, 1, 1);
	assert_pos(pol.seen_action_default[DLP_ACT_CONNECT], 2, 1);
	assert_int_equal(pol.seen_action_default[DLP_ACT_SEND].line, 0);
}

static void test_default_action_before_default(void **state)
{
	(void)state;
	parse_ok("default connect allow\ndefault deny\n");
	assert_defaults(DENY, DENY, DENY, DENY, ALLOW, DENY);
	parse_ok("default send audit\ndefault mount deny\ndefault allow\ndefault delete deny\n");
	assert_defaults(DENY, ALLOW, ALLOW, DENY, ALLOW, AUDIT);
	parse_ok("default mount allow\ndefault write audit\ndefault modify deny\n"
		 "default delete allow\ndefault connect audit\ndefault send deny\ndefault deny\n");
	assert_defaults(ALLOW, AUDIT, DENY, ALLOW, AUDIT, DENY);
}

/* ---- zone ------------------------------------------------------------- */

static void test_zone(void **state)
{
	const struct dlp_network *n;

	(void)state;
	parse_ok("zone lgwan 10.0.0.0/8 172.16.0.0/12 fd00:10::/32\n"
		 "zone 無害化 10.20.30.40          # one host\n"
		 "zone lgwan 192.168.0.0/16        # continued\n"
		 "zone v6host \"2001:db8::1\" ::/0\n");
	assert_int_equal(pol.nzones, 3);
	assert_int_equal(pol.nnets, 7);

	assert_string_equal(pol.zones[0].name, "lgwan");
	assert_pos(pol.zones[0].pos, 1, 6);
	assert_int_equal(pol.zones[0].nnets, 4);
	n = pol.zones[0].nets;
	assert_int_equal(n[0].family, AF_INET);
	assert_int_equal(n[0].prefixlen, 8);
	assert_memory_equal(n[0].addr, "\x0a\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(n[1].prefixlen, 12);
	assert_memory_equal(n[1].addr, "\xac\x10\0\0", 4);
	assert_int_equal(n[2].family, AF_INET6);
	assert_int_equal(n[2].prefixlen, 32);
	assert_memory_equal(n[2].addr, "\xfd\x00\x00\x10\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(n[3].prefixlen, 16);
	assert_memory_equal(n[3].addr, "\xc0\xa8\0\0", 4);

	assert_string_equal(pol.zones[1].name, "無害化");
	assert_pos(pol.zones[1].pos, 2, 6);
	assert_int_equal(pol.zones[1].nnets, 1);
	assert_int_equal(pol.zones[1].nets[0].family, AF_INET);
	assert_int_equal(pol.zones[1].nets[0].prefixlen, 32);
	assert_memory_equal(pol.zones[1].nets[0].addr, "\x0a\x14\x1e\x28", 4);

	/* a quoted address; a bare IPv6 address is a /128 */
	assert_string_equal(pol.zones[2].name, "v6host");
	assert_int_equal(pol.zones[2].nnets, 2);
	assert_int_equal(pol.zones[2].nets[0].family, AF_INET6);
	assert_int_equal(pol.zones[2].nets[0].prefixlen, 128);
	assert_memory_equal(pol.zones[2].nets[0].addr,
			    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	assert_int_equal(pol.zones[2].nets[1].prefixlen, 0);
}

static void test_zone_duplicate_network(void **state)
{
	(void)state;
	/* the same network twice in one zone: a warning, and kept once */
	assert_string_equal(parse("zone lgwan 10.0.0.0/8\nzone lgwan 172.16.0.0/12 10.0.0.0/8\n"),
			    "t.policy:2:26: warning: '10.0.0.0/8' is already in zone 'lgwan'\n");
	assert_int_equal(parse_ret, 0);
	assert_int_equal(nerrors, 0);
	assert_int_equal(nwarnings, 1);
	assert_int_equal(pol.zones[0].nnets, 2);
	assert_int_equal(pol.nnets, 2);
	/* in two zones: legal, and no warning */
	parse_ok("zone a 10.0.0.0/8\nzone b 10.0.0.0/8\n");
	assert_int_equal(pol.nnets, 2);
}

static void test_zone_names(void **state)
{
	(void)state;
	/* words that are keywords elsewhere are names here */
	parse_ok("zone zone 10.0.0.0/8\nzone port ::1\nzone by 10.0.0.1\nzone a1 10.0.0.2\n");
	assert_int_equal(pol.nzones, 4);
	assert_string_equal(pol.zones[0].name, "zone");
	assert_string_equal(pol.zones[1].name, "port");
	assert_string_equal(pol.zones[2].name, "by");
	/* 64 bytes: the longest name */
	parse_ok(fmt("zone %s 10.0.0.0/8", repeat("z", 64)));
	assert_int_equal(strlen(pol.zones[0].name), 64);
}

static void test_zone_limit(void **state)
{
	char *src = keep(calloc(1, 65 * 32));
	unsigned int i;

	(void)state;
	for (i = 0; i < 64; i++)
		sprintf(src + strlen(src), "zone z%u 10.%u.0.0/16\n", i, i);
	parse_ok(src);
	assert_int_equal(pol.nzones, 64);
	strcat(src, "zone z64 10.64.0.0/16\n");
	assert_string_equal(parse(src), "t.policy:65:6: error: too many zones; at most 64\n");
	assert_int_equal(pol.nzones, 64);
	/* an existing zone may still grow */
	strcat(src, "zone z0 10.65.0.0/16\n");
	assert_string_equal(parse(src), "t.policy:65:6: error: too many zones; at most 64\n");
	assert_int_equal(pol.zones[0].nnets, 2);
}

static void test_network_limit(void **state)
{
	char *src = keep(calloc(1, 4200 * 16));
	unsigned int i;

	(void)state;
	/* 4096 networks, 62 per line (67 lines) */
	for (i = 0; i < 4096; i++)
		sprintf(src + strlen(src), "%s10.0.%u.%u%s", i % 62 ? " " : "zone z ", i / 256,
			i % 256, i % 62 == 61 || i == 4095 ? "\n" : "");
	parse_ok(src);
	assert_int_equal(pol.nnets, 4096);
	assert_int_equal(pol.nlines, 67);
	/* the 4097th is reported once, however many follow */
	strcat(src, "zone z 10.1.0.0 10.1.0.1\nzone y 10.1.0.2\n");
	assert_string_equal(parse(src),
			    "t.policy:68:8: error: too many networks in all zones; at most 4096\n");
	assert_int_equal(nerrors, 1);
	assert_int_equal(pol.nnets, 4096);
}

/* ---- label ------------------------------------------------------------ */

static void test_label_dir(void **state)
{
	const struct dlp_label *lb;

	(void)state;
	lb = label("label dir /share/機密性3 機密性3");
	assert_int_equal(lb->kind, DLP_LABEL_DIR);
	assert_string_equal(lb->match, "/share/機密性3");
	assert_int_equal(lb->level, DLP_LEVEL_3);
	assert_int_equal(lb->integrity, DLP_INTEG_NONE);
	assert_pos(lb->pos, 1, 11);

	lb = label("\nlabel dir \"/share/人事 給与\" 機密性3A 完全性2");
	assert_string_equal(lb->match, "/share/人事 給与");
	assert_int_equal(lb->level, DLP_LEVEL_3A);
	assert_int_equal(lb->integrity, DLP_INTEG_2);
	assert_pos(lb->pos, 2, 11);

	lb = label("label dir /share/例規集 完全性2");
	assert_int_equal(lb->level, DLP_LEVEL_NONE);
	assert_int_equal(lb->integrity, DLP_INTEG_2);

	/* levels in either order, either language */
	lb = label("label dir / integrity 1 class 3B");
	assert_string_equal(lb->match, "/");
	assert_int_equal(lb->level, DLP_LEVEL_3B);
	assert_int_equal(lb->integrity, DLP_INTEG_1);

	/* 32 components: the deepest */
	lb = label(fmt("label dir %s 機密性1", repeat("/d", 32)));
	assert_int_equal(strlen(lb->match), 64);
	assert_int_equal(lb->level, DLP_LEVEL_1);
}

static void test_label_prefix(void **state)
{
	const struct dlp_label *lb;

	(void)state;
	lb = label("label prefix 機2_ 機密性2");
	assert_int_equal(lb->kind, DLP_LABEL_PREFIX);
	assert_string_equal(lb->match, "機2_");
	assert_int_equal(lb->level, DLP_LEVEL_2);
	assert_pos(lb->pos, 1, 14);
	lb = label("label prefix 機3A_ class 3A");
	assert_int_equal(lb->level, DLP_LEVEL_3A);
	lb = label("label prefix \"a b#\" 機密性3C");
	assert_string_equal(lb->match, "a b#");
	assert_int_equal(lb->level, DLP_LEVEL_3C);
	/* the same text as a dir and as a prefix: two labels */
	parse_ok("label dir /x 機密性1\nlabel prefix x 機密性1\nlabel prefix y 機密性2\n");
	assert_int_equal(pol.nlabels, 3);
	assert_string_equal(pol.labels[2].match, "y");
	assert_pos(pol.labels[2].pos, 3, 14);
}

static void test_levels(void **state)
{
	static const struct {
		const char *text;
		enum dlp_level level;
		enum dlp_integrity integ;
	} cases[] = {
		{ "機密性1", DLP_LEVEL_1, DLP_INTEG_NONE },
		{ "機密性2", DLP_LEVEL_2, DLP_INTEG_NONE },
		{ "機密性3", DLP_LEVEL_3, DLP_INTEG_NONE },
		{ "機密性3A", DLP_LEVEL_3A, DLP_INTEG_NONE },
		{ "機密性3B", DLP_LEVEL_3B, DLP_INTEG_NONE },
		{ "機密性3C", DLP_LEVEL_3C, DLP_INTEG_NONE },
		{ "完全性1", DLP_LEVEL_NONE, DLP_INTEG_1 },
		{ "完全性2", DLP_LEVEL_NONE, DLP_INTEG_2 },
		{ "class 1", DLP_LEVEL_1, DLP_INTEG_NONE },
		{ "class 2", DLP_LEVEL_2, DLP_INTEG_NONE },
		{ "class 3", DLP_LEVEL_3, DLP_INTEG_NONE },
		{ "class 3A", DLP_LEVEL_3A, DLP_INTEG_NONE },
		{ "class 3B", DLP_LEVEL_3B, DLP_INTEG_NONE },
		{ "class 3C", DLP_LEVEL_3C, DLP_INTEG_NONE },
		{ "integrity 1", DLP_LEVEL_NONE, DLP_INTEG_1 },
		{ "integrity 2", DLP_LEVEL_NONE, DLP_INTEG_2 },
		/* what a Japanese input method types: full-width digits and letters */
		{ "機密性２", DLP_LEVEL_2, DLP_INTEG_NONE },
		{ "機密性３ａ", DLP_LEVEL_3A, DLP_INTEG_NONE },
		{ "機密性３Ｂ", DLP_LEVEL_3B, DLP_INTEG_NONE },
		{ "機密性3c", DLP_LEVEL_3C, DLP_INTEG_NONE },
		{ "class ３ｂ", DLP_LEVEL_3B, DLP_INTEG_NONE },
		{ "完全性２", DLP_LEVEL_NONE, DLP_INTEG_2 },
		{ "integrity １", DLP_LEVEL_NONE, DLP_INTEG_1 },
	};
	const struct dlp_label *lb;
	char src[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(src, sizeof(src), "label dir /x %s", cases[i].text);
		lb = label(src);
		if (lb->level != cases[i].level || lb->integrity != cases[i].integ)
			fail_msg("'%s' read as level %d, integrity %d", cases[i].text, lb->level,
				 lb->integrity);
	}
}

static void test_label_xattr(void **state)
{
	(void)state;
	parse_ok("label xattr user.dlpguard.label");
	assert_string_equal(pol.label_xattr, "user.dlpguard.label");
	assert_pos(pol.seen_xattr, 1, 1);
	assert_int_equal(pol.nlabels, 0);
	parse_ok("label xattr security.dlpguard");
	assert_string_equal(pol.label_xattr, "security.dlpguard");
	parse_ok("label xattr \"trusted.dlp guard\"");
	assert_string_equal(pol.label_xattr, "trusted.dlp guard");
	parse_ok("mode enforce");
	assert_null(pol.label_xattr);
}

static void test_label_limit(void **state)
{
	char *src = keep(calloc(1, 1030 * 48));
	unsigned int i;

	(void)state;
	for (i = 0; i < 1024; i++)
		sprintf(src + strlen(src), "label dir /d/%u 機密性1\n", i);
	parse_ok(src);
	assert_int_equal(pol.nlabels, 1024);
	strcat(src, "label dir /q 機密性1\nlabel dir /r 機密性1\n");
	assert_string_equal(parse(src), "t.policy:1025:11: error: too many labels; at most 1024\n");
	assert_int_equal(pol.nlabels, 1024);
}

/* The kernel holds 32 prefixes of at most 32 bytes: more is said once. */
static void test_label_prefix_limits(void **state)
{
	char *src = keep(calloc(1, 40 * 48));
	unsigned int i;

	(void)state;
	for (i = 0; i < 32; i++)
		sprintf(src + strlen(src), "label prefix p%u_ 機密性1\n", i);
	parse_ok(src);
	assert_int_equal(pol.nlabels, 32);
	strcat(src, "label prefix q_ 機密性1\nlabel prefix r_ 機密性1\n");
	assert_string_equal(parse(src), "t.policy:33:14: error: too many 'label prefix' "
			    "statements; at most 32\n");
	assert_int_equal(pol.nlabels, 32);

	parse_ok("label prefix 機機機機機機機機機機_a 機密性3\n");
	assert_string_equal(parse("label prefix 機機機機機機機機機機_ab 機密性3\n"),
			    "t.policy:1:14: error: prefix '機機機機機機機機機機_ab' is 33 bytes long; "
			    "at most 32 (UTF-8 bytes: 10 kanji)\n");
}

/* ---- media ------------------------------------------------------------ */

static void test_media_entry(void **state)
{
	const struct dlp_media *m;

	(void)state;
	parse_ok("media 総務-2025-001 bus usb id 0781:5583 serial 4C530001234 section 総務課 "
		 "access rw until 2026-03-31\n"
		 "media 税務-2025-007 until 2028-02-29 access ro section \"税務課 第2係\" "
		 "serial \"AA \\\"0042\\\"\" id ABcd:eF01 bus mmc\n");
	assert_int_equal(pol.nmedia, 2);
	m = &pol.media[0];
	assert_string_equal(m->regno, "総務-2025-001");
	assert_pos(m->pos, 1, 7);
	assert_int_equal(m->bus, DLP_BUS_USB);
	assert_int_equal(m->vendor, 0x0781);
	assert_int_equal(m->product, 0x5583);
	assert_string_equal(m->serial, "4C530001234");
	assert_string_equal(m->section, "総務課");
	assert_true(m->writable);
	assert_int_equal(m->until.year, 2026);
	assert_int_equal(m->until.month, 3);
	assert_int_equal(m->until.day, 31);

	/* any order; hex in either case; a quoted serial with a quote in it */
	m = &pol.media[1];
	assert_string_equal(m->regno, "税務-2025-007");
	assert_pos(m->pos, 2, 7);
	assert_int_equal(m->bus, DLP_BUS_MMC);
	assert_int_equal(m->vendor, 0xabcd);
	assert_int_equal(m->product, 0xef01);
	assert_string_equal(m->serial, "AA \"0042\"");
	assert_string_equal(m->section, "税務課 第2係");
	assert_false(m->writable);
	assert_int_equal(m->until.year, 2028);
	assert_int_equal(m->until.month, 2);
	assert_int_equal(m->until.day, 29);
}

static void test_media_dates(void **state)
{
	static const char *const good[] = {
		"2026-03-31", "2028-02-29", "2000-02-29", "2026-12-31", "2026-01-01", "1970-01-01",
		"9999-12-31",
	};
	char src[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(src, sizeof(src),
			 "media R bus usb id 0000:0000 serial S section s access ro until "
			 "%s", good[i]);
		parse_ok(src);
		assert_int_equal(pol.media[0].until.year, atoi(good[i]));
		assert_int_equal(pol.media[0].until.month, atoi(good[i] + 5));
		assert_int_equal(pol.media[0].until.day, atoi(good[i] + 8));
	}
}

static void test_media_unregistered(void **state)
{
	(void)state;
	/* the place recorded is the value's, for warnings about it */
	parse_ok("media unregistered deny");
	assert_int_equal(pol.unregistered, DLP_UNREG_DENY);
	assert_pos(pol.seen_unregistered, 1, 20);
	assert_int_equal(pol.nmedia, 0);
	parse_ok("\nmedia　unregistered readonly");
	assert_int_equal(pol.unregistered, DLP_UNREG_READONLY);
	assert_pos(pol.seen_unregistered, 2, 20);
	parse_ok("media unregistered allow");
	assert_int_equal(pol.unregistered, DLP_UNREG_ALLOW);
}

static void test_media_limit(void **state)
{
	char *src = keep(calloc(1, 4098 * 96));
	unsigned int i;

	(void)state;
	for (i = 0; i < 4096; i++)
		sprintf(src + strlen(src),
			"media R%u bus usb id 0781:5583 serial S%u section s access rw "
			"until 2026-03-31\n", i, i);
	parse_ok(src);
	assert_int_equal(pol.nmedia, 4096);
	strcat(src, "media X bus usb\n");
	assert_string_equal(parse(src),
			    "t.policy:4097:7: error: too many ledger entries; at most 4096\n");
	assert_int_equal(pol.nmedia, 4096);
}

/* ---- rule ------------------------------------------------------------- */

static void test_rule_mount(void **state)
{
	const struct dlp_rule *r;

	(void)state;
	r = rule("rule usb-mount      allow mount media registered");
	assert_string_equal(r->id, "usb-mount");
	assert_pos(r->pos, 1, 6);
	assert_int_equal(r->verdict, DLP_VERDICT_ALLOW);
	assert_int_equal(r->action, DLP_ACT_MOUNT);
	assert_int_equal(r->object, DLP_OBJ_MEDIA_REGISTERED);
	assert_null(r->object_name);
	assert_int_equal(r->nports, 0);
	assert_int_equal(r->proto, DLP_PROTO_ANY);
	assert_int_equal(r->subject, DLP_SUBJ_ANY);
	assert_null(r->subject_name);
	assert_int_equal(r->taint_cmp, DLP_CMP_NONE);

	assert_int_equal(rule("rule m deny mount media")->object, DLP_OBJ_MEDIA_ANY);
	assert_int_equal(rule("rule m deny mount media any")->object, DLP_OBJ_MEDIA_ANY);
	assert_int_equal(rule("rule m deny mount media unregistered")->object,
			 DLP_OBJ_MEDIA_UNREGISTERED);

	r = rule("rule m audit mount media 総務-2025-001");
	assert_int_equal(r->verdict, DLP_VERDICT_AUDIT);
	assert_int_equal(r->object, DLP_OBJ_MEDIA_ENTRY);
	assert_string_equal(r->object_name, "総務-2025-001");
	assert_pos(r->object_pos, 1, 26);
}

static void test_rule_write(void **state)
{
	const struct dlp_rule *r;

	(void)state;
	r = rule("rule usb-secret     deny  write media if class >= 2");
	assert_int_equal(r->verdict, DLP_VERDICT_DENY);
	assert_int_equal(r->action, DLP_ACT_WRITE);
	assert_int_equal(r->object, DLP_OBJ_MEDIA_ANY);
	assert_int_equal(r->taint_cmp, DLP_CMP_GE);
	assert_int_equal(r->taint_level, DLP_LEVEL_2);

	r = rule("rule usb-ok audit write media registered by group 1000");
	assert_int_equal(r->object, DLP_OBJ_MEDIA_REGISTERED);
	assert_int_equal(r->subject, DLP_SUBJ_GROUP);
	assert_string_equal(r->subject_name, "1000");

	r = rule("rule local-3 deny write path /home if class >= 3");
	assert_int_equal(r->object, DLP_OBJ_PATH);
	assert_string_equal(r->object_name, "/home");
	assert_pos(r->object_pos, 1, 30);
	assert_int_equal(r->taint_cmp, DLP_CMP_GE);
	assert_int_equal(r->taint_level, DLP_LEVEL_3);

	r = rule("rule q allow write path \"/share/共有 フォルダ\"");
	assert_string_equal(r->object_name, "/share/共有 フォルダ");
}

static void test_rule_modify_delete(void **state)
{
	const struct dlp_rule *r;

	(void)state;
	r = rule("rule ledger-keep allow modify label 完全性2 by group 文書管理");
	assert_int_equal(r->action, DLP_ACT_MODIFY);
	assert_int_equal(r->object, DLP_OBJ_LABEL);
	assert_int_equal(r->label_level, DLP_LEVEL_NONE);
	assert_int_equal(r->label_integrity, DLP_INTEG_2);
	assert_null(r->object_name);
	assert_int_equal(r->subject, DLP_SUBJ_GROUP);
	assert_string_equal(r->subject_name, "文書管理");

	r = rule("rule ledger-nodel deny delete label 機密性2");
	assert_int_equal(r->action, DLP_ACT_DELETE);
	assert_int_equal(r->object, DLP_OBJ_LABEL);
	assert_int_equal(r->label_level, DLP_LEVEL_2);
	assert_int_equal(r->label_integrity, DLP_INTEG_NONE);

	r = rule("rule d deny delete label class 3A by user yamada");
	assert_int_equal(r->label_level, DLP_LEVEL_3A);
	assert_int_equal(r->subject, DLP_SUBJ_USER);
	assert_string_equal(r->subject_name, "yamada");

	r = rule("rule p deny modify path /share/例規集 by any");
	assert_int_equal(r->object, DLP_OBJ_PATH);
	assert_string_equal(r->object_name, "/share/例規集");
	assert_int_equal(r->subject, DLP_SUBJ_ANY);
	assert_null(r->subject_name);

	r = rule("rule p deny delete path /");
	assert_int_equal(r->action, DLP_ACT_DELETE);
	assert_string_equal(r->object_name, "/");
}

static void test_rule_connect(void **state)
{
	const struct dlp_rule *r;

	(void)state;
	r = rule("rule gw allow connect zone 無害化 port 443 proto tcp");
	assert_int_equal(r->action, DLP_ACT_CONNECT);
	assert_int_equal(r->object, DLP_OBJ_ZONE);
	assert_string_equal(r->object_name, "無害化");
	assert_pos(r->object_pos, 1, 28);
	assert_int_equal(r->nports, 1);
	assert_int_equal(r->ports[0].lo, 443);
	assert_int_equal(r->ports[0].hi, 443);
	assert_int_equal(r->proto, DLP_PROTO_TCP);

	r = rule("rule no-internet deny connect zone internet");
	assert_int_equal(r->object, DLP_OBJ_ZONE);
	assert_string_equal(r->object_name, "internet");
	assert_int_equal(r->nports, 0);
	assert_int_equal(r->proto, DLP_PROTO_ANY);

	r = rule("rule all deny connect zone any proto udp by user 0 if class > 1");
	assert_int_equal(r->object, DLP_OBJ_ANY_ADDRESS);
	assert_null(r->object_name);
	assert_int_equal(r->proto, DLP_PROTO_UDP);
	assert_int_equal(r->subject, DLP_SUBJ_USER);
	assert_string_equal(r->subject_name, "0");
	assert_int_equal(r->taint_cmp, DLP_CMP_GT);
	assert_int_equal(r->taint_level, DLP_LEVEL_1);
}

static void test_rule_send(void **state)
{
	const struct dlp_rule *r;

	(void)state;
	r = rule("rule dns allow send zone lgwan port 53");
	assert_int_equal(r->action, DLP_ACT_SEND);
	assert_int_equal(r->object, DLP_OBJ_ZONE);
	assert_string_equal(r->object_name, "lgwan");
	assert_int_equal(r->nports, 1);
	assert_int_equal(r->ports[0].lo, 53);
	assert_int_equal(r->proto, DLP_PROTO_ANY);
	r = rule("rule s deny send zone any");
	assert_int_equal(r->object, DLP_OBJ_ANY_ADDRESS);
}

static void test_rule_ports(void **state)
{
	const struct dlp_rule *r;

	(void)state;
	r = rule("rule p allow connect zone z port 80,443,8000-8080");
	assert_int_equal(r->nports, 3);
	assert_int_equal(r->ports[0].lo, 80);
	assert_int_equal(r->ports[0].hi, 80);
	assert_int_equal(r->ports[1].lo, 443);
	assert_int_equal(r->ports[1].hi, 443);
	assert_int_equal(r->ports[2].lo, 8000);
	assert_int_equal(r->ports[2].hi, 8080);

	/* 8 items, the extremes, and a one-port range */
	r = rule("rule p allow connect zone z port 1,2,3,4,5,6,7,65535-65535 proto udp");
	assert_int_equal(r->nports, 8);
	assert_int_equal(r->ports[0].lo, 1);
	assert_int_equal(r->ports[7].lo, 65535);
	assert_int_equal(r->ports[7].hi, 65535);
	assert_int_equal(r->proto, DLP_PROTO_UDP);

	r = rule("rule p allow connect zone z port 1-65535");
	assert_int_equal(r->nports, 1);
	assert_int_equal(r->ports[0].lo, 1);
	assert_int_equal(r->ports[0].hi, 65535);
}

static void test_rule_subjects(void **state)
{
	const struct dlp_rule *r;

	(void)state;
	r = rule("rule s allow mount media by any");
	assert_int_equal(r->subject, DLP_SUBJ_ANY);
	r = rule("rule s allow mount media by user \"山田 太郎\"");
	assert_int_equal(r->subject, DLP_SUBJ_USER);
	assert_string_equal(r->subject_name, "山田 太郎");
	r = rule("rule s allow mount media by group 1001");
	assert_int_equal(r->subject, DLP_SUBJ_GROUP);
	assert_string_equal(r->subject_name, "1001");
	/* 256 bytes: the longest name */
	r = rule(fmt("rule s allow mount media by user %s", repeat("u", 256)));
	assert_int_equal(strlen(r->subject_name), 256);
}

static void test_rule_conditions(void **state)
{
	static const struct {
		const char *cond;
		enum dlp_cmp cmp;
		enum dlp_level level;
	} cases[] = {
		{ "if class >= 2", DLP_CMP_GE, DLP_LEVEL_2 },
		{ "if class > 1", DLP_CMP_GT, DLP_LEVEL_1 },
		{ "if class = 3", DLP_CMP_EQ, DLP_LEVEL_3 },
		{ "if class <= 3B", DLP_CMP_LE, DLP_LEVEL_3B },
		{ "if class < 3C", DLP_CMP_LT, DLP_LEVEL_3C },
		{ "if class>=3A", DLP_CMP_GE, DLP_LEVEL_3A },
		{ "if 機密性 >= 2", DLP_CMP_GE, DLP_LEVEL_2 },
		{ "if 機密性<2", DLP_CMP_LT, DLP_LEVEL_2 },
		{ "if 機密性=３Ａ", DLP_CMP_EQ, DLP_LEVEL_3A },
		{ "if　class\t>=\t1", DLP_CMP_GE, DLP_LEVEL_1 },
	};
	const struct dlp_rule *r;
	char src[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(src, sizeof(src), "rule c deny write media %s", cases[i].cond);
		r = rule(src);
		if (r->taint_cmp != cases[i].cmp || r->taint_level != cases[i].level)
			fail_msg("'%s' read as cmp %d, level %d", cases[i].cond, r->taint_cmp,
				 r->taint_level);
	}
	/* subject and condition together */
	r = rule("rule c deny write media registered by user yamada if class >= 2");
	assert_int_equal(r->object, DLP_OBJ_MEDIA_REGISTERED);
	assert_int_equal(r->subject, DLP_SUBJ_USER);
	assert_string_equal(r->subject_name, "yamada");
	assert_int_equal(r->taint_cmp, DLP_CMP_GE);
	assert_int_equal(r->taint_level, DLP_LEVEL_2);
}

static void test_rule_ids(void **state)
{
	(void)state;
	assert_string_equal(rule("rule a.B_c-9 allow mount media")->id, "a.B_c-9");
	assert_string_equal(rule("rule 1 allow mount media")->id, "1");
	/* 32 characters: the longest id */
	assert_int_equal(strlen(rule(fmt("rule %s allow mount media", repeat("r", 32)))->id), 32);
	/* keywords are ids here */
	assert_string_equal(rule("rule rule allow mount media")->id, "rule");
}

static void test_rules_in_order(void **state)
{
	(void)state;
	parse_ok("rule a allow mount media registered\n"
		 "# comment\n"
		 "rule b deny mount media\n"
		 "rule c audit connect zone any\n");
	assert_int_equal(pol.nrules, 3);
	assert_string_equal(pol.rules[0].id, "a");
	assert_string_equal(pol.rules[1].id, "b");
	assert_pos(pol.rules[1].pos, 3, 6);
	assert_string_equal(pol.rules[2].id, "c");
	assert_pos(pol.rules[2].pos, 4, 6);
}

static void test_rule_limit(void **state)
{
	char *src = keep(calloc(1, 1031 * 40));
	unsigned int i;

	(void)state;
	for (i = 0; i < 1024; i++)
		sprintf(src + strlen(src), "rule r%u deny mount media\n", i);
	parse_ok(src);
	assert_int_equal(pol.nrules, 1024);
	for (i = 1024; i < 1030; i++)
		sprintf(src + strlen(src), "rule r%u deny mount media\n", i);
	assert_string_equal(parse(src), "t.policy:1025:6: error: too many rules; at most 1024\n");
	assert_int_equal(nerrors, 1);
	assert_int_equal(pol.nrules, 1024);
}

/* ---- errors ----------------------------------------------------------- */

#define LEVEL_EXPECTED								\
	"expected a level (機密性1, 機密性2, 機密性3, 機密性3A, 機密性3B, 機密性3C, "	\
	"完全性1, 完全性2, or 'class N', 'integrity N')"
#define STATEMENT_EXPECTED							\
	"expected a statement: 'version', 'mode', 'tier', 'default', 'zone', 'label', "	\
	"'media' or 'rule'"
#define NOT_NORMALISED								\
	"is not a normalised path; expected no empty, '.' or '..' component and no "	\
	"trailing '/'"
#define PORT_EXPECTED "expected a port (443), a range (8000-8080) or a list of them (80,443)"
#define ID_EXPECTED "expected VENDOR:PRODUCT as four hexadecimal digits each (e.g. 0781:5583)"
#define DATE_EXPECTED "expected a date YYYY-MM-DD that exists (e.g. 2027-03-31)"
#define FIELD_EXPECTED "expected 'bus', 'id', 'serial', 'section', 'access' or 'until'"
#define NO_FIELD "; every entry needs bus, id, serial, section, access and until"
#define SEND_TCP "'send' judges UDP datagrams; 'proto tcp' can never match it (use 'connect' "	\
	"for TCP)"
#define NOT_NETWORK "is not a network; expected an IPv4 or IPv6 address, optionally with '/LENGTH'"

/* One ledger entry with field @f in the middle, for field errors. */
#define MEDIA(f) "media R-1 bus usb " f " serial S1 section 総務課 access rw until 2026-03-31"

static const struct {
	const char *src;
	const char *diag;
} errors[] = {
	/* statements */
	{ "Zone lgwan 10.0.0.0/8", "1:1: error: " STATEMENT_EXPECTED ", found 'Zone'" },
	{ "\"mode\" enforce", "1:1: error: " STATEMENT_EXPECTED ", found the string \"mode\"" },
	{ ">= 2", "1:1: error: " STATEMENT_EXPECTED ", found '>='" },
	{ "　ｚｏｎｅ lgwan 10.0.0.0/8", "1:2: error: " STATEMENT_EXPECTED ", found 'ｚｏｎｅ'" },
	{ "ゾーン lgwan 10.0.0.0/8", "1:1: error: " STATEMENT_EXPECTED ", found 'ゾーン'" },
	/* version */
	{ "mode enforce\nversion 1", "2:1: error: 'version' must come before every other "
	  "statement" },
	{ "version 1\nversion 1", "2:1: error: 'version' given twice; first at line 1" },
	{ "version \"1\"", "1:9: error: expected a version number, found the string \"1\"" },
	{ "version 2", "1:9: error: unsupported version '2'; this dlpguard reads version 1" },
	{ "version 1.0", "1:9: error: unsupported version '1.0'; this dlpguard reads version 1" },
	{ "version", "1:8: error: expected a version number, found the end of the line" },
	{ "version 1 2", "1:11: error: unexpected '2' after the version; expected the end of the "
	  "line" },
	/* mode, tier */
	{ "mode enforced", "1:6: error: expected 'enforce' or 'monitor', found 'enforced'" },
	{ "mode Enforce", "1:6: error: expected 'enforce' or 'monitor', found 'Enforce'" },
	{ "mode", "1:5: error: expected 'enforce' or 'monitor', found the end of the line" },
	{ "mode　enforced", "1:6: error: expected 'enforce' or 'monitor', found 'enforced'" },
	{ "mode enforce\nmode monitor", "2:1: error: 'mode' given twice; first at line 1" },
	{ "  mode   monitor extra",
	  "1:18: error: unexpected 'extra' after the mode; expected the end of the line" },
	{ "tier cloud", "1:6: error: expected 'mynumber', 'lgwan' or 'internet', found 'cloud'" },
	{ "tier lgwan extra",
	  "1:12: error: unexpected 'extra' after the tier; expected the end of the line" },
	{ "tier lgwan\n\ntier internet", "3:1: error: 'tier' given twice; first at line 1" },
	/* default */
	{ "default", "1:8: error: expected 'allow', 'deny' or 'audit', found the end of the line" },
	{ "default maybe",
	  "1:9: error: expected a verdict ('allow', 'deny' or 'audit') or an action ('mount', "
	  "'write', 'modify', 'delete', 'connect' or 'send'), found 'maybe'" },
	{ "default connect",
	  "1:16: error: expected 'allow', 'deny' or 'audit', found the end of the line" },
	{ "default connect permit",
	  "1:17: error: expected 'allow', 'deny' or 'audit', found 'permit'" },
	{ "default connect allow\ndefault connect deny",
	  "2:1: error: 'default connect' given twice; first at line 1" },
	{ "default deny\ndefault allow", "2:1: error: 'default' given twice; first at line 1" },
	{ "default deny now",
	  "1:14: error: unexpected 'now' after the verdict; expected the end of the line" },
	{ "default \"deny\"",
	  "1:9: error: expected a verdict ('allow', 'deny' or 'audit') or an action ('mount', "
	  "'write', 'modify', 'delete', 'connect' or 'send'), found the string \"deny\"" },
	{ "default connect \"deny\"",
	  "1:17: error: expected 'allow', 'deny' or 'audit', found the string \"deny\"" },
	/* zone */
	{ "zone", "1:5: error: expected a zone name, found the end of the line" },
	{ "zone 10net 10.0.0.0/8",
	  "1:6: error: zone name '10net' starts with a digit; expected a name, then its networks" },
	{ "zone 10.0.0.0/8",
	  "1:6: error: zone name '10.0.0.0/8' starts with a digit; expected a name, then its "
	  "networks" },
	{ "zone any 10.0.0.0/8",
	  "1:6: error: 'any' is reserved (it means every address); choose another zone name" },
	{ "zone \"1a\" 10.0.0.0/8",
	  "1:6: error: zone name '1a' starts with a digit; expected a name, then its networks" },
	{ "zone >= 10.0.0.0/8", "1:6: error: expected a zone name, found '>='" },
	{ "zone \"\" 10.0.0.0/8", "1:6: error: a zone name may not be empty" },
	{ "zone lgwan",
	  "1:11: error: expected an IPv4 or IPv6 network after the zone name, found the end of "
	  "the line" },
	{ "zone lgwan 10.1.0.0/8",
	  "1:12: error: host bits are set in '10.1.0.0/8'; did you mean '10.0.0.0/8'?" },
	{ "zone 庁内 10.0.0.1/8",
	  "1:9: error: host bits are set in '10.0.0.1/8'; did you mean '10.0.0.0/8'?" },
	{ "zone v6 fd00:10::1/32",
	  "1:9: error: host bits are set in 'fd00:10::1/32'; did you mean 'fd00:10::/32'?" },
	{ "zone lgwan 10.0.0.0/33",
	  "1:12: error: bad prefix length in '10.0.0.0/33'; expected 0 to 32 after '/'" },
	{ "zone lgwan 10.0.0.0/255.0.0.0",
	  "1:12: error: bad prefix length in '10.0.0.0/255.0.0.0'; expected 0 to 32 after '/'" },
	{ "zone v6 ::/129", "1:9: error: bad prefix length in '::/129'; expected 0 to 128 after "
	  "'/'" },
	{ "zone lgwan example.jp", "1:12: error: 'example.jp' " NOT_NETWORK },
	{ "zone lgwan 10.0.0.0/8 = 1.2.3.4", "1:23: error: expected a network, found '='" },
	{ "zone a 10.0.0.0/8 bad 192.168.0.1/16",
	  "1:19: error: 'bad' " NOT_NETWORK "\n"
	  "t.policy:1:23: error: host bits are set in '192.168.0.1/16'; did you mean "
	  "'192.168.0.0/16'?" },
	/* label */
	{ "label", "1:6: error: expected 'dir', 'prefix' or 'xattr', found the end of the line" },
	{ "label file /x 機密性2", "1:7: error: expected 'dir', 'prefix' or 'xattr', found "
	  "'file'" },
	{ "label dir", "1:10: error: expected a directory, found the end of the line" },
	{ "label dir share/x 機密性2",
	  "1:11: error: 'share/x' is not an absolute path; expected a path starting with '/'" },
	{ "label dir /share/../x 機密性2", "1:11: error: '/share/../x' " NOT_NORMALISED },
	{ "label dir /share/ 機密性2", "1:11: error: '/share/' " NOT_NORMALISED },
	{ "label dir /a//b 機密性2", "1:11: error: '/a//b' " NOT_NORMALISED },
	{ "label dir /./a 機密性2", "1:11: error: '/./a' " NOT_NORMALISED },
	{ "label dir /a/. 機密性2", "1:11: error: '/a/.' " NOT_NORMALISED },
	{ "label dir // 機密性2", "1:11: error: '//' " NOT_NORMALISED },
	{ "label dir /x", "1:13: error: " LEVEL_EXPECTED ", found the end of the line" },
	{ "label dir /x 可用性2", "1:14: error: " LEVEL_EXPECTED ", found '可用性2'" },
	{ "label dir /x 機2", "1:14: error: " LEVEL_EXPECTED ", found '機2'" },
	{ "label dir /x 機密性4",
	  "1:14: error: unknown 機密性 level '4'; expected 1, 2, 3, 3A, 3B or 3C" },
	{ "label dir /x class 3D",
	  "1:20: error: unknown 機密性 level '3D'; expected 1, 2, 3, 3A, 3B or 3C" },
	{ "label dir /x 完全性3A", "1:14: error: unknown 完全性 level '3A'; expected 1 or 2" },
	{ "label dir /x integrity three",
	  "1:24: error: unknown 完全性 level 'three'; expected 1 or 2" },
	{ "label dir /x class",
	  "1:19: error: expected a 機密性 level: 1, 2, 3, 3A, 3B or 3C, found the end of the "
	  "line" },
	{ "label dir /x integrity >= 2",
	  "1:24: error: expected a 完全性 level: 1 or 2, found '>='" },
	{ "label dir /x 機密性2 class 3",
	  "1:19: error: a second 機密性 level; a label gives at most one of each kind" },
	{ "label dir /x 完全性1 integrity 2",
	  "1:19: error: a second 完全性 level; a label gives at most one of each kind" },
	{ "label dir /x 機密性2\nlabel dir /x 完全性2", "2:11: error: '/x' is already labelled at "
	  "line 1" },
	{ "label prefix 機2/ 機密性2",
	  "1:14: error: prefix '機2/' holds '/'; a prefix matches the start of a file's name, "
	  "not its path" },
	{ "label prefix \"\" 機密性2", "1:14: error: a file-name prefix may not be empty" },
	{ "label xattr", "1:12: error: expected an extended attribute name, found the end of the "
	  "line" },
	{ "label xattr system.dlpguard",
	  "1:13: error: attribute 'system.dlpguard' is in no namespace dlpguard reads; expected "
	  "'user.NAME', 'security.NAME' or 'trusted.NAME'" },
	{ "label xattr User.x",
	  "1:13: error: attribute 'User.x' is in no namespace dlpguard reads; expected "
	  "'user.NAME', 'security.NAME' or 'trusted.NAME'" },
	{ "label xattr user.a b",
	  "1:20: error: unexpected 'b' after the attribute name; expected the end of the line" },
	{ "label xattr user.a\nlabel xattr user.b",
	  "2:1: error: 'label xattr' given twice; first at line 1" },
	/* media */
	{ "media", "1:6: error: expected a registration number, or 'unregistered', found the end "
	  "of "
	  "the line" },
	{ "media unregistered ro", "1:20: error: expected 'deny', 'readonly' or 'allow', found "
	  "'ro'" },
	{ "media unregistered", "1:19: error: expected 'deny', 'readonly' or 'allow', found the "
	  "end "
	  "of the line" },
	{ "media unregistered deny now",
	  "1:25: error: unexpected 'now' after what happens to unregistered media; expected the "
	  "end of the line" },
	{ "media unregistered deny\nmedia unregistered allow",
	  "2:1: error: 'media unregistered' given twice; first at line 1" },
	{ "media any bus usb", "1:7: error: 'any' is reserved and cannot be a registration "
	  "number" },
	{ "media registered bus usb",
	  "1:7: error: 'registered' is reserved and cannot be a registration number" },
	{ "media R-1", "1:10: error: ledger entry 'R-1' lacks 'bus', 'id', 'serial', 'section', "
	  "'access' and 'until'" NO_FIELD },
	{ "media R-1 bus usb id 0781:5583 serial S1 access rw until 2026-03-31",
	  "1:68: error: ledger entry 'R-1' lacks 'section'" NO_FIELD },
	{ "media R-1 bus usb serial S1 access rw",
	  "1:38: error: ledger entry 'R-1' lacks 'id', 'section' and 'until'" NO_FIELD },
	{ "media R-1 bus usb id 0781:5583 serial S1 section 総務課 access rw  # no until",
	  "1:63: error: ledger entry 'R-1' lacks 'until'" NO_FIELD },
	{ "media R-1 bus scsi", "1:15: error: expected 'usb' or 'mmc', found 'scsi'" },
	{ "media R-1 bus", "1:14: error: expected 'usb' or 'mmc', found the end of the line" },
	{ "media R-1 bus usb bus mmc", "1:19: error: 'bus' given twice in one ledger entry" },
	{ "media R-1 owner 総務課", "1:11: error: " FIELD_EXPECTED ", found 'owner'" },
	{ "media R-1 \"bus\" usb", "1:11: error: " FIELD_EXPECTED ", found the string \"bus\"" },
	{ "media \"any\" bus usb", "1:7: error: 'any' is reserved and cannot be a registration "
	  "number" },
	{ "media \"unregistered\" deny",
	  "1:7: error: 'unregistered' is reserved and cannot be a registration number" },
	{ "media by bus usb", "1:7: error: 'by' is reserved and cannot be a registration number" },
	{ "media if bus usb", "1:7: error: 'if' is reserved and cannot be a registration number" },
	{ MEDIA("id 0781-5583"), "1:22: error: " ID_EXPECTED ", found '0781-5583'" },
	{ MEDIA("id 781:5583"), "1:22: error: " ID_EXPECTED ", found '781:5583'" },
	{ MEDIA("id 0x0781:5583"), "1:22: error: " ID_EXPECTED ", found '0x0781:5583'" },
	{ MEDIA("id 078g:5583"), "1:22: error: " ID_EXPECTED ", found '078g:5583'" },
	{ MEDIA("id 0781:55831"), "1:22: error: " ID_EXPECTED ", found '0781:55831'" },
	{ "media R-1 serial \"\"", "1:18: error: a serial number may not be empty" },
	{ "media R-1 section >=", "1:19: error: expected the owning section (所属), found '>='" },
	{ "media R-1 access rx", "1:18: error: expected 'rw' or 'ro', found 'rx'" },
	{ "media R-1 until 2026-02-30", "1:17: error: " DATE_EXPECTED ", found '2026-02-30'" },
	{ "media R-1 until 2100-02-29", "1:17: error: " DATE_EXPECTED ", found '2100-02-29'" },
	{ "media R-1 until 2026-04-31", "1:17: error: " DATE_EXPECTED ", found '2026-04-31'" },
	{ "media R-1 until 2026-13-01", "1:17: error: " DATE_EXPECTED ", found '2026-13-01'" },
	{ "media R-1 until 2026-00-10", "1:17: error: " DATE_EXPECTED ", found '2026-00-10'" },
	{ "media R-1 until 2026-01-00", "1:17: error: " DATE_EXPECTED ", found '2026-01-00'" },
	{ "media R-1 until 2026/03/31", "1:17: error: " DATE_EXPECTED ", found '2026/03/31'" },
	{ "media R-1 until 2026-3-31", "1:17: error: " DATE_EXPECTED ", found '2026-3-31'" },
	{ "media R-1 until 令和8年3月31日", "1:17: error: " DATE_EXPECTED ", found "
	  "'令和8年3月31日'" },
	{ "media R-1 until", "1:16: error: " DATE_EXPECTED ", found the end of the line" },
	/* rule: id, verdict, action, object */
	{ "rule", "1:5: error: expected a rule id, found the end of the line" },
	{ "rule >= allow mount media", "1:6: error: expected a rule id, found '>='" },
	{ "rule \"\" allow mount media",
	  "1:6: error: bad rule id ''; expected at most 32 letters, digits, '_', '-' or '.'" },
	{ "rule \"r 1\" allow mount media",
	  "1:6: error: bad rule id 'r 1'; expected at most 32 letters, digits, '_', '-' or '.'" },
	{ "rule 文書 allow mount media",
	  "1:6: error: bad rule id '文書'; expected at most 32 letters, digits, '_', '-' or '.'" },
	{ "rule r/1 allow mount media",
	  "1:6: error: bad rule id 'r/1'; expected at most 32 letters, digits, '_', '-' or '.'" },
	{ "rule r1", "1:8: error: expected 'allow', 'deny' or 'audit', found the end of the line" },
	{ "rule r1 permit mount media", "1:9: error: expected 'allow', 'deny' or 'audit', found "
	  "'permit'" },
	{ "rule r1 allow copy media",
	  "1:15: error: expected 'mount', 'write', 'modify', 'delete', 'connect' or 'send', found "
	  "'copy'" },
	{ "rule r1 allow mount", "1:20: error: expected 'media', found the end of the line" },
	{ "rule r1 allow mount path /x", "1:21: error: expected 'media', found 'path'" },
	{ "rule r1 allow mount media >=",
	  "1:27: error: expected 'any', 'registered', 'unregistered' or a registration number, "
	  "found '>='" },
	{ "rule r1 allow write label 機密性2",
	  "1:21: error: expected 'media' or 'path PATH', found 'label'" },
	{ "rule r1 allow write zone z", "1:21: error: expected 'media' or 'path PATH', found "
	  "'zone'" },
	{ "rule r1 allow write path", "1:25: error: expected a path, found the end of the line" },
	{ "rule r1 allow write path home",
	  "1:26: error: 'home' is not an absolute path; expected a path starting with '/'" },
	{ "rule r1 allow write path /home/", "1:26: error: '/home/' " NOT_NORMALISED },
	{ "rule r1 deny delete media",
	  "1:21: error: expected 'label LEVEL' or 'path PATH', found 'media'" },
	{ "rule r1 deny modify label", "1:26: error: " LEVEL_EXPECTED ", found the end of the "
	  "line" },
	{ "rule r1 deny modify label 機密性9",
	  "1:27: error: unknown 機密性 level '9'; expected 1, 2, 3, 3A, 3B or 3C" },
	{ "rule r1 deny modify label 機密性2 完全性2",
	  "1:32: error: expected 'by', 'if' or the end of the line, found '完全性2'" },
	{ "rule r1 allow connect 10.0.0.1",
	  "1:23: error: expected 'zone NAME' or 'zone any', found '10.0.0.1'" },
	{ "rule r1 allow connect media", "1:23: error: expected 'zone NAME' or 'zone any', found "
	  "'media'" },
	{ "rule r1 allow connect zone", "1:27: error: expected a zone name or 'any', found the end "
	  "of the line" },
	{ "rule r1 allow connect zone >=", "1:28: error: expected a zone name or 'any', found "
	  "'>='" },
	/* rule: ports and protocols */
	{ "rule r1 allow connect zone z port", "1:34: error: " PORT_EXPECTED ", found the end of "
	  "the line" },
	{ "rule r1 allow connect zone z port 0",
	  "1:35: error: port out of range in '0'; expected 1 to 65535" },
	{ "rule r1 allow connect zone 無害化 port 0",
	  "1:37: error: port out of range in '0'; expected 1 to 65535" },
	{ "rule r1 allow connect zone z port 65536",
	  "1:35: error: port out of range in '65536'; expected 1 to 65535" },
	{ "rule r1 allow connect zone z port 80,99999999999999999999999",
	  "1:35: error: port out of range in '80,99999999999999999999999'; expected 1 to 65535" },
	{ "rule r1 allow connect zone z port 0-80",
	  "1:35: error: port out of range in '0-80'; expected 1 to 65535" },
	{ "rule r1 allow connect zone z port 8080-80", "1:35: error: port range 8080-80 runs "
	  "backwards" },
	{ "rule r1 allow connect zone z port 1,2,3,4,5,6,7,8,9",
	  "1:35: error: too many ports in '1,2,3,4,5,6,7,8,9'; at most 8 items" },
	{ "rule r1 allow connect zone z port http", "1:35: error: " PORT_EXPECTED ", found "
	  "'http'" },
	{ "rule r1 allow connect zone z port 80,", "1:35: error: " PORT_EXPECTED ", found '80,'" },
	{ "rule r1 allow connect zone z port ,80", "1:35: error: " PORT_EXPECTED ", found ',80'" },
	{ "rule r1 allow connect zone z port 80-", "1:35: error: " PORT_EXPECTED ", found '80-'" },
	{ "rule r1 allow connect zone z port 80--90", "1:35: error: " PORT_EXPECTED ", found "
	  "'80--90'" },
	{ "rule r1 allow connect zone z port +80", "1:35: error: " PORT_EXPECTED ", found '+80'" },
	{ "rule r1 allow connect zone z port 80,,443", "1:35: error: " PORT_EXPECTED ", found "
	  "'80,,443'" },
	{ "rule r1 allow connect zone z port \"80\"",
	  "1:35: error: " PORT_EXPECTED ", found the string \"80\"" },
	{ "rule r1 allow connect zone z port 80 443",
	  "1:38: error: expected 'proto', 'by', 'if' or the end of the line, found '443'" },
	{ "rule r1 allow connect zone z proto tcp 443",
	  "1:40: error: expected 'port', 'by', 'if' or the end of the line, found '443'" },
	{ "rule r1 allow connect zone z 443",
	  "1:30: error: expected 'port', 'proto', 'by', 'if' or the end of the line, found '443'" },
	{ "rule r1 allow connect zone z port 80 proto tcp by any if class > 1 x",
	  "1:68: error: expected the end of the line, found 'x'" },
	{ "rule r1 allow connect zone z port 80 port 443",
	  "1:38: error: 'port' given twice in one rule" },
	{ "rule r1 allow connect zone z proto udp port 53 proto udp",
	  "1:48: error: 'proto' given twice in one rule" },
	{ "rule r1 allow connect zone z proto icmp",
	  "1:36: error: expected 'any', 'tcp' or 'udp', found 'icmp'" },
	{ "rule r1 allow connect zone z proto TCP",
	  "1:36: error: expected 'any', 'tcp' or 'udp', found 'TCP'" },
	{ "rule r1 allow connect zone z proto",
	  "1:35: error: expected 'any', 'tcp' or 'udp', found the end of the line" },
	{ "rule r1 allow send zone z proto tcp", "1:33: error: " SEND_TCP },
	{ "rule r1 allow send zone z port 53 proto tcp", "1:41: error: " SEND_TCP },
	{ "rule r1 allow mount media port 80",
	  "1:32: error: expected 'by', 'if' or the end of the line, found '80'" },
	/* rule: subject and condition */
	{ "rule r1 deny write media by",
	  "1:28: error: expected 'any', 'user' or 'group', found the end of the line" },
	{ "rule r1 deny write media by someone",
	  "1:29: error: expected 'any', 'user' or 'group', found 'someone'" },
	{ "rule r1 deny write media by user",
	  "1:33: error: expected a user name or uid, found the end of the line" },
	{ "rule r1 deny write media by group",
	  "1:34: error: expected a group name or gid, found the end of the line" },
	{ "rule r1 deny write media by user \"\"", "1:34: error: a user name or uid may not be "
	  "empty" },
	{ "rule r1 deny write media by any by user x",
	  "1:33: error: 'by' given twice in one rule" },
	{ "rule r1 deny write media if class > 1 by any by user x",
	  "1:46: error: 'by' given twice in one rule" },
	{ "rule r1 deny write media if taint >= 2",
	  "1:29: error: expected 'class' (or '機密性'): a rule's condition is on taint, found "
	  "'taint'" },
	{ "rule r1 deny write media if 完全性 >= 2",
	  "1:29: error: expected 'class' (or '機密性'): a rule's condition is on taint, found "
	  "'完全性'" },
	{ "rule r1 deny write media if",
	  "1:28: error: expected 'class' (or '機密性'): a rule's condition is on taint, found the "
	  "end of the line" },
	{ "rule r1 deny write media if class 2",
	  "1:35: error: expected a comparison: '>=', '>', '=', '<=' or '<', found '2'" },
	{ "rule r1 deny write media if class != 2",
	  "1:35: error: expected a comparison: '>=', '>', '=', '<=' or '<', found '!'" },
	{ "rule r1 deny write media if class >=",
	  "1:37: error: expected a 機密性 level: 1, 2, 3, 3A, 3B or 3C, found the end of the "
	  "line" },
	{ "rule r1 deny write media if class >= 4",
	  "1:38: error: unknown 機密性 level '4'; expected 1, 2, 3, 3A, 3B or 3C" },
	{ "rule r1 deny write media if class >= 完全性2",
	  "1:38: error: unknown 機密性 level '完全性2'; expected 1, 2, 3, 3A, 3B or 3C" },
	{ "rule r1 deny write media if class >= 2 if class < 3",
	  "1:40: error: 'if' given twice in one rule" },
	{ "rule r1 allow mount media registered now",
	  "1:38: error: expected 'by', 'if' or the end of the line, found 'now'" },
	{ "rule r1 deny write media by any now",
	  "1:33: error: expected 'if' or the end of the line, found 'now'" },
	{ "rule r1 deny write media if class < 2 now",
	  "1:39: error: expected 'by' or the end of the line, found 'now'" },
	{ "rule r1 deny write media by any if class >= 2 now",
	  "1:47: error: expected the end of the line, found 'now'" },
	{ "rule r1 deny write media if \"class\" >= 2",
	  "1:29: error: expected 'class' (or '機密性'): a rule's condition is on taint, found the "
	  "string \"class\"" },
	/* several errors: each line on its own, lexical errors among them */
	{ "mode enforced\nzone \xff\ntier cloud\n",
	  "1:6: error: expected 'enforce' or 'monitor', found 'enforced'\n"
	  "t.policy:2:6: error: invalid UTF-8 (byte 0xff); a policy must be UTF-8 text\n"
	  "t.policy:3:6: error: expected 'mynumber', 'lgwan' or 'internet', found 'cloud'" },
};

static void test_errors(void **state)
{
	unsigned int bad = 0;
	const char *got;
	char *want;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		want = fmt("t.policy:%s\n", errors[i].diag);
		got = parse(errors[i].src);
		if (strcmp(got, want) || parse_ret != -EINVAL) {
			print_error("input:    %s\nexpected: %sgot:      %s(return %d)\n",
				    errors[i].src, want, got, parse_ret);
			bad++;
		}
		free(scratch[--nscratch]);
	}
	assert_int_equal(bad, 0);
}

/* Words too long for a name, but not for the lexer. */
static void test_name_lengths(void **state)
{
	char *z = repeat("z", 65), *id = repeat("r", 33);

	(void)state;
	assert_string_equal(parse(fmt("zone %s 10.0.0.0/8", z)),
			    "t.policy:1:6: error: zone name too long (65 bytes); at most 64\n");
	assert_string_equal(parse(fmt("media %s bus usb", z)),
			    "t.policy:1:7: error: registration number too long (65 bytes); at most "
			    "64\n");
	assert_string_equal(parse(fmt("rule %s allow mount media", id)),
			    fmt("t.policy:1:6: error: bad rule id '%s'; expected at most 32 "
				"letters, "
				"digits, '_', '-' or '.'\n", id));
	assert_string_equal(parse(fmt("rule r deny mount media by user %s", repeat("u", 257))),
			    "t.policy:1:33: error: user name too long (257 bytes); at most 256\n");
	assert_string_equal(parse(fmt("rule r deny mount media by group %s", repeat("g", 257))),
			    "t.policy:1:34: error: group name too long (257 bytes); at most 256\n");
	assert_string_equal(parse(fmt("media R serial %s", repeat("s", 256))),
			    "t.policy:1:16: error: serial number too long (256 bytes); at most "
			    "255\n");
	/* 33 components */
	assert_string_equal(parse(fmt("label dir %s 機密性1", repeat("/d", 33))),
			    fmt("t.policy:1:11: error: '%s' is 33 directories deep; at most 32\n",
				repeat("/d", 33)));
}

/* A line that fails is not applied, not even in part; the others are. */
static void test_errors_change_nothing(void **state)
{
	(void)state;
	parse("mode bogus\ntier lgwan\nmedia R-1 bus usb id 0781:5583 serial S section s "
	      "access rw until 2026-02-30\nlabel dir /x 機密性2 機密性3\n"
	      "rule r1 allow connect zone z port 0\nzone a 10.1.0.0/8\nrule r2 deny mount media\n"
	      "mode enforce \x01\n");
	assert_int_equal(parse_ret, -EINVAL);
	assert_int_equal(nerrors, 6);
	assert_int_equal(pol.tier, DLP_TIER_LGWAN);
	assert_int_equal(pol.nmedia, 0);
	assert_int_equal(pol.nlabels, 0);
	assert_int_equal(pol.nrules, 1);
	assert_string_equal(pol.rules[0].id, "r2");
	assert_int_equal(pol.nnets, 0);
	/* the mode was seen but not set by a bad value; not at all on a line that did not lex */
	assert_int_equal(pol.seen_mode.line, 1);
	assert_int_equal(pol.mode, DLP_MODE_ENFORCE);
	assert_int_equal(pol.nlines, 8);
}

static void test_error_cap(void **state)
{
	char *src = repeat("bogus\n", 60), *want = keep(calloc(1, 50 * 160 + 100));
	unsigned int i;

	(void)state;
	for (i = 1; i <= 50; i++)
		sprintf(want + strlen(want), "t.policy:%u:1: error: " STATEMENT_EXPECTED
			", found 'bogus'\n", i);
	strcat(want, "t.policy: error: too many errors; stopped reporting after 50\n");
	assert_string_equal(parse(src), want);
	assert_int_equal(nerrors, 60);
	assert_int_equal(parse_ret, -EINVAL);

	/* exactly 50: no word about a cap */
	want[strlen(want) - strlen("t.policy: error: too many errors; stopped reporting after "
				   "50\n")] = 0;
	assert_string_equal(parse(repeat("bogus\n", 50)), want);
	assert_int_equal(nerrors, 50);

	/* warnings after the cap are counted, not printed */
	src = fmt("%szone a 10.0.0.0/8 10.0.0.0/8\n", repeat("bogus\n", 51));
	parse(src);
	assert_int_equal(nwarnings, 1);
	assert_null(strstr(diags, "warning"));
}

/* ---- quotes, and the order of a rule's options --------------------------- */

/*
 * docs/policy.md §1: a quoted string is always a value, never a keyword:
 * names may be quoted, and "any" in quotes is a zone named any.
 */
static void test_quoted_values(void **state)
{
	const struct dlp_rule *r;

	(void)state;
	parse_ok("zone \"quoted\" 192.0.2.0/24\nzone \"庁内 LAN\" 10.0.0.0/8\n");
	assert_int_equal(pol.nzones, 2);
	assert_string_equal(pol.zones[0].name, "quoted");
	assert_string_equal(pol.zones[1].name, "庁内 LAN");
	assert_pos(pol.zones[1].pos, 2, 6);

	r = rule("rule \"r1\" allow connect zone \"quoted\"");
	assert_string_equal(r->id, "r1");
	assert_int_equal(r->object, DLP_OBJ_ZONE);
	assert_string_equal(r->object_name, "quoted");

	r = rule("rule r allow connect zone \"any\"");
	assert_int_equal(r->object, DLP_OBJ_ZONE);
	assert_string_equal(r->object_name, "any");

	r = rule("rule r allow mount media \"registered\"");
	assert_int_equal(r->object, DLP_OBJ_MEDIA_ENTRY);
	assert_string_equal(r->object_name, "registered");

	r = rule("rule r allow mount media \"総務 001\" by group \"文書 管理\"");
	assert_int_equal(r->object, DLP_OBJ_MEDIA_ENTRY);
	assert_string_equal(r->object_name, "総務 001");
	assert_string_equal(r->subject_name, "文書 管理");

	/* "by" or "if" in quotes is a ledger entry, not the start of a subject */
	r = rule("rule r allow mount media \"by\"");
	assert_int_equal(r->object, DLP_OBJ_MEDIA_ENTRY);
	assert_string_equal(r->object_name, "by");

	parse_ok("media \"総務 001\" bus usb id 0781:5583 serial S section \"総務課\" access rw "
		 "until 2027-03-31\n");
	assert_string_equal(pol.media[0].regno, "総務 001");
	assert_string_equal(pol.media[0].section, "総務課");
}

/* docs/policy.md §2.6: subject and condition in either order, each once. */
static void test_rule_condition_before_subject(void **state)
{
	const struct dlp_rule *r;

	(void)state;
	r = rule("rule r1 deny write media if class >= 2 by user yamada");
	assert_int_equal(r->object, DLP_OBJ_MEDIA_ANY);
	assert_int_equal(r->taint_cmp, DLP_CMP_GE);
	assert_int_equal(r->taint_level, DLP_LEVEL_2);
	assert_int_equal(r->subject, DLP_SUBJ_USER);
	assert_string_equal(r->subject_name, "yamada");
}

/*
 * docs/policy.md §2.6: port and proto in either order; proto any is the same
 * as no proto; send takes udp or any.
 */
static void test_rule_port_proto(void **state)
{
	const struct dlp_rule *r;

	(void)state;
	r = rule("rule r1 allow connect zone z proto tcp port 443");
	assert_int_equal(r->proto, DLP_PROTO_TCP);
	assert_int_equal(r->nports, 1);
	assert_int_equal(r->ports[0].lo, 443);

	r = rule("rule r1 allow connect zone z proto any");
	assert_int_equal(r->proto, DLP_PROTO_ANY);
	assert_int_equal(r->nports, 0);

	r = rule("rule r1 allow send zone z port 53 proto udp");
	assert_int_equal(r->action, DLP_ACT_SEND);
	assert_int_equal(r->proto, DLP_PROTO_UDP);

	r = rule("rule r1 allow send zone any proto any port 123 by any");
	assert_int_equal(r->object, DLP_OBJ_ANY_ADDRESS);
	assert_int_equal(r->proto, DLP_PROTO_ANY);
	assert_int_equal(r->ports[0].lo, 123);
}

/* ---- names and ranks ------------------------------------------------------ */

/* docs/policy.md §2.2: 1 < 2 < 3C < 3B < 3A, and 3 ranks with 3C. */
static void test_level_ranks(void **state)
{
	(void)state;
	assert_int_equal(dlp_level_class(DLP_LEVEL_NONE), DLP_CLASS_NONE);
	assert_int_equal(dlp_level_class(DLP_LEVEL_1), 1);
	assert_int_equal(dlp_level_class(DLP_LEVEL_2), 2);
	assert_int_equal(dlp_level_class(DLP_LEVEL_3), 3);
	assert_int_equal(dlp_level_class(DLP_LEVEL_3C), 3);
	assert_int_equal(dlp_level_class(DLP_LEVEL_3B), 4);
	assert_int_equal(dlp_level_class(DLP_LEVEL_3A), 5);
	assert_int_equal(DLP_CLASS_MAX, dlp_level_class(DLP_LEVEL_3A));
	assert_string_equal(dlp_level_names[DLP_LEVEL_3C], "3C");
	assert_string_equal(dlp_cmp_names[DLP_CMP_LE], "<=");
	assert_string_equal(dlp_action_names[DLP_ACT_SEND], "send");
	assert_null(dlp_action_names[DLP_ACT_COUNT]);
	assert_null(dlp_verdict_names[DLP_VERDICT_COUNT]);
}

/* A diag with nowhere to print still counts, and caps once. */
static void test_diag_count_only(void **state)
{
	struct dlp_diag diag;
	unsigned int i;

	(void)state;
	dlp_diag_init(&diag, "t.policy", NULL);
	for (i = 0; i < 60; i++)
		dlp_error(&diag, i + 1, 1, "error %u", i);
	dlp_warning(&diag, 1, 1, "a warning");
	assert_int_equal(diag.errors, 60);
	assert_int_equal(diag.warnings, 1);
	assert_true(diag.capped);
	assert_int_equal(dlp_policy_parse(&pol, "bogus\n", 6, &diag), -EINVAL);
	assert_int_equal(diag.errors, 61);
}

/*
 * Messages quote the offending word whole, however long (up to the lexer's
 * 1024 bytes), so they stay UTF-8 and still say what was expected.
 */
static void test_long_word_in_message(void **state)
{
	char *word = repeat("機", 341);	/* 1023 bytes */

	(void)state;
	assert_string_equal(parse(fmt("zone z %s\n", word)),
			    fmt("t.policy:1:8: error: '%s' " NOT_NETWORK "\n", word));
	assert_string_equal(parse(fmt("mode %s\n", word)),
			    fmt("t.policy:1:6: error: expected 'enforce' or 'monitor', "
				"found '%s'\n", word));
	word = repeat("x", 1024);
	assert_string_equal(parse(fmt("tier \"%s\"\n", word)),
			    fmt("t.policy:1:6: error: expected 'mynumber', 'lgwan' or 'internet', "
				"found the string \"%s\"\n", word));
	assert_true(dlp_utf8_valid(diags, strlen(diags)));
}

/* ---- an attribute name is more than its namespace ------------------------ */

/*
 * docs/policy.md §2.4: Linux refuses an attribute whose name is empty after
 * the namespace (xattr_resolve_name() returns -EINVAL), so no file could
 * carry such a label.
 */
static void test_xattr_name_only_namespace(void **state)
{
	const char *got;

	(void)state;
	got = parse("label xattr user.\n");
	assert_int_equal(parse_ret, -EINVAL);
	assert_null(pol.label_xattr);
	assert_true(!strncmp(got, "t.policy:1:13: error: ", 22));
	got = parse("label xattr security.\n");
	assert_int_equal(parse_ret, -EINVAL);
	assert_true(!strncmp(got, "t.policy:1:13: error: ", 22));
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_version),
		T(test_mode),
		T(test_tier),
		T(test_default),
		T(test_default_action_after_default),
		T(test_default_action_before_default),
		T(test_zone),
		T(test_zone_duplicate_network),
		T(test_zone_names),
		T(test_zone_limit),
		T(test_network_limit),
		T(test_label_dir),
		T(test_label_prefix),
		T(test_levels),
		T(test_label_xattr),
		T(test_label_limit),
		T(test_label_prefix_limits),
		T(test_media_entry),
		T(test_media_dates),
		T(test_media_unregistered),
		T(test_media_limit),
		T(test_rule_mount),
		T(test_rule_write),
		T(test_rule_modify_delete),
		T(test_rule_connect),
		T(test_rule_send),
		T(test_rule_ports),
		T(test_rule_subjects),
		T(test_rule_conditions),
		T(test_rule_ids),
		T(test_rules_in_order),
		T(test_rule_limit),
		T(test_errors),
		T(test_name_lengths),
		T(test_errors_change_nothing),
		T(test_error_cap),
		T(test_level_ranks),
		T(test_diag_count_only),
		T(test_quoted_values),
		T(test_rule_condition_before_subject),
		T(test_rule_port_proto),
		T(test_long_word_in_message),
		T(test_xattr_name_only_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
