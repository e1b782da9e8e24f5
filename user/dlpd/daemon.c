// SPDX-License-Identifier: GPL-2.0
/*
 * dlpd at work: bring enforcement up (or find it pinned), then serve the
 * kernel's decision records, device events and signals until told to stop.
 *
 * Start.  Everything a policy needs is validated and built before the
 * kernel is touched (parse, names resolved, label directories placed), so a
 * bad policy changes nothing.  Then either
 *   - programs are pinned already (dlpd restarted, upgraded or killed):
 *     the pinned maps are opened and the kernel goes on with the policy it
 *     has, a copy of which dlpd keeps in DLPD_IN_FORCE; or
 *   - nothing is pinned: the objects are loaded (user/lib/loader.c), the
 *     policy, labels and every block device's verdict written into the maps,
 *     and only then the programs attached and pinned.  The device map must
 *     be filled before attaching: a device the map does not know is judged
 *     as unregistered media, the internal disk included.
 *
 * Serve.  The loop reads the kernel's decision records, udev's device
 * events, signals, and dlpctl's requests on the control socket (control.c);
 * every block device judged is kept in a table (struct judged_device) that
 * STATUS and DEVICE_LIST report from.
 *
 * Stop.  SIGTERM and SIGINT end the loop and remove the control socket; the
 * pins keep the programs attached and the maps filled.  `dlpd --unload`
 * removes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>

#include <dlpguard/event.h>
#include <dlpguard/label_value.h>
#include <dlpguard/media.h>

#include "control.h"
#include "devices.h"
#include "dlpd.h"
#include "event_log.h"
#include "kmod_client.h"
#include "label_explain.h"
#include "label_map.h"
#include "pins.h"
#include "prepared.h"
#include "slots.h"

/* Records read between two syncs of the log and two reads of the lost counter. */
#define BATCH_MAX 256

/*
 * Block devices dlpd keeps judged for DEVICE_LIST, in the order they came.
 * A terminal has a few disks and partitions, a stick or two: 256 leaves room
 * for a docking station full of card readers.  A device past the bound is
 * still judged into the kernel's map (enforcement never depends on this
 * table); it is only left out of the list, and that is said once.
 */
#define JUDGED_MAX 256
/*
 * Devices in one DEVICE_LIST response.  An item is at most about 700 bytes
 * (serial, section and the rest at their longest): 64 of them fit in
 * DLP_CTL_MSG_MAX whatever the ledger holds; dlpctl asks again with START.
 */
#define DEVICE_LIST_PAGE 64

/* One block device as dlpd last judged it. */
struct judged_device {
	struct dlp_device dev;
	__u8 kind;  /* enum dlp_device_kind; DLP_DEVICE_UNKNOWN: judging failed */
	int ledger; /* the ledger entry naming it, or -1; set and unregistered: expired */
	struct dlp_media_dev verdict; /* as written into the kernel's map */
};

struct daemon {
	const struct dlpd_options *opt;
	/*
	 * The policy in force, in slot @slot of the maps; NULL only while
	 * dlpd, having found pins, does not know the kernel's policy.
	 */
	struct dlp_prepared *cur;
	struct dlp_prepared *prev; /* the one before, for records still in flight */
	__u32 slot;
	struct dlp_loader loader; /* the objects, when this dlpd loaded them */
	struct dlp_loader_fds fds;
	bool adopted;	  /* found pinned */
	time_t loaded_at; /* when the policy in force was put in the kernel */
	struct ring_buffer *rb;
	struct dlp_devices *devs;
	struct dlp_log *log;
	struct dlp_log_ctx log_ctx;
	int sigfd;
	int epfd;
	__u64 lost_seen;	      /* DLP_STAT_LOST when last logged */
	__u64 lost_start;	      /* DLP_STAT_LOST when this dlpd started */
	struct judged_device *judged; /* JUDGED_MAX entries */
	unsigned int njudged;
	bool judged_full_said;
	struct dlpd_control control;
	struct dlp_kmod kmod; /* dlpguard.ko, when it is loaded */
	unsigned long records;
	int write_err; /* the first log write that failed, for the exit status */
};

