// SPDX-License-Identifier: GPL-2.0
/*
 * VM test: every dlpguard BPF object loaded together through the library's
 * loader (user/lib/loader.h), as dlpd loads them, and the proof that a
 * process that read a 機密性2 file can take it out of the terminal by none
 * of the paths the hooks guard.
 *
 * Nothing here sets up an object by hand: dlp_loader_open() loads taint,
 * media, write, integrity and net (and, on 6.12, xattr) with their maps shared, the test checks
 * that every map name has one map id in all objects, and fills the maps as
 * dlpd will: the policy (compiled, lowered, zones), the labels and the
 * device map.  Two policies, in slot 0 (a last case switches to slot 1 and back):
 *
 *	default allow; zone internet 198.51.100.0/24 2001:db8::/32
 *	label dir /tmp/dlpagent/機密性2 機密性2
 *	rule media-secret   deny write   media         if class >= 2   (id 0)
 *	rule net-secret-out deny connect zone internet if class >= 2   (id 1)
 *	rule send-secret    deny send    zone internet if class >= 2   (id 2)
 *	media unregistered allow | deny
 *
 * `allow` lets the unregistered stick be mounted, so that the rules, not the
 * ledger, refuse the writes; `deny` refuses the mount itself, to a tainted
 * process and to any other (the ledger decides, before the rules).
 *
 * Each case runs in a forked child, which reads the 機密性2 file (or, for the
 * control, a plain one) and then tries one way out, as uid 1000 (the mount as
 * root, which mount(2) needs): a mount of the unregistered stick; on the
 * stick, a new file (cp), write, pwrite and writev on an fd opened before the
 * read, copy_file_range, sendfile, splice, truncate, ftruncate, rename and
 * link within the stick, a shared writable mmap; TCP connect, UDP connect and
 * UDP sendto, IPv4 and IPv6, to the internet zone.  The network cases run in
 * a fresh network namespace of the child's, where the zone's documentation
 * addresses are given to its loopback (with a TCP listener), so nothing
 * leaves the VM and an allowed connect or send truly succeeds.  The children
 * also sit in a cgroup of the test's, with the cgroup programs attached
 * there.  Every refusal is EPERM with exactly one record of the child (hook,
 * action, verdict, reason, rule, taint, uid; device or destination), the
 * denied counter of dlp_stats up by one and, for the file and mount hooks,
 * the hook's own counter moved (net.bpf.c keeps none per hook); every
 * control succeeds with no record.  Last, everything is detached and a
 * forbidden copy and connect succeed, with no hook run: the refusals came
 * from the hooks; attached again, the copy is refused again.
 *
 * Runs only inside the VM test bed, from tests/vm/agent.sh, which names
 * DLP_STICK_UNREG (the disk of an ext4 stick); elsewhere it prints
 * "SKIP: <reason>" and exits 77, having loaded and attached nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <dlpguard/event.h>
#include <dlpguard/media.h>

#include "bpftest.h"
#include "devices.h"
#include "integrity.skel.h"
#include "kernel_btf.h"
#include "label_map.h"
#include "loader.h"
#include "lower.h"
#include "media.skel.h"
#include "net.skel.h"
#include "policy.h"
#include "slots.h"
#include "taint.skel.h"
#include "write.skel.h"

#define EXIT_SKIP   77
#define ROOT	    "/tmp/dlpagent"
#define SECRET	    ROOT "/機密性2/secret.txt"
#define ATTR_NAME   "user.dlpguard.label"
#define ATTR_SECRET ROOT "/attr-secret.txt" /* unlabelled directory, 機密性2 by attribute */
#define PLAIN	    ROOT "/plain.txt"
#define MNT	    "/mnt/agent"
#define UID_USER    1000
#define MAX_RECORDS 32
#define PORT	    8080
#define INET4	    "198.51.100.1"
#define INET6	    "2001:db8::1"

#define RULE_MEDIA_SECRET 0
#define RULE_NET_SECRET	  1
#define RULE_SEND_SECRET  2

static const char *const rule_ids[] = { "media-secret", "net-secret-out", "send-secret" };

#define POLICY                                                           \
	"version 1\nmode enforce\ntier lgwan\ndefault allow\n"           \
	"zone internet 198.51.100.0/24 2001:db8::/32\n"                  \
	"label dir " ROOT "/機密性2 機密性2\n"                     \
	"label xattr " ATTR_NAME "\n"                                    \
	"rule media-secret   deny write   media         if class >= 2\n" \
	"rule net-secret-out deny connect zone internet if class >= 2\n" \
	"rule send-secret    deny send    zone internet if class >= 2\n" \
	"media unregistered %s\n"

struct device {
	char name[32];
	__u32 dev; /* major << 20 | minor */
};

static struct {
	struct dlp_loader l;
	struct dlp_loader_fds fds;
	struct ring_buffer *rb;
	struct dlp_event records[MAX_RECORDS];
	unsigned int nrecords; /* the child's, read and not yet checked */
	pid_t child;	       /* whose records are kept; others' are shown only */
	__u32 generation;
	struct device disk, part;
	char cgroup[PATH_MAX]; /* made by the test; "" if none */
	int cgroup_fd;
	unsigned int refused, controls;
	const char *secret; /* what a tainted child reads */
} t = { .cgroup_fd = -1, .secret = SECRET };

