// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/event_log.c: the decision log.  Each action's line
 * against the exact expected text; escaping of the kernel's bytes; Japan
 * time across midnight and on a leap day; values newer than this code; the
 * lost-record line; the file writer (whole lines, ENOSPC, a write cut short);
 * and reading lines back into table rows.
 */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch.h"

#include "event_log.h"
#include "policy.h"
#include "utf8.h"

#define GENERATION 7

/*
 * Boot time 1000 s is 2026-04-01T00:00:00Z, 09:00 in Japan: the first
 * morning of fiscal year 2026.
 */
#define BOOT_S	       1000LL
#define EPOCH_20260401 1775001600LL
#define NS	       1000000000LL

static const char policy_src[] =
	"version 1\n"
	"mode enforce\n"
	"tier lgwan\n"
	"default deny\n"
	"default write allow\n"
	"zone internet 198.51.100.0/24 2001:db8::/32\n"
	"zone wide 198.51.0.0/16\n"
	"zone lgwan 10.0.0.0/8\n"
	"media DEMO-2026-001 bus usb id 46f4:0001 serial DLPDEMO0001 section 情報政策課 "
	"access rw until 2027-03-31\n"
	"media unregistered deny\n"
	"rule media-secret deny write media if class >= 2\n"
	"rule no-net deny connect zone internet port 443\n"
	"rule secret-send audit send zone internet\n";

static struct dlp_policy pol;
static char sha[65]; /* of policy_src */
static char line[DLP_LOG_LINE_MAX];

/* The terminal's accounts and processes, as the fake lookups know them. */
static int fake_user(__u32 uid, char *buf, size_t len)
{
	const char *name = uid == 1001 ? "tanaka" : uid == 1003 ? "山田" : NULL;

	if (!name)
		return -ENOENT;
	snprintf(buf, len, "%s", name);
	return 0;
}

static int fake_exe(__u32 tgid, __u32 pid, const char *comm, char *buf, size_t len)
{
	(void)pid;
	if (tgid != 4242)
		return -ENOENT;
	if (strcmp(comm, "cp"))
		return -ESRCH;
	snprintf(buf, len, "/usr/bin/cp");
	return 0;
}

static const struct dlp_log_lookup fake_lookup = {
	.user_name = fake_user,
	.exe_path = fake_exe,
};

static struct dlp_log_ctx ctx;

/* The devices dlpd judged: the demo stick's partition 8:17, a personal stick's 8:33, a disk. */
static const struct dlp_device *fake_device(void *arg, __u32 dev)
{
	static const struct dlp_device demo = {
		.dev = 8 << 20 | 17,
		.name = "sdb1",
		.partition = true,
		.media = true,
		.identified = true,
		.bus = DLP_DEVBUS_USB,
		.has_id = true,
		.vendor = 0x46f4,
		.product = 0x0001,
		.serial = "DLPDEMO0001",
	};
	static const struct dlp_device personal = {
		.dev = 8 << 20 | 33,
		.name = "sdc1",
		.partition = true,
		.media = true,
		.identified = true,
		.bus = DLP_DEVBUS_USB,
		.has_id = true,
		.vendor = 0x46f4,
		.product = 0x0001,
		.serial = "PRIVATE",
	};
	static const struct dlp_device disk = { .dev = 259 << 20 | 3, .name = "nvme0n1p3" };

	assert_ptr_equal(arg, &ctx);
	return dev == demo.dev	   ? &demo :
	       dev == personal.dev ? &personal :
	       dev == disk.dev	   ? &disk :
				     NULL;
}

static int setup(void **state)
{
	struct dlp_diag diag;
	unsigned int i;

	(void)state;
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "t.policy", stderr);
	if (dlp_policy_load_buffer(&pol, policy_src, strlen(policy_src), &diag))
		return -1;
	for (i = 0; i < 32; i++)
		snprintf(sha + 2 * i, 3, "%02x", pol.sha256[i]);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dlp_policy_free(&pol);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ctx.policies[0].policy = &pol;
	ctx.policies[0].generation = GENERATION;
	ctx.boot_to_real_ns = (EPOCH_20260401 - BOOT_S) * NS;
	ctx.lookup = &fake_lookup;
	ctx.device = fake_device;
	ctx.device_arg = &ctx;
	return 0;
}

static int cleanup(void **state)
{
	(void)state;
	scratch_free();
	return 0;
}

/* A record as dlp_report() fills it: tanaka's cp, at 09:00:00.000000123 JST. */
static struct dlp_event event(__u8 hook, __u8 action, __u8 verdict, __u8 reason, __u16 rule)
{
	struct dlp_event e = {
		.version = DLP_EVENT_VERSION,
		.size = sizeof(struct dlp_event),
		.hook = hook,
		.action = action,
		.verdict = verdict,
		.reason = reason,
		.time_ns = BOOT_S * NS + 123,
		.cgroup_id = 8812,
		.pid = 4243,
		.tgid = 4242,
		.uid = 1001,
		.generation = GENERATION,
		.rule = rule,
		.mode = DLP_MODE_ENFORCE,
	};

	memcpy(e.comm, "cp", 3);
	return e;
}

static void set_v4(struct dlp_event *e, __u8 a, __u8 b, __u8 c, __u8 d)
{
	memset(e->addr, 0, sizeof(e->addr));
	e->addr[10] = e->addr[11] = 0xff;
	e->addr[12] = a;
	e->addr[13] = b;
	e->addr[14] = c;
	e->addr[15] = d;
	e->family = AF_INET;
}

/* The line for @e, checked to be one valid line that reads back as a row. */
static const char *to_json(const struct dlp_event *e)
{
	struct dlp_log_row row;
	char why[128];
	int n;

	n = dlp_event_to_json(e, &ctx, line, sizeof(line));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(line));
	assert_int_equal(line[n - 1], '\n');
	assert_null(memchr(line, '\n', n - 1));
	assert_true(dlp_utf8_valid(line, n));
	if (dlp_log_line_to_row(line, n, &row, why, sizeof(why)))
		fail_msg("%s: %s", why, line);
	return line;
}

#define HEAD(time)                                                   \
	"{\"format\":1,\"type\":\"decision\",\"time\":\"" time "\"," \
	"\"boot_ns\":1000000000123,\"generation\":7,\"policy_sha256\":\"%s\","
#define CP_SUBJECT                                                                  \
	"\"subject\":{\"uid\":1001,\"user\":\"tanaka\",\"pid\":4243,\"tgid\":4242," \
	"\"comm\":\"cp\",\"exe\":\"/usr/bin/cp\",\"cgroup_id\":8812}"
#define T0900 "2026-04-01T09:00:00.000000123+09:00"

/* ---------------------------------------------------------------------------
 * Names
 */

/* Every value up to its enumeration's count has a name, and no two share one. */
static void check_names(const char *table, const char *const *names, unsigned int first,
			unsigned int count)
{
	unsigned int i, k;

	for (i = first; i < count; i++) {
		if (!names[i] || !names[i][0])
			fail_msg("%s: value %u has no name", table, i);
		for (k = first; k < i; k++)
			if (!strcmp(names[i], names[k]))
				fail_msg("%s: values %u and %u are both \"%s\"", table, k, i,
					 names[i]);
	}
	if (names[count])
		fail_msg("%s: a name beyond the last value %u", table, count - 1);
}

static void test_names_complete(void **state)
{
	(void)state;
	check_names("hook", dlp_hook_names, 0, DLP_HOOK_COUNT);
	check_names("action", dlp_action_names, 0, DLP_ACT_COUNT);
	check_names("verdict", dlp_verdict_names, 0, DLP_VERDICT_COUNT);
	check_names("reason", dlp_reason_names, 0, DLP_LOG_REASON_COUNT);
	check_names("mode", dlp_mode_names, 0, DLP_LOG_MODE_COUNT);
	check_names("proto", dlp_proto_names, 0, DLP_LOG_PROTO_COUNT);
	/* Rank 0 is "no class": written as null, so it has no name. */
	check_names("class", dlp_class_names, 1, DLP_LOG_CLASS_COUNT);
	check_names("integrity", dlp_integrity_names, 1, DLP_LOG_INTEG_COUNT);
}

/* ---------------------------------------------------------------------------
 * One line per action
 */

