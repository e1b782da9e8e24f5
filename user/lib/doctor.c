// SPDX-License-Identifier: GPL-2.0
/*
 * dlpctl doctor (doctor.h): read the facts, judge each control, print.
 *
 * The judgement follows what dlpd does with the facts: it loads every
 * object through one loader, so a kernel without BTF or without a fitting
 * inode_setattr stops all of them; BPF LSM programs run only when bpf is in
 * the active LSM list, so pinned links alone prove nothing there; it loads the
 * label-attribute object only for a user.* 'label xattr' on a kernel with
 * bpf_get_file_xattr; and it pins one link per program as OBJECT-PROGRAM.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/magic.h>

#include <bpf/bpf.h>

#include <dlpguard/rule.h>

#include "ctl_proto.h"
#include "doctor.h"
#include "kernel_btf.h"
#include "pins.h"
#include "policy.h"

/* The largest policy copy read; dlpd's own limit is far below. */
#define IN_FORCE_MAX (1 << 20)

/* The lsm= list suggested when the active one cannot be read: Debian's, with bpf. */
#define LSM_EXAMPLE "landlock,lockdown,yama,apparmor"

const char *const dlp_doctor_status_names[DLP_DOCTOR_NSTATUS] = {
	[DLP_DOCTOR_ENFORCED] = "enforced",
	[DLP_DOCTOR_MONITOR] = "monitor-only",
	[DLP_DOCTOR_NOT_ENFORCED] = "not-enforced",
	[DLP_DOCTOR_UNAVAILABLE] = "unavailable",
	[DLP_DOCTOR_UNUSED] = "unused",
	[DLP_DOCTOR_UNKNOWN] = "unknown",
};

const char *const dlp_doctor_control_keys[DLP_DOCTOR_NCONTROLS] = {
	[DLP_DOCTOR_MEDIA_MOUNT] = "media-mount",	 [DLP_DOCTOR_MEDIA_RAW] = "media-raw-write",
	[DLP_DOCTOR_MEDIA_TAINT] = "media-write-taint",	 [DLP_DOCTOR_PATHS] = "path-rules",
	[DLP_DOCTOR_LABEL_XATTR] = "label-xattr-kernel", [DLP_DOCTOR_NET_LSM] = "net-lsm",
	[DLP_DOCTOR_NET_CGROUP] = "net-cgroup",		 [DLP_DOCTOR_KMOD] = "module-write-guard",
};

const char *const dlp_doctor_control_titles[DLP_DOCTOR_NCONTROLS] = {
	[DLP_DOCTOR_MEDIA_MOUNT] = "removable-media mounts",
	[DLP_DOCTOR_MEDIA_RAW] = "raw writes to media (block devices, BLKROSET, SG_IO)",
	[DLP_DOCTOR_MEDIA_TAINT] = "writes to media, judged by the writer's taint",
	[DLP_DOCTOR_PATHS] = "write/modify/delete path rules and 完全性 protection",
	[DLP_DOCTOR_LABEL_XATTR] = "label attributes read in the kernel",
	[DLP_DOCTOR_NET_LSM] = "network by LSM hooks (with taint)",
	[DLP_DOCTOR_NET_CGROUP] = "network by cgroup hooks (without taint)",
	[DLP_DOCTOR_KMOD] = "the module's write guard at attach",
};

/*
 * The links each control needs pinned (as the loader names them), NULL
 * ended.  A link missing from the pins means a dlpd of another version, or
 * pins left half-made: that control is not enforced.
 */
