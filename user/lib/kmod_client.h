/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dlpd's side of dlpguard.ko (include/dlpguard/kmod.h): which media the
 * module lets be written.  The ledger says it: a USB entry with access rw,
 * still valid, may be written; everything else the module keeps read-only
 * from attach.  dlp_kmod_sync() brings the module's allowed list to what a
 * policy says, with as few changes as it can: a medium allowed before and
 * after is never made read-only in between.  An entry's last day ends at
 * midnight (JST) whether or not the policy changes: dlp_kmod_due() says when
 * a sync is due for that, or to try a failed one again.
 */
#ifndef DLP_KMOD_CLIENT_H
#define DLP_KMOD_CLIENT_H

#include <stdbool.h>
#include <time.h>

#include <dlpguard/kmod.h>

#include "policy.h"

/* What dlpd last told the module: its allowed list, as dlpd knows it. */
struct dlp_kmod {
	int fd;	    /* /dev/dlpguard, or -1 */
	bool known; /* false until a sync cleared it: the list may hold a previous dlpd's */
	struct dlpguard_medium *allowed;
	unsigned int nallowed;
	time_t next_sync; /* when an allowed entry's day ends, or a failed sync is tried again; 0 never */
	char version[16];
};

int dlp_kmod_open(struct dlp_kmod *k);
int dlp_kmod_sync(struct dlp_kmod *k, const struct dlp_policy *pol, time_t now,
		  unsigned int *ret_changes);
bool dlp_kmod_due(const struct dlp_kmod *k, time_t now);
int dlp_kmod_read_event(struct dlp_kmod *k, struct dlpguard_event *ret);
int dlp_kmod_ack(struct dlp_kmod *k, __u64 seq);
void dlp_kmod_close(struct dlp_kmod *k);

#endif /* DLP_KMOD_CLIENT_H */
