/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What dlpguard can enforce on this machine, and why not where it cannot:
 * the answer of `dlpctl doctor`.  Facts are read once (dlp_doctor_gather(),
 * all the I/O), then judged (dlp_doctor_judge(), pure, so a unit test can
 * hand it the facts of a Debian 12 VM or of a PC without BPF LSM), then
 * printed (dlp_doctor_print()).
 *
 * Every fact that is a yes or no is an int: 1 yes, 0 no, -errno when it
 * could not be read (the pins and the pinned policy usually need root:
 * systemd mounts /sys/fs/bpf with mode 0700, and opening a pinned map is
 * refused to others).  Judgement says "unknown" for those, and why, rather
 * than guess.
 *
 * Each control gets one status:
 *
 *	enforced      attached, and the policy in force is in enforce mode
 *	monitor-only  attached, the policy in monitor mode: decided and logged, nothing refused
 *	not-enforced  this machine can, but nothing is attached (dlpd has not loaded it)
 *	unavailable   this machine cannot, as it is configured; the fix says what to change
 *	unused        not loaded because the policy in force does not call for it
 *	unknown       a fact it depends on could not be read
 *
 * and a gap flag: whether its absence leaves part of the policy undecided.
 * A control that is unavailable while another one does its work (the module
 * while the BPF programs guard media writes; the cgroup socket hooks while the
 * LSM ones judge the network) leaves no gap.
 */
#ifndef DLP_DOCTOR_H
#define DLP_DOCTOR_H

#include <stdbool.h>
#include <stdio.h>

#include <linux/types.h>

/* Where the facts are read. */
#define DLP_DOCTOR_BTF	  "/sys/kernel/btf/vmlinux"
#define DLP_DOCTOR_LSM	  "/sys/kernel/security/lsm"
#define DLP_DOCTOR_CGROUP "/sys/fs/cgroup"
#define DLP_DOCTOR_BPFFS  "/sys/fs/bpf"
#define DLP_DOCTOR_MODULE "/sys/module/dlpguard"
/* The copy of the policy in force that dlpd keeps (docs/dlpd.md). */
#define DLP_DOCTOR_IN_FORCE "/run/dlpguard/policy.in-force"

#define DLP_DOCTOR_MAX_LINKS 64
#define DLP_DOCTOR_LINK_NAME 96

/* What dlp_doctor_gather() reads. */
struct dlp_doctor_facts {
	char release[65];     /* uname -r; "" if unknown */
	bool root;	      /* effective uid 0 */
	int btf;	      /* the kernel's BTF is readable */
	int bpf_lsm;	      /* "bpf" is among the active LSMs */
	char lsm[256];	      /* the active LSMs, as the kernel lists them */
	int cgroup2;	      /* cgroup v2 is mounted at DLP_DOCTOR_CGROUP */
	char cgroup2_at[256]; /* else where it is mounted, "" if nowhere */
	int bpffs;	      /* a BPF filesystem is mounted at DLP_DOCTOR_BPFFS */
	int links;	      /* links pinned in DLP_PIN_DIR/links: how many, or -errno */
	unsigned int nlink_names;
	char link_names[DLP_DOCTOR_MAX_LINKS][DLP_DOCTOR_LINK_NAME]; /* OBJECT-PROGRAM, sorted */
	/*
	 * The pinned policy's enum dlp_mode, or -errno: -ENOENT when no policy
	 * is pinned, -EPROTO when its abi_version is not DLP_ABI_VERSION.
	 */
	int mode;
	__u32 abi_version;    /* as pinned, when it could be read */
	int xattr_kfunc;      /* the kernel has bpf_get_file_xattr (label attributes) */
	int setattr_nargs;    /* arguments of bpf_lsm_inode_setattr, or -errno */
	int kmod;	      /* the module dlpguard is loaded */
	int ctl_socket;	      /* dlpd's control socket exists */
	int policy;	      /* DLP_DOCTOR_IN_FORCE exists and parses */
	char label_xattr[64]; /* its 'label xattr' name, "" if none */
};

enum dlp_doctor_status {
	DLP_DOCTOR_ENFORCED = 0,
	DLP_DOCTOR_MONITOR,
	DLP_DOCTOR_NOT_ENFORCED,
	DLP_DOCTOR_UNAVAILABLE,
	DLP_DOCTOR_UNUSED,
	DLP_DOCTOR_UNKNOWN,
	DLP_DOCTOR_NSTATUS,
};

/* The controls, in the order they are reported. */
enum dlp_doctor_control {
	DLP_DOCTOR_MEDIA_MOUNT = 0, /* mounts of removable media (ledger, rules) */
	DLP_DOCTOR_MEDIA_RAW,	    /* raw writes to media block devices, BLKROSET, SG_IO */
	DLP_DOCTOR_MEDIA_TAINT,	    /* writes to media judged by the writer's taint */
	DLP_DOCTOR_PATHS,	    /* write/modify/delete path rules, 完全性 protection */
	DLP_DOCTOR_LABEL_XATTR,	    /* label attributes read by the kernel */
	DLP_DOCTOR_NET_LSM,	    /* connect and send by LSM hooks, with taint */
	DLP_DOCTOR_NET_CGROUP,	    /* connect and send by cgroup hooks, without taint */
	DLP_DOCTOR_KMOD,	    /* the module's write guard at attach */
	DLP_DOCTOR_NCONTROLS,
};

/*
 * dlp_doctor_judge()'s overall answer, and dlpctl doctor's exit status; dlpctl
 * keeps 3 to 5 for these (user/dlpctl/dlpctl.h).
 */
enum {
	DLP_DOCTOR_EXIT_OK = 0,	     /* every control enforced, or not needed */
	DLP_DOCTOR_EXIT_MONITOR = 3, /* otherwise fine, but the policy is in monitor mode */
	DLP_DOCTOR_EXIT_GAP = 4,     /* a control the policy needs is not enforced */
	DLP_DOCTOR_EXIT_UNKNOWN = 5, /* no gap seen, but facts could not be read (not root) */
};

struct dlp_doctor_line {
	enum dlp_doctor_control control;
	enum dlp_doctor_status status;
	bool gap;	  /* part of the policy goes undecided without it */
	char reason[512]; /* why this status */
	char fix[512];	  /* what to change; "" when nothing */
};

#define DLP_DOCTOR_NFACTS 15
#define DLP_DOCTOR_NNOTES 4

struct dlp_doctor_report {
	struct {
		const char *key; /* stable: see dlp_doctor_judge() */
		char value[320];
	} facts[DLP_DOCTOR_NFACTS];
	struct dlp_doctor_line lines[DLP_DOCTOR_NCONTROLS];
	char notes[DLP_DOCTOR_NNOTES][256];
	unsigned int nnotes;
	int exit_status; /* DLP_DOCTOR_EXIT_* */
};

extern const char *const dlp_doctor_status_names[DLP_DOCTOR_NSTATUS];
extern const char *const dlp_doctor_control_keys[DLP_DOCTOR_NCONTROLS];
extern const char *const dlp_doctor_control_titles[DLP_DOCTOR_NCONTROLS];

int dlp_doctor_gather(struct dlp_doctor_facts *f);
void dlp_doctor_judge(const struct dlp_doctor_facts *f, struct dlp_doctor_report *r);
int dlp_doctor_print(const struct dlp_doctor_report *r, FILE *out, bool json);

#endif /* DLP_DOCTOR_H */