/* ---- records and counters ------------------------------------------------------------- */

static int on_record(void *ctx, void *data, size_t size)
{
	const struct dlp_event *e = data;

	(void)ctx;
	if (size != sizeof(struct dlp_event))
		return -EINVAL;
	if (e->tgid != (__u32)t.child) {
		print_message("    other process's record: comm %s hook %u verdict %u reason %u\n",
			      e->comm, e->hook, e->verdict, e->reason);
		return 0;
	}
	if (t.nrecords >= MAX_RECORDS)
		return -E2BIG;
	t.records[t.nrecords++] = *e;
	return 0;
}

static void drain(void)
{
	int n = ring_buffer__consume(t.rb);

	if (n < 0)
		fail_msg("ring_buffer__consume: %s", strerror(-n));
}

static __u64 stat_sum(enum dlp_stat stat)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	__u32 key = stat;
	__u64 *vals, sum = 0;

	assert_true(ncpus > 0);
	vals = calloc(ncpus, sizeof(*vals));
	assert_non_null(vals);
	if (bpf_map_lookup_elem(t.fds.stats, &key, vals))
		fail_msg("reading dlp_stats[%u]: %s", stat, strerror(errno));
	for (i = 0; i < ncpus; i++)
		sum += vals[i];
	free(vals);
	return sum;
}

/* What a hook counted: the write, media and integrity objects keep one counter per hook. */
static __u64 judged(__u8 hook)
{
	return t.l.write->bss->dlp_write_judged[hook] + t.l.media->bss->dlp_media_judged[hook] +
	       t.l.integrity->bss->dlp_integrity_judged[hook];
}

/* ---- policy, labels, devices ---------------------------------------------------------- */

static int no_account(const char *name, __u32 *ret_id)
{
	(void)name;
	(void)ret_id;
	return -ENOENT;
}

static const struct dlp_resolver no_accounts = { .user = no_account, .group = no_account };

static void unregistered_stick(const struct device *d, __u32 slot);

/*
 * Compile @unregistered's policy and write it into @slot as dlpd will, and,
 * when @whole (a slot that holds nothing), its zones, labels and device
 * verdicts too.
 */
static void policy_in(const char *unregistered, __u32 slot, bool whole)
{
	static struct dlp_lowered low;
	struct dlp_label_tables *tables;
	struct dlp_policy pol;
	struct dlp_diag diag;
	char text[1024];
	unsigned int i;
	int err;

	snprintf(text, sizeof(text), POLICY, unregistered);
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "agent.policy", stderr);
	if (dlp_policy_load_buffer(&pol, text, strlen(text), &diag))
		fail_msg("the test policy does not compile:\n%s", text);
	for (i = 0; i < sizeof(rule_ids) / sizeof(rule_ids[0]); i++)
		if (i >= pol.nrules || strcmp(pol.rules[i].id, rule_ids[i]))
			fail_msg("rule %u of the test policy is not %s", i, rule_ids[i]);
	err = dlp_policy_lower(&pol, &no_accounts, ++t.generation, &low, &diag);
	if (err)
		fail_msg("dlp_policy_lower: %s", strerror(-err));
	/*
	 * Both policies have the same labels, zones and devices, written once per
	 * slot: dlp_label_map_fill() and dlp_zone_map_fill() want the slot empty.
	 */
	if (whole) {
		tables = calloc(1, sizeof(*tables));
		assert_non_null(tables);
		err = dlp_label_tables_build(&pol, &low, tables, &diag);
		if (err)
			fail_msg("dlp_label_tables_build: %s", strerror(-err));
		err = dlp_label_map_fill(tables, slot, &t.fds.labels);
		free(tables);
		if (err)
			fail_msg("dlp_label_map_fill: %s", strerror(-err));
		unregistered_stick(&t.disk, slot);
		unregistered_stick(&t.part, slot);
	}
	err = dlp_policy_maps_fill(&low, &pol, slot, t.fds.config, t.fds.rules,
				   whole ? t.fds.zones : -1);
	if (err)
		fail_msg("dlp_policy_maps_fill: %s", strerror(-err));
	dlp_lowered_free(&low);
	dlp_policy_free(&pol);
}

/* The policy in force, in slot 0, rewritten (the first time, whole). */
static void policy(const char *unregistered)
{
	policy_in(unregistered, 0, t.generation == 0);
}

static void unregistered_stick(const struct device *d, __u32 slot)
{
	const struct dlp_media_dev v = { .kind = DLP_DEVICE_UNREGISTERED };
	struct dlp_device dev = { .dev = d->dev, .media = true };
	int err = dlp_media_map_set(t.fds.media, slot, &dev, &v);

	if (err)
		fail_msg("dlp_media[%s] in slot %u: %s", d->name, slot, strerror(-err));
}

