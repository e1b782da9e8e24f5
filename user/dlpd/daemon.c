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
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>

#include <dlpguard/event.h>
#include <dlpguard/media.h>

#include "control.h"
#include "devices.h"
#include "dlpd.h"
#include "event_log.h"
#include "label_map.h"
#include "pins.h"

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
};

struct daemon {
	const struct dlpd_options *opt;
	struct dlp_policy pol; /* in force: names for the log */
	struct dlp_lowered low;
	struct dlp_loader loader; /* the objects, when this dlpd loaded them */
	struct dlp_loader_fds fds;
	bool adopted;		 /* found pinned */
	const char *policy_name; /* the file the policy in force was read from */
	time_t loaded_at;	 /* when the policy in force was put in the kernel */
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

/* ---- the policy ----------------------------------------------------------------------- */

/*
 * Load, compile and lower @path, and place its labels: everything that can
 * fail for the policy's sake, done before the kernel is touched.
 */
static int prepare_policy(const char *path, struct dlp_policy *pol, struct dlp_lowered *low,
			  struct dlp_label_tables *tables)
{
	struct dlp_diag diag;
	int err;

	dlp_policy_init(pol);
	dlp_diag_init(&diag, path, stderr);
	err = dlp_policy_load(pol, path, &diag);
	if (err) {
		dlpd_say("%s: the policy is not valid; nothing was changed", path);
		return err;
	}
	err = dlp_policy_lower(pol, &dlp_resolver_system, 1, low, &diag);
	if (!err)
		err = dlp_label_tables_build(pol, low, tables, &diag);
	if (err) {
		dlpd_say("%s: the policy cannot be applied on this terminal; nothing was changed",
			 path);
		dlp_lowered_free(low);
		dlp_policy_free(pol);
	}
	return err;
}

/* Keep a copy of the policy in force, for a dlpd started while the pins are kept. */
static int save_in_force(const char *path)
{
	char tmp[] = DLPD_IN_FORCE ".XXXXXX", buf[65536];
	int in, out, err = 0;
	ssize_t n;

	if (mkdir(DLPD_RUN_DIR, 0750) && errno != EEXIST)
		return -errno;
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = mkstemp(tmp);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			err = -EIO;
			break;
		}
	if (n < 0)
		err = -errno;
	if (!err && fsync(out))
		err = -errno;
	close(in);
	close(out);
	if (!err && rename(tmp, DLPD_IN_FORCE))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
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
}

static void log_line(struct daemon *d, const char *line);

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
		err = dlp_media_map_remove(d->fds.media, dev->dev);
		if (err && err != -ENOENT)
			dlpd_say("%s: removing it from the device map: %s", dev->devnode,
				 strerror(-err));
		judged_update(d, action, dev, NULL, -1);
		return;
	}
	if (ident_err)
		dlpd_say("%s: identifying it: %s (judged as unregistered media)", dev->devnode,
			 strerror(-ident_err));
	err = dlp_device_verdict(&d->pol, dev, time(NULL), &v, &ledger);
	if (!err)
		err = dlp_media_map_set(d->fds.media, dev, &v);
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

static void log_line(struct daemon *d, const char *line)
{
	int err = dlp_log_write(d->log, line);

	if (err && !d->write_err) {
		d->write_err = err;
		dlpd_say("%s: writing the decision log: %s", d->opt->log, strerror(-err));
	}
	if (d->opt->foreground)
		fprintf(stderr, "%s\n", line);
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

/* After a batch: say how many records were lost since the last time, and sync the log. */
static void end_batch(struct daemon *d)
{
	__u64 lost = lost_total(d);
	char line[512];

	if (lost > d->lost_seen) {
		if (dlp_lost_to_json(lost - d->lost_seen, boot_ns(), &d->log_ctx, line,
				     sizeof(line)) >= 0)
			log_line(d, line);
		d->lost_seen = lost;
	}
	dlp_log_sync(d->log);
}

/* ---- the control socket --------------------------------------------------------------- */

static int answer_status(struct daemon *d, const struct dlp_ctl_msg *req, void *buf, size_t size)
{
	int links = dlp_pins_links(d->opt->pins);
	struct dlp_ctl_writer w;
	char text[256];

	snprintf(text, sizeof(text), "%s; programs %s; policy generation %u; %d links pinned",
		 links > 0 ? "enforcing" : "not enforcing",
		 d->adopted ? "taken over from the pins" : "loaded by this dlpd",
		 d->low.config.generation, links > 0 ? links : 0);
	dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_OK, text);
	dlp_ctl_put_u8(&w, DLP_CTL_A_MODE, d->pol.mode);
	dlp_ctl_put_str(&w, DLP_CTL_A_TIER, dlp_tier_names[d->pol.tier]);
	dlp_ctl_put_str(&w, DLP_CTL_A_POLICY_NAME, d->policy_name);
	dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_SHA256, d->pol.sha256, sizeof(d->pol.sha256));
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
	const struct dlp_media *e = j->ledger >= 0 ? &d->pol.media[j->ledger] : NULL;
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

