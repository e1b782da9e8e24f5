// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/ctl_proto.c, the control protocol between dlpctl
 * and dlpd: the worked example of ctl_proto.h byte for byte; a request and a
 * response of every command through the encoder and back; every way a
 * message can be malformed, each with its own fault; the retired command
 * numbers refused as unknown and the retired device state as out of range;
 * the error responses (a newer client told which version to speak); the
 * writer's limits; the peer check on real sockets, as root and from forked
 * children that dropped to an unprivileged uid with and without the admin
 * group; the control socket's directory and modes, a stale socket replaced, a
 * live one and a regular file left alone; and dlp_ctl_call() with a late stale
 * answer, a timeout and a response too large for the buffer.
 *
 * The socket and peer tests need root (they chown and change uid in a child)
 * and are skipped without it.
 */
#include <errno.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <dlpguard/abi.h>

#include "ctl_proto.h"

/* A group and a user the tests switch to: nothing needs them to exist. */
#define TEST_GID 4242
#define NOBODY	 65534
#define LGWAN	 "/etc/dlpguard/policy/lgwan.policy"

static unsigned char buf[DLP_CTL_MSG_MAX + 64];

/* A POLICY_APPLY request, as dlpctl builds it. */
static int encode_apply(__u32 id, const char *name, const void *text, size_t len, bool dry_run,
			const unsigned char *base, const char *reason)
{
	return dlp_ctl_encode_policy_apply(buf, sizeof(buf), id,
					   &(struct dlp_ctl_policy_apply){
						   .name = name,
						   .text = text,
						   .text_len = len,
						   .dry_run = dry_run,
						   .base_sha256 = base,
						   .reason = reason,
					   });
}
static unsigned char out[DLP_CTL_MSG_MAX];
static char tmpdir[] = "/tmp/dlp-ctl-XXXXXX";

static const struct dlp_ctl_device stick = {
	.bus = DLP_CTL_BUS_USB,
	.vendor = 0x0781,
	.product = 0x5583,
	.serial = "4C530001234",
	.regno = "総務-2026-001",
	.section = "総務課",
	.access = DLP_CTL_ACCESS_RW,
	.until = "2027-03-31",
};

static const char *str_attr(const struct dlp_ctl_msg *m, int type)
{
	assert_true(m->present & (1ULL << type));
	return m->attr[type].data;
}

static void assert_device_equal(const struct dlp_ctl_device *a, const struct dlp_ctl_device *b)
{
	assert_int_equal(a->bus, b->bus);
	assert_int_equal(a->vendor, b->vendor);
	assert_int_equal(a->product, b->product);
	assert_int_equal(a->access, b->access);
	assert_int_equal(a->state, b->state);
#define SAME(f)                                          \
	do {                                             \
		if (a->f || b->f) {                      \
			assert_non_null(a->f);           \
			assert_non_null(b->f);           \
			assert_string_equal(a->f, b->f); \
		}                                        \
	} while (0)
	SAME(serial);
	SAME(regno);
	SAME(section);
	SAME(until);
	SAME(devname);
#undef SAME
}

/* Decode @len bytes of buf, expecting success. */
static struct dlp_ctl_msg decode_ok(int len)
{
	struct dlp_ctl_msg m;
	int err;

	assert_true(len >= DLP_CTL_HDR_SIZE);
	err = dlp_ctl_decode(buf, len, &m);
	if (err)
		fail_msg("decode: %s", dlp_ctl_fault_str(err));
	return m;
}

static void expect_fault(int len, enum dlp_ctl_fault fault)
{
	struct dlp_ctl_msg m;
	int err = dlp_ctl_decode(buf, len, &m);

	if (err != -(int)fault)
		fail_msg("decode: got %d (%s), expected %d (%s)", err, dlp_ctl_fault_str(err),
			 -(int)fault, dlp_ctl_fault_str(fault));
}

/* Start a request in buf by hand, for messages the typed encoders would never make. */
static void begin(struct dlp_ctl_writer *w, __u16 command, __u8 flags)
{
	dlp_ctl_begin(w, buf, sizeof(buf), command, 1, flags);
}

static int finish(struct dlp_ctl_writer *w)
{
	int len = dlp_ctl_finish(w);

	assert_true(len > 0);
	return len;
}

/* ---------------------------------------------------------------- format */

static void test_worked_example(void **state)
{
	static const unsigned char wire[] = {
		0x44, 0x4c, 0x50, 0x43, 0x01, 0x00, 0x04, 0x00, 0x07, 0x00, 0x00,
		0x00, 0x10, 0x00, 0x00, 0x00, 0x17, 0x00, 0x04, 0x00, 0x2c, 0x01,
		0x00, 0x00, 0x18, 0x00, 0x04, 0x00, 0x64, 0x00, 0x00, 0x00,
	};
	struct dlp_ctl_msg m;
	int len;

	(void)state;
	len = dlp_ctl_encode_device_list(buf, sizeof(buf), 7, 300, 100);
	assert_int_equal(len, sizeof(wire));
	assert_memory_equal(buf, wire, sizeof(wire));
	assert_int_equal(dlp_ctl_decode(wire, sizeof(wire), &m), 0);
	assert_int_equal(m.command, DLP_CTL_CMD_DEVICE_LIST);
	assert_int_equal(m.id, 7);
	assert_false(m.response);
	assert_int_equal(m.present, (1ULL << DLP_CTL_A_START) | (1ULL << DLP_CTL_A_LIMIT));
	assert_int_equal(m.attr[DLP_CTL_A_START].num, 300);
	assert_int_equal(m.attr[DLP_CTL_A_LIMIT].num, 100);
}

/* -------------------------------------------------------- round trips */