void dlpd_say(const char *fmt, ...)
{
	va_list ap;

	fputs("dlpd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- devices -------------------------------------------------------------------------- */

static struct judged_device *judged_find(struct daemon *d, __u32 dev)
{
	unsigned int i;

	for (i = 0; i < d->njudged; i++)
		if (d->judged[i].dev.dev == dev)
			return &d->judged[i];
	return NULL;
}

/* The decision log's way to a record's device (struct dlp_log_ctx.device). */
static const struct dlp_device *judged_device_of(void *arg, __u32 dev)
{
	const struct judged_device *j = judged_find(arg, dev);

	return j ? &j->dev : NULL;
}

/* Keep the table of judged devices in step with what was just judged. */
static void judged_update(struct daemon *d, enum dlp_device_action action,
			  const struct dlp_device *dev, const struct dlp_media_dev *v, int ledger)
{
	struct judged_device *j = judged_find(d, dev->dev);

	if (action == DLP_DEVICE_REMOVE) {
		if (j) {
			memmove(j, j + 1, (d->judged + d->njudged - (j + 1)) * sizeof(*j));
			d->njudged--;
		}
		return;
	}
	if (!j) {
		if (d->njudged == JUDGED_MAX) {
			if (!d->judged_full_said)
				dlpd_say("%s: more than %d block devices; it is judged, but not "
					 "listed by 'dlpctl device list'",
					 dev->devnode, JUDGED_MAX);
			d->judged_full_said = true;
			return;
		}
		j = &d->judged[d->njudged++];
	}
	j->dev = *dev;
	j->kind = v ? v->kind : DLP_DEVICE_UNKNOWN;
	j->ledger = v ? ledger : -1;
	j->verdict = v ? *v : (struct dlp_media_dev){ .kind = DLP_DEVICE_UNKNOWN };
}

static int log_line(struct daemon *d, const char *line);

/*
 * The decision log's line for a medium that came, changed or went: the
 * ledger's verdict is a decision too.  Internal disks are not logged.
 */
static void log_device(struct daemon *d, enum dlp_device_action action,
		       const struct dlp_device *dev, const struct dlp_media_dev *v)
{
	struct timespec ts;
	char line[2048];

	if (!dev->media)
		return;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	if (dlp_device_to_json(action, dev, v, ts.tv_sec * 1000000000ULL + ts.tv_nsec, &d->log_ctx,
			       line, sizeof(line)) >= 0)
		log_line(d, line);
}

static void judge_device(struct daemon *d, enum dlp_device_action action,
			 const struct dlp_device *dev, int ident_err)
{
	static const struct dlp_media_dev unknown = { .kind = DLP_DEVICE_UNKNOWN };
	struct judged_device *j;
	struct dlp_media_dev v;
	int ledger = -1, err;

	if (action == DLP_DEVICE_REMOVE) {
		/* A remove event carries no identity: the table has it. */
		j = judged_find(d, dev->dev);
		if (j)
			log_device(d, action, &j->dev, NULL);
		err = dlp_media_map_remove(d->fds.media, d->slot, dev->dev);
		if (err && err != -ENOENT)
			dlpd_say("%s: removing it from the device map: %s", dev->devnode,
				 strerror(-err));
		judged_update(d, action, dev, NULL, -1);
		return;
	}
	if (ident_err)
		dlpd_say("%s: identifying it: %s (judged as unregistered media)", dev->devnode,
			 strerror(-ident_err));
	err = dlp_device_verdict(&d->cur->pol, dev, time(NULL), &v, &ledger);
	if (!err)
		err = dlp_media_map_set(d->fds.media, d->slot, dev, &v);
	judged_update(d, action, dev, err ? NULL : &v, ledger);
	log_device(d, action, dev, err ? &unknown : &v);
	if (err)
		dlpd_say("%s: judging it: %s (the kernel treats it as unregistered media)",
			 dev->devnode, strerror(-err));
	else if (v.kind != DLP_DEVICE_INTERNAL)
		dlpd_say("%s: %s", dev->devnode,
			 v.kind == DLP_DEVICE_REGISTERED ? "registered media" :
							   "unregistered media");
}

static int device_cb(enum dlp_device_action action, const struct dlp_device *dev, int err,
		     void *ctx)
{
	judge_device(ctx, action, dev, err);
	return 0;
}

/* ---- decision records ----------------------------------------------------------------- */

/* Return: 0, or the -errno of the write (said once, and kept for the exit status). */
static int log_line(struct daemon *d, const char *line)
{
	int err = dlp_log_write(d->log, line);

	if (err && !d->write_err) {
		d->write_err = err;
		dlpd_say("%s: writing the decision log: %s", d->opt->log, strerror(-err));
	}
	if (d->opt->foreground)
		fprintf(stderr, "%s\n", line);
	return err;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;
	char line[4096];

	if (size < sizeof(struct dlp_event)) {
		dlpd_say("a decision record of %zu bytes, expected %zu: skipped", size,
			 sizeof(struct dlp_event));
		return 0;
	}
	if (dlp_log_has(d->log, data)) {
		dlpd_say("the first decision record is the log's last line already (a dlpd was "
			 "stopped after writing it, before marking it read): not written again");
		return 0;
	}
	if (dlp_event_to_json(data, &d->log_ctx, line, sizeof(line)) < 0) {
		dlpd_say("a decision record could not be written as JSON: skipped");
		return 0;
	}
	log_line(d, line);
	d->records++;
	return 0;
}

/* The records the kernel could not reserve, summed over CPUs. */
static __u64 lost_total(const struct daemon *d)
{
	int ncpus = libbpf_num_possible_cpus();
	__u32 key = DLP_STAT_LOST;
	__u64 sum = 0, *v;
	int i;

	if (ncpus <= 0)
		return 0;
	v = calloc(ncpus, sizeof(*v));
	if (v && !bpf_map_lookup_elem(d->fds.stats, &key, v))
		for (i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

static __u64 boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * What the log has counted as lost so far (dlp_lost_logged, pinned with the
 * maps): kept in the kernel, so the dlpd started next goes on from there.
 */
static __u64 lost_logged(const struct daemon *d)
{
	__u32 zero = 0;
	__u64 n = 0;

	bpf_map_lookup_elem(d->fds.lost_logged, &zero, &n);
	return n;
}

/*
 * After a batch: say how many records were lost since the last "lost" line,
 * by this dlpd or one before it, and sync the log.  The count is saved after
 * the line is synced: a dlpd killed in between makes the next one count
 * those losses again, never miss them.
 */
static void end_batch(struct daemon *d)
{
	__u64 lost = lost_total(d);
	__u32 zero = 0;
	char line[512];
	int err;

	if (lost > d->lost_seen) {
		err = dlp_lost_to_json(lost - d->lost_seen, boot_ns(), &d->log_ctx, line,
				       sizeof(line));
		if (err >= 0)
			err = log_line(d, line);
		if (err) {
			dlp_log_sync(d->log);
			return; /* counted again after the next batch */
		}
		d->lost_seen = lost;
		err = dlp_log_sync(d->log);
		if (!err && bpf_map_update_elem(d->fds.lost_logged, &zero, &lost, BPF_ANY))
			err = -errno;
		if (err)
			dlpd_say("keeping the count of lost records: %s (the next dlpd may count "
				 "some again)",
				 strerror(-err));
		return;
	}
	dlp_log_sync(d->log);
}

/* ---- switching policies --------------------------------------------------------------- */

/* Every block device judged again, into the slot a policy is being written to. */
struct rejudge {
	struct daemon *d;
	const struct dlp_prepared *p;
	__u32 slot;
	struct judged_device *table; /* JUDGED_MAX entries */
	unsigned int n;
};

static int rejudge_cb(enum dlp_device_action action, const struct dlp_device *dev, int ident_err,
		      void *ctx)
{
	struct rejudge *r = ctx;
	struct dlp_media_dev v;
	int ledger = -1, err;

	/* an identity that cannot be read is unregistered media, said when it came */
	(void)ident_err;
	if (action == DLP_DEVICE_REMOVE)
		return 0;
	err = dlp_device_verdict(&r->p->pol, dev, time(NULL), &v, &ledger);
	if (!err)
		err = dlp_media_map_set(r->d->fds.media, r->slot, dev, &v);
	if (err) {
		dlpd_say("%s: judging it under %s: %s", dev->devnode, r->p->name, strerror(-err));
		return err;
	}
	if (r->n < JUDGED_MAX)
		r->table[r->n++] = (struct judged_device){
			.dev = *dev, .kind = v.kind, .ledger = ledger, .verdict = v
		};
	return 0;
}

/* Whether two judgements say the same of a medium: kind, ledger entry and its terms. */
static bool same_verdict(const struct judged_device *a, const struct dlp_policy *apol,
			 const struct judged_device *b, const struct dlp_policy *bpol)
{
	if (a->kind != b->kind || a->verdict.writable != b->verdict.writable ||
	    a->verdict.until_tai_ns != b->verdict.until_tai_ns ||
	    (a->ledger < 0) != (b->ledger < 0))
		return false;
	return a->ledger < 0 || !apol ||
	       !strcmp(apol->media[a->ledger].regno, bpol->media[b->ledger].regno);
}

/*
 * After a switch: the devices judged under the new policy (@table, @n)
 * become the table, and each medium the new ledger judges otherwise gets a
 * "change" line in the decision log.  @old_pol judged the old table (NULL:
 * unknown).
 */
static void judged_replace(struct daemon *d, const struct dlp_policy *old_pol,
			   const struct judged_device *table, unsigned int n)
{
	const struct judged_device *was;
	unsigned int i;

	for (i = 0; i < n; i++) {
		was = judged_find(d, table[i].dev.dev);
		if (!was || !same_verdict(was, old_pol, &table[i], &d->cur->pol))
			log_device(d, DLP_DEVICE_CHANGE, &table[i].dev, &table[i].verdict);
	}
	memcpy(d->judged, table, n * sizeof(*table));
	d->njudged = n;
}

/* A copy of the policy in force where a dlpd started later finds it (DLPD_IN_FORCE). */
static void keep_in_force(const struct dlp_prepared *p)
{
	int err = 0;

	if (mkdir(DLPD_RUN_DIR, 0750) && errno != EEXIST)
		err = -errno;
	if (!err)
		err = dlp_prepared_install(p, DLPD_IN_FORCE);
	if (err)
		dlpd_say("%s: keeping a copy of the policy in force: %s (a dlpd started later "
			 "will not know its rules' names)",
			 DLPD_IN_FORCE, strerror(-err));
}

static __u64 boot_ns(void);

/* The decision log's line for the policy now in force. */
static void log_policy(struct daemon *d, enum dlp_log_policy_event event, long long by_uid,
		       const char *reason)
{
	char line[DLP_LOG_LINE_MAX];

	if (dlp_policy_to_json(event, d->cur->name, by_uid, reason, boot_ns(), &d->log_ctx, line,
			       sizeof(line)) >= 0)
		log_line(d, line);
}

static void set_log_policies(struct daemon *d)
{
	d->log_ctx.policies[0].policy = d->cur ? &d->cur->pol : NULL;
	d->log_ctx.policies[0].generation = d->cur ? d->cur->low.config.generation : 0;
	d->log_ctx.policies[1].policy = d->prev ? &d->prev->pol : NULL;
	d->log_ctx.policies[1].generation = d->prev ? d->prev->low.config.generation : 0;
}

static void end_batch(struct daemon *d);
static void kmod_sync(struct daemon *d);

/*
 * apply() - put a prepared policy in force while enforcing
 * @d:       the daemon, its maps open
 * @p:       prepared with the generation after the one in force; taken over:
 *           dlpd keeps it in force, or frees it when it fails
 * @event:   for the decision log's "policy" line: apply or reload
 * @by_uid:  who asked, for that line; -1: dlpd itself (start, signal)
 * @reason:  why, as the one who asked said, for that line; or NULL
 * @install: where to write @p's bytes as well (dlpd's policy file), or NULL
 * @why:     on failure, what went wrong and that the policy in force stays
 * @whylen:  its size
 *
 * The slot not in force is cleared, filled with @p and with every device's
 * verdict under @p's ledger, and switched to (user/lib/slots.h); then the
 * slot left is cleared.  No decision sees part of one policy and part of the
 * other.  Records waiting in the ring buffer are read first, while dlpd
 * still knows the policy they name.
 *
 * Return: 0; -errno with @why set, the policy in force unchanged; -EIO: in
 * force, but @install could not be written (@why says so).
 */
static int apply(struct daemon *d, struct dlp_prepared *p, enum dlp_log_policy_event event,
		 long long by_uid, const char *reason, const char *install, char *why,
		 size_t whylen)
{
	struct rejudge r = { .d = d, .p = p, .slot = !d->slot };
	__u32 old = d->slot, now = old, gen = p->low.config.generation;
	const char *step = "clearing the slot not in force";
	const struct dlp_policy *old_pol = d->cur ? &d->cur->pol : NULL;
	int err, fence_err = 0;

	r.table = calloc(JUDGED_MAX, sizeof(*r.table));
	if (!r.table) {
		snprintf(why, whylen, "out of memory; the policy in force was not changed");
		dlp_prepared_free(p);
		return -ENOMEM;
	}
	if (d->rb) {
		ring_buffer__consume(d->rb);
		end_batch(d);
	}
	err = dlp_rcu_fence();
	if (!err)
		err = dlp_slot_clear(&d->fds, r.slot);
	if (!err) {
		step = "writing it into the kernel";
		err = dlp_prepared_fill(p, &d->fds, r.slot);
	}
	if (!err) {
		step = "judging the block devices under its ledger";
		err = dlp_devices_enumerate(d->devs, rejudge_cb, &r);
	}
	if (!err) {
		step = "switching to it";
		err = dlp_slot_switch(&d->fds, r.slot);
	}
	if (err && (dlp_slot_active(&d->fds, &now) || now != r.slot)) {
		dlp_slot_clear(&d->fds, r.slot);
		snprintf(why, whylen,
			 "%s: %s: %s; the policy in force (generation %u) was not changed", p->name,
			 step, strerror(-err), gen - 1);
		free(r.table);
		dlp_prepared_free(p);
		return err;
	}
	fence_err = err; /* switched; but not known that no program still reads the old slot */
	d->slot = r.slot;
	dlp_prepared_free(d->prev);
	d->prev = d->cur;
	d->cur = p;
	set_log_policies(d);
	log_policy(d, event, by_uid, reason);
	judged_replace(d, old_pol, r.table, r.n);
	free(r.table);
	if (fence_err)
		dlpd_say("waiting for the programs to leave slot %u: %s; its entries stay until "
			 "the next policy",
			 old, strerror(-fence_err));
	else if ((err = dlp_slot_clear(&d->fds, old)))
		dlpd_say("clearing slot %u after the switch: %s; cleared before the next policy",
			 old, strerror(-err));
	d->loaded_at = time(NULL);
	keep_in_force(p);
	kmod_sync(d);
	dlpd_say("%s in force: generation %u, %u rules, slot %u", p->name, gen, p->pol.nrules,
		 d->slot);
	if (install && (err = dlp_prepared_install(p, install))) {
		snprintf(why, whylen,
			 "%s is in force as generation %u, but writing it to %s failed: %s; dlpd "
			 "will start with the old file",
			 p->name, gen, install, strerror(-err));
		return -EIO;
	}
	return 0;
}

/*
 * dlpguard.ko allows writing the media the policy in force lets be written
 * (kmod_client.h); without the module, nothing to do.
 */
static void kmod_sync(struct daemon *d)
{
	unsigned int changes = 0;
	int err;

	if (d->kmod.fd < 0)
		return;
	err = dlp_kmod_sync(&d->kmod, &d->cur->pol, time(NULL), &changes);
	if (err)
		dlpd_say("dlpguard.ko: telling it which media may be written: %s (they stay "
			 "read-only)",
			 strerror(-err));
	else if (changes)
		dlpd_say("dlpguard.ko: %u media may be written (%u changes)", d->kmod.nallowed,
			 changes);
}

/* The generation the next policy gets. */
static __u32 next_generation(const struct daemon *d)
{
	return d->cur ? d->cur->low.config.generation + 1 : 1;
}

/*
 * reload() - read dlpd's policy file again and put it in force (SIGHUP,
 * RELOAD).  Even the same text is applied again: label directories are
 * placed and devices judged anew.
 * @by_uid:   who asked over the control socket; -1: a signal
 * @diag_out: where the compiler's messages go
 */
static int reload(struct daemon *d, long long by_uid, FILE *diag_out, char *why, size_t whylen)
{
	struct dlp_prepared *p = NULL;
	size_t len;
	char *text;
	int err;

	err = dlp_prepared_read(d->opt->policy, &text, &len, why, whylen);
	if (err)
		return err;
	err = dlp_prepared_build(d->opt->policy, text, len, next_generation(d), d->opt->label_scan,
				 d->opt->nlabel_scan, diag_out, &p);
	free(text);
	if (err) {
		snprintf(why, whylen,
			 "%s is not valid on this terminal; the policy in force was "
			 "not changed",
			 d->opt->policy);
		return err;
	}
	return apply(d, p, DLP_LOG_POLICY_RELOAD, by_uid, NULL, NULL, why, whylen);
}

/* ---- the control socket --------------------------------------------------------------- */

static int answer_status(struct daemon *d, const struct dlp_ctl_msg *req, void *buf, size_t size)
{
	int links = dlp_pins_links(d->opt->pins);
	struct dlp_ctl_writer w;
	char text[256];

	snprintf(text, sizeof(text),
		 "%s; programs %s; policy generation %u in slot %u; %d links pinned",
		 links > 0 ? "enforcing" : "not enforcing",
		 d->adopted ? "taken over from the pins" : "loaded by this dlpd",
		 d->cur->low.config.generation, d->slot, links > 0 ? links : 0);
	dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_OK, text);
	dlp_ctl_put_u8(&w, DLP_CTL_A_MODE, d->cur->pol.mode);
	dlp_ctl_put_str(&w, DLP_CTL_A_TIER, dlp_tier_names[d->cur->pol.tier]);
	dlp_ctl_put_str(&w, DLP_CTL_A_POLICY_NAME, d->cur->name);
	dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_SHA256, d->cur->pol.sha256,
			  sizeof(d->cur->pol.sha256));
	dlp_ctl_put_u32(&w, DLP_CTL_A_GENERATION, d->cur->low.config.generation);
	dlp_ctl_put_u64(&w, DLP_CTL_A_LOADED_AT, d->loaded_at > 0 ? d->loaded_at : 0);
	dlp_ctl_put_u64(&w, DLP_CTL_A_DECISIONS, d->records);
	dlp_ctl_put_u64(&w, DLP_CTL_A_DROPPED, lost_total(d) - d->lost_start);
	dlp_ctl_put_u8(&w, DLP_CTL_A_LSM, links > 0);
	return dlp_ctl_finish(&w);
}

/* Whether the protocol can name @j: media with a USB or MMC id (docs/protocol.md, DEVICE). */
static bool listable(const struct judged_device *j)
{
	return j->dev.media && j->dev.has_id &&
	       (j->dev.bus == DLP_DEVBUS_USB || j->dev.bus == DLP_DEVBUS_MMC);
}

static void put_judged(struct daemon *d, struct dlp_ctl_writer *w, const struct judged_device *j)
{
	const struct dlp_media *e = j->ledger >= 0 ? &d->cur->pol.media[j->ledger] : NULL;
	struct dlp_ctl_device item = {
		.bus = j->dev.bus == DLP_DEVBUS_USB ? DLP_CTL_BUS_USB : DLP_CTL_BUS_MMC,
		.vendor = j->dev.vendor,
		.product = j->dev.product,
		.serial = j->dev.serial[0] ? j->dev.serial : NULL,
		.devname = j->dev.name,
		.state = DLP_CTL_DEV_UNREGISTERED,
	};
	char until[16];

	if (e && (j->kind == DLP_DEVICE_REGISTERED || j->kind == DLP_DEVICE_UNREGISTERED)) {
		item.state = j->kind == DLP_DEVICE_REGISTERED ? DLP_CTL_DEV_REGISTERED :
								DLP_CTL_DEV_EXPIRED;
		item.regno = e->regno;
		item.section = e->section;
		item.access = e->writable ? DLP_CTL_ACCESS_RW : DLP_CTL_ACCESS_RO;
		snprintf(until, sizeof(until), "%04u-%02u-%02u", e->until.year % 10000u,
			 e->until.month % 100u, e->until.day % 100u);
		item.until = until;
	}
	dlp_ctl_nest_begin(w, DLP_CTL_A_DEVICE);
	dlp_ctl_put_device(w, &item);
	dlp_ctl_nest_end(w);
}

/*
 * The judged media the protocol can name, from START, at most LIMIT and
 * DEVICE_LIST_PAGE of them; TOTAL says how many there are.  Internal disks
 * and media without a USB or MMC id have no DEVICE form in this protocol
 * version: the message counts them.
 */
static int answer_device_list(struct daemon *d, const struct dlp_ctl_msg *req, void *buf,
			      size_t size)
{
	__u32 start = 0, limit = DEVICE_LIST_PAGE, total = 0, internal = 0, nameless = 0, n = 0;
	struct dlp_ctl_writer w;
	char text[256];
	unsigned int i;

	if (req->present & (1ULL << DLP_CTL_A_START))
		start = req->attr[DLP_CTL_A_START].num;
	if ((req->present & (1ULL << DLP_CTL_A_LIMIT)) &&
	    req->attr[DLP_CTL_A_LIMIT].num < DEVICE_LIST_PAGE)
		limit = req->attr[DLP_CTL_A_LIMIT].num;
	for (i = 0; i < d->njudged; i++) {
		if (listable(&d->judged[i]))
			total++;
		else if (d->judged[i].dev.media)
			nameless++;
		else
			internal++;
	}
	snprintf(text, sizeof(text),
		 "%u block devices judged: %u media listed, %u internal and %u media without "
		 "a USB or MMC id not listed",
		 d->njudged, total, internal, nameless);
	dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_OK, text);
	dlp_ctl_put_u32(&w, DLP_CTL_A_TOTAL, total);
	for (i = 0, total = 0; i < d->njudged && n < limit; i++) {
		if (!listable(&d->judged[i]))
			continue;
		if (total++ < start)
			continue;
		put_judged(d, &w, &d->judged[i]);
		n++;
	}
	return dlp_ctl_finish(&w);
}

/* Room left in a response for diagnostic lines: the rest carries the other attributes. */
#define LINES_BUDGET (DLP_CTL_MSG_MAX - 4096)

/* The compiler's messages, one LINE each, as many as fit; the last says how many did not. */
static void put_lines(struct dlp_ctl_writer *w, char *text)
{
	unsigned int left = 0;
	size_t used = 0;
	char *line, *save = NULL, more[64];

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (left || used + strlen(line) + 64 > LINES_BUDGET || strlen(line) >= 8192) {
			left++;
			continue;
		}
		dlp_ctl_put_str(w, DLP_CTL_A_LINE, line);
		used += strlen(line) + 8;
	}
	if (left) {
		snprintf(more, sizeof(more), "(%u more lines not shown)", left);
		dlp_ctl_put_str(w, DLP_CTL_A_LINE, more);
	}
}

