// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/dlpd/control.c, dlpd's side of the control socket,
 * over socket pairs: an allowed request reaches the answer function and its
 * response the client; garbage, a response sent as a request and a message
 * over 64 KiB get MALFORMED or TOO_LARGE without reaching it, and the
 * connection stays; a failing answer becomes INTERNAL; a refused peer gets
 * PERMISSION_DENIED with its request's id and is closed; a hang-up, an idle
 * client and one that reads no answers lose their slot; and, as root, the
 * listening socket end to end: accept, answer, the socket removed on close,
 * and without a group dlpadm root alone allowed, which is said.
 * control.c is compiled in here, as dlpd is not a library.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../user/dlpd/control.c"

static char said[512]; /* what control.c last said on "stderr" */

void dlpd_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(said, sizeof(said), fmt, ap);
	va_end(ap);
}

static int answered;   /* requests the answer function saw */
static int answer_err; /* what it returns instead of an answer; 0: answer */

static int fake_answer(void *ctx, const struct ucred *cred, const struct dlp_ctl_msg *req,
		       void *buf, size_t size)
{
	struct dlp_ctl_writer w;

	(void)ctx;
	(void)cred;
	answered++;
	if (answer_err)
		return answer_err;
	dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_UNKNOWN_COMMAND, "test answer");
	return dlp_ctl_finish(&w);
}

static struct dlpd_control c;
static int peer; /* the client's end */
static unsigned char resp[DLP_CTL_MSG_MAX];

/* A control socket without a listener, and one client connected to it by a socket pair. */
static int setup(void **state)
{
	int sv[2];
	struct epoll_event ev = { .events = EPOLLIN };

	(void)state;
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	c.path = "test.sock";
	c.answer = fake_answer;
	c.epfd = epoll_create1(EPOLL_CLOEXEC);
	c.req = malloc(DLP_CTL_MSG_MAX);
	c.resp = malloc(DLP_CTL_MSG_MAX);
	for (int i = 0; i < DLPD_CONTROL_CLIENTS; i++)
		c.clients[i].fd = -1;
	if (c.epfd < 0 || !c.req || !c.resp ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv))
		return -1;
	c.clients[0] = (struct dlpd_client){ .fd = sv[0], .allowed = true, .last = mono_s() };
	ev.data.fd = sv[0];
	epoll_ctl(c.epfd, EPOLL_CTL_ADD, sv[0], &ev);
	peer = sv[1];
	answered = answer_err = 0;
	said[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dlpd_control_close(&c);
	close(c.epfd);
	close(peer);
	return 0;
}

/* Send @len bytes as the client, let dlpd handle them; the response's status, or -1: none. */
static int exchange(const void *req, size_t len, struct dlp_ctl_msg *msg)
{
	ssize_t n;

	assert_int_equal(send(peer, req, len, 0), (ssize_t)len);
	assert_true(dlpd_control_event(&c, c.clients[0].fd, EPOLLIN));
	n = recv(peer, resp, sizeof(resp), MSG_DONTWAIT);
	if (n <= 0)
		return -1;
	assert_int_equal(dlp_ctl_decode(resp, n, msg), 0);
	assert_true(msg->response);
	return msg->status;
}

static void test_answered(void **state)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	int len = dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 5);

	(void)state;
	assert_int_equal(exchange(req, len, &msg), DLP_CTL_S_UNKNOWN_COMMAND);
	assert_string_equal(msg.message, "test answer");
	assert_int_equal(msg.id, 5);
	assert_int_equal(answered, 1);
	/* one connection, several requests in turn */
	assert_int_equal(exchange(req, len, &msg), DLP_CTL_S_UNKNOWN_COMMAND);
	assert_int_equal(answered, 2);
	assert_true(c.clients[0].fd >= 0);
}

static void test_garbage(void **state)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	int len;

	(void)state;
	/* no header: the error has command 0, which dlp_ctl_decode() refuses; read it raw */
	assert_int_equal(send(peer, "garbage", 7, 0), 7);
	assert_true(dlpd_control_event(&c, c.clients[0].fd, EPOLLIN));
	assert_true(recv(peer, resp, sizeof(resp), MSG_DONTWAIT) > 20);
	assert_memory_equal(resp, "DLPC", 4);
	assert_int_equal(resp[20], DLP_CTL_S_MALFORMED);

	/* a response sent as a request */
	len = dlp_ctl_encode_error(req, sizeof(req), NULL, 0, DLP_CTL_S_INTERNAL, NULL);
	req[6] = DLP_CTL_CMD_STATUS;
	assert_int_equal(exchange(req, len, &msg), DLP_CTL_S_MALFORMED);
	assert_string_equal(msg.message, "a response where a request was expected");

	/* a payload length that lies */
	len = dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 6);
	req[12] = 1;
	assert_int_equal(exchange(req, len, &msg), DLP_CTL_S_MALFORMED);
	assert_int_equal(msg.id, 6);

	assert_int_equal(answered, 0);
	assert_true(c.clients[0].fd >= 0);
}