/* ---- what a child does ---------------------------------------------------------------- */

struct agent_case {
	const char *what;
	int (*run)(const struct agent_case *c, int fd); /* 0 or an errno */
	bool as_root;					/* stays root (mount(2) needs it) */
	bool pre_open;	  /* MNT/f opened O_RDWR before the read, passed as fd */
	int domain, type; /* network cases: the socket; 0 for the others */
	const char *addr; /* network cases: the destination */
	/* The refusal's record. */
	__u8 hook;
	__u8 action;
	__u8 reason;
	__u16 rule;
	bool taint_unread; /* the record's taint is 0: the hook does not read it (mounts) */
};

static char path_buf[4][128];

/* What the child read before its operation: the 機密性2 file, or for the control a plain one. */
static char child_data[64];
static ssize_t child_len;

static const char *at(unsigned int slot, const char *name)
{
	snprintf(path_buf[slot], sizeof(path_buf[slot]), MNT "/%s", name);
	return path_buf[slot];
}

static int err_of(long r)
{
	return r < 0 ? errno : 0;
}

static int op_mount(const struct agent_case *c, int fd)
{
	char src[64];

	(void)c;
	(void)fd;
	snprintf(src, sizeof(src), "/dev/%s", t.part.name);
	return err_of(mount(src, MNT, "ext4", 0, NULL));
}