static void test_write_media(void **state)
{
	struct dlp_event e =
		event(DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY, DLP_REASON_RULE, 0);

	(void)state;
	e.taint = DLP_CLASS_2;
	e.label_class = DLP_CLASS_2;
	e.dev = 8 << 20 | 17;
	e.ino = 131;
	strcpy(e.path, "/media/tanaka/USB/機2_成績データ.xlsx");
	assert_string_equal(
		to_json(&e),
		fmt(HEAD(T0900) "\"mode\":\"enforce\",\"hook\":\"file_open\",\"action\":\"write\","
				"\"verdict\":\"deny\",\"reason\":\"rule\",\"rule\":\"media-secret\","
				"\"rule_index\":0," CP_SUBJECT ",\"taint\":\"機密性2\","
				"\"object\":{\"dev\":\"8:17\",\"ino\":131,"
				"\"path\":\"/media/tanaka/USB/機2_成績データ.xlsx\",\"class\":\"機密性2\","
				"\"integrity\":null,\"serial\":\"DLPDEMO0001\","
				"\"regno\":\"DEMO-2026-001\","
				"\"section\":\"情報政策課\"}}\n",
		    sha));
}

static void test_modify_default(void **state)
{
	struct dlp_event e = event(DLP_HOOK_PATH_TRUNCATE, DLP_ACT_MODIFY, DLP_VERDICT_DENY,
				   DLP_REASON_DEFAULT, 0);

	(void)state;
	e.label_integrity = DLP_INTEG_2;
	e.label_class = DLP_CLASS_3A;
	e.dev = 259 << 20 | 3;
	e.ino = 77;
	strcpy(e.path, "/share/台帳.csv");
	assert_string_equal(
		to_json(&e),
		fmt(HEAD(T0900) "\"mode\":\"enforce\",\"hook\":\"path_truncate\",\"action\":\"modify\","
				"\"verdict\":\"deny\",\"reason\":\"default\",\"rule\":null,\"rule_index\":null," CP_SUBJECT
				",\"taint\":null,\"object\":{\"dev\":\"259:3\",\"ino\":77,"
				"\"path\":\"/share/台帳.csv\",\"class\":\"機密性3A\","
				"\"integrity\":\"完全性2\",\"serial\":null,\"regno\":null,"
				"\"section\":null}}\n",
		    sha));
}

/* An inode hook knows only the new name; no path at all is null, not "". */
static void test_delete_no_path(void **state)
{
	struct dlp_event e = event(DLP_HOOK_INODE_UNLINK, DLP_ACT_DELETE, DLP_VERDICT_AUDIT,
				   DLP_REASON_DEFAULT, 0);

	(void)state;
	e.label_integrity = DLP_INTEG_1;
	e.uid = 1003;
	e.tgid = 5000;
	memcpy(e.comm, "rm", 3);
	assert_string_equal(
		to_json(&e),
		fmt(HEAD(T0900) "\"mode\":\"enforce\",\"hook\":\"inode_unlink\",\"action\":\"delete\","
				"\"verdict\":\"audit\",\"reason\":\"default\",\"rule\":null,\"rule_index\":null,"
				"\"subject\":{\"uid\":1003,\"user\":\"山田\",\"pid\":4243,\"tgid\":5000,"
				"\"comm\":\"rm\",\"exe\":null,\"cgroup_id\":8812},\"taint\":null,"
				"\"object\":{\"dev\":null,\"ino\":null,\"path\":null,\"class\":null,"
				"\"integrity\":\"完全性1\",\"serial\":null,\"regno\":null,"
				"\"section\":null}}\n",
		    sha));
}

static void test_mount_ledger(void **state)
{
	struct dlp_event e =
		event(DLP_HOOK_MOVE_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY, DLP_REASON_LEDGER, 0);

	(void)state;
	e.dev = 8 << 20 | 33;
	e.mode = DLP_MODE_MONITOR;
	e.uid = 4000;
	assert_string_equal(
		to_json(&e),
		fmt(HEAD(T0900) "\"mode\":\"monitor\",\"hook\":\"move_mount\",\"action\":\"mount\","
				"\"verdict\":\"deny\",\"reason\":\"ledger\",\"rule\":null,\"rule_index\":null,"
				"\"subject\":{\"uid\":4000,\"user\":null,\"pid\":4243,\"tgid\":4242,"
				"\"comm\":\"cp\",\"exe\":\"/usr/bin/cp\",\"cgroup_id\":8812},\"taint\":null,"
				"\"object\":{\"device\":\"8:33\",\"serial\":\"PRIVATE\",\"regno\":null,"
				"\"section\":null}}\n",
		    sha));
}

/* 198.51.100.7 lies in "internet" and in the wider "wide", not in "lgwan". */
static void test_connect_v4(void **state)
{
	struct dlp_event e = event(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, DLP_VERDICT_DENY,
				   DLP_REASON_RULE, 1);

	(void)state;
	set_v4(&e, 198, 51, 100, 7);
	e.port = 443;
	e.proto = DLP_PROTO_TCP;
	e.taint = DLP_CLASS_3;
	memcpy(e.comm, "curl", 5);
	e.tgid = 6000;
	assert_string_equal(
		to_json(&e),
		fmt(HEAD(T0900) "\"mode\":\"enforce\",\"hook\":\"cgroup_connect4\",\"action\":\"connect\","
				"\"verdict\":\"deny\",\"reason\":\"rule\",\"rule\":\"no-net\",\"rule_index\":1,"
				"\"subject\":{\"uid\":1001,\"user\":\"tanaka\",\"pid\":4243,\"tgid\":6000,"
				"\"comm\":\"curl\",\"exe\":null,\"cgroup_id\":8812},\"taint\":\"機密性3\","
				"\"object\":{\"family\":\"ipv4\",\"address\":\"198.51.100.7\",\"port\":443,"
				"\"proto\":\"tcp\",\"zones\":[\"internet\",\"wide\"]}}\n",
		    sha));
}

static void test_send_v6(void **state)
{
	static const __u8 a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x35 };
	struct dlp_event e = event(DLP_HOOK_CGROUP_SENDMSG6, DLP_ACT_SEND, DLP_VERDICT_AUDIT,
				   DLP_REASON_RULE, 2);

	(void)state;
	memcpy(e.addr, a, 16);
	e.family = AF_INET6;
	e.port = 53;
	e.proto = DLP_PROTO_UDP;
	assert_string_equal(
		to_json(&e),
		fmt(HEAD(T0900) "\"mode\":\"enforce\",\"hook\":\"cgroup_sendmsg6\",\"action\":\"send\","
				"\"verdict\":\"audit\",\"reason\":\"rule\",\"rule\":\"secret-send\","
				"\"rule_index\":2," CP_SUBJECT
				",\"taint\":null,\"object\":{\"family\":\"ipv6\","
				"\"address\":\"2001:db8::35\",\"port\":53,\"proto\":\"udp\","
				"\"zones\":[\"internet\"]}}\n",
		    sha));
}

/* An IPv4-mapped destination from connect6 is in the IPv4 zones, as in the kernel. */
static void test_connect_v4_mapped_by_v6(void **state)
{
	struct dlp_event e = event(DLP_HOOK_CGROUP_CONNECT6, DLP_ACT_CONNECT, DLP_VERDICT_DENY,
				   DLP_REASON_DEFAULT, 0);

	(void)state;
	set_v4(&e, 10, 1, 2, 3);
	e.family = AF_INET6;
	e.port = 8080;
	e.proto = DLP_PROTO_TCP;
	assert_non_null(strstr(to_json(&e), "\"object\":{\"family\":\"ipv6\",\"address\":"
					    "\"::ffff:10.1.2.3\",\"port\":8080,\"proto\":\"tcp\","
					    "\"zones\":[\"lgwan\"]}}\n"));
}