/* A memory stream for the compiler's messages. */
struct diag_buf {
	FILE *f;
	char *text;
	size_t len;
};

static int diag_open(struct diag_buf *b)
{
	*b = (struct diag_buf){ 0 };
	b->f = open_memstream(&b->text, &b->len);
	return b->f ? 0 : -errno;
}

/* The messages so far, NUL-terminated ("" if none could be kept). */
static char *diag_text(struct diag_buf *b)
{
	if (b->f) {
		fclose(b->f);
		b->f = NULL;
	}
	return b->text ? b->text : "";
}

static void diag_free(struct diag_buf *b)
{
	if (b->f)
		fclose(b->f);
	free(b->text);
}

static int answer_policy_apply(struct daemon *d, const struct ucred *peer,
			       const struct dlp_ctl_msg *req, void *buf, size_t size)
{
	const struct dlp_ctl_attr *name = &req->attr[DLP_CTL_A_POLICY_NAME];
	const struct dlp_ctl_attr *text = &req->attr[DLP_CTL_A_POLICY_TEXT];
	const struct dlp_ctl_attr *base = &req->attr[DLP_CTL_A_POLICY_SHA256];
	const char *reason =
		req->present & (1ULL << DLP_CTL_A_REASON) ? req->attr[DLP_CTL_A_REASON].data : NULL;
	bool dry_run = req->flags & DLP_CTL_FLAG_DRY_RUN;
	struct dlp_prepared *p = NULL;
	struct dlp_ctl_writer w;
	struct diag_buf diag;
	__u32 status = DLP_CTL_S_OK;
	char why[1024];
	int err;

	err = diag_open(&diag);
	if (!err && (req->present & (1ULL << DLP_CTL_A_POLICY_SHA256)) &&
	    memcmp(base->data, d->cur->pol.sha256, sizeof(d->cur->pol.sha256))) {
		/* made from a policy no longer in force: applying it would undo a change */
		snprintf(why, sizeof(why),
			 "the policy in force changed since this one was made from it (now "
			 "generation %u); nothing was changed: read it again",
			 d->cur->low.config.generation);
		dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_BUSY, why);
		diag_free(&diag);
		return dlp_ctl_finish(&w);
	}
	if (!err)
		err = dlp_prepared_build(name->data, text->data, text->len, next_generation(d),
					 d->opt->label_scan, d->opt->nlabel_scan, diag.f, &p);
	if (err == -ENOMEM) {
		status = DLP_CTL_S_INTERNAL;
		snprintf(why, sizeof(why), "out of memory; nothing was changed");
	} else if (err) {
		status = DLP_CTL_S_INVALID;
		snprintf(why, sizeof(why), "%s is not valid on this terminal; nothing was changed",
			 (const char *)name->data);
	} else if (dry_run) {
		snprintf(why, sizeof(why), "%s is valid on this terminal (dry run: not applied)",
			 p->name);
	} else {
		err = apply(d, p, DLP_LOG_POLICY_APPLY, peer->uid, reason, d->opt->policy, why,
			    sizeof(why));
		if (err) {
			status = DLP_CTL_S_INTERNAL;
		} else {
			snprintf(why, sizeof(why), "%s in force as generation %u, saved as %s",
				 p->name, p->low.config.generation, d->opt->policy);
		}
	}
	dlpd_say("policy apply%s: %s", dry_run ? " (dry run)" : "", why);
	dlp_ctl_begin_response(&w, buf, size, req, status, why);
	if (status == DLP_CTL_S_OK) {
		dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_SHA256, p->pol.sha256,
				  sizeof(p->pol.sha256));
		if (!dry_run)
			dlp_ctl_put_u32(&w, DLP_CTL_A_GENERATION, p->low.config.generation);
	}
	put_lines(&w, diag_text(&diag));
	diag_free(&diag);
	if (dry_run)
		dlp_prepared_free(p);
	return dlp_ctl_finish(&w);
}

