// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/ledger_edit.c: a ledger entry written as its
 * `media` line reads back through the parser as the same entry, whatever its
 * strings hold; a policy text with entries dropped and lines added keeps
 * every other byte, comments included.
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

#include "ledger_edit.h"
#include "policy.h"

#define HEAD "mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"

static struct dlp_policy pol;

static void compile(const char *src)
{
	struct dlp_diag diag;

	dlp_policy_free(&pol);
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "t.policy", stderr);
	assert_int_equal(dlp_policy_load_buffer(&pol, src, strlen(src), &diag), 0);
}

static int teardown(void **state)
{
	(void)state;
	dlp_policy_free(&pol);
	return 0;
}

/* @m written, then read back within a policy: the same entry. */
static void round_trip(const struct dlp_media *m)
{
	char line[DLP_MEDIA_LINE_MAX], src[DLP_MEDIA_LINE_MAX + sizeof(HEAD)];
	const struct dlp_media *got;
	int n;

	n = dlp_media_format(m, line, sizeof(line));
	assert_true(n > 0);
	assert_int_equal(n, strlen(line));
	assert_int_equal(line[n - 1], '\n');
	assert_null(memchr(line, '\n', n - 1));
	snprintf(src, sizeof(src), "%s%s", HEAD, line);
	compile(src);
	assert_int_equal(pol.nmedia, 1);
	got = &pol.media[0];
	assert_string_equal(got->regno, m->regno);
	assert_int_equal(got->bus, m->bus);
	assert_int_equal(got->vendor, m->vendor);
	assert_int_equal(got->product, m->product);
	assert_string_equal(got->serial, m->serial);
	assert_string_equal(got->section, m->section);
	assert_int_equal(got->writable, m->writable);
	assert_int_equal(got->until.year, m->until.year);
	assert_int_equal(got->until.month, m->until.month);
	assert_int_equal(got->until.day, m->until.day);
}

static void test_format(void **state)
{
	struct dlp_media m = {
		.regno = "総務-2026-001",
		.bus = DLP_BUS_USB,
		.vendor = 0x0781,
		.product = 0x5583,
		.serial = "4C530001234",
		.section = "総務課",
		.writable = true,
		.until = { 2027, 3, 31 },
	};
	char line[DLP_MEDIA_LINE_MAX];
	int n;

	(void)state;
	n = dlp_media_format(&m, line, sizeof(line));
	assert_int_equal(n, strlen(line));
	assert_string_equal(line, "media 総務-2026-001 bus usb id 0781:5583 serial 4C530001234 "
				  "section 総務課 access rw until 2027-03-31\n");
	round_trip(&m);

	/* strings the lexer would split or read otherwise are quoted, '"' and '\' escaped */
	m.bus = DLP_BUS_MMC;
	m.writable = false;
	m.serial = "AA 0042";
	m.section = "税務課\xe3\x80\x80固定資産税係 #2 \"旧\" a\\b <x=y>";
	m.regno = "R#1";
	round_trip(&m);
	n = dlp_media_format(&m, line, sizeof(line));
	assert_int_equal(n, strlen(line));
	assert_non_null(strstr(line, "serial \"AA 0042\" section \"税務課"));
	assert_non_null(strstr(line, "\\\"旧\\\" a\\\\b"));

	/* too small a buffer, and entries the language cannot hold */
	assert_int_equal(dlp_media_format(&m, line, 20), -ENOSPC);
	assert_int_equal(dlp_media_format(&m, line, 0), -ENOSPC);
	m.serial = "";
	assert_int_equal(dlp_media_format(&m, line, sizeof(line)), -EINVAL);
	m.serial = "S";
	m.bus = (enum dlp_bus)7;
	assert_int_equal(dlp_media_format(&m, line, sizeof(line)), -EINVAL);
}

static const char policy[] =
	HEAD "# 台帳\n"
	     "media A-1 bus usb id 0001:0002 serial S1 section 課 access rw until "
	     "2027-03-31\n"
	     "media A-2 bus usb id 0001:0002 serial S2 section 課 access ro until "
	     "2027-03-31  # 貸出中\n"
	     "rule r deny mount media unregistered\n"
	     "media A-3 bus mmc id 0001:0002 serial S3 section 課 access rw until "
	     "2027-03-31";

static void test_edit(void **state)
{
	bool drop[3] = { false, true, false };
	char *out;
	size_t len;

	(void)state;
	compile(policy);
	assert_int_equal(pol.nmedia, 3);

	/* one entry dropped: its line only, the comment on it with it */
	assert_int_equal(dlp_ledger_edit(policy, strlen(policy), &pol, drop, NULL, &out, &len), 0);
	assert_int_equal(len, strlen(out));
	assert_null(strstr(out, "A-2"));
	assert_null(strstr(out, "貸出中"));
	assert_non_null(strstr(out, "# 台帳\nmedia A-1 "));
	assert_non_null(strstr(out, "2027-03-31\nrule r deny"));
	assert_int_equal(len, strlen(policy) - strlen("media A-2 bus usb id 0001:0002 serial S2 "
						      "section 課 access ro until 2027-03-31  "
						      "# 貸出中\n"));
	compile(out);
	assert_int_equal(pol.nmedia, 2);
	free(out);

	/* all dropped, two added after a last line without its newline */
	compile(policy);
	drop[0] = drop[2] = true;
	assert_int_equal(dlp_ledger_edit(policy, strlen(policy), &pol, drop,
					 "media B-1 bus usb id 0003:0004 serial T1 section 課 "
					 "access rw until 2028-03-31\n# end\n",
					 &out, &len),
			 0);
	assert_null(strstr(out, "A-"));
	assert_non_null(strstr(out, "rule r deny mount media unregistered\nmedia B-1 "));
	compile(out);
	assert_int_equal(pol.nmedia, 1);
	assert_string_equal(pol.media[0].regno, "B-1");
	free(out);

	/* nothing dropped, nothing added: the same bytes */
	compile(policy);
	assert_int_equal(dlp_ledger_edit(policy, strlen(policy), &pol, NULL, NULL, &out, &len), 0);
	assert_string_equal(out, policy);
	free(out);

	/* an entry whose line is not in the text */
	pol.media[1].pos.line = 999;
	drop[0] = drop[2] = false;
	out = NULL;
	assert_int_equal(dlp_ledger_edit(policy, strlen(policy), &pol, drop, NULL, &out, &len),
			 -EINVAL);
	assert_null(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_format, teardown),
		cmocka_unit_test_teardown(test_edit, teardown),
	};

	dlp_policy_init(&pol);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
