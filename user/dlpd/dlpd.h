/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dlpd's state, shared by its files: dlpd.c (options, modes), daemon.c
 * (start, the event loop, stop; it answers the control socket's requests),
 * control.c (the control socket itself, control.h).
 */
#ifndef DLPD_H
#define DLPD_H

#include <stdbool.h>

#include "loader.h"
#include "lower.h"
#include "policy.h"

#define DLPD_DEFAULT_POLICY "/etc/dlpguard/policy/default.policy"
#define DLPD_DEFAULT_LOG    "/var/log/dlpguard/decisions.jsonl"
#define DLPD_RUN_DIR	    "/run/dlpguard"
/* A copy of the policy the kernel enforces, for a restarted dlpd (lost at reboot, as the pins). */
#define DLPD_IN_FORCE DLPD_RUN_DIR "/policy.in-force"

/* Directories dlpd scans for label attributes, at most. */
#define DLPD_LABEL_SCAN_MAX 16

struct dlpd_options {
	const char *policy; /* the policy file */
	const char *log;    /* the decision log */
	const char *pins;   /* the pin directory */
	const char *cgroup; /* where the cgroup socket programs attach */
	bool foreground;
	/* --label-scan: directories whose files' label attributes go into the label maps */
	const char *label_scan[DLPD_LABEL_SCAN_MAX];
	unsigned int nlabel_scan;
};

int dlpd_run(const struct dlpd_options *opt);
int dlpd_unload(const struct dlpd_options *opt);

/* Report with the daemon's prefix, to stderr (the journal under systemd). */
__attribute__((format(printf, 1, 2))) void dlpd_say(const char *fmt, ...);

#endif /* DLPD_H */