static const char *const mount_links[] = {
	"media_bpf-dlp_media_sb_kern_mount",
	"media_bpf-dlp_media_sb_remount",
	NULL,
};
static const char *const raw_links[] = {
	"media_bpf-dlp_media_file_open",
	"media_bpf-dlp_media_file_permission",
	"media_bpf-dlp_media_file_ioctl",
	NULL,
};
static const char *const taint_links[] = {
	"taint_bpf-dlp_taint_open",
	"taint_bpf-dlp_taint_receive",
	"taint_bpf-dlp_taint_fork",
	"taint_bpf-dlp_taint_exec",
	"write_bpf-dlp_write_file_open",
	"write_bpf-dlp_write_file_permission",
	"write_bpf-dlp_write_mmap_file",
	"write_bpf-dlp_write_file_mprotect",
	NULL,
};
static const char *const path_links[] = {
	"write_bpf-dlp_write_file_open",
	"write_bpf-dlp_write_file_permission",
	"write_bpf-dlp_write_inode_create",
	"write_bpf-dlp_write_inode_mkdir",
	"write_bpf-dlp_write_inode_symlink",
	"write_bpf-dlp_write_inode_mknod",
	"write_bpf-dlp_write_inode_link",
	"write_bpf-dlp_write_inode_rename",
	"write_bpf-dlp_write_setxattr",
	"integrity_bpf-dlp_integrity_file_open",
	"integrity_bpf-dlp_integrity_file_permission",
	"integrity_bpf-dlp_integrity_inode_create",
	"integrity_bpf-dlp_integrity_inode_mkdir",
	"integrity_bpf-dlp_integrity_inode_symlink",
	"integrity_bpf-dlp_integrity_inode_mknod",
	"integrity_bpf-dlp_integrity_setxattr",
	"integrity_bpf-dlp_integrity_removexattr",
	"integrity_bpf-dlp_integrity_inode_rename",
	"integrity_bpf-dlp_integrity_inode_link",
	"integrity_bpf-dlp_integrity_inode_unlink",
	"integrity_bpf-dlp_integrity_inode_rmdir",
	NULL,
};
/* inode_setattr (truncate) has one program per argument layout: 6.1's two, 6.12's three. */
static const char *const setattr_links_2[] = {
	"write_bpf-dlp_write_setattr",
	"integrity_bpf-dlp_integrity_setattr",
	NULL,
};
static const char *const setattr_links_3[] = {
	"write_bpf-dlp_write_setattr_idmap",
	"integrity_bpf-dlp_integrity_setattr_idmap",
	NULL,
};
static const char *const xattr_links[] = {
	"xattr_bpf-dlp_xattr_open",
	NULL,
};
static const char *const net_lsm_links[] = {
	"net_bpf-dlp_socket_connect",
	"net_bpf-dlp_socket_sendmsg",
	"taint_bpf-dlp_taint_open",
	NULL,
};
static const char *const net_cgroup_links[] = {
	"net_bpf-dlp_connect4",
	"net_bpf-dlp_connect6",
	"net_bpf-dlp_sendmsg4",
	"net_bpf-dlp_sendmsg6",
	NULL,
};

/* ---------------------------------------------------------------------------
 * Facts
 */

/* 1 if @path exists, 0 if not, -errno if that cannot be told. */
static int exists(const char *path)
{
	if (!access(path, F_OK))
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

/* 1 if the filesystem mounted at @path has @magic, 0 if another (or none), -errno. */
static int fs_is(const char *path, unsigned long magic)
{
	struct statfs st;

	if (statfs(path, &st))
		return errno == ENOENT ? 0 : -errno;
	return (unsigned long)st.f_type == magic;
}

static void read_lsm(struct dlp_doctor_facts *f)
{
	char *tok, *save, list[sizeof(f->lsm)];
	size_t n;
	FILE *in;

	in = fopen(DLP_DOCTOR_LSM, "re");
	if (!in) {
		f->bpf_lsm = -errno;
		return;
	}
	n = fread(f->lsm, 1, sizeof(f->lsm) - 1, in);
	f->bpf_lsm = ferror(in) ? -EIO : 0;
	fclose(in);
	f->lsm[n] = '\0';
	f->lsm[strcspn(f->lsm, "\n")] = '\0';
	if (f->bpf_lsm)
		return;
	memcpy(list, f->lsm, sizeof(list));
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, "bpf"))
			f->bpf_lsm = 1;
}

/* Where cgroup v2 is mounted, when not at DLP_DOCTOR_CGROUP (a hybrid hierarchy). */
static void find_cgroup2(struct dlp_doctor_facts *f)
{
	struct mntent *m;
	FILE *in;

	in = setmntent("/proc/self/mounts", "re");
	if (!in)
		return;
	while ((m = getmntent(in))) {
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(f->cgroup2_at, sizeof(f->cgroup2_at), "%s", m->mnt_dir);
			break;
		}
	}
	endmntent(in);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void read_links(struct dlp_doctor_facts *f)
{
	struct dirent *de;
	size_t len;
	DIR *d;

	d = opendir(DLP_PIN_DIR "/links");
	if (!d) {
		f->links = errno == ENOENT ? 0 : -errno;
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		f->links++;
		/* A longer name is none of dlpguard's: counted, not kept. */
		len = strlen(de->d_name);
		if (f->nlink_names < DLP_DOCTOR_MAX_LINKS && len < DLP_DOCTOR_LINK_NAME)
			memcpy(f->link_names[f->nlink_names++], de->d_name, len + 1);
	}
	closedir(d);
	qsort(f->link_names, f->nlink_names, DLP_DOCTOR_LINK_NAME, cmp_names);
}

/*
 * The pinned dlp_config of the slot in force (dlp_slot; a dlpd of an ABI
 * before slots pinned none, and its policy is at index 0).  Its value size
 * is checked before the lookup: a dlpd of another ABI may have pinned a
 * larger struct, and only its first field, abi_version, is common to all.
 */