static void test_requests_round_trip(void **state)
{
	static const char policy[] = "mode enforce\ntier lgwan\n# 機密性3 は持ち出し禁止\n";
	static const unsigned char sha[32] = { 0x5a, 0x78, [31] = 0x30 };
	static const __u16 simple[] = {
		DLP_CTL_CMD_STATUS,
		DLP_CTL_CMD_POLICY_SHOW,
		DLP_CTL_CMD_DEVICE_LIST,
		DLP_CTL_CMD_RELOAD,
	};
	struct dlp_ctl_msg m;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		m = decode_ok(dlp_ctl_encode_simple(buf, sizeof(buf), simple[i], 100 + i));
		assert_int_equal(m.command, simple[i]);
		assert_int_equal(m.id, 100 + i);
		assert_int_equal(m.version, DLP_CTL_VERSION);
		assert_int_equal(m.present, 0);
		assert_non_null(dlp_ctl_cmd_name(simple[i]));
	}

	m = decode_ok(encode_apply(2, LGWAN, policy, strlen(policy), true, NULL, NULL));
	assert_int_equal(m.command, DLP_CTL_CMD_POLICY_APPLY);
	assert_int_equal(m.flags, DLP_CTL_FLAG_DRY_RUN);
	assert_string_equal(str_attr(&m, DLP_CTL_A_POLICY_NAME), LGWAN);
	assert_int_equal(m.attr[DLP_CTL_A_POLICY_TEXT].len, strlen(policy));
	assert_memory_equal(m.attr[DLP_CTL_A_POLICY_TEXT].data, policy, strlen(policy));
	assert_false(m.present & (1ULL << DLP_CTL_A_POLICY_SHA256));
	assert_false(m.present & (1ULL << DLP_CTL_A_REASON));

	/* an edit of the policy in force names it, and says why */
	m = decode_ok(encode_apply(2, LGWAN, policy, strlen(policy), false, sha, "例外措置"));
	assert_int_equal(m.attr[DLP_CTL_A_POLICY_SHA256].len, 32);
	assert_memory_equal(m.attr[DLP_CTL_A_POLICY_SHA256].data, sha, 32);
	assert_string_equal(str_attr(&m, DLP_CTL_A_REASON), "例外措置");

	/* the policy text is bytes: dlpd's compiler, not the protocol, judges it */
	m = decode_ok(encode_apply(2, "bad.policy", "a\0\xff", 3, false, NULL, NULL));
	assert_int_equal(m.attr[DLP_CTL_A_POLICY_TEXT].len, 3);
	assert_int_equal(m.flags, 0);

	m = decode_ok(dlp_ctl_encode_device_list(buf, sizeof(buf), 3, 50, 25));
	assert_int_equal(m.attr[DLP_CTL_A_START].num, 50);
	assert_int_equal(m.attr[DLP_CTL_A_LIMIT].num, 25);

	m = decode_ok(dlp_ctl_encode_label_set(buf, sizeof(buf), 6, "/share/機密性2/人事/a.xlsx",
					       DLP_CLASS_3A, DLP_INTEG_2, "人事異動"));
	assert_string_equal(str_attr(&m, DLP_CTL_A_PATH), "/share/機密性2/人事/a.xlsx");
	assert_int_equal(m.attr[DLP_CTL_A_CLASS].num, DLP_CLASS_3A);
	assert_int_equal(m.attr[DLP_CTL_A_INTEGRITY].num, DLP_INTEG_2);
	assert_string_equal(str_attr(&m, DLP_CTL_A_REASON), "人事異動");

	m = decode_ok(dlp_ctl_encode_label_show(buf, sizeof(buf), 7, "/share/x"));
	assert_string_equal(str_attr(&m, DLP_CTL_A_PATH), "/share/x");

	/* START and LIMIT 0 are left out: from the first, as many as fit */
	m = decode_ok(dlp_ctl_encode_device_list(buf, sizeof(buf), 8, 0, DLP_CTL_LIMIT_MAX));
	assert_false(m.present & (1ULL << DLP_CTL_A_START));
	assert_int_equal(m.attr[DLP_CTL_A_LIMIT].num, DLP_CTL_LIMIT_MAX);
	m = decode_ok(dlp_ctl_encode_device_list(buf, sizeof(buf), 9, 0, 0));
	assert_int_equal(m.present, 0);
}

/* A request of @command as dlp_ctl_begin_response() reads it: its header. */
static struct dlp_ctl_msg request(__u16 command, __u32 id)
{
	return (struct dlp_ctl_msg){ .version = DLP_CTL_VERSION, .command = command, .id = id };
}

static void test_responses_round_trip(void **state)
{
	static const unsigned char sha[32] = { 0xde, 0xad, 0xbe, 0xef };
	struct dlp_ctl_device items[2] = {
		stick,
		{ .bus = DLP_CTL_BUS_USB, .vendor = 0x046d, .product = 0xc52b,
		  .state = DLP_CTL_DEV_UNREGISTERED, .devname = "sdc" },
	}, got;
	struct dlp_ctl_writer w;
	struct dlp_ctl_msg req, m;
	struct dlp_ctl_attr a;
	unsigned int i;
	size_t off;

	(void)state;
	items[0].state = DLP_CTL_DEV_REGISTERED;
	items[0].devname = "sdb";

	req = request(DLP_CTL_CMD_STATUS, 11);
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
	dlp_ctl_put_u8(&w, DLP_CTL_A_MODE, DLP_MODE_MONITOR);
	dlp_ctl_put_str(&w, DLP_CTL_A_TIER, "lgwan");
	dlp_ctl_put_str(&w, DLP_CTL_A_POLICY_NAME, LGWAN);
	dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_SHA256, sha, sizeof(sha));
	dlp_ctl_put_u64(&w, DLP_CTL_A_LOADED_AT, 1795000000ULL);
	dlp_ctl_put_u64(&w, DLP_CTL_A_DECISIONS, UINT64_MAX);
	dlp_ctl_put_u64(&w, DLP_CTL_A_DROPPED, 0);
	dlp_ctl_put_u8(&w, DLP_CTL_A_LSM, 1);
	dlp_ctl_put_u8(&w, DLP_CTL_A_VERSION_MAX, DLP_CTL_VERSION);
	m = decode_ok(finish(&w));
	assert_true(m.response);
	assert_int_equal(m.flags, DLP_CTL_FLAG_RESPONSE);
	assert_int_equal(m.id, 11);
	assert_int_equal(m.status, DLP_CTL_S_OK);
	assert_string_equal(m.message, "ok");
	assert_int_equal(m.attr[DLP_CTL_A_MODE].num, DLP_MODE_MONITOR);
	assert_string_equal(str_attr(&m, DLP_CTL_A_TIER), "lgwan");
	assert_memory_equal(m.attr[DLP_CTL_A_POLICY_SHA256].data, sha, 32);
	assert_true(m.attr[DLP_CTL_A_DECISIONS].num == UINT64_MAX);
	assert_int_equal(m.attr[DLP_CTL_A_LSM].num, 1);

	req = request(DLP_CTL_CMD_DEVICE_LIST, 12);
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, "2 devices");
	dlp_ctl_put_u32(&w, DLP_CTL_A_TOTAL, 2);
	for (i = 0; i < 2; i++) {
		dlp_ctl_nest_begin(&w, DLP_CTL_A_DEVICE);
		dlp_ctl_put_device(&w, &items[i]);
		dlp_ctl_nest_end(&w);
	}
	m = decode_ok(finish(&w));
	assert_string_equal(m.message, "2 devices");
	assert_int_equal(m.attr[DLP_CTL_A_TOTAL].num, 2);
	assert_int_equal(m.nrepeated, 2);
	for (off = 0, i = 0; dlp_ctl_attr_next(m.payload, m.payload_len, &off, &a);) {
		if (a.type != DLP_CTL_A_DEVICE)
			continue;
		dlp_ctl_device_read(&a, &got);
		assert_device_equal(&got, &items[i]);
		i++;
	}
	assert_int_equal(i, 2);

	/* LABEL_SET: no result required; the compiler's lines, one of them empty, or none */
	req = request(DLP_CTL_CMD_LABEL_SET, 13);
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
	dlp_ctl_put_str(&w, DLP_CTL_A_LINE, "lgwan.policy:3:1: warning: label dir repeated");
	dlp_ctl_put_str(&w, DLP_CTL_A_LINE, "");
	dlp_ctl_put_str(&w, DLP_CTL_A_LINE, "lgwan.policy:4:1: warning: label dir repeated");
	dlp_ctl_put_u32(&w, DLP_CTL_A_GENERATION, 8);
	m = decode_ok(finish(&w));
	assert_int_equal(m.command, DLP_CTL_CMD_LABEL_SET);
	assert_int_equal(m.nrepeated, 3);
	assert_int_equal(m.attr[DLP_CTL_A_GENERATION].num, 8);
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
	m = decode_ok(finish(&w));
	assert_int_equal(m.nrepeated, 0);
	assert_int_equal(m.present, (1ULL << DLP_CTL_A_STATUS) | (1ULL << DLP_CTL_A_MESSAGE));

	req = request(DLP_CTL_CMD_POLICY_SHOW, 14);
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
	dlp_ctl_put_str(&w, DLP_CTL_A_POLICY_NAME, LGWAN);
	dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_TEXT, "mode enforce\n", 13);
	dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_SHA256, sha, sizeof(sha));
	dlp_ctl_put_u64(&w, DLP_CTL_A_LOADED_AT, 1);
	decode_ok(finish(&w));

	req = request(DLP_CTL_CMD_RELOAD, 15);
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
	dlp_ctl_put_str(&w, DLP_CTL_A_POLICY_NAME, LGWAN);
	dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_SHA256, sha, sizeof(sha));
	decode_ok(finish(&w));

	/* a failed apply: the compiler's diagnostics, no digest required */
	req = request(DLP_CTL_CMD_POLICY_APPLY, 16);
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_INVALID,
			       "policy rejected; the policy in force is unchanged");
	dlp_ctl_put_str(&w, DLP_CTL_A_LINE,
			"lgwan.policy:12:7: error: unknown mode 'enforced'; "
			"expected 'enforce' or 'monitor'");
	m = decode_ok(finish(&w));
	assert_int_equal(m.status, DLP_CTL_S_INVALID);
	assert_int_equal(m.nrepeated, 1);

	req = request(DLP_CTL_CMD_LABEL_SHOW, 17);
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
	dlp_ctl_put_str(&w, DLP_CTL_A_PATH, "/share/機密性2/a.txt");
	dlp_ctl_put_u8(&w, DLP_CTL_A_CLASS, DLP_CLASS_2);
	dlp_ctl_put_u8(&w, DLP_CTL_A_INTEGRITY, DLP_INTEG_NONE);
	dlp_ctl_put_str(&w, DLP_CTL_A_LINE, "label dir /share/機密性2 機密性2");
	decode_ok(finish(&w));
}