static int answer_reload(struct daemon *d, const struct ucred *peer, const struct dlp_ctl_msg *req,
			 void *buf, size_t size)
{
	struct dlp_ctl_writer w;
	struct diag_buf diag;
	char why[1024];
	int err;

	err = diag_open(&diag);
	if (!err)
		err = reload(d, peer->uid, diag.f, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "out of memory; nothing was changed");
	if (!err)
		snprintf(why, sizeof(why), "%s read again: in force as generation %u", d->cur->name,
			 d->cur->low.config.generation);
	dlpd_say("reload: %s", why);
	dlp_ctl_begin_response(&w, buf, size, req,
			       !err				? DLP_CTL_S_OK :
			       err == -EINVAL || err == -ENOENT ? DLP_CTL_S_INVALID :
								  DLP_CTL_S_INTERNAL,
			       why);
	if (!err) {
		dlp_ctl_put_str(&w, DLP_CTL_A_POLICY_NAME, d->cur->name);
		dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_SHA256, d->cur->pol.sha256,
				  sizeof(d->cur->pol.sha256));
		dlp_ctl_put_u32(&w, DLP_CTL_A_GENERATION, d->cur->low.config.generation);
	}
	put_lines(&w, diag_text(&diag));
	diag_free(&diag);
	return dlp_ctl_finish(&w);
}