static void read_mode(struct dlp_doctor_facts *f)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), key = 0, zero = 0;
	struct dlp_config *cfg = NULL;
	int fd;

	fd = bpf_obj_get(DLP_PIN_DIR "/maps/dlp_slot");
	if (fd >= 0) {
		if (bpf_map_lookup_elem(fd, &zero, &key) || key >= DLP_SLOTS)
			key = 0;
		close(fd);
	}
	fd = bpf_obj_get(DLP_PIN_DIR "/maps/dlp_config");
	if (fd < 0) {
		f->mode = -errno;
		return;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		f->mode = -errno;
		goto out;
	}
	if (info.value_size < sizeof(__u32) || info.value_size > 4096) {
		f->mode = -EPROTO;
		goto out;
	}
	cfg = calloc(1, info.value_size > sizeof(*cfg) ? info.value_size : sizeof(*cfg));
	if (!cfg) {
		f->mode = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &key, cfg)) {
		f->mode = -errno;
		goto out;
	}
	f->abi_version = cfg->abi_version;
	if (cfg->abi_version != DLP_ABI_VERSION || info.value_size != sizeof(*cfg))
		f->mode = -EPROTO;
	else
		f->mode = cfg->mode;
out:
	free(cfg);
	close(fd);
}

/* The copy of the policy in force: only its 'label xattr' matters here. */
static void read_policy(struct dlp_doctor_facts *f)
{
	struct dlp_policy pol;
	struct dlp_diag diag;
	char *src = NULL;
	ssize_t n;
	int fd;

	fd = open(DLP_DOCTOR_IN_FORCE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		f->policy = errno == ENOENT ? 0 : -errno;
		return;
	}
	src = malloc(IN_FORCE_MAX);
	if (!src) {
		f->policy = -ENOMEM;
		goto out;
	}
	n = read(fd, src, IN_FORCE_MAX);
	if (n < 0) {
		f->policy = -errno;
		goto out;
	}
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, DLP_DOCTOR_IN_FORCE, NULL);
	f->policy = dlp_policy_parse(&pol, src, n, &diag) ? -EINVAL : 1;
	if (f->policy == 1 && pol.label_xattr)
		snprintf(f->label_xattr, sizeof(f->label_xattr), "%s", pol.label_xattr);
	dlp_policy_free(&pol);
out:
	free(src);
	close(fd);
}

/**
 * dlp_doctor_gather() - read what decides which controls this machine has
 * @f: filled in; each fact that cannot be read holds -errno
 *
 * Reads the kernel release, its BTF, the active LSM list, the cgroup v2 and
 * BPF filesystem mounts, the pins under DLP_PIN_DIR and the pinned policy's
 * mode, the kernel functions the loader chooses by, the module, dlpd's
 * control socket and the copy of the policy in force.  Changes nothing.
 * Without root the pins and the pinned policy are unreadable (-EACCES or
 * -EPERM).
 *
 * Return: 0.
 */
int dlp_doctor_gather(struct dlp_doctor_facts *f)
{
	struct utsname u;
	struct stat st;
	int n;

	memset(f, 0, sizeof(*f));
	if (!uname(&u))
		snprintf(f->release, sizeof(f->release), "%s", u.release);
	f->root = geteuid() == 0;
	f->btf = access(DLP_DOCTOR_BTF, R_OK) ? (errno == ENOENT ? 0 : -errno) : 1;
	read_lsm(f);
	f->cgroup2 = fs_is(DLP_DOCTOR_CGROUP, CGROUP2_SUPER_MAGIC);
	if (f->cgroup2 != 1)
		find_cgroup2(f);
	f->bpffs = fs_is(DLP_DOCTOR_BPFFS, BPF_FS_MAGIC);
	read_links(f);
	read_mode(f);
	n = f->btf == 1 ? dlp_kernel_func_nargs("bpf_get_file_xattr") : f->btf ? f->btf : -ENOENT;
	f->xattr_kfunc = n >= 0 ? 1 : n == -ENOENT ? 0 : n;
	f->setattr_nargs = f->btf == 1 ? dlp_kernel_func_nargs("bpf_lsm_inode_setattr") :
			   f->btf      ? f->btf :
					 -ENOENT;
	f->kmod = exists(DLP_DOCTOR_MODULE);
	if (!stat(DLP_CTL_SOCKET_PATH, &st))
		f->ctl_socket = S_ISSOCK(st.st_mode);
	else
		f->ctl_socket = errno == ENOENT ? 0 : -errno;
	read_policy(f);
	return 0;
}

/* ---------------------------------------------------------------------------
 * Judgement (no I/O)
 */

__attribute__((format(printf, 4, 5))) static void
say(struct dlp_doctor_line *l, enum dlp_doctor_status status, const char *fix, const char *fmt, ...)
{
	va_list ap;

	l->status = status;
	va_start(ap, fmt);
	vsnprintf(l->reason, sizeof(l->reason), fmt, ap);
	va_end(ap);
	snprintf(l->fix, sizeof(l->fix), "%s", fix);
}

static bool pinned(const struct dlp_doctor_facts *f, const char *name)
{
	unsigned int i;

	for (i = 0; i < f->nlink_names; i++)
		if (!strcmp(f->link_names[i], name))
			return true;
	return false;
}