/* cp: a new file on the stick, holding what the child read (child_main). */
static int op_copy(const struct agent_case *c, int fd)
{
	int err;

	(void)c;
	fd = open(at(0, "new"), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	err = write(fd, child_data, child_len) == child_len ? 0 : errno;
	close(fd);
	return err;
}

static int op_write(const struct agent_case *c, int fd)
{
	(void)c;
	return write(fd, "more\n", 5) == 5 ? 0 : errno;
}

static int op_pwrite(const struct agent_case *c, int fd)
{
	(void)c;
	return pwrite(fd, "more\n", 5, 100) == 5 ? 0 : errno;
}

static int op_writev(const struct agent_case *c, int fd)
{
	struct iovec iov[2] = { { "mo", 2 }, { "re\n", 3 } };

	(void)c;
	return writev(fd, iov, 2) == 5 ? 0 : errno;
}

/* From another file on the stick: across filesystems some kernels answer EXDEV first. */
static int op_copy_file_range(const struct agent_case *c, int fd)
{
	int src = open(at(0, "src"), O_RDONLY | O_CLOEXEC), err;

	(void)c;
	if (src < 0)
		return 1000 + errno;
	err = copy_file_range(src, NULL, fd, NULL, 4, 0) == 4 ? 0 : errno;
	close(src);
	return err;
}

static int op_sendfile(const struct agent_case *c, int fd)
{
	int in = open(PLAIN, O_RDONLY | O_CLOEXEC), err;

	(void)c;
	if (in < 0)
		return 1000 + errno;
	err = sendfile(fd, in, NULL, 5) == 5 ? 0 : errno;
	close(in);
	return err;
}

static int op_splice(const struct agent_case *c, int fd)
{
	int p[2], err;

	(void)c;
	if (pipe(p) || write(p[1], "more\n", 5) != 5)
		return 1000 + errno;
	err = splice(p[0], NULL, fd, NULL, 5, 0) == 5 ? 0 : errno;
	close(p[0]);
	close(p[1]);
	return err;
}

static int op_truncate(const struct agent_case *c, int fd)
{
	(void)c;
	(void)fd;
	return err_of(truncate(at(0, "f"), 4096));
}

static int op_ftruncate(const struct agent_case *c, int fd)
{
	(void)c;
	return err_of(ftruncate(fd, 4096));
}

static int op_rename(const struct agent_case *c, int fd)
{
	(void)c;
	(void)fd;
	return err_of(rename(at(0, "f"), at(1, "f-renamed")));
}

static int op_link(const struct agent_case *c, int fd)
{
	(void)c;
	(void)fd;
	return err_of(link(at(0, "f"), at(1, "f-link")));
}

static int op_mmap(const struct agent_case *c, int fd)
{
	char *p;

	(void)c;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return errno;
	p[0] = 'M';
	msync(p, 4096, MS_SYNC);
	munmap(p, 4096);
	return 0;
}

static socklen_t sockaddr_of(const struct agent_case *c, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (c->domain == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(PORT);
		inet_pton(AF_INET, c->addr, &s4->sin_addr);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(PORT);
	inet_pton(AF_INET6, c->addr, &s6->sin6_addr);
	return sizeof(*s6);
}

static int op_connect(const struct agent_case *c, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(c, &ss);
	int s = socket(c->domain, c->type | SOCK_CLOEXEC, 0), err;

	(void)fd;
	if (s < 0)
		return 1000 + errno;
	err = err_of(connect(s, (struct sockaddr *)&ss, len));
	close(s);
	return err;
}

static int op_sendto(const struct agent_case *c, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(c, &ss);
	int s = socket(c->domain, c->type | SOCK_CLOEXEC, 0), err;

	(void)fd;
	if (s < 0)
		return 1000 + errno;
	err = sendto(s, "secret", 6, 0, (struct sockaddr *)&ss, len) == 6 ? 0 : errno;
	close(s);
	return err;
}

#define WRITE_CASE(what, run, pre_open, hook)                                                 \
	{                                                                                     \
		what, run, false, pre_open, 0, 0, NULL, hook, DLP_ACT_WRITE, DLP_REASON_RULE, \
			RULE_MEDIA_SECRET, false                                              \
	}
#define CONNECT_CASE(what, domain, type, addr)                                               \
	{                                                                                    \
		what, op_connect, false, false, domain, type, addr, DLP_HOOK_SOCKET_CONNECT, \
			DLP_ACT_CONNECT, DLP_REASON_RULE, RULE_NET_SECRET, false             \
	}
#define SENDTO_CASE(what, domain, addr)                                                           \
	{                                                                                         \
		what, op_sendto, false, false, domain, SOCK_DGRAM, addr, DLP_HOOK_SOCKET_SENDMSG, \
			DLP_ACT_SEND, DLP_REASON_RULE, RULE_SEND_SECRET, false                    \
	}

/*
 * Under `media unregistered deny` the ledger refuses before any rule: reason
 * ledger, rule 0.  Mount requests carry taint 0 (docs/hooks.md, media: "Not
 * done"), so the record says 0 for the tainted child too.
 */
static const struct agent_case mount_case = {
	"mount(2) of the unregistered stick",
	op_mount,
	true,
	false,
	0,
	0,
	NULL,
	DLP_HOOK_SB_MOUNT,
	DLP_ACT_MOUNT,
	DLP_REASON_LEDGER,
	0,
	true,
};

static const struct agent_case write_cases[] = {
	WRITE_CASE("cp: open(O_CREAT) of a new file on the stick", op_copy, false,
		   DLP_HOOK_INODE_CREATE),
	WRITE_CASE("write() on an fd opened before the read", op_write, true,
		   DLP_HOOK_FILE_PERMISSION),
	WRITE_CASE("pwrite()", op_pwrite, true, DLP_HOOK_FILE_PERMISSION),
	WRITE_CASE("writev()", op_writev, true, DLP_HOOK_FILE_PERMISSION),
	WRITE_CASE("copy_file_range()", op_copy_file_range, true, DLP_HOOK_FILE_PERMISSION),
	WRITE_CASE("sendfile()", op_sendfile, true, DLP_HOOK_FILE_PERMISSION),
	WRITE_CASE("splice() from a pipe", op_splice, true, DLP_HOOK_FILE_PERMISSION),
	WRITE_CASE("truncate()", op_truncate, false, DLP_HOOK_INODE_SETATTR),
	WRITE_CASE("ftruncate() on an fd opened before the read", op_ftruncate, true,
		   DLP_HOOK_INODE_SETATTR),
	WRITE_CASE("rename() within the stick", op_rename, false, DLP_HOOK_INODE_RENAME),
	WRITE_CASE("link() within the stick", op_link, false, DLP_HOOK_INODE_LINK),
	WRITE_CASE("mmap(MAP_SHARED, PROT_WRITE)", op_mmap, true, DLP_HOOK_MMAP_FILE),
};

static const struct agent_case net_cases[] = {
	CONNECT_CASE("TCP connect, IPv4", AF_INET, SOCK_STREAM, INET4),
	CONNECT_CASE("TCP connect, IPv6", AF_INET6, SOCK_STREAM, INET6),
	CONNECT_CASE("UDP connect, IPv4", AF_INET, SOCK_DGRAM, INET4),
	CONNECT_CASE("UDP connect, IPv6", AF_INET6, SOCK_DGRAM, INET6),
	SENDTO_CASE("UDP sendto, IPv4", AF_INET, INET4),
	SENDTO_CASE("UDP sendto, IPv6", AF_INET6, INET6),
};

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		err = -1;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr))
		err = -1;
	close(fd);
	return err;
}

/* The kernel's struct in6_ifreq (<linux/ipv6.h> clashes with <netinet/in.h>). */
struct agent_in6_ifreq {
	struct in6_addr addr;
	__u32 prefixlen;
	int ifindex;
};

/*
 * Give the zone's addresses to this namespace's loopback, so a connect or a
 * send the hooks allow is delivered here, and wait until the IPv6 one is
 * usable (the kernel adds it tentative, its routes a moment later).
 */
static int zone_addresses(void)
{
	struct agent_in6_ifreq r6 = { .prefixlen = 128, .ifindex = if_nametoindex("lo") };
	struct sockaddr_in6 probe = { .sin6_family = AF_INET6 };
	struct sockaddr_in *s4;
	struct ifreq ifr = { 0 };
	int fd, i, err = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo:1");
	s4 = (struct sockaddr_in *)&ifr.ifr_addr;
	s4->sin_family = AF_INET;
	inet_pton(AF_INET, INET4, &s4->sin_addr);
	inet_pton(AF_INET6, INET6, &r6.addr);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCSIFADDR, &ifr))
		err = -1;
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (err || fd < 0 || ioctl(fd, SIOCSIFADDR, &r6)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	probe.sin6_addr = r6.addr;
	for (i = 0; i < 300 && bind(fd, (struct sockaddr *)&probe, sizeof(probe)); i++)
		usleep(10000);
	err = i < 300 ? 0 : -1;
	close(fd);
	return err;
}

