// SPDX-License-Identifier: GPL-2.0
/*
 * The dlpctl commands that ask dlpd over its control socket
 * (docs/protocol.md): `status`, `device list`, `policy apply`, `policy
 * reload` and the policy in force for `policy show`.  Each connects, sends one
 * request (several for a long device list), checks the answer, and prints
 * it as a table or, with --json, as one JSON object whose keys stay the same
 * from release to release (absent values are null).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dlpctl.h"
#include "policy.h"

/* How long dlpctl waits for dlpd's answer: dlpd answers from memory, at once. */
#define CALL_TIMEOUT_MS 5000

/* --json and --socket PATH, the options of every command here. */
static int parse_options(const char *cmd, int argc, char **argv, bool *json, const char **sock)
{
	int i;

	*json = false;
	*sock = DLP_CTL_SOCKET_PATH;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			*json = true;
		else if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			*sock = argv[++i];
		else
			return dlpctl_usage_error("%s: unexpected '%s'; expected [--json] "
						  "[--socket PATH]",
						  cmd, argv[i]);
	}
	return EXIT_OK;
}

/**
 * dlpctl_exit_for_errno() - the exit status for a failure to reach dlpd
 * @err: -errno from dlp_ctl_connect() or dlp_ctl_call()
 *
 * Return: EXIT_DENIED when the socket's directory or the socket refused the
 * caller (not root, not in group dlpadm), else EXIT_UNREACHABLE.
 */
int dlpctl_exit_for_errno(int err)
{
	return err == -EACCES || err == -EPERM ? EXIT_DENIED : EXIT_UNREACHABLE;
}

/**
 * dlpctl_exit_for_status() - the exit status for dlpd's answer
 * @status: the STATUS of a response, enum dlp_ctl_status
 *
 * Return: EXIT_OK, EXIT_DENIED for DLP_CTL_S_PERMISSION, else EXIT_REFUSED.
 */
int dlpctl_exit_for_status(__u32 status)
{
	if (status == DLP_CTL_S_OK)
		return EXIT_OK;
	return status == DLP_CTL_S_PERMISSION ? EXIT_DENIED : EXIT_REFUSED;
}

static int say_errno(const char *sock, int err)
{
	switch (err) {
	case -ENOENT:
	case -ECONNREFUSED:
		fprintf(stderr, "dlpctl: %s: dlpd is not running (%s)\n", sock, strerror(-err));
		break;
	case -EACCES:
	case -EPERM:
		fprintf(stderr,
			"dlpctl: %s: permission denied: only root and members of group " DLP_CTL_ADMIN_GROUP
			" may talk to dlpd\n",
			sock);
		break;
	case -ETIMEDOUT:
		fprintf(stderr, "dlpctl: %s: dlpd did not answer within %d s\n", sock,
			CALL_TIMEOUT_MS / 1000);
		break;
	case -ECONNRESET:
	case -EPIPE:
		fprintf(stderr,
			"dlpctl: %s: dlpd closed the connection without answering "
			"(too many connections?)\n",
			sock);
		break;
	default:
		fprintf(stderr, "dlpctl: %s: talking to dlpd: %s\n", sock, strerror(-err));
	}
	return dlpctl_exit_for_errno(err);
}

/* The LINE attributes of an answer (the compiler's messages), one per line. */
static void print_lines(FILE *out, const struct dlp_ctl_msg *msg)
{
	struct dlp_ctl_attr a;
	size_t off = 0;

	while (dlp_ctl_attr_next(msg->payload, msg->payload_len, &off, &a))
		if (a.type == DLP_CTL_A_LINE)
			fprintf(out, "%s\n", (const char *)a.data);
}

/*
 * Send @req (@len bytes) on @fd and decode the answer into @msg, whose
 * strings point into @resp (DLP_CTL_MSG_MAX bytes).  Says what went wrong.
 */
static int ask(int fd, const char *sock, const void *req, int len, unsigned char *resp,
	       struct dlp_ctl_msg *msg)
{
	__u16 command = len >= DLP_CTL_HDR_SIZE ? ((const unsigned char *)req)[6] |
							  ((const unsigned char *)req)[7] << 8 :
						  0;
	int n, fault;