/* No policy loaded: the kernel refused, fail closed, and there is nothing to name. */
static void test_no_policy(void **state)
{
	struct dlp_event e = event(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, DLP_VERDICT_DENY,
				   DLP_REASON_NO_POLICY, 0);

	(void)state;
	e.generation = 0;
	set_v4(&e, 192, 0, 2, 1);
	e.port = 80;
	e.proto = DLP_PROTO_TCP;
	ctx.policies[0].generation = 0;
	assert_string_equal(
		to_json(&e),
		"{\"format\":1,\"type\":\"decision\",\"time\":\"" T0900
		"\",\"boot_ns\":1000000000123,\"generation\":0,\"policy_sha256\":null,"
		"\"mode\":\"enforce\",\"hook\":\"cgroup_connect4\",\"action\":\"connect\","
		"\"verdict\":\"deny\",\"reason\":\"no-policy\",\"rule\":null,\"rule_index\":null," CP_SUBJECT
		",\"taint\":null,\"object\":{\"family\":\"ipv4\",\"address\":"
		"\"192.0.2.1\",\"port\":80,\"proto\":\"tcp\",\"zones\":null}}\n");
}

/* A record of a policy the context no longer holds keeps its rule's index. */
static void test_generation_gone(void **state)
{
	struct dlp_event e =
		event(DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY, DLP_REASON_RULE, 0);

	(void)state;
	e.generation = 6;
	assert_non_null(strstr(to_json(&e), "\"generation\":6,\"policy_sha256\":null,"));
	assert_non_null(strstr(line, "\"rule\":null,\"rule_index\":0,"));

	ctx.policies[1] = ctx.policies[0];
	ctx.policies[1].generation = 6;
	ctx.policies[0].policy = NULL;
	assert_non_null(
		strstr(to_json(&e), fmt("\"generation\":6,\"policy_sha256\":\"%s\",", sha)));
	assert_non_null(strstr(line, "\"rule\":\"media-secret\",\"rule_index\":0,"));

	/* An index beyond the policy's rules names nothing. */
	e.rule = 3;
	assert_non_null(strstr(to_json(&e), "\"rule\":null,\"rule_index\":3,"));
}

/* Values from a newer kernel object are written as numbers, and the line stays valid. */
static void test_unknown_values(void **state)
{
	struct dlp_event e = event(200, 99, 7, 9, 5);

	(void)state;
	e.mode = 5;
	e.taint = 77;
	e.label_class = 6;
	e.label_integrity = 3;
	e.proto = 9;
	e.family = 99;
	e.dev = 0xffffffff;
	e.ino = UINT64_MAX;
	e.port = 65535;
	e.cgroup_id = UINT64_MAX;
	assert_string_equal(
		to_json(&e),
		fmt(HEAD(T0900) "\"mode\":5,\"hook\":200,\"action\":99,\"verdict\":7,\"reason\":9,\"rule\":null,"
				"\"rule_index\":null,\"subject\":{\"uid\":1001,\"user\":\"tanaka\",\"pid\":4243,"
				"\"tgid\":4242,\"comm\":\"cp\",\"exe\":\"/usr/bin/cp\","
				"\"cgroup_id\":18446744073709551615},\"taint\":77,\"object\":{"
				"\"dev\":\"4095:1048575\","
				"\"ino\":18446744073709551615,\"path\":null,\"class\":6,\"integrity\":3,"
				"\"family\":99,\"address\":\"::\",\"port\":65535,\"proto\":9,\"zones\":[]}}\n",
		    sha));
}

static void test_bad_version(void **state)
{
	struct dlp_event e =
		event(DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY, DLP_REASON_RULE, 0);

	(void)state;
	e.version = 2;
	assert_int_equal(dlp_event_to_json(&e, &ctx, line, sizeof(line)), -EPROTO);
	assert_string_equal(line, "");
	e.version = DLP_EVENT_VERSION;
	e.size = 360;
	assert_int_equal(dlp_event_to_json(&e, &ctx, line, sizeof(line)), -EPROTO);
}

/* Every buffer too small is refused, none is overrun, and the fitting one is exact. */
static void test_small_buffer(void **state)
{
	struct dlp_event e =
		event(DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY, DLP_REASON_RULE, 0);
	char *want = keep(strdup(to_json(&e)));
	size_t need = strlen(want) + 1, len;
	char *buf;

	(void)state;
	for (len = 0; len <= need; len++) {
		buf = malloc(len + 1);
		assert_non_null(buf);
		buf[len] = 'X';
		if (len < need) {
			assert_int_equal(dlp_event_to_json(&e, &ctx, buf, len), -ENOSPC);
		} else {
			assert_int_equal(dlp_event_to_json(&e, &ctx, buf, len), need - 1);
			assert_string_equal(buf, want);
		}
		assert_int_equal(buf[len], 'X');
		free(buf);
	}
}

/* ---------------------------------------------------------------------------
 * Escaping the kernel's bytes
 */

static void test_escape_controls_quotes(void **state)
{
	struct dlp_event e =
		event(DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY, DLP_REASON_RULE, 0);

	(void)state;
	memcpy(e.comm, "a\"b\\c\x01\x1f\x7f", 9);
	strcpy(e.path, "/m/x\ny\tz\r\"q\"\\\x1b[31m");
	to_json(&e);
	assert_non_null(strstr(line, "\"comm\":\"a\\\"b\\\\c\\u0001\\u001f\\u007f\","));
	assert_non_null(strstr(line, "\"path\":\"/m/x\\u000ay\\u0009z\\u000d\\\"q\\\"\\\\"
				     "\\u001b[31m\","));
}

/*
 * A byte that does not begin valid UTF-8 becomes U+FFFD; valid Japanese and
 * 4-byte characters stay as they are; C1 controls are escaped.
 */
static void test_escape_invalid_utf8(void **state)
{
	struct dlp_event e =
		event(DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY, DLP_REASON_RULE, 0);

	(void)state;
	/* "成績" cut after the first byte of 績, as comm truncation does */
	memcpy(e.comm, "\xe6\x88\x90\xe7", 5);
	strcpy(e.path, "/m/\xff\xfe|\xc0\xaf|\xed\xa0\x80|\xc2\x85|\xf0\x9f\x98\x80|機密");
	to_json(&e);
	assert_non_null(strstr(line, "\"comm\":\"成\xef\xbf\xbd\","));
	assert_non_null(strstr(line,
			       "\"path\":\"/m/\xef\xbf\xbd\xef\xbf\xbd|"
			       "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
			       "\\u0085|\xf0\x9f\x98\x80|機密\","));
}

/* A path of exactly 255 bytes and its NUL fills the record; one without a NUL is cut at 256. */
static void test_path_255(void **state)
{
	struct dlp_event e =
		event(DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY, DLP_REASON_RULE, 0);
	char *want;

	(void)state;
	want = repeat("a", 255);
	want[0] = '/';
	memcpy(e.path, want, 256);
	assert_int_equal(e.path[255], '\0');
	assert_non_null(strstr(to_json(&e), fmt("\"path\":\"%s\",", want)));

	/* 85 three-byte characters: 255 bytes, the last one whole */
	want = repeat("機", 85);
	memcpy(e.path, want, 256);
	assert_non_null(strstr(to_json(&e), fmt("\"path\":\"%s\",", want)));

	/* No NUL at all (the kernel always writes one): all 256 bytes, nothing after. */
	memset(e.path, 'b', sizeof(e.path));
	assert_non_null(strstr(to_json(&e), fmt("\"path\":\"%s\",", repeat("b", 256))));
	memset(e.comm, 'c', sizeof(e.comm));
	assert_non_null(strstr(to_json(&e), fmt("\"comm\":\"%s\",", repeat("c", 16))));
}

/* ---------------------------------------------------------------------------
 * Time
 */

static const char *time_of(__u64 boot_ns)
{
	static char buf[40];

	assert_int_equal(dlp_log_format_time(boot_ns, &ctx, buf, sizeof(buf)), 0);
	return buf;
}

static void test_time_midnight(void **state)
{
	(void)state;
	/* 2026-12-31T14:59:59.999999999Z is the last instant of 2026 in Japan. */
	ctx.boot_to_real_ns = 1798729199LL * NS - BOOT_S * NS;
	assert_string_equal(time_of(BOOT_S * NS + 999999999),
			    "2026-12-31T23:59:59.999999999+09:00");
	assert_string_equal(time_of(BOOT_S * NS + NS), "2027-01-01T00:00:00.000000000+09:00");
	/* Midnight UTC is nine in the morning in Japan, the same day. */
	ctx.boot_to_real_ns = (EPOCH_20260401 - BOOT_S) * NS;
	assert_string_equal(time_of(BOOT_S * NS), "2026-04-01T09:00:00.000000000+09:00");
	assert_string_equal(time_of(BOOT_S * NS - 1), "2026-04-01T08:59:59.999999999+09:00");
}