/* A TCP listener on the destination, kept open by the child while it connects. */
static int listener(const struct agent_case *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(c, &ss);
	int s = socket(c->domain, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&ss, len) || listen(s, 4))
		return -1;
	return s;
}

static int become_user(void)
{
	return setgroups(0, NULL) || setresgid(UID_USER, UID_USER, UID_USER) ||
	       setresuid(UID_USER, UID_USER, UID_USER);
}

static int join_cgroup(void)
{
	char path[PATH_MAX + 16], pid[16];
	int fd, n, err;

	snprintf(path, sizeof(path), "%s/cgroup.procs", t.cgroup);
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	err = write(fd, pid, n) == n ? 0 : -1;
	close(fd);
	return err;
}

/*
 * In the child: set up as root, become the user, read the 機密性2 file (@tainted)
 * or a plain one, run @c.
 */
static int child_main(const struct agent_case *c, bool tainted)
{
	int fd = -1, tfd;

	if (join_cgroup())
		return 1000 + errno;
	if (c->domain) {
		if (unshare(CLONE_NEWNET) || lo_up() || zone_addresses())
			return 2000 + errno;
		if (c->type == SOCK_STREAM && listener(c) < 0)
			return 2000 + errno;
	}
	if (c->pre_open && (fd = open(at(2, "f"), O_RDWR | O_CLOEXEC)) < 0)
		return 3000 + errno;
	if (!c->as_root && become_user())
		return 4000 + errno;
	tfd = open(tainted ? t.secret : PLAIN, O_RDONLY | O_CLOEXEC);
	if (tfd < 0 || (child_len = read(tfd, child_data, sizeof(child_data))) < 0)
		return 5000 + errno;
	close(tfd);
	return c->run(c, fd);
}

/* Run @c in a child; its result (0 or an errno).  Its records are then in t.records. */
static int run_child(const struct agent_case *c, bool tainted)
{
	int p[2], res = -1;
	pid_t pid;

	drain();
	t.nrecords = 0;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		res = child_main(c, tainted);
		_exit(write(p[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	t.child = pid;
	close(p[1]);
	if (read(p[0], &res, sizeof(res)) != sizeof(res))
		res = -1;
	close(p[0]);
	waitpid(pid, NULL, 0);
	if (res < 0 || res >= 1000)
		fail_msg("%s: the child's set-up failed: %s (%d)", c->what,
			 res < 0 ? "no result" : strerror(res % 1000), res);
	drain();
	return res;
}

/* Files the write cases work on, owned by the user; none of the names they make. */
static void prepare_stick(void)
{
	static const char *const gone[] = { "new", "f-link", "f-renamed" };
	static const char *const made[] = { "f", "src" };
	unsigned int i;
	int fd;

	for (i = 0; i < NCASES(gone); i++)
		unlink(at(0, gone[i]));
	for (i = 0; i < NCASES(made); i++) {
		fd = open(at(0, made[i]), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "data\n", 5) != 5 || fchown(fd, UID_USER, UID_USER))
			fail_msg("preparing %s: %s", at(0, made[i]), strerror(errno));
		close(fd);
	}
}

/* ---- checks --------------------------------------------------------------------------- */

static void show(const struct dlp_event *e)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, e->addr, addr, sizeof(addr));
	print_message("    record: hook %u action %u verdict %u reason %u rule %u taint %u uid %u "
		      "dev %u:%u family %u addr %s port %u comm %s path '%s'\n",
		      e->hook, e->action, e->verdict, e->reason, e->rule, e->taint, e->uid,
		      e->dev >> 20, e->dev & 0xfffff, e->family, addr, e->port, e->comm, e->path);
}

/* A network case's destination as records carry it: IPv4 as ::ffff:a.b.c.d. */
static const __u8 *record_addr(const struct agent_case *c, __u8 addr[16])
{
	memset(addr, 0, 16);
	if (c->domain == AF_INET6) {
		inet_pton(AF_INET6, c->addr, addr);
		return addr;
	}
	addr[10] = 0xff;
	addr[11] = 0xff;
	inet_pton(AF_INET, c->addr, addr + 12);
	return addr;
}