static const char *first_missing(const struct dlp_doctor_facts *f, const char *const *names)
{
	for (; *names; names++)
		if (!pinned(f, *names))
			return *names;
	return NULL;
}

static bool all_pinned(const struct dlp_doctor_facts *f, const char *const *names)
{
	return f->links > 0 && !first_missing(f, names);
}

/* Why a fact could not be read, and the usual cause. */
static const char *unreadable(int err)
{
	return err == -EACCES || err == -EPERM ? "permission denied (needs root)" : strerror(-err);
}

/* The lsm= list to suggest: the active one without capability (always on), with bpf. */
static void lsm_fix(const struct dlp_doctor_facts *f, char *buf, size_t len)
{
	char list[sizeof(f->lsm)], want[sizeof(f->lsm)] = "", *tok, *save;
	size_t used = 0;

	memcpy(list, f->lsm, sizeof(list));
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "capability") || !strcmp(tok, "bpf"))
			continue;
		used += snprintf(want + used, sizeof(want) - used, "%s%s", used ? "," : "", tok);
		if (used >= sizeof(want)) {
			want[0] = '\0';
			break;
		}
	}
	snprintf(buf, len,
		 "add bpf to the lsm= kernel parameter, e.g. GRUB_CMDLINE_LINUX=\"lsm=%s,bpf\" "
		 "in /etc/default/grub, then update-grub and reboot",
		 f->bpf_lsm == 0 && want[0] ? want : LSM_EXAMPLE);
}

/*
 * What the kernel offers every BPF control (BTF; BPF LSM when @lsm): false
 * when it fails and @l says why.
 */
static bool kernel_ready(const struct dlp_doctor_facts *f, struct dlp_doctor_line *l, bool lsm)
{
	char fix[sizeof(l->fix)];

	if (lsm && f->bpf_lsm == 0) {
		lsm_fix(f, fix, sizeof(fix));
		say(l, DLP_DOCTOR_UNAVAILABLE, fix,
		    "BPF LSM is not active: the active LSMs are %s (" DLP_DOCTOR_LSM "), without "
		    "bpf, and the kernel runs no program on an LSM hook",
		    f->lsm);
		return false;
	}
	if (f->btf == 0) {
		say(l, DLP_DOCTOR_UNAVAILABLE,
		    "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian's kernels are)",
		    "the kernel has no BTF (" DLP_DOCTOR_BTF "): dlpd cannot load its programs");
		return false;
	}
	if (lsm && f->bpf_lsm < 0) {
		say(l, DLP_DOCTOR_UNKNOWN,
		    "mount securityfs (mount -t securityfs securityfs /sys/kernel/security) and "
		    "run dlpctl doctor again",
		    "whether BPF LSM is active cannot be read: " DLP_DOCTOR_LSM ": %s",
		    strerror(-f->bpf_lsm));
		return false;
	}
	if (f->btf < 0) {
		say(l, DLP_DOCTOR_UNKNOWN, "run dlpctl doctor as root",
		    "the kernel's BTF cannot be read: %s", unreadable(f->btf));
		return false;
	}
	return true;
}

/* Whether the links in @names are pinned, and in which mode the pinned policy is. */
static void judge_attached(const struct dlp_doctor_facts *f, struct dlp_doctor_line *l,
			   const char *const *names)
{
	const char *missing;

	if (f->links < 0) {
		say(l, DLP_DOCTOR_UNKNOWN, "run dlpctl doctor as root",
		    "the pins in " DLP_PIN_DIR " cannot be listed: %s", unreadable(f->links));
		return;
	}
	if (f->bpffs == 0) {
		say(l, DLP_DOCTOR_NOT_ENFORCED,
		    "mount -t bpf bpf " DLP_DOCTOR_BPFFS " (systemd does at boot), then start dlpd "
		    "(systemctl start dlpd)",
		    "no BPF filesystem at " DLP_DOCTOR_BPFFS ": nothing can be pinned");
		return;
	}
	if (f->links == 0) {
		say(l, DLP_DOCTOR_NOT_ENFORCED, "start dlpd (systemctl start dlpd)",
		    "nothing is pinned in " DLP_PIN_DIR ": dlpd has not loaded the programs");
		return;
	}
	missing = first_missing(f, names);
	if (missing) {
		say(l, DLP_DOCTOR_NOT_ENFORCED,
		    "load the programs afresh: dlpd --unload, then systemctl start dlpd",
		    "%d links are pinned, but not %s", f->links, missing);
		return;
	}
	switch (f->mode) {
	case DLP_MODE_ENFORCE:
		say(l, DLP_DOCTOR_ENFORCED, "",
		    "attached (pinned in " DLP_PIN_DIR "); the pinned policy is in enforce mode");
		break;
	case DLP_MODE_MONITOR:
		say(l, DLP_DOCTOR_MONITOR,
		    "set 'mode enforce' in the policy and load it: dlpd --unload, then systemctl "
		    "start dlpd",
		    "attached, but the pinned policy is in monitor mode: decided and logged, "
		    "nothing refused");
		break;
	case -EPROTO:
		say(l, DLP_DOCTOR_UNKNOWN,
		    "use the dlpctl that came with the running dlpd, or load this version's: "
		    "dlpd --unload, then systemctl start dlpd",
		    "attached, but the pinned policy has an unknown ABI (version %u; this dlpctl "
		    "reads %u): its mode cannot be read",
		    f->abi_version, DLP_ABI_VERSION);
		break;
	default:
		say(l, DLP_DOCTOR_UNKNOWN,
		    f->mode == -EACCES || f->mode == -EPERM ?
			    "run dlpctl doctor as root" :
			    "load the programs afresh: dlpd --unload, then systemctl start dlpd",
		    "attached, but the pinned policy (" DLP_PIN_DIR "/maps/dlp_config) cannot be "
		    "read: %s",
		    f->mode < 0 ? unreadable(f->mode) : "unknown mode");
		break;
	}
}