	if (len < 0) {
		fprintf(stderr, "dlpctl: building the request: %s\n", strerror(-len));
		return EXIT_INVALID;
	}
	n = dlp_ctl_call(fd, req, len, resp, DLP_CTL_MSG_MAX, CALL_TIMEOUT_MS);
	if (n < 0)
		return say_errno(sock, n);
	fault = dlp_ctl_decode(resp, n, msg);
	if (fault || !msg->response || msg->command != command) {
		fprintf(stderr, "dlpctl: %s: dlpd's answer is not one dlpctl understands: %s\n",
			sock, fault ? dlp_ctl_fault_str(-fault) : "not the answer to the request");
		return EXIT_REFUSED;
	}
	if (msg->status != DLP_CTL_S_OK) {
		fprintf(stderr, "dlpctl: dlpd: %s\n", msg->message);
		print_lines(stderr, msg);
		return dlpctl_exit_for_status(msg->status);
	}
	return EXIT_OK;
}

static int connect_dlpd(const char *sock, int *ret_fd)
{
	int fd = dlp_ctl_connect(sock);

	if (fd < 0)
		return say_errno(sock, fd);
	*ret_fd = fd;
	return EXIT_OK;
}

/**
 * dlpctl_call() - one request to dlpd, on a connection of its own
 * @sock: dlpd's socket
 * @req:  the request, as an encoder built it
 * @len:  its length, or the encoder's -errno
 * @resp: DLP_CTL_MSG_MAX bytes for the answer, which @msg points into
 * @msg:  the answer, decoded
 *
 * An answer other than OK is said on stderr with its LINEs.
 *
 * Return: an exit status (dlpctl.h).
 */
int dlpctl_call(const char *sock, const void *req, int len, unsigned char *resp,
		struct dlp_ctl_msg *msg)
{
	int fd = -1, status;

	status = connect_dlpd(sock, &fd);
	if (status)
		return status;
	status = ask(fd, sock, req, len, resp, msg);
	close(fd);
	return status;
}

/* ---- what the answers say ------------------------------------------------------------- */

/**
 * dlpctl_status_read() - a STATUS answer as a struct dlpctl_status
 * @msg: the answer, decoded, with status DLP_CTL_S_OK (so every field is there)
 * @ret: filled from @msg; pid, uptime and device counts are left unknown
 *
 * Return: 0, or -EINVAL if @msg is not a successful STATUS answer.
 */
int dlpctl_status_read(const struct dlp_ctl_msg *msg, struct dlpctl_status *ret)
{
	const struct dlp_ctl_attr *a = msg->attr;

	if (!msg->response || msg->command != DLP_CTL_CMD_STATUS || msg->status != DLP_CTL_S_OK)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->message = msg->message;
	ret->enforcing = a[DLP_CTL_A_LSM].num;
	ret->mode = a[DLP_CTL_A_MODE].num;
	ret->tier = a[DLP_CTL_A_TIER].data;
	ret->policy = a[DLP_CTL_A_POLICY_NAME].data;
	memcpy(ret->sha256, a[DLP_CTL_A_POLICY_SHA256].data, sizeof(ret->sha256));
	ret->loaded_at = a[DLP_CTL_A_LOADED_AT].num;
	ret->decisions = a[DLP_CTL_A_DECISIONS].num;
	ret->dropped = a[DLP_CTL_A_DROPPED].num;
	ret->generation = msg->present & (1ULL << DLP_CTL_A_GENERATION) ?
				  (long long)a[DLP_CTL_A_GENERATION].num :
				  -1;
	ret->uptime_s = -1;
	return 0;
}

/**
 * dlpctl_status_count() - count the media of a device list into @st
 * @st:   the status to complete (a disk and each of its partitions count apart,
 *        as dlpd judges and lists them)
 * @devs: DEVICE_LIST items
 * @n:    how many
 */