/* What the control socket asks of dlpd: one decoded request from an allowed peer. */
static int answer(void *ctx, const struct dlp_ctl_msg *req, void *buf, size_t size)
{
	struct dlp_ctl_writer w;
	char text[128];

	switch (req->command) {
	case DLP_CTL_CMD_STATUS:
		return answer_status(ctx, req, buf, size);
	case DLP_CTL_CMD_DEVICE_LIST:
		return answer_device_list(ctx, req, buf, size);
	default:
		/* Status 2 is what a server that does not serve a command answers. */
		snprintf(text, sizeof(text), "%s: not available yet in this dlpd",
			 dlp_ctl_cmd_name(req->command));
		dlp_ctl_begin_response(&w, buf, size, req, DLP_CTL_S_UNKNOWN_COMMAND, text);
		return dlp_ctl_finish(&w);
	}
}

/* ---- start and stop ------------------------------------------------------------------- */

static int load_fresh(struct daemon *d, const struct dlp_label_tables *tables)
{
	const struct dlpd_options *opt = d->opt;
	char pin[PATH_MAX];
	int err, cgroup_fd;

	err = dlp_pins_remove(opt->pins);
	if (err > 0)
		dlpd_say("%s: removed %d pins left without programs", opt->pins, err);
	err = dlp_loader_open(&d->loader, d->pol.label_xattr);
	if (err) {
		dlpd_say("loading the BPF programs: %s", d->loader.error);
		return err;
	}
	err = dlp_loader_fds(&d->loader, &d->fds);
	if (!err)
		err = dlp_policy_maps_fill(&d->low, &d->pol, d->fds.config, d->fds.rules,
					   d->fds.zones);
	if (!err)
		err = dlp_label_map_fill(tables, &d->fds.labels);
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
	d->policy_name = opt->policy;
	d->loaded_at = time(NULL);
	err = save_in_force(opt->policy);
	if (err)
		dlpd_say("%s: keeping a copy of the policy in force: %s", DLPD_IN_FORCE,
			 strerror(-err));
	dlpd_say("enforcing %s (%u rules), %u programs attached and pinned in %s", opt->policy,
		 d->pol.nrules, d->loader.nlinks, opt->pins);
	return 0;
}

/*
 * Programs are pinned: a dlpd ran before.  The kernel keeps the policy it
 * has; dlpd takes that policy's copy for the log's names.
 */