static void judge_lsm(const struct dlp_doctor_facts *f, struct dlp_doctor_line *l,
		      const char *const *names)
{
	if (kernel_ready(f, l, true))
		judge_attached(f, l, names);
}

static void judge_paths(const struct dlp_doctor_facts *f, struct dlp_doctor_line *l)
{
	if (!kernel_ready(f, l, true))
		return;
	if (f->setattr_nargs < 0) {
		say(l, DLP_DOCTOR_UNKNOWN, "run dlpctl doctor as root",
		    "the arguments of inode_setattr cannot be read from the kernel's BTF: %s",
		    unreadable(f->setattr_nargs));
		return;
	}
	if (f->setattr_nargs != 2 && f->setattr_nargs != 3) {
		say(l, DLP_DOCTOR_UNAVAILABLE,
		    "run a kernel dlpguard knows (Debian 12's 6.1 or Debian 13's 6.12)",
		    "this kernel's inode_setattr takes %d arguments; dlpguard has programs for 2 "
		    "(6.1) and 3 (6.3 and later): dlpd cannot load",
		    f->setattr_nargs);
		return;
	}
	judge_attached(f, l, path_links);
	if (l->status != DLP_DOCTOR_ENFORCED && l->status != DLP_DOCTOR_MONITOR)
		return;
	judge_attached(f, l, f->setattr_nargs == 2 ? setattr_links_2 : setattr_links_3);
}

static void judge_label_xattr(const struct dlp_doctor_facts *f, struct dlp_doctor_line *l)
{
	bool named = f->policy == 1 && f->label_xattr[0];

	if (!kernel_ready(f, l, true))
		return;
	if (f->xattr_kfunc == 0) {
		say(l, DLP_DOCTOR_UNAVAILABLE,
		    "label attributes are resolved by dlpd instead, which does not scan them yet: "
		    "until it does, label files by directory or name prefix ('label dir', "
		    "'label prefix')",
		    "this kernel has no bpf_get_file_xattr (6.8 and later have it): it cannot read "
		    "label attributes itself");
		return;
	}
	if (f->xattr_kfunc < 0) {
		say(l, DLP_DOCTOR_UNKNOWN, "run dlpctl doctor as root",
		    "whether the kernel has bpf_get_file_xattr cannot be read: %s",
		    unreadable(f->xattr_kfunc));
		return;
	}
	if (named && strncmp(f->label_xattr, "user.", 5)) {
		say(l, DLP_DOCTOR_UNAVAILABLE, "name a user.* attribute in 'label xattr'",
		    "the policy in force names the label attribute '%s'; the kernel reads only "
		    "user.* attributes",
		    f->label_xattr);
		return;
	}
	/* Pinned programs without this one: the loader saw no user.* name in the policy. */
	if (f->links > 0 && f->bpffs != 0 && !pinned(f, xattr_links[0]) && !named) {
		say(l, DLP_DOCTOR_UNUSED, "",
		    "available, not loaded: the policy in force names no label attribute "
		    "('label xattr')");
		return;
	}
	judge_attached(f, l, xattr_links);
}