static void test_time_leap_day(void **state)
{
	(void)state;
	/* 2028-02-28T15:00:00Z: the leap day begins in Japan */
	ctx.boot_to_real_ns = 1835362800LL * NS - BOOT_S * NS;
	assert_string_equal(time_of(BOOT_S * NS - 1), "2028-02-28T23:59:59.999999999+09:00");
	assert_string_equal(time_of(BOOT_S * NS), "2028-02-29T00:00:00.000000000+09:00");
	assert_string_equal(time_of(BOOT_S * NS + 86399 * NS + 999999999),
			    "2028-02-29T23:59:59.999999999+09:00");
	assert_string_equal(time_of(BOOT_S * NS + 86400 * NS),
			    "2028-03-01T00:00:00.000000000+09:00");
}

/* An offset that is not a whole second borrows and carries into the seconds. */
static void test_time_fraction(void **state)
{
	(void)state;
	ctx.boot_to_real_ns = (EPOCH_20260401 - BOOT_S) * NS + 700000000;
	assert_string_equal(time_of(BOOT_S * NS + 300000000),
			    "2026-04-01T09:00:01.000000000+09:00");
	assert_string_equal(time_of(BOOT_S * NS + 299999999),
			    "2026-04-01T09:00:00.999999999+09:00");
	ctx.boot_to_real_ns = (EPOCH_20260401 - BOOT_S) * NS - 700000000;
	assert_string_equal(time_of(BOOT_S * NS + 699999999),
			    "2026-04-01T08:59:59.999999999+09:00");
}

/* The extremes of a record's time and the offset stay four-digit years, nothing wraps. */
static void test_time_extremes(void **state)
{
	struct dlp_event e =
		event(DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY, DLP_REASON_RULE, 0);
	char buf[40];

	(void)state;
	ctx.boot_to_real_ns = INT64_MIN;
	assert_string_equal(time_of(0), "1677-09-21T09:12:43.145224192+09:00");
	ctx.boot_to_real_ns = INT64_MAX;
	e.time_ns = UINT64_MAX;
	assert_non_null(strstr(to_json(&e), "\"time\":\"2846-10-31T08:21:50.564327422+09:00\","
					    "\"boot_ns\":18446744073709551615,"));
	ctx.boot_to_real_ns = 0;
	assert_int_equal(dlp_log_format_time(0, &ctx, buf, 10), -ENOSPC);
	assert_string_equal(time_of(0), "1970-01-01T09:00:00.000000000+09:00");
}

/* The measured offset is the distance between the two clocks, within its stated error. */
static void test_clock_sync(void **state)
{
	struct timespec boot, real;
	__s64 now_offset;

	(void)state;
	assert_int_equal(dlp_log_clock_sync(&ctx), 0);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_REALTIME, &real);
	now_offset = (real.tv_sec - boot.tv_sec) * NS + real.tv_nsec - boot.tv_nsec;
	assert_true(ctx.clock_error_ns >= 0);
	assert_true(llabs(now_offset - ctx.boot_to_real_ns) < 50000000);
}

/*
 * The system's lookups, on this test process: its executable is taken only
 * while the thread still has the name the record gave it.
 */
static void test_system_lookups(void **state)
{
	const struct dlp_log_lookup *sys = &dlp_log_lookup_system;
	char comm[32], exe[PATH_MAX], want[PATH_MAX];
	FILE *f = fopen("/proc/self/comm", "r");
	ssize_t n;

	(void)state;
	assert_non_null(f);
	assert_non_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	n = readlink("/proc/self/exe", want, sizeof(want) - 1);
	assert_true(n > 0);
	want[n] = '\0';

	assert_int_equal(sys->exe_path(getpid(), gettid(), comm, exe, sizeof(exe)), 0);
	assert_string_equal(exe, want);
	assert_int_equal(sys->exe_path(getpid(), gettid(), "renamed", exe, sizeof(exe)), -ESRCH);
	assert_int_equal(sys->exe_path(getpid(), gettid(), comm, exe, 4), -ERANGE);
	/* Beyond pid_max: no such process, ever. */
	assert_int_equal(sys->exe_path(4194305, 4194305, comm, exe, sizeof(exe)), -ENOENT);

	assert_int_equal(sys->user_name(0, comm, sizeof(comm)), 0);
	assert_string_equal(comm, "root");
	assert_int_equal(sys->user_name(0, comm, 4), -ERANGE);
	assert_int_equal(sys->user_name(4294967294U, comm, sizeof(comm)), -ENOENT);
}

/* ---------------------------------------------------------------------------
 * Lost records
 */

static void test_lost(void **state)
{
	int n;

	(void)state;
	n = dlp_lost_to_json(42, BOOT_S * NS + 5, &ctx, line, sizeof(line));
	assert_int_equal(n, strlen(line));
	assert_string_equal(line,
			    fmt("{\"format\":1,\"type\":\"lost\",\"time\":"
				"\"2026-04-01T09:00:00.000000005+09:00\",\"boot_ns\":1000000000005,"
				"\"generation\":7,\"policy_sha256\":\"%s\",\"lost\":42}\n",
				sha));

	ctx.policies[0].policy = NULL;
	dlp_lost_to_json(UINT64_MAX, BOOT_S * NS, &ctx, line, sizeof(line));
	assert_string_equal(
		line,
		"{\"format\":1,\"type\":\"lost\",\"time\":"
		"\"2026-04-01T09:00:00.000000000+09:00\",\"boot_ns\":1000000000000,"
		"\"generation\":null,\"policy_sha256\":null,\"lost\":18446744073709551615}\n");
	assert_int_equal(dlp_lost_to_json(1, 0, &ctx, line, 20), -ENOSPC);
}

/*
 * The policy line: who put which policy in force, replacing which; a start
 * names no one and nothing replaced; an unknown previous policy has a null
 * SHA-256; a reason is escaped like every string.
 */
static void test_policy(void **state)
{
	const char *head = "{\"format\":1,\"type\":\"policy\",\"time\":"
			   "\"2026-04-01T09:00:00.000000000+09:00\",\"boot_ns\":1000000000000,";
	int n;

	(void)state;
	n = dlp_policy_to_json(DLP_LOG_POLICY_START, "/etc/dlpguard/policy", -1, NULL, BOOT_S * NS,
			       &ctx, line, sizeof(line));
	assert_int_equal(n, strlen(line));
	assert_string_equal(line, fmt("%s\"event\":\"start\",\"name\":\"/etc/dlpguard/policy\","
				      "\"generation\":7,\"policy_sha256\":\"%s\",\"previous\":null,"
				      "\"by\":null,\"reason\":null}\n",
				      head, sha));

	ctx.policies[1].policy = &pol;
	ctx.policies[1].generation = GENERATION - 1;
	dlp_policy_to_json(DLP_LOG_POLICY_APPLY, "b.policy", 1001, "例外措置 \"第3号\"",
			   BOOT_S * NS, &ctx, line, sizeof(line));
	assert_string_equal(line,
			    fmt("%s\"event\":\"apply\",\"name\":\"b.policy\","
				"\"generation\":7,\"policy_sha256\":\"%s\",\"previous\":"
				"{\"generation\":6,\"policy_sha256\":\"%s\"},\"by\":{\"uid\":1001,"
				"\"user\":\"tanaka\"},\"reason\":\"例外措置 \\\"第3号\\\"\"}\n",
				head, sha, sha));

	/* the replaced policy was never known to this dlpd; the uid has no account */
	ctx.policies[1].policy = NULL;
	dlp_policy_to_json(DLP_LOG_POLICY_RELOAD, "p", 4242, NULL, BOOT_S * NS, &ctx, line,
			   sizeof(line));
	assert_string_equal(line, fmt("%s\"event\":\"reload\",\"name\":\"p\",\"generation\":7,"
				      "\"policy_sha256\":\"%s\",\"previous\":{\"generation\":6,"
				      "\"policy_sha256\":null},\"by\":{\"uid\":4242,\"user\":null},"
				      "\"reason\":null}\n",
				      head, sha));
	assert_int_equal(dlp_policy_to_json(DLP_LOG_POLICY_ADOPT, "p", -1, NULL, 0, &ctx, line, 40),
			 -ENOSPC);
}

