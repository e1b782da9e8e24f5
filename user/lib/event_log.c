// SPDX-License-Identifier: GPL-2.0
/*
 * The decision log: records from the kernel as JSON lines, the file they are
 * appended to, and the reading back `dlpctl log tail` does.
 *
 * Lines are written by hand rather than through a JSON library because the
 * key order and the treatment of kernel bytes (comm, path) are part of the
 * format, and a fixed buffer keeps the daemon's per-record path free of
 * allocation.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "event_log.h"
#include "utf8.h"

#define NSEC_PER_SEC   1000000000LL
#define JST_OFFSET_SEC (9 * 3600) /* Japan has had no daylight saving time since 1951 */

/* The kernel's dev_t, as s_dev and i_rdev hold it: 12 bits of major, 20 of minor. */
#define KDEV_MINORBITS 20
#define KDEV_MINORMASK ((1U << KDEV_MINORBITS) - 1)

const char *const dlp_hook_names[] = {
	[DLP_HOOK_SB_MOUNT] = "sb_mount",
	[DLP_HOOK_MOVE_MOUNT] = "move_mount",
	[DLP_HOOK_SB_REMOUNT] = "sb_remount",
	[DLP_HOOK_FILE_OPEN] = "file_open",
	[DLP_HOOK_FILE_PERMISSION] = "file_permission",
	[DLP_HOOK_MMAP_FILE] = "mmap_file",
	[DLP_HOOK_FILE_MPROTECT] = "file_mprotect",
	[DLP_HOOK_FILE_IOCTL] = "file_ioctl",
	[DLP_HOOK_INODE_CREATE] = "inode_create",
	[DLP_HOOK_INODE_LINK] = "inode_link",
	[DLP_HOOK_INODE_RENAME] = "inode_rename",
	[DLP_HOOK_INODE_UNLINK] = "inode_unlink",
	[DLP_HOOK_PATH_TRUNCATE] = "path_truncate",
	[DLP_HOOK_SOCKET_CONNECT] = "socket_connect",
	[DLP_HOOK_SOCKET_SENDMSG] = "socket_sendmsg",
	[DLP_HOOK_CGROUP_CONNECT4] = "cgroup_connect4",
	[DLP_HOOK_CGROUP_CONNECT6] = "cgroup_connect6",
	[DLP_HOOK_CGROUP_SENDMSG4] = "cgroup_sendmsg4",
	[DLP_HOOK_CGROUP_SENDMSG6] = "cgroup_sendmsg6",
	[DLP_HOOK_INODE_SETATTR] = "inode_setattr",
	[DLP_HOOK_INODE_MKDIR] = "inode_mkdir",
	[DLP_HOOK_INODE_SYMLINK] = "inode_symlink",
	[DLP_HOOK_INODE_MKNOD] = "inode_mknod",
	[DLP_HOOK_FILE_IOCTL_COMPAT] = "file_ioctl_compat",
	[DLP_HOOK_INODE_RMDIR] = "inode_rmdir",
	[DLP_HOOK_INODE_SETXATTR] = "inode_setxattr",
	[DLP_HOOK_INODE_REMOVEXATTR] = "inode_removexattr",
	[DLP_HOOK_COUNT] = NULL,
};

const char *const dlp_reason_names[] = {
	[DLP_REASON_RULE] = "rule",	[DLP_REASON_DEFAULT] = "default",
	[DLP_REASON_LEDGER] = "ledger", [DLP_REASON_NO_POLICY] = "no-policy",
	[DLP_LOG_REASON_COUNT] = NULL,
};

/*
 * As the guideline and the policy files write them.  DLP_CLASS_3 is both
 * 機密性3 and 機密性3C (enum dlp_class): the record cannot tell them apart,
 * so it is named by the older, single level.  Rank 0 has no name: null.
 */
const char *const dlp_class_names[] = {
	[DLP_CLASS_NONE] = "",	      [DLP_CLASS_1] = "機密性1",   [DLP_CLASS_2] = "機密性2",
	[DLP_CLASS_3] = "機密性3",    [DLP_CLASS_3B] = "機密性3B", [DLP_CLASS_3A] = "機密性3A",
	[DLP_LOG_CLASS_COUNT] = NULL,
};

const char *const dlp_integrity_names[] = {
	[DLP_INTEG_NONE] = "",
	[DLP_INTEG_1] = "完全性1",
	[DLP_INTEG_2] = "完全性2",
	[DLP_LOG_INTEG_COUNT] = NULL,
};

/* The name of @value in a NULL-terminated table, or NULL if it has none. */
static const char *enum_name(const char *const *names, unsigned int value)
{
	unsigned int i;

	for (i = 0; names[i]; i++)
		if (i == value)
			return names[i][0] ? names[i] : NULL;
	return NULL;
}

/* An enumeration value as the log writes it: its name, else its number. */
static void enum_text(const char *const *names, unsigned int value, char *buf, size_t len)
{
	const char *name = enum_name(names, value);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", value);
}

/* ---------------------------------------------------------------------------
 * Output into a fixed buffer; an overflow is remembered and reported once.
 */

struct out {
	char *buf;
	size_t len;
	size_t pos;
	bool full;
};

static void out_bytes(struct out *o, const char *s, size_t n)
{
	if (o->full || o->len - o->pos <= n) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->pos, s, n);
	o->pos += n;
	o->buf[o->pos] = '\0';
}