/* ---------------------------------------------------------- malformed */

static void test_malformed_header(void **state)
{
	struct dlp_ctl_writer w;
	int len;

	(void)state;
	len = dlp_ctl_encode_simple(buf, sizeof(buf), DLP_CTL_CMD_STATUS, 1);
	expect_fault(0, DLP_CTL_FAULT_SHORT);
	expect_fault(DLP_CTL_HDR_SIZE - 1, DLP_CTL_FAULT_SHORT);
	assert_int_equal(dlp_ctl_decode(NULL, 0, NULL), -DLP_CTL_FAULT_SHORT);

	buf[0] ^= 0xff;
	expect_fault(len, DLP_CTL_FAULT_MAGIC);
	buf[0] ^= 0xff;

	buf[4] = 0;
	expect_fault(len, DLP_CTL_FAULT_VERSION);
	buf[4] = DLP_CTL_VERSION + 1;
	expect_fault(len, DLP_CTL_FAULT_VERSION);
	buf[4] = DLP_CTL_VERSION;

	/* payload length says 2 more than there is, 1 more, and wraps */
	buf[12] = 2;
	expect_fault(len, DLP_CTL_FAULT_LENGTH);
	expect_fault(len + 1, DLP_CTL_FAULT_LENGTH);
	buf[12] = 0xff, buf[13] = 0xff, buf[14] = 0xff, buf[15] = 0xff;
	expect_fault(len, DLP_CTL_FAULT_LENGTH);

	/* too large: checked before the length fields are believed */
	len = dlp_ctl_encode_simple(buf, sizeof(buf), DLP_CTL_CMD_STATUS, 1);
	expect_fault(DLP_CTL_MSG_MAX + 1, DLP_CTL_FAULT_TOO_LARGE);

	buf[5] = 0x80;
	expect_fault(len, DLP_CTL_FAULT_FLAGS);
	buf[5] = DLP_CTL_FLAG_DRY_RUN; /* only POLICY_APPLY takes it */
	expect_fault(len, DLP_CTL_FAULT_FLAGS);
	buf[5] = 0;

	len = dlp_ctl_encode_simple(buf, sizeof(buf), 0, 1);
	expect_fault(len, DLP_CTL_FAULT_COMMAND);
	len = dlp_ctl_encode_simple(buf, sizeof(buf), DLP_CTL_CMD_COUNT, 1);
	expect_fault(len, DLP_CTL_FAULT_COMMAND);
	len = dlp_ctl_encode_simple(buf, sizeof(buf), 0xffff, 1);
	expect_fault(len, DLP_CTL_FAULT_COMMAND);

	/* a response to an unknown command must be an error */
	dlp_ctl_begin(&w, buf, sizeof(buf), 99, 1, DLP_CTL_FLAG_RESPONSE);
	dlp_ctl_put_u32(&w, DLP_CTL_A_STATUS, DLP_CTL_S_OK);
	dlp_ctl_put_str(&w, DLP_CTL_A_MESSAGE, "");
	expect_fault(finish(&w), DLP_CTL_FAULT_COMMAND);
}

