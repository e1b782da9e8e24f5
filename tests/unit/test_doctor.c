// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/doctor.c: dlp_doctor_judge() on the facts of the
 * machines dlpguard meets (this development host, Debian 12 and 13 VMs with
 * dlpd enforcing or monitoring, a pinned policy of another ABI, a user who
 * is not root), the JSON keys, and one real dlp_doctor_gather() here.
 */
#include <errno.h>
#include <grp.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <dlpguard/rule.h>

#include "doctor.h"

/*
 * What dlpd pins on Debian 12's 6.1 with policy/default.policy, as listed in
 * tests/vm/doctor.sh's run (two-argument inode_setattr, no label-attribute
 * object).
 */
static const char *const links_6_1[] = {
	"integrity_bpf-dlp_integrity_file_open",
	"integrity_bpf-dlp_integrity_file_permission",
	"integrity_bpf-dlp_integrity_inode_create",
	"integrity_bpf-dlp_integrity_inode_link",
	"integrity_bpf-dlp_integrity_inode_mkdir",
	"integrity_bpf-dlp_integrity_inode_mknod",
	"integrity_bpf-dlp_integrity_inode_rename",
	"integrity_bpf-dlp_integrity_inode_rmdir",
	"integrity_bpf-dlp_integrity_inode_symlink",
	"integrity_bpf-dlp_integrity_inode_unlink",
	"integrity_bpf-dlp_integrity_removexattr",
	"integrity_bpf-dlp_integrity_setattr",
	"integrity_bpf-dlp_integrity_setxattr",
	"media_bpf-dlp_media_file_ioctl",
	"media_bpf-dlp_media_file_ioctl_compat",
	"media_bpf-dlp_media_file_open",
	"media_bpf-dlp_media_file_permission",
	"media_bpf-dlp_media_sb_kern_mount",
	"media_bpf-dlp_media_sb_remount",
	"net_bpf-dlp_connect4",
	"net_bpf-dlp_connect6",
	"net_bpf-dlp_sendmsg4",
	"net_bpf-dlp_sendmsg6",
	"net_bpf-dlp_socket_connect",
	"net_bpf-dlp_socket_sendmsg",
	"taint_bpf-dlp_taint_exec",
	"taint_bpf-dlp_taint_fork",
	"taint_bpf-dlp_taint_open",
	"taint_bpf-dlp_taint_receive",
	"write_bpf-dlp_write_file_mprotect",
	"write_bpf-dlp_write_file_open",
	"write_bpf-dlp_write_file_permission",
	"write_bpf-dlp_write_inode_create",
	"write_bpf-dlp_write_inode_link",
	"write_bpf-dlp_write_inode_mkdir",
	"write_bpf-dlp_write_inode_mknod",
	"write_bpf-dlp_write_inode_rename",
	"write_bpf-dlp_write_inode_symlink",
	"write_bpf-dlp_write_mmap_file",
	"write_bpf-dlp_write_setattr",
	"write_bpf-dlp_write_setxattr",
};

static void add_links(struct dlp_doctor_facts *f, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(f->link_names[f->nlink_names++], DLP_DOCTOR_LINK_NAME, "%s", names[i]);
	f->links = f->nlink_names;
}

/* This host, as issue 5 describes it: 6.18, no BPF LSM, cgroup v2, BTF, nothing pinned. */
static void host_facts(struct dlp_doctor_facts *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->release, sizeof(f->release), "6.18.44");
	f->root = true;
	f->btf = 1;
	f->bpf_lsm = 0;
	snprintf(f->lsm, sizeof(f->lsm), "capability,landlock,lockdown,yama,apparmor");
	f->cgroup2 = 1;
	f->bpffs = 1;
	f->links = 0;
	f->mode = -ENOENT;
	f->xattr_kfunc = 1;
	f->setattr_nargs = 3;
	f->kmod = 0;
	f->ctl_socket = 0;
	f->policy = 0;
}