/* @c, by a child that read the 機密性2 file (or a plain one): EPERM and its one record. */
static void expect_refused(const struct agent_case *c, bool tainted)
{
	__u64 counted = judged(c->hook), denied = stat_sum(DLP_STAT_DENIED);
	__u8 taint = tainted && !c->taint_unread ? DLP_CLASS_2 : DLP_CLASS_NONE;
	const struct dlp_event *e;
	__u8 addr[16];
	int err = run_child(c, tainted);

	print_message("%s, %s: %s\n", tainted ? "tainted" : "untainted", c->what,
		      err ? strerror(err) : "succeeded");
	if (err != EPERM)
		fail_msg("%s: %s, expected EPERM", c->what, err ? strerror(err) : "success");
	if (t.nrecords != 1)
		fail_msg("%s: %u records of the child, expected 1", c->what, t.nrecords);
	e = &t.records[0];
	show(e);
	if (e->version != DLP_EVENT_VERSION || e->size != sizeof(*e) || e->hook != c->hook ||
	    e->action != c->action || e->verdict != DLP_VERDICT_DENY || e->reason != c->reason ||
	    e->rule != c->rule || e->taint != taint || e->uid != (c->as_root ? 0 : UID_USER) ||
	    e->generation != t.generation || e->mode != DLP_MODE_ENFORCE)
		fail_msg("%s: the record differs from hook %u action %u verdict deny reason %u "
			 "rule %u taint %u",
			 c->what, c->hook, c->action, c->reason, c->rule, taint);
	if (c->domain && (e->family != c->domain || e->port != PORT ||
			  e->proto != (c->type == SOCK_STREAM ? DLP_PROTO_TCP : DLP_PROTO_UDP) ||
			  memcmp(e->addr, record_addr(c, addr), sizeof(addr))))
		fail_msg("%s: the record's destination differs", c->what);
	if (!c->domain && e->dev != t.part.dev)
		fail_msg("%s: the record names device %u:%u, not the stick's", c->what,
			 e->dev >> 20, e->dev & 0xfffff);
	if (c->hook != DLP_HOOK_SOCKET_CONNECT && c->hook != DLP_HOOK_SOCKET_SENDMSG &&
	    judged(c->hook) <= counted)
		fail_msg("%s: hook %u counted nothing", c->what, c->hook);
	if (stat_sum(DLP_STAT_DENIED) != denied + 1)
		fail_msg("%s: dlp_stats denied moved by %llu, expected 1", c->what,
			 (unsigned long long)(stat_sum(DLP_STAT_DENIED) - denied));
	t.refused++;
}

/* @c, by a child that read the 機密性2 file (or a plain one): it succeeds, recorded nowhere. */
static void expect_allowed(const struct agent_case *c, bool tainted)
{
	int err = run_child(c, tainted);

	print_message("%s, %s: %s\n", tainted ? "tainted" : "untainted", c->what,
		      err ? strerror(err) : "succeeded");
	if (err)
		fail_msg("%s: %s, expected success", c->what, strerror(err));
	if (t.nrecords) {
		show(&t.records[0]);
		fail_msg("%s: %u records of the child, expected none", c->what, t.nrecords);
	}
	t.controls++;
}

/* ---- cases ---------------------------------------------------------------------------- */

/* Every map name declared by two objects or more is one kernel map: one id. */
static void test_shared_maps(void **state)
{
	struct bpf_object *objs[DLP_LOADER_MAX_OBJS];
	const struct bpf_map *map, *other;
	unsigned int i, j, nobjs, shared = 0, holders;
	char line[256];
	size_t n;

	(void)state;
	nobjs = dlp_loader_objects(&t.l, objs);
	print_message("%u objects loaded%s\n", nobjs,
		      t.l.xattr ? ", the label-attribute one among them" : "");
	assert_int_equal(nobjs, 5 + !!t.l.xattr);
	for (i = 0; i < nobjs; i++) {
		bpf_object__for_each_map(map, objs[i])
		{
			if (bpf_map__is_internal(map))
				continue;
			holders = 0;
			n = snprintf(line, sizeof(line), "%-18s id %u:", bpf_map__name(map),
				     map_id(bpf_map__fd(map)));
			for (j = 0; j < nobjs; j++) {
				other = bpf_object__find_map_by_name(objs[j], bpf_map__name(map));
				if (!other)
					continue;
				if (j < i)
					break;
				if (map_id(bpf_map__fd(other)) != map_id(bpf_map__fd(map)))
					fail_msg("map %s: id %u in %s, %u in %s",
						 bpf_map__name(map), map_id(bpf_map__fd(map)),
						 bpf_object__name(objs[i]),
						 map_id(bpf_map__fd(other)),
						 bpf_object__name(objs[j]));
				holders++;
				n += snprintf(line + n, sizeof(line) - n, " %s",
					      bpf_object__name(objs[j]));
			}
			if (j < i)
				continue; /* printed with its first object */
			print_message("map %s\n", line);
			shared += holders > 1;
		}
	}
	print_message("%u map names held by two objects or more, one map id each\n", shared);
	assert_true(shared >= 10);
}

/*
 * The unregistered stick under `media unregistered deny`: its mount refused,
 * tainted or not (the ledger decides, before the rules).  Under `allow`, an
 * untainted mount succeeds: the stick the write cases use.
 */
static void test_mount(void **state)
{
	(void)state;
	policy("deny");
	expect_refused(&mount_case, true);
	expect_refused(&mount_case, false);
	policy("allow");
	expect_allowed(&mount_case, false);
	if (chmod(MNT, 0777))
		fail_msg("chmod %s: %s", MNT, strerror(errno));
}