/* The label line: the levels set, the value before, who and why. */
static void test_label(void **state)
{
	const char *head = "{\"format\":1,\"type\":\"label\",\"time\":"
			   "\"2026-04-01T09:00:00.000000000+09:00\",\"boot_ns\":1000000000000,";
	int n;

	(void)state;
	n = dlp_label_to_json("/srv/docs/住民票.txt", "user.dlpguard.label", DLP_CLASS_3A,
			      DLP_INTEG_2, NULL, 1003, "住民情報", BOOT_S * NS, &ctx, line,
			      sizeof(line));
	assert_int_equal(n, strlen(line));
	assert_string_equal(line,
			    fmt("%s\"path\":\"/srv/docs/住民票.txt\",\"attribute\":"
				"\"user.dlpguard.label\",\"class\":\"機密性3A\",\"integrity\":"
				"\"完全性2\",\"previous\":null,\"by\":{\"uid\":1003,\"user\":"
				"\"山田\"},\"reason\":\"住民情報\"}\n",
				head));
	/* taken off: no level; the value before, whatever it held, as a string */
	dlp_label_to_json("/srv/a\nb", "user.x", 0, 0, "機密性2 \"x\"", 0, NULL, BOOT_S * NS, &ctx,
			  line, sizeof(line));
	assert_string_equal(line, fmt("%s\"path\":\"/srv/a\\u000ab\",\"attribute\":\"user.x\","
				      "\"class\":null,\"integrity\":null,\"previous\":"
				      "\"機密性2 \\\"x\\\"\",\"by\":{\"uid\":0,\"user\":null},"
				      "\"reason\":null}\n",
				      head));
	assert_int_equal(dlp_label_to_json("/p", "user.x", 1, 0, NULL, 0, NULL, 0, &ctx, line, 30),
			 -ENOSPC);
}

/* A medium comes (registered, then unregistered), changes, and goes. */
static void test_device(void **state)
{
	struct dlp_device d = {
		.dev = 8 << 20 | 16,
		.name = "sdb",
		.devnode = "/dev/sdb",
		.media = true,
		.identified = true,
		.removable = true,
		.bus = DLP_DEVBUS_USB,
		.has_id = true,
		.vendor = 0x46f4,
		.product = 0x0001,
		.serial = "DLPDEMO0001",
	};
	struct dlp_media_dev v = { .kind = DLP_DEVICE_REGISTERED, .writable = 1 };
	const char *head = "{\"format\":1,\"type\":\"device\",\"time\":"
			   "\"2026-04-01T09:00:00.000000000+09:00\",\"boot_ns\":1000000000000,";
	int n;

	(void)state;
	n = dlp_device_to_json(DLP_DEVICE_ADD, &d, &v, BOOT_S * NS, &ctx, line, sizeof(line));
	assert_int_equal(n, strlen(line));
	assert_string_equal(line, fmt("%s\"event\":\"attach\",\"name\":\"sdb\",\"devnode\":"
				      "\"/dev/sdb\",\"dev\":\"8:16\",\"verdict\":\"registered\","
				      "\"bus\":\"usb\",\"vendor\":\"46f4\",\"product\":\"0001\","
				      "\"serial\":\"DLPDEMO0001\",\"regno\":\"DEMO-2026-001\","
				      "\"section\":\"情報政策課\",\"access\":\"rw\"}\n",
				      head));

	{
		struct dlp_log_row row;
		char why[128];

		assert_int_equal(
			dlp_log_line_to_row(line, strlen(line) - 1, &row, why, sizeof(why)), 0);
		assert_string_equal(row.action, "attach");
		assert_string_equal(row.object, "/dev/sdb DEMO-2026-001");
		assert_string_equal(row.verdict, "registered");
		assert_string_equal(row.rule, "(ledger)");
	}

	v.kind = DLP_DEVICE_UNREGISTERED;
	d.serial[0] = '\0';
	dlp_device_to_json(DLP_DEVICE_CHANGE, &d, &v, BOOT_S * NS, &ctx, line, sizeof(line));
	assert_string_equal(line, fmt("%s\"event\":\"change\",\"name\":\"sdb\",\"devnode\":"
				      "\"/dev/sdb\",\"dev\":\"8:16\",\"verdict\":\"unregistered\","
				      "\"bus\":\"usb\",\"vendor\":\"46f4\",\"product\":\"0001\","
				      "\"serial\":null,\"regno\":null,\"section\":null,"
				      "\"access\":null}\n",
				      head));

	dlp_device_to_json(DLP_DEVICE_REMOVE, &d, NULL, BOOT_S * NS, &ctx, line, sizeof(line));
	assert_string_equal(line, fmt("%s\"event\":\"detach\",\"name\":\"sdb\",\"devnode\":"
				      "\"/dev/sdb\",\"dev\":\"8:16\",\"verdict\":null,\"bus\":null,"
				      "\"vendor\":null,\"product\":null,\"serial\":null,"
				      "\"regno\":null,\"section\":null,\"access\":null}\n",
				      head));

	/* A ledger index the policy does not have (an older generation's) names nothing. */
	v.kind = DLP_DEVICE_REGISTERED;
	v.ledger_index = 99;
	dlp_device_to_json(DLP_DEVICE_ADD, &d, &v, BOOT_S * NS, &ctx, line, sizeof(line));
	assert_non_null(strstr(line, "\"verdict\":\"registered\""));
	assert_non_null(strstr(line, "\"regno\":null"));
	assert_int_equal(dlp_device_to_json(DLP_DEVICE_ADD, &d, &v, 0, &ctx, line, 40), -ENOSPC);
}

static void test_guard(void **state)
{
	struct dlpguard_event e = {
		.size = sizeof(e),
		.type = DLPGUARD_EV_ATTACH,
		.boot_ns = BOOT_S * NS,
		.seq = 12,
		.dev = 179 << 20 | 0,
		.flags = DLPGUARD_EVF_READ_ONLY,
		.bus = DLPGUARD_BUS_MMC,
		.vendor = 0xaa,
		.product = 0x5859,
		.name = "mmcblk0",
		.serial = "0xdeadbeef",
	};
	const char *head = "{\"format\":1,\"type\":\"guard\",\"time\":"
			   "\"2026-04-01T09:00:00.000000000+09:00\",\"boot_ns\":1000000000000,"
			   "\"seq\":12,";
	struct dlp_log_row row;
	char why[128];
	int n;

	(void)state;
	n = dlp_guard_to_json(&e, &ctx, line, sizeof(line));
	assert_int_equal(n, strlen(line));
	assert_string_equal(line, fmt("%s\"event\":\"attach\",\"name\":\"mmcblk0\","
				      "\"dev\":\"179:0\",\"state\":\"read-only\",\"bus\":\"mmc\","
				      "\"vendor\":\"00aa\",\"product\":\"5859\","
				      "\"serial\":\"0xdeadbeef\",\"removable\":false,"
				      "\"module_lost\":0}\n",
				      head));
	assert_int_equal(dlp_log_line_to_row(line, strlen(line) - 1, &row, why, sizeof(why)), 0);
	assert_string_equal(row.action, "attach");
	assert_string_equal(row.object, "/dev/mmcblk0 0xdeadbeef");
	assert_string_equal(row.rule, "(module)");
	assert_string_equal(row.verdict, "read-only");

	/* released, on USB, after losses; a serial without its NUL is cut at the array's end */
	e.type = DLPGUARD_EV_RELEASED;
	e.flags = DLPGUARD_EVF_REMOVABLE;
	e.bus = DLPGUARD_BUS_USB;
	e.vendor = 0x46f4;
	e.product = 0x0001;
	e.lost = 3;
	memset(e.serial, 'A', sizeof(e.serial));
	dlp_guard_to_json(&e, &ctx, line, sizeof(line));
	assert_non_null(strstr(line, "\"event\":\"released\""));
	assert_non_null(strstr(line, "\"state\":\"writable\",\"bus\":\"usb\",\"vendor\":\"46f4\""));
	assert_non_null(strstr(line, "\"removable\":true,\"module_lost\":3}"));
	assert_int_equal(strspn(strstr(line, "\"serial\":\"") + 10, "A"), sizeof(e.serial));

	/* a removable disk on no bus: no identity; an event type newer than this code: its number */
	e.type = 9;
	e.bus = DLPGUARD_BUS_NONE;
	e.serial[0] = '\0';
	dlp_guard_to_json(&e, &ctx, line, sizeof(line));
	assert_non_null(strstr(line, "\"event\":9,"));
	assert_non_null(strstr(line, "\"bus\":null,\"vendor\":null,\"product\":null,"
				     "\"serial\":null,"));
	assert_int_equal(dlp_guard_to_json(&e, &ctx, line, 40), -ENOSPC);
}

