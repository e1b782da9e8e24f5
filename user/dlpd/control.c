// SPDX-License-Identifier: GPL-2.0
/*
 * dlpd's control socket: accept dlpctl's connections, check who is at the
 * other end, read one request per readiness, refuse what is malformed or not
 * allowed, and hand the rest to daemon.c.
 *
 * The event loop must never wait on a client: every descriptor here is
 * non-blocking, one request is handled each time epoll reports a connection
 * readable (level-triggered: a client that queued more is served on the next
 * turn, after the ring buffer and udev), a response that does not fit the
 * client's socket buffer ends the connection rather than wait, and a
 * connection silent for DLPD_CONTROL_IDLE_S seconds is closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control.h"
#include "dlpd.h"

static time_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void drop_client(struct dlpd_control *c, struct dlpd_client *cl)
{
	epoll_ctl(c->epfd, EPOLL_CTL_DEL, cl->fd, NULL);
	close(cl->fd);
	cl->fd = -1;
}

static void accept_client(struct dlpd_control *c)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct dlpd_client *cl = NULL;
	int fd, err, i;

	fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			dlpd_say("%s: accepting a connection: %s", c->path, strerror(errno));
		return;
	}
	for (i = 0; i < DLPD_CONTROL_CLIENTS && !cl; i++)
		if (c->clients[i].fd < 0)
			cl = &c->clients[i];
	if (!cl) {
		dlpd_say("%s: %d connections open already; one more refused", c->path,
			 DLPD_CONTROL_CLIENTS);
		close(fd);
		return;
	}
	memset(&cl->cred, 0, sizeof(cl->cred));
	err = dlp_ctl_peer_allowed(fd, c->admin_gid, &cl->cred);
	if (err && err != -EACCES) {
		dlpd_say("%s: reading a client's credentials: %s; connection closed", c->path,
			 strerror(-err));
		close(fd);
		return;
	}
	/*
	 * A refused peer is kept until its first request, so that it gets
	 * PERMISSION_DENIED with its request's id (dlpctl drops a response
	 * whose id is not its request's) rather than a bare hang-up.
	 */
	cl->allowed = !err;
	if (!cl->allowed)
		dlpd_say("%s: uid %u (pid %d) is neither root nor in group %s: permission denied",
			 c->path, (unsigned int)cl->cred.uid, (int)cl->cred.pid,
			 DLP_CTL_ADMIN_GROUP);
	ev.data.fd = fd;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		dlpd_say("%s: watching a connection: %s", c->path, strerror(errno));
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->last = mono_s();
}

/* The response to the request of @n bytes in c->req: its length, or -errno. */
static int respond(struct dlpd_control *c, const struct dlpd_client *cl, size_t n, bool trunc)
{
	struct dlp_ctl_msg msg;
	int fault, len;

	if (trunc)
		return dlp_ctl_encode_error(c->resp, DLP_CTL_MSG_MAX, c->req, n,
					    DLP_CTL_S_TOO_LARGE, NULL);
	if (!cl->allowed)
		return dlp_ctl_encode_error(
			c->resp, DLP_CTL_MSG_MAX, c->req, n, DLP_CTL_S_PERMISSION,
			"permission denied: only root and members of group " DLP_CTL_ADMIN_GROUP
			" may control dlpd");
	fault = dlp_ctl_decode(c->req, n, &msg);
	if (fault)
		return dlp_ctl_encode_error(c->resp, DLP_CTL_MSG_MAX, c->req, n,
					    dlp_ctl_fault_status(-fault),
					    dlp_ctl_fault_str(-fault));
	if (msg.response)
		return dlp_ctl_encode_error(c->resp, DLP_CTL_MSG_MAX, c->req, n,
					    DLP_CTL_S_MALFORMED,
					    "a response where a request was expected");
	len = c->answer(c->ctx, &cl->cred, &msg, c->resp, DLP_CTL_MSG_MAX);
	if (len < 0) {
		dlpd_say("%s: answering %s: %s", c->path, dlp_ctl_cmd_name(msg.command),
			 strerror(-len));
		return dlp_ctl_encode_error(c->resp, DLP_CTL_MSG_MAX, c->req, n, DLP_CTL_S_INTERNAL,
					    NULL);
	}
	return len;
}