void dlpctl_status_count(struct dlpctl_status *st, const struct dlp_ctl_device *devs, size_t n)
{
	size_t i;

	st->have_devices = true;
	st->media = n;
	st->registered = st->unregistered = st->expired = 0;
	for (i = 0; i < n; i++) {
		if (devs[i].state == DLP_CTL_DEV_REGISTERED)
			st->registered++;
		else
			st->unregistered++;
		if (devs[i].state == DLP_CTL_DEV_EXPIRED)
			st->expired++;
	}
}

/* @s as a JSON string, or null. */
void dlpctl_json_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static const char *mode_name(__u8 mode)
{
	return mode <= DLP_MODE_MONITOR ? dlp_mode_names[mode] : "?";
}

static void sha256_hex(const unsigned char *sha, char hex[65])
{
	int i;

	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);
}

/**
 * dlpctl_status_print() - print what `dlpctl status` shows
 * @out:  where
 * @st:   the status
 * @json: one JSON object (keys: enforcing, mode, tier, policy, policy_sha256,
 *        generation, loaded_at, decisions, dropped, pid, uptime_s, media {total, registered,
 *        unregistered, expired}, message); else lines of "name: value"
 */
void dlpctl_status_print(FILE *out, const struct dlpctl_status *st, bool json)
{
	char hex[65], when[64] = "unknown";
	time_t t = st->loaded_at;
	struct tm tm;

	sha256_hex(st->sha256, hex);
	if (json) {
		fprintf(out, "{\"enforcing\":%s,\"mode\":", st->enforcing ? "true" : "false");
		dlpctl_json_string(out, mode_name(st->mode));
		fputs(",\"tier\":", out);
		dlpctl_json_string(out, st->tier);
		fputs(",\"policy\":", out);
		dlpctl_json_string(out, st->policy);
		fprintf(out, ",\"policy_sha256\":\"%s\",", hex);
		if (st->generation >= 0)
			fprintf(out, "\"generation\":%lld,", st->generation);
		else
			fputs("\"generation\":null,", out);
		fprintf(out, "\"loaded_at\":%llu,\"decisions\":%llu,\"dropped\":%llu,",
			(unsigned long long)st->loaded_at, (unsigned long long)st->decisions,
			(unsigned long long)st->dropped);
		if (st->pid > 0)
			fprintf(out, "\"pid\":%d,", (int)st->pid);
		else
			fputs("\"pid\":null,", out);
		if (st->uptime_s >= 0)
			fprintf(out, "\"uptime_s\":%ld,", st->uptime_s);
		else
			fputs("\"uptime_s\":null,", out);
		if (st->have_devices)
			fprintf(out,
				"\"media\":{\"total\":%u,\"registered\":%u,\"unregistered\":%u,"
				"\"expired\":%u},",
				st->media, st->registered, st->unregistered, st->expired);
		else
			fputs("\"media\":null,", out);
		fputs("\"message\":", out);
		dlpctl_json_string(out, st->message);
		fputs("}\n", out);
		return;
	}
	if (t && localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm);
	fprintf(out, "enforcing:  %s\n",
		st->enforcing ? "yes (BPF LSM programs attached)" : "NO (no programs attached)");
	fprintf(out, "policy:     %s (mode %s, tier %s)\n", st->policy, mode_name(st->mode),
		st->tier);
	fprintf(out, "sha256:     %s\n", hex);
	if (st->generation >= 0)
		fprintf(out, "loaded:     %s (generation %lld)\n", when, st->generation);
	else
		fprintf(out, "loaded:     %s\n", when);
	fprintf(out, "decisions:  %llu written, %llu lost since dlpd started\n",
		(unsigned long long)st->decisions, (unsigned long long)st->dropped);
	if (st->have_devices)
		fprintf(out,
			"media:      %u (disks and partitions): %u registered, %u "
			"unregistered (%u of them expired)\n",
			st->media, st->registered, st->unregistered, st->expired);
	if (st->pid > 0 && st->uptime_s >= 0)
		fprintf(out, "dlpd:       pid %d, up %ldd %02ld:%02ld:%02ld\n", (int)st->pid,
			st->uptime_s / 86400, st->uptime_s / 3600 % 24, st->uptime_s / 60 % 60,
			st->uptime_s % 60);
	else if (st->pid > 0)
		fprintf(out, "dlpd:       pid %d\n", (int)st->pid);
	fprintf(out, "dlpd says:  %s\n", st->message);
}

