// SPDX-License-Identifier: GPL-2.0
/*
 * VM test: a running dlpd's control socket (user/dlpd/control.c) against
 * requests dlpctl would never send.  Bytes that are no message, a length
 * that lies, an unknown attribute, a version dlpd does not speak, a message
 * over 64 KiB, a response sent as a request: each gets an error response
 * saying why, with the request's id when it has one.  A retired command
 * number (9, once LOG_TAIL) is refused by the decoder as an unknown command,
 * never answered with success.  A client that sends requests and reads no
 * answer loses its connection and does not hold the loop up; an idle one
 * does not keep others out.  After each case dlpd still answers STATUS on a
 * new connection.
 *
 * Runs only inside the VM test bed, from tests/vm/control.sh, with dlpd
 * running and its socket named in the environment:
 *	DLP_CONTROL_SOCKET  the control socket, normally /run/dlpguard/dlpd.sock
 * Elsewhere it prints "SKIP: <reason>" and exits 77.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctl_proto.h"

#define EXIT_SKIP 77
#define WAIT_MS	  5000

static const char *sock;
static unsigned char resp[DLP_CTL_MSG_MAX];

static int connect_or_fail(void)
{
	int fd = dlp_ctl_connect(sock);

	if (fd < 0)
		fail_msg("connect %s: %s", sock, strerror(-fd));
	return fd;
}

/* Send @len raw bytes on a new connection; the response's STATUS, its message in @msg. */
static __u32 raw_call(const void *req, size_t len, struct dlp_ctl_msg *msg)
{
	int fd = connect_or_fail(), n, fault;

	n = dlp_ctl_call(fd, req, len, resp, sizeof(resp), WAIT_MS);
	close(fd);
	if (n < 0)
		fail_msg("no response: %s", strerror(-n));
	fault = dlp_ctl_decode(resp, n, msg);
	if (fault)
		fail_msg("the response does not decode: %s", dlp_ctl_fault_str(-fault));
	assert_true(msg->response);
	print_message("dlpd answered: status %u: %s\n", msg->status, msg->message);
	return msg->status;
}

/* dlpd is still there and serving: STATUS on a new connection succeeds. */
static void assert_alive(void)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	int len = dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 1);

	assert_true(len > 0);
	assert_int_equal(raw_call(req, len, &msg), DLP_CTL_S_OK);
	assert_true(msg.present & (1ULL << DLP_CTL_A_POLICY_SHA256));
}

static void test_garbage(void **state)
{
	static const char garbage[] = "garbage\n";
	int fd = connect_or_fail(), n;

	(void)state;
	/*
	 * Shorter than a header: no id to take, and dlp_ctl_call() takes the
	 * answer (id 0) as it is.
	 */
	n = dlp_ctl_call(fd, garbage, sizeof(garbage) - 1, resp, sizeof(resp), WAIT_MS);
	close(fd);
	assert_true(n >= DLP_CTL_HDR_SIZE + 8);
	assert_memory_equal(resp, "DLPC", 4);
	assert_int_equal(resp[5] & DLP_CTL_FLAG_RESPONSE, DLP_CTL_FLAG_RESPONSE);
	/* the first attribute is STATUS (type 1, length 4) */
	assert_int_equal(resp[16] | resp[17] << 8, DLP_CTL_A_STATUS);
	assert_int_equal(resp[20], DLP_CTL_S_MALFORMED);
	assert_alive();
}

static void test_length_lies(void **state)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	int len = dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 7);

	(void)state;
	req[12] = 9; /* a payload of 9 bytes that are not there */
	assert_int_equal(raw_call(req, len, &msg), DLP_CTL_S_MALFORMED);
	assert_int_equal(msg.id, 7);
	assert_alive();
}

static void test_unknown_attribute(void **state)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	int len = dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 8);

	(void)state;
	/* attribute type 63, 1 byte: no version defines it */
	memcpy(req + len, "\x3f\x00\x01\x00\x01", 5);
	req[12] = 5;
	assert_int_equal(raw_call(req, len + 5, &msg), DLP_CTL_S_MALFORMED);
	assert_non_null(strstr(msg.message, "unknown attribute"));
	assert_alive();
}

static void test_version(void **state)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	int len = dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 9);

	(void)state;
	req[4] = 9;
	assert_int_equal(raw_call(req, len, &msg), DLP_CTL_S_BAD_VERSION);
	assert_int_equal(msg.attr[DLP_CTL_A_VERSION_MAX].num, DLP_CTL_VERSION);
	assert_alive();
}

static void test_too_large(void **state)
{
	size_t size = DLP_CTL_MSG_MAX + 4096;
	unsigned char *req = calloc(1, size);
	struct dlp_ctl_msg msg;

	(void)state;
	assert_non_null(req);
	dlp_ctl_encode_simple(req, 64, DLP_CTL_CMD_STATUS, 10);
	req[12] = (size - DLP_CTL_HDR_SIZE) & 0xff;
	req[13] = (size - DLP_CTL_HDR_SIZE) >> 8 & 0xff;
	req[14] = (size - DLP_CTL_HDR_SIZE) >> 16 & 0xff;
	assert_int_equal(raw_call(req, size, &msg), DLP_CTL_S_TOO_LARGE);
	free(req);
	assert_alive();
}