/* ---------------------------------------------------------------------------
 * The log file
 */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_event_log.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int remove_tmpdir(void **state)
{
	char *cmd = NULL;

	(void)state;
	scratch_free();
	if (asprintf(&cmd, "rm -rf '%s'", tmpdir) > 0 && system(cmd))
		print_error("could not remove %s\n", tmpdir);
	free(cmd);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	buf = keep(calloc(1, len + 1));
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
	return buf;
}

static void test_writer_appends(void **state)
{
	char *path = fmt("%s/decisions.jsonl", tmpdir);
	struct group *adm;
	struct dlp_log *log;
	struct stat st;
	mode_t old;
	int err = 1;

	(void)state;
	old = umask(0);
	log = dlp_log_open(path, &err);
	umask(old);
	assert_non_null(log);
	assert_int_equal(err, 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* group adm where it exists and we may give it (root) */
	adm = getgrnam(DLP_LOG_GROUP);
	if (adm && !geteuid())
		assert_int_equal(st.st_gid, adm->gr_gid);
	assert_int_equal(dlp_log_write(log, "{\"a\":1}\n"), 0);
	assert_int_equal(dlp_log_write(log, "{\"b\":2}\n"), 0);
	assert_int_equal(dlp_log_sync(log), 0);
	dlp_log_close(log);

	/* Reopening appends after what is there, and keeps the owner and mode. */
	assert_int_equal(chmod(path, 0600), 0);
	log = dlp_log_open(path, &err);
	assert_non_null(log);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(dlp_log_write(log, "{\"c\":3}\n"), 0);
	dlp_log_close(log);
	assert_string_equal(slurp(path), "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
	dlp_log_close(NULL);
}

/* Only whole single lines are written. */
static void test_writer_lines_only(void **state)
{
	char *path = fmt("%s/lines.jsonl", tmpdir);
	struct dlp_log *log;
	int err;

	(void)state;
	log = dlp_log_open(path, &err);
	assert_non_null(log);
	assert_int_equal(dlp_log_write(log, ""), -EINVAL);
	assert_int_equal(dlp_log_write(log, "{}"), -EINVAL);
	assert_int_equal(dlp_log_write(log, "{}\n{}\n"), -EINVAL);
	dlp_log_close(log);
	assert_string_equal(slurp(path), "");
}

static void test_writer_open_errors(void **state)
{
	struct dlp_log *log;
	int err = 0;

	(void)state;
	log = dlp_log_open(fmt("%s/no-such-dir/decisions.jsonl", tmpdir), &err);
	assert_null(log);
	assert_int_equal(err, -ENOENT);

	/* A symbolic link planted where the log goes is not followed. */
	assert_int_equal(symlink("/etc/passwd", fmt("%s/link.jsonl", tmpdir)), 0);
	log = dlp_log_open(fmt("%s/link.jsonl", tmpdir), &err);
	assert_null(log);
	assert_int_equal(err, -ELOOP);
}

/* A full disk is reported, never swallowed. */
static void test_writer_enospc(void **state)
{
	struct dlp_log *log;
	int err;

	(void)state;
	log = dlp_log_open("/dev/full", &err);
	if (!log)
		skip();
	assert_int_equal(dlp_log_write(log, "{\"lost\":1}\n"), -ENOSPC);
	assert_int_equal(dlp_log_write(log, "{\"lost\":1}\n"), -ENOSPC);
	dlp_log_close(log);
}

/*
 * A write cut short (here by the file size limit, as a full disk would) is
 * reported, and the part of the line that got out is cut off again, so the
 * log still holds whole lines only.
 */
static void test_writer_cut_short(void **state)
{
	char *path = fmt("%s/short.jsonl", tmpdir);
	struct rlimit old, lim;
	struct dlp_log *log;
	void (*oldsig)(int);
	int err, ret;

	(void)state;
	log = dlp_log_open(path, &err);
	assert_non_null(log);
	assert_int_equal(dlp_log_write(log, "{\"first\":1}\n"), 0); /* 12 bytes */

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	oldsig = signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 20;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ret = dlp_log_write(log, "{\"second\":\"long enough to cross the limit\"}\n");
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(ret, -EFBIG);

	assert_int_equal(dlp_log_write(log, "{\"third\":3}\n"), 0);
	dlp_log_close(log);
	assert_string_equal(slurp(path), "{\"first\":1}\n{\"third\":3}\n");
}

/* Lines from the formatter go through the writer unchanged. */
static void test_writer_records(void **state)
{
	char *path = fmt("%s/records.jsonl", tmpdir);
	struct dlp_event e =
		event(DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY, DLP_REASON_LEDGER, 0);
	struct dlp_log *log;
	char *want;
	int err;

	(void)state;
	log = dlp_log_open(path, &err);
	assert_non_null(log);
	assert_int_equal(dlp_log_write(log, to_json(&e)), 0);
	want = keep(strdup(line));
	assert_true(dlp_lost_to_json(3, BOOT_S * NS, &ctx, line, sizeof(line)) > 0);
	assert_int_equal(dlp_log_write(log, line), 0);
	assert_int_equal(dlp_log_sync(log), 0);
	dlp_log_close(log);
	assert_string_equal(slurp(path), fmt("%s%s", want, line));
}

/* Write @text as the whole of the file @name in tmpdir; its path. */
static char *put_file(const char *name, const char *text)
{
	char *path = fmt("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Whether the log at @path, opened afresh, says it has @e (the first record asked). */
static bool has_at_open(const char *path, const struct dlp_event *e)
{
	struct dlp_log *log;
	bool has;
	int err;

	log = dlp_log_open(path, &err);
	assert_non_null(log);
	has = dlp_log_has(log, e);
	dlp_log_close(log);
	return has;
}

/* The same for a module event. */
static bool has_guard_at_open(const char *path, const struct dlpguard_event *g)
{
	struct dlp_log *log;
	bool has;
	int err;

	log = dlp_log_open(path, &err);
	assert_non_null(log);
	has = dlp_log_has_guard(log, g);
	dlp_log_close(log);
	return has;
}

/*
 * A dlpd killed after writing a record's line, before the ring buffer learnt
 * that it was read, leaves that record to the next dlpd: the log, opened
 * again, knows its last decision and the record is recognised, once.
 */
static void test_log_has_last(void **state)
{
	struct dlp_event e =
		event(DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY, DLP_REASON_RULE, 0);
	struct dlp_event other;
	struct dlp_log *log;
	char *path, *first;
	int err;

	(void)state;
	first = keep(strdup(to_json(&e)));
	path = put_file("has.jsonl", first);
	log = dlp_log_open(path, &err);
	assert_non_null(log);
	assert_true(dlp_log_has(log, &e));
	assert_false(dlp_log_has(log, &e)); /* only the first record can be it */
	dlp_log_close(log);

	/* Anything that identifies the record differs: not it, and it is written. */
	other = e;
	other.time_ns++;
	assert_false(has_at_open(path, &other));
	other = e;
	other.pid++;
	assert_false(has_at_open(path, &other));
	other = e;
	other.hook = DLP_HOOK_FILE_PERMISSION;
	assert_false(has_at_open(path, &other));
	other = e;
	other.verdict = DLP_VERDICT_AUDIT;
	assert_false(has_at_open(path, &other));

	/* After the decision dlpd went on (a lost line): the decision was consumed. */
	assert_true(dlp_lost_to_json(3, BOOT_S * NS, &ctx, line, sizeof(line)) > 0);
	path = put_file("has-lost.jsonl", fmt("%s%s", first, line));
	assert_false(has_at_open(path, &e));

	/* A new log, or one whose last line was cut short: not there. */
	log = dlp_log_open(fmt("%s/has-new.jsonl", tmpdir), &err);
	assert_false(dlp_log_has(log, &e));
	dlp_log_close(log);
	path = put_file("has-torn.jsonl", fmt("%.*s", (int)strlen(first) - 2, first));
	assert_false(has_at_open(path, &e));

	/* Cut just before its newline, the decision is there: the next write ends it. */
	path = put_file("has-no-newline.jsonl", fmt("%.*s", (int)strlen(first) - 1, first));
	log = dlp_log_open(path, &err);
	assert_true(dlp_log_has(log, &e));
	assert_int_equal(dlp_log_write(log, "{\"next\":1}\n"), 0);
	dlp_log_close(log);
	assert_string_equal(slurp(path), fmt("%s{\"next\":1}\n", first));
}

/*
 * dlpguard.ko holds an event until dlpd has written its line: a dlpd killed
 * in between leaves the next one an event whose guard line ends the log.
 * Recognised once, by number, instant, disk and event; a decision ending
 * the log is no guard line, and a guard line no decision.
 */
static void test_log_has_guard(void **state)
{
	struct dlpguard_event g = { .size = sizeof(g),
				    .type = DLPGUARD_EV_RELEASED,
				    .boot_ns = BOOT_S * NS + 5,
				    .seq = 41,
				    .name = "sdb",
				    .bus = DLPGUARD_BUS_USB,
				    .serial = "S1" };
	struct dlp_event e =
		event(DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY, DLP_REASON_RULE, 0);
	struct dlpguard_event other;
	struct dlp_log *log;
	char *path;
	int err;

	(void)state;
	assert_true(dlp_guard_to_json(&g, &ctx, line, sizeof(line)) > 0);
	path = put_file("guard.jsonl", line);
	log = dlp_log_open(path, &err);
	assert_false(dlp_log_has(log, &e)); /* a decision first: the guard mark stays */
	assert_true(dlp_log_has_guard(log, &g));
	assert_false(dlp_log_has_guard(log, &g)); /* only the first event can be it */
	dlp_log_close(log);

	other = g;
	other.seq++;
	assert_false(has_guard_at_open(path, &other));
	other = g;
	other.boot_ns++;
	assert_false(has_guard_at_open(path, &other));
	other = g;
	strcpy(other.name, "sdc");
	assert_false(has_guard_at_open(path, &other));
	other = g;
	other.type = DLPGUARD_EV_GUARDED;
	assert_false(has_guard_at_open(path, &other));

	/* a decision ends the log: no event is it */
	path = put_file("guard-decision.jsonl", to_json(&e));
	log = dlp_log_open(path, &err);
	assert_false(dlp_log_has_guard(log, &g));
	assert_true(dlp_log_has(log, &e));
	dlp_log_close(log);
}

/*
 * The last line is found behind a long log; a value newer than the reader
 * is compared as the number the line has.
 */
static void test_log_has_long(void **state)
{
	struct dlp_event e = event(DLP_HOOK_COUNT + 3, DLP_ACT_COUNT + 1, DLP_VERDICT_DENY,
				   DLP_REASON_DEFAULT, 0);
	char *filler = keep(malloc(3 * DLP_LOG_LINE_MAX));
	char *path;
	size_t i;

	(void)state;
	for (i = 0; i + 8 < 3 * DLP_LOG_LINE_MAX; i += 8)
		memcpy(filler + i, "{\"a\":1}\n", 8);
	filler[i] = '\0';
	strcpy(e.path, "/media/USB/x");
	path = put_file("has-long.jsonl", fmt("%s%s", filler, to_json(&e)));
	assert_true(has_at_open(path, &e));

	/* A last line longer than any line dlpd writes is no decision. */
	memset(filler, 'x', 2 * DLP_LOG_LINE_MAX);
	filler[2 * DLP_LOG_LINE_MAX] = '\n';
	filler[2 * DLP_LOG_LINE_MAX + 1] = '\0';
	path = put_file("has-huge.jsonl", filler);
	assert_false(has_at_open(path, &e));

	/* Not a decision, or not strict JSON: no mark. */
	path = put_file("has-bad.jsonl", fmt("%.*s,}\n", (int)strlen(line) - 2, line));
	assert_false(has_at_open(path, &e));
}

/*
 * A dlpd killed in the middle of a line leaves it without its newline: the
 * next line starts on a line of its own, so the fragment is one bad line and
 * the next record stays whole.
 */
static void test_writer_torn_at_open(void **state)
{
	char *path = put_file("torn.jsonl", "{\"first\":1}\n{\"sec");
	struct dlp_log *log;
	int err;

	(void)state;
	log = dlp_log_open(path, &err);
	assert_non_null(log);
	assert_true(dlp_log_torn(log));
	assert_int_equal(dlp_log_write(log, "{\"third\":3}\n"), 0);
	assert_false(dlp_log_torn(log));
	dlp_log_close(log);
	assert_string_equal(slurp(path), "{\"first\":1}\n{\"sec\n{\"third\":3}\n");
}

/* ---------------------------------------------------------------------------
 * Reading lines back
 */

static struct dlp_log_row row;

static void to_row(const char *text)
{
	char why[128];

	if (dlp_log_line_to_row(text, strlen(text), &row, why, sizeof(why)))
		fail_msg("%s: %s", why, text);
}

static void assert_row(const char *time, const char *user, const char *action, const char *object,
		       const char *rule, const char *verdict)
{
	assert_string_equal(row.time, time);
	assert_string_equal(row.user, user);
	assert_string_equal(row.action, action);
	assert_string_equal(row.object, object);
	assert_string_equal(row.rule, rule);
	assert_string_equal(row.verdict, verdict);
}

static void test_row_each_action(void **state)
{
	struct dlp_event e =
		event(DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY, DLP_REASON_RULE, 0);

	(void)state;
	strcpy(e.path, "/media/USB/機2_成績.xlsx");
	to_row(to_json(&e));
	assert_row("2026-04-01 09:00:00", "tanaka", "write", "/media/USB/機2_成績.xlsx",
		   "media-secret", "deny");

	e = event(DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY, DLP_REASON_LEDGER, 0);
	e.dev = 8 << 20 | 1;
	e.uid = 4000;
	e.mode = DLP_MODE_MONITOR;
	to_row(to_json(&e));
	assert_row("2026-04-01 09:00:00", "4000", "mount", "device 8:1", "(ledger)",
		   "deny (monitor)");
	/* a medium dlpd knows: by its ledger number, else by its serial */
	e.dev = 8 << 20 | 17;
	to_row(to_json(&e));
	assert_string_equal(row.object, "device 8:17 DEMO-2026-001");
	e.dev = 8 << 20 | 33;
	to_row(to_json(&e));
	assert_string_equal(row.object, "device 8:33 PRIVATE");

	e = event(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, DLP_VERDICT_DENY, DLP_REASON_RULE, 1);
	set_v4(&e, 198, 51, 100, 7);
	e.port = 443;
	e.proto = DLP_PROTO_TCP;
	to_row(to_json(&e));
	assert_row("2026-04-01 09:00:00", "tanaka", "connect", "198.51.100.7:443/tcp", "no-net",
		   "deny");

	e = event(DLP_HOOK_CGROUP_SENDMSG6, DLP_ACT_SEND, DLP_VERDICT_AUDIT, DLP_REASON_NO_POLICY,
		  0);
	e.addr[15] = 1;
	e.family = AF_INET6;
	e.port = 53;
	e.proto = DLP_PROTO_UDP;
	e.uid = 1003;
	to_row(to_json(&e));
	assert_row("2026-04-01 09:00:00", "山田", "send", "[::1]:53/udp", "(no policy)", "audit");

	e = event(DLP_HOOK_INODE_UNLINK, DLP_ACT_DELETE, DLP_VERDICT_DENY, DLP_REASON_DEFAULT, 0);
	e.dev = 8 << 20 | 2;
	e.ino = 99;
	to_row(to_json(&e));
	assert_row("2026-04-01 09:00:00", "tanaka", "delete", "dev 8:2 ino 99", "(default)",
		   "deny");

	assert_true(dlp_lost_to_json(1, BOOT_S * NS, &ctx, line, sizeof(line)) > 0);
	to_row(line);
	assert_row("2026-04-01 09:00:00", "-", "lost", "1 record not logged", "-", "-");
	assert_true(dlp_lost_to_json(9, BOOT_S * NS, &ctx, line, sizeof(line)) > 0);
	to_row(line);
	assert_string_equal(row.object, "9 records not logged");

	/* Policy lines: who (no one for dlpd's own start), the event, name and generation. */
	assert_true(dlp_policy_to_json(DLP_LOG_POLICY_START, "/etc/dlpguard/policy", -1, NULL,
				       BOOT_S * NS, &ctx, line, sizeof(line)) > 0);
	to_row(line);
	assert_row("2026-04-01 09:00:00", "-", "policy", "start /etc/dlpguard/policy, generation 7",
		   "-", "-");
	assert_true(dlp_policy_to_json(DLP_LOG_POLICY_APPLY, "b.policy", 1001, "r", BOOT_S * NS,
				       &ctx, line, sizeof(line)) > 0);
	to_row(line);
	assert_row("2026-04-01 09:00:00", "tanaka", "policy", "apply b.policy, generation 7", "-",
		   "-");
	assert_true(dlp_policy_to_json(DLP_LOG_POLICY_RELOAD, "p", 4242, NULL, BOOT_S * NS, &ctx,
				       line, sizeof(line)) > 0);
	to_row(line);
	assert_string_equal(row.user, "4242");

	/* Label lines: who, the file, the label it now has (none: "-"). */
	assert_true(dlp_label_to_json("/srv/docs/住民票.txt", "user.dlpguard.label", DLP_CLASS_3A,
				      DLP_INTEG_2, NULL, 1003, NULL, BOOT_S * NS, &ctx, line,
				      sizeof(line)) > 0);
	to_row(line);
	assert_row("2026-04-01 09:00:00", "山田", "label", "/srv/docs/住民票.txt", "-",
		   "機密性3A 完全性2");
	assert_true(dlp_label_to_json("/a", "user.x", DLP_CLASS_2, 0, NULL, 0, NULL, BOOT_S * NS,
				      &ctx, line, sizeof(line)) > 0);
	to_row(line);
	assert_row("2026-04-01 09:00:00", "0", "label", "/a", "-", "機密性2");
	assert_true(dlp_label_to_json("/a", "user.x", 0, DLP_INTEG_1, NULL, 0, NULL, BOOT_S * NS,
				      &ctx, line, sizeof(line)) > 0);
	to_row(line);
	assert_string_equal(row.verdict, "完全性1");
	assert_true(dlp_label_to_json("/a", "user.x", 0, 0, "機密性2", 0, NULL, BOOT_S * NS, &ctx,
				      line, sizeof(line)) > 0);
	to_row(line);
	assert_string_equal(row.verdict, "-");
}

/* Escapes are decoded; control characters never reach the terminal. */
static void test_row_escapes(void **state)
{
	(void)state;
	to_row("{\"type\":\"decision\",\"time\":null,\"action\":\"write\",\"verdict\":\"deny\","
	       "\"rule\":\"r\\u002d1\",\"subject\":{\"uid\":5,"
	       "\"user\":\"\\u5c71\\u7530\\ud83d\\ude00\"},"
	       "\"object\":{\"path\":\"/a\\u001b[31m\\n\\t\\u0085\\\"\\\\\\/\xc2\x9b\x7f\"}}");
	assert_row("-", "山田\xf0\x9f\x98\x80", "write", "/a?[31m???\"\\/??", "r-1", "deny");
	/* Unknown values from a newer writer are shown as written. */
	to_row("{\"type\":\"decision\",\"action\":99,\"verdict\":7,\"reason\":9,"
	       "\"subject\":{\"uid\":1},\"object\":{}}");
	assert_row("-", "1", "99", "-", "(9)", "7");
	to_row("{\"type\":\"exception\",\"time\":\"2026-04-01T09:00:00.1+09:00\"}");
	assert_row("2026-04-01 09:00:00", "-", "(exception)", "-", "-", "-");
	/* Long values are cut on a character boundary. */
	to_row(fmt("{\"type\":\"decision\",\"rule\":\"%s\"}", repeat("機", 40)));
	assert_string_equal(row.rule, repeat("機", 15));
}

static void check_bad(const char *text, const char *why_prefix)
{
	char why[128];
	int ret;

	ret = dlp_log_line_to_row(text, strlen(text), &row, why, sizeof(why));
	if (ret != -EINVAL)
		fail_msg("accepted: %s", text);
	if (strncmp(why, why_prefix, strlen(why_prefix)))
		fail_msg("%s: \"%s\", expected \"%s...\"", text, why, why_prefix);
}

static void test_row_malformed(void **state)
{
	(void)state;
	check_bad("", "unexpected end of line at byte 1");
	check_bad("{\"type\":\"lost\",\"lost\":1", "expected ',' or '}' at byte 24");
	check_bad("{\"type\":\"lost\"} x", "text after the object at byte 17");
	check_bad("[1,2]", "not a JSON object");
	check_bad("{\"lost\":1}", "no \"type\" string");
	check_bad("{\"type\":1}", "no \"type\" string");
	check_bad("{\"type\":\"lost\",\"type\":\"decision\"}", "repeated member");
	check_bad("{\"type\":\"decision\",\"subject\":{\"user\":\"a\",\"user\":\"b\"}}",
		  "repeated member");
	check_bad("{\"type\":\"a\x01\"}", "control character in a string");
	check_bad("{\"type\":\"\xff\"}", "invalid UTF-8 in a string");
	check_bad("{\"type\":\"\\x41\"}", "bad escape in a string");
	check_bad("{\"type\":\"\\u12\"}", "bad \\u escape");
	check_bad("{\"type\":\"\\ud800\"}", "unpaired surrogate");
	check_bad("{\"type\":\"\\udc00\"}", "unpaired surrogate");
	check_bad("{\"type\":\"x\",\"n\":01}", "expected ',' or '}'");
	check_bad("{\"type\":\"x\",\"n\":1.}", "bad number");
	check_bad("{\"type\":\"x\",\"n\":-}", "bad number");
	check_bad("{\"type\":\"x\",\"n\":1e}", "bad number");
	check_bad("{\"type\":\"x\",\"n\":tru}", "unexpected character");
	check_bad("{\"type\":\"x\",}", "expected a member name");
	check_bad("{\"type\":\"x\",\"a\":[1,]}", "unexpected character");
	check_bad("{\"type\" \"x\"}", "expected ':'");
	check_bad("{\"type\":\"x", "unterminated string");
	check_bad(fmt("{\"type\":\"x\",\"a\":%s1%s}", repeat("[", 40), repeat("]", 40)),
		  "nested too deeply");
	/* A NUL inside the line is not JSON. */
	assert_int_equal(dlp_log_line_to_row("{\"type\":\"x\"}\0", 13, &row, line, 128), -EINVAL);
	/* Well-formed lines with surrounding space and numbers of every form. */
	to_row(" {\"type\":\"x\",\"n\":[-0,0.5,1e9,2E-3,-1.25e+2,true,false,null,{}]} \r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_complete),
		cmocka_unit_test_setup_teardown(test_write_media, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_modify_default, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_delete_no_path, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_mount_ledger, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_connect_v4, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_send_v6, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_connect_v4_mapped_by_v6, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_no_policy, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_generation_gone, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_unknown_values, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_bad_version, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_small_buffer, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_escape_controls_quotes, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_escape_invalid_utf8, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_path_255, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_time_midnight, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_time_leap_day, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_time_fraction, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_time_extremes, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_clock_sync, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_system_lookups, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_lost, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_policy, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_label, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_device, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_guard, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_writer_appends, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_writer_lines_only, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_writer_open_errors, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_writer_enospc, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_writer_cut_short, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_writer_records, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_log_has_last, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_log_has_long, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_log_has_guard, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_writer_torn_at_open, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_row_each_action, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_row_escapes, reset, cleanup),
		cmocka_unit_test_setup_teardown(test_row_malformed, reset, cleanup),
	};
	int ret;

	if (setup(NULL))
		return 1;
	make_tmpdir(NULL);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	remove_tmpdir(NULL);
	teardown(NULL);
	return ret;
}
