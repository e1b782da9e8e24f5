// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/compiler.c (docs/policy.md §3 and §5: whole-file
 * checks and the zone prefix table) and user/lib/policy_load.c (reading a
 * policy file, its size limit and its SHA-256).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch.h"

#include <openssl/evp.h>

#include "policy.h"

/* The four statements every policy needs; four lines. */
#define HEAD "mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"

#define MEDIA_FIELDS "section 総務課 access rw until 2027-03-31"

static struct dlp_policy pol;	/* what the last check() or load() read */
static char *diags;		/* what it reported */
static char *rendered;		/* the last prefixes() */
static int load_ret;
static unsigned int nerrors, nwarnings;
static char tmp_path[64];	/* a file or directory to remove after the test */
static bool tmp_is_dir;
static FILE *diag_open(struct dlp_diag *diag, const char *file)
{
	static size_t len;	/* written when the stream is closed */
	FILE *f;

	dlp_policy_free(&pol);
	free(diags);
	diags = NULL;
	f = open_memstream(&diags, &len);
	assert_non_null(f);
	dlp_diag_init(diag, file, f);
	return f;
}

static void diag_close(FILE *f, const struct dlp_diag *diag)
{
	fclose(f);
	nerrors = diag->errors;
	nwarnings = diag->warnings;
}

/* Parse and compile @src as file "t.policy"; return the diagnostics. */
static const char *check(const char *src)
{
	struct dlp_diag diag;
	FILE *f = diag_open(&diag, "t.policy");

	load_ret = dlp_policy_load_buffer(&pol, src, strlen(src), &diag);
	diag_close(f, &diag);
	return diags;
}

/* @src must be a valid policy, without warnings. */
static void check_ok(const char *src)
{
	assert_string_equal(check(src), "");
	assert_int_equal(load_ret, 0);
	assert_int_equal(nwarnings, 0);
}

/* Load the file at @path, named @path in diagnostics; return them. */
static const char *load(const char *path)
{
	struct dlp_diag diag;
	FILE *f = diag_open(&diag, path);

	load_ret = dlp_policy_load(&pol, path, &diag);
	diag_close(f, &diag);
	return diags;
}

/* The prefix table, one "NETWORK {ZONE,ZONE}" per line. */
static const char *prefixes(void)
{
	char buf[DLP_NETWORK_STRLEN];
	unsigned int i, z;
	const char *sep;
	size_t len;
	FILE *f;

	free(rendered);
	rendered = NULL;
	f = open_memstream(&rendered, &len);
	assert_non_null(f);
	for (i = 0; i < pol.nprefixes; i++) {
		assert_int_equal(dlp_network_format(&pol.prefixes[i].net, buf, sizeof(buf)), 0);
		fprintf(f, "%s {", buf);
		sep = "";
		for (z = 0; z < 64; z++) {
			if (!(pol.prefixes[i].zones & (1ULL << z)))
				continue;
			fprintf(f, "%s%s", sep, z < pol.nzones ? pol.zones[z].name : "(no zone)");
			sep = ",";
		}
		fprintf(f, "}\n");
	}
	fclose(f);
	return rendered;
}

static int teardown(void **state)
{
	(void)state;
	if (tmp_path[0]) {
		if (tmp_is_dir)
			rmdir(tmp_path);
		else
			unlink(tmp_path);
		tmp_path[0] = '\0';
	}
	scratch_free();
	dlp_policy_free(&pol);
	free(diags);
	free(rendered);
	diags = rendered = NULL;
	return 0;
}

/* ---- required statements ------------------------------------------------ */

#define NO_MODE "error: the policy has no 'mode' statement; expected 'mode enforce' or 'mode "	\
	"monitor'\n"
#define NO_TIER "error: the policy has no 'tier' statement; expected 'tier mynumber', 'tier "	\
	"lgwan' " \
	"or 'tier internet'\n"
#define NO_DEFAULT "error: the policy has no 'default' statement; expected 'default allow', " \
	"'default deny' or 'default audit'\n"
#define NO_UNREG "error: the policy has no 'media unregistered' statement; expected 'media " \
	"unregistered deny', 'readonly' or 'allow'\n"