/* A Debian 12 VM with dlpd running policy/default.policy (no 'label xattr'). */
static void debian12_facts(struct dlp_doctor_facts *f, int mode)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->release, sizeof(f->release), "6.1.0-28-amd64");
	f->root = true;
	f->btf = 1;
	f->bpf_lsm = 1;
	snprintf(f->lsm, sizeof(f->lsm), "lockdown,capability,landlock,yama,apparmor,bpf");
	f->cgroup2 = 1;
	f->bpffs = 1;
	add_links(f, links_6_1, sizeof(links_6_1) / sizeof(links_6_1[0]));
	f->mode = mode;
	f->abi_version = DLP_ABI_VERSION;
	f->xattr_kfunc = 0;
	f->setattr_nargs = 2;
	f->kmod = 0;
	f->ctl_socket = 0;
	f->policy = 1;
}

static const struct dlp_doctor_line *line(const struct dlp_doctor_report *r,
					  enum dlp_doctor_control c)
{
	return &r->lines[c];
}

static const char *fact(const struct dlp_doctor_report *r, const char *key)
{
	unsigned int i;

	for (i = 0; i < DLP_DOCTOR_NFACTS; i++)
		if (r->facts[i].key && !strcmp(r->facts[i].key, key))
			return r->facts[i].value;
	fail_msg("no fact %s", key);
	return NULL;
}

#define assert_status(r, c, s)                                                           \
	do {                                                                             \
		if (line(r, c)->status != (s))                                           \
			fail_msg("%s: %s, expected %s (%s)", dlp_doctor_control_keys[c], \
				 dlp_doctor_status_names[line(r, c)->status],            \
				 dlp_doctor_status_names[s], line(r, c)->reason);        \
	} while (0)

#define assert_contains(s, part)                                             \
	do {                                                                 \
		if (!strstr((s), (part)))                                    \
			fail_msg("'%s' does not contain '%s'", (s), (part)); \
	} while (0)

static const enum dlp_doctor_control lsm_controls[] = {
	DLP_DOCTOR_MEDIA_MOUNT, DLP_DOCTOR_MEDIA_RAW,	DLP_DOCTOR_MEDIA_TAINT,
	DLP_DOCTOR_PATHS,	DLP_DOCTOR_LABEL_XATTR, DLP_DOCTOR_NET_LSM,
};

#define NLSM (sizeof(lsm_controls) / sizeof(lsm_controls[0]))

static void test_host_no_bpf_lsm(void **state)
{
	struct dlp_doctor_facts f;
	struct dlp_doctor_report r;
	size_t i;

	(void)state;
	host_facts(&f);
	dlp_doctor_judge(&f, &r);
	for (i = 0; i < NLSM; i++) {
		assert_status(&r, lsm_controls[i], DLP_DOCTOR_UNAVAILABLE);
		/* No policy in force names a label attribute: that one is no gap. */
		assert_true(line(&r, lsm_controls[i])->gap ==
			    (lsm_controls[i] != DLP_DOCTOR_LABEL_XATTR));
		assert_contains(line(&r, lsm_controls[i])->reason, "BPF LSM is not active");
		assert_string_equal(
			line(&r, lsm_controls[i])->fix,
			"add bpf to the lsm= kernel parameter, e.g. "
			"GRUB_CMDLINE_LINUX=\"lsm=landlock,lockdown,yama,apparmor,bpf\" "
			"in /etc/default/grub, then update-grub and reboot");
	}
	assert_status(&r, DLP_DOCTOR_NET_CGROUP, DLP_DOCTOR_NOT_ENFORCED);
	assert_string_equal(line(&r, DLP_DOCTOR_NET_CGROUP)->fix,
			    "start dlpd (systemctl start dlpd)");
	assert_status(&r, DLP_DOCTOR_KMOD, DLP_DOCTOR_UNAVAILABLE);
	assert_contains(line(&r, DLP_DOCTOR_KMOD)->fix, "install it (scripts/dkms-install.sh");
	assert_contains(line(&r, DLP_DOCTOR_KMOD)->fix, "nothing refuses raw writes");
	assert_true(line(&r, DLP_DOCTOR_KMOD)->gap);
	assert_int_equal(r.exit_status, DLP_DOCTOR_EXIT_GAP);
	assert_string_equal(fact(&r, "bpf_lsm"), "no");
	assert_string_equal(fact(&r, "mode"), "none pinned");
}