static void test_malformed_attributes(void **state)
{
	struct dlp_ctl_writer w;
	int len;

	(void)state;
	/* an attribute header cut short, and a value running past the end */
	len = dlp_ctl_encode_label_show(buf, sizeof(buf), 1, "/a");
	buf[12] += 3;
	expect_fault(len + 3, DLP_CTL_FAULT_TRUNCATED);
	len = dlp_ctl_encode_label_show(buf, sizeof(buf), 1, "/a");
	buf[DLP_CTL_HDR_SIZE + 2] = 4; /* "/a\0" is 3 bytes */
	expect_fault(len, DLP_CTL_FAULT_TRUNCATED);
	buf[DLP_CTL_HDR_SIZE + 2] = 0xff, buf[DLP_CTL_HDR_SIZE + 3] = 0xff;
	expect_fault(len, DLP_CTL_FAULT_TRUNCATED);

	begin(&w, DLP_CTL_CMD_STATUS, 0);
	dlp_ctl_put_u8(&w, 0, 1);
	expect_fault(finish(&w), DLP_CTL_FAULT_UNKNOWN_ATTR);
	begin(&w, DLP_CTL_CMD_STATUS, 0);
	dlp_ctl_put_u8(&w, DLP_CTL_A_COUNT, 1);
	expect_fault(finish(&w), DLP_CTL_FAULT_UNKNOWN_ATTR);

	begin(&w, DLP_CTL_CMD_STATUS, 0);
	dlp_ctl_put_str(&w, DLP_CTL_A_PATH, "/a");
	expect_fault(finish(&w), DLP_CTL_FAULT_NOT_ALLOWED);
	/* STATUS and MESSAGE belong in responses only */
	begin(&w, DLP_CTL_CMD_STATUS, 0);
	dlp_ctl_put_u32(&w, DLP_CTL_A_STATUS, 0);
	expect_fault(finish(&w), DLP_CTL_FAULT_NOT_ALLOWED);
	/* a medium's attributes outside a nest; a DEVICE nest in a request; a nest in a nest */
	begin(&w, DLP_CTL_CMD_DEVICE_LIST, 0);
	dlp_ctl_put_u8(&w, DLP_CTL_A_BUS, DLP_CTL_BUS_USB);
	expect_fault(finish(&w), DLP_CTL_FAULT_NOT_ALLOWED);
	begin(&w, DLP_CTL_CMD_DEVICE_LIST, 0);
	dlp_ctl_nest_begin(&w, DLP_CTL_A_DEVICE);
	dlp_ctl_put_device(&w, &stick);
	dlp_ctl_nest_end(&w);
	expect_fault(finish(&w), DLP_CTL_FAULT_NOT_ALLOWED);
	{
		struct dlp_ctl_msg req = request(DLP_CTL_CMD_DEVICE_LIST, 1);
		unsigned char inner[64];
		struct dlp_ctl_writer iw;
		int ilen;

		/* an inner nest built as raw bytes: the writer refuses to make one */
		dlp_ctl_begin(&iw, inner, sizeof(inner), 0, 0, 0);
		dlp_ctl_put_u8(&iw, DLP_CTL_A_BUS, DLP_CTL_BUS_USB);
		dlp_ctl_put_u16(&iw, DLP_CTL_A_VENDOR, 1);
		dlp_ctl_put_u16(&iw, DLP_CTL_A_PRODUCT, 1);
		dlp_ctl_put_u8(&iw, DLP_CTL_A_STATE, DLP_CTL_DEV_UNREGISTERED);
		ilen = finish(&iw) - DLP_CTL_HDR_SIZE;
		dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
		dlp_ctl_put_u32(&w, DLP_CTL_A_TOTAL, 1);
		dlp_ctl_nest_begin(&w, DLP_CTL_A_DEVICE);
		dlp_ctl_put_bytes(&w, DLP_CTL_A_DEVICE, inner + DLP_CTL_HDR_SIZE, ilen);
		dlp_ctl_nest_end(&w);
		expect_fault(finish(&w), DLP_CTL_FAULT_NOT_ALLOWED);

		/* the same device, not nested: accepted; without its STATE: missing */
		dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
		dlp_ctl_put_u32(&w, DLP_CTL_A_TOTAL, 1);
		dlp_ctl_put_bytes(&w, DLP_CTL_A_DEVICE, inner + DLP_CTL_HDR_SIZE, ilen);
		decode_ok(finish(&w));
		dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
		dlp_ctl_put_u32(&w, DLP_CTL_A_TOTAL, 1);
		dlp_ctl_put_bytes(&w, DLP_CTL_A_DEVICE, inner + DLP_CTL_HDR_SIZE, ilen - 5);
		expect_fault(finish(&w), DLP_CTL_FAULT_MISSING);
		/* an inner attribute running past its nest, though not past the message */
		dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
		dlp_ctl_put_bytes(&w, DLP_CTL_A_DEVICE, inner + DLP_CTL_HDR_SIZE, ilen - 1);
		dlp_ctl_put_u32(&w, DLP_CTL_A_TOTAL, 1);
		expect_fault(finish(&w), DLP_CTL_FAULT_TRUNCATED);
	}

	begin(&w, DLP_CTL_CMD_DEVICE_LIST, 0);
	dlp_ctl_put_u32(&w, DLP_CTL_A_LIMIT, 10);
	dlp_ctl_put_u32(&w, DLP_CTL_A_LIMIT, 20);
	expect_fault(finish(&w), DLP_CTL_FAULT_DUPLICATE);
	begin(&w, DLP_CTL_CMD_LABEL_SHOW, 0);
	dlp_ctl_put_str(&w, DLP_CTL_A_PATH, "/a");
	dlp_ctl_put_str(&w, DLP_CTL_A_PATH, "/b");
	expect_fault(finish(&w), DLP_CTL_FAULT_DUPLICATE);

	begin(&w, DLP_CTL_CMD_POLICY_APPLY, 0);
	dlp_ctl_put_str(&w, DLP_CTL_A_POLICY_NAME, "lgwan.policy");
	expect_fault(finish(&w), DLP_CTL_FAULT_MISSING); /* no POLICY_TEXT */
	begin(&w, DLP_CTL_CMD_LABEL_SET, 0);
	dlp_ctl_put_str(&w, DLP_CTL_A_PATH, "/a");
	dlp_ctl_put_u8(&w, DLP_CTL_A_CLASS, 1);
	expect_fault(finish(&w), DLP_CTL_FAULT_MISSING); /* no INTEGRITY */
}

/* A LABEL_SHOW request whose PATH is the @n bytes of @v, as they are. */
static int path_raw(const char *v, size_t n)
{
	struct dlp_ctl_writer w;

	begin(&w, DLP_CTL_CMD_LABEL_SHOW, 0);
	dlp_ctl_put_bytes(&w, DLP_CTL_A_PATH, v, n);
	return finish(&w);
}

/*
 * A DEVICE_LIST response of one item, the stick registered, whose nest starts
 * with @type as the @n bytes of @v: first, so that a fault in it is the one
 * found.  The stick's own @type is left out where the struct can leave it out
 * (SERIAL, REGNO, UNTIL, STATE), so that a valid value there decodes.
 */
static int item_with(int type, const void *v, size_t n)
{
	struct dlp_ctl_msg req = request(DLP_CTL_CMD_DEVICE_LIST, 1);
	struct dlp_ctl_device dev = stick;
	struct dlp_ctl_writer w;

	dev.state = DLP_CTL_DEV_REGISTERED;
	switch (type) {
	case DLP_CTL_A_SERIAL:
		dev.serial = NULL;
		break;
	case DLP_CTL_A_REGNO:
		dev.regno = NULL;
		break;
	case DLP_CTL_A_UNTIL:
		dev.until = NULL;
		break;
	case DLP_CTL_A_STATE:
		dev.state = 0;
		break;
	}
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
	dlp_ctl_put_u32(&w, DLP_CTL_A_TOTAL, 1);
	dlp_ctl_nest_begin(&w, DLP_CTL_A_DEVICE);
	dlp_ctl_put_bytes(&w, type, v, n);
	dlp_ctl_put_device(&w, &dev);
	dlp_ctl_nest_end(&w);
	return finish(&w);
}