static void test_minimal(void **state)
{
	(void)state;
	check_ok(HEAD);
	assert_int_equal(pol.mode, DLP_MODE_ENFORCE);
	assert_int_equal(pol.tier, DLP_TIER_LGWAN);
	assert_int_equal(pol.unregistered, DLP_UNREG_DENY);
	assert_int_equal(pol.nprefixes, 0);
	assert_null(pol.prefixes);
	/* in any order, with version first */
	check_ok("version 1\nmedia unregistered allow\ndefault audit\ntier internet\nmode "
		 "monitor\n");
	assert_int_equal(pol.mode, DLP_MODE_MONITOR);
	assert_int_equal(pol.tier, DLP_TIER_INTERNET);
	assert_int_equal(pol.unregistered, DLP_UNREG_ALLOW);
	assert_int_equal(pol.defaults[DLP_ACT_SEND], DLP_VERDICT_AUDIT);
}

static void test_missing_everything(void **state)
{
	(void)state;
	/* docs/policy.md: a missing statement is reported at line 1, column 1 */
	assert_string_equal(check(""), "t.policy:1:1: " NO_MODE "t.policy:1:1: " NO_TIER
			    "t.policy:1:1: " NO_DEFAULT "t.policy:1:1: " NO_UNREG);
	assert_int_equal(load_ret, -EINVAL);
	assert_int_equal(nerrors, 4);
	assert_string_equal(check("# only a comment\n\n\nversion 1\n"),
			    "t.policy:1:1: " NO_MODE "t.policy:1:1: " NO_TIER
			    "t.policy:1:1: " NO_DEFAULT "t.policy:1:1: " NO_UNREG);
}

static void test_missing_one(void **state)
{
	(void)state;
	assert_string_equal(check("tier lgwan\ndefault deny\nmedia unregistered deny\n"),
			    "t.policy:1:1: " NO_MODE);
	assert_int_equal(load_ret, -EINVAL);
	assert_string_equal(check("mode enforce\ndefault deny\nmedia unregistered deny\n"),
			    "t.policy:1:1: " NO_TIER);
	assert_string_equal(check("mode enforce\ntier lgwan\nmedia unregistered deny\n"),
			    "t.policy:1:1: " NO_DEFAULT);
	assert_string_equal(check("mode enforce\ntier lgwan\ndefault deny\n"),
			    "t.policy:1:1: " NO_UNREG);
	/* a ledger entry is not 'media unregistered' */
	assert_string_equal(check("mode enforce\ntier lgwan\ndefault deny\n"
				  "media R bus usb id 0781:5583 serial S " MEDIA_FIELDS "\n"),
			    "t.policy:1:1: " NO_UNREG);
	/* nor are defaults for every action 'default VERDICT' */
	assert_string_equal(check("mode enforce\ntier lgwan\nmedia unregistered deny\n"
				  "default mount deny\ndefault write deny\ndefault modify deny\n"
				  "default delete deny\ndefault connect deny\ndefault send deny\n"),
			    "t.policy:1:1: " NO_DEFAULT);
}

/* The compiler runs even after parse errors, and reports what the parser did not. */
static void test_parse_errors_then_compile(void **state)
{
	(void)state;
	assert_string_equal(check("mode bogus\nrule r1 deny connect zone nowhere\n"),
			    "t.policy:1:6: error: expected 'enforce' or 'monitor', found 'bogus'\n"
			    "t.policy:2:27: error: rule 'r1' names zone 'nowhere', which is not "
			    "defined; expected a 'zone nowhere ...' statement or 'zone any'\n"
			    "t.policy:1:1: " NO_TIER "t.policy:1:1: " NO_DEFAULT
			    "t.policy:1:1: " NO_UNREG);
	assert_int_equal(load_ret, -EINVAL);
	/* a statement that was meant but miswritten is not also reported missing */
	assert_string_equal(check("mode enforce\ntier lgwan\ndefault maybe\nmedia unregistered\n"),
			    "t.policy:3:9: error: expected a verdict ('allow', 'deny' or 'audit') "
			    "or "
			    "an action ('mount', 'write', 'modify', 'delete', 'connect' or "
			    "'send'), "
			    "found 'maybe'\n"
			    "t.policy:4:19: error: expected 'deny', 'readonly' or 'allow', found "
			    "the "
			    "end of the line\n");
	/* parse errors alone make the policy invalid */
	assert_string_equal(check(HEAD "bogus\n"),
			    "t.policy:5:1: error: expected a statement: 'version', 'mode', 'tier', "
			    "'default', 'zone', 'label', 'media' or 'rule', found 'bogus'\n");
	assert_int_equal(load_ret, -EINVAL);
}