static void judge_net_cgroup(const struct dlp_doctor_facts *f, struct dlp_doctor_line *l)
{
	char fix[sizeof(l->fix)];

	if (!kernel_ready(f, l, false))
		return;
	/* Attached is attached, whichever cgroup dlpd was given. */
	if (all_pinned(f, net_cgroup_links) || f->cgroup2 > 0) {
		judge_attached(f, l, net_cgroup_links);
		return;
	}
	if (f->cgroup2 < 0) {
		say(l, DLP_DOCTOR_UNKNOWN, "run dlpctl doctor as root",
		    "whether cgroup v2 is mounted at " DLP_DOCTOR_CGROUP " cannot be read: %s",
		    unreadable(f->cgroup2));
		return;
	}
	if (f->cgroup2_at[0]) {
		snprintf(fix, sizeof(fix),
			 "start dlpd with --cgroup %s, or boot with "
			 "systemd.unified_cgroup_hierarchy=1 (cgroup v2 only)",
			 f->cgroup2_at);
		say(l, DLP_DOCTOR_UNAVAILABLE, fix,
		    "cgroup v2 is mounted at %s, not at " DLP_DOCTOR_CGROUP " (a hybrid "
		    "hierarchy), where dlpd attaches by default",
		    f->cgroup2_at);
		return;
	}
	say(l, DLP_DOCTOR_UNAVAILABLE,
	    "boot with systemd.unified_cgroup_hierarchy=1, or mount -t cgroup2 none " DLP_DOCTOR_CGROUP,
	    "cgroup v2 is not mounted: the socket programs have no cgroup to attach to");
}

static bool acting(const struct dlp_doctor_line *l)
{
	return l->status == DLP_DOCTOR_ENFORCED || l->status == DLP_DOCTOR_MONITOR;
}

/* @raw: the raw-write control, judged: the module is its fallback. */
static void judge_kmod(const struct dlp_doctor_facts *f, struct dlp_doctor_line *l,
		       const struct dlp_doctor_line *raw)
{
	const char *fix;

	if (f->kmod > 0) {
		say(l, DLP_DOCTOR_ENFORCED, "", "the module dlpguard is loaded");
		return;
	}
	if (f->kmod < 0) {
		say(l, DLP_DOCTOR_UNKNOWN, "run dlpctl doctor as root",
		    DLP_DOCTOR_MODULE " cannot be read: %s", unreadable(f->kmod));
		return;
	}
	if (acting(raw))
		fix = "install it (scripts/dkms-install.sh: built for this kernel and later ones, "
		      "loaded now and at boot), "
		      "then restart dlpd, which tells it which media may be written; the BPF "
		      "programs guard raw writes to media meanwhile";
	else if (raw->status == DLP_DOCTOR_UNKNOWN)
		fix = "install it (scripts/dkms-install.sh: built for this kernel and later ones, "
		      "loaded now and at boot), "
		      "then restart dlpd";
	else
		fix = "install it (scripts/dkms-install.sh: built for this kernel and later ones, "
		      "loaded now and at boot), "
		      "then restart dlpd: until then nothing refuses raw writes to media on this "
		      "machine";
	say(l, DLP_DOCTOR_UNAVAILABLE, fix,
	    "the module dlpguard is not loaded (no " DLP_DOCTOR_MODULE ")");
}

static const char *yes_no(int v, char *buf, size_t len)
{
	if (v >= 0)
		return v ? "yes" : "no";
	snprintf(buf, len, "unknown (%s)", strerror(-v));
	return buf;
}

/* The facts as printed: stable keys, values in words. */
static void report_facts(const struct dlp_doctor_facts *f, struct dlp_doctor_report *r)
{
	char err[128];
	unsigned int n = 0;

#define FACT(k, ...)                                                                 \
	do {                                                                         \
		r->facts[n].key = (k);                                               \
		snprintf(r->facts[n].value, sizeof(r->facts[n].value), __VA_ARGS__); \
		n++;                                                                 \
	} while (0)

	FACT("kernel", "%s", f->release[0] ? f->release : "unknown");
	FACT("root", "%s", f->root ? "yes" : "no");
	FACT("btf", "%s", yes_no(f->btf, err, sizeof(err)));
	FACT("bpf_lsm", "%s", yes_no(f->bpf_lsm, err, sizeof(err)));
	FACT("lsm", "%s", f->bpf_lsm >= 0 ? f->lsm : "unknown");
	if (f->cgroup2 == 0 && f->cgroup2_at[0])
		FACT("cgroup2", "no (mounted at %s)", f->cgroup2_at);
	else
		FACT("cgroup2", "%s", yes_no(f->cgroup2, err, sizeof(err)));
	FACT("bpffs", "%s", yes_no(f->bpffs, err, sizeof(err)));
	if (f->links >= 0)
		FACT("pinned_links", "%d", f->links);
	else
		FACT("pinned_links", "unknown (%s)", strerror(-f->links));
	if (f->mode == DLP_MODE_ENFORCE || f->mode == DLP_MODE_MONITOR)
		FACT("mode", "%s", f->mode == DLP_MODE_ENFORCE ? "enforce" : "monitor");
	else if (f->mode == -EPROTO)
		FACT("mode", "unknown ABI (version %u; this dlpctl reads %u)", f->abi_version,
		     DLP_ABI_VERSION);
	else if (f->mode == -ENOENT)
		FACT("mode", "none pinned");
	else
		FACT("mode", "unknown (%s)", f->mode < 0 ? strerror(-f->mode) : "bad value");
	FACT("bpf_get_file_xattr", "%s", yes_no(f->xattr_kfunc, err, sizeof(err)));
	if (f->setattr_nargs >= 0)
		FACT("inode_setattr_args", "%d", f->setattr_nargs);
	else
		FACT("inode_setattr_args", "unknown (%s)", strerror(-f->setattr_nargs));
	FACT("module", "%s",
	     f->kmod > 0  ? "loaded" :
	     f->kmod == 0 ? "not loaded" :
			    yes_no(f->kmod, err, sizeof(err)));
	FACT("control_socket", "%s", yes_no(f->ctl_socket, err, sizeof(err)));
	FACT("policy_in_force", "%s",
	     f->policy == -EINVAL ? "unreadable (invalid)" : yes_no(f->policy, err, sizeof(err)));
	FACT("label_xattr", "%s",
	     f->policy == 1 ? (f->label_xattr[0] ? f->label_xattr : "none") : "unknown");
#undef FACT
}