static const char *state_name(__u8 state)
{
	switch (state) {
	case DLP_CTL_DEV_REGISTERED:
		return "registered";
	case DLP_CTL_DEV_EXPIRED:
		return "expired";
	case DLP_CTL_DEV_UNREGISTERED:
		return "unregistered";
	}
	return "?";
}

static const char *bus_name(__u8 bus)
{
	return bus == DLP_CTL_BUS_USB ? "usb" : bus == DLP_CTL_BUS_MMC ? "mmc" : "?";
}

static const char *access_name(__u8 access)
{
	return access == DLP_CTL_ACCESS_RW ? "rw" : access == DLP_CTL_ACCESS_RO ? "ro" : NULL;
}

/**
 * dlpctl_devices_print() - print what `dlpctl device list` shows
 * @out:  where
 * @devs: DEVICE_LIST items, in dlpd's order
 * @n:       how many
 * @message: dlpd's message with the list (what it judged but could not list),
 *           or NULL
 * @json:    one JSON object {"devices": [...], "message": ...}, each device
 *           with the keys devname, devnode, bus, vendor, product, serial,
 *           state, regno, section, access, until; else a table with a header,
 *           then "dlpd says: MESSAGE"
 */
void dlpctl_devices_print(FILE *out, const struct dlp_ctl_device *devs, size_t n,
			  const char *message, bool json)
{
	const struct dlp_ctl_device *d;
	char node[80], id[16];
	size_t i;

	if (json)
		fputs("{\"devices\":[", out);
	else
		fprintf(out, "%-14s %-4s %-9s %-20s %-12s %-14s %-3s %-10s %s\n", "DEVICE", "BUS",
			"ID", "SERIAL", "STATE", "REGNO", "RW", "UNTIL", "SECTION");
	for (i = 0; i < n; i++) {
		d = &devs[i];
		snprintf(node, sizeof(node), "/dev/%s", d->devname ? d->devname : "?");
		snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->product);
		if (!json) {
			fprintf(out, "%-14s %-4s %-9s %-20s %-12s %-14s %-3s %-10s %s\n", node,
				bus_name(d->bus), id, d->serial ? d->serial : "-",
				state_name(d->state), d->regno ? d->regno : "-",
				access_name(d->access) ? access_name(d->access) : "-",
				d->until ? d->until : "-", d->section ? d->section : "-");
			continue;
		}
		fputs(i ? ",{\"devname\":" : "{\"devname\":", out);
		dlpctl_json_string(out, d->devname);
		fputs(",\"devnode\":", out);
		dlpctl_json_string(out, d->devname ? node : NULL);
		fprintf(out, ",\"bus\":\"%s\",\"vendor\":\"%04x\",\"product\":\"%04x\",\"serial\":",
			bus_name(d->bus), d->vendor, d->product);
		dlpctl_json_string(out, d->serial);
		fprintf(out, ",\"state\":\"%s\",\"regno\":", state_name(d->state));
		dlpctl_json_string(out, d->regno);
		fputs(",\"section\":", out);
		dlpctl_json_string(out, d->section);
		fputs(",\"access\":", out);
		dlpctl_json_string(out, access_name(d->access));
		fputs(",\"until\":", out);
		dlpctl_json_string(out, d->until);
		fputc('}', out);
	}
	if (json) {
		fputs("],\"message\":", out);
		dlpctl_json_string(out, message);
		fputs("}\n", out);
	} else if (message) {
		fprintf(out, "dlpd says: %s\n", message);
	}
}

/* ---- the commands --------------------------------------------------------------------- */

/**
 * dlpctl_device_pages_free() - release what dlpctl_devices_fetch() read
 * @p: the pages
 */
void dlpctl_device_pages_free(struct dlpctl_device_pages *p)
{
	size_t i;

	for (i = 0; i < DLPCTL_DEVICE_PAGES_MAX; i++)
		free(p->buf[i]);
	free(p->devs);
}