/* dlp_policy_compile() on its own, after dlp_policy_parse(). */
static void test_compile_alone(void **state)
{
	struct dlp_diag diag;
	FILE *f = diag_open(&diag, "t.policy");
	const char *src = HEAD "zone a 10.0.0.0/8\nrule r allow connect zone a\n";

	(void)state;
	assert_int_equal(dlp_policy_parse(&pol, src, strlen(src), &diag), 0);
	assert_int_equal(pol.nprefixes, 0);
	assert_int_equal(dlp_policy_compile(&pol, &diag), 0);
	assert_int_equal(pol.nprefixes, 1);
	assert_int_equal(pol.rules[0].object_index, 0);
	diag_close(f, &diag);
	assert_string_equal(diags, "");

	f = diag_open(&diag, "t.policy");
	src = "zone a 10.0.0.0/8\n";
	assert_int_equal(dlp_policy_parse(&pol, src, strlen(src), &diag), 0);
	assert_int_equal(dlp_policy_compile(&pol, &diag), -EINVAL);
	/* no table for an invalid policy */
	assert_int_equal(pol.nprefixes, 0);
	assert_null(pol.prefixes);
	diag_close(f, &diag);
	assert_int_equal(nerrors, 4);
}

/* ---- names rules use ------------------------------------------------------ */

static void test_undefined_zone(void **state)
{
	(void)state;
	assert_string_equal(check(HEAD "rule r1 deny connect zone internet\n"),
			    "t.policy:5:27: error: rule 'r1' names zone 'internet', which is not "
			    "defined; expected a 'zone internet ...' statement or 'zone any'\n");
	assert_int_equal(load_ret, -EINVAL);
	assert_string_equal(check(HEAD "zone 庁内 10.0.0.0/8\nrule dns allow send zone 庁外 port "
				       "53\n"),
			    "t.policy:6:26: error: rule 'dns' names zone '庁外', which is not "
			    "defined; expected a 'zone 庁外 ...' statement or 'zone any'\n");
	/* a zone whose networks were all refused is still defined */
	assert_string_equal(check(HEAD "zone a 10.1.0.0/8\nrule r deny connect zone a\n"),
			    "t.policy:5:8: error: host bits are set in '10.1.0.0/8'; did you mean "
			    "'10.0.0.0/8'?\n");
	/* an address where a zone name belongs */
	assert_string_equal(check(HEAD "rule r1 deny connect zone 10.0.0.1 port 22\n"),
			    "t.policy:5:27: error: rule 'r1' names zone '10.0.0.1', which looks "
			    "like "
			    "an address; a rule names a zone: define 'zone NAME 10.0.0.1' and use "
			    "its "
			    "name\n");
	/* names are matched exactly */
	assert_string_equal(check(HEAD "zone LGWAN 10.0.0.0/8\nrule r deny connect zone lgwan\n"),
			    "t.policy:6:26: error: rule 'r' names zone 'lgwan', which is not "
			    "defined; expected a 'zone lgwan ...' statement or 'zone any'\n");
}

static void test_zone_resolved(void **state)
{
	(void)state;
	/* a rule may name a zone defined further down */
	check_ok(HEAD "rule a allow connect zone later\nrule b deny send zone 無害化\n"
		 "rule c deny connect zone any\n"
		 "zone 無害化 10.20.30.40\nzone later 192.0.2.0/24\n");
	assert_int_equal(pol.rules[0].object, DLP_OBJ_ZONE);
	assert_int_equal(pol.rules[0].object_index, 1);
	assert_int_equal(pol.rules[1].object_index, 0);
	assert_int_equal(pol.rules[2].object, DLP_OBJ_ANY_ADDRESS);
	/* a quoted name is the same name */
	check_ok(HEAD "zone \"庁内\" 10.0.0.0/8\nrule r deny connect zone 庁内\n");
	assert_int_equal(pol.rules[0].object_index, 0);
}

static void test_undefined_ledger_entry(void **state)
{
	(void)state;
	assert_string_equal(check(HEAD "rule m allow mount media 総務-001\n"),
			    "t.policy:5:26: error: rule 'm' names ledger entry '総務-001', which "
			    "is "
			    "not in the ledger; expected a registration number from a 'media' "
			    "statement, 'any', 'registered' or 'unregistered'\n");
	assert_int_equal(load_ret, -EINVAL);
	/* defined later, and matched exactly */
	check_ok(HEAD "rule m allow write media 総務-002\n"
		 "media 総務-001 bus usb id 0781:5583 serial A " MEDIA_FIELDS "\n"
		 "media 総務-002 bus usb id 0781:5583 serial B " MEDIA_FIELDS "\n");
	assert_int_equal(pol.rules[0].object, DLP_OBJ_MEDIA_ENTRY);
	assert_int_equal(pol.rules[0].object_index, 1);
}

