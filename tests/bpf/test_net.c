// SPDX-License-Identifier: GPL-2.0
/*
 * The connect and send hooks of bpf/net.bpf.c (docs/hooks.md §7), attached
 * for real and exercised by real sockets.
 *
 * Policies are compiled from text, lowered (with a resolver that knows a few
 * made-up accounts) and written into the skeleton's maps as dlpd will.  Each
 * case runs in a forked child that unshares its network namespace first: a
 * fresh namespace has no routes, so a connect or send the hooks allow fails
 * with ENETUNREACH (or ENETDOWN) and sends nothing, and one they refuse fails
 * with EPERM.  The child brings its own loopback up (without it, IPv6
 * fails earlier, with EADDRNOTAVAIL, for want of a source address); only the
 * connected-socket cases send, to 127.0.0.1 inside that namespace.
 *
 * The cost cases repeat one call 20000 times, attached and detached, and
 * print the program's own run time (BPF_STATS_RUN_TIME) and each program's
 * size and verifier work; they assert only that the program ran each time.
 *
 * cgroup programs (any kernel): attached to a cgroup v2 this test creates,
 * and only to it, with the child moved into it; detached and the cgroup
 * removed afterwards (teardown; an atexit handler and SIGINT/SIGTERM
 * remove the cgroup if a test dies; links die with the process).
 *
 * LSM programs (only where /sys/kernel/security/lsm lists "bpf": the VM test
 * tests/vm/net.sh): attached globally, which only the disposable VM may do;
 * the child's taint is set through the dlp_taint task-storage map with a
 * pidfd key.  Elsewhere those cases are skipped with the reason.
 *
 * Every case checks the error, the records read from the ring buffer (none
 * for an allowed connect; one with exact fields for a deny or an audit), and
 * that the rule walk counter (dlp_stats DECISIONS) moved by exactly the
 * expected number, so a case cannot pass on a hook that did not run.
 *
 * Exits 77 after printing "SKIP: <reason>" when the kernel refuses BPF
 * (EPERM, ENOSYS) or there is no cgroup v2 to attach to.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <dlpguard/event.h>
#include <dlpguard/taint.h>

#include "bpftest.h"
#include "lower.h"
#include "net.skel.h"
#include "policy.h"

#define EXIT_SKIP	77
#define MAX_EVENTS	16
#define GENERATION	7
#define NO_WALK		(-1)

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN	0x20000000
#endif

/* The accounts the fake resolver knows; none needs to exist on the machine. */
#define UID_ALICE	4242
#define GID_KANRI	4343
#define GID_SUB		4444
#define ID_NOBODY	5000

/* The cgroup path: no taint, ports, users, groups, defaults, audit. */
static const char cgroup_policy[] =
	"mode enforce\ntier lgwan\nmedia unregistered deny\n"
	"default allow\n"
	"default connect deny\n"
	"default send deny\n"
	"zone lgwan  10.0.0.0/8 fd00:10::/32\n"
	"zone gw     10.20.30.40 fd00:10::443\n"
	"zone inet   192.0.2.0/24 2001:db8::/32\n"
	"zone local  127.0.0.0/8 ::1\n"
	"rule gw-web   allow connect zone gw port 443,8000-8080 proto tcp\n"
	"rule gw-no    deny  connect zone gw\n"
	"rule dns      allow send    zone lgwan port 53\n"
	"rule alice    allow connect zone inet by user alice\n"
	"rule kanri    allow connect zone inet port 80 by group kanri\n"
	"rule no-inet  deny  connect zone inet\n"
	"rule lgwan    allow connect zone lgwan\n"
	"rule ntp      audit send    zone inet port 123\n"
	"rule local-c  allow connect zone local\n"
	"rule local-s  allow send    zone local\n";

/* The LSM path: taint, supplementary groups. */
static const char lsm_policy[] =
	"mode enforce\ntier lgwan\nmedia unregistered deny\n"
	"default allow\n"
	"zone inet   192.0.2.0/24 2001:db8::/32\n"
	"zone local  127.0.0.0/8 ::1\n"
	"rule sub-ok       allow connect zone inet by group sub\n"
	"rule secret       deny  connect zone inet if class >= 2\n"
	"rule secret-local deny  connect zone local if class >= 2\n"
	"rule secret-send  deny  send    zone inet if class >= 2\n";

enum op_kind {
	OP_CONNECT,		/* connect(addr) */
	OP_SENDTO,		/* sendto(addr) */
	OP_SENDTO_UNSPEC,	/* sendto a sockaddr_in whose family says AF_UNSPEC */
	OP_FASTOPEN,		/* sendto(addr, MSG_FASTOPEN) on TCP */
	OP_CONNECTED_CMSG,	/* connect(addr), then sendmsg with an IP_TTL cmsg, no address */
	OP_CONNECTED_SEND,	/* connect(addr), then send() with no address */
};

/* What the kernel should answer. */
enum want {
	ALLOWED,		/* ENETUNREACH or ENETDOWN: the hook let it through */
	SENT,			/* 0: allowed, over loopback */
	REFUSED,		/* EPERM */
};

struct net_case {
	const char *what;
	enum op_kind op;
	int domain;		/* AF_INET or AF_INET6: the socket's */
	int type;		/* SOCK_STREAM or SOCK_DGRAM */
	const char *addr;	/* the destination, as the socket is given it */
	uint16_t port;
	uid_t uid;		/* 0: stays root; else setresuid */
	gid_t gid;		/* 0: stays; else setresgid */
	gid_t sup;		/* 0: no supplementary group; else the only one */
	uint8_t taint;		/* set through dlp_taint before the operation */
	enum want want;
	int decisions;		/* rule walks expected; 0 means 1, NO_WALK none */
	int loops;		/* run the operation this many times (cost); 0 means once */
	bool in_thread;		/* run it in a second thread; the taint is the leader's */
	/* The one record expected unless verdict is DLP_VERDICT_ALLOW (no record). */
	uint8_t verdict;
	uint8_t hook;
	uint8_t action;
	uint8_t reason;
	const char *rule;	/* DLP_REASON_RULE: the rule's id */
	int family;		/* the record's family */
	const char *raddr;	/* the record's address, if not addr */
	uint8_t proto;
};


struct net_env {
	struct net_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[4];
	unsigned int nlinks;
	struct dlp_policy pol;
	bool have_policy;
	bool lsm;		/* LSM programs loaded and attached */
	char cgroup[PATH_MAX];	/* created by us; "" if none */
	struct dlp_event events[MAX_EVENTS];
	unsigned int nevents;
	unsigned int lost;
	__u64 last_ns;		/* how long the last case's operation took in the child */
};