static void note(struct dlp_doctor_report *r, const char *text)
{
	if (r->nnotes < DLP_DOCTOR_NNOTES)
		snprintf(r->notes[r->nnotes++], sizeof(r->notes[0]), "%s", text);
}

/**
 * dlp_doctor_judge() - say, for each control, whether it is enforced and why
 * @f: the facts (dlp_doctor_gather(), or made by hand)
 * @r: filled in: the facts in words, one line per control, notes and the
 *     overall DLP_DOCTOR_EXIT_* status
 *
 * Pure: reads nothing but @f.  A control is unavailable for a reason of the
 * machine (BPF LSM not active, no BTF, a kernel function missing, no cgroup
 * v2, the module missing), not-enforced when the machine could but dlpd has
 * not attached it, and otherwise enforced or monitor-only by the pinned
 * policy's mode.  Facts that cannot be read make a control unknown.  The
 * exit status is DLP_DOCTOR_EXIT_GAP if any control leaves a gap, else
 * DLP_DOCTOR_EXIT_UNKNOWN if any is unknown, else DLP_DOCTOR_EXIT_MONITOR
 * if any is monitor-only, else DLP_DOCTOR_EXIT_OK.
 *
 * Fact keys: kernel, root, btf, bpf_lsm, lsm, cgroup2, bpffs, pinned_links,
 * mode, bpf_get_file_xattr, inode_setattr_args, module, control_socket,
 * policy_in_force, label_xattr.
 */
void dlp_doctor_judge(const struct dlp_doctor_facts *f, struct dlp_doctor_report *r)
{
	struct dlp_doctor_line *l = r->lines;
	bool gap = false, unknown = false, monitor = false;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	report_facts(f, r);
	for (i = 0; i < DLP_DOCTOR_NCONTROLS; i++)
		l[i].control = i;

	judge_lsm(f, &l[DLP_DOCTOR_MEDIA_MOUNT], mount_links);
	judge_lsm(f, &l[DLP_DOCTOR_MEDIA_RAW], raw_links);
	judge_lsm(f, &l[DLP_DOCTOR_MEDIA_TAINT], taint_links);
	judge_paths(f, &l[DLP_DOCTOR_PATHS]);
	judge_label_xattr(f, &l[DLP_DOCTOR_LABEL_XATTR]);
	judge_lsm(f, &l[DLP_DOCTOR_NET_LSM], net_lsm_links);
	judge_net_cgroup(f, &l[DLP_DOCTOR_NET_CGROUP]);
	judge_kmod(f, &l[DLP_DOCTOR_KMOD], &l[DLP_DOCTOR_MEDIA_RAW]);

	for (i = 0; i < DLP_DOCTOR_NCONTROLS; i++)
		l[i].gap = l[i].status == DLP_DOCTOR_NOT_ENFORCED ||
			   l[i].status == DLP_DOCTOR_UNAVAILABLE;
	/* Only a policy that labels files by attribute needs the kernel to read them. */
	l[DLP_DOCTOR_LABEL_XATTR].gap &= f->policy == 1 && f->label_xattr[0];
	/* The LSM hooks judge every connect and send the cgroup ones would, and taint too. */
	if (acting(&l[DLP_DOCTOR_NET_LSM]))
		l[DLP_DOCTOR_NET_CGROUP].gap = false;
	/* The module is the fallback for raw writes where no BPF program refuses them. */
	if (acting(&l[DLP_DOCTOR_MEDIA_RAW]) ||
	    l[DLP_DOCTOR_MEDIA_RAW].status == DLP_DOCTOR_UNKNOWN)
		l[DLP_DOCTOR_KMOD].gap = false;

	for (i = 0; i < DLP_DOCTOR_NCONTROLS; i++) {
		gap |= l[i].gap;
		unknown |= l[i].status == DLP_DOCTOR_UNKNOWN;
		monitor |= l[i].status == DLP_DOCTOR_MONITOR;
	}
	r->exit_status = gap	 ? DLP_DOCTOR_EXIT_GAP :
			 unknown ? DLP_DOCTOR_EXIT_UNKNOWN :
			 monitor ? DLP_DOCTOR_EXIT_MONITOR :
				   DLP_DOCTOR_EXIT_OK;

	if (!f->root)
		note(r, "not running as root: what needs root and could not be read is marked "
			"unknown; run dlpctl doctor as root for the whole answer");
	if (f->bpf_lsm < 0)
		note(r, "the active LSM list (" DLP_DOCTOR_LSM ") cannot be read; securityfs "
			"may not be mounted");
	if (f->links > 0 && f->ctl_socket == 0)
		note(r,
		     "programs are pinned, but there is no dlpd control socket " DLP_CTL_SOCKET_PATH
		     ": is dlpd running? (systemctl status dlpd)");
}