static void test_duplicate_rule_ids(void **state)
{
	(void)state;
	assert_string_equal(check(HEAD "rule usb allow mount media registered\n"
				  "rule usb deny mount media\n"
				  "rule other deny mount media\n"
				  "rule   usb deny mount media\n"),
			    "t.policy:6:6: error: rule id 'usb' is already used at line 5\n"
			    "t.policy:8:8: error: rule id 'usb' is already used at line 5\n");
	assert_int_equal(load_ret, -EINVAL);
	/* ids are case-sensitive; a quoted id is the same id */
	check_ok(HEAD "rule usb allow mount media\nrule USB allow mount media\n");
	assert_string_equal(check(HEAD "rule usb allow mount media\nrule \"usb\" allow mount "
				       "media\n"),
			    "t.policy:6:6: error: rule id 'usb' is already used at line 5\n");
}

static void test_duplicate_regnos(void **state)
{
	(void)state;
	assert_string_equal(check(HEAD "media R-1 bus usb id 0781:5583 serial A " MEDIA_FIELDS "\n"
				  "media R-1 bus mmc id 0001:0002 serial B " MEDIA_FIELDS "\n"),
			    "t.policy:6:7: error: registration number 'R-1' is already in the "
			    "ledger "
			    "at line 5\n");
	assert_int_equal(load_ret, -EINVAL);
}

static void test_duplicate_devices(void **state)
{
	(void)state;
	/* the same bus, id and serial; the id in another case is the same id */
	assert_string_equal(check(HEAD
				  "media A-1 bus usb id abcd:ef01 serial S1 " MEDIA_FIELDS "\n"
				  "media A-2 bus usb id ABCD:EF01 serial S1 section 税務課 access "
				  "ro "
				  "until 2028-03-31\n"),
			    "t.policy:6:7: error: device usb abcd:ef01 serial 'S1' is already "
			    "registered as 'A-1' at line 5\n");
	assert_int_equal(load_ret, -EINVAL);
	assert_string_equal(check(HEAD
				  "media A-1 bus mmc id 0001:0002 serial \"AA "
				  "0042\" " MEDIA_FIELDS "\n"
				  "media A-2 bus usb id 0001:0002 serial \"AA "
				  "0042\" " MEDIA_FIELDS "\n"
				  "media A-3 serial \"AA 0042\" id 0001:0002 bus "
				  "mmc " MEDIA_FIELDS "\n"),
			    "t.policy:7:7: error: device mmc 0001:0002 serial 'AA 0042' is already "
			    "registered as 'A-1' at line 5\n");
	/* any one of bus, vendor, product or serial differing makes another device */
	check_ok(HEAD "media A-1 bus usb id 0781:5583 serial S1 " MEDIA_FIELDS "\n"
		 "media A-2 bus mmc id 0781:5583 serial S1 " MEDIA_FIELDS "\n"
		 "media A-3 bus usb id 0782:5583 serial S1 " MEDIA_FIELDS "\n"
		 "media A-4 bus usb id 0781:5584 serial S1 " MEDIA_FIELDS "\n"
		 "media A-5 bus usb id 0781:5583 serial S2 " MEDIA_FIELDS "\n"
		 "media A-6 bus usb id 0781:5583 serial s1 " MEDIA_FIELDS "\n");
	assert_int_equal(pol.nmedia, 6);
}

/* ---- the mynumber tier ------------------------------------------------------ */

#define MYNUMBER_WARNING "warning: a mynumber terminal lets no data leave it " \
	"(端末からの情報持ち出し不可); expected 'media unregistered deny'\n"

