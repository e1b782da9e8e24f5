/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dlpd's control socket (docs/protocol.md): the listening socket and the
 * connections of dlpctl, served from daemon.c's event loop.  This file knows
 * the transport (who may connect, one request per readiness, how a bad
 * request is answered); daemon.c answers the requests that were accepted.
 */
#ifndef DLPD_CONTROL_H
#define DLPD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <linux/types.h>

#include "ctl_proto.h"

/*
 * Connections served at once.  dlpctl opens one per command and closes it at
 * once: a handful is plenty, and a bound keeps a flood of connections from
 * costing dlpd descriptors and memory.  One more is accepted and closed.
 */
#define DLPD_CONTROL_CLIENTS 16
/* A connection that sends nothing for this long is closed, freeing its slot. */
#define DLPD_CONTROL_IDLE_S 30

/*
 * Answers one decoded, allowed request from @peer: builds the response into
 * @buf and returns its length, or -errno (the client then gets
 * DLP_CTL_S_INTERNAL).
 */
typedef int (*dlpd_control_answer_fn)(void *ctx, const struct ucred *peer,
				      const struct dlp_ctl_msg *req, void *buf, size_t size);

struct dlpd_client {
	int fd;	      /* -1: a free slot */
	bool allowed; /* dlp_ctl_peer_allowed() said yes at accept() */
	struct ucred cred;
	time_t last; /* the last request, or the accept (CLOCK_MONOTONIC seconds) */
};

struct dlpd_control {
	int fd;	  /* the listening socket; -1: none */
	int epfd; /* the event loop it is registered in */
	const char *path;
	gid_t admin_gid; /* (gid_t)-1: no group dlpadm, root only */
	dlpd_control_answer_fn answer;
	void *ctx;
	unsigned char *req;  /* DLP_CTL_MSG_MAX bytes: the request being handled */
	unsigned char *resp; /* DLP_CTL_MSG_MAX bytes: its response */
	struct dlpd_client clients[DLPD_CONTROL_CLIENTS];
};

int dlpd_control_open(struct dlpd_control *c, const char *path, int epfd,
		      dlpd_control_answer_fn answer, void *ctx);
bool dlpd_control_event(struct dlpd_control *c, int fd, __u32 events);
void dlpd_control_tick(struct dlpd_control *c);
void dlpd_control_close(struct dlpd_control *c);

#endif /* DLPD_CONTROL_H */
