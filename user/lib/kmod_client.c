// SPDX-License-Identifier: GPL-2.0
/* dlpd's side of dlpguard.ko (kmod_client.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices.h"
#include "kmod_client.h"

/**
 * dlp_kmod_open() - open the module's device, if the module is loaded
 * @k: zeroed; k->fd is set, or -1
 *
 * Return: 0; -ENOENT when the module is not loaded (no /dev/dlpguard);
 * -EPROTO when it speaks another ABI (not used then); another -errno.
 */
int dlp_kmod_open(struct dlp_kmod *k)
{
	struct dlpguard_version v = { .size = sizeof(v) };
	int err;

	k->fd = open(DLPGUARD_DEVICE, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	if (ioctl(k->fd, DLPGUARD_IOC_VERSION, &v))
		err = -errno;
	else
		err = v.abi == DLPGUARD_KMOD_ABI ? 0 : -EPROTO;
	if (err) {
		close(k->fd);
		k->fd = -1;
		return err;
	}
	memcpy(k->version, v.version, sizeof(k->version));
	k->version[sizeof(k->version) - 1] = '\0';
	return 0;
}

static bool same(const struct dlpguard_medium *a, const struct dlpguard_medium *b)
{
	return a->bus == b->bus && a->vendor == b->vendor && a->product == b->product &&
	       !strcmp(a->serial, b->serial);
}

static bool holds(const struct dlpguard_medium *set, unsigned int n,
		  const struct dlpguard_medium *m)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (same(&set[i], m))
			return true;
	return false;
}

/*
 * The media @pol lets be written at @now: entries with access rw, not past
 * their day; @ret_end is set to when the first of their days ends (0: none).
 */
static int writable_set(const struct dlp_policy *pol, time_t now, struct dlpguard_medium **ret,
			unsigned int *ret_n, time_t *ret_end)
{
	struct dlpguard_medium *set = calloc(pol->nmedia ? pol->nmedia : 1, sizeof(*set));
	const struct dlp_media *e;
	unsigned int i, n = 0;
	time_t end, first_end = 0;

	if (!set)
		return -ENOMEM;
	for (i = 0; i < pol->nmedia; i++) {
		e = &pol->media[i];
		end = (time_t)(dlp_ledger_end_tai_ns(&e->until, 0) / 1000000000ULL);
		if ((e->bus != DLP_BUS_USB && e->bus != DLP_BUS_MMC) || !e->writable ||
		    !e->serial[0] || strlen(e->serial) > DLPGUARD_SERIAL_MAX || now >= end)
			continue;
		if (!first_end || end < first_end)
			first_end = end;
		set[n] = (struct dlpguard_medium){
			.size = sizeof(set[n]),
			.bus = e->bus == DLP_BUS_MMC ? DLPGUARD_BUS_MMC : DLPGUARD_BUS_USB,
			.vendor = e->vendor,
			.product = e->product,
		};
		strcpy(set[n].serial, e->serial);
		if (!holds(set, n, &set[n]))
			n++;
	}
	*ret = set;
	*ret_n = n;
	*ret_end = first_end;
	return 0;
}

/**
 * dlp_kmod_sync() - make the module allow what @pol lets be written, and no more
 * @k:           opened with dlp_kmod_open()
 * @pol:         the policy in force
 * @now:         the time the ledger's days are judged at
 * @ret_changes: set to the number of media allowed or forgotten
 *
 * The first sync clears the module's list (it may hold a previous dlpd's),
 * then allows; later ones forget what is no longer allowed and allow what is
 * new, so a medium allowed before and after is never read-only in between.
 * On a failure the list dlpd keeps is cleared, so the next sync starts over.
 *
 * Return: 0, or the -errno of the ioctl that failed.
 */
int dlp_kmod_sync(struct dlp_kmod *k, const struct dlp_policy *pol, time_t now,
		  unsigned int *ret_changes)
{
	struct dlpguard_medium *want;
	unsigned int nwant, i, changes = 0;
	time_t end;
	int err = 0;

	if (k->fd < 0)
		return -EBADF;
	k->next_sync = now + 60; /* unless it works */
	err = writable_set(pol, now, &want, &nwant, &end);
	if (err)
		return err;
	if (!k->known) {
		if (ioctl(k->fd, DLPGUARD_IOC_CLEAR, NULL))
			err = -errno;
		k->nallowed = 0;
	}
	for (i = 0; !err && k->known && i < k->nallowed; i++)
		if (!holds(want, nwant, &k->allowed[i])) {
			if (ioctl(k->fd, DLPGUARD_IOC_FORGET, &k->allowed[i]) && errno != ENOENT)
				err = -errno;
			changes++;
		}
	for (i = 0; !err && i < nwant; i++)
		if (!k->known || !holds(k->allowed, k->nallowed, &want[i])) {
			if (ioctl(k->fd, DLPGUARD_IOC_ALLOW, &want[i]))
				err = -errno;
			changes++;
		}
	free(k->allowed);
	if (err) {
		k->allowed = NULL;
		k->nallowed = 0;
		k->known = false;
		free(want);
		return err;
	}
	k->allowed = want;
	k->nallowed = nwant;
	k->known = true;
	k->next_sync = end;
	*ret_changes = changes;
	return 0;
}

/**
 * dlp_kmod_due() - whether a sync is due without a policy switch
 * @k:   opened, or not
 * @now: the time
 *
 * Return: true once the day of an allowed entry has ended (it must be
 * forgotten) or a minute after a failed sync; false when the module is not
 * used.
 */
bool dlp_kmod_due(const struct dlp_kmod *k, time_t now)
{
	return k->fd >= 0 && k->next_sync && now >= k->next_sync;
}

/**
 * dlp_kmod_read_event() - one event the module reported
 * @k:   opened
 * @ret: the event
 *
 * Return: 0; -EAGAIN when none is waiting; -EPROTO for a record of another
 * size; another -errno.
 */
int dlp_kmod_read_event(struct dlp_kmod *k, struct dlpguard_event *ret)
{
	ssize_t n = read(k->fd, ret, sizeof(*ret));

	if (n < 0)
		return -errno;
	return n == sizeof(*ret) && ret->size == sizeof(*ret) ? 0 : -EPROTO;
}

/**
 * dlp_kmod_ack() - an event was kept: the module drops it and those before
 * @k:   opened
 * @seq: the event's @seq, read through @k
 *
 * Until then the module holds it, and gives it to the next reader if this
 * one stops.
 *
 * Return: 0 or -errno.
 */
int dlp_kmod_ack(struct dlp_kmod *k, __u64 seq)
{
	struct dlpguard_ack a = { .size = sizeof(a), .seq = seq };

	return ioctl(k->fd, DLPGUARD_IOC_ACK, &a) ? -errno : 0;
}

/**
 * dlp_kmod_close() - stop talking to the module; what it allows stays
 * @k: opened, or not
 */
void dlp_kmod_close(struct dlp_kmod *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	free(k->allowed);
	k->allowed = NULL;
	k->nallowed = 0;
	k->known = false;
	k->next_sync = 0;
}