/* The active list unreadable: nothing is guessed, and the lsm= example is Debian's. */
static void test_lsm_unreadable(void **state)
{
	struct dlp_doctor_facts f;
	struct dlp_doctor_report r;

	(void)state;
	host_facts(&f);
	f.bpf_lsm = -ENOENT;
	f.lsm[0] = '\0';
	dlp_doctor_judge(&f, &r);
	assert_status(&r, DLP_DOCTOR_MEDIA_MOUNT, DLP_DOCTOR_UNKNOWN);
	assert_contains(line(&r, DLP_DOCTOR_MEDIA_MOUNT)->fix, "mount -t securityfs");
	assert_string_equal(fact(&r, "bpf_lsm"), "unknown (No such file or directory)");
	assert_int_equal(r.nnotes, 1);
	/* The cgroup hooks need no LSM: still a gap, nothing pinned. */
	assert_int_equal(r.exit_status, DLP_DOCTOR_EXIT_GAP);
}

static void test_debian12_enforce(void **state)
{
	struct dlp_doctor_facts f;
	struct dlp_doctor_report r;
	size_t i;

	(void)state;
	debian12_facts(&f, DLP_MODE_ENFORCE);
	dlp_doctor_judge(&f, &r);
	for (i = 0; i < NLSM; i++)
		if (lsm_controls[i] != DLP_DOCTOR_LABEL_XATTR)
			assert_status(&r, lsm_controls[i], DLP_DOCTOR_ENFORCED);
	assert_status(&r, DLP_DOCTOR_NET_CGROUP, DLP_DOCTOR_ENFORCED);
	assert_status(&r, DLP_DOCTOR_LABEL_XATTR, DLP_DOCTOR_UNAVAILABLE);
	assert_contains(line(&r, DLP_DOCTOR_LABEL_XATTR)->reason, "no bpf_get_file_xattr");
	assert_contains(line(&r, DLP_DOCTOR_LABEL_XATTR)->fix,
			"label attributes are resolved by dlpd instead");
	/* The default policy labels by directory and prefix only: no gap. */
	assert_false(line(&r, DLP_DOCTOR_LABEL_XATTR)->gap);
	assert_status(&r, DLP_DOCTOR_KMOD, DLP_DOCTOR_UNAVAILABLE);
	assert_contains(line(&r, DLP_DOCTOR_KMOD)->fix, "the BPF programs guard raw writes");
	assert_false(line(&r, DLP_DOCTOR_KMOD)->gap);
	assert_int_equal(r.exit_status, DLP_DOCTOR_EXIT_OK);
	assert_string_equal(fact(&r, "mode"), "enforce");
	assert_string_equal(fact(&r, "pinned_links"), "41");
	/* dlpd does not listen yet: said, not counted. */
	assert_int_equal(r.nnotes, 1);
}

/* The same machine, its policy naming a label attribute the kernel cannot read. */
static void test_debian12_label_xattr_gap(void **state)
{
	struct dlp_doctor_facts f;
	struct dlp_doctor_report r;

	(void)state;
	debian12_facts(&f, DLP_MODE_ENFORCE);
	snprintf(f.label_xattr, sizeof(f.label_xattr), "user.dlpguard.label");
	dlp_doctor_judge(&f, &r);
	assert_status(&r, DLP_DOCTOR_LABEL_XATTR, DLP_DOCTOR_UNAVAILABLE);
	assert_true(line(&r, DLP_DOCTOR_LABEL_XATTR)->gap);
	assert_int_equal(r.exit_status, DLP_DOCTOR_EXIT_GAP);
}

static void test_debian12_monitor(void **state)
{
	struct dlp_doctor_facts f;
	struct dlp_doctor_report r;
	size_t i;

	(void)state;
	debian12_facts(&f, DLP_MODE_MONITOR);
	dlp_doctor_judge(&f, &r);
	for (i = 0; i < NLSM; i++)
		if (lsm_controls[i] != DLP_DOCTOR_LABEL_XATTR)
			assert_status(&r, lsm_controls[i], DLP_DOCTOR_MONITOR);
	assert_status(&r, DLP_DOCTOR_NET_CGROUP, DLP_DOCTOR_MONITOR);
	assert_contains(line(&r, DLP_DOCTOR_MEDIA_MOUNT)->fix, "mode enforce");
	assert_false(line(&r, DLP_DOCTOR_MEDIA_MOUNT)->gap);
	assert_int_equal(r.exit_status, DLP_DOCTOR_EXIT_MONITOR);
	assert_string_equal(fact(&r, "mode"), "monitor");
}