static void test_mynumber_warning(void **state)
{
	(void)state;
	/* a warning, at the value, and the policy is still valid */
	assert_string_equal(check("mode enforce\ntier mynumber\ndefault deny\n"
				  "media unregistered readonly\n"),
			    "t.policy:4:20: " MYNUMBER_WARNING);
	assert_int_equal(load_ret, 0);
	assert_int_equal(nerrors, 0);
	assert_int_equal(nwarnings, 1);
	assert_string_equal(check("media  unregistered\tallow\nmode enforce\ntier mynumber\n"
				  "default deny\n"),
			    "t.policy:1:21: " MYNUMBER_WARNING);
	assert_int_equal(load_ret, 0);
	/* deny, or another tier: nothing to say */
	check_ok("mode enforce\ntier mynumber\ndefault deny\nmedia unregistered deny\n");
	check_ok("mode enforce\ntier lgwan\ndefault deny\nmedia unregistered allow\n");
	check_ok("mode enforce\ntier internet\ndefault deny\nmedia unregistered readonly\n");
	/* an invalid policy gets errors, not advice */
	assert_string_equal(check("mode enforce\ntier mynumber\nmedia unregistered allow\n"),
			    "t.policy:1:1: " NO_DEFAULT);
}

/* ---- the prefix table ------------------------------------------------------- */

static void test_prefixes_example(void **state)
{
	(void)state;
	/* docs/policy.md §2.3 */
	check_ok(HEAD "zone lgwan 10.0.0.0/8 172.16.0.0/12 fd00:10::/32\n"
		 "zone 無害化 10.20.30.40\n"
		 "zone lgwan 192.168.0.0/16\n");
	assert_int_equal(pol.nnets, 5);
	assert_string_equal(prefixes(),
			    "10.0.0.0/8 {lgwan}\n"
			    "172.16.0.0/12 {lgwan}\n"
			    "192.168.0.0/16 {lgwan}\n"
			    "10.20.30.40/32 {lgwan,無害化}\n"
			    "fd00:10::/32 {lgwan}\n");
}

static void test_prefixes_dedup(void **state)
{
	(void)state;
	/* one network in three zones, written three ways: one entry */
	check_ok(HEAD "zone a 10.0.0.0/8\nzone b 10.0.0.0/8 192.0.2.1\nzone c ::ffff:10.0.0.0/104\n"
		 "zone d \"10.0.0.0/8\" ::ffff:192.0.2.1\n");
	assert_int_equal(pol.nnets, 6);
	assert_int_equal(pol.nprefixes, 2);
	assert_string_equal(prefixes(), "10.0.0.0/8 {a,b,c,d}\n192.0.2.1/32 {b,d}\n");
	/* twice in one zone: kept once, with a warning */
	assert_string_equal(check(HEAD "zone a 10.0.0.0/8 ::ffff:10.0.0.0/104\n"),
			    "t.policy:5:19: warning: '::ffff:10.0.0.0/104' is already in zone "
			    "'a'\n");
	assert_int_equal(load_ret, 0);
	assert_int_equal(pol.nnets, 1);
	assert_string_equal(prefixes(), "10.0.0.0/8 {a}\n");
}

static void test_prefixes_nested_v4(void **state)
{
	(void)state;
	/* the narrow zone first: the order of definition does not matter */
	check_ok(HEAD "zone host 10.1.2.3\nzone net 10.1.2.0/24\nzone wide 10.0.0.0/8\n"
		 "zone other 11.0.0.0/8 10.1.3.0/24\n"
		 "zone odd 172.16.0.0/12\nzone odd2 172.31.0.0/16 172.32.0.0/16\n");
	assert_string_equal(prefixes(),
			    "10.0.0.0/8 {wide}\n"
			    "11.0.0.0/8 {other}\n"
			    "172.16.0.0/12 {odd}\n"
			    "172.31.0.0/16 {odd,odd2}\n"
			    "172.32.0.0/16 {odd2}\n"
			    "10.1.2.0/24 {net,wide}\n"
			    "10.1.3.0/24 {wide,other}\n"
			    "10.1.2.3/32 {host,net,wide}\n");
}

static void test_prefixes_nested_v6(void **state)
{
	(void)state;
	check_ok(HEAD "zone host fd00:10::1\nzone v6 fd00::/8\nzone inner fd00:10::/32\n"
		 "zone other fd01::/16 fe80::/10\nzone edge fd00:10:8000::/33\n");
	assert_string_equal(prefixes(),
			    "fd00::/8 {v6}\n"
			    "fe80::/10 {other}\n"
			    "fd01::/16 {v6,other}\n"
			    "fd00:10::/32 {v6,inner}\n"
			    "fd00:10:8000::/33 {v6,inner,edge}\n"
			    "fd00:10::1/128 {host,v6,inner}\n");
}