static void test_write(void **state)
{
	unsigned int i;

	(void)state;
	policy("allow");
	for (i = 0; i < NCASES(write_cases); i++) {
		prepare_stick();
		expect_refused(&write_cases[i], true);
		prepare_stick();
		expect_allowed(&write_cases[i], false);
	}
}

static void test_net(void **state)
{
	unsigned int i;

	(void)state;
	policy("allow");
	for (i = 0; i < NCASES(net_cases); i++) {
		expect_refused(&net_cases[i], true);
		expect_allowed(&net_cases[i], false);
	}
}

/*
 * A file labelled 機密性2 only by its attribute, in an unlabelled
 * directory: where the kernel reads the attribute itself (the loader loaded
 * bpf/xattr.bpf.c: 6.12), a child that read it is refused the copy to the
 * stick and the connect, as after reading the labelled directory's file.
 * Where it cannot (6.1), dlpd's resolver puts such files in the label maps:
 * tests/bpf/test_label_xattr.c tests that route; this case is skipped.
 */
static void make_file(const char *path, mode_t mode);

static void test_attribute_label(void **state)
{
	(void)state;
	if (!!t.l.xattr != (dlp_kernel_func_nargs("bpf_get_file_xattr") >= 0))
		fail_msg("the label-attribute object is %sloaded on a kernel %s the kfunc",
			 t.l.xattr ? "" : "not ", t.l.xattr ? "without" : "with");
	if (!t.l.xattr) {
		print_message("SKIP: this kernel has no bpf_get_file_xattr; attribute labels come "
			      "from dlpd's resolver here (test_label_xattr)\n");
		skip();
	}
	make_file(ATTR_SECRET, 0644);
	if (setxattr(ATTR_SECRET, ATTR_NAME, "機密性2", strlen("機密性2"), 0))
		fail_msg("setxattr %s: %s", ATTR_SECRET, strerror(errno));
	policy("allow");
	t.secret = ATTR_SECRET;
	prepare_stick();
	expect_refused(&write_cases[0], true);
	prepare_stick();
	expect_allowed(&write_cases[0], false);
	expect_refused(&net_cases[0], true);
	expect_allowed(&net_cases[0], false);
	t.secret = SECRET;
}

/* The slot in force, as dlp_slot says. */
static __u32 active_slot(void)
{
	__u32 slot = DLP_SLOTS;
	int err = dlp_slot_active(&t.fds, &slot);

	if (err)
		fail_msg("dlp_slot_active: %s", strerror(-err));
	return slot;
}

/*
 * As dlpd applies a policy while it enforces: the next generation written
 * whole into the slot not in force changes nothing until dlp_slot_switch();
 * then, the old slot cleared, every hook judges by the new slot alone (its
 * generation in the records, its labels tainting, its zones refusing).  The
 * same back to slot 0, where the other cases expect the policy.
 */
static void test_slot_switch(void **state)
{
	__u32 from, to, before, round;

	(void)state;
	assert_int_equal(active_slot(), 0);
	for (round = 0; round < 2; round++) {
		from = round ? 1 : 0;
		to = !from;
		before = t.generation;
		policy_in("allow", to, true);
		print_message("generation %u written into slot %u; slot %u in force\n",
			      t.generation, to, from);
		t.generation = before;
		prepare_stick();
		expect_refused(&write_cases[0], true);
		t.generation++;

		assert_int_equal(dlp_slot_switch(&t.fds, to), 0);
		assert_int_equal(active_slot(), to);
		assert_int_equal(dlp_slot_clear(&t.fds, from), 0);
		print_message("slot %u in force, slot %u cleared\n", to, from);
		prepare_stick();
		expect_refused(&write_cases[0], true);
		prepare_stick();
		expect_allowed(&write_cases[0], false);
		expect_refused(&net_cases[0], true);
		expect_allowed(&net_cases[0], false);
		expect_refused(&net_cases[5], true);
	}
	assert_int_equal(active_slot(), 0);
}

/*
 * Control: with every program detached, a tainted copy to the stick and a
 * tainted connect succeed, with no record and no hook counted; attached
 * again, the copy is refused again.
 */
static void test_detached(void **state)
{
	__u64 before;
	int err;

	(void)state;
	policy("allow");
	dlp_loader_detach(&t.l);
	before = stat_sum(DLP_STAT_DECISIONS) + judged(DLP_HOOK_INODE_CREATE);
	prepare_stick();
	expect_allowed(&write_cases[0], true);
	expect_allowed(&net_cases[0], true);
	assert_true(stat_sum(DLP_STAT_DECISIONS) + judged(DLP_HOOK_INODE_CREATE) == before);
	err = dlp_loader_attach_lsm(&t.l);
	err = err ?: dlp_loader_attach_cgroup(&t.l, t.cgroup_fd);
	if (err)
		fail_msg("attaching again: %s", t.l.error);
	prepare_stick();
	expect_refused(&write_cases[0], true);
	print_message("%u refusals checked, %u controls passed\n", t.refused, t.controls);
}

/* ---- set-up --------------------------------------------------------------------------- */