static int answer_policy_show(struct daemon *d, const struct dlp_ctl_msg *req, void *buf,
			      size_t size)
{
	struct dlp_ctl_writer w;
	char text[512];

	if (d->cur->len > LINES_BUDGET) {
		snprintf(text, sizeof(text),
			 "the policy in force (%zu bytes) does not fit in one message: it is %s",
			 d->cur->len, DLPD_IN_FORCE);
		dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_INVALID, text);
		return dlp_ctl_finish(&w);
	}
	snprintf(text, sizeof(text), "%s, generation %u", d->cur->name,
		 d->cur->low.config.generation);
	dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_OK, text);
	dlp_ctl_put_str(&w, DLP_CTL_A_POLICY_NAME, d->cur->name);
	dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_TEXT, d->cur->text, d->cur->len);
	dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_SHA256, d->cur->pol.sha256,
			  sizeof(d->cur->pol.sha256));
	dlp_ctl_put_u64(&w, DLP_CTL_A_LOADED_AT, d->loaded_at > 0 ? d->loaded_at : 0);
	dlp_ctl_put_u32(&w, DLP_CTL_A_GENERATION, d->cur->low.config.generation);
	return dlp_ctl_finish(&w);
}

/* The directory of --label-scan that holds @real (resolved), or NULL. */
static const char *scan_root_of(const struct dlpd_options *opt, const char *real)
{
	char root[PATH_MAX];
	unsigned int i;
	size_t n;

	for (i = 0; i < opt->nlabel_scan; i++) {
		if (!realpath(opt->label_scan[i], root))
			continue;
		n = strlen(root);
		if (!strncmp(real, root, n) && (real[n] == '/' || (n == 1 && root[0] == '/')))
			return opt->label_scan[i];
	}
	return NULL;
}

/*
 * LABEL_SET: write the label attribute ('label xattr') of a file under a
 * --label-scan directory, then apply the policy in force again, so that
 * the label maps have it (on every kernel; 6.12 also reads user.* at open).
 * If that fails the attribute is put back as it was.
 */