static void test_malformed_values(void **state)
{
	char big[300];
	struct dlp_ctl_writer w;

	(void)state;
	/* strings: final NUL, no NUL inside, UTF-8, sizes */
	expect_fault(path_raw("/ab", 3), DLP_CTL_FAULT_NUL);
	expect_fault(path_raw("/a\0b", 5), DLP_CTL_FAULT_NUL);
	expect_fault(path_raw("", 0), DLP_CTL_FAULT_NUL);
	expect_fault(path_raw("/\xff", 3), DLP_CTL_FAULT_UTF8);
	expect_fault(path_raw("/\xc0\xaf", 4), DLP_CTL_FAULT_UTF8);	/* overlong '/' */
	expect_fault(path_raw("/\xed\xa0\x80", 5), DLP_CTL_FAULT_UTF8); /* surrogate */
	expect_fault(path_raw("/\xe6\xa9", 4), DLP_CTL_FAULT_UTF8);	/* cut short */
	expect_fault(path_raw("", 1), DLP_CTL_FAULT_SIZE);
	expect_fault(path_raw("a", 2), DLP_CTL_FAULT_RANGE); /* not absolute */
	decode_ok(path_raw("/機密性3", sizeof("/機密性3")));

	memset(big, 'S', sizeof(big));
	big[255] = '\0';
	decode_ok(item_with(DLP_CTL_A_SERIAL, big, 256));
	big[255] = 'S';
	big[256] = '\0';
	expect_fault(item_with(DLP_CTL_A_SERIAL, big, 257), DLP_CTL_FAULT_SIZE);
	expect_fault(item_with(DLP_CTL_A_REGNO, "", 1), DLP_CTL_FAULT_SIZE);
	begin(&w, DLP_CTL_CMD_LABEL_SET, 0);
	dlp_ctl_put_str(&w, DLP_CTL_A_PATH, "/a");
	dlp_ctl_put_u8(&w, DLP_CTL_A_CLASS, DLP_CLASS_2);
	dlp_ctl_put_u8(&w, DLP_CTL_A_INTEGRITY, DLP_INTEG_NONE);
	dlp_ctl_put_bytes(&w, DLP_CTL_A_REASON, "x\n\0", 2);
	expect_fault(finish(&w), DLP_CTL_FAULT_NUL);

	/* dates: the form, and days that exist */
	decode_ok(item_with(DLP_CTL_A_UNTIL, "2028-02-29", 11));
	decode_ok(item_with(DLP_CTL_A_UNTIL, "2000-02-29", 11));
	expect_fault(item_with(DLP_CTL_A_UNTIL, "2027-02-29", 11), DLP_CTL_FAULT_RANGE);
	expect_fault(item_with(DLP_CTL_A_UNTIL, "2100-02-29", 11), DLP_CTL_FAULT_RANGE);
	expect_fault(item_with(DLP_CTL_A_UNTIL, "2027-04-31", 11), DLP_CTL_FAULT_RANGE);
	expect_fault(item_with(DLP_CTL_A_UNTIL, "2027-13-01", 11), DLP_CTL_FAULT_RANGE);
	expect_fault(item_with(DLP_CTL_A_UNTIL, "2027-00-10", 11), DLP_CTL_FAULT_RANGE);
	expect_fault(item_with(DLP_CTL_A_UNTIL, "2027/03/31", 11), DLP_CTL_FAULT_RANGE);
	expect_fault(item_with(DLP_CTL_A_UNTIL, "２０２７-03-31", sizeof("２０２７-03-31")),
		     DLP_CTL_FAULT_SIZE);
	expect_fault(item_with(DLP_CTL_A_UNTIL, "2027-3-31", 10), DLP_CTL_FAULT_SIZE);

	/* numbers: sizes and ranges */
	expect_fault(item_with(DLP_CTL_A_BUS, "\x03", 1), DLP_CTL_FAULT_RANGE);
	expect_fault(item_with(DLP_CTL_A_BUS, "\x00", 1), DLP_CTL_FAULT_RANGE);
	expect_fault(item_with(DLP_CTL_A_VENDOR, "\x81\x07\x00\x00", 4), DLP_CTL_FAULT_SIZE);
	expect_fault(item_with(DLP_CTL_A_BUS, "", 0), DLP_CTL_FAULT_SIZE);
	expect_fault(item_with(DLP_CTL_A_ACCESS, "\x03", 1), DLP_CTL_FAULT_RANGE);

	expect_fault(
		dlp_ctl_encode_label_set(buf, sizeof(buf), 1, "/a", DLP_CLASS_MAX + 1, 0, NULL),
		DLP_CTL_FAULT_RANGE);
	expect_fault(
		dlp_ctl_encode_label_set(buf, sizeof(buf), 1, "/a", 0, DLP_INTEG_MAX + 1, NULL),
		DLP_CTL_FAULT_RANGE);
	expect_fault(dlp_ctl_encode_device_list(buf, sizeof(buf), 1, 0, DLP_CTL_LIMIT_MAX + 1),
		     DLP_CTL_FAULT_RANGE);
	begin(&w, DLP_CTL_CMD_DEVICE_LIST, 0);
	dlp_ctl_put_u32(&w, DLP_CTL_A_LIMIT, 0);
	expect_fault(finish(&w), DLP_CTL_FAULT_RANGE);

	/* a status this version does not define */
	{
		struct dlp_ctl_msg req = request(DLP_CTL_CMD_RELOAD, 1);

		dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_COUNT, "?");
		expect_fault(finish(&w), DLP_CTL_FAULT_RANGE);
		/* a response missing MESSAGE */
		dlp_ctl_begin(&w, buf, sizeof(buf), DLP_CTL_CMD_RELOAD, 1, DLP_CTL_FLAG_RESPONSE);
		dlp_ctl_put_u32(&w, DLP_CTL_A_STATUS, DLP_CTL_S_BUSY);
		expect_fault(finish(&w), DLP_CTL_FAULT_MISSING);
		/* OK without the results; an error without them is fine */
		dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
		expect_fault(finish(&w), DLP_CTL_FAULT_MISSING);
		dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_BUSY, NULL);
		decode_ok(finish(&w));
	}
}

/*
 * Numbers retired from the wire (ctl_proto.h): commands 5 and 6 (DEVICE_ALLOW,
 * DEVICE_BLOCK) and 9 (LOG_TAIL), device state 4 (BLOCKED).  They are refused
 * exactly as numbers never defined are, and stay reserved.
 */
static void test_retired_numbers(void **state)
{
	static const __u16 retired[] = { 5, 6, 9 };
	struct dlp_ctl_writer w;
	struct dlp_ctl_msg req, m;
	unsigned int i;
	int len, rlen;

	(void)state;
	assert_int_equal(dlp_ctl_fault_status(-DLP_CTL_FAULT_COMMAND), DLP_CTL_S_UNKNOWN_COMMAND);
	for (i = 0; i < sizeof(retired) / sizeof(retired[0]); i++) {
		assert_null(dlp_ctl_cmd_name(retired[i]));

		/* a request of the number alone, and with what the command once took */
		len = dlp_ctl_encode_simple(buf, sizeof(buf), retired[i], 30 + i);
		expect_fault(len, DLP_CTL_FAULT_COMMAND);
		begin(&w, retired[i], 0);
		if (retired[i] == 9)
			dlp_ctl_put_u32(&w, DLP_CTL_A_LIMIT, 20);
		else
			dlp_ctl_put_device(&w, &stick);
		expect_fault(finish(&w), DLP_CTL_FAULT_COMMAND);

		/* the answer dlpd sends decodes, as for any unknown command */
		len = dlp_ctl_encode_simple(buf, sizeof(buf), retired[i], 30 + i);
		rlen = dlp_ctl_encode_error(out, sizeof(out), buf, len, DLP_CTL_S_UNKNOWN_COMMAND,
					    dlp_ctl_fault_str(-DLP_CTL_FAULT_COMMAND));
		assert_true(rlen > 0);
		assert_int_equal(dlp_ctl_decode(out, rlen, &m), 0);
		assert_int_equal(m.command, retired[i]);
		assert_int_equal(m.id, 30 + i);
		assert_int_equal(m.status, DLP_CTL_S_UNKNOWN_COMMAND);
		assert_string_equal(m.message, "unknown command");

		/* a response claiming success, or carrying results, is refused */
		req = request(retired[i], 30 + i);
		dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
		expect_fault(finish(&w), DLP_CTL_FAULT_COMMAND);
		dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_UNKNOWN_COMMAND, NULL);
		dlp_ctl_put_str(&w, DLP_CTL_A_LINE, "{}");
		expect_fault(finish(&w), DLP_CTL_FAULT_NOT_ALLOWED);
	}

	/* the states around 4: 3 is the last there is, 4 is out of range like 5 and 0 */
	decode_ok(item_with(DLP_CTL_A_STATE, "\x03", 1));
	expect_fault(item_with(DLP_CTL_A_STATE, "\x04", 1), DLP_CTL_FAULT_RANGE);
	expect_fault(item_with(DLP_CTL_A_STATE, "\x05", 1), DLP_CTL_FAULT_RANGE);
	expect_fault(item_with(DLP_CTL_A_STATE, "\x00", 1), DLP_CTL_FAULT_RANGE);
	assert_int_equal(dlp_ctl_fault_status(-DLP_CTL_FAULT_RANGE), DLP_CTL_S_INVALID);
}

