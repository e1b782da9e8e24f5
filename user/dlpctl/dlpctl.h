/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What dlpctl's files share: dlpctl.c (the command table, the commands that
 * read files) and client.c (the commands that ask dlpd over its control
 * socket, and how their answers are printed).
 */
#ifndef DLPCTL_H
#define DLPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <linux/types.h>

#include "ctl_proto.h"

/* Exit codes, as dlpctl(8) and `dlpctl --help` document them. */
enum {
	EXIT_OK = 0,
	EXIT_INVALID = 1, /* a policy, a log line (or other input) is invalid or unreadable */
	EXIT_USAGE = 2,	  /* wrong command line */
	/* 3, 4, 5: `dlpctl doctor`'s findings (user/lib/doctor.h) */
	EXIT_UNREACHABLE = 6, /* dlpd is not running, or did not answer */
	EXIT_DENIED = 7,      /* not root and not in group dlpadm */
	EXIT_REFUSED = 8,     /* dlpd answered with an error */
};

/* What `dlpctl status` shows: dlpd's STATUS answer, and what dlpctl learns besides. */
struct dlpctl_status {
	const char *message; /* dlpd's own summary; points into the response */
	bool enforcing;	     /* the BPF LSM programs are attached (LSM) */
	__u8 mode;	     /* enum dlp_mode */
	const char *tier;
	const char *policy; /* the file the policy in force was read from */
	unsigned char sha256[32];
	__u64 loaded_at; /* Unix time; 0: unknown */
	__u64 decisions; /* records written since dlpd started */
	__u64 dropped;	 /* records lost since dlpd started */
	long long generation; /* of the policy in force; -1: dlpd did not say */
	pid_t pid;	 /* dlpd's, from the socket (SO_PEERCRED); 0: unknown */
	long uptime_s;	 /* dlpd's, from /proc; -1: unknown */
	bool have_devices;
	unsigned int media, registered, unregistered, expired;
};

__attribute__((format(printf, 1, 2))) int dlpctl_usage_error(const char *fmt, ...);

int dlpctl_status_read(const struct dlp_ctl_msg *msg, struct dlpctl_status *ret);
void dlpctl_status_count(struct dlpctl_status *st, const struct dlp_ctl_device *devs, size_t n);
void dlpctl_status_print(FILE *out, const struct dlpctl_status *st, bool json);
void dlpctl_devices_print(FILE *out, const struct dlp_ctl_device *devs, size_t n,
			  const char *message, bool json);
int dlpctl_exit_for_errno(int err);
int dlpctl_exit_for_status(__u32 status);

/* The policy dlpd has in force (POLICY_SHOW). */
struct dlpctl_policy {
	char name[256];
	char *text; /* malloc'd, NUL-terminated */
	size_t len;
	unsigned char sha256[32];
	__u64 loaded_at;
	long long generation; /* -1: dlpd did not say */
};

/* Pages of a device list dlpctl reads at most; dlpd lists fewer devices than this holds. */
#define DLPCTL_DEVICE_PAGES_MAX 64

/* Every medium dlpd lists, read in pages; the strings point into @buf. */
struct dlpctl_device_pages {
	unsigned char *buf[DLPCTL_DEVICE_PAGES_MAX];
	struct dlp_ctl_device *devs;
	size_t n;
	const char *message; /* the last page's */
};

int dlpctl_devices_fetch(const char *sock, struct dlpctl_device_pages *p);
void dlpctl_device_pages_free(struct dlpctl_device_pages *p);
int dlpctl_apply(const char *sock, const struct dlp_ctl_policy_apply *a);
void dlpctl_json_string(FILE *out, const char *s);
int dlpctl_call(const char *sock, const void *req, int len, unsigned char *resp,
		struct dlp_ctl_msg *msg);

int dlpctl_do_status(int argc, char **argv);
int dlpctl_do_device_list(int argc, char **argv);
int dlpctl_do_policy_apply(int argc, char **argv);
int dlpctl_do_policy_reload(int argc, char **argv);
int dlpctl_policy_fetch(const char *sock, struct dlpctl_policy *ret);

#endif /* DLPCTL_H */