static int answer_label_set(struct daemon *d, const struct ucred *peer,
			    const struct dlp_ctl_msg *req, void *buf, size_t size)
{
	const char *path = req->attr[DLP_CTL_A_PATH].data, *name = d->cur->pol.label_xattr;
	const char *reason =
		req->present & (1ULL << DLP_CTL_A_REASON) ? req->attr[DLP_CTL_A_REASON].data : NULL;
	__u8 class = req->attr[DLP_CTL_A_CLASS].num, integ = req->attr[DLP_CTL_A_INTEGRITY].num;
	char real[PATH_MAX], value[64], prev[DLP_LABEL_VALUE_MAX + 1], why[1024], line[8192];
	struct dlp_prepared *p = NULL;
	__u32 status = DLP_CTL_S_INVALID;
	struct dlp_ctl_writer w;
	struct diag_buf diag = { 0 };
	ssize_t plen = -1;
	struct stat st;
	int err = 0;

	snprintf(value, sizeof(value), "%s%s%s", dlp_class_names[class], class && integ ? " " : "",
		 dlp_integrity_names[integ]);
	if (!name)
		snprintf(why, sizeof(why),
			 "the policy in force has no 'label xattr': files are "
			 "labelled by directory and prefix only");
	else if (!realpath(path, real) || stat(real, &st))
		snprintf(why, sizeof(why), "%.700s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(why, sizeof(why), "%.700s: not a regular file", real);
	else if (!scan_root_of(d->opt, real))
		snprintf(why, sizeof(why),
			 "%.700s is not under a directory dlpd reads label attributes from "
			 "(dlpd --label-scan): its label would not reach the kernel's maps",
			 real);
	else
		status = DLP_CTL_S_OK;
	if (status == DLP_CTL_S_OK) {
		plen = getxattr(real, name, prev, sizeof(prev) - 1);
		if (plen < 0 && errno != ENODATA) {
			status = DLP_CTL_S_INTERNAL;
			snprintf(why, sizeof(why), "%.700s: reading %s: %s", real, name,
				 strerror(errno));
		}
	}
	if (status == DLP_CTL_S_OK) {
		prev[plen >= 0 ? plen : 0] = '\0';
		if (value[0] ? setxattr(real, name, value, strlen(value), 0) :
			       (removexattr(real, name) && errno != ENODATA)) {
			status = DLP_CTL_S_INTERNAL;
			snprintf(why, sizeof(why), "%.700s: writing %s: %s", real, name,
				 strerror(errno));
		}
	}
	if (status == DLP_CTL_S_OK) {
		err = diag_open(&diag);
		if (!err)
			err = dlp_prepared_build(d->cur->name, d->cur->text, d->cur->len,
						 next_generation(d), d->opt->label_scan,
						 d->opt->nlabel_scan, diag.f, &p);
		if (err)
			snprintf(why, sizeof(why),
				 "the policy in force cannot be applied again: %s", strerror(-err));
		else if (dlp_label_to_json(real, name, class, integ, plen >= 0 ? prev : NULL,
					   peer->uid, reason, boot_ns(), &d->log_ctx, line,
					   sizeof(line)) >= 0)
			log_line(d, line);
		if (!err) {
			err = apply(d, p, DLP_LOG_POLICY_LABELS, peer->uid, reason, NULL, why,
				    sizeof(why));
		}
		if (err && err != -EIO) {
			status = DLP_CTL_S_INTERNAL;
			/* put the attribute back: the kernel does not have the new one */
			if (plen >= 0)
				setxattr(real, name, prev, plen, 0);
			else
				removexattr(real, name);
		} else {
			snprintf(why, sizeof(why), "%.700s: %s; in force as generation %u", real,
				 value[0] ? value : "no label", d->cur->low.config.generation);
		}
	}
	dlpd_say("label set: %s", why);
	dlp_ctl_begin_response(&w, buf, size, req, status, why);
	if (status == DLP_CTL_S_OK)
		dlp_ctl_put_u32(&w, DLP_CTL_A_GENERATION, d->cur->low.config.generation);
	if (diag.f || diag.text)
		put_lines(&w, diag_text(&diag));
	diag_free(&diag);
	return dlp_ctl_finish(&w);
}

/* LABEL_SHOW: the label the kernel's maps give a file, and where each level comes from. */
static int answer_label_show(struct daemon *d, const struct dlp_ctl_msg *req, void *buf,
			     size_t size)
{
	struct dlp_label_explained *e = calloc(1, sizeof(*e));
	struct dlp_ctl_writer w;
	char text[1024];
	unsigned int i;
	int err;

	if (!e) {
		dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_INTERNAL, "out of memory");
		return dlp_ctl_finish(&w);
	}
	err = dlp_label_explain(&d->cur->pol, &d->cur->tables, req->attr[DLP_CTL_A_PATH].data, e);
	if (err) {
		snprintf(text, sizeof(text), "%.900s: %s",
			 (const char *)req->attr[DLP_CTL_A_PATH].data, strerror(-err));
		dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_INVALID, text);
	} else {
		snprintf(text, sizeof(text), "%.900s: %s%s%s", e->path, dlp_class_names[e->class],
			 e->class && e->integrity ? " " : "", dlp_integrity_names[e->integrity]);
		if (!e->class && !e->integrity)
			snprintf(text, sizeof(text), "%.900s: no label", e->path);
		dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_OK, text);
		dlp_ctl_put_str(&w, DLP_CTL_A_PATH, e->path);
		dlp_ctl_put_u8(&w, DLP_CTL_A_CLASS, e->class);
		dlp_ctl_put_u8(&w, DLP_CTL_A_INTEGRITY, e->integrity);
		for (i = 0; i < e->nwhy; i++)
			dlp_ctl_put_str(&w, DLP_CTL_A_LINE, e->why[i]);
	}
	free(e);
	return dlp_ctl_finish(&w);
}

/* What the control socket asks of dlpd: one decoded request from an allowed peer. */
static int answer(void *ctx, const struct ucred *peer, const struct dlp_ctl_msg *req, void *buf,
		  size_t size)
{
	struct dlp_ctl_writer w;
	char text[128];

	switch (req->command) {
	case DLP_CTL_CMD_STATUS:
		return answer_status(ctx, req, buf, size);
	case DLP_CTL_CMD_DEVICE_LIST:
		return answer_device_list(ctx, req, buf, size);
	case DLP_CTL_CMD_POLICY_APPLY:
		return answer_policy_apply(ctx, peer, req, buf, size);
	case DLP_CTL_CMD_POLICY_SHOW:
		return answer_policy_show(ctx, req, buf, size);
	case DLP_CTL_CMD_RELOAD:
		return answer_reload(ctx, peer, req, buf, size);
	case DLP_CTL_CMD_LABEL_SET:
		return answer_label_set(ctx, peer, req, buf, size);
	case DLP_CTL_CMD_LABEL_SHOW:
		return answer_label_show(ctx, req, buf, size);
	default:
		/*
		 * Every command the decoder accepts is served above.  One it
		 * accepts and this switch misses is answered status 2, what a
		 * server that does not serve a command answers: never a
		 * silent success.
		 */
		snprintf(text, sizeof(text), "%s: not served by this dlpd",
			 dlp_ctl_cmd_name(req->command));
		dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_UNKNOWN_COMMAND, text);
		return dlp_ctl_finish(&w);
	}
}

/* ---- start and stop ------------------------------------------------------------------- */