/* Debian 13: three-argument inode_setattr, the kfunc; the default policy names no attribute. */
static void test_debian13(void **state)
{
	static const char *const idmap[] = {
		"write_bpf-dlp_write_setattr_idmap",
		"integrity_bpf-dlp_integrity_setattr_idmap",
	};
	struct dlp_doctor_facts f;
	struct dlp_doctor_report r;
	unsigned int i, n = 0;

	(void)state;
	debian12_facts(&f, DLP_MODE_ENFORCE);
	f.setattr_nargs = 3;
	f.xattr_kfunc = 1;
	/* The two-argument variants are not loaded there. */
	for (i = 0; i < f.nlink_names; i++)
		if (!strstr(f.link_names[i], "_setattr"))
			memmove(f.link_names[n++], f.link_names[i], DLP_DOCTOR_LINK_NAME);
	f.nlink_names = n;
	f.links = n;
	dlp_doctor_judge(&f, &r);
	/* Without its variants the path rules are not all attached. */
	assert_status(&r, DLP_DOCTOR_PATHS, DLP_DOCTOR_NOT_ENFORCED);
	assert_contains(line(&r, DLP_DOCTOR_PATHS)->reason, "write_bpf-dlp_write_setattr_idmap");
	add_links(&f, idmap, 2);
	dlp_doctor_judge(&f, &r);
	assert_status(&r, DLP_DOCTOR_PATHS, DLP_DOCTOR_ENFORCED);
	assert_status(&r, DLP_DOCTOR_LABEL_XATTR, DLP_DOCTOR_UNUSED);
	assert_int_equal(r.exit_status, DLP_DOCTOR_EXIT_OK);
	/* With a user.* attribute named, the object is loaded and pinned. */
	snprintf(f.label_xattr, sizeof(f.label_xattr), "user.dlpguard.label");
	dlp_doctor_judge(&f, &r);
	assert_status(&r, DLP_DOCTOR_LABEL_XATTR, DLP_DOCTOR_NOT_ENFORCED);
	assert_int_equal(r.exit_status, DLP_DOCTOR_EXIT_GAP);
	add_links(&f, (const char *const[]){ "xattr_bpf-dlp_xattr_open" }, 1);
	dlp_doctor_judge(&f, &r);
	assert_status(&r, DLP_DOCTOR_LABEL_XATTR, DLP_DOCTOR_ENFORCED);
	assert_int_equal(r.exit_status, DLP_DOCTOR_EXIT_OK);
}

static void test_unknown_abi(void **state)
{
	struct dlp_doctor_facts f;
	struct dlp_doctor_report r;
	char want[64];
	size_t i;

	(void)state;
	snprintf(want, sizeof(want), "unknown ABI (version 7; this dlpctl reads %u)",
		 DLP_ABI_VERSION);
	debian12_facts(&f, -EPROTO);
	f.abi_version = 7;
	dlp_doctor_judge(&f, &r);
	for (i = 0; i < NLSM; i++)
		if (lsm_controls[i] != DLP_DOCTOR_LABEL_XATTR) {
			assert_status(&r, lsm_controls[i], DLP_DOCTOR_UNKNOWN);
			assert_contains(line(&r, lsm_controls[i])->reason, want);
		}
	assert_string_equal(fact(&r, "mode"), want);
	assert_int_equal(r.exit_status, DLP_DOCTOR_EXIT_UNKNOWN);
}