static void test_prefixes_sorted(void **state)
{
	(void)state;
	/* family (IPv4 first), then length, then address */
	check_ok(HEAD "zone z 2001:db8::/32 192.168.0.0/16 ::/0 10.0.0.0/16 203.0.113.7 "
		 "172.16.0.0/16 2001:db8::1 10.0.0.0/8 fd00::/8 0.0.0.0/0 10.0.0.1 ::1\n");
	assert_string_equal(prefixes(),
			    "0.0.0.0/0 {z}\n"
			    "10.0.0.0/8 {z}\n"
			    "10.0.0.0/16 {z}\n"
			    "172.16.0.0/16 {z}\n"
			    "192.168.0.0/16 {z}\n"
			    "10.0.0.1/32 {z}\n"
			    "203.0.113.7/32 {z}\n"
			    "::/0 {z}\n"
			    "fd00::/8 {z}\n"
			    "2001:db8::/32 {z}\n"
			    "::1/128 {z}\n"
			    "2001:db8::1/128 {z}\n");
}

static void test_prefixes_families_apart(void **state)
{
	(void)state;
	/* every IPv4 address and every IPv6 address: neither reaches the other */
	check_ok(HEAD "zone all4 0.0.0.0/0\nzone all6 ::/0\nzone h4 10.0.0.1\nzone h6 ::1\n"
		 "zone mapped ::ffff:10.0.0.2\nzone compat ::10.0.0.3\n");
	assert_string_equal(prefixes(),
			    "0.0.0.0/0 {all4}\n"
			    "10.0.0.1/32 {all4,h4}\n"
			    "10.0.0.2/32 {all4,mapped}\n"
			    "::/0 {all6}\n"
			    "::1/128 {all6,h6}\n"
			    "::10.0.0.3/128 {all6,compat}\n");
	/* the same bytes in both families stay two entries */
	check_ok(HEAD "zone a 10.0.0.0/8\nzone b a00::/8\n");
	assert_string_equal(prefixes(), "10.0.0.0/8 {a}\na00::/8 {b}\n");
}

static void test_prefixes_64_zones(void **state)
{
	char *src = calloc(1, 64 * 32 + sizeof(HEAD) + 32);
	unsigned int i;

	(void)state;
	assert_non_null(src);
	strcpy(src, HEAD);
	for (i = 0; i < 64; i++)
		sprintf(src + strlen(src), "zone z%u 10.0.0.0/8\n", i);
	strcat(src, "zone z63 10.1.0.0/16\n");
	check(src);
	free(src);
	assert_string_equal(diags, "");
	assert_int_equal(pol.nprefixes, 2);
	assert_true(pol.prefixes[0].zones == UINT64_MAX);
	assert_true(pol.prefixes[1].zones == UINT64_MAX);
	assert_int_equal(pol.prefixes[1].net.prefixlen, 16);
}

/* ---- policy_load ------------------------------------------------------------- */

/* A temporary file holding @len bytes of @text. */
static const char *temp_file(const char *text, size_t len)
{
	int fd;

	strcpy(tmp_path, "/tmp/dlpguard-test-XXXXXX");
	tmp_is_dir = false;
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), len);
	assert_int_equal(close(fd), 0);
	return tmp_path;
}

static void assert_sha256(const unsigned char *got, const char *text, size_t len)
{
	unsigned char want[EVP_MAX_MD_SIZE];
	unsigned int wlen = 0;

	assert_true(EVP_Digest(text, len, want, &wlen, EVP_sha256(), NULL));
	assert_int_equal(wlen, 32);
	assert_memory_equal(got, want, 32);
}

static void test_load_file(void **state)
{
	const char *src = "\xef\xbb\xbf# 庁内\r\n" HEAD "zone 無害化 10.20.30.40\n";
	const char *path = temp_file(src, strlen(src));

	(void)state;
	assert_string_equal(load(path), "");
	assert_int_equal(load_ret, 0);
	assert_int_equal(pol.nzones, 1);
	assert_int_equal(pol.nprefixes, 1);
	/* the digest is of the file's bytes, byte-order mark and CR included */
	assert_sha256(pol.sha256, src, strlen(src));
}

static void test_load_invalid_file(void **state)
{
	const char *path = temp_file(HEAD "mode monitor\n", strlen(HEAD "mode monitor\n"));

	(void)state;
	load(path);
	assert_int_equal(load_ret, -EINVAL);
	assert_string_equal(diags, fmt("%s:5:1: error: 'mode' given twice; first at line 1\n",
				       path));
}