static void test_response_as_request(void **state)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	struct dlp_ctl_writer w;
	int len;

	(void)state;
	dlp_ctl_begin(&w, req, sizeof(req), DLP_CTL_CMD_STATUS, 11, DLP_CTL_FLAG_RESPONSE);
	dlp_ctl_put_u32(&w, DLP_CTL_A_STATUS, DLP_CTL_S_OK);
	dlp_ctl_put_str(&w, DLP_CTL_A_MESSAGE, "ok");
	len = dlp_ctl_finish(&w);
	assert_true(len > 0);
	assert_int_equal(raw_call(req, len, &msg), DLP_CTL_S_MALFORMED);
	assert_alive();
}

/* Command 9 (LOG_TAIL, retired): status 2 from the decoder, the number echoed. */
static void test_retired_command(void **state)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	int len;

	(void)state;
	len = dlp_ctl_encode_simple(req, sizeof(req), 9, 12);
	assert_true(len > 0);
	assert_int_equal(raw_call(req, len, &msg), DLP_CTL_S_UNKNOWN_COMMAND);
	assert_int_equal(msg.command, 9);
	assert_int_equal(msg.id, 12);
	assert_string_equal(msg.message, dlp_ctl_fault_str(-DLP_CTL_FAULT_COMMAND));
	assert_alive();
}

/* The generation of the policy in force, from STATUS. */
static __u32 generation(void)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;

	assert_int_equal(raw_call(req,
				  dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 20),
				  &msg),
			 DLP_CTL_S_OK);
	assert_true(msg.present & (1ULL << DLP_CTL_A_GENERATION));
	return msg.attr[DLP_CTL_A_GENERATION].num;
}

/*
 * POLICY_APPLY made from a policy that is not the one in force is refused
 * (BUSY) before it is even compiled; an invalid one is refused with the
 * compiler's messages (INVALID); neither changes the generation.
 */
static void test_apply_refused(void **state)
{
	static const unsigned char stale[32] = { 0xde, 0xad };
	static const char bogus[] = "mode enforce\nbogus\n";
	static unsigned char req[DLP_CTL_MSG_MAX];
	struct dlp_ctl_policy_apply a = {
		.name = "stale.policy",
		.text = bogus,
		.text_len = sizeof(bogus) - 1,
		.base_sha256 = stale,
	};
	struct dlp_ctl_msg msg;
	__u32 before = generation();
	int len;

	(void)state;
	len = dlp_ctl_encode_policy_apply(req, sizeof(req), 21, &a);
	assert_true(len > 0);
	assert_int_equal(raw_call(req, len, &msg), DLP_CTL_S_BUSY);
	assert_non_null(strstr(msg.message, "changed since"));
	a.base_sha256 = NULL;
	len = dlp_ctl_encode_policy_apply(req, sizeof(req), 22, &a);
	assert_int_equal(raw_call(req, len, &msg), DLP_CTL_S_INVALID);
	assert_true(msg.nrepeated > 0); /* the compiler's lines */
	assert_int_equal(generation(), before);
	assert_alive();
}

/*
 * A client that keeps sending and never reads its answers: dlpd must not
 * wait for it (its answers find the client's queue full), and goes on
 * serving others while that client is still connected.
 */
static void test_no_reader(void **state)
{
	unsigned char req[64];
	int fd = connect_or_fail(), len, i, sent = 0;

	(void)state;
	len = dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 13);
	for (i = 0; i < 200; i++) {
		while (send(fd, req, len, MSG_DONTWAIT | MSG_NOSIGNAL) == len)
			sent++;
		if (errno != EAGAIN)
			break; /* dlpd closed the connection */
		usleep(10000);
	}
	print_message("%d requests sent, none read; the last send: %s\n", sent, strerror(errno));
	assert_alive();
	close(fd);
}

/* Idle connections fill the slots; the one past them is closed, the loop goes on. */
static void test_many_idle(void **state)
{
	int fds[40], n, i;

	(void)state;
	for (n = 0; n < 40; n++) {
		fds[n] = dlp_ctl_connect(sock);
		if (fds[n] < 0)
			break;
	}
	print_message("%d idle connections open\n", n);
	for (i = 0; i < n; i++)
		close(fds[i]);
	/* let dlpd see the hang-ups and free the slots before asking it */
	sleep(1);
	assert_alive();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_length_lies),
		cmocka_unit_test(test_unknown_attribute),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_response_as_request),
		cmocka_unit_test(test_retired_command),
		cmocka_unit_test(test_apply_refused),
		cmocka_unit_test(test_no_reader),
		cmocka_unit_test(test_many_idle),
	};

	sock = getenv("DLP_CONTROL_SOCKET");
	if (!sock) {
		printf("SKIP: DLP_CONTROL_SOCKET is not set: this test runs in the VM, from "
		       "tests/vm/control.sh, against a running dlpd\n");
		return EXIT_SKIP;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