static void test_fault_status(void **state)
{
	(void)state;
	assert_int_equal(dlp_ctl_fault_status(-DLP_CTL_FAULT_VERSION), DLP_CTL_S_BAD_VERSION);
	assert_int_equal(dlp_ctl_fault_status(-DLP_CTL_FAULT_TOO_LARGE), DLP_CTL_S_TOO_LARGE);
	assert_int_equal(dlp_ctl_fault_status(-DLP_CTL_FAULT_COMMAND), DLP_CTL_S_UNKNOWN_COMMAND);
	assert_int_equal(dlp_ctl_fault_status(-DLP_CTL_FAULT_RANGE), DLP_CTL_S_INVALID);
	assert_int_equal(dlp_ctl_fault_status(-DLP_CTL_FAULT_NUL), DLP_CTL_S_MALFORMED);
	assert_int_equal(dlp_ctl_fault_status(DLP_CTL_FAULT_MAGIC), DLP_CTL_S_MALFORMED);
	assert_int_equal(dlp_ctl_fault_status(0), DLP_CTL_S_INTERNAL);
	assert_int_equal(dlp_ctl_fault_status(-DLP_CTL_FAULT_COUNT), DLP_CTL_S_INTERNAL);
	assert_string_equal(dlp_ctl_fault_str(-DLP_CTL_FAULT_DUPLICATE), "attribute given twice");
	assert_string_equal(dlp_ctl_status_str(DLP_CTL_S_PERMISSION), "permission denied");
	assert_string_equal(dlp_ctl_status_str(1000), "unknown status");
	assert_string_equal(dlp_ctl_attr_name(DLP_CTL_A_SERIAL), "serial");
	assert_null(dlp_ctl_attr_name(0));
	assert_null(dlp_ctl_cmd_name(DLP_CTL_CMD_COUNT));
}

/* ------------------------------------------------------- error answers */

static void test_error_responses(void **state)
{
	struct dlp_ctl_msg m;
	int len, rlen;

	(void)state;
	/* a client newer than the server: told, in the lowest version, what to speak */
	len = dlp_ctl_encode_simple(buf, sizeof(buf), 60, 77);
	buf[4] = DLP_CTL_VERSION + 1;
	assert_int_equal(dlp_ctl_decode(buf, len, &m), -DLP_CTL_FAULT_VERSION);
	rlen = dlp_ctl_encode_error(out, sizeof(out), buf, len,
				    dlp_ctl_fault_status(-DLP_CTL_FAULT_VERSION), NULL);
	assert_true(rlen > 0);
	assert_int_equal(dlp_ctl_decode(out, rlen, &m), 0);
	assert_int_equal(m.version, DLP_CTL_VERSION_MIN);
	assert_int_equal(m.id, 77);
	assert_int_equal(m.command, 60);
	assert_int_equal(m.status, DLP_CTL_S_BAD_VERSION);
	assert_int_equal(m.attr[DLP_CTL_A_VERSION_MAX].num, DLP_CTL_VERSION);
	assert_string_equal(m.message, "unsupported version 2, server speaks 1");

	/* an unknown command: answered, and the answer decodes */
	len = dlp_ctl_encode_simple(buf, sizeof(buf), 60, 78);
	assert_int_equal(dlp_ctl_decode(buf, len, &m), -DLP_CTL_FAULT_COMMAND);
	rlen = dlp_ctl_encode_error(out, sizeof(out), buf, len, DLP_CTL_S_UNKNOWN_COMMAND, NULL);
	assert_int_equal(dlp_ctl_decode(out, rlen, &m), 0);
	assert_int_equal(m.id, 78);
	assert_int_equal(m.status, DLP_CTL_S_UNKNOWN_COMMAND);
	assert_string_equal(m.message, "unknown command");

	/* garbage: id 0, command 0 */
	memset(buf, 0xa5, 40);
	rlen = dlp_ctl_encode_error(out, sizeof(out), buf, 40, DLP_CTL_S_MALFORMED,
				    "not a dlpguard control message (bad magic)");
	assert_int_equal(dlp_ctl_decode(out, rlen, &m), 0);
	assert_int_equal(m.id, 0);
	assert_int_equal(m.command, 0);
	assert_int_equal(m.status, DLP_CTL_S_MALFORMED);
	assert_int_equal(
		dlp_ctl_encode_error(out, sizeof(out), NULL, 0, DLP_CTL_S_TOO_LARGE, NULL) > 0, 1);

	/* refusing a well-formed request by a stranger */
	len = dlp_ctl_encode_simple(buf, sizeof(buf), DLP_CTL_CMD_RELOAD, 79);
	rlen = dlp_ctl_encode_error(out, sizeof(out), buf, len, DLP_CTL_S_PERMISSION, NULL);
	assert_int_equal(dlp_ctl_decode(out, rlen, &m), 0);
	assert_int_equal(m.command, DLP_CTL_CMD_RELOAD);
	assert_int_equal(m.status, DLP_CTL_S_PERMISSION);

	assert_int_equal(dlp_ctl_encode_error(out, sizeof(out), buf, len, DLP_CTL_S_OK, NULL),
			 -EINVAL);
}

static void test_writer_limits(void **state)
{
	static char policy[DLP_CTL_MSG_MAX];
	struct dlp_ctl_writer w;
	unsigned char small[20];

	(void)state;
	assert_int_equal(dlp_ctl_encode_simple(small, 15, DLP_CTL_CMD_STATUS, 1), -EMSGSIZE);
	assert_int_equal(dlp_ctl_encode_label_show(small, sizeof(small), 1, "/share"), -EMSGSIZE);
	assert_int_equal(dlp_ctl_encode_label_show(buf, sizeof(buf), 1, NULL), -EINVAL);

	/* the largest policy text that fits, and one byte more */
	memset(policy, '#', sizeof(policy));
	assert_int_equal(
		encode_apply(1, "p", policy, DLP_CTL_MSG_MAX - 16 - 6 - 4, false, NULL, NULL),
		DLP_CTL_MSG_MAX);
	decode_ok(DLP_CTL_MSG_MAX);
	assert_int_equal(
		encode_apply(1, "p", policy, DLP_CTL_MSG_MAX - 16 - 6 - 3, false, NULL, NULL),
		-EMSGSIZE);

	begin(&w, DLP_CTL_CMD_DEVICE_LIST, 0);
	dlp_ctl_nest_begin(&w, DLP_CTL_A_DEVICE);
	assert_int_equal(dlp_ctl_finish(&w), -EINVAL); /* left open */
	begin(&w, DLP_CTL_CMD_DEVICE_LIST, 0);
	dlp_ctl_nest_begin(&w, DLP_CTL_A_DEVICE);
	dlp_ctl_nest_begin(&w, DLP_CTL_A_DEVICE);
	assert_int_equal(dlp_ctl_finish(&w), -EINVAL); /* nested */
	begin(&w, DLP_CTL_CMD_DEVICE_LIST, 0);
	dlp_ctl_nest_end(&w);
	assert_int_equal(dlp_ctl_finish(&w), -EINVAL); /* never opened */
}

/* ------------------------------------------------------------ sockets */

/* The socket tests chown, and change uid in a child: root only. */
static void need_root(void)
{
	if (geteuid() != 0) {
		print_message("SKIP: needs root (chown of the socket, setuid in a child)\n");
		skip();
	}
}

static char *tmp_path(const char *rel)
{
	static char ring[8][256];
	static unsigned int next;
	char *p = ring[next++ % 8];

	snprintf(p, sizeof(ring[0]), "%s/%s", tmpdir, rel);
	return p;
}

static int setup_tmp(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/dlp-ctl-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	/* children that drop to nobody must reach run/ below it */
	return chmod(tmpdir, 0755);
}

static int teardown_tmp(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? -1 : 0;
}

/*
 * In a child: take @gid as primary group and @groups as supplementary ones,
 * become nobody, then run @fn; the child's exit status is what @fn returns.
 */
static int as_nobody(gid_t gid, const gid_t *groups, size_t n, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (!pid) {
		if (setgroups(n, groups) || setgid(gid) || setuid(NOBODY))
			_exit(100);
		_exit(fn(arg));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Connect to the abstract address @arg and wait for the other end to close. */
static int connect_and_wait(void *arg)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *name = arg;
	char c;
	int fd;

	memcpy(addr.sun_path + 1, name, strlen(name));
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr,
			      offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)))
		return 101;
	return read(fd, &c, 1) == 0 ? 0 : 102;
}