static void make_file(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, "secret\n", 7) != 7 || fchmod(fd, mode))
		fail_msg("create %s: %s", path, strerror(errno));
	close(fd);
}

static int read_device(struct device *d, const char *name, const char *sysfs)
{
	unsigned int major, minor;
	FILE *f = fopen(sysfs, "r");
	int n = f ? fscanf(f, "%u:%u", &major, &minor) : 0;

	if (f)
		fclose(f);
	if (n != 2) {
		print_error("%s: no device number\n", sysfs);
		return -1;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->dev = DLP_DEV(major, minor);
	return 0;
}

static int find_stick(void)
{
	const char *disk = getenv("DLP_STICK_UNREG");
	char path[128], part[40];

	snprintf(path, sizeof(path), "/sys/block/%s/dev", disk);
	snprintf(part, sizeof(part), "%s1", disk);
	if (read_device(&t.disk, disk, path))
		return -1;
	snprintf(path, sizeof(path), "/sys/block/%s/%s/dev", disk, part);
	return read_device(&t.part, part, path);
}

/* A cgroup of the test's under the cgroup v2 mount, for the cgroup programs. */
static int make_cgroup(void)
{
	char dev[64], dir[PATH_MAX], type[32];
	FILE *f = fopen("/proc/self/mounts", "r");
	bool found = false;

	while (f && !found && fscanf(f, "%63s %4095s %31s %*[^\n]", dev, dir, type) == 3)
		found = !strcmp(type, "cgroup2");
	if (f)
		fclose(f);
	if (!found) {
		print_error("no cgroup v2 mounted\n");
		return -1;
	}
	snprintf(t.cgroup, sizeof(t.cgroup), "%.*s/dlpguard-test-agent", PATH_MAX - 32, dir);
	if (mkdir(t.cgroup, 0755) && errno != EEXIST) {
		print_error("mkdir %s: %s\n", t.cgroup, strerror(errno));
		t.cgroup[0] = '\0';
		return -1;
	}
	t.cgroup_fd = open(t.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return t.cgroup_fd < 0 ? -1 : 0;
}

static int group_setup(void **state)
{
	int err;

	(void)state;
	if (system("rm -rf " ROOT " && mkdir -p " ROOT "/機密性2 " MNT))
		return -1;
	make_file(SECRET, 0644);
	make_file(PLAIN, 0644);
	if (find_stick() || make_cgroup())
		return -1;
	err = dlp_loader_open(&t.l, ATTR_NAME);
	if (err) {
		print_error("dlp_loader_open: %s\n", t.l.error);
		return -1;
	}
	print_message("dlp_loader_open: every object loaded (inode_setattr: %s)\n",
		      bpf_program__autoload(t.l.write->progs.dlp_write_setattr_idmap) ?
			      "the 3-argument variants" :
			      "the 2-argument variants");
	if (dlp_loader_fds(&t.l, &t.fds)) {
		print_error("dlp_loader_fds: %s\n", t.l.error);
		return -1;
	}
	t.rb = ring_buffer__new(t.fds.events, on_record, NULL, NULL);
	if (!t.rb) {
		print_error("ring_buffer__new: %s\n", strerror(errno));
		return -1;
	}
	policy("allow");
	err = dlp_loader_attach_lsm(&t.l);
	err = err ?: dlp_loader_attach_cgroup(&t.l, t.cgroup_fd);
	if (err) {
		print_error("attach: %s\n", t.l.error);
		return -1;
	}
	print_message("attached: %u programs\n", t.l.nlinks);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	umount2(MNT, MNT_DETACH);
	ring_buffer__free(t.rb);
	dlp_loader_destroy(&t.l);
	if (t.cgroup_fd >= 0)
		close(t.cgroup_fd);
	if (t.cgroup[0] && rmdir(t.cgroup))
		print_error("rmdir %s: %s\n", t.cgroup, strerror(errno));
	return 0;
}

/* Why this cannot run here, or NULL. */
static const char *why_not_here(void)
{
	char lsm[256] = "";
	FILE *f;

	if (!getenv("DLPVM_KERNEL") || !getenv("DLP_STICK_UNREG"))
		return "runs only in the VM test bed (tests/vm/agent.sh): it attaches every LSM "
		       "program and mounts a USB stick";
	if (geteuid())
		return "needs root";
	f = fopen("/sys/kernel/security/lsm", "r");
	if (f) {
		if (!fgets(lsm, sizeof(lsm), f))
			lsm[0] = '\0';
		fclose(f);
	}
	if (!strstr(lsm, "bpf"))
		return "BPF LSM is not active (/sys/kernel/security/lsm)";
	return NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_maps),	cmocka_unit_test(test_mount),
		cmocka_unit_test(test_write),		cmocka_unit_test(test_net),
		cmocka_unit_test(test_attribute_label), cmocka_unit_test(test_slot_switch),
		cmocka_unit_test(test_detached),
	};
	const char *why = why_not_here();

	if (why) {
		printf("SKIP: %s\n", why);
		return EXIT_SKIP;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
