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
 * Stop.  SIGTERM and SIGINT end the loop; the pins keep the programs
 * attached and the maps filled.  `dlpd --unload` removes them.
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

#include "devices.h"
#include "dlpd.h"
#include "event_log.h"
#include "label_map.h"
#include "pins.h"

/* Records read between two syncs of the log and two reads of the lost counter. */
#define BATCH_MAX 256

struct daemon {
	const struct dlpd_options *opt;
	struct dlp_policy pol; /* in force: names for the log */
	struct dlp_lowered low;
	struct dlp_loader loader; /* the objects, when this dlpd loaded them */
	struct dlp_loader_fds fds;
	bool adopted; /* found pinned */
	struct ring_buffer *rb;
	struct dlp_devices *devs;
	struct dlp_log *log;
	struct dlp_log_ctx log_ctx;
	int sigfd;
	int epfd;
	__u64 lost_seen; /* DLP_STAT_LOST when last logged */
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

static void judge_device(struct daemon *d, enum dlp_device_action action,
			 const struct dlp_device *dev, int ident_err)
{
	struct dlp_media_dev v;
	int ledger = -1, err;

	if (action == DLP_DEVICE_REMOVE) {
		err = dlp_media_map_remove(d->fds.media, dev->dev);
		if (err && err != -ENOENT)
			dlpd_say("%s: removing it from the device map: %s", dev->devnode,
				 strerror(-err));
		return;
	}
	if (ident_err)
		dlpd_say("%s: identifying it: %s (judged as unregistered media)", dev->devnode,
			 strerror(-ident_err));
	err = dlp_device_verdict(&d->pol, dev, time(NULL), &v, &ledger);
	if (!err)
		err = dlp_media_map_set(d->fds.media, dev, &v);
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
	int err;

	err = dlp_pins_open(opt->pins, &d->fds);
	if (err) {
		dlpd_say("%s: opening the pinned maps: %s", opt->pins, strerror(-err));
		return err;
	}
	d->adopted = true;
	if (!prepare_policy(DLPD_IN_FORCE, &in_force, &low, tables)) {
		if (memcmp(in_force.sha256, d->pol.sha256, sizeof(in_force.sha256)))
			dlpd_say("%s differs from the policy in force; switching policies while "
				 "the programs are pinned is not available yet: run 'dlpd "
				 "--unload' and start dlpd again to apply it",
				 opt->policy);
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
	struct epoll_event evs[4];
	struct signalfd_siginfo si;
	int n, i, got;

	for (;;) {
		n = epoll_wait(d->epfd, evs, 4, 1000);
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
		}
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
	struct daemon d = { .opt = opt, .sigfd = -1, .epfd = -1 };
	int err, links, status = 1;

	if (!tables) {
		dlpd_say("out of memory");
		return 1;
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
	err = links ? adopt(&d, tables) : load_fresh(&d, tables);
	if (err && !d.adopted)
		goto out_unload;
	d.log_ctx.policies[0].policy = &d.pol;
	d.log_ctx.policies[0].generation = d.low.config.generation;
	err = dlp_log_clock_sync(&d.log_ctx);
	if (err)
		dlpd_say("reading the clocks: %s; log times may be off", strerror(-err));
	d.lost_seen = lost_total(&d);
	err = open_events(&d);
	if (err) {
		dlpd_say("setting up the event loop: %s", strerror(-err));
		goto out_loop;
	}
	sd_notify(0, "READY=1");
	err = loop(&d);
	sd_notify(0, "STOPPING=1");
	ring_buffer__consume(d.rb);
	end_batch(&d);
	status = err || d.write_err ? 1 : 0;
	dlpd_say("%lu decision records written to %s", d.records, opt->log);
out_loop:
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