/* The peer check's answer for a child with @gid and @groups. */
static int peer_answer(gid_t gid, const gid_t *groups, size_t n, struct ucred *cred)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char name[64];
	int lfd, cfd, answer;
	pid_t pid;
	int status;

	snprintf(name, sizeof(name), "dlp-ctl-test-%d", getpid());
	memcpy(addr.sun_path + 1, name, strlen(name));
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&addr,
			      offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)),
			 0);
	assert_int_equal(listen(lfd, 1), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (setgroups(n, groups) || setgid(gid) || setuid(NOBODY))
			_exit(100);
		_exit(connect_and_wait(name));
	}
	cfd = accept(lfd, NULL, NULL);
	assert_true(cfd >= 0);
	/* the child may have exited by now: its credentials were taken at connect() */
	answer = dlp_ctl_peer_allowed(cfd, TEST_GID, cred);
	close(cfd);
	close(lfd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return answer;
}

static void test_peer_allowed(void **state)
{
	gid_t member[] = { 100, TEST_GID }, many[200];
	struct ucred cred = { 0 };
	int sv[2];
	size_t i;

	(void)state;
	need_root();
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(dlp_ctl_peer_allowed(sv[0], TEST_GID, &cred), 0);
	assert_int_equal(cred.uid, 0);
	assert_int_equal(cred.pid, getpid());
	close(sv[0]);
	close(sv[1]);

	assert_int_equal(peer_answer(NOBODY, NULL, 0, &cred), -EACCES);
	assert_int_equal(cred.uid, NOBODY);
	assert_int_equal(cred.gid, NOBODY);
	assert_int_equal(peer_answer(NOBODY, member, 1, &cred), -EACCES);
	assert_int_equal(peer_answer(NOBODY, member, 2, &cred), 0);
	assert_int_equal(cred.uid, NOBODY);
	assert_int_equal(peer_answer(TEST_GID, NULL, 0, &cred), 0);

	/* more groups than the first buffer holds: the second read */
	for (i = 0; i < 200; i++)
		many[i] = 10000 + i;
	assert_int_equal(peer_answer(NOBODY, many, 200, &cred), -EACCES);
	many[199] = TEST_GID;
	assert_int_equal(peer_answer(NOBODY, many, 200, &cred), 0);

	assert_true(dlp_ctl_peer_allowed(-1, TEST_GID, &cred) < 0);
}

static void test_admin_gid(void **state)
{
	gid_t gid = 1234;

	(void)state;
	assert_int_equal(dlp_ctl_admin_gid("root", &gid), 0);
	assert_int_equal(gid, 0);
	gid = 1234;
	assert_int_equal(dlp_ctl_admin_gid("dlp-no-such-group", &gid), -ENOENT);
	assert_int_equal(gid, 1234);
}

static int connect_run(void *arg)
{
	int fd = dlp_ctl_connect(arg);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return fd == -EACCES ? 1 : 2;
}