static void out_raw(struct out *o, const char *s)
{
	out_bytes(o, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void out_fmt(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->pos) {
		o->full = true;
		o->buf[o->pos] = '\0';
		return;
	}
	o->pos += n;
}

/*
 * @n bytes as a JSON string.  Valid UTF-8 is kept as is, except control
 * characters (C0, DEL, C1), which are escaped as \u00XX so that neither the
 * line nor a terminal showing it can be broken by them.  Each byte that does
 * not start a valid UTF-8 sequence becomes U+FFFD: the kernel hands over
 * bytes (a comm cut in the middle of a character, a file name in another
 * encoding) and the line must stay valid JSON; the file itself remains
 * identified by dev and ino.
 */
static void out_json_bytes(struct out *o, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;
	char esc[8];
	int len;

	out_bytes(o, "\"", 1);
	while (i < n) {
		if (u[i] == '"' || u[i] == '\\') {
			esc[0] = '\\';
			esc[1] = u[i];
			out_bytes(o, esc, 2);
			i++;
			continue;
		}
		if (u[i] < 0x20 || u[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", u[i]);
			out_bytes(o, esc, 6);
			i++;
			continue;
		}
		len = dlp_utf8_decode(s + i, n - i, &cp);
		if (!len) {
			out_bytes(o, "\xef\xbf\xbd", 3);
			i++;
		} else if (cp >= 0x80 && cp <= 0x9f) {
			snprintf(esc, sizeof(esc), "\\u%04x", cp);
			out_bytes(o, esc, 6);
			i += len;
		} else {
			out_bytes(o, s + i, len);
			i += len;
		}
	}
	out_bytes(o, "\"", 1);
}

static void out_json_str(struct out *o, const char *s)
{
	if (s)
		out_json_bytes(o, s, strlen(s));
	else
		out_raw(o, "null");
}

/* A kernel char array, which may lack its NUL. */
static void out_json_array(struct out *o, const char *s, size_t size)
{
	out_json_bytes(o, s, strnlen(s, size));
}

/* The name of @value, or the number itself for a value newer than this table. */
static void out_enum(struct out *o, const char *const *names, unsigned int value)
{
	const char *name = enum_name(names, value);

	if (name)
		out_json_str(o, name);
	else
		out_fmt(o, "%u", value);
}

/* A class or integrity level: its name, null for none, else the number. */
static void out_level(struct out *o, const char *const *names, unsigned int value)
{
	if (!value)
		out_raw(o, "null");
	else
		out_enum(o, names, value);
}

static void out_key(struct out *o, const char *key)
{
	out_fmt(o, ",\"%s\":", key);
}

/* ---------------------------------------------------------------------------
 * Time
 */

/**
 * dlp_log_clock_sync() - measure the offset from boot time to wall-clock time
 * @ctx: its boot_to_real_ns and clock_error_ns are set
 *
 * Records carry CLOCK_BOOTTIME (bpf_ktime_get_boot_ns), which keeps counting
 * through suspend; the log shows CLOCK_REALTIME.  The offset between them is
 * read once per batch, between two readings of CLOCK_BOOTTIME: its error is
 * at most half the time between those two readings (clock_error_ns, well
 * under a microsecond unless the daemon is preempted there), plus any step
 * of the wall clock (settimeofday, an NTP step) between a record and this
 * measurement, which moves that record by the size of the step.  Gradual NTP
 * slewing moves both clocks alike and adds nothing.
 *
 * Return: 0, or -errno from clock_gettime().
 */
int dlp_log_clock_sync(struct dlp_log_ctx *ctx)
{
	struct timespec b1, real, b2;
	__s64 boot1, boot2, realns;

	if (clock_gettime(CLOCK_BOOTTIME, &b1) || clock_gettime(CLOCK_REALTIME, &real) ||
	    clock_gettime(CLOCK_BOOTTIME, &b2))
		return -errno;
	boot1 = b1.tv_sec * NSEC_PER_SEC + b1.tv_nsec;
	boot2 = b2.tv_sec * NSEC_PER_SEC + b2.tv_nsec;
	realns = real.tv_sec * NSEC_PER_SEC + real.tv_nsec;
	ctx->boot_to_real_ns = realns - (boot1 + (boot2 - boot1) / 2);
	ctx->clock_error_ns = (boot2 - boot1 + 1) / 2;
	return 0;
}

/**
 * dlp_log_format_time() - a boot-time instant as RFC 3339 in Japan time
 * @boot_ns: CLOCK_BOOTTIME nanoseconds, as in struct dlp_event
 * @ctx:     its boot_to_real_ns turns @boot_ns into wall-clock time
 * @buf:     where to write, e.g. "2026-04-01T09:00:00.000000001+09:00"
 * @len:     size of @buf; 36 suffices
 *
 * Always +09:00 with nine digits of fraction, so that lines sort as text and
 * read as the municipality's office hours.
 *
 * Return: 0; -ERANGE if the C library cannot convert the instant;
 * -ENOSPC if @buf is too small.
 */
int dlp_log_format_time(__u64 boot_ns, const struct dlp_log_ctx *ctx, char *buf, size_t len)
{
	__s64 off = ctx->boot_to_real_ns;
	__s64 sec = boot_ns / NSEC_PER_SEC + off / NSEC_PER_SEC + JST_OFFSET_SEC;
	__s64 nsec = boot_ns % NSEC_PER_SEC + off % NSEC_PER_SEC;
	struct tm tm;
	time_t t;
	int n;

	if (nsec < 0) {
		nsec += NSEC_PER_SEC;
		sec--;
	} else if (nsec >= NSEC_PER_SEC) {
		nsec -= NSEC_PER_SEC;
		sec++;
	}
	t = sec;
	/* Between 1677 and 2847 for any record and offset: always four digits. */
	if (!gmtime_r(&t, &tm))
		return -ERANGE;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09lld+09:00", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)nsec);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

static void out_time(struct out *o, __u64 boot_ns, const struct dlp_log_ctx *ctx)
{
	char buf[40];

	if (dlp_log_format_time(boot_ns, ctx, buf, sizeof(buf)))
		out_raw(o, "null");
	else
		out_json_str(o, buf);
}

/* ---------------------------------------------------------------------------
 * Enrichment
 */

static const struct dlp_policy *policy_of(const struct dlp_log_ctx *ctx, __u32 generation)
{
	unsigned int i;

	for (i = 0; i < DLP_LOG_POLICIES; i++)
		if (ctx->policies[i].policy && ctx->policies[i].generation == generation)
			return ctx->policies[i].policy;
	return NULL;
}

static void out_sha256(struct out *o, const struct dlp_policy *pol)
{
	char hex[2 * sizeof(pol->sha256) + 1];
	unsigned int i;

	if (!pol) {
		out_raw(o, "null");
		return;
	}
	for (i = 0; i < sizeof(pol->sha256); i++)
		snprintf(hex + 2 * i, 3, "%02x", pol->sha256[i]);
	out_json_str(o, hex);
}

static const struct dlp_log_lookup *lookup_of(const struct dlp_log_ctx *ctx)
{
	return ctx->lookup ? ctx->lookup : &dlp_log_lookup_system;
}

static void out_user(struct out *o, const struct dlp_event *e, const struct dlp_log_ctx *ctx)
{
	const struct dlp_log_lookup *lk = lookup_of(ctx);
	char name[256];

	if (lk->user_name && !lk->user_name(e->uid, name, sizeof(name)) &&
	    memchr(name, '\0', sizeof(name)))
		out_json_str(o, name);
	else
		out_raw(o, "null");
}

static void out_exe(struct out *o, const struct dlp_event *e, const struct dlp_log_ctx *ctx)
{
	const struct dlp_log_lookup *lk = lookup_of(ctx);
	char comm[DLP_COMM_LEN + 1];
	char path[PATH_MAX];

	memcpy(comm, e->comm, DLP_COMM_LEN);
	comm[DLP_COMM_LEN] = '\0';
	if (lk->exe_path && !lk->exe_path(e->tgid, e->pid, comm, path, sizeof(path)) &&
	    memchr(path, '\0', sizeof(path)))
		out_json_str(o, path);
	else
		out_raw(o, "null");
}

/* "MAJOR:MINOR" of a kernel dev_t, or null for none. */
static void out_dev(struct out *o, __u32 dev)
{
	if (dev)
		out_fmt(o, "\"%u:%u\"", dev >> KDEV_MINORBITS, dev & KDEV_MINORMASK);
	else
		out_raw(o, "null");
}

static bool v4_mapped(const __u8 *a)
{
	static const __u8 prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, prefix, sizeof(prefix));
}

/*
 * The zones of the destination, as the kernel's zone lookup sees them: an
 * IPv4-mapped address is in the IPv4 zones (include/dlpguard/abi.h).
 */
static void out_zones(struct out *o, const struct dlp_event *e, const struct dlp_policy *pol)
{
	struct dlp_network dst = { 0 };
	unsigned int z, k;
	bool first = true;

	if (!pol) {
		out_raw(o, "null");
		return;
	}
	if (v4_mapped(e->addr)) {
		dst.family = AF_INET;
		dst.prefixlen = 32;
		memcpy(dst.addr, e->addr + 12, 4);
	} else {
		dst.family = AF_INET6;
		dst.prefixlen = 128;
		memcpy(dst.addr, e->addr, 16);
	}
	out_raw(o, "[");
	for (z = 0; z < pol->nzones; z++) {
		for (k = 0; k < pol->zones[z].nnets; k++)
			if (dlp_network_contains(&pol->zones[z].nets[k], &dst))
				break;
		if (k == pol->zones[z].nnets)
			continue;
		if (!first)
			out_raw(o, ",");
		first = false;
		out_json_str(o, pol->zones[z].name);
	}
	out_raw(o, "]");
}

static void out_family_address(struct out *o, const struct dlp_event *e)
{
	char text[INET6_ADDRSTRLEN];

	out_raw(o, "\"family\":");
	switch (e->family) {
	case 0:
		out_raw(o, "null,\"address\":null");
		return;
	case AF_INET:
		out_raw(o, "\"ipv4\"");
		break;
	case AF_INET6:
		out_raw(o, "\"ipv6\"");
		break;
	default:
		out_fmt(o, "%u", e->family);
		break;
	}
	out_key(o, "address");
	/* IPv4 is stored IPv4-mapped; an AF_INET record should always be. */
	if (e->family == AF_INET && v4_mapped(e->addr))
		inet_ntop(AF_INET, e->addr + 12, text, sizeof(text));
	else
		inet_ntop(AF_INET6, e->addr, text, sizeof(text));
	out_json_str(o, text);
}

/*
 * The medium the record's device is: ,"serial":..,"regno":..,"section":..
 * Its serial (null when the device is no medium dlpd knows, or it has
 * none), and its ledger entry in the record's policy (null when no entry
 * names it).  The entry is found by the medium's identity, so a record of
 * the policy before is named by that policy's ledger.
 */
static void out_ledger(struct out *o, const struct dlp_event *e, const struct dlp_policy *pol,
		       const struct dlp_log_ctx *ctx)
{
	const struct dlp_media *entry = NULL;
	const struct dlp_device *d;
	struct dlp_media_dev v;
	int ledger = -1;

	d = ctx->device && e->dev && pol ? ctx->device(ctx->device_arg, e->dev) : NULL;
	if (d && d->media && !dlp_device_verdict(pol, d, time(NULL), &v, &ledger) && ledger >= 0 &&
	    (unsigned int)ledger < pol->nmedia)
		entry = &pol->media[ledger];
	out_key(o, "serial");
	out_json_str(o, d && d->media && d->identified && d->serial[0] ? d->serial : NULL);
	out_key(o, "regno");
	out_json_str(o, entry ? entry->regno : NULL);
	out_key(o, "section");
	out_json_str(o, entry ? entry->section : NULL);
}

static void out_file(struct out *o, const struct dlp_event *e)
{
	out_raw(o, "\"dev\":");
	out_dev(o, e->dev);
	out_key(o, "ino");
	if (e->ino)
		out_fmt(o, "%llu", (unsigned long long)e->ino);
	else
		out_raw(o, "null");
	out_key(o, "path");
	if (e->path[0])
		out_json_array(o, e->path, sizeof(e->path));
	else
		out_raw(o, "null");
	out_key(o, "class");
	out_level(o, dlp_class_names, e->label_class);
	out_key(o, "integrity");
	out_level(o, dlp_integrity_names, e->label_integrity);
}

static void out_address(struct out *o, const struct dlp_event *e, const struct dlp_policy *pol)
{
	out_family_address(o, e);
	out_key(o, "port");
	out_fmt(o, "%u", e->port);
	out_key(o, "proto");
	out_enum(o, dlp_proto_names, e->proto);
	out_key(o, "zones");
	if (e->family)
		out_zones(o, e, pol);
	else
		out_raw(o, "null");
}

/* What the action was done to; a newer action than this code knows gets every member. */
static void out_object(struct out *o, const struct dlp_event *e, const struct dlp_policy *pol,
		       const struct dlp_log_ctx *ctx)
{
	out_raw(o, "{");
	switch (e->action) {
	case DLP_ACT_MOUNT:
		out_raw(o, "\"device\":");
		out_dev(o, e->dev);
		out_ledger(o, e, pol, ctx);
		break;
	case DLP_ACT_WRITE:
	case DLP_ACT_MODIFY:
	case DLP_ACT_DELETE:
		out_file(o, e);
		out_ledger(o, e, pol, ctx);
		break;
	case DLP_ACT_CONNECT:
	case DLP_ACT_SEND:
		out_address(o, e, pol);
		break;
	default:
		out_file(o, e);
		out_raw(o, ",");
		out_address(o, e, pol);
		break;
	}
	out_raw(o, "}");
}

static int out_result(struct out *o)
{
	out_bytes(o, "\n", 1);
	return o->full ? -ENOSPC : (int)o->pos;
}

/**
 * dlp_event_to_json() - one decision record as one line of the decision log
 * @e:   the record, as read from the ring buffer
 * @ctx: the policies, the clock offset and the system lookups
 * @buf: where to write the line, newline and NUL included
 * @len: size of @buf; DLP_LOG_LINE_MAX always suffices
 *
 * Members, always all of them and in this order (null where unknown):
 * format, type ("decision"), time, boot_ns, generation, policy_sha256, mode,
 * hook, action, verdict, reason, rule (the rule's id), rule_index, subject
 * {uid, user, pid, tgid, comm, exe, cgroup_id}, taint, object.  The object
 * depends on the action: mount {device, regno, section}; write, modify,
 * delete {dev, ino, path, class, integrity, regno, section}; connect, send
 * {family, address, port, proto, zones}.  regno and section name the
 * ledger entry of the medium (ctx->device), null for none.  An enumeration value newer than this code is written as its
 * number.  Rule ids, the SHA-256 and zones come from the policy of the
 * record's generation; when @ctx no longer holds it they are null and
 * rule_index still says which rule it was.
 *
 * Return: the length of the line, or -EPROTO if @e is not a record of
 * DLP_EVENT_VERSION and its size, -ENOSPC if @buf is too small.
 */
int dlp_event_to_json(const struct dlp_event *e, const struct dlp_log_ctx *ctx, char *buf,
		      size_t len)
{
	struct out o = { .buf = buf, .len = len };
	const struct dlp_policy *pol;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	if (e->version != DLP_EVENT_VERSION || e->size != sizeof(*e))
		return -EPROTO;
	pol = e->reason == DLP_REASON_NO_POLICY ? NULL : policy_of(ctx, e->generation);

	out_fmt(&o, "{\"format\":%d,\"type\":\"decision\",\"time\":", DLP_LOG_FORMAT);
	out_time(&o, e->time_ns, ctx);
	out_fmt(&o, ",\"boot_ns\":%llu,\"generation\":%u,\"policy_sha256\":",
		(unsigned long long)e->time_ns, e->generation);
	out_sha256(&o, pol);
	out_key(&o, "mode");
	out_enum(&o, dlp_mode_names, e->mode);
	out_key(&o, "hook");
	out_enum(&o, dlp_hook_names, e->hook);
	out_key(&o, "action");
	out_enum(&o, dlp_action_names, e->action);
	out_key(&o, "verdict");
	out_enum(&o, dlp_verdict_names, e->verdict);
	out_key(&o, "reason");
	out_enum(&o, dlp_reason_names, e->reason);
	out_key(&o, "rule");
	if (e->reason == DLP_REASON_RULE && pol && e->rule < pol->nrules)
		out_json_str(&o, pol->rules[e->rule].id);
	else
		out_raw(&o, "null");
	out_key(&o, "rule_index");
	if (e->reason == DLP_REASON_RULE)
		out_fmt(&o, "%u", e->rule);
	else
		out_raw(&o, "null");

	out_fmt(&o, ",\"subject\":{\"uid\":%u,\"user\":", e->uid);
	out_user(&o, e, ctx);
	out_fmt(&o, ",\"pid\":%u,\"tgid\":%u,\"comm\":", e->pid, e->tgid);
	out_json_array(&o, e->comm, sizeof(e->comm));
	out_key(&o, "exe");
	out_exe(&o, e, ctx);
	out_fmt(&o, ",\"cgroup_id\":%llu}", (unsigned long long)e->cgroup_id);
	out_key(&o, "taint");
	out_level(&o, dlp_class_names, e->taint);
	out_key(&o, "object");
	out_object(&o, e, pol, ctx);
	out_raw(&o, "}");
	return out_result(&o);
}

/**
 * dlp_lost_to_json() - the line that says records were lost
 * @lost_since_last: records the ring buffer had no room for since the last
 *                   such line (the growth of the summed DLP_STAT_LOST)
 * @boot_ns:         CLOCK_BOOTTIME now: when the loss was noticed
 * @ctx:             the policy in force (slot 0) and the clock offset
 * @buf:             where to write the line, newline and NUL included
 * @len:             size of @buf; DLP_LOG_LINE_MAX always suffices
 *
 * Members: format, type ("lost"), time, boot_ns, generation and
 * policy_sha256 of the policy in force (null if none), lost.  The lost
 * decisions were made, and enforced, before the time given.
 *
 * Return: the length of the line, or -ENOSPC if @buf is too small.
 */
int dlp_lost_to_json(__u64 lost_since_last, __u64 boot_ns, const struct dlp_log_ctx *ctx, char *buf,
		     size_t len)
{
	struct out o = { .buf = buf, .len = len };
	const struct dlp_policy *pol = ctx->policies[0].policy;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	out_fmt(&o, "{\"format\":%d,\"type\":\"lost\",\"time\":", DLP_LOG_FORMAT);
	out_time(&o, boot_ns, ctx);
	out_fmt(&o, ",\"boot_ns\":%llu,\"generation\":", (unsigned long long)boot_ns);
	if (pol)
		out_fmt(&o, "%u", ctx->policies[0].generation);
	else
		out_raw(&o, "null");
	out_key(&o, "policy_sha256");
	out_sha256(&o, pol);
	out_fmt(&o, ",\"lost\":%llu}", (unsigned long long)lost_since_last);
	return out_result(&o);
}

/* {"uid", "user"} of @uid, or null for -1. */
static void out_by(struct out *o, long long uid, const struct dlp_log_ctx *ctx)
{
	const struct dlp_log_lookup *lk = lookup_of(ctx);
	char user[256];

	if (uid < 0 || uid > UINT32_MAX) {
		out_raw(o, "null");
		return;
	}
	out_fmt(o, "{\"uid\":%lld", uid);
	out_key(o, "user");
	if (lk->user_name && !lk->user_name(uid, user, sizeof(user)) &&
	    memchr(user, '\0', sizeof(user)))
		out_json_str(o, user);
	else
		out_raw(o, "null");
	out_raw(o, "}");
}

static const char *const policy_event_names[] = {
	[DLP_LOG_POLICY_START] = "start",   [DLP_LOG_POLICY_ADOPT] = "adopt",
	[DLP_LOG_POLICY_APPLY] = "apply",   [DLP_LOG_POLICY_RELOAD] = "reload",
	[DLP_LOG_POLICY_LABELS] = "labels", NULL,
};

/**
 * dlp_policy_to_json() - the line that says which policy the kernel enforces from now
 * @event:   how it came to be in force
 * @name:    where it came from (a file, or the name dlpctl gave it)
 * @by_uid:  who asked for it over the control socket, or -1 (dlpd's own
 *           start, a signal)
 * @reason:  why, as the one who asked gave it (例外措置 and the like), or NULL
 * @boot_ns: CLOCK_BOOTTIME now: from this instant every decision is made
 *           with it
 * @ctx:     slot 0: the policy now in force; slot 1: the one it replaced
 *           (NULL: none, or not known)
 * @buf:     where to write the line, newline and NUL included
 * @len:     size of @buf; DLP_LOG_LINE_MAX always suffices
 *
 * Members: format, type ("policy"), time, boot_ns, event ("start", "adopt",
 * "apply", "reload", "labels"), name, generation and policy_sha256 of the policy in
 * force, previous ({generation, policy_sha256}, or null), by ({uid, user},
 * or null), reason (or null).
 *
 * Return: the length of the line, or -ENOSPC if @buf is too small.
 */
int dlp_policy_to_json(enum dlp_log_policy_event event, const char *name, long long by_uid,
		       const char *reason, __u64 boot_ns, const struct dlp_log_ctx *ctx, char *buf,
		       size_t len)
{
	const struct dlp_log_policy *now = &ctx->policies[0], *was = &ctx->policies[1];
	struct out o = { .buf = buf, .len = len };

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	out_fmt(&o, "{\"format\":%d,\"type\":\"policy\",\"time\":", DLP_LOG_FORMAT);
	out_time(&o, boot_ns, ctx);
	out_fmt(&o, ",\"boot_ns\":%llu,\"event\":", (unsigned long long)boot_ns);
	out_enum(&o, policy_event_names, event);
	out_key(&o, "name");
	out_json_str(&o, name);
	out_fmt(&o, ",\"generation\":%u", now->generation);
	out_key(&o, "policy_sha256");
	out_sha256(&o, now->policy);
	out_key(&o, "previous");
	if (was->generation) {
		out_fmt(&o, "{\"generation\":%u", was->generation);
		out_key(&o, "policy_sha256");
		out_sha256(&o, was->policy);
		out_raw(&o, "}");
	} else {
		out_raw(&o, "null");
	}
	out_key(&o, "by");
	out_by(&o, by_uid, ctx);
	out_key(&o, "reason");
	out_json_str(&o, reason);
	out_raw(&o, "}");
	return out_result(&o);
}

/**
 * dlp_label_to_json() - the line that says a file's label attribute was set
 * @path:      the file, symbolic links resolved
 * @attribute: the attribute's name ('label xattr')
 * @class:     enum dlp_class now (0: none)
 * @integrity: enum dlp_integrity now (0: none)
 * @prev:      "機密性2 完全性2"-like text of the attribute before, or NULL if it had none
 * @by_uid:    who asked over the control socket
 * @reason:    why, as given, or NULL
 * @boot_ns:   CLOCK_BOOTTIME now
 * @ctx:       the clock offset, the account lookup
 * @buf:       where to write the line, newline and NUL included
 * @len:       size of @buf; DLP_LOG_LINE_MAX always suffices
 *
 * Members: format, type ("label"), time, boot_ns, path, attribute, class
 * and integrity (names, or null), previous (the attribute's value before,
 * or null), by ({uid, user}), reason (or null).  A "policy" line with event
 * "labels" follows once the kernel has the new label.
 *
 * Return: the length of the line, or -ENOSPC if @buf is too small.
 */
int dlp_label_to_json(const char *path, const char *attribute, __u8 class, __u8 integrity,
		      const char *prev, long long by_uid, const char *reason, __u64 boot_ns,
		      const struct dlp_log_ctx *ctx, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	out_fmt(&o, "{\"format\":%d,\"type\":\"label\",\"time\":", DLP_LOG_FORMAT);
	out_time(&o, boot_ns, ctx);
	out_fmt(&o, ",\"boot_ns\":%llu", (unsigned long long)boot_ns);
	out_key(&o, "path");
	out_json_str(&o, path);
	out_key(&o, "attribute");
	out_json_str(&o, attribute);
	out_key(&o, "class");
	out_level(&o, dlp_class_names, class);
	out_key(&o, "integrity");
	out_level(&o, dlp_integrity_names, integrity);
	out_key(&o, "previous");
	out_json_str(&o, prev);
	out_key(&o, "by");
	out_by(&o, by_uid, ctx);
	out_key(&o, "reason");
	out_json_str(&o, reason);
	out_raw(&o, "}");
	return out_result(&o);
}

/* What a device map entry says, in the log's words. */
static const char *const device_kind_names[] = {
	[DLP_DEVICE_UNKNOWN] = "unknown",
	[DLP_DEVICE_INTERNAL] = "internal",
	[DLP_DEVICE_REGISTERED] = "registered",
	[DLP_DEVICE_UNREGISTERED] = "unregistered",
	NULL,
};

static const char *const device_event_names[] = {
	[DLP_DEVICE_ADD] = "attach",
	[DLP_DEVICE_REMOVE] = "detach",
	[DLP_DEVICE_CHANGE] = "change",
	NULL,
};

/**
 * dlp_device_to_json() - the line that says a medium came, changed or went
 * @action:  what udev reported
 * @d:       the device as dlp_device_identify() read it
 * @v:       its verdict as written into the device map (NULL for a detach)
 * @boot_ns: CLOCK_BOOTTIME now
 * @ctx:     the policy in force (slot 0: the ledger) and the clock offset
 * @buf:     where to write the line, newline and NUL included
 * @len:     size of @buf; DLP_LOG_LINE_MAX always suffices
 *
 * Members: format, type ("device"), time, boot_ns, event ("attach",
 * "detach", "change"), name, devnode, dev (MAJOR:MINOR), and for an attach
 * or change: verdict ("internal", "registered", "unregistered", "unknown"),
 * bus, vendor and product (four hex digits), serial, and the ledger entry's
 * regno, section and access when registered (null otherwise).
 *
 * Return: the length of the line, or -ENOSPC if @buf is too small.
 */
int dlp_device_to_json(enum dlp_device_action action, const struct dlp_device *d,
		       const struct dlp_media_dev *v, __u64 boot_ns, const struct dlp_log_ctx *ctx,
		       char *buf, size_t len)
{
	static const char *const buses[] = { "none", "usb", "mmc", NULL };
	const struct dlp_policy *pol = ctx->policies[0].policy;
	const struct dlp_media *entry = NULL;
	struct out o = { .buf = buf, .len = len };

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	if (v && v->kind == DLP_DEVICE_REGISTERED && pol && v->ledger_index < pol->nmedia)
		entry = &pol->media[v->ledger_index];
	out_fmt(&o, "{\"format\":%d,\"type\":\"device\",\"time\":", DLP_LOG_FORMAT);
	out_time(&o, boot_ns, ctx);
	out_fmt(&o, ",\"boot_ns\":%llu,\"event\":", (unsigned long long)boot_ns);
	out_enum(&o, device_event_names, action);
	out_key(&o, "name");
	out_json_str(&o, d->name);
	out_key(&o, "devnode");
	out_json_str(&o, d->devnode[0] ? d->devnode : NULL);
	out_key(&o, "dev");
	out_dev(&o, d->dev);
	out_key(&o, "verdict");
	if (v)
		out_enum(&o, device_kind_names, v->kind);
	else
		out_raw(&o, "null");
	out_key(&o, "bus");
	if (v && d->media)
		out_enum(&o, buses, d->bus);
	else
		out_raw(&o, "null");
	if (v && d->media && d->has_id)
		out_fmt(&o, ",\"vendor\":\"%04x\",\"product\":\"%04x\"", d->vendor, d->product);
	else
		out_raw(&o, ",\"vendor\":null,\"product\":null");
	out_key(&o, "serial");
	out_json_str(&o, v && d->media && d->serial[0] ? d->serial : NULL);
	out_key(&o, "regno");
	out_json_str(&o, entry ? entry->regno : NULL);
	out_key(&o, "section");
	out_json_str(&o, entry ? entry->section : NULL);
	out_key(&o, "access");
	out_json_str(&o, entry ? (entry->writable ? "rw" : "ro") : NULL);
	out_raw(&o, "}");
	return out_result(&o);
}

static const char *const guard_event_names[] = {
	[0] = "", /* not an event: its number */
	[DLPGUARD_EV_ATTACH] = "attach",
	[DLPGUARD_EV_DETACH] = "detach",
	[DLPGUARD_EV_RELEASED] = "released",
	[DLPGUARD_EV_GUARDED] = "guarded",
	NULL,
};

/**
 * dlp_guard_to_json() - the line for what dlpguard.ko did to a disk
 * @e:       the module's event (include/dlpguard/kmod.h), stamped with CLOCK_BOOTTIME
 * @ctx:     the clock offset
 * @buf:     where to write the line, newline and NUL included
 * @len:     size of @buf; DLP_LOG_LINE_MAX always suffices
 *
 * Members: format, type ("guard"), time, boot_ns, event ("attach": a
 * removable disk appeared, or was there when the module loaded; "detach";
 * "released": allowed, now writable; "guarded": read-only again), name,
 * dev (MAJOR:MINOR), state ("read-only" or "writable", after the event),
 * bus ("usb", "mmc", null), vendor and product (four hex digits, null
 * without a bus), serial (null if none), removable (the disk reports
 * removable media), and module_lost: events the module had no room for
 * just before this one.
 *
 * Return: the length of the line, or -ENOSPC if @buf is too small.
 */
int dlp_guard_to_json(const struct dlpguard_event *e, const struct dlp_log_ctx *ctx, char *buf,
		      size_t len)
{
	static const char *const buses[] = { [DLPGUARD_BUS_NONE] = "",
					     [DLPGUARD_BUS_USB] = "usb",
					     [DLPGUARD_BUS_MMC] = "mmc",
					     NULL };
	bool bus = e->bus == DLPGUARD_BUS_USB || e->bus == DLPGUARD_BUS_MMC;
	struct out o = { .buf = buf, .len = len };

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	out_fmt(&o, "{\"format\":%d,\"type\":\"guard\",\"time\":", DLP_LOG_FORMAT);
	out_time(&o, e->boot_ns, ctx);
	out_fmt(&o, ",\"boot_ns\":%llu,\"seq\":%llu,\"event\":", (unsigned long long)e->boot_ns,
		(unsigned long long)e->seq);
	out_enum(&o, guard_event_names, e->type);
	out_key(&o, "name");
	out_json_array(&o, e->name, sizeof(e->name));
	out_key(&o, "dev");
	out_dev(&o, e->dev);
	out_fmt(&o, ",\"state\":\"%s\"",
		e->flags & DLPGUARD_EVF_READ_ONLY ? "read-only" : "writable");
	out_key(&o, "bus");
	if (bus) {
		out_enum(&o, buses, e->bus);
		out_fmt(&o, ",\"vendor\":\"%04x\",\"product\":\"%04x\"", e->vendor, e->product);
	} else {
		out_raw(&o, "null,\"vendor\":null,\"product\":null");
	}
	out_key(&o, "serial");
	if (e->serial[0])
		out_json_array(&o, e->serial, sizeof(e->serial));
	else
		out_raw(&o, "null");
	out_fmt(&o, ",\"removable\":%s,\"module_lost\":%u}",
		e->flags & DLPGUARD_EVF_REMOVABLE ? "true" : "false", e->lost);
	return out_result(&o);
}

/* ---------------------------------------------------------------------------
 * System lookups
 */

static int system_user_name(__u32 uid, char *buf, size_t len)
{
	struct passwd pw, *found = NULL;
	char store[4096];
	int ret;

	ret = getpwuid_r(uid, &pw, store, sizeof(store), &found);
	if (ret)
		return -ret;
	if (!found)
		return -ENOENT;
	if (strlen(found->pw_name) >= len)
		return -ERANGE;
	strcpy(buf, found->pw_name);
	return 0;
}

/* The first line of a small /proc file, newline removed. */
static int read_proc_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/*
 * The record names a process that may have exited, or exec'd something else,
 * by now; its pid may even belong to another process.  The link is taken only
 * if the thread still exists and still has the name the record gave it.  A
 * deleted executable reads as "PATH (deleted)", which is kept as the kernel
 * says it.
 */
static int system_exe_path(__u32 tgid, __u32 pid, const char *comm, char *buf, size_t len)
{
	char proc[64], now[DLP_COMM_LEN + 2];
	ssize_t n;
	int ret;

	snprintf(proc, sizeof(proc), "/proc/%u/exe", tgid);
	n = readlink(proc, buf, len);
	if (n < 0)
		return -errno;
	if ((size_t)n >= len)
		return -ERANGE;
	buf[n] = '\0';
	snprintf(proc, sizeof(proc), "/proc/%u/task/%u/comm", tgid, pid);
	ret = read_proc_line(proc, now, sizeof(now));
	if (ret)
		return ret;
	return strcmp(now, comm) ? -ESRCH : 0;
}

const struct dlp_log_lookup dlp_log_lookup_system = {
	.user_name = system_user_name,
	.exe_path = system_exe_path,
};

/* ---------------------------------------------------------------------------
 * The log file
 */

/* What identifies a decision record or a module event in the log: see dlp_log_has(). */
struct log_mark {
	enum { MARK_NONE, MARK_DECISION, MARK_GUARD } kind;
	__u64 boot_ns;
	__u32 pid, tgid, uid; /* decision */
	char hook[24], verdict[16];
	__u64 seq; /* guard: the module's event number and disk */
	char name[40];
	char action[16]; /* the decision's action, or the module's event */
};

struct dlp_log {
	int fd;
	/*
	 * The log does not end with a newline: a failed write left part of a
	 * line that could not be cut off, or a writer was killed half-way
	 * through one.  The next write starts with a newline, so the fragment
	 * stays a line of its own that a reader reports, and the next record
	 * stays whole.
	 */
	bool torn;
	struct log_mark last; /* the decision or guard line the log ended with when opened */
	bool record_asked, guard_asked;
};

static void log_read_end(struct dlp_log *log);

/**
 * dlp_log_open() - open the decision log for appending
 * @path: the file; its directory must exist
 * @err:  set to 0 or -errno: -ENOENT means the directory does not exist,
 *        -ELOOP that @path is a symbolic link, which is never followed
 *
 * The file is created if it does not exist, mode 0640 and, where the system
 * has the group, group adm: Debian's group for reading logs (/var/log/syslog
 * is root:adm 0640), so auditors in it read the log with `dlpctl log tail`.
 * An existing file keeps its owner and mode.  It is opened O_APPEND, so
 * each line lands whole at the end even beside another writer.  Its end is
 * read: a last line without its newline is not continued (the next line
 * starts on a line of its own), and a decision there is remembered for
 * dlp_log_has().
 *
 * Return: the log, or NULL with *@err set.
 */
struct dlp_log *dlp_log_open(const char *path, int *err)
{
	struct dlp_log *log;
	struct group gr, *adm = NULL;
	char grbuf[1024];
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd >= 0) {
		/* a group that cannot be set leaves the file root's alone: fail closed */
		if (!getgrnam_r(DLP_LOG_GROUP, &gr, grbuf, sizeof(grbuf), &adm) && adm &&
		    fchown(fd, (uid_t)-1, adm->gr_gid))
			adm = NULL;
	} else if (errno == EEXIST) {
		fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	log = calloc(1, sizeof(*log));
	if (!log) {
		close(fd);
		*err = -ENOMEM;
		return NULL;
	}
	log->fd = fd;
	log_read_end(log);
	*err = 0;
	return log;
}

/**
 * dlp_log_torn() - whether the log does not end with a newline
 * @log: the log
 *
 * Return: true while the last line is cut short (found so by dlp_log_open(),
 * or left by a failed write): the next line written starts with a newline.
 */
bool dlp_log_torn(const struct dlp_log *log)
{
	return log->torn;
}

/**
 * dlp_log_has() - whether a record is the decision the log ended with
 * @log: the log, as dlp_log_open() found it
 * @e:   the first record read from the ring buffer
 *
 * The ring buffer learns that a record was consumed only after its line is
 * written: a dlpd killed in between (SIGKILL, or a crash) leaves the record
 * to the next dlpd, whose first record it is, while its line is already the
 * last of the log.  This says so, by what identifies a record: the instant
 * (CLOCK_BOOTTIME ns), the thread, the process, the user, the hook, the
 * action and the verdict.  Only the first record can be such a one, so the
 * log's end is forgotten after the first call.  Another line after the
 * decision (dlpd went on), a last line cut short (its record is written
 * again, whole) or a log rotated in between: false, and the record is
 * written, so that a record is never lost, at worst logged twice.
 *
 * Return: true if @e's line is already in the log.
 */
bool dlp_log_has(struct dlp_log *log, const struct dlp_event *e)
{
	const struct log_mark *m = &log->last;
	char hook[24], action[16], verdict[16];
	bool same;

	if (log->record_asked || m->kind != MARK_DECISION)
		return false;
	log->record_asked = true;
	enum_text(dlp_hook_names, e->hook, hook, sizeof(hook));
	enum_text(dlp_action_names, e->action, action, sizeof(action));
	enum_text(dlp_verdict_names, e->verdict, verdict, sizeof(verdict));
	same = m->boot_ns == e->time_ns && m->pid == e->pid && m->tgid == e->tgid &&
	       m->uid == e->uid && !strcmp(m->hook, hook) && !strcmp(m->action, action) &&
	       !strcmp(m->verdict, verdict);
	return same;
}

/**
 * dlp_log_has_guard() - whether a module event is the guard line the log ended with
 * @log: the log, as dlp_log_open() found it
 * @e:   the first event read from dlpguard.ko
 *
 * As dlp_log_has() for the module: it holds an event until dlpd acknowledges
 * it, after writing its line.  The event is identified by its number, its
 * instant, its disk and what the module did.  Only the first event can be
 * such a one.
 *
 * Return: true if @e's line is already in the log.
 */
bool dlp_log_has_guard(struct dlp_log *log, const struct dlpguard_event *e)
{
	const struct log_mark *m = &log->last;
	char event[16];

	if (log->guard_asked || m->kind != MARK_GUARD)
		return false;
	log->guard_asked = true;
	enum_text(guard_event_names, e->type, event, sizeof(event));
	return m->seq == e->seq && m->boot_ns == e->boot_ns &&
	       !strncmp(m->name, e->name, sizeof(e->name)) && !strcmp(m->action, event);
}

/*
 * Cut off the @done bytes a failed write appended; false if they stay.  The
 * end of the file is ours to cut because dlpd is the log's only writer.
 */
static bool log_cut(struct dlp_log *log, size_t done)
{
	struct stat st;

	if (fstat(log->fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size < done)
		return false;
	return !ftruncate(log->fd, st.st_size - done);
}

/**
 * dlp_log_write() - append one line to the decision log
 * @log:  the log
 * @line: one line: newline-terminated, no other newline
 *
 * The line goes out in one write, which the kernel appends whole; a short
 * write is continued.  If a write fails part-way, the part written is cut
 * off again; where that is impossible, the next line starts on a fresh line.
 *
 * Return: 0, -EINVAL if @line is not exactly one line, or the -errno of the
 * failed write (-ENOSPC, -EIO, ...): the line is not in the log.
 */
int dlp_log_write(struct dlp_log *log, const char *line)
{
	size_t n = strlen(line), total, done = 0;
	struct iovec iov[2];
	ssize_t w;
	int ret = 0;

	if (!n || line[n - 1] != '\n' || memchr(line, '\n', n - 1))
		return -EINVAL;
	iov[0].iov_base = (void *)"\n";
	iov[0].iov_len = log->torn ? 1 : 0;
	iov[1].iov_base = (void *)line;
	iov[1].iov_len = n;
	total = iov[0].iov_len + n;
	while (done < total) {
		if (done < iov[0].iov_len) {
			w = writev(log->fd, iov, 2);
		} else {
			size_t off = done - iov[0].iov_len;

			w = write(log->fd, line + off, n - off);
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret = w < 0 ? -errno : -EIO;
			break;
		}
		done += w;
	}
	if (!ret) {
		log->torn = false;
		return 0;
	}
	if (done && !log_cut(log, done))
		log->torn = true;
	return ret;
}

/**
 * dlp_log_sync() - make the lines written so far durable
 * @log: the log
 *
 * Called after each batch: a decision is evidence only once it is on disk.
 *
 * Return: 0, or the -errno of fdatasync().
 */
int dlp_log_sync(struct dlp_log *log)
{
	return fdatasync(log->fd) ? -errno : 0;
}

/**
 * dlp_log_close() - close the decision log
 * @log: the log, or NULL
 *
 * Call dlp_log_sync() first to learn of a write that did not reach the disk.
 */
void dlp_log_close(struct dlp_log *log)
{
	if (!log)
		return;
	close(log->fd);
	free(log);
}

/* ---------------------------------------------------------------------------
 * Reading lines back: a strict JSON parser (RFC 8259) that keeps the members
 * a row shows.
 */

enum jtype { J_NONE, J_NULL, J_BOOL, J_NUM, J_STR, J_OBJ, J_ARR };

struct jtok {
	enum jtype type;
	const char *s; /* J_STR: inside the quotes; J_NUM: the digits */
	size_t n;
};

/* The members a row is made of: "key" at the top, or "parent.key". */
static const char *const row_keys[] = {
	"type",		 "time",	 "mode",       "action",	"verdict",
	"reason",	 "rule",	 "lost",       "subject.uid",	"subject.user",
	"object.device", "object.dev",	 "object.ino", "object.path",	"object.address",
	"object.port",	 "object.proto", "event",      "devnode",	"regno",
	"serial",	 "name",	 "state",      "boot_ns",	"hook",
	"subject.pid",	 "subject.tgid", "by.uid",     "by.user",	"generation",
	"path",		 "class",	 "integrity",  "object.serial", "object.regno",
	"seq",		 NULL,
};

#define ROW_KEYS       (sizeof(row_keys) / sizeof(row_keys[0]) - 1)
#define JSON_MAX_DEPTH 32

struct jparse {
	const char *s;
	size_t n;
	size_t i;
	const char *why;
	struct jtok found[ROW_KEYS];
};

static bool jfail(struct jparse *p, const char *why)
{
	if (!p->why)
		p->why = why;
	return false;
}

static void jspace(struct jparse *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
			       p->s[p->i] == '\r'))
		p->i++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at @s[@at], within @n bytes. */
static bool hex4(const char *s, size_t n, size_t at, unsigned int *ret)
{
	unsigned int v = 0;
	int i, h;

	if (at + 4 > n)
		return false;
	for (i = 0; i < 4; i++) {
		h = hexval(s[at + i]);
		if (h < 0)
			return false;
		v = v << 4 | h;
	}
	*ret = v;
	return true;
}

/* A string starting at the quote; its contents in @tok. */
static bool jstring(struct jparse *p, struct jtok *tok)
{
	unsigned int u, lo;
	uint32_t cp;
	int len;

	p->i++;
	tok->type = J_STR;
	tok->s = p->s + p->i;
	while (p->i < p->n) {
		unsigned char c = p->s[p->i];

		if (c == '"') {
			tok->n = p->s + p->i - tok->s;
			p->i++;
			return true;
		}
		if (c < 0x20)
			return jfail(p, "control character in a string");
		if (c == '\\') {
			if (p->i + 1 >= p->n)
				break;
			c = p->s[p->i + 1];
			if (c == 'u') {
				if (!hex4(p->s, p->n, p->i + 2, &u))
					return jfail(p, "bad \\u escape");
				p->i += 6;
				if (u >= 0xdc00 && u <= 0xdfff)
					return jfail(p, "unpaired surrogate");
				if (u >= 0xd800 && u <= 0xdbff) {
					if (p->i + 1 >= p->n || p->s[p->i] != '\\' ||
					    p->s[p->i + 1] != 'u' ||
					    !hex4(p->s, p->n, p->i + 2, &lo) || lo < 0xdc00 ||
					    lo > 0xdfff)
						return jfail(p, "unpaired surrogate");
					p->i += 6;
				}
				continue;
			}
			if (!strchr("\"\\/bfnrt", c) || !c)
				return jfail(p, "bad escape in a string");
			p->i += 2;
			continue;
		}
		len = dlp_utf8_decode(p->s + p->i, p->n - p->i, &cp);
		if (!len)
			return jfail(p, "invalid UTF-8 in a string");
		p->i += len;
	}
	return jfail(p, "unterminated string");
}

static bool jdigits(struct jparse *p)
{
	size_t start = p->i;

	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > start;
}

static bool jnumber(struct jparse *p, struct jtok *tok)
{
	tok->type = J_NUM;
	tok->s = p->s + p->i;
	if (p->s[p->i] == '-')
		p->i++;
	if (p->i < p->n && p->s[p->i] == '0')
		p->i++;
	else if (!jdigits(p))
		return jfail(p, "bad number");
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (!jdigits(p))
			return jfail(p, "bad number");
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (!jdigits(p))
			return jfail(p, "bad number");
	}
	tok->n = p->s + p->i - tok->s;
	return true;
}

static bool jword(struct jparse *p, const char *word, enum jtype type, struct jtok *tok)
{
	size_t n = strlen(word);

	if (p->n - p->i < n || memcmp(p->s + p->i, word, n))
		return jfail(p, "unexpected character");
	tok->type = type;
	tok->s = p->s + p->i;
	tok->n = n;
	p->i += n;
	return true;
}

static bool jvalue(struct jparse *p, unsigned int depth, const char *parent, struct jtok *tok);

/* Remember @tok if "@parent.@key" is one of row_keys; a repeated one is an error. */
static bool jkeep(struct jparse *p, const char *parent, const struct jtok *key,
		  const struct jtok *val)
{
	char full[64];
	size_t i;
	int n;

	if (key->n > 32)
		return true;
	n = snprintf(full, sizeof(full), "%s%s%.*s", parent ? parent : "", parent ? "." : "",
		     (int)key->n, key->s);
	if (n < 0 || (size_t)n >= sizeof(full))
		return true;
	for (i = 0; i < ROW_KEYS; i++) {
		if (strcmp(row_keys[i], full))
			continue;
		if (p->found[i].type != J_NONE)
			return jfail(p, "repeated member");
		p->found[i] = *val;
	}
	return true;
}

/* Some "@key.member" is one of row_keys. */
static bool row_parent(const struct jtok *key)
{
	size_t i;

	for (i = 0; i < ROW_KEYS; i++)
		if (!strncmp(row_keys[i], key->s, key->n) && row_keys[i][key->n] == '.')
			return true;
	return false;
}

static bool jobject(struct jparse *p, unsigned int depth, const char *parent)
{
	struct jtok key, val;
	char name[16];
	bool track;

	p->i++;
	jspace(p);
	if (p->i < p->n && p->s[p->i] == '}') {
		p->i++;
		return true;
	}
	for (;;) {
		jspace(p);
		if (p->i >= p->n || p->s[p->i] != '"')
			return jfail(p, "expected a member name");
		if (!jstring(p, &key))
			return false;
		jspace(p);
		if (p->i >= p->n || p->s[p->i] != ':')
			return jfail(p, "expected ':'");
		p->i++;
		/* Only objects at the top level ("subject", "by") hold members a row shows. */
		track = depth == 1 && key.n < sizeof(name) && row_parent(&key);
		if (track) {
			memcpy(name, key.s, key.n);
			name[key.n] = '\0';
		}
		if (!jvalue(p, depth, track ? name : NULL, &val))
			return false;
		if ((depth == 1 || (depth == 2 && parent)) && !jkeep(p, parent, &key, &val))
			return false;
		jspace(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == '}') {
			p->i++;
			return true;
		}
		return jfail(p, "expected ',' or '}'");
	}
}

static bool jarray(struct jparse *p, unsigned int depth)
{
	struct jtok val;

	p->i++;
	jspace(p);
	if (p->i < p->n && p->s[p->i] == ']') {
		p->i++;
		return true;
	}
	for (;;) {
		if (!jvalue(p, depth, NULL, &val))
			return false;
		jspace(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == ']') {
			p->i++;
			return true;
		}
		return jfail(p, "expected ',' or ']'");
	}
}

/* One value at @depth; @parent names the object whose members are kept. */
static bool jvalue(struct jparse *p, unsigned int depth, const char *parent, struct jtok *tok)
{
	char c;

	jspace(p);
	if (p->i >= p->n)
		return jfail(p, "unexpected end of line");
	if (depth >= JSON_MAX_DEPTH)
		return jfail(p, "nested too deeply");
	c = p->s[p->i];
	tok->s = p->s + p->i;
	tok->n = 0;
	switch (c) {
	case '{':
		tok->type = J_OBJ;
		return jobject(p, depth + 1, parent);
	case '[':
		tok->type = J_ARR;
		return jarray(p, depth + 1);
	case '"':
		return jstring(p, tok);
	case 't':
		return jword(p, "true", J_BOOL, tok);
	case 'f':
		return jword(p, "false", J_BOOL, tok);
	case 'n':
		return jword(p, "null", J_NULL, tok);
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return jnumber(p, tok);
		return jfail(p, "unexpected character");
	}
}

/*
 * Copy a string or number token into @buf for a terminal: escapes decoded,
 * control characters shown as '?', cut on a character boundary if long.
 */
static void jcopy(const struct jtok *tok, char *buf, size_t len)
{
	size_t i = 0, o = 0;
	unsigned int u, lo;
	char enc[4];
	size_t elen;

	while (i < tok->n) {
		unsigned char c = tok->s[i];

		if (tok->type == J_STR && c == '\\') {
			c = tok->s[i + 1];
			i += 2;
			switch (c) {
			case 'u':
				hex4(tok->s, tok->n, i, &u);
				i += 4;
				/* jstring() let through only whole surrogate pairs. */
				if (u >= 0xd800 && u <= 0xdbff) {
					hex4(tok->s, tok->n, i + 2, &lo);
					i += 6;
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				}
				break;
			case 'b':
			case 'f':
			case 'n':
			case 'r':
			case 't':
				u = '?';
				break;
			default:
				u = c;
				break;
			}
			if (u < 0x20 || (u >= 0x7f && u <= 0x9f))
				u = '?';
			if (u < 0x80) {
				enc[0] = u;
				elen = 1;
			} else if (u < 0x800) {
				enc[0] = 0xc0 | u >> 6;
				enc[1] = 0x80 | (u & 0x3f);
				elen = 2;
			} else if (u < 0x10000) {
				enc[0] = 0xe0 | u >> 12;
				enc[1] = 0x80 | ((u >> 6) & 0x3f);
				enc[2] = 0x80 | (u & 0x3f);
				elen = 3;
			} else {
				enc[0] = 0xf0 | u >> 18;
				enc[1] = 0x80 | ((u >> 12) & 0x3f);
				enc[2] = 0x80 | ((u >> 6) & 0x3f);
				enc[3] = 0x80 | (u & 0x3f);
				elen = 4;
			}
		} else {
			elen = 1;
			if (c >= 0xc0)
				elen = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			memcpy(enc, tok->s + i, elen);
			i += elen;
			/* DEL, and C1 controls (U+0080-U+009F: 0xc2 0x80-0x9f) */
			if (c == 0x7f || (c == 0xc2 && (unsigned char)enc[1] <= 0x9f)) {
				enc[0] = '?';
				elen = 1;
			}
		}
		if (o + elen >= len)
			break;
		memcpy(buf + o, enc, elen);
		o += elen;
	}
	buf[o] = '\0';
}

static bool tok_is(const struct jtok *tok, const char *s)
{
	return tok->type == J_STR && tok->n == strlen(s) && !memcmp(tok->s, s, tok->n);
}

static const struct jtok *row_tok(const struct jparse *p, const char *key)
{
	size_t i;

	for (i = 0; i < ROW_KEYS; i++)
		if (!strcmp(row_keys[i], key))
			return &p->found[i];
	return NULL;
}

/* A string or number member into @buf, else @dflt. */
static void row_field(const struct jparse *p, const char *key, const char *dflt, char *buf,
		      size_t len)
{
	const struct jtok *tok = row_tok(p, key);

	if (tok->type == J_STR || tok->type == J_NUM)
		jcopy(tok, buf, len);
	else
		snprintf(buf, len, "%s", dflt);
}

/* The account name of "@who.user", else the uid of "@who.uid", else "-". */
static void row_user(const struct jparse *p, const char *who, struct dlp_log_row *row)
{
	char name[16], uid[16];

	snprintf(name, sizeof(name), "%s.user", who);
	snprintf(uid, sizeof(uid), "%s.uid", who);
	if (row_tok(p, name)->type == J_STR)
		row_field(p, name, "", row->user, sizeof(row->user));
	else
		row_field(p, uid, "-", row->user, sizeof(row->user));
}

static void row_object(const struct jparse *p, struct dlp_log_row *row)
{
	char a[160], b[64], c[16];
	const struct jtok *addr = row_tok(p, "object.address");

	if (row_tok(p, "object.path")->type == J_STR) {
		row_field(p, "object.path", "", row->object, sizeof(row->object));
	} else if (row_tok(p, "object.device")->type == J_STR) {
		/* the medium by its ledger number, else its serial */
		row_field(p, "object.device", "", b, sizeof(b));
		if (row_tok(p, "object.regno")->type == J_STR)
			row_field(p, "object.regno", "", a, sizeof(a));
		else
			row_field(p, "object.serial", "", a, sizeof(a));
		snprintf(row->object, sizeof(row->object), "device %s%s%s", b, *a ? " " : "", a);
	} else if (addr->type == J_STR) {
		row_field(p, "object.address", "", a, sizeof(a));
		row_field(p, "object.port", "?", b, sizeof(b));
		row_field(p, "object.proto", "?", c, sizeof(c));
		snprintf(row->object, sizeof(row->object),
			 strchr(a, ':') ? "[%s]:%s/%s" : "%s:%s/%s", a, b, c);
	} else if (row_tok(p, "object.dev")->type == J_STR) {
		row_field(p, "object.dev", "", b, sizeof(b));
		row_field(p, "object.ino", "?", c, sizeof(c));
		snprintf(row->object, sizeof(row->object), "dev %s ino %s", b, c);
	} else {
		snprintf(row->object, sizeof(row->object), "-");
	}
}

/* The whole of @p is one JSON object (and white space): its members are in p->found. */
static bool jline(struct jparse *p)
{
	struct jtok top;

	if (!jvalue(p, 0, NULL, &top))
		return false;
	jspace(p);
	if (p->i != p->n)
		return jfail(p, "text after the object");
	if (top.type != J_OBJ)
		return jfail(p, "not a JSON object");
	return true;
}

/**
 * dlp_log_line_to_row() - one line of the decision log as columns for a table
 * @line:   the line, without or with its newline
 * @len:    its length in bytes
 * @row:    set on success
 * @why:    on error, what is wrong with the line
 * @whylen: size of @why
 *
 * The line must be one strict JSON object (RFC 8259, UTF-8) whose "type" is
 * a string, with no member that a row shows given twice.  A decision shows
 * time, user, action, object, rule and verdict; a "lost" line shows how
 * many records were lost; a "device" line the event (attach, change,
 * detach), the device and its ledger entry or serial, and the ledger's
 * verdict; a "guard" line what dlpguard.ko did (attach, detach, released,
 * guarded), the disk and its serial, and its state; a "policy" line who,
 * the event, the policy's name and generation; a "label" line who, the
 * file and the label it now has; a type this code does not know shows its
 * name as the action.  Strings are decoded, with control characters shown as '?'.
 *
 * Return: 0, or -EINVAL with @why set.
 */
int dlp_log_line_to_row(const char *line, size_t len, struct dlp_log_row *row, char *why,
			size_t whylen)
{
	struct jparse p = { .s = line, .n = len };
	const struct jtok *type;
	char reason[24], mode[16], n[24];

	if (!jline(&p))
		goto bad;
	type = row_tok(&p, "type");
	if (type->type != J_STR) {
		snprintf(why, whylen, "no \"type\" string");
		return -EINVAL;
	}

	memset(row, 0, sizeof(*row));
	row_field(&p, "time", "-", row->time, sizeof(row->time));
	/* "2026-04-01T09:00:00.123456789+09:00" -> "2026-04-01 09:00:00" */
	if (strlen(row->time) >= 19) {
		row->time[10] = ' ';
		row->time[19] = '\0';
	}
	if (tok_is(type, "lost")) {
		row_field(&p, "lost", "?", n, sizeof(n));
		snprintf(row->user, sizeof(row->user), "-");
		snprintf(row->action, sizeof(row->action), "lost");
		snprintf(row->object, sizeof(row->object), "%s record%s not logged", n,
			 strcmp(n, "1") ? "s" : "");
		snprintf(row->rule, sizeof(row->rule), "-");
		snprintf(row->verdict, sizeof(row->verdict), "-");
		return 0;
	}
	if (tok_is(type, "device")) {
		char devnode[64], id[128];

		row_field(&p, "event", "?", row->action, sizeof(row->action));
		row_field(&p, "devnode", "?", devnode, sizeof(devnode));
		if (row_tok(&p, "regno")->type == J_STR)
			row_field(&p, "regno", "", id, sizeof(id));
		else
			row_field(&p, "serial", "-", id, sizeof(id));
		snprintf(row->user, sizeof(row->user), "-");
		snprintf(row->object, sizeof(row->object), "%s %s", devnode, id);
		snprintf(row->rule, sizeof(row->rule), "(ledger)");
		row_field(&p, "verdict", "-", row->verdict, sizeof(row->verdict));
		return 0;
	}
	if (tok_is(type, "guard")) {
		char name[40], serial[128];

		row_field(&p, "event", "?", row->action, sizeof(row->action));
		row_field(&p, "name", "?", name, sizeof(name));
		row_field(&p, "serial", "-", serial, sizeof(serial));
		snprintf(row->user, sizeof(row->user), "-");
		snprintf(row->object, sizeof(row->object), "/dev/%s %s", name, serial);
		snprintf(row->rule, sizeof(row->rule), "(module)");
		row_field(&p, "state", "-", row->verdict, sizeof(row->verdict));
		return 0;
	}
	if (tok_is(type, "policy")) {
		char event[16], name[160], gen[16];

		row_user(&p, "by", row);
		snprintf(row->action, sizeof(row->action), "policy");
		row_field(&p, "event", "?", event, sizeof(event));
		row_field(&p, "name", "?", name, sizeof(name));
		row_field(&p, "generation", "?", gen, sizeof(gen));
		snprintf(row->object, sizeof(row->object), "%s %s, generation %s", event, name,
			 gen);
		snprintf(row->rule, sizeof(row->rule), "-");
		snprintf(row->verdict, sizeof(row->verdict), "-");
		return 0;
	}
	if (tok_is(type, "label")) {
		char class[12], integrity[11]; /* "機密性3A", "完全性2" */

		row_user(&p, "by", row);
		snprintf(row->action, sizeof(row->action), "label");
		row_field(&p, "path", "?", row->object, sizeof(row->object));
		snprintf(row->rule, sizeof(row->rule), "-");
		row_field(&p, "class", "", class, sizeof(class));
		row_field(&p, "integrity", "", integrity, sizeof(integrity));
		snprintf(row->verdict, sizeof(row->verdict), "%s%s%s", class,
			 *class && *integrity ? " " : "", *class || *integrity ? integrity : "-");
		return 0;
	}
	if (!tok_is(type, "decision")) {
		char name[sizeof(row->action) - 2];

		jcopy(type, name, sizeof(name));
		snprintf(row->action, sizeof(row->action), "(%s)", name);
		snprintf(row->user, sizeof(row->user), "-");
		snprintf(row->object, sizeof(row->object), "-");
		snprintf(row->rule, sizeof(row->rule), "-");
		snprintf(row->verdict, sizeof(row->verdict), "-");
		return 0;
	}
	row_user(&p, "subject", row);
	row_field(&p, "action", "-", row->action, sizeof(row->action));
	row_object(&p, row);
	if (row_tok(&p, "rule")->type == J_STR) {
		row_field(&p, "rule", "", row->rule, sizeof(row->rule));
	} else {
		row_field(&p, "reason", "?", reason, sizeof(reason));
		snprintf(row->rule, sizeof(row->rule), "(%s)",
			 !strcmp(reason, "no-policy") ? "no policy" : reason);
	}
	row_field(&p, "verdict", "-", row->verdict, sizeof(row->verdict));
	row_field(&p, "mode", "", mode, sizeof(mode));
	if (!strcmp(mode, "monitor") && !strcmp(row->verdict, "deny"))
		snprintf(row->verdict, sizeof(row->verdict), "deny (monitor)");
	return 0;

bad:
	snprintf(why, whylen, "%s at byte %zu", p.why, p.i + 1);
	return -EINVAL;
}

/* A member that is a whole number below 2^64 into @v; false if it is not one. */
static bool row_u64(const struct jparse *p, const char *key, __u64 *v)
{
	const struct jtok *tok = row_tok(p, key);
	char buf[24], *end;

	if (tok->type != J_NUM || tok->n >= sizeof(buf))
		return false;
	jcopy(tok, buf, sizeof(buf));
	if (buf[0] < '0' || buf[0] > '9')
		return false;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return !errno && !*end;
}

/* The line @s (@n bytes, no newline) as a mark, if it is a decision or a guard line. */
static void log_mark_parse(struct log_mark *m, const char *s, size_t n)
{
	struct jparse p = { .s = s, .n = n };
	__u64 pid, tgid, uid;

	memset(m, 0, sizeof(*m));
	if (!jline(&p))
		return;
	if (tok_is(row_tok(&p, "type"), "guard")) {
		if (!row_u64(&p, "boot_ns", &m->boot_ns) || !row_u64(&p, "seq", &m->seq) ||
		    row_tok(&p, "name")->type != J_STR)
			return;
		row_field(&p, "name", "", m->name, sizeof(m->name));
		row_field(&p, "event", "", m->action, sizeof(m->action));
		m->kind = MARK_GUARD;
		return;
	}
	if (!tok_is(row_tok(&p, "type"), "decision") || !row_u64(&p, "boot_ns", &m->boot_ns) ||
	    !row_u64(&p, "subject.pid", &pid) || !row_u64(&p, "subject.tgid", &tgid) ||
	    !row_u64(&p, "subject.uid", &uid) || pid > UINT32_MAX || tgid > UINT32_MAX ||
	    uid > UINT32_MAX)
		return;
	m->pid = pid;
	m->tgid = tgid;
	m->uid = uid;
	row_field(&p, "hook", "", m->hook, sizeof(m->hook));
	row_field(&p, "action", "", m->action, sizeof(m->action));
	row_field(&p, "verdict", "", m->verdict, sizeof(m->verdict));
	m->kind = MARK_DECISION;
}

/*
 * The end of the log as dlp_log_open() finds it: torn if the last byte is not
 * a newline; the last line, if a whole decision, as the mark (also one whose
 * newline alone is missing: the newline the next write starts with ends it).
 * A log that cannot be read is taken as it is: the first record is then
 * written even if it is there (twice, never lost).
 */
static void log_read_end(struct dlp_log *log)
{
	struct stat st;
	size_t n, end, got = 0;
	const char *line;
	char *buf;
	off_t off;
	ssize_t r;

	if (fstat(log->fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return;
	n = st.st_size < DLP_LOG_LINE_MAX ? (size_t)st.st_size : DLP_LOG_LINE_MAX;
	off = st.st_size - n;
	buf = malloc(n);
	if (!buf)
		return;
	while (got < n) {
		r = pread(log->fd, buf + got, n - got, off + got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	if (got == n) {
		end = n;
		if (buf[n - 1] == '\n')
			end--;
		else
			log->torn = true;
		line = memrchr(buf, '\n', end);
		if (line)
			line++;
		else if (!off)
			line = buf;
		if (line)
			log_mark_parse(&log->last, line, buf + end - line);
	}
	free(buf);
}