/* ---------------------------------------------------------------------------
 * Output
 */

static const char *const exit_words[] = {
	[DLP_DOCTOR_EXIT_OK] = "every control the policy needs is enforced",
	[DLP_DOCTOR_EXIT_MONITOR] = "monitor mode: decisions are logged, nothing is refused",
	[DLP_DOCTOR_EXIT_GAP] = "a control the policy needs is not enforced",
	[DLP_DOCTOR_EXIT_UNKNOWN] = "some facts could not be read",
};

static void json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void print_json(const struct dlp_doctor_report *r, FILE *out)
{
	const struct dlp_doctor_line *l;
	unsigned int i;

	fprintf(out, "{\n  \"format\": 1,\n  \"status\": %d,\n  \"summary\": ", r->exit_status);
	json_string(out, exit_words[r->exit_status]);
	fprintf(out, ",\n  \"facts\": {");
	for (i = 0; i < DLP_DOCTOR_NFACTS; i++) {
		fprintf(out, "%s\n    \"%s\": ", i ? "," : "", r->facts[i].key);
		json_string(out, r->facts[i].value);
	}
	fprintf(out, "\n  },\n  \"controls\": [");
	for (i = 0; i < DLP_DOCTOR_NCONTROLS; i++) {
		l = &r->lines[i];
		fprintf(out,
			"%s\n    {\n      \"control\": \"%s\",\n      \"title\": ", i ? "," : "",
			dlp_doctor_control_keys[l->control]);
		json_string(out, dlp_doctor_control_titles[l->control]);
		fprintf(out, ",\n      \"status\": \"%s\",\n      \"gap\": %s,\n      \"reason\": ",
			dlp_doctor_status_names[l->status], l->gap ? "true" : "false");
		json_string(out, l->reason);
		fprintf(out, ",\n      \"fix\": ");
		json_string(out, l->fix);
		fprintf(out, "\n    }");
	}
	fprintf(out, "\n  ],\n  \"notes\": [");
	for (i = 0; i < r->nnotes; i++) {
		fprintf(out, "%s\n    ", i ? "," : "");
		json_string(out, r->notes[i]);
	}
	fprintf(out, "%s]\n}\n", r->nnotes ? "\n  " : "");
}

static void print_table(const struct dlp_doctor_report *r, FILE *out)
{
	const struct dlp_doctor_line *l;
	unsigned int i;

	for (i = 0; i < DLP_DOCTOR_NFACTS; i++)
		fprintf(out, "%-19s %s\n", r->facts[i].key, r->facts[i].value);
	fprintf(out, "\n%-13s %s\n", "STATUS", "CONTROL");
	for (i = 0; i < DLP_DOCTOR_NCONTROLS; i++) {
		l = &r->lines[i];
		fprintf(out, "%-13s %s\n", dlp_doctor_status_names[l->status],
			dlp_doctor_control_titles[l->control]);
		fprintf(out, "%-13s why: %s\n", "", l->reason);
		if (l->fix[0])
			fprintf(out, "%-13s fix: %s\n", "", l->fix);
	}
	for (i = 0; i < r->nnotes; i++)
		fprintf(out, "%snote: %s\n", i ? "" : "\n", r->notes[i]);
	fprintf(out, "\n%s (status %d)\n", exit_words[r->exit_status], r->exit_status);
}

/**
 * dlp_doctor_print() - write a report, as a table or as JSON
 * @r:    a judged report
 * @out:  where to write
 * @json: JSON with stable keys (format 1: "format", "status", "summary",
 *        "facts" {key: words}, "controls" [{"control", "title", "status",
 *        "gap", "reason", "fix"}], "notes" [...]) instead of the table
 *
 * Return: 0, or -EIO if writing failed.
 */
int dlp_doctor_print(const struct dlp_doctor_report *r, FILE *out, bool json)
{
	if (json)
		print_json(r, out);
	else
		print_table(r, out);
	return fflush(out) || ferror(out) ? -EIO : 0;
}
