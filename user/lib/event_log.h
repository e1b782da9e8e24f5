/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decision log: one JSON line per decision record (struct dlp_event) the
 * BPF programs report, enriched with what only user space knows (rule ids,
 * user names, executables, the policy's SHA-256, wall-clock time), one line
 * per batch of records the ring buffer had no room for, and the file they are
 * appended to.  The format is described above dlp_event_to_json() and dlp_lost_to_json().
 *
 * dlpd, for each batch read from the ring buffer:
 *
 *	dlp_log_clock_sync(&ctx);
 *	for each record e:
 *		n = dlp_event_to_json(e, &ctx, line, sizeof(line));
 *		dlp_log_write(log, line);
 *	if the summed DLP_STAT_LOST counter grew by k:
 *		dlp_lost_to_json(k, boot_now, &ctx, line, sizeof(line));
 *		dlp_log_write(log, line);
 *	dlp_log_sync(log);
 */
#ifndef DLP_EVENT_LOG_H
#define DLP_EVENT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dlpguard/event.h>
#include <dlpguard/kmod.h>

#include "devices.h"
#include "policy.h"

/* The "format" member of every line; bumped when a member changes meaning. */
#define DLP_LOG_FORMAT 1

/*
 * No line is longer than this, newline and NUL included: the longest
 * members are the executable (PATH_MAX bytes, six per byte when escaped),
 * up to 64 zone names of 64 bytes, and the 255-byte path.
 */
#define DLP_LOG_LINE_MAX 65536

#define DLP_LOG_DEFAULT_PATH "/var/log/dlpguard/decisions.jsonl"

/*
 * Names of the values a record carries, indexed by value, NULL after the
 * last.  Actions, verdicts, modes and protocols use the policy language's
 * spellings (dlp_action_names and the others, names.c).
 */
extern const char *const dlp_hook_names[];
extern const char *const dlp_reason_names[];
extern const char *const dlp_class_names[];
extern const char *const dlp_integrity_names[];

/*
 * Values of the enumerations that have no COUNT member in the ABI headers.
 * The name tables are checked against these, so keep them in step when a
 * value is appended there.
 */
#define DLP_LOG_REASON_COUNT (DLP_REASON_NO_POLICY + 1)
#define DLP_LOG_MODE_COUNT   (DLP_MODE_MONITOR + 1)
#define DLP_LOG_PROTO_COUNT  (DLP_PROTO_UDP + 1)
#define DLP_LOG_CLASS_COUNT  (DLP_CLASS_MAX + 1)
#define DLP_LOG_INTEG_COUNT  (DLP_INTEG_MAX + 1)

/*
 * What the log asks of the system, behind pointers so that tests can answer
 * instead.  Each returns 0 and a NUL-terminated string in @buf, -ENOENT if
 * there is no answer (unknown uid; process gone), -ESRCH if the process is
 * no longer the one the record names, -ERANGE if @len is too small, or
 * another -errno.  Any error makes the member null: the log never guesses.
 */
struct dlp_log_lookup {
	/* uid -> account name (dlp_log_lookup_system: getpwuid_r). */
	int (*user_name)(__u32 uid, char *buf, size_t len);
	/*
	 * The executable of process @tgid, whose thread @pid was called @comm
	 * when it was recorded (dlp_log_lookup_system: /proc/TGID/exe, checked
	 * against /proc/TGID/task/PID/comm).
	 */
	int (*exe_path)(__u32 tgid, __u32 pid, const char *comm, char *buf, size_t len);
};

extern const struct dlp_log_lookup dlp_log_lookup_system;

/* A compiled policy and the generation it was applied as. */
struct dlp_log_policy {
	const struct dlp_policy *policy; /* NULL: slot unused */
	__u32 generation;
};

/* The policy in force, and the one before it for records still in flight. */
#define DLP_LOG_POLICIES 2

/* What turning records into lines needs, filled by dlpd. */
struct dlp_log_ctx {
	/*
	 * Records name their policy by generation; rule ids, the SHA-256 and
	 * zone names come from the slot with that generation.  Slot 0 is the
	 * policy in force: lost-record lines name it.
	 */
	struct dlp_log_policy policies[DLP_LOG_POLICIES];
	/* CLOCK_REALTIME - CLOCK_BOOTTIME, set by dlp_log_clock_sync(). */
	__s64 boot_to_real_ns;
	/* Half the width of the window the offset was measured in. */
	__s64 clock_error_ns;
	const struct dlp_log_lookup *lookup; /* NULL: &dlp_log_lookup_system */
	/*
	 * The block device numbered @dev (major << 20 | minor) as dlpd judged
	 * it, or NULL if it knows none: a medium's ledger entry is looked up
	 * by its identity in the record's policy.  NULL: no medium is named.
	 */
	const struct dlp_device *(*device)(void *arg, __u32 dev);
	void *device_arg;
};

int dlp_log_clock_sync(struct dlp_log_ctx *ctx);
int dlp_log_format_time(__u64 boot_ns, const struct dlp_log_ctx *ctx, char *buf, size_t len);

int dlp_event_to_json(const struct dlp_event *e, const struct dlp_log_ctx *ctx, char *buf,
		      size_t len);
int dlp_lost_to_json(__u64 lost_since_last, __u64 boot_ns, const struct dlp_log_ctx *ctx, char *buf,
		     size_t len);

/* How a policy came to be in force (dlp_policy_to_json()). */
enum dlp_log_policy_event {
	DLP_LOG_POLICY_START,  /* dlpd loaded the programs with it */
	DLP_LOG_POLICY_ADOPT,  /* dlpd found it pinned, in force, and kept it */
	DLP_LOG_POLICY_APPLY,  /* put in force by `dlpctl policy apply`, or by dlpd's start */
	DLP_LOG_POLICY_RELOAD, /* the policy file read again: SIGHUP, `dlpctl policy reload` */
	DLP_LOG_POLICY_LABELS, /* the same policy applied again for a label set (`dlpctl label set`) */
};

int dlp_policy_to_json(enum dlp_log_policy_event event, const char *name, long long by_uid,
		       const char *reason, __u64 boot_ns, const struct dlp_log_ctx *ctx, char *buf,
		       size_t len);
int dlp_label_to_json(const char *path, const char *attribute, __u8 class, __u8 integrity,
		      const char *prev, long long by_uid, const char *reason, __u64 boot_ns,
		      const struct dlp_log_ctx *ctx, char *buf, size_t len);
int dlp_device_to_json(enum dlp_device_action action, const struct dlp_device *d,
		       const struct dlp_media_dev *v, __u64 boot_ns, const struct dlp_log_ctx *ctx,
		       char *buf, size_t len);
int dlp_guard_to_json(const struct dlpguard_event *e, const struct dlp_log_ctx *ctx, char *buf,
		      size_t len);

/* The group a new decision log is given, if the system has it: Debian's log readers. */
#define DLP_LOG_GROUP "adm"

struct dlp_log;

struct dlp_log *dlp_log_open(const char *path, int *err);
int dlp_log_write(struct dlp_log *log, const char *line);
bool dlp_log_has(struct dlp_log *log, const struct dlp_event *e);
bool dlp_log_has_guard(struct dlp_log *log, const struct dlpguard_event *e);
bool dlp_log_torn(const struct dlp_log *log);
int dlp_log_sync(struct dlp_log *log);
void dlp_log_close(struct dlp_log *log);

/* One line of the log as `dlpctl log tail` prints it: each column a string. */
struct dlp_log_row {
	char time[24]; /* "2026-04-01 09:00:00", JST */
	char user[72]; /* account name, else the uid */
	char action[24];
	char object[288]; /* path, device, or address:port/proto */
	char rule[48];	  /* rule id, else (default), (ledger), (no policy) */
	char verdict[24]; /* "deny (monitor)" when monitor mode let it through */
};

int dlp_log_line_to_row(const char *line, size_t len, struct dlp_log_row *row, char *why,
			size_t whylen);

#endif /* DLP_EVENT_LOG_H */