/* What a user other than root can read: the LSM list and BTF, not the pins. */
static void test_not_root(void **state)
{
	struct dlp_doctor_facts f;
	struct dlp_doctor_report r;
	size_t i;

	(void)state;
	debian12_facts(&f, -EPERM);
	f.root = false;
	f.links = -EACCES;
	f.nlink_names = 0;
	f.policy = -EACCES;
	dlp_doctor_judge(&f, &r);
	for (i = 0; i < NLSM; i++) {
		if (lsm_controls[i] == DLP_DOCTOR_LABEL_XATTR)
			continue;
		assert_status(&r, lsm_controls[i], DLP_DOCTOR_UNKNOWN);
		assert_contains(line(&r, lsm_controls[i])->reason, "needs root");
		assert_string_equal(line(&r, lsm_controls[i])->fix, "run dlpctl doctor as root");
	}
	assert_status(&r, DLP_DOCTOR_NET_CGROUP, DLP_DOCTOR_UNKNOWN);
	/* Unavailable on 6.1 whoever asks, and no gap while the policy is unknown. */
	assert_status(&r, DLP_DOCTOR_LABEL_XATTR, DLP_DOCTOR_UNAVAILABLE);
	assert_false(line(&r, DLP_DOCTOR_KMOD)->gap);
	assert_string_equal(fact(&r, "pinned_links"), "unknown (Permission denied)");
	assert_string_equal(fact(&r, "root"), "no");
	assert_int_equal(r.nnotes, 1);
	assert_contains(r.notes[0], "not running as root");
	assert_int_equal(r.exit_status, DLP_DOCTOR_EXIT_UNKNOWN);
}

/* Every "key": of the JSON, in order, one per line. */
static char *json_keys(const char *json)
{
	size_t cap = strlen(json) + 1, used = 0;
	char *keys = calloc(1, cap);
	regmatch_t m[2];
	const char *p = json;
	regex_t re;

	assert_non_null(keys);
	assert_int_equal(regcomp(&re, "^ *\"([a-z_0-9]+)\":", REG_EXTENDED | REG_NEWLINE), 0);
	while (!regexec(&re, p, 2, m, 0)) {
		used += snprintf(keys + used, cap - used, "%.*s\n", (int)(m[1].rm_eo - m[1].rm_so),
				 p + m[1].rm_so);
		p += m[0].rm_eo;
	}
	regfree(&re);
	return keys;
}

static void test_json_keys(void **state)
{
	static const char control_keys[] = "control\ntitle\nstatus\ngap\nreason\nfix\n";
	char expected[2048], *buf = NULL, *keys;
	struct dlp_doctor_facts f;
	struct dlp_doctor_report r;
	size_t len = 0, used;
	unsigned int i;
	FILE *out;

	(void)state;
	debian12_facts(&f, DLP_MODE_ENFORCE);
	dlp_doctor_judge(&f, &r);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(dlp_doctor_print(&r, out, true), 0);
	fclose(out);

	used = snprintf(
		expected, sizeof(expected),
		"format\nstatus\nsummary\nfacts\nkernel\nroot\nbtf\nbpf_lsm\nlsm\ncgroup2\n"
		"bpffs\npinned_links\nmode\nbpf_get_file_xattr\ninode_setattr_args\nmodule\n"
		"control_socket\npolicy_in_force\nlabel_xattr\ncontrols\n");
	for (i = 0; i < DLP_DOCTOR_NCONTROLS; i++)
		used += snprintf(expected + used, sizeof(expected) - used, "%s", control_keys);
	snprintf(expected + used, sizeof(expected) - used, "notes\n");
	keys = json_keys(buf);
	assert_string_equal(keys, expected);

	assert_contains(buf, "\"format\": 1,\n  \"status\": 0,\n");
	assert_contains(buf, "\"control\": \"media-mount\",");
	assert_contains(buf, "\"control\": \"media-raw-write\",");
	assert_contains(buf, "\"control\": \"media-write-taint\",");
	assert_contains(buf, "\"control\": \"path-rules\",");
	assert_contains(buf, "\"control\": \"label-xattr-kernel\",");
	assert_contains(buf, "\"control\": \"net-lsm\",");
	assert_contains(buf, "\"control\": \"net-cgroup\",");
	assert_contains(buf, "\"control\": \"module-write-guard\",");
	assert_contains(buf, "\"status\": \"enforced\",\n      \"gap\": false,");
	assert_contains(buf, "\"mode\": \"enforce\",");
	assert_contains(buf, "\"title\": \"write/modify/delete path rules and 完全性 protection\"");
	free(keys);
	free(buf);

	/* Quotes in a value are escaped. */
	host_facts(&f);
	snprintf(f.lsm, sizeof(f.lsm), "yama,\"x\"");
	dlp_doctor_judge(&f, &r);
	buf = NULL;
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(dlp_doctor_print(&r, out, true), 0);
	fclose(out);
	assert_contains(buf, "\"lsm\": \"yama,\\\"x\\\"\",");
	assert_contains(buf, "lsm=yama,\\\"x\\\",bpf");
	free(buf);
}