static int load_fresh(struct daemon *d, struct dlp_prepared *p)
{
	const struct dlpd_options *opt = d->opt;
	char pin[PATH_MAX];
	int err, cgroup_fd;

	d->cur = p;  /* freed with the daemon, whatever happens */
	d->slot = 0; /* new maps: dlp_slot reads 0 */
	set_log_policies(d);
	err = dlp_pins_remove(opt->pins);
	if (err > 0)
		dlpd_say("%s: removed %d pins left without programs", opt->pins, err);
	err = dlp_loader_open(&d->loader, p->pol.label_xattr);
	if (err) {
		dlpd_say("loading the BPF programs: %s", d->loader.error);
		return err;
	}
	err = dlp_loader_fds(&d->loader, &d->fds);
	if (!err)
		err = dlp_prepared_fill(p, &d->fds, d->slot);
	if (err) {
		dlpd_say("writing the policy into the kernel: %s", strerror(-err));
		return err;
	}
	err = dlp_devices_enumerate(d->devs, device_cb, d);
	if (err) {
		dlpd_say("listing block devices: %s", strerror(-err));
		return err;
	}
	err = dlp_loader_attach_lsm(&d->loader);
	if (!err) {
		cgroup_fd = open(opt->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		err = cgroup_fd < 0 ? -errno : dlp_loader_attach_cgroup(&d->loader, cgroup_fd);
		if (cgroup_fd >= 0)
			close(cgroup_fd);
	}
	if (err) {
		dlpd_say("attaching the programs: %s",
			 d->loader.error[0] ? d->loader.error : strerror(-err));
		return err;
	}
	err = dlp_pins_save(&d->loader, opt->pins, pin);
	if (err) {
		dlpd_say("%s: pinning the programs and maps: %s", pin, strerror(-err));
		return err;
	}
	d->loaded_at = time(NULL);
	keep_in_force(p);
	log_policy(d, DLP_LOG_POLICY_START, -1, NULL);
	dlpd_say("enforcing %s (%u rules), %u programs attached and pinned in %s", p->name,
		 p->pol.nrules, d->loader.nlinks, opt->pins);
	return 0;
}

/*
 * The copy of the policy the kernel enforces (DLPD_IN_FORCE), if it is the
 * one: its SHA-256 is the one in the kernel's config.
 */
static struct dlp_prepared *known_in_force(const struct dlpd_options *opt,
					   const struct dlp_config *kcfg)
{
	struct dlp_prepared *p = NULL;
	char why[512];
	size_t len;
	char *text;

	if (dlp_prepared_read(DLPD_IN_FORCE, &text, &len, why, sizeof(why))) {
		dlpd_say("%s", why);
		return NULL;
	}
	if (dlp_prepared_build(DLPD_IN_FORCE, text, len, kcfg->generation, opt->label_scan,
			       opt->nlabel_scan, stderr, &p))
		p = NULL;
	free(text);
	if (p && memcmp(p->pol.sha256, kcfg->policy_sha256, sizeof(p->pol.sha256))) {
		dlpd_say("%s is not the policy the kernel enforces", DLPD_IN_FORCE);
		dlp_prepared_free(p);
		p = NULL;
	}
	return p;
}

/*
 * Programs are pinned: a dlpd ran before.  The kernel goes on with the
 * policy it has; dlpd takes that policy's copy for the log's names, then
 * puts its own policy file in force if it differs (or if the copy is gone).
 * @want: the policy file, prepared; NULL if it is not valid (the policy in
 *        force then stays).  Taken over.
 */
static int adopt(struct daemon *d, struct dlp_prepared *want)
{
	const struct dlpd_options *opt = d->opt;
	struct dlp_config kcfg;
	char why[1024];
	struct stat st;
	int err;

	err = dlp_pins_open(opt->pins, &d->fds);
	if (err) {
		dlpd_say("%s: opening the pinned maps: %s (pinned by another version of dlpd? "
			 "'dlpd --unload' ends that enforcement)",
			 opt->pins, strerror(-err));
		dlp_prepared_free(want);
		return err;
	}
	d->adopted = true;
	err = dlp_slot_active(&d->fds, &d->slot);
	if (!err && bpf_map_lookup_elem(d->fds.config, &d->slot, &kcfg))
		err = -errno;
	if (!err && kcfg.abi_version != DLP_ABI_VERSION)
		err = -EPROTO;
	if (err) {
		dlpd_say("%s: the pinned policy cannot be read by this dlpd: %s ('dlpd --unload' "
			 "ends that enforcement)",
			 opt->pins, strerror(-err));
		dlp_prepared_free(want);
		return err;
	}
	if (!stat(DLPD_IN_FORCE, &st))
		d->loaded_at = st.st_mtime;
	d->cur = known_in_force(opt, &kcfg);
	set_log_policies(d);
	if (!d->cur)
		dlpd_say("no copy of the policy in force (generation %u): its records are logged "
			 "without rule names",
			 kcfg.generation);
	dlpd_say("programs found pinned in %s: enforcement went on; reading its records",
		 opt->pins);
	if (want && d->cur &&
	    !memcmp(want->pol.sha256, d->cur->pol.sha256, sizeof(want->pol.sha256))) {
		/* the same policy: keep its name, and judge devices plugged in meanwhile */
		snprintf(d->cur->name, sizeof(d->cur->name), "%s", want->name);
		dlp_prepared_free(want);
		log_policy(d, DLP_LOG_POLICY_ADOPT, -1, NULL);
		err = dlp_devices_enumerate(d->devs, device_cb, d);
		if (err)
			dlpd_say("listing block devices: %s", strerror(-err));
		return 0;
	}
	if (want) {
		/* prepared before the kernel's generation was known */
		want->low.config.generation = kcfg.generation + 1;
		dlpd_say("%s differs from the policy in force: applying it", want->name);
		err = apply(d, want, DLP_LOG_POLICY_APPLY, -1, NULL, NULL, why, sizeof(why));
		if (!err || err == -EIO)
			return 0; /* devices judged by apply() */
		dlpd_say("%s", why);
	}
	if (!d->cur) {
		dlpd_say("the kernel enforces a policy dlpd has no copy of, and %s could not be "
			 "put in force; enforcement goes on without a log",
			 opt->policy);
		return -ENOENT;
	}
	log_policy(d, DLP_LOG_POLICY_ADOPT, -1, NULL);
	err = dlp_devices_enumerate(d->devs, device_cb, d);
	if (err)
		dlpd_say("listing block devices: %s", strerror(-err));
	return 0;
}

static int open_events(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t mask;
	int err;

	d->rb = ring_buffer__new(d->fds.events, on_record, d, NULL);
	if (!d->rb)
		return -errno;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->epfd < 0)
		return -errno;
	ev.data.fd = d->sigfd;
	err = epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sigfd, &ev);
	ev.data.fd = ring_buffer__epoll_fd(d->rb);
	err = err ?: epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	ev.data.fd = dlp_devices_fd(d->devs);
	err = err ?: epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	if (d->kmod.fd >= 0) {
		ev.data.fd = d->kmod.fd;
		err = err ?: epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	}
	return err ? -errno : 0;
}

/* Use dlpguard.ko if it is loaded; enforcement does not depend on it. */
static void kmod_start(struct daemon *d)
{
	int err = dlp_kmod_open(&d->kmod);

	if (err == -ENOENT) {
		dlpd_say("dlpguard.ko is not loaded: removable disks are guarded by the BPF "
			 "programs alone");
		return;
	}
	if (err) {
		dlpd_say("%s: %s: the module is not used", DLPGUARD_DEVICE,
			 err == -EPROTO ? "another version of the interface" : strerror(-err));
		return;
	}
	dlpd_say("dlpguard.ko %s: removable disks are read-only from attach unless the "
		 "ledger lets them be written",
		 d->kmod.version);
	kmod_sync(d);
}

/*
 * What dlpguard.ko reports: a "guard" line in the decision log each, and said on stderr.
 * The module holds an event until it is acknowledged, once its line is written: a dlpd
 * killed in between leaves it to the next one, which does not write it again if its line
 * is the log's last (dlp_log_has_guard()).
 */