static void test_too_large(void **state)
{
	size_t size = DLP_CTL_MSG_MAX + 100;
	unsigned char *req = calloc(1, size);
	struct dlp_ctl_msg msg;
	int sndbuf = 4 * DLP_CTL_MSG_MAX;

	(void)state;
	assert_non_null(req);
	setsockopt(peer, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	dlp_ctl_encode_simple(req, 64, DLP_CTL_CMD_STATUS, 7);
	assert_int_equal(exchange(req, size, &msg), DLP_CTL_S_TOO_LARGE);
	assert_int_equal(msg.id, 7);
	assert_int_equal(answered, 0);
	free(req);
}

static void test_internal(void **state)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	int len = dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 8);

	(void)state;
	answer_err = -ENOMEM;
	assert_int_equal(exchange(req, len, &msg), DLP_CTL_S_INTERNAL);
	assert_non_null(strstr(said, "answering status"));
}

static void test_refused(void **state)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	int len = dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 9);

	(void)state;
	c.clients[0].allowed = false;
	assert_int_equal(exchange(req, len, &msg), DLP_CTL_S_PERMISSION);
	assert_int_equal(msg.id, 9);
	assert_int_equal(answered, 0);
	assert_int_equal(c.clients[0].fd, -1);
	assert_int_equal(recv(peer, resp, sizeof(resp), MSG_DONTWAIT), 0);
}

static void test_hangup_and_idle(void **state)
{
	int fd = c.clients[0].fd;

	(void)state;
	/* an event on a descriptor that is not the control socket's is not handled */
	assert_false(dlpd_control_event(&c, peer, EPOLLIN));
	dlpd_control_tick(&c);
	assert_int_equal(c.clients[0].fd, fd);
	c.clients[0].last -= DLPD_CONTROL_IDLE_S;
	dlpd_control_tick(&c);
	assert_int_equal(c.clients[0].fd, -1);
}

static void test_hangup(void **state)
{
	(void)state;
	close(peer);
	peer = -1;
	assert_true(dlpd_control_event(&c, c.clients[0].fd, EPOLLIN | EPOLLHUP));
	assert_int_equal(c.clients[0].fd, -1);
}

/* A client that sends and never reads: dlpd drops it once its answers no longer fit. */
static void test_no_reader(void **state)
{
	unsigned char req[64];
	int len = dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 10), i;

	(void)state;
	for (i = 0; i < 100000 && c.clients[0].fd >= 0; i++) {
		if (send(peer, req, len, MSG_DONTWAIT) != len)
			break;
		dlpd_control_event(&c, c.clients[0].fd, EPOLLIN);
	}
	assert_int_equal(c.clients[0].fd, -1);
}

/* As root: listen, accept a real connection, answer it; the socket is removed on close. */
static void test_listen(void **state)
{
	char dir[] = "/tmp/dlpd-control-XXXXXX", path[128], sub[64];
	struct dlpd_control lc;
	struct epoll_event ev;
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	int epfd, fd, len, n;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/dlpd.sock", sub);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	assert_int_equal(dlpd_control_open(&lc, path, epfd, fake_answer, NULL), 0);
	/* without a group dlpadm (as on most build hosts) root alone may connect, and it is said */
	if (!getgrnam(DLP_CTL_ADMIN_GROUP)) {
		assert_int_equal(lc.admin_gid, (gid_t)-1);
		assert_non_null(strstr(said, "only root may use the control socket"));
	}
	fd = dlp_ctl_connect(path);
	assert_true(fd >= 0);
	assert_int_equal(epoll_wait(epfd, &ev, 1, 1000), 1);
	assert_true(dlpd_control_event(&lc, ev.data.fd, ev.events));
	assert_int_equal(lc.clients[0].fd >= 0, 1);
	len = dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 11);
	assert_int_equal(send(fd, req, len, 0), len);
	assert_int_equal(epoll_wait(epfd, &ev, 1, 1000), 1);
	assert_true(dlpd_control_event(&lc, ev.data.fd, ev.events));
	n = recv(fd, resp, sizeof(resp), 0);
	assert_true(n > 0);
	assert_int_equal(dlp_ctl_decode(resp, n, &msg), 0);
	assert_string_equal(msg.message, "test answer");
	close(fd);
	dlpd_control_close(&lc);
	assert_int_equal(access(path, F_OK), -1);
	close(epfd);
	rmdir(sub);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_internal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hangup_and_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hangup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_reader, setup, teardown),
		cmocka_unit_test(test_listen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