static void test_table(void **state)
{
	struct dlp_doctor_facts f;
	struct dlp_doctor_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	host_facts(&f);
	dlp_doctor_judge(&f, &r);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(dlp_doctor_print(&r, out, false), 0);
	fclose(out);
	assert_contains(buf, "kernel              6.18.44\n");
	assert_contains(buf, "STATUS        CONTROL\nunavailable   removable-media mounts\n"
			     "              why: BPF LSM is not active");
	assert_contains(buf, "not-enforced  network by cgroup hooks (without taint)\n");
	assert_contains(buf, "              fix: start dlpd (systemctl start dlpd)\n");
	assert_contains(buf, "a control the policy needs is not enforced (status 4)\n");
	free(buf);
}

/* This machine, for real: its LSM list says what the judgement must be. */
static void test_gather_here(void **state)
{
	struct dlp_doctor_report r;
	struct dlp_doctor_facts f;
	char lsm[256] = "";
	bool readable;
	FILE *in;

	(void)state;
	in = fopen(DLP_DOCTOR_LSM, "r");
	readable = in && fgets(lsm, sizeof(lsm), in);
	if (in)
		fclose(in);
	lsm[strcspn(lsm, "\n")] = '\0';
	print_message("here: " DLP_DOCTOR_LSM " %s%s%s\n", readable ? "says '" : "is unreadable",
		      lsm, readable ? "'" : "");

	assert_int_equal(dlp_doctor_gather(&f), 0);
	dlp_doctor_judge(&f, &r);
	assert_int_equal(dlp_doctor_print(&r, stdout, false), 0);
	if (!readable) {
		assert_true(f.bpf_lsm < 0);
		assert_status(&r, DLP_DOCTOR_MEDIA_MOUNT, DLP_DOCTOR_UNKNOWN);
	} else if (!strstr(lsm, "bpf")) {
		assert_int_equal(f.bpf_lsm, 0);
		assert_status(&r, DLP_DOCTOR_MEDIA_MOUNT, DLP_DOCTOR_UNAVAILABLE);
		assert_contains(line(&r, DLP_DOCTOR_MEDIA_MOUNT)->fix, "lsm=");
	} else {
		assert_int_equal(f.bpf_lsm, 1);
	}
	/* Whatever the machine, BPF LSM is not proved active here without the file. */
	if (!readable || !strstr(lsm, "bpf"))
		assert_int_not_equal(r.exit_status, DLP_DOCTOR_EXIT_OK);
}

/*
 * The same here as a user other than root, in a child that gives root up:
 * the report says so, whatever it could still read.
 */
static void test_gather_not_root(void **state)
{
	struct dlp_doctor_report r;
	struct dlp_doctor_facts f;
	int status;
	bool said;
	pid_t pid;

	(void)state;
	if (geteuid())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		dlp_doctor_gather(&f);
		dlp_doctor_judge(&f, &r);
		said = r.nnotes && strstr(r.notes[0], "not running as root");
		_exit(!f.root && said && !strcmp(fact(&r, "root"), "no") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_no_bpf_lsm),
		cmocka_unit_test(test_lsm_unreadable),
		cmocka_unit_test(test_debian12_enforce),
		cmocka_unit_test(test_debian12_label_xattr_gap),
		cmocka_unit_test(test_debian12_monitor),
		cmocka_unit_test(test_debian13),
		cmocka_unit_test(test_unknown_abi),
		cmocka_unit_test(test_not_root),
		cmocka_unit_test(test_json_keys),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_gather_here),
		cmocka_unit_test(test_gather_not_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