static int adopt(struct daemon *d, struct dlp_label_tables *tables)
{
	const struct dlpd_options *opt = d->opt;
	struct dlp_policy in_force;
	struct dlp_lowered low;
	struct stat st;
	int err;

	err = dlp_pins_open(opt->pins, &d->fds);
	if (err) {
		dlpd_say("%s: opening the pinned maps: %s", opt->pins, strerror(-err));
		return err;
	}
	d->adopted = true;
	d->policy_name = opt->policy;
	/* save_in_force() wrote the copy when the policy was put in the kernel */
	if (!stat(DLPD_IN_FORCE, &st))
		d->loaded_at = st.st_mtime;
	if (!prepare_policy(DLPD_IN_FORCE, &in_force, &low, tables)) {
		if (memcmp(in_force.sha256, d->pol.sha256, sizeof(in_force.sha256))) {
			d->policy_name = DLPD_IN_FORCE;
			dlpd_say("%s differs from the policy in force; switching policies while "
				 "the programs are pinned is not available yet: run 'dlpd "
				 "--unload' and start dlpd again to apply it",
				 opt->policy);
		}
		dlp_lowered_free(&d->low);
		dlp_policy_free(&d->pol);
		d->pol = in_force;
		d->low = low;
	} else {
		dlpd_say("%s: no usable copy of the policy in force; the log names rules "
			 "from %s",
			 DLPD_IN_FORCE, opt->policy);
	}
	err = dlp_devices_enumerate(d->devs, device_cb, d);
	if (err)
		dlpd_say("listing block devices: %s", strerror(-err));
	dlpd_say("programs found pinned in %s: enforcement went on; reading its records",
		 opt->pins);
	return err;
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
	return err ? -errno : 0;
}

/*
 * SIGHUP: the policy file is validated; switching the kernel to it while it
 * enforces needs both policies side by side in the maps, which this version
 * does not have yet.
 */
static void reload(struct daemon *d)
{
	struct dlp_label_tables *tables = calloc(1, sizeof(*tables));
	struct dlp_policy pol;
	struct dlp_lowered low;

	if (!tables) {
		dlpd_say("SIGHUP: out of memory");
		return;
	}
	if (!prepare_policy(d->opt->policy, &pol, &low, tables)) {
		dlpd_say("SIGHUP: %s is valid%s; switching policies while enforcing is not "
			 "available yet: run 'dlpd --unload' and start dlpd again to apply it",
			 d->opt->policy,
			 memcmp(pol.sha256, d->pol.sha256, sizeof(pol.sha256)) ?
				 "" :
				 " and already in force");
		dlp_lowered_free(&low);
		dlp_policy_free(&pol);
	}
	free(tables);
}

static int loop(struct daemon *d)
{
	struct epoll_event evs[8];
	struct signalfd_siginfo si;
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
					reload(d);
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
			dlpd_control_event(&d->control, evs[i].data.fd, evs[i].events);
		}
		dlpd_control_tick(&d->control);
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
	struct dlp_label_tables *tables = calloc(1, sizeof(*tables));
	struct daemon d = { .opt = opt, .sigfd = -1, .epfd = -1, .control = { .fd = -1 } };
	int err, links, status = 1;

	d.judged = calloc(JUDGED_MAX, sizeof(*d.judged));
	if (!tables || !d.judged) {
		dlpd_say("out of memory");
		goto out_tables;
	}
	if (prepare_policy(opt->policy, &d.pol, &d.low, tables))
		goto out_tables;
	d.log = dlp_log_open(opt->log, &err);
	if (!d.log) {
		dlpd_say("%s: opening the decision log: %s", opt->log, strerror(-err));
		goto out_policy;
	}
	d.devs = dlp_devices_open();
	if (!d.devs) {
		dlpd_say("watching block devices with udev: %s", strerror(errno));
		goto out_log;
	}
	links = dlp_pins_links(opt->pins);
	if (links < 0) {
		dlpd_say("%s: %s", opt->pins, strerror(-links));
		goto out_devices;
	}
	/* Before the devices are judged: their attach lines need the clocks and the ledger. */
	d.log_ctx.policies[0].policy = &d.pol;
	err = dlp_log_clock_sync(&d.log_ctx);
	if (err)
		dlpd_say("reading the clocks: %s; log times may be off", strerror(-err));
	err = links ? adopt(&d, tables) : load_fresh(&d, tables);
	if (err && !d.adopted)
		goto out_unload;
	d.log_ctx.policies[0].generation = d.low.config.generation;
	d.lost_seen = lost_total(&d);
	d.lost_start = d.lost_seen;
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
out_devices:
	dlp_devices_close(d.devs);
out_log:
	dlp_log_close(d.log);
out_policy:
	dlp_lowered_free(&d.low);
	dlp_policy_free(&d.pol);
out_tables:
	free(d.judged);
	free(tables);
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