static void test_load_missing_file(void **state)
{
	struct dlp_diag diag;

	(void)state;
	assert_string_equal(load("/nonexistent-dlpguard/x.policy"),
			    "/nonexistent-dlpguard/x.policy: error: cannot read: No such file or "
			    "directory\n");
	assert_int_equal(load_ret, -ENOENT);
	assert_int_equal(nerrors, 1);
	/* counted even with nowhere to print */
	dlp_diag_init(&diag, "x", NULL);
	assert_int_equal(dlp_policy_load(&pol, "/nonexistent-dlpguard/x.policy", &diag), -ENOENT);
	assert_int_equal(diag.errors, 1);
}

static void test_load_directory(void **state)
{
	(void)state;
	strcpy(tmp_path, "/tmp/dlpguard-test-XXXXXX");
	tmp_is_dir = true;
	assert_non_null(mkdtemp(tmp_path));
	load(tmp_path);
	assert_int_equal(load_ret, -EINVAL);
	assert_int_equal(nerrors, 1);
	assert_string_equal(diags, fmt("%s: error: not a regular file\n", tmp_path));
}

/* A valid policy padded with comment lines to exactly @size bytes. */
static char *padded_policy(size_t size)
{
	char *s = keep(malloc(size + 1));
	size_t used;

	strcpy(s, HEAD);
	used = strlen(s);
	while (used < size) {
		size_t n = size - used > 1000 ? 1000 : size - used;

		memset(s + used, '#', n - 1);
		s[used + n - 1] = '\n';
		used += n;
	}
	s[size] = '\0';
	return s;
}

static void test_load_size_limit(void **state)
{
	char *src = padded_policy(DLP_MAX_POLICY_SIZE + 1);
	const char *path;

	(void)state;
	/* 1 MiB: the limit */
	path = temp_file(src, DLP_MAX_POLICY_SIZE);
	assert_string_equal(load(path), "");
	assert_int_equal(load_ret, 0);
	assert_sha256(pol.sha256, src, DLP_MAX_POLICY_SIZE);
	unlink(tmp_path);

	/* one byte more */
	path = temp_file(src, DLP_MAX_POLICY_SIZE + 1);
	load(path);
	assert_int_equal(load_ret, -EFBIG);
	assert_int_equal(nerrors, 1);
	assert_string_equal(diags, fmt("%s:1:1: error: policy too large (1048577 bytes); at most "
				       "1048576\n", path));
	assert_int_equal(pol.seen_mode.line, 0);
}

static void test_load_buffer_size_limit(void **state)
{
	char *src = padded_policy(DLP_MAX_POLICY_SIZE + 1);
	struct dlp_diag diag;
	FILE *f = diag_open(&diag, "t.policy");

	(void)state;
	assert_int_equal(dlp_policy_load_buffer(&pol, src, DLP_MAX_POLICY_SIZE + 1, &diag), -EFBIG);
	diag_close(f, &diag);
	assert_string_equal(diags, "t.policy:1:1: error: policy too large (1048577 bytes); at most "
			    "1048576\n");
	assert_int_equal(nerrors, 1);
	assert_int_equal(pol.seen_mode.line, 0);

	f = diag_open(&diag, "t.policy");
	assert_int_equal(dlp_policy_load_buffer(&pol, src, DLP_MAX_POLICY_SIZE, &diag), 0);
	diag_close(f, &diag);
	assert_string_equal(diags, "");
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_minimal),
		T(test_missing_everything),
		T(test_missing_one),
		T(test_parse_errors_then_compile),
		T(test_compile_alone),
		T(test_undefined_zone),
		T(test_zone_resolved),
		T(test_undefined_ledger_entry),
		T(test_duplicate_rule_ids),
		T(test_duplicate_regnos),
		T(test_duplicate_devices),
		T(test_mynumber_warning),
		T(test_prefixes_example),
		T(test_prefixes_dedup),
		T(test_prefixes_nested_v4),
		T(test_prefixes_nested_v6),
		T(test_prefixes_sorted),
		T(test_prefixes_families_apart),
		T(test_prefixes_64_zones),
		T(test_load_file),
		T(test_load_invalid_file),
		T(test_load_missing_file),
		T(test_load_directory),
		T(test_load_size_limit),
		T(test_load_buffer_size_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