static void test_listen_connect(void **state)
{
	const char *sock = tmp_path("run/dlpd.sock");
	gid_t member = TEST_GID;
	struct ucred cred;
	struct stat st;
	int lfd, cfd, afd;

	(void)state;
	need_root();
	lfd = dlp_ctl_listen(sock, TEST_GID);
	assert_true(lfd >= 0);
	assert_int_equal(stat(tmp_path("run"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, TEST_GID);
	assert_int_equal(lstat(sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_gid, TEST_GID);

	cfd = dlp_ctl_connect(sock);
	assert_true(cfd >= 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	assert_int_equal(dlp_ctl_peer_allowed(afd, TEST_GID, &cred), 0);
	close(afd);
	close(cfd);

	/* outsiders do not even reach the socket; members do */
	assert_int_equal(as_nobody(NOBODY, NULL, 0, connect_run, (void *)sock), 1);
	assert_int_equal(as_nobody(NOBODY, &member, 1, connect_run, (void *)sock), 0);

	/* a live listener is not stolen */
	assert_int_equal(dlp_ctl_listen(sock, TEST_GID), -EADDRINUSE);
	cfd = dlp_ctl_connect(sock);
	assert_true(cfd >= 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	close(afd);
	close(cfd);

	/* once it is gone, its file is stale and replaced */
	close(lfd);
	assert_int_equal(lstat(sock, &st), 0);
	assert_int_equal(dlp_ctl_connect(sock), -ECONNREFUSED);
	lfd = dlp_ctl_listen(sock, TEST_GID);
	assert_true(lfd >= 0);
	cfd = dlp_ctl_connect(sock);
	assert_true(cfd >= 0);
	close(cfd);
	close(lfd);

	assert_int_equal(dlp_ctl_connect(tmp_path("run/none.sock")), -ENOENT);
}

static void test_listen_refuses(void **state)
{
	const char *file = tmp_path("run2/dlpd.sock");
	struct stat st;
	FILE *f;

	(void)state;
	need_root();
	/* something that is not a socket stays */
	assert_int_equal(mkdir(tmp_path("run2"), 0750), 0);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs("keep me", f);
	fclose(f);
	assert_int_equal(dlp_ctl_listen(file, TEST_GID), -EEXIST);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_size, 7);

	/* a directory others can write to is not ours to take over */
	assert_int_equal(mkdir(tmp_path("open"), 0777), 0);
	assert_int_equal(chmod(tmp_path("open"), 01777), 0);
	assert_int_equal(dlp_ctl_listen(tmp_path("open/dlpd.sock"), TEST_GID), -EPERM);
	assert_int_equal(stat(tmp_path("open"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 01777);
	assert_int_equal(chown(tmp_path("open"), NOBODY, NOBODY), 0);
	assert_int_equal(chmod(tmp_path("open"), 0700), 0);
	assert_int_equal(dlp_ctl_listen(tmp_path("open/dlpd.sock"), TEST_GID), -EPERM);

	assert_int_equal(dlp_ctl_listen("dlpd.sock", TEST_GID), -EINVAL);
	assert_int_equal(dlp_ctl_listen(tmp_path("run3/"), TEST_GID), -EINVAL);
	assert_int_equal(
		dlp_ctl_listen("/tmp/a-path-longer-than-sun-path-can-hold-xxxxxxxxxxxxx"
			       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			       TEST_GID),
		-ENAMETOOLONG);
}

/* dlpd, reduced to one answer: first a late answer to something else, then ours. */
static void serve_once(int fd, bool stale_first, size_t pad)
{
	unsigned char in[DLP_CTL_MSG_MAX];
	struct dlp_ctl_writer w;
	struct dlp_ctl_msg req;
	ssize_t n;
	int len;

	n = recv(fd, in, sizeof(in), 0);
	if (n <= 0 || dlp_ctl_decode(in, n, &req))
		_exit(1);
	if (stale_first) {
		struct dlp_ctl_msg old = req;

		old.id = req.id - 1;
		dlp_ctl_begin_response(&w, out, sizeof(out), &old, DLP_CTL_S_BUSY, "late");
		len = dlp_ctl_finish(&w);
		if (send(fd, out, len, 0) != len)
			_exit(2);
	}
	dlp_ctl_begin_response(&w, out, sizeof(out), &req, DLP_CTL_S_BUSY, NULL);
	len = dlp_ctl_finish(&w);
	if (send(fd, out, len + pad, 0) != (ssize_t)(len + pad))
		_exit(3);
}

static void test_call(void **state)
{
	unsigned char resp[256];
	struct dlp_ctl_msg m;
	int sv[2], len, n, status;
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(sv[0]);
		serve_once(sv[1], true, 0);
		serve_once(sv[1], false, 300); /* larger than the client's buffer */
		_exit(0);
	}
	close(sv[1]);
	len = dlp_ctl_encode_simple(buf, sizeof(buf), DLP_CTL_CMD_STATUS, 42);
	n = dlp_ctl_call(sv[0], buf, len, resp, sizeof(resp), 5000);
	assert_true(n > 0);
	assert_int_equal(dlp_ctl_decode(resp, n, &m), 0);
	assert_int_equal(m.id, 42);
	assert_string_equal(m.message, "busy, try again");

	len = dlp_ctl_encode_simple(buf, sizeof(buf), DLP_CTL_CMD_STATUS, 43);
	assert_int_equal(dlp_ctl_call(sv[0], buf, len, resp, sizeof(resp), 5000), -EMSGSIZE);

	/* the server is gone */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	n = dlp_ctl_call(sv[0], buf, len, resp, sizeof(resp), 5000);
	assert_true(n == -ECONNRESET || n == -EPIPE);
	close(sv[0]);

	/* a server that never answers */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(dlp_ctl_call(sv[0], buf, len, resp, sizeof(resp), 50), -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------- seeds */

/*
 * The fuzzer's seeds (tests/fuzz/corpus/ctl_proto/): a valid message of
 * every command in both directions, and error answers.  Each must decode;
 * with DLP_CTL_SEED_DIR set they are also written there, which is how the
 * corpus was made:
 *
 *	DLP_CTL_SEED_DIR=tests/fuzz/corpus/ctl_proto build/tests/test_ctl_proto
 */
static void seed(const char *name, int len)
{
	const char *dir = getenv("DLP_CTL_SEED_DIR");
	struct dlp_ctl_msg m;
	char path[512];
	FILE *f;

	assert_true(len > 0);
	if (dlp_ctl_decode(buf, len, &m))
		fail_msg("seed %s does not decode", name);
	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), (size_t)len);
	assert_int_equal(fclose(f), 0);
}

static void test_seeds(void **state)
{
	static const char policy[] =
		"mode enforce\ntier lgwan\ndefault deny\n"
		"media 総務-2026-001 bus usb id 0781:5583 serial 4C530001234 section 総務課 "
		"access rw until 2027-03-31\n";
	static const unsigned char sha[32] = { 1, 2, 3 };
	struct dlp_ctl_device item = stick;
	struct dlp_ctl_writer w;
	struct dlp_ctl_msg req;
	int len;

	(void)state;
	seed("req-status", dlp_ctl_encode_simple(buf, sizeof(buf), DLP_CTL_CMD_STATUS, 1));
	seed("req-policy-apply",
	     encode_apply(2, "lgwan.policy", policy, strlen(policy), false, NULL, NULL));
	seed("req-policy-apply-dry",
	     encode_apply(2, "x.policy", "mode monitor\n", 13, true, NULL, NULL));
	seed("req-policy-show",
	     dlp_ctl_encode_simple(buf, sizeof(buf), DLP_CTL_CMD_POLICY_SHOW, 3));
	seed("req-device-list", dlp_ctl_encode_device_list(buf, sizeof(buf), 4, 10, 100));
	seed("req-label-set", dlp_ctl_encode_label_set(buf, sizeof(buf), 7, "/share/機密性2/a.xlsx",
						       DLP_CLASS_2, DLP_INTEG_2, "監査"));
	seed("req-label-show", dlp_ctl_encode_label_show(buf, sizeof(buf), 8, "/share/機2_x.txt"));
	seed("req-reload", dlp_ctl_encode_simple(buf, sizeof(buf), DLP_CTL_CMD_RELOAD, 10));

	req = request(DLP_CTL_CMD_STATUS, 1);
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
	dlp_ctl_put_u8(&w, DLP_CTL_A_MODE, DLP_MODE_ENFORCE);
	dlp_ctl_put_str(&w, DLP_CTL_A_TIER, "mynumber");
	dlp_ctl_put_str(&w, DLP_CTL_A_POLICY_NAME, "/etc/dlpguard/policy/mynumber.policy");
	dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_SHA256, sha, sizeof(sha));
	dlp_ctl_put_u64(&w, DLP_CTL_A_LOADED_AT, 1795000000);
	dlp_ctl_put_u64(&w, DLP_CTL_A_DECISIONS, 12345);
	dlp_ctl_put_u64(&w, DLP_CTL_A_DROPPED, 0);
	dlp_ctl_put_u8(&w, DLP_CTL_A_LSM, 1);
	seed("resp-status", dlp_ctl_finish(&w));

	req = request(DLP_CTL_CMD_DEVICE_LIST, 4);
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
	dlp_ctl_put_u32(&w, DLP_CTL_A_TOTAL, 2);
	item.state = DLP_CTL_DEV_REGISTERED;
	item.devname = "sdb";
	dlp_ctl_nest_begin(&w, DLP_CTL_A_DEVICE);
	dlp_ctl_put_device(&w, &item);
	dlp_ctl_nest_end(&w);
	dlp_ctl_nest_begin(&w, DLP_CTL_A_DEVICE);
	dlp_ctl_put_device(&w, &(struct dlp_ctl_device){ .bus = DLP_CTL_BUS_USB,
							 .vendor = 0x46f4,
							 .product = 1,
							 .state = DLP_CTL_DEV_UNREGISTERED });
	dlp_ctl_nest_end(&w);
	seed("resp-device-list", dlp_ctl_finish(&w));

	req = request(DLP_CTL_CMD_POLICY_APPLY, 2);
	req.flags = DLP_CTL_FLAG_DRY_RUN;
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_INVALID, "policy rejected");
	dlp_ctl_put_str(&w, DLP_CTL_A_LINE, "x.policy:1:6: error: unknown mode 'enforced'");
	seed("resp-policy-apply-error", dlp_ctl_finish(&w));

	req = request(DLP_CTL_CMD_LABEL_SHOW, 8);
	dlp_ctl_begin_response(&w, buf, sizeof(buf), &req, DLP_CTL_S_OK, NULL);
	dlp_ctl_put_str(&w, DLP_CTL_A_PATH, "/share/機2_x.txt");
	dlp_ctl_put_u8(&w, DLP_CTL_A_CLASS, DLP_CLASS_2);
	dlp_ctl_put_u8(&w, DLP_CTL_A_INTEGRITY, DLP_INTEG_NONE);
	dlp_ctl_put_str(&w, DLP_CTL_A_LINE, "label prefix 機2_ 機密性2");
	seed("resp-label-show", dlp_ctl_finish(&w));

	len = dlp_ctl_encode_simple(out, sizeof(out), DLP_CTL_CMD_STATUS, 5);
	out[4] = DLP_CTL_VERSION + 1;
	seed("resp-bad-version",
	     dlp_ctl_encode_error(buf, sizeof(buf), out, len, DLP_CTL_S_BAD_VERSION, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_requests_round_trip),
		cmocka_unit_test(test_responses_round_trip),
		cmocka_unit_test(test_malformed_header),
		cmocka_unit_test(test_malformed_attributes),
		cmocka_unit_test(test_malformed_values),
		cmocka_unit_test(test_retired_numbers),
		cmocka_unit_test(test_fault_status),
		cmocka_unit_test(test_error_responses),
		cmocka_unit_test(test_writer_limits),
		cmocka_unit_test(test_peer_allowed),
		cmocka_unit_test(test_admin_gid),
		cmocka_unit_test_setup_teardown(test_listen_connect, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_listen_refuses, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_seeds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