static void kmod_events(struct daemon *d)
{
	static const char *const types[] = { "?", "attached", "detached", "released",
					     "guarded again" };
	struct dlpguard_event e;
	char line[2048];
	int err;

	while (!dlp_kmod_read_event(&d->kmod, &e)) {
		if (dlp_log_has_guard(d->log, &e))
			dlpd_say("the first dlpguard.ko event is the log's last line already (a "
				 "dlpd was stopped after writing it, before acknowledging it): not "
				 "written again");
		else if (dlp_guard_to_json(&e, &d->log_ctx, line, sizeof(line)) >= 0)
			log_line(d, line);
		err = dlp_kmod_ack(&d->kmod, e.seq);
		if (err)
			dlpd_say("dlpguard.ko: acknowledging event %llu: %s (the next dlpd reads "
				 "it again)",
				 (unsigned long long)e.seq, strerror(-err));
		e.name[sizeof(e.name) - 1] = '\0';
		e.serial[sizeof(e.serial) - 1] = '\0';
		if (e.lost)
			dlpd_say("dlpguard.ko: %u events lost", e.lost);
		dlpd_say("dlpguard.ko: %s %s (%s %04x:%04x %s): %s", e.name,
			 e.type < 5 ? types[e.type] : "?",
			 e.bus == DLPGUARD_BUS_USB ? "usb" :
			 e.bus == DLPGUARD_BUS_MMC ? "mmc" :
						     "no bus",
			 e.vendor, e.product, e.serial[0] ? e.serial : "no serial",
			 e.flags & DLPGUARD_EVF_READ_ONLY ? "read-only" : "writable");
	}
}

static int loop(struct daemon *d)
{
	struct epoll_event evs[8];
	struct signalfd_siginfo si;
	char why[1024];
	int n, i, got;

	for (;;) {
		n = epoll_wait(d->epfd, evs, 8, 1000);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == d->sigfd) {
				if (read(d->sigfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					if (reload(d, -1, stderr, why, sizeof(why)))
						dlpd_say("SIGHUP: %s", why);
					continue;
				}
				dlpd_say("%s: stopping; the programs stay attached (pinned in %s)",
					 strsignal(si.ssi_signo), d->opt->pins);
				return 0;
			}
			if (evs[i].data.fd == dlp_devices_fd(d->devs)) {
				dlp_devices_receive(d->devs, device_cb, d);
				continue;
			}
			if (evs[i].data.fd == d->kmod.fd) {
				kmod_events(d);
				continue;
			}
			dlpd_control_event(&d->control, evs[i].data.fd, evs[i].events);
		}
		dlpd_control_tick(&d->control);
		if (dlp_kmod_due(&d->kmod, time(NULL)))
			kmod_sync(d); /* an allowed medium's last day is over */
		/* Records, in batches, whether or not the ring buffer woke us. */
		do {
			got = ring_buffer__consume(d->rb);
		} while (got >= BATCH_MAX);
		end_batch(d);
	}
}

/**
 * dlpd_run() - start enforcing (or take over pinned enforcement) and serve
 * @opt: the options
 *
 * Return: 0 after SIGTERM or SIGINT; 1 when the policy is invalid or
 * enforcement could not start (said on stderr).
 */
int dlpd_run(const struct dlpd_options *opt)
{
	struct daemon d = {
		.opt = opt, .sigfd = -1, .epfd = -1, .control = { .fd = -1 }, .kmod = { .fd = -1 }
	};
	struct dlp_prepared *want = NULL;
	int err, links, status = 1;
	char why[512];
	size_t len;
	char *text;

	d.judged = calloc(JUDGED_MAX, sizeof(*d.judged));
	if (!d.judged) {
		dlpd_say("out of memory");
		return 1;
	}
	links = dlp_pins_links(opt->pins);
	if (links < 0) {
		dlpd_say("%s: %s", opt->pins, strerror(-links));
		goto out_judged;
	}
	/*
	 * Everything the policy file needs is checked before the kernel is
	 * touched.  Found pinned, a policy that fails leaves the one in force.
	 */
	err = dlp_prepared_read(opt->policy, &text, &len, why, sizeof(why));
	if (err) {
		dlpd_say("%s", why);
	} else {
		/* found pinned, adopt() gives it the generation after the kernel's */
		err = dlp_prepared_build(opt->policy, text, len, 1, opt->label_scan,
					 opt->nlabel_scan, stderr, &want);
		free(text);
	}
	if (err)
		dlpd_say("%s: the policy is not valid on this terminal; %s", opt->policy,
			 links ? "the policy in force stays" : "nothing was changed");
	if (err && !links)
		goto out_judged;
	d.log = dlp_log_open(opt->log, &err);
	if (!d.log) {
		dlpd_say("%s: opening the decision log: %s", opt->log, strerror(-err));
		goto out_want;
	}
	if (dlp_log_torn(d.log))
		dlpd_say("%s: the last line is cut short (a dlpd stopped while writing it): it "
			 "stays as it is, and the next line starts on a line of its own",
			 opt->log);
	d.devs = dlp_devices_open();
	if (!d.devs) {
		dlpd_say("watching block devices with udev: %s", strerror(errno));
		goto out_log;
	}
	d.log_ctx.device = judged_device_of;
	d.log_ctx.device_arg = &d;
	/* Before the devices are judged: their attach lines need the clocks. */
	err = dlp_log_clock_sync(&d.log_ctx);
	if (err)
		dlpd_say("reading the clocks: %s; log times may be off", strerror(-err));
	err = links ? adopt(&d, want) : load_fresh(&d, want);
	want = NULL; /* d.cur, or freed */
	if (err)
		goto out_unload;
	/* losses made while no dlpd ran are past what the last one logged */
	d.lost_seen = lost_logged(&d);
	d.lost_start = lost_total(&d);
	kmod_start(&d);
	err = open_events(&d);
	if (err) {
		dlpd_say("setting up the event loop: %s", strerror(-err));
		goto out_loop;
	}
	/*
	 * Without the control socket dlpd still enforces and logs: only dlpctl
	 * cannot reach it.  Said on stderr by dlpd_control_open().
	 */
	dlpd_control_open(&d.control, DLP_CTL_SOCKET_PATH, d.epfd, answer, &d);
	sd_notify(0, "READY=1");
	err = loop(&d);
	sd_notify(0, "STOPPING=1");
	ring_buffer__consume(d.rb);
	end_batch(&d);
	status = err || d.write_err ? 1 : 0;
	dlpd_say("%lu decision records written to %s", d.records, opt->log);
out_loop:
	dlpd_control_close(&d.control);
	dlp_kmod_close(&d.kmod);
	ring_buffer__free(d.rb);
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.sigfd >= 0)
		close(d.sigfd);
out_unload:
	/* Closing the loader's fds leaves what is pinned attached, and detaches what is not. */
	dlp_loader_destroy(&d.loader);
	if (d.adopted)
		dlp_pins_close(&d.fds);
	dlp_prepared_free(d.prev);
	if (d.cur != want)
		dlp_prepared_free(d.cur);
	dlp_devices_close(d.devs);
out_log:
	dlp_log_close(d.log);
out_want:
	dlp_prepared_free(want);
out_judged:
	free(d.judged);
	return status;
}

/**
 * dlpd_unload() - end enforcement: remove every pin
 * @opt: the options (the pin directory)
 *
 * A running dlpd keeps its own programs attached until it stops.
 *
 * Return: 0, or 1 (said on stderr).
 */
int dlpd_unload(const struct dlpd_options *opt)
{
	int n = dlp_pins_remove(opt->pins);

	if (n < 0) {
		dlpd_say("%s: removing the pins: %s", opt->pins, strerror(-n));
		return 1;
	}
	if (!n)
		dlpd_say("%s: nothing pinned", opt->pins);
	else
		dlpd_say("%s: %d pins removed; the programs are detached once no dlpd holds them",
			 opt->pins, n);
	unlink(DLPD_IN_FORCE);
	return 0;
}