static char cgroup_root[PATH_MAX];
static struct net_env *live_env;

/* ---- the fake resolver ---- */

static int fake_user(const char *name, __u32 *ret_id)
{
	if (strcmp(name, "alice"))
		return -ENOENT;
	*ret_id = UID_ALICE;
	return 0;
}

static int fake_group(const char *name, __u32 *ret_id)
{
	if (!strcmp(name, "kanri"))
		*ret_id = GID_KANRI;
	else if (!strcmp(name, "sub"))
		*ret_id = GID_SUB;
	else
		return -ENOENT;
	return 0;
}

static const struct dlp_resolver fake_resolver = { .user = fake_user, .group = fake_group };

/* ---- what the machine offers ---- */

static bool bpf_lsm_active(void)
{
	char buf[512], *tok, *save;
	FILE *f = fopen("/sys/kernel/security/lsm", "r");
	bool found = false;

	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		for (tok = strtok_r(buf, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save))
			if (!strcmp(tok, "bpf"))
				found = true;
	fclose(f);
	return found;
}

/* Where cgroup v2 is mounted (/sys/fs/cgroup/unified here, /sys/fs/cgroup in the VM). */
static bool find_cgroup2(char *buf, size_t len)
{
	char dev[256], dir[PATH_MAX], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");
	bool found = false;

	if (!f)
		return false;
	while (!found && fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2"))
			found = snprintf(buf, len, "%s", dir) < (int)len;
	fclose(f);
	return found;
}

/* ---- the child ---- */

struct child_result {
	int stage;		/* 0: the operation ran, err is its errno; else where it failed */
	int err;
	__u64 ns;		/* how long the operation (all its loops) took */
};

static const char *const stage_names[] = {
	"operation", "joining the cgroup", "unshare(CLONE_NEWNET)", "bringing lo up",
	"setting ids", "socket()", "the first connect", "waiting for the parent",
	"starting a thread",
};

enum { ST_OP, ST_CGROUP, ST_UNSHARE, ST_LO, ST_IDS, ST_SOCKET, ST_CONNECT, ST_WAIT, ST_THREAD };

static socklen_t make_sockaddr(const struct net_case *c, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (c->domain == AF_INET) {
		s4->sin_family = c->op == OP_SENDTO_UNSPEC ? AF_UNSPEC : AF_INET;
		s4->sin_port = htons(c->port);
		if (inet_pton(AF_INET, c->addr, &s4->sin_addr) != 1)
			return 0;
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(c->port);
	if (inet_pton(AF_INET6, c->addr, &s6->sin6_addr) != 1)
		return 0;
	return sizeof(*s6);
}

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

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

static int sendmsg_ttl(int fd)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int ttl = 7;

	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_TTL;
	cm->cmsg_len = CMSG_LEN(sizeof(ttl));
	memcpy(CMSG_DATA(cm), &ttl, sizeof(ttl));
	return sendmsg(fd, &msg, 0) < 0 ? -1 : 0;
}

static int child_op(const struct net_case *c, int fd, const struct sockaddr_storage *ss,
		    socklen_t len)
{
	switch (c->op) {
	case OP_CONNECT:
		return connect(fd, (const struct sockaddr *)ss, len);
	case OP_SENDTO:
	case OP_SENDTO_UNSPEC:
		return sendto(fd, "x", 1, 0, (const struct sockaddr *)ss, len) < 0 ? -1 : 0;
	case OP_FASTOPEN:
		return sendto(fd, "x", 1, MSG_FASTOPEN, (const struct sockaddr *)ss, len) < 0 ?
		       -1 : 0;
	case OP_CONNECTED_CMSG:
		return sendmsg_ttl(fd);
	case OP_CONNECTED_SEND:
		return send(fd, "x", 1, 0) < 0 ? -1 : 0;
	}
	errno = EINVAL;
	return -1;
}

static void __attribute__((noreturn)) child_report(int fd, int stage, int err, __u64 ns)
{
	struct child_result r = { .stage = stage, .err = err, .ns = ns };

	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(2);
	_exit(0);
}

/* The operation, c->loops times; the errno of the last (0: it succeeded). */
struct child_ops {
	const struct net_case *c;
	int fd;
	const struct sockaddr_storage *ss;
	socklen_t len;
	int err;
};

static void *child_ops_run(void *arg)
{
	struct child_ops *o = arg;
	int i;

	for (i = 0; i < (o->c->loops ? o->c->loops : 1); i++)
		o->err = child_op(o->c, o->fd, o->ss, o->len) ? errno : 0;
	return NULL;
}

/*
 * In the child: join the cgroup, unshare the network, set ids, make the
 * socket (and connect it, for the connected cases), say "ready" on @res_fd,
 * wait for the parent's byte on @go_fd, run the operation, report.
 */
static void __attribute__((noreturn)) child_main(const struct net_case *c, const char *cgroup,
						  int go_fd, int res_fd)
{
	bool connected = c->op == OP_CONNECTED_CMSG || c->op == OP_CONNECTED_SEND;
	struct sockaddr_storage ss;
	char path[PATH_MAX + 32], pid[32];
	socklen_t len = make_sockaddr(c, &ss);
	struct child_ops ops = { .c = c, .ss = &ss, .len = len };
	struct timespec start, end;
	pthread_t thread;
	int fd, n;
	char go;

	if (cgroup[0]) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
		n = snprintf(pid, sizeof(pid), "%d\n", getpid());
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, pid, n) != n)
			child_report(res_fd, ST_CGROUP, errno, 0);
		close(fd);
	}
	if (unshare(CLONE_NEWNET))
		child_report(res_fd, ST_UNSHARE, errno, 0);
	if (lo_up())
		child_report(res_fd, ST_LO, errno, 0);
	if (c->sup && setgroups(1, &c->sup))
		child_report(res_fd, ST_IDS, errno, 0);
	if (!c->sup && c->gid && setgroups(0, NULL))
		child_report(res_fd, ST_IDS, errno, 0);
	if (c->gid && setresgid(c->gid, c->gid, c->gid))
		child_report(res_fd, ST_IDS, errno, 0);
	if (c->uid && setresuid(c->uid, c->uid, c->uid))
		child_report(res_fd, ST_IDS, errno, 0);
	fd = socket(c->domain, c->type, 0);
	if (fd < 0 || !len)
		child_report(res_fd, ST_SOCKET, fd < 0 ? errno : EINVAL, 0);
	if (connected && connect(fd, (struct sockaddr *)&ss, len))
		child_report(res_fd, ST_CONNECT, errno, 0);
	if (write(res_fd, "r", 1) != 1 || read(go_fd, &go, 1) != 1)
		child_report(res_fd, ST_WAIT, errno, 0);
	ops.fd = fd;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (!c->in_thread) {
		child_ops_run(&ops);
	} else {
		n = pthread_create(&thread, NULL, child_ops_run, &ops);
		if (n || (n = pthread_join(thread, NULL)))
			child_report(res_fd, ST_THREAD, n, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	child_report(res_fd, ST_OP, ops.err,
		     (end.tv_sec - start.tv_sec) * 1000000000ULL + end.tv_nsec - start.tv_nsec);
}

/* ---- the parent ---- */

static int on_event(void *ctx, void *data, size_t size)
{
	struct net_env *env = ctx;

	if (env->nevents >= MAX_EVENTS || size < sizeof(struct dlp_event)) {
		env->lost++;
		return 0;
	}
	memcpy(&env->events[env->nevents++], data, sizeof(struct dlp_event));
	return 0;
}

static __u64 stat_sum(struct net_env *env, enum dlp_stat stat)
{
	int ncpus = libbpf_num_possible_cpus();
	__u32 key = stat;
	__u64 *vals, sum = 0;
	int i;

	assert_true(ncpus > 0);
	vals = calloc(ncpus, sizeof(*vals));
	assert_non_null(vals);
	if (bpf_map_lookup_elem(bpf_map__fd(env->skel->maps.dlp_stats), &key, vals))
		fail_msg("reading dlp_stats[%u]: %s", stat, strerror(errno));
	for (i = 0; i < ncpus; i++)
		sum += vals[i];
	free(vals);
	return sum;
}

static void set_taint(struct net_env *env, pid_t pid, uint8_t class)
{
	struct dlp_taint t = { .class = class };
	int pidfd = syscall(SYS_pidfd_open, pid, 0);

	if (pidfd < 0)
		fail_msg("pidfd_open(%d): %s", pid, strerror(errno));
	if (bpf_map_update_elem(bpf_map__fd(env->skel->maps.dlp_taint), &pidfd, &t, BPF_ANY)) {
		close(pidfd);
		fail_msg("setting taint %u of pid %d in dlp_taint: %s", class, pid,
			 strerror(errno));
	}
	close(pidfd);
}

/*
 * Run @c in a child and return the errno of its operation (0 if it
 * succeeded); the records it caused are in env->events.  *ret_pid: the child.
 */
static int run_case(struct net_env *env, const struct net_case *c, pid_t *ret_pid)
{
	int go[2], res[2], status;
	struct child_result r;
	char ready;
	pid_t pid;
	ssize_t n;

	env->nevents = 0;
	env->lost = 0;
	ring_buffer__consume(env->rb);
	env->nevents = 0;
	if (pipe2(go, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		fail_msg("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (!pid) {
		close(go[1]);
		close(res[0]);
		child_main(c, env->cgroup, go[0], res[1]);
	}
	close(go[0]);
	close(res[1]);
	n = read(res[0], &ready, 1);
	if (n == 1 && ready == 'r') {
		if (c->taint)
			set_taint(env, pid, c->taint);
		if (write(go[1], "g", 1) != 1)
			fail_msg("%s: telling the child to go: %s", c->what, strerror(errno));
		n = read(res[0], &r, sizeof(r));
	} else if (n == 1) {
		/* the child failed before "ready": the first byte is part of its result */
		r.stage = ready;
		n = 1 + read(res[0], (char *)&r + 1, sizeof(r) - 1);
	}
	close(go[1]);
	close(res[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("%s: the child did not exit cleanly (status 0x%x)", c->what, status);
	if (n != sizeof(r))
		fail_msg("%s: no result from the child", c->what);
	if (r.stage)
		fail_msg("%s: the child failed at %s: %s", c->what, stage_names[r.stage],
			 strerror(r.err));
	ring_buffer__consume(env->rb);
	env->last_ns = r.ns;
	*ret_pid = pid;
	return r.err;
}

static int rule_index(const struct dlp_policy *pol, const char *id)
{
	unsigned int i;

	for (i = 0; i < pol->nrules; i++)
		if (!strcmp(pol->rules[i].id, id))
			return i;
	fail_msg("no rule '%s' in the test policy", id);
	return -1;
}

/* The record's address: IPv4 as ::ffff:a.b.c.d. */
static void expected_addr(const char *text, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, text, addr + 12) == 1) {
		addr[10] = 0xff;
		addr[11] = 0xff;
		return;
	}
	if (inet_pton(AF_INET6, text, addr) != 1)
		fail_msg("bad address '%s' in the test", text);
}

static void check_record(struct net_env *env, const struct net_case *c, const struct dlp_event *e,
			 pid_t pid)
{
	uint8_t addr[16];
	char got[INET6_ADDRSTRLEN];
	uint8_t mode = env->have_policy ? env->pol.mode : DLP_MODE_ENFORCE;
	unsigned int uid = c->uid;

	expected_addr(c->raddr ? c->raddr : c->addr, addr);
	inet_ntop(AF_INET6, e->addr, got, sizeof(got));
#define FIELD(f, want) do { \
		if ((unsigned long long)(e->f) != (unsigned long long)(want)) \
			fail_msg("%s: record field " #f " is %llu, expected %llu", c->what, \
				 (unsigned long long)(e->f), (unsigned long long)(want)); \
	} while (0)
	FIELD(version, DLP_EVENT_VERSION);
	FIELD(size, sizeof(struct dlp_event));
	FIELD(hook, c->hook);
	FIELD(action, c->action);
	FIELD(verdict, c->verdict);
	FIELD(reason, c->reason);
	if (c->reason == DLP_REASON_RULE)
		FIELD(rule, rule_index(&env->pol, c->rule));
	FIELD(mode, mode);
	FIELD(generation, env->have_policy ? GENERATION : 0);
	FIELD(family, c->family);
	FIELD(port, c->port);
	FIELD(proto, c->proto);
	FIELD(uid, uid);
	FIELD(taint, c->taint);
	FIELD(tgid, (unsigned int)pid);
	if (!c->in_thread)
		FIELD(pid, (unsigned int)pid);
	else if (e->pid == (unsigned int)pid)
		fail_msg("%s: the record names the leader, not the thread", c->what);
#undef FIELD
	if (memcmp(e->addr, addr, sizeof(addr)))
		fail_msg("%s: record address is %s, expected %s", c->what, got,
			 c->raddr ? c->raddr : c->addr);
}

/* Run @c and check its error, its records and the rule-walk counter. */
static void check_case(struct net_env *env, const struct net_case *c)
{
	__u64 before = stat_sum(env, DLP_STAT_DECISIONS), after;
	bool want_record = c->verdict != DLP_VERDICT_ALLOW;
	int want_decisions = c->decisions == NO_WALK ? 0 : c->decisions ? c->decisions : 1;
	pid_t pid;
	int err;

	err = run_case(env, c, &pid);
	after = stat_sum(env, DLP_STAT_DECISIONS);
	switch (c->want) {
	case ALLOWED:
		if (err != ENETUNREACH && err != ENETDOWN)
			fail_msg("%s: expected allowed (ENETUNREACH/ENETDOWN), got %s", c->what,
				 err ? strerror(err) : "success");
		break;
	case SENT:
		if (err)
			fail_msg("%s: expected it to be sent, got %s", c->what, strerror(err));
		break;
	case REFUSED:
		if (err != EPERM)
			fail_msg("%s: expected EPERM, got %s", c->what,
				 err ? strerror(err) : "success");
		break;
	}
	if (after - before != (__u64)want_decisions)
		fail_msg("%s: the rules were walked %llu times, expected %d", c->what,
			 (unsigned long long)(after - before), want_decisions);
	if (env->lost)
		fail_msg("%s: %u records could not be read", c->what, env->lost);
	if (env->nevents != (want_record ? 1u : 0u))
		fail_msg("%s: %u records, expected %u", c->what, env->nevents, want_record ? 1 : 0);
	if (want_record)
		check_record(env, c, &env->events[0], pid);
	print_message("ok: %s\n", c->what);
}

static void check_cases(struct net_env *env, const struct net_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_case(env, &cases[i]);
}

/* ---- set-up and clean-up ---- */

static void env_destroy(struct net_env *env)
{
	unsigned int i;

	if (!env)
		return;
	for (i = 0; i < env->nlinks; i++)
		bpf_link__destroy(env->links[i]);
	env->nlinks = 0;
	if (env->cgroup[0] && rmdir(env->cgroup))
		fprintf(stderr, "test_net: removing %s: %s\n", env->cgroup, strerror(errno));
	env->cgroup[0] = '\0';
	ring_buffer__free(env->rb);
	net_bpf__destroy(env->skel);
	if (env->have_policy)
		dlp_policy_free(&env->pol);
	if (live_env == env)
		live_env = NULL;
	free(env);
}

static void cleanup_at_exit(void)
{
	env_destroy(live_env);
}

/* Killed (a timeout): the cgroup goes; the links close with the process. */
static void cleanup_on_signal(int sig)
{
	if (live_env && live_env->cgroup[0])
		rmdir(live_env->cgroup);
	_exit(128 + sig);
}

/* Open and load the skeleton; the LSM programs only where BPF LSM is active. */
static struct net_env *env_new(bool lsm)
{
	struct net_env *env = calloc(1, sizeof(*env));
	int err;

	assert_non_null(env);
	live_env = env;
	env->skel = net_bpf__open();
	if (!env->skel)
		fail_msg("net_bpf__open: %s", strerror(errno));
	bpf_program__set_autoload(env->skel->progs.dlp_socket_connect, lsm);
	bpf_program__set_autoload(env->skel->progs.dlp_socket_sendmsg, lsm);
	err = net_bpf__load(env->skel);
	if (err)
		fail_msg("net_bpf__load: %s", strerror(-err));
	assert_int_equal(bpf_map__value_size(env->skel->maps.dlp_taint), sizeof(struct dlp_taint));
	env->rb = ring_buffer__new(bpf_map__fd(env->skel->maps.dlp_events), on_event, env, NULL);
	if (!env->rb)
		fail_msg("ring_buffer__new: %s", strerror(errno));
	return env;
}

static void env_policy(struct net_env *env, const char *name, const char *text)
{
	static struct dlp_lowered low;
	struct dlp_diag diag;
	int err;

	dlp_policy_init(&env->pol);
	dlp_diag_init(&diag, name, stderr);
	if (dlp_policy_load_buffer(&env->pol, text, strlen(text), &diag))
		fail_msg("test policy %s does not compile", name);
	env->have_policy = true;
	err = dlp_policy_lower(&env->pol, &fake_resolver, GENERATION, &low, &diag);
	if (err)
		fail_msg("%s: dlp_policy_lower: %s", name, strerror(-err));
	err = dlp_policy_maps_fill(&low, &env->pol, 0, bpf_map__fd(env->skel->maps.dlp_config),
				   bpf_map__fd(env->skel->maps.dlp_rules),
				   bpf_map__fd(env->skel->maps.dlp_zones));
	dlp_lowered_free(&low);
	if (err)
		fail_msg("%s: dlp_policy_maps_fill: %s", name, strerror(-err));
}

static void attach_cgroup(struct net_env *env)
{
	struct bpf_program *progs[] = {
		env->skel->progs.dlp_connect4, env->skel->progs.dlp_connect6,
		env->skel->progs.dlp_sendmsg4, env->skel->progs.dlp_sendmsg6,
	};
	unsigned int i;
	int fd;

	if (snprintf(env->cgroup, sizeof(env->cgroup), "%.*s/dlpguard-test-net-%d",
		     (int)sizeof(env->cgroup) - 64, cgroup_root,
		     getpid()) >= (int)sizeof(env->cgroup))
		fail_msg("cgroup path too long");
	if (mkdir(env->cgroup, 0755)) {
		env->cgroup[0] = '\0';
		fail_msg("creating a cgroup under %s: %s", cgroup_root, strerror(errno));
	}
	fd = open(env->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("opening %s: %s", env->cgroup, strerror(errno));
	for (i = 0; i < 4; i++) {
		env->links[i] = bpf_program__attach_cgroup(progs[i], fd);
		if (!env->links[i]) {
			close(fd);
			fail_msg("attaching %s to %s: %s", bpf_program__name(progs[i]),
				 env->cgroup, strerror(errno));
		}
		env->nlinks++;
	}
	close(fd);
}

static void detach_all(struct net_env *env)
{
	unsigned int i;

	for (i = 0; i < env->nlinks; i++)
		bpf_link__destroy(env->links[i]);
	env->nlinks = 0;
}

static void attach_lsm(struct net_env *env)
{
	struct bpf_program *progs[] = {
		env->skel->progs.dlp_socket_connect, env->skel->progs.dlp_socket_sendmsg,
	};
	unsigned int i;

	for (i = 0; i < 2; i++) {
		env->links[i] = bpf_program__attach_lsm(progs[i]);
		if (!env->links[i])
			fail_msg("attaching %s: %s", bpf_program__name(progs[i]), strerror(errno));
		env->nlinks++;
	}
}

static int cgroup_setup(void **state)
{
	*state = env_new(bpf_lsm_active());
	return 0;
}

static int lsm_setup(void **state)
{
	if (!bpf_lsm_active()) {
		*state = NULL;
		return 0;
	}
	*state = env_new(true);
	return 0;
}

static int env_teardown(void **state)
{
	env_destroy(*state);
	*state = NULL;
	return 0;
}

/* ---- the cgroup path ---- */

#define V4	AF_INET, SOCK_STREAM
#define V6	AF_INET6, SOCK_STREAM
#define U4	AF_INET, SOCK_DGRAM
#define U6	AF_INET6, SOCK_DGRAM
#define DENY_RULE(h, a, r, fam, p) \
	.verdict = DLP_VERDICT_DENY, .hook = (h), .action = (a), .reason = DLP_REASON_RULE, \
	.rule = (r), .family = (fam), .proto = (p)
#define DENY_DEFAULT(h, a, fam, p) \
	.verdict = DLP_VERDICT_DENY, .hook = (h), .action = (a), .reason = DLP_REASON_DEFAULT, \
	.family = (fam), .proto = (p)
#define TCP	DLP_PROTO_TCP
#define UDP	DLP_PROTO_UDP

static const struct net_case cgroup_cases[] = {
	{ "TCP/IPv4 connect to lgwan", OP_CONNECT, V4, "10.1.2.3", 80, .want = ALLOWED },
	{ "TCP/IPv4 connect to inet", OP_CONNECT, V4, "192.0.2.1", 80, .want = REFUSED,
	  DENY_RULE(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, "no-inet", AF_INET, TCP) },
	{ "TCP/IPv6 connect to lgwan", OP_CONNECT, V6, "fd00:10::1", 80, .want = ALLOWED },
	{ "TCP/IPv6 connect to inet", OP_CONNECT, V6, "2001:db8::1", 80, .want = REFUSED,
	  DENY_RULE(DLP_HOOK_CGROUP_CONNECT6, DLP_ACT_CONNECT, "no-inet", AF_INET6, TCP) },
	{ "UDP/IPv4 connect to lgwan", OP_CONNECT, U4, "10.1.2.3", 53, .want = ALLOWED },
	{ "UDP/IPv4 connect to inet", OP_CONNECT, U4, "192.0.2.1", 53, .want = REFUSED,
	  DENY_RULE(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, "no-inet", AF_INET, UDP) },
	{ "UDP/IPv6 connect to lgwan", OP_CONNECT, U6, "fd00:10::1", 53, .want = ALLOWED },
	{ "UDP/IPv6 connect to inet", OP_CONNECT, U6, "2001:db8::1", 53, .want = REFUSED,
	  DENY_RULE(DLP_HOOK_CGROUP_CONNECT6, DLP_ACT_CONNECT, "no-inet", AF_INET6, UDP) },
	{ "UDP/IPv4 sendto lgwan port 53", OP_SENDTO, U4, "10.1.2.3", 53, .want = ALLOWED },
	{ "UDP/IPv4 sendto lgwan port 54 (default send deny)", OP_SENDTO, U4, "10.1.2.3", 54,
	  .want = REFUSED, DENY_DEFAULT(DLP_HOOK_CGROUP_SENDMSG4, DLP_ACT_SEND, AF_INET, UDP) },
	{ "UDP/IPv4 sendto inet port 123 (audit)", OP_SENDTO, U4, "192.0.2.1", 123,
	  .want = ALLOWED, .verdict = DLP_VERDICT_AUDIT, .hook = DLP_HOOK_CGROUP_SENDMSG4,
	  .action = DLP_ACT_SEND, .reason = DLP_REASON_RULE, .rule = "ntp", .family = AF_INET,
	  .proto = UDP },
	{ "UDP/IPv6 sendto lgwan port 53", OP_SENDTO, U6, "fd00:10::1", 53, .want = ALLOWED },
	{ "UDP/IPv6 sendto inet port 53 (default send deny)", OP_SENDTO, U6, "2001:db8::1", 53,
	  .want = REFUSED, DENY_DEFAULT(DLP_HOOK_CGROUP_SENDMSG6, DLP_ACT_SEND, AF_INET6, UDP) },
	{ "TCP/IPv6 connect to IPv4-mapped lgwan", OP_CONNECT, V6, "::ffff:10.1.2.3", 80,
	  .want = ALLOWED },
	{ "TCP/IPv6 connect to IPv4-mapped inet", OP_CONNECT, V6, "::ffff:192.0.2.1", 80,
	  .want = REFUSED,
	  DENY_RULE(DLP_HOOK_CGROUP_CONNECT6, DLP_ACT_CONNECT, "no-inet", AF_INET6, TCP) },
	{ "UDP/IPv6 connect to IPv4-mapped inet", OP_CONNECT, U6, "::ffff:192.0.2.1", 53,
	  .want = REFUSED,
	  DENY_RULE(DLP_HOOK_CGROUP_CONNECT6, DLP_ACT_CONNECT, "no-inet", AF_INET6, UDP) },
	{ "UDP/IPv6 sendto IPv4-mapped lgwan port 53 (sendmsg4)", OP_SENDTO, U6,
	  "::ffff:10.1.2.3", 53, .want = ALLOWED },
	{ "UDP/IPv6 sendto IPv4-mapped inet (sendmsg4, AF_INET)", OP_SENDTO, U6,
	  "::ffff:192.0.2.1", 53, .want = REFUSED, .raddr = "192.0.2.1",
	  DENY_DEFAULT(DLP_HOOK_CGROUP_SENDMSG4, DLP_ACT_SEND, AF_INET, UDP) },
	{ "UDP/IPv4 sendto with family AF_UNSPEC to inet", OP_SENDTO_UNSPEC, U4, "192.0.2.1",
	  53, .want = REFUSED,
	  DENY_DEFAULT(DLP_HOOK_CGROUP_SENDMSG4, DLP_ACT_SEND, AF_INET, UDP) },
	{ "connected UDP/IPv4, sendmsg with a cmsg (AF_UNSPEC slow path)", OP_CONNECTED_CMSG,
	  U4, "127.0.0.1", 9, .want = SENT },
	{ "gw port 443", OP_CONNECT, V4, "10.20.30.40", 443, .want = ALLOWED },
	{ "gw port 8000 (range start)", OP_CONNECT, V4, "10.20.30.40", 8000, .want = ALLOWED },
	{ "gw port 8080 (range end)", OP_CONNECT, V4, "10.20.30.40", 8080, .want = ALLOWED },
	{ "gw port 8081 (past the range)", OP_CONNECT, V4, "10.20.30.40", 8081,
	  .want = REFUSED,
	  DENY_RULE(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, "gw-no", AF_INET, TCP) },
	{ "gw port 442", OP_CONNECT, V4, "10.20.30.40", 442, .want = REFUSED,
	  DENY_RULE(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, "gw-no", AF_INET, TCP) },
	{ "gw IPv6 port 443", OP_CONNECT, V6, "fd00:10::443", 443, .want = ALLOWED },
	{ "gw UDP port 443 (proto tcp only)", OP_CONNECT, U4, "10.20.30.40", 443,
	  .want = REFUSED,
	  DENY_RULE(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, "gw-no", AF_INET, UDP) },
	{ "inet by user alice", OP_CONNECT, V4, "192.0.2.1", 443, .uid = UID_ALICE,
	  .gid = ID_NOBODY, .want = ALLOWED },
	{ "inet by another user", OP_CONNECT, V4, "192.0.2.1", 443, .uid = ID_NOBODY,
	  .gid = ID_NOBODY, .want = REFUSED,
	  DENY_RULE(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, "no-inet", AF_INET, TCP) },
	{ "inet port 80 by group kanri", OP_CONNECT, V4, "192.0.2.1", 80, .uid = ID_NOBODY,
	  .gid = GID_KANRI, .want = ALLOWED },
	{ "inet port 81 by group kanri", OP_CONNECT, V4, "192.0.2.1", 81, .uid = ID_NOBODY,
	  .gid = GID_KANRI, .want = REFUSED,
	  DENY_RULE(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, "no-inet", AF_INET, TCP) },
	{ "address in no zone (default connect deny)", OP_CONNECT, V4, "198.51.100.1", 80,
	  .want = REFUSED, DENY_DEFAULT(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, AF_INET, TCP) },
	{ "IPv6 address in no zone (default connect deny)", OP_CONNECT, V6, "3fff::1", 80,
	  .want = REFUSED,
	  DENY_DEFAULT(DLP_HOOK_CGROUP_CONNECT6, DLP_ACT_CONNECT, AF_INET6, TCP) },
};

static void test_cgroup_enforce(void **state)
{
	struct net_env *env = *state;
	__u64 denied = stat_sum(env, DLP_STAT_DENIED);

	env_policy(env, "cgroup", cgroup_policy);
	attach_cgroup(env);
	check_cases(env, cgroup_cases, sizeof(cgroup_cases) / sizeof(cgroup_cases[0]));
	assert_true(stat_sum(env, DLP_STAT_DENIED) > denied);
	assert_int_equal(stat_sum(env, DLP_STAT_WOULD_DENY), 0);
}

/* Monitor mode: nothing refused, the would-be denies recorded, flagged and counted. */
static void test_cgroup_monitor(void **state)
{
	static const struct net_case cases[] = {
		{ "monitor: TCP/IPv4 connect to inet", OP_CONNECT, V4, "192.0.2.1", 80,
		  .want = ALLOWED,
		  DENY_RULE(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, "no-inet", AF_INET, TCP) },
		{ "monitor: UDP/IPv6 sendto, default deny", OP_SENDTO, U6, "2001:db8::1", 53,
		  .want = ALLOWED,
		  DENY_DEFAULT(DLP_HOOK_CGROUP_SENDMSG6, DLP_ACT_SEND, AF_INET6, UDP) },
		{ "monitor: TCP/IPv4 connect to lgwan", OP_CONNECT, V4, "10.1.2.3", 80,
		  .want = ALLOWED },
	};
	static char text[sizeof(cgroup_policy) + 16];
	struct net_env *env = *state;
	__u64 denied, would;

	snprintf(text, sizeof(text), "mode monitor\n%s", cgroup_policy + strlen("mode enforce\n"));
	env_policy(env, "cgroup-monitor", text);
	assert_int_equal(env->pol.mode, DLP_MODE_MONITOR);
	attach_cgroup(env);
	denied = stat_sum(env, DLP_STAT_DENIED);
	would = stat_sum(env, DLP_STAT_WOULD_DENY);
	check_cases(env, cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(stat_sum(env, DLP_STAT_DENIED), denied);
	assert_int_equal(stat_sum(env, DLP_STAT_WOULD_DENY), would + 2);
}

/*
 * The EPERM comes from the hook: with the programs detached, the same
 * connect is not refused, and the rules are not walked.
 */
static void test_cgroup_detached(void **state)
{
	static const struct net_case refused = {
		"attached: TCP/IPv4 connect to inet", OP_CONNECT, V4, "192.0.2.1", 80,
		.want = REFUSED,
		DENY_RULE(DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, "no-inet", AF_INET, TCP),
	};
	struct net_case detached = refused;
	struct net_env *env = *state;
	__u64 before;
	pid_t pid;
	int err;

	env_policy(env, "cgroup", cgroup_policy);
	attach_cgroup(env);
	check_case(env, &refused);
	detach_all(env);
	detached.what = "detached: TCP/IPv4 connect to inet";
	before = stat_sum(env, DLP_STAT_DECISIONS);
	err = run_case(env, &detached, &pid);
	if (err != ENETUNREACH && err != ENETDOWN)
		fail_msg("%s: expected ENETUNREACH/ENETDOWN, got %s", detached.what,
			 err ? strerror(err) : "success");
	assert_int_equal(stat_sum(env, DLP_STAT_DECISIONS), before);
	assert_int_equal(env->nevents, 0);
	print_message("ok: %s\n", detached.what);

	/* A sockaddr_in saying AF_UNSPEC is routed, so sent: sendmsg4 must judge it. */
	detached = (struct net_case){ "detached: UDP/IPv4 sendto with family AF_UNSPEC",
				      OP_SENDTO_UNSPEC, U4, "192.0.2.1", 53,
				      .want = ALLOWED };
	err = run_case(env, &detached, &pid);
	if (err != ENETUNREACH && err != ENETDOWN)
		fail_msg("%s: expected ENETUNREACH/ENETDOWN (a real send), got %s",
			 detached.what, err ? strerror(err) : "success");
	print_message("ok: %s\n", detached.what);
}

/* No policy in the maps: every judged connect and send is refused (fail closed). */
static void test_cgroup_no_policy(void **state)
{
	static const struct net_case cases[] = {
		{ "no policy: TCP/IPv4 connect", OP_CONNECT, V4, "10.1.2.3", 80, .want = REFUSED,
		  .decisions = NO_WALK, .verdict = DLP_VERDICT_DENY,
		  .hook = DLP_HOOK_CGROUP_CONNECT4, .action = DLP_ACT_CONNECT,
		  .reason = DLP_REASON_NO_POLICY, .family = AF_INET, .proto = TCP },
		{ "no policy: UDP/IPv6 sendto", OP_SENDTO, U6, "fd00:10::1", 53, .want = REFUSED,
		  .decisions = NO_WALK, .verdict = DLP_VERDICT_DENY,
		  .hook = DLP_HOOK_CGROUP_SENDMSG6, .action = DLP_ACT_SEND,
		  .reason = DLP_REASON_NO_POLICY, .family = AF_INET6, .proto = UDP },
	};
	struct net_env *env = *state;
	__u64 denied = stat_sum(env, DLP_STAT_DENIED);

	attach_cgroup(env);
	check_cases(env, cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(stat_sum(env, DLP_STAT_DENIED), denied + 2);
}

/* ---- the LSM path (VM) ---- */

#define CONN	DLP_HOOK_SOCKET_CONNECT
#define SEND	DLP_HOOK_SOCKET_SENDMSG

static const struct net_case lsm_cases[] = {
	{ "untainted TCP/IPv4 connect to inet", OP_CONNECT, V4, "192.0.2.1", 443,
	  .want = ALLOWED },
	{ "class 1 TCP/IPv4 connect to inet", OP_CONNECT, V4, "192.0.2.1", 443, .taint = 1,
	  .want = ALLOWED },
	{ "class 2 TCP/IPv4 connect to inet", OP_CONNECT, V4, "192.0.2.1", 443, .taint = 2,
	  .want = REFUSED, DENY_RULE(CONN, DLP_ACT_CONNECT, "secret", AF_INET, TCP) },
	{ "class 3A TCP/IPv6 connect to inet", OP_CONNECT, V6, "2001:db8::1", 443,
	  .taint = DLP_CLASS_3A, .want = REFUSED,
	  DENY_RULE(CONN, DLP_ACT_CONNECT, "secret", AF_INET6, TCP) },
	{ "untainted TCP/IPv6 connect to inet", OP_CONNECT, V6, "2001:db8::1", 443,
	  .want = ALLOWED },
	{ "class 2 UDP/IPv4 connect to inet", OP_CONNECT, U4, "192.0.2.1", 53, .taint = 2,
	  .want = REFUSED, DENY_RULE(CONN, DLP_ACT_CONNECT, "secret", AF_INET, UDP) },
	{ "class 2 TCP/IPv6 connect to IPv4-mapped inet", OP_CONNECT, V6, "::ffff:192.0.2.1",
	  443, .taint = 2, .want = REFUSED,
	  DENY_RULE(CONN, DLP_ACT_CONNECT, "secret", AF_INET6, TCP) },
	{ "untainted UDP/IPv4 sendto inet", OP_SENDTO, U4, "192.0.2.1", 53, .want = ALLOWED },
	{ "class 2 UDP/IPv4 sendto inet", OP_SENDTO, U4, "192.0.2.1", 53, .taint = 2,
	  .want = REFUSED, DENY_RULE(SEND, DLP_ACT_SEND, "secret-send", AF_INET, UDP) },
	{ "untainted UDP/IPv6 sendto inet", OP_SENDTO, U6, "2001:db8::1", 53, .want = ALLOWED },
	{ "class 2 UDP/IPv6 sendto inet", OP_SENDTO, U6, "2001:db8::1", 53, .taint = 2,
	  .want = REFUSED, DENY_RULE(SEND, DLP_ACT_SEND, "secret-send", AF_INET6, UDP) },
	{ "class 2 UDP/IPv6 sendto IPv4-mapped inet", OP_SENDTO, U6, "::ffff:192.0.2.1", 53,
	  .taint = 2, .want = REFUSED,
	  DENY_RULE(SEND, DLP_ACT_SEND, "secret-send", AF_INET6, UDP) },
	{ "class 2 UDP/IPv4 sendto with family AF_UNSPEC", OP_SENDTO_UNSPEC, U4, "192.0.2.1",
	  53, .taint = 2, .want = REFUSED,
	  DENY_RULE(SEND, DLP_ACT_SEND, "secret-send", AF_INET, UDP) },
	{ "untainted TCP Fast Open to inet", OP_FASTOPEN, V4, "192.0.2.1", 443,
	  .want = ALLOWED },
	{ "class 2 TCP Fast Open to inet (judged as connect)", OP_FASTOPEN, V4, "192.0.2.1",
	  443, .taint = 2, .want = REFUSED,
	  DENY_RULE(SEND, DLP_ACT_CONNECT, "secret", AF_INET, TCP) },
	{ "class 2, supplementary group sub", OP_CONNECT, V4, "192.0.2.1", 443,
	  .uid = ID_NOBODY, .gid = ID_NOBODY, .sup = GID_SUB, .taint = 2, .want = ALLOWED },
	{ "class 2, no supplementary group", OP_CONNECT, V4, "192.0.2.1", 443,
	  .uid = ID_NOBODY, .gid = ID_NOBODY, .taint = 2, .want = REFUSED,
	  DENY_RULE(CONN, DLP_ACT_CONNECT, "secret", AF_INET, TCP) },
	{ "class 2 leader, untainted thread connects", OP_CONNECT, V4, "192.0.2.1", 443,
	  .taint = 2, .in_thread = true, .want = REFUSED,
	  DENY_RULE(CONN, DLP_ACT_CONNECT, "secret", AF_INET, TCP) },
	{ "untainted send on a connected UDP socket", OP_CONNECTED_SEND, U4, "127.0.0.1", 9,
	  .want = SENT },
	{ "tainted after connecting: send to the peer refused", OP_CONNECTED_SEND, U4,
	  "127.0.0.1", 9, .taint = 2, .want = REFUSED, .decisions = 2,
	  DENY_RULE(SEND, DLP_ACT_CONNECT, "secret-local", AF_INET, UDP) },
};

static void test_lsm_taint(void **state)
{
	struct net_env *env = *state;

	if (!env) {
		print_message("SKIP: BPF LSM is not active here (/sys/kernel/security/lsm has "
			      "no \"bpf\"); tests/vm/net.sh runs these cases\n");
		skip();
	}
	env_policy(env, "lsm", lsm_policy);
	attach_lsm(env);
	check_cases(env, lsm_cases, sizeof(lsm_cases) / sizeof(lsm_cases[0]));
}

/* Monitor mode through the LSM hooks: tainted connects and sends pass, each recorded and counted. */
static void test_lsm_monitor(void **state)
{
	static const struct net_case cases[] = {
		{ "monitor: class 2 TCP/IPv4 connect to inet", OP_CONNECT, V4, "192.0.2.1", 443,
		  .taint = 2, .want = ALLOWED,
		  DENY_RULE(CONN, DLP_ACT_CONNECT, "secret", AF_INET, TCP) },
		{ "monitor: class 2 UDP/IPv6 sendto inet", OP_SENDTO, U6, "2001:db8::1", 53,
		  .taint = 2, .want = ALLOWED,
		  DENY_RULE(SEND, DLP_ACT_SEND, "secret-send", AF_INET6, UDP) },
		{ "monitor: untainted TCP/IPv6 connect to inet", OP_CONNECT, V6, "2001:db8::1", 443,
		  .want = ALLOWED },
	};
	static char text[sizeof(lsm_policy) + 16];
	struct net_env *env = *state;
	__u64 denied, would;

	if (!env) {
		print_message("SKIP: BPF LSM is not active here (/sys/kernel/security/lsm has "
			      "no \"bpf\"); tests/vm/net.sh runs these cases\n");
		skip();
	}
	snprintf(text, sizeof(text), "mode monitor\n%s", lsm_policy + strlen("mode enforce\n"));
	env_policy(env, "lsm-monitor", text);
	assert_int_equal(env->pol.mode, DLP_MODE_MONITOR);
	attach_lsm(env);
	denied = stat_sum(env, DLP_STAT_DENIED);
	would = stat_sum(env, DLP_STAT_WOULD_DENY);
	check_cases(env, cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(stat_sum(env, DLP_STAT_DENIED), denied);
	assert_int_equal(stat_sum(env, DLP_STAT_WOULD_DENY), would + 2);
}

/* ---- what the hooks cost ---- */

#define COST_LOOPS	20000

struct prog_stats {
	__u64 runs;
	__u64 ns;
};

static struct prog_stats prog_stats(const struct bpf_program *prog)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		fail_msg("reading the info of %s: %s", bpf_program__name(prog), strerror(errno));
	return (struct prog_stats){ .runs = info.run_cnt, .ns = info.run_time_ns };
}

/* The size of every loaded program, and how much the verifier had to walk. */
static void print_prog_sizes(struct net_env *env)
{
	struct bpf_program *prog;
	struct bpf_prog_info info;
	__u32 len;

	bpf_object__for_each_program(prog, env->skel->obj) {
		if (bpf_program__fd(prog) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			fail_msg("reading the info of %s: %s", bpf_program__name(prog),
				 strerror(errno));
		print_message("size: %-20s %5u insns translated, %6u bytes JITed, %7u insns "
			      "verified\n", bpf_program__name(prog), info.xlated_prog_len / 8,
			      info.jited_prog_len, info.verified_insns);
	}
}

/*
 * Run @c (COST_LOOPS times in one child) with @prog attached, then again
 * with everything detached; print the program's own time per run (kernel
 * run-time stats) and the operation's time per call both ways.  Asserts
 * only that @prog ran once per call.
 */
static void measure(struct net_env *env, const struct net_case *c, const struct bpf_program *prog,
		    void (*attach)(struct net_env *env))
{
	struct prog_stats before, after;
	__u64 attached, detached;
	int stats_fd;
	pid_t pid;

	attach(env);
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		fail_msg("bpf_enable_stats: %s", strerror(errno));
	before = prog_stats(prog);
	run_case(env, c, &pid);
	attached = env->last_ns;
	after = prog_stats(prog);
	close(stats_fd);
	detach_all(env);
	run_case(env, c, &pid);
	detached = env->last_ns;
	if (after.runs - before.runs != (__u64)c->loops)
		fail_msg("%s: %s ran %llu times for %d calls", c->what, bpf_program__name(prog),
			 (unsigned long long)(after.runs - before.runs), c->loops);
	print_message("cost: %s: %s %.0f ns per run; the call %.0f ns attached, %.0f ns "
		      "detached (%d calls)\n", c->what, bpf_program__name(prog),
		      (double)(after.ns - before.ns) / c->loops, (double)attached / c->loops,
		      (double)detached / c->loops, c->loops);
}

/*
 * A connect that walks six rules before the seventh allows it, the common
 * case of a terminal talking to its own network.
 */
static void test_cgroup_cost(void **state)
{
	static const struct net_case c = {
		"UDP/IPv4 connect to lgwan, 7 rules walked", OP_CONNECT, U4, "10.1.2.3", 53,
		.want = ALLOWED, .loops = COST_LOOPS,
	};
	struct net_env *env = *state;

	env_policy(env, "cgroup", cgroup_policy);
	print_prog_sizes(env);
	measure(env, &c, env->skel->progs.dlp_connect4, attach_cgroup);
}

static void test_lsm_cost(void **state)
{
	static const struct net_case conn = {
		"untainted UDP/IPv4 connect to inet, 3 rules walked", OP_CONNECT, U4, "192.0.2.1",
		53, .want = ALLOWED, .loops = COST_LOOPS,
	};
	static const struct net_case send = {
		"untainted send on a connected UDP socket", OP_CONNECTED_SEND, U4, "127.0.0.1", 9,
		.want = SENT, .loops = COST_LOOPS,
	};
	struct net_env *env = *state;

	if (!env) {
		print_message("SKIP: BPF LSM is not active here (/sys/kernel/security/lsm has "
			      "no \"bpf\"); tests/vm/net.sh runs these cases\n");
		skip();
	}
	env_policy(env, "lsm", lsm_policy);
	print_prog_sizes(env);
	measure(env, &conn, env->skel->progs.dlp_socket_connect, attach_lsm);
	measure(env, &send, env->skel->progs.dlp_socket_sendmsg, attach_lsm);
}

/* ---- main ---- */

static bool kernel_refuses(void)
{
	struct net_bpf *skel = net_bpf__open();
	int err;

	if (skel) {
		bpf_program__set_autoload(skel->progs.dlp_socket_connect, bpf_lsm_active());
		bpf_program__set_autoload(skel->progs.dlp_socket_sendmsg, bpf_lsm_active());
		err = net_bpf__load(skel);
		net_bpf__destroy(skel);
		if (!err)
			return false;
		err = -err;
	} else {
		err = errno;
	}
	return bpftest_refused(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cgroup_enforce, cgroup_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_monitor, cgroup_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_detached, cgroup_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_no_policy, cgroup_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_cost, cgroup_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_lsm_taint, lsm_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_lsm_monitor, lsm_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_lsm_cost, lsm_setup, env_teardown),
	};

	if (kernel_refuses())
		return EXIT_SKIP;
	if (!find_cgroup2(cgroup_root, sizeof(cgroup_root))) {
		printf("SKIP: no cgroup v2 mounted (/proc/self/mounts) to attach the "
		       "programs to\n");
		return EXIT_SKIP;
	}
	atexit(cleanup_at_exit);
	signal(SIGINT, cleanup_on_signal);
	signal(SIGTERM, cleanup_on_signal);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
