// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/dlpctl/client.c, what `dlpctl status` and `dlpctl
 * device list` print: a STATUS answer read back from the wire form, the
 * exact --json text of both (keys stable, absent values null, strings
 * escaped), the tables, the media counts, and the exit statuses for dlpd not
 * running, permission denied and an error answer.  client.c is compiled in
 * here, as dlpctl is not a library.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../user/dlpctl/client.c"

/* dlpctl.c's; the commands under test never parse a bad command line. */
int dlpctl_usage_error(const char *fmt, ...)
{
	(void)fmt;
	return EXIT_USAGE;
}

static char *printed;
static size_t printed_len;

static FILE *capture(void)
{
	FILE *f;

	free(printed);
	printed = NULL;
	f = open_memstream(&printed, &printed_len);
	assert_non_null(f);
	return f;
}

static int teardown(void **state)
{
	(void)state;
	free(printed);
	printed = NULL;
	return 0;
}

static const unsigned char sha[32] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, [31] = 0xff
};

/* A STATUS answer as dlpd sends it, decoded as dlpctl receives it. */
static void status_answer(unsigned char *buf, size_t size, struct dlp_ctl_msg *msg)
{
	struct dlp_ctl_msg req = { .version = DLP_CTL_VERSION,
				   .command = DLP_CTL_CMD_STATUS,
				   .id = 3 };
	struct dlp_ctl_writer w;
	int len;

	dlp_ctl_begin_response(&w, buf, size, &req, DLP_CTL_S_OK, "enforcing; \"quoted\"");
	dlp_ctl_put_u8(&w, DLP_CTL_A_MODE, 0);
	dlp_ctl_put_str(&w, DLP_CTL_A_TIER, "lgwan");
	dlp_ctl_put_str(&w, DLP_CTL_A_POLICY_NAME, "/etc/dlpguard/policy/default.policy");
	dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_SHA256, sha, sizeof(sha));
	dlp_ctl_put_u64(&w, DLP_CTL_A_LOADED_AT, 1790000000);
	dlp_ctl_put_u64(&w, DLP_CTL_A_DECISIONS, 42);
	dlp_ctl_put_u64(&w, DLP_CTL_A_DROPPED, 1);
	dlp_ctl_put_u8(&w, DLP_CTL_A_LSM, 1);
	len = dlp_ctl_finish(&w);
	assert_true(len > 0);
	assert_int_equal(dlp_ctl_decode(buf, len, msg), 0);
}

static const struct dlp_ctl_device devs[] = {
	{ .bus = DLP_CTL_BUS_USB,
	  .vendor = 0x46f4,
	  .product = 0x0001,
	  .serial = "DLPDEMO0001",
	  .regno = "DEMO-2026-001",
	  .section = "総務課",
	  .access = DLP_CTL_ACCESS_RW,
	  .until = "2026-12-31",
	  .state = DLP_CTL_DEV_REGISTERED,
	  .devname = "sda" },
	{ .bus = DLP_CTL_BUS_MMC,
	  .vendor = 0x1b,
	  .product = 0x534d,
	  .serial = "a\"b\\c",
	  .state = DLP_CTL_DEV_UNREGISTERED,
	  .devname = "mmcblk0" },
	{ .bus = DLP_CTL_BUS_USB,
	  .vendor = 0x0781,
	  .product = 0x5583,
	  .regno = "OLD-1",
	  .state = DLP_CTL_DEV_EXPIRED,
	  .devname = "sdc" },
};

static void test_status_read(void **state)
{
	unsigned char buf[1024];
	struct dlp_ctl_msg msg;
	struct dlpctl_status st;

	(void)state;
	status_answer(buf, sizeof(buf), &msg);
	assert_int_equal(dlpctl_status_read(&msg, &st), 0);
	assert_true(st.enforcing);
	assert_int_equal(st.mode, 0);
	assert_string_equal(st.tier, "lgwan");
	assert_string_equal(st.policy, "/etc/dlpguard/policy/default.policy");
	assert_memory_equal(st.sha256, sha, 32);
	assert_int_equal(st.loaded_at, 1790000000);
	assert_int_equal(st.decisions, 42);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.pid, 0);
	assert_int_equal(st.uptime_s, -1);
	assert_false(st.have_devices);

	/* an error answer, or the answer to another command, is no status */
	msg.status = DLP_CTL_S_INTERNAL;
	assert_int_equal(dlpctl_status_read(&msg, &st), -EINVAL);
	msg.status = DLP_CTL_S_OK;
	msg.command = DLP_CTL_CMD_DEVICE_LIST;
	assert_int_equal(dlpctl_status_read(&msg, &st), -EINVAL);
}

static void test_status_json(void **state)
{
	unsigned char buf[1024];
	struct dlp_ctl_msg msg;
	struct dlpctl_status st;
	FILE *f;

	(void)state;
	status_answer(buf, sizeof(buf), &msg);
	dlpctl_status_read(&msg, &st);
	f = capture();
	dlpctl_status_print(f, &st, true);
	fclose(f);
	assert_string_equal(
		printed,
		"{\"enforcing\":true,\"mode\":\"enforce\",\"tier\":\"lgwan\","
		"\"policy\":\"/etc/dlpguard/policy/default.policy\","
		"\"policy_sha256\":\"0123456789abcdef"
		"0000000000000000000000000000000000000000000000ff\","
		"\"generation\":null,\"loaded_at\":1790000000,\"decisions\":42,\"dropped\":1,"
		"\"pid\":null,\"uptime_s\":null,\"media\":null,"
		"\"message\":\"enforcing; \\\"quoted\\\"\"}\n");

	st.pid = 321;
	st.uptime_s = 3725;
	dlpctl_status_count(&st, devs, 3);
	f = capture();
	dlpctl_status_print(f, &st, true);
	fclose(f);
	assert_non_null(strstr(printed, "\"pid\":321,\"uptime_s\":3725,\"media\":{\"total\":3,"
					"\"registered\":1,\"unregistered\":2,\"expired\":1},"));
}

static void test_status_table(void **state)
{
	unsigned char buf[1024];
	struct dlp_ctl_msg msg;
	struct dlpctl_status st;
	FILE *f;

	(void)state;
	status_answer(buf, sizeof(buf), &msg);
	dlpctl_status_read(&msg, &st);
	st.pid = 321;
	st.uptime_s = 90061; /* 1 day, 01:01:01 */
	dlpctl_status_count(&st, devs, 2);
	f = capture();
	dlpctl_status_print(f, &st, false);
	fclose(f);
	assert_non_null(strstr(printed, "enforcing:  yes"));
	assert_non_null(strstr(printed, "policy:     /etc/dlpguard/policy/default.policy "
					"(mode enforce, tier lgwan)\n"));
	assert_non_null(strstr(printed, "sha256:     0123456789abcdef"));
	assert_non_null(strstr(printed, "decisions:  42 written, 1 lost since dlpd started\n"));
	assert_non_null(strstr(printed, "media:      2 (disks and partitions): 1 registered, 1 "
					"unregistered (0 of them expired)\n"));
	assert_non_null(strstr(printed, "dlpd:       pid 321, up 1d 01:01:01\n"));

	st.enforcing = false;
	f = capture();
	dlpctl_status_print(f, &st, false);
	fclose(f);
	assert_non_null(strstr(printed, "enforcing:  NO"));
}

static void test_devices_json(void **state)
{
	FILE *f;

	(void)state;
	f = capture();
	dlpctl_devices_print(f, devs, 2, "2 block devices judged", true);
	fclose(f);
	assert_string_equal(
		printed,
		"{\"devices\":[{\"devname\":\"sda\",\"devnode\":\"/dev/sda\","
		"\"bus\":\"usb\",\"vendor\":\"46f4\",\"product\":\"0001\","
		"\"serial\":\"DLPDEMO0001\",\"state\":\"registered\","
		"\"regno\":\"DEMO-2026-001\",\"section\":\"総務課\",\"access\":\"rw\","
		"\"until\":\"2026-12-31\"},"
		"{\"devname\":\"mmcblk0\",\"devnode\":\"/dev/mmcblk0\",\"bus\":\"mmc\","
		"\"vendor\":\"001b\",\"product\":\"534d\",\"serial\":\"a\\\"b\\\\c\","
		"\"state\":\"unregistered\",\"regno\":null,\"section\":null,"
		"\"access\":null,\"until\":null}],\"message\":\"2 block devices judged\"}\n");

	f = capture();
	dlpctl_devices_print(f, devs, 0, NULL, true);
	fclose(f);
	assert_string_equal(printed, "{\"devices\":[],\"message\":null}\n");
}

static void test_devices_table(void **state)
{
	FILE *f;

	(void)state;
	f = capture();
	dlpctl_devices_print(f, devs, 3, "3 block devices judged", false);
	fclose(f);
	assert_non_null(
		strstr(printed, "DEVICE         BUS  ID        SERIAL               STATE"));
	assert_non_null(strstr(printed, "/dev/sda       usb  46f4:0001 DLPDEMO0001          "
					"registered   DEMO-2026-001  rw  2026-12-31 総務課\n"));
	assert_non_null(strstr(printed, "/dev/sdc       usb  0781:5583 -                    "
					"expired      OLD-1          -   -          -\n"
					"dlpd says: 3 block devices judged\n"));
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(dlpctl_exit_for_errno(-ENOENT), EXIT_UNREACHABLE);
	assert_int_equal(dlpctl_exit_for_errno(-ECONNREFUSED), EXIT_UNREACHABLE);
	assert_int_equal(dlpctl_exit_for_errno(-ETIMEDOUT), EXIT_UNREACHABLE);
	assert_int_equal(dlpctl_exit_for_errno(-ECONNRESET), EXIT_UNREACHABLE);
	assert_int_equal(dlpctl_exit_for_errno(-EACCES), EXIT_DENIED);
	assert_int_equal(dlpctl_exit_for_status(DLP_CTL_S_OK), EXIT_OK);
	assert_int_equal(dlpctl_exit_for_status(DLP_CTL_S_PERMISSION), EXIT_DENIED);
	assert_int_equal(dlpctl_exit_for_status(DLP_CTL_S_UNKNOWN_COMMAND), EXIT_REFUSED);
	assert_int_equal(dlpctl_exit_for_status(DLP_CTL_S_MALFORMED), EXIT_REFUSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_status_read, teardown),
		cmocka_unit_test_teardown(test_status_json, teardown),
		cmocka_unit_test_teardown(test_status_table, teardown),
		cmocka_unit_test_teardown(test_devices_json, teardown),
		cmocka_unit_test_teardown(test_devices_table, teardown),
		cmocka_unit_test(test_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