static int read_devices(int fd, const char *sock, struct dlpctl_device_pages *p)
{
	unsigned char req[64];
	struct dlp_ctl_msg msg;
	struct dlp_ctl_attr a;
	struct dlp_ctl_device *bigger;
	__u32 total, got;
	size_t off;
	int page, len, status;

	for (page = 0; page < DLPCTL_DEVICE_PAGES_MAX; page++) {
		p->buf[page] = malloc(DLP_CTL_MSG_MAX);
		if (!p->buf[page]) {
			fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
			return EXIT_INVALID;
		}
		len = dlp_ctl_encode_device_list(req, sizeof(req), page + 1, p->n,
						 DLP_CTL_LIMIT_MAX);
		status = ask(fd, sock, req, len, p->buf[page], &msg);
		if (status)
			return status;
		total = msg.attr[DLP_CTL_A_TOTAL].num;
		p->message = msg.message;
		bigger = realloc(p->devs, (p->n + msg.nrepeated) * sizeof(*p->devs));
		if (!bigger && p->n + msg.nrepeated) {
			fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
			return EXIT_INVALID;
		}
		p->devs = bigger;
		got = 0;
		off = 0;
		while (dlp_ctl_attr_next(msg.payload, msg.payload_len, &off, &a))
			if (a.type == DLP_CTL_A_DEVICE)
				dlp_ctl_device_read(&a, &p->devs[p->n + got++]);
		p->n += got;
		/* a list that shrank while it was read ends where it ends */
		if (!got || p->n >= total)
			return EXIT_OK;
	}
	return EXIT_OK;
}

/* dlpd's uptime from /proc/PID/stat (field 22: start, in clock ticks after boot). */
static long uptime_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	double up = -1;
	unsigned long long start;
	long ticks = sysconf(_SC_CLK_TCK);
	size_t n;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: count from the last ')' */
	p = strrchr(buf, ')');
	for (i = 0; p && i < 20; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &start) != 1 || ticks <= 0)
		return -1;
	f = fopen("/proc/uptime", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lf", &up) != 1)
		up = -1;
	fclose(f);
	if (up < 0 || up < (double)start / ticks)
		return -1;
	return (long)(up - (double)start / ticks);
}

/**
 * dlpctl_devices_fetch() - every medium dlpd lists
 * @sock: dlpd's socket
 * @p:    zeroed; filled (dlpctl_device_pages_free() in any case)
 *
 * Return: an exit status (dlpctl.h), the problem said on stderr.
 */
int dlpctl_devices_fetch(const char *sock, struct dlpctl_device_pages *p)
{
	int fd = -1, status;

	status = connect_dlpd(sock, &fd);
	if (status)
		return status;
	status = read_devices(fd, sock, p);
	close(fd);
	return status;
}

/**
 * dlpctl_do_status() - `dlpctl status [--json] [--socket PATH]`
 * @argc: arguments after the command
 * @argv: them
 *
 * Return: an exit status (dlpctl.h).
 */
int dlpctl_do_status(int argc, char **argv)
{
	struct dlpctl_device_pages pages = { 0 };
	struct dlpctl_status st;
	struct dlp_ctl_msg msg;
	unsigned char req[64], *resp;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	const char *sock;
	bool json;
	int fd = -1, status;

	status = parse_options("status", argc, argv, &json, &sock);
	if (status)
		return status;
	resp = malloc(DLP_CTL_MSG_MAX);
	if (!resp) {
		fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
		return EXIT_INVALID;
	}
	status = connect_dlpd(sock, &fd);
	if (status)
		goto out_free;
	status = ask(fd, sock, req, dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_STATUS, 1),
		     resp, &msg);
	if (status)
		goto out_close;
	dlpctl_status_read(&msg, &st);
	/* the kernel recorded dlpd's credentials when it listened: no need to ask dlpd */
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) && cred.pid > 0) {
		st.pid = cred.pid;
		st.uptime_s = uptime_of(cred.pid);
	}
	/* the media counts come from the device list; without them the status still shows */
	if (!read_devices(fd, sock, &pages))
		dlpctl_status_count(&st, pages.devs, pages.n);
	dlpctl_status_print(stdout, &st, json);
	dlpctl_device_pages_free(&pages);