/* One request from @cl, if one is there. */
static void serve_client(struct dlpd_control *c, struct dlpd_client *cl)
{
	/* A message larger than any request may be comes with MSG_TRUNC set. */
	struct iovec iov = { .iov_base = c->req, .iov_len = DLP_CTL_MSG_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int len;

	n = recvmsg(cl->fd, &mh, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_client(c, cl);
		return;
	}
	cl->last = mono_s();
	len = respond(c, cl, n, mh.msg_flags & MSG_TRUNC);
	if (len < 0 || send(cl->fd, c->resp, len, MSG_DONTWAIT | MSG_NOSIGNAL) != len) {
		/* a client that does not read its responses loses its connection */
		drop_client(c, cl);
		return;
	}
	if (!cl->allowed)
		drop_client(c, cl);
}

/**
 * dlpd_control_open() - listen on the control socket and watch it in @epfd
 * @c:      the control socket's state, set up by this call
 * @path:   where to listen, normally DLP_CTL_SOCKET_PATH
 * @epfd:   the event loop; descriptors are registered with data.fd set
 * @answer: answers each allowed, well-formed request
 * @ctx:    passed to @answer
 *
 * The socket is 0660 root:dlpadm in a directory 0750 root:dlpadm.  When
 * there is no group dlpadm, only root may connect, and that is said once.
 * A socket file left by a dlpd that died is replaced; a live one is not.
 *
 * Return: 0, or -errno (said on stderr); @c can be closed either way.
 */
int dlpd_control_open(struct dlpd_control *c, const char *path, int epfd,
		      dlpd_control_answer_fn answer, void *ctx)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int err, i;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->epfd = epfd;
	c->path = path;
	c->answer = answer;
	c->ctx = ctx;
	for (i = 0; i < DLPD_CONTROL_CLIENTS; i++)
		c->clients[i].fd = -1;
	c->req = malloc(DLP_CTL_MSG_MAX);
	c->resp = malloc(DLP_CTL_MSG_MAX);
	if (!c->req || !c->resp)
		return -ENOMEM;
	err = dlp_ctl_admin_gid(DLP_CTL_ADMIN_GROUP, &c->admin_gid);
	if (err == -ENOENT) {
		dlpd_say("no group %s: only root may use the control socket %s",
			 DLP_CTL_ADMIN_GROUP, path);
		/* no process has gid -1, and chown() leaves the group as it is: root's */
		c->admin_gid = (gid_t)-1;
	} else if (err) {
		dlpd_say("looking up group %s: %s", DLP_CTL_ADMIN_GROUP, strerror(-err));
		return err;
	}
	c->fd = dlp_ctl_listen(path, c->admin_gid);
	if (c->fd < 0) {
		err = c->fd;
		c->fd = -1;
		dlpd_say("%s: listening: %s%s", path, strerror(-err),
			 err == -EADDRINUSE ? " (another dlpd is running)" : "");
		return err;
	}
	/* accept4() must not wait when the client is gone before it is called */
	if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK)) {
		err = -errno;
		goto out_err;
	}
	ev.data.fd = c->fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev)) {
		err = -errno;
		goto out_err;
	}
	return 0;

out_err:
	dlpd_say("%s: watching the control socket: %s", path, strerror(-err));
	return err;
}

/**
 * dlpd_control_event() - handle epoll's report on @fd, if @fd is the control socket's
 * @c:      the control socket
 * @fd:     the descriptor epoll reported (data.fd)
 * @events: what it reported
 *
 * Accepts one connection, or handles one request, or closes a connection
 * the client has hung up.
 *
 * Return: true if @fd was the listening socket or one of its connections.
 */
bool dlpd_control_event(struct dlpd_control *c, int fd, __u32 events)
{
	int i;

	if (c->fd >= 0 && fd == c->fd) {
		accept_client(c);
		return true;
	}
	for (i = 0; i < DLPD_CONTROL_CLIENTS; i++) {
		if (c->clients[i].fd != fd || fd < 0)
			continue;
		if (events & EPOLLIN)
			serve_client(c, &c->clients[i]);
		else
			drop_client(c, &c->clients[i]);
		return true;
	}
	return false;
}

/**
 * dlpd_control_tick() - close connections idle for DLPD_CONTROL_IDLE_S seconds
 * @c: the control socket
 *
 * Called about once a second from the event loop, so that clients that
 * connect and say nothing cannot hold every slot.
 */
void dlpd_control_tick(struct dlpd_control *c)
{
	time_t now = mono_s();
	int i;

	for (i = 0; i < DLPD_CONTROL_CLIENTS; i++)
		if (c->clients[i].fd >= 0 && now - c->clients[i].last >= DLPD_CONTROL_IDLE_S)
			drop_client(c, &c->clients[i]);
}

/**
 * dlpd_control_close() - close every connection and remove the socket
 * @c: the control socket, as dlpd_control_open() left it (even on failure), or
 *     zeroed with fd -1 when dlpd_control_open() was never called
 */
void dlpd_control_close(struct dlpd_control *c)
{
	int i;

	if (!c->path)
		return;
	for (i = 0; i < DLPD_CONTROL_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			drop_client(c, &c->clients[i]);
	if (c->fd >= 0) {
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		/* ours: dlp_ctl_listen() refused to start while another dlpd listened */
		unlink(c->path);
		c->fd = -1;
	}
	free(c->req);
	free(c->resp);
	c->req = c->resp = NULL;
}
