/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One decision, as the BPF programs report it through the ring buffer
 * (map dlp_events) and dlpd reads it.  Every deny and every audit verdict
 * makes one record; a record that cannot be reserved is counted in
 * dlp_stats[DLP_STAT_LOST] instead, never silently dropped.
 *
 * Versioned and size-checked: a reader accepts a record only if version is
 * DLP_EVENT_VERSION and size is sizeof(struct dlp_event); fields are only
 * ever appended, with the version bumped.
 */
#ifndef DLPGUARD_EVENT_H
#define DLPGUARD_EVENT_H

#include <dlpguard/abi.h>

#define DLP_EVENT_VERSION	1
#define DLP_EVENT_PATH_MAX	256	/* bytes of path kept, NUL included */
#define DLP_COMM_LEN		16

/* Which hook decided.  Values are stored in the log: append only. */
enum dlp_hook {
	DLP_HOOK_SB_MOUNT = 0,
	DLP_HOOK_MOVE_MOUNT = 1,
	DLP_HOOK_SB_REMOUNT = 2,
	DLP_HOOK_FILE_OPEN = 3,
	DLP_HOOK_FILE_PERMISSION = 4,
	DLP_HOOK_MMAP_FILE = 5,
	DLP_HOOK_FILE_MPROTECT = 6,
	DLP_HOOK_FILE_IOCTL = 7,
	DLP_HOOK_INODE_CREATE = 8,
	DLP_HOOK_INODE_LINK = 9,
	DLP_HOOK_INODE_RENAME = 10,
	DLP_HOOK_INODE_UNLINK = 11,
	DLP_HOOK_PATH_TRUNCATE = 12,
	DLP_HOOK_SOCKET_CONNECT = 13,
	DLP_HOOK_SOCKET_SENDMSG = 14,
	DLP_HOOK_CGROUP_CONNECT4 = 15,
	DLP_HOOK_CGROUP_CONNECT6 = 16,
	DLP_HOOK_CGROUP_SENDMSG4 = 17,
	DLP_HOOK_CGROUP_SENDMSG6 = 18,
	DLP_HOOK_INODE_SETATTR = 19,	/* truncation */
	DLP_HOOK_INODE_MKDIR = 20,
	DLP_HOOK_INODE_SYMLINK = 21,
	DLP_HOOK_INODE_MKNOD = 22,
	DLP_HOOK_FILE_IOCTL_COMPAT = 23,
	DLP_HOOK_INODE_RMDIR = 24,
	DLP_HOOK_INODE_SETXATTR = 25,
	DLP_HOOK_INODE_REMOVEXATTR = 26,
	DLP_HOOK_COUNT,
};

/* Counters in the per-CPU array dlp_stats, summed over CPUs by the reader. */
enum dlp_stat {
	DLP_STAT_LOST = 0,		/* records the ring buffer had no room for */
	DLP_STAT_DECISIONS = 1,		/* rule walks: requests that reached the rules */
	DLP_STAT_DENIED = 2,		/* denies returned to the kernel (enforce mode) */
	DLP_STAT_WOULD_DENY = 3,	/* denies monitor mode let through */
	DLP_STAT_COUNT,
};

/* 352 bytes. */
struct dlp_event {
	__u16 version;		/* DLP_EVENT_VERSION */
	__u16 size;		/* sizeof(struct dlp_event) */
	__u8 hook;		/* enum dlp_hook */
	__u8 action;		/* enum dlp_action */
	__u8 verdict;		/* enum dlp_verdict, as decided */
	__u8 reason;		/* enum dlp_reason */
	__u64 time_ns;		/* bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME */
	__u64 cgroup_id;
	__u32 pid;		/* thread id */
	__u32 tgid;		/* process id */
	__u32 uid;
	__u32 generation;	/* the policy's, from struct dlp_config */
	__u16 rule;		/* DLP_REASON_RULE: the rule's index in the policy */
	__u8 mode;		/* enum dlp_mode the decision was made in */
	__u8 taint;		/* enum dlp_class of the process */
	__u8 label_class;	/* the file's 機密性 rank, 0 if none or no file */
	__u8 label_integrity;
	__u8 family;		/* AF_INET, AF_INET6, or 0 when no address */
	__u8 proto;		/* enum dlp_proto */
	__u32 dev;		/* the device (major << 20 | minor), 0 if none */
	__u16 port;		/* destination port, host byte order */
	__u16 pad;
	__u64 ino;		/* the file's inode number, 0 if none */
	__u8 addr[16];		/* destination, IPv4 as ::ffff:a.b.c.d */
	char comm[DLP_COMM_LEN];
	/*
	 * The full path where the hook allows bpf_d_path; for the inode hooks
	 * (create, mkdir, symlink, mknod, link, rename) the new entry's name
	 * only; else "".
	 */
	char path[DLP_EVENT_PATH_MAX];
};

_Static_assert(sizeof(struct dlp_event) == 352, "struct dlp_event changed size: bump DLP_EVENT_VERSION");

#endif /* DLPGUARD_EVENT_H */