out_close:
	close(fd);
out_free:
	free(resp);
	return status;
}

/**
 * dlpctl_do_device_list() - `dlpctl device list [--json] [--socket PATH]`
 * @argc: arguments after the command
 * @argv: them
 *
 * Return: an exit status (dlpctl.h).
 */
int dlpctl_do_device_list(int argc, char **argv)
{
	struct dlpctl_device_pages pages = { 0 };
	const char *sock;
	bool json;
	int status;

	status = parse_options("device list", argc, argv, &json, &sock);
	if (status)
		return status;
	status = dlpctl_devices_fetch(sock, &pages);
	if (!status)
		dlpctl_devices_print(stdout, pages.devs, pages.n, pages.message, json);
	dlpctl_device_pages_free(&pages);
	return status;
}

/* ---- policies ------------------------------------------------------------------------- */

/**
 * dlpctl_apply() - have dlpd apply a policy, and say what it answered
 * @sock: dlpd's socket
 * @a:    the request
 *
 * The compiler's messages go to stderr, dlpd's summary to stdout.
 *
 * Return: an exit status (dlpctl.h): EXIT_INVALID for a policy too large
 * for one request, EXIT_REFUSED when dlpd finds it invalid, cannot apply it,
 * or (@a->base_sha256) another policy is in force by now.
 */
int dlpctl_apply(const char *sock, const struct dlp_ctl_policy_apply *a)
{
	unsigned char *req = malloc(DLP_CTL_MSG_MAX), *resp = malloc(DLP_CTL_MSG_MAX);
	struct dlp_ctl_msg msg;
	int len, fd = -1, status = EXIT_INVALID;

	if (!req || !resp) {
		fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
		goto out;
	}
	if (a->reason && strlen(a->reason) > 1000) {
		fprintf(stderr, "dlpctl: --reason: at most 1000 bytes\n");
		status = EXIT_USAGE;
		goto out;
	}
	len = dlp_ctl_encode_policy_apply(req, DLP_CTL_MSG_MAX, 1, a);
	if (len < 0) {
		fprintf(stderr,
			"dlpctl: %s: %zu bytes do not fit in one request (%d KiB at most): install "
			"it as dlpd's policy file and run 'dlpctl policy reload'\n",
			a->name, a->text_len, DLP_CTL_MSG_MAX / 1024);
		goto out;
	}
	status = connect_dlpd(sock, &fd);
	if (status)
		goto out;
	status = ask(fd, sock, req, len, resp, &msg);
	if (!status) {
		print_lines(stderr, &msg);
		printf("%s\n", msg.message);
	}
	close(fd);
out:
	free(resp);
	free(req);
	return status;
}

/**
 * dlpctl_do_policy_apply() - `dlpctl policy apply FILE [--dry-run] [--socket PATH]`
 * @argc: arguments after the command
 * @argv: them
 *
 * dlpd compiles the text again, on the terminal (names, label directories),
 * and switches the kernel to it in one step; it saves it as its policy file.
 * With --dry-run it only checks.  The compiler's messages are printed either
 * way (errors, warnings).
 *
 * Return: an exit status (dlpctl.h): EXIT_INVALID for a file that cannot be
 * read, EXIT_REFUSED when dlpd finds the policy invalid or cannot apply it.
 */
int dlpctl_do_policy_apply(int argc, char **argv)
{
	const char *sock = DLP_CTL_SOCKET_PATH, *path = NULL, *reason = NULL;
	struct dlp_ctl_policy_apply a = { 0 };
	bool dry_run = false;
	char *text = NULL;
	size_t len = 0;
	int i, status = EXIT_INVALID;
	FILE *f;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run"))
			dry_run = true;
		else if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "--reason") && i + 1 < argc)
			reason = argv[++i];
		else if (argv[i][0] == '-' || path)
			return dlpctl_usage_error("policy apply: unexpected '%s'; expected FILE "
						  "[--dry-run] [--reason TEXT] [--socket PATH]",
						  argv[i]);
		else
			path = argv[i];
	}
	if (!path)
		return dlpctl_usage_error("%s", "policy apply: expected a policy file");
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "dlpctl: %s: %s\n", path, strerror(errno));
		return EXIT_INVALID;
	}
	/* one byte more than a request holds: a larger file is refused, not cut */
	text = malloc(DLP_CTL_MSG_MAX + 1);
	if (text)
		len = fread(text, 1, DLP_CTL_MSG_MAX + 1, f);
	if (!text || ferror(f)) {
		fprintf(stderr, "dlpctl: %s: %s\n", path, strerror(text ? EIO : ENOMEM));
	} else {
		a.name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		a.text = text;
		a.text_len = len;
		a.dry_run = dry_run;
		a.reason = reason;
		status = dlpctl_apply(sock, &a);
	}
	free(text);
	fclose(f);
	return status;
}

/**
 * dlpctl_do_policy_reload() - `dlpctl policy reload [--socket PATH]`
 * @argc: arguments after the command
 * @argv: them
 *
 * dlpd reads its policy file again and puts it in force (as SIGHUP does),
 * placing label directories and judging devices anew.
 *
 * Return: an exit status (dlpctl.h).
 */
int dlpctl_do_policy_reload(int argc, char **argv)
{
	unsigned char req[64], *resp;
	struct dlp_ctl_msg msg;
	const char *sock;
	bool json;
	int fd = -1, status;

	status = parse_options("policy reload", argc, argv, &json, &sock);
	if (status)
		return status;
	if (json)
		return dlpctl_usage_error("%s", "policy reload: --json: nothing to list");
	resp = malloc(DLP_CTL_MSG_MAX);
	if (!resp) {
		fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
		return EXIT_INVALID;
	}
	status = connect_dlpd(sock, &fd);
	if (!status) {
		status = ask(fd, sock, req,
			     dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_RELOAD, 1), resp,
			     &msg);
		if (!status) {
			print_lines(stderr, &msg);
			printf("%s\n", msg.message);
		}
		close(fd);
	}
	free(resp);
	return status;
}

/**
 * dlpctl_policy_fetch() - the policy dlpd has in force
 * @sock: dlpd's socket
 * @ret:  filled on success; ret->text is malloc'd (free it)
 *
 * Return: an exit status (dlpctl.h).
 */
int dlpctl_policy_fetch(const char *sock, struct dlpctl_policy *ret)
{
	unsigned char req[64], *resp;
	const struct dlp_ctl_attr *a;
	struct dlp_ctl_msg msg;
	int fd = -1, status;

	resp = malloc(DLP_CTL_MSG_MAX);
	if (!resp) {
		fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
		return EXIT_INVALID;
	}
	status = connect_dlpd(sock, &fd);
	if (!status) {
		status = ask(fd, sock, req,
			     dlp_ctl_encode_simple(req, sizeof(req), DLP_CTL_CMD_POLICY_SHOW, 1),
			     resp, &msg);
		close(fd);
	}
	if (!status) {
		a = msg.attr;
		memset(ret, 0, sizeof(*ret));
		ret->len = a[DLP_CTL_A_POLICY_TEXT].len;
		ret->text = malloc(ret->len + 1);
		if (!ret->text) {
			fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
			status = EXIT_INVALID;
		} else {
			memcpy(ret->text, a[DLP_CTL_A_POLICY_TEXT].data, ret->len);
			ret->text[ret->len] = '\0';
			snprintf(ret->name, sizeof(ret->name), "%s",
				 (const char *)a[DLP_CTL_A_POLICY_NAME].data);
			memcpy(ret->sha256, a[DLP_CTL_A_POLICY_SHA256].data, sizeof(ret->sha256));
			ret->loaded_at = a[DLP_CTL_A_LOADED_AT].num;
			ret->generation = msg.present & (1ULL << DLP_CTL_A_GENERATION) ?
						  (long long)a[DLP_CTL_A_GENERATION].num :
						  -1;
		}
	}
	free(resp);
	return status;
}
