// SPDX-License-Identifier: GPL-2.0
/*
 * Outbound connections and sends (docs/hooks.md §7): every connect(2) and
 * every datagram sent to an explicit address is judged against the policy's
 * `connect` and `send` rules by the destination's zones, port and protocol,
 * and by who asks.
 *
 * Two ways in, which dlpd picks from /sys/kernel/security/lsm:
 *
 *   - with BPF LSM active: lsm/socket_connect and lsm/socket_sendmsg, which
 *     also see the task's taint, its effective ids and its supplementary
 *     groups, so that `if class >= 2` rules work;
 *   - without it: cgroup/connect4|6 and cgroup/sendmsg4|6 on the root of
 *     cgroup v2, with taint 0 (sock_addr programs have no task storage).
 *
 * No policy in force (config abi_version not DLP_ABI_VERSION) refuses and
 * records DLP_REASON_NO_POLICY: dlpd attaches these programs only after it
 * filled the maps, so this only ever catches a daemon that attached too
 * early, or a map cleared under a running program, and both must fail
 * closed, as every other dlpguard hook does (bpf/common.h, dlp_denies()).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "common.h"
#include "taint.h"
#include "zone.h"

/* UAPI macros, which vmlinux.h does not carry. */
#define AF_UNSPEC		0
#define AF_INET			2
#define AF_INET6		10
#define EPERM			1
#define MSG_FASTOPEN		0x20000000
#define SIN6_LEN_RFC2133	24	/* the shortest sockaddr_in6 the kernel takes */

/* The destination of one request, as the record carries it. */
struct dlp_dest {
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 pad;
	__u16 port;		/* host byte order */
	__u8 addr[16];		/* network byte order, IPv4 as ::ffff:a.b.c.d */
};

/* A sockaddr copied out of the kernel, room for either family. */
union dlp_sockaddr {
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

/* The policy's protocol of a socket; MPTCP is judged as TCP, ping and raw as neither. */
static __always_inline __u8 dlp_sock_proto(__u32 protocol)
{
	if (protocol == IPPROTO_TCP || protocol == IPPROTO_MPTCP)
		return DLP_PROTO_TCP;
	if (protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE)
		return DLP_PROTO_UDP;
	return DLP_PROTO_ANY;
}

static __always_inline void dlp_dest_ip4(struct dlp_dest *d, __u32 ip4, __u16 port_be)
{
	d->family = AF_INET;
	d->port = bpf_ntohs(port_be);
	d->addr[10] = 0xff;
	d->addr[11] = 0xff;
	__builtin_memcpy(&d->addr[12], &ip4, sizeof(ip4));
}

/*
 * Decide @q (its action, ids, taint and proto set; zones and port from @d),
 * record a deny or audit with the destination, and say whether to refuse.
 */
static __always_inline bool dlp_net_denies(struct dlp_request *q, __u8 hook,
					   const struct dlp_dest *d)
{
	__u32 slot = dlp_active_slot();
	const struct dlp_config *cfg = dlp_get_config(slot);
	struct dlp_event *e;
	__u8 verdict, reason;
	__u16 rule = 0;

	q->port = d->port;
	q->zones = dlp_zone_lookup(slot, d->addr);
	if (cfg && cfg->abi_version == DLP_ABI_VERSION) {
		verdict = dlp_decide(cfg, q, &rule, &reason);
	} else {
		cfg = NULL;
		verdict = DLP_VERDICT_DENY;
		reason = DLP_REASON_NO_POLICY;
	}
	if (verdict != DLP_VERDICT_ALLOW) {
		e = dlp_report(cfg, hook, q, verdict, reason, rule);
		if (e) {
			e->family = d->family;
			__builtin_memcpy(e->addr, d->addr, sizeof(e->addr));
			bpf_ringbuf_submit(e, 0);
		}
	}
	return dlp_denies(cfg, verdict);
}

/* ---------------------------------------------------------------------------
 * cgroup sock_addr programs: the path without BPF LSM
 * ---------------------------------------------------------------------------
 */

/*
 * The request of a sock_addr program.  Only the real uid and gid are there
 * (bpf_get_current_uid_gid()), without supplementary groups, and no taint.
 */
static __always_inline int dlp_sock_addr(struct bpf_sock_addr *ctx, __u8 hook, __u8 action,
					 const struct dlp_dest *d)
{
	struct dlp_request q = {};
	__u64 ugid = bpf_get_current_uid_gid();

	q.action = action;
	q.proto = dlp_sock_proto(ctx->protocol);
	q.uid = (__u32)ugid;
	q.gids[0] = ugid >> 32;
	q.ngids = 1;
	return dlp_net_denies(&q, hook, d) ? 0 : 1;
}

static __always_inline void dlp_dest_ctx6(struct dlp_dest *d, struct bpf_sock_addr *ctx)
{
	__u32 ip6[4];

	ip6[0] = ctx->user_ip6[0];
	ip6[1] = ctx->user_ip6[1];
	ip6[2] = ctx->user_ip6[2];
	ip6[3] = ctx->user_ip6[3];
	d->family = AF_INET6;
	d->port = bpf_ntohs((__u16)ctx->user_port);
	__builtin_memcpy(d->addr, ip6, sizeof(d->addr));
}

/*
 * Why here: the connect of every TCP, UDP and ping socket of the cgroup,
 * kernel-initiated ones (kernel_connect: a CIFS mount) and TCP Fast Open
 * included, in tcp_v4_pre_connect/udp_pre_connect, before any packet.  An
 * IPv4 socket's connect comes here whatever family the sockaddr claims (the
 * protocol refuses a wrong one after us).  Cost: one array and one LPM
 * lookup, the rule walk; a ring buffer record only for deny and audit.
 */
SEC("cgroup/connect4")
int dlp_connect4(struct bpf_sock_addr *ctx)
{
	struct dlp_dest d = {};

	dlp_dest_ip4(&d, ctx->user_ip4, (__u16)ctx->user_port);
	return dlp_sock_addr(ctx, DLP_HOOK_CGROUP_CONNECT4, DLP_ACT_CONNECT, &d);
}

/*
 * Why here: as connect4, for IPv6 sockets, IPv4-mapped destinations of a
 * dual-stack socket included (::ffff:a.b.c.d, which the zone lookup reads as
 * the IPv4 address).  Same cost.
 */
SEC("cgroup/connect6")
int dlp_connect6(struct bpf_sock_addr *ctx)
{
	struct dlp_dest d = {};

	dlp_dest_ctx6(&d, ctx);
	return dlp_sock_addr(ctx, DLP_HOOK_CGROUP_CONNECT6, DLP_ACT_CONNECT, &d);
}

/*
 * Why here: an unconnected UDP send on an IPv4 socket, and every UDP send of
 * an IPv6 socket to an IPv4 or IPv4-mapped address (udpv6_sendmsg hands
 * those to udp_sendmsg, so sendmsg6 never sees them).  AF_UNSPEC with no
 * address is a connected socket on the slow path (cmsg): its peer was judged
 * at connect, allow.  AF_UNSPEC with an address is a real destination:
 * udp_sendmsg sends to sin_addr whenever the family is AF_INET or AF_UNSPEC,
 * so that is judged as IPv4.  Cost: as connect4, on unconnected sends only.
 */
SEC("cgroup/sendmsg4")
int dlp_sendmsg4(struct bpf_sock_addr *ctx)
{
	struct dlp_dest d = {};

	if (ctx->user_family == AF_UNSPEC && !ctx->user_ip4 && !(__u16)ctx->user_port)
		return 1;
	dlp_dest_ip4(&d, ctx->user_ip4, (__u16)ctx->user_port);
	return dlp_sock_addr(ctx, DLP_HOOK_CGROUP_SENDMSG4, DLP_ACT_SEND, &d);
}

/*
 * Why here: an unconnected UDP send to an IPv6 address.  udpv6_sendmsg drops
 * an AF_UNSPEC address before this program runs: that is a connected send,
 * allowed as in sendmsg4.  Same cost.
 */
SEC("cgroup/sendmsg6")
int dlp_sendmsg6(struct bpf_sock_addr *ctx)
{
	struct dlp_dest d = {};

	if (ctx->user_family == AF_UNSPEC)
		return 1;
	dlp_dest_ctx6(&d, ctx);
	return dlp_sock_addr(ctx, DLP_HOOK_CGROUP_SENDMSG6, DLP_ACT_SEND, &d);
}

/* ---------------------------------------------------------------------------
 * LSM programs: the path with BPF LSM, the only one that knows taint
 * ---------------------------------------------------------------------------
 */

struct dlp_groups {
	struct dlp_request *q;
	unsigned long gid;	/* kernel address of group_info->gid[0] */
	int ngroups;
};

static long dlp_read_group(__u32 i, void *ctx)
{
	struct dlp_groups *g = ctx;
	__u32 gid, slot = i + 1;

	if ((int)i >= g->ngroups)
		return 1;
	if (bpf_probe_read_kernel(&gid, sizeof(gid), (void *)(g->gid + i * sizeof(gid))))
		return 1;
	/* after the barrier, so that clang keeps a bound the verifier sees */
	barrier_var(slot);
	if (slot >= DLP_MAX_GROUPS)
		return 1;
	g->q->gids[slot] = gid;
	g->q->ngids = slot + 1;
	return 0;
}

/*
 * Who asks, from the task's credentials: effective uid, effective gid first,
 * then at most DLP_MAX_GROUPS - 1 supplementary groups (sorted by the
 * kernel; a member of more is judged on the first ones only).  The groups
 * are read in a bpf_loop() callback, which the verifier walks once instead
 * of once per path through the program.
 */
static __always_inline void dlp_request_cred(struct dlp_request *q, struct task_struct *task)
{
	const struct cred *cred = task->cred;
	struct dlp_groups g = { .q = q };
	struct group_info *gi;

	q->uid = BPF_CORE_READ(cred, euid.val);
	q->gids[0] = BPF_CORE_READ(cred, egid.val);
	q->ngids = 1;
	gi = BPF_CORE_READ(cred, group_info);
	if (!gi)
		return;
	g.ngroups = BPF_CORE_READ(gi, ngroups);
	g.gid = (unsigned long)gi + bpf_core_field_offset(struct group_info, gid);
	bpf_loop(DLP_MAX_GROUPS - 1, dlp_read_group, &g, 0);
}

/*
 * The destination a kernel sockaddr of @len bytes names.  AF_UNSPEC counts
 * as @sk_family when @unspec_is_sk (sendmsg: udp_sendmsg, raw_sendmsg and
 * rawv6_sendmsg send to the address whatever that family says), and then an
 * all-zero address and port is no destination.  False when there is nothing
 * to judge: another family, or a sockaddr too short for its family (the
 * protocol refuses it with EINVAL after us).
 */
static __always_inline bool dlp_dest_sockaddr(struct dlp_dest *d, const void *sa, int len,
					      __u16 sk_family, bool unspec_is_sk)
{
	union dlp_sockaddr u = {};
	__u16 family;
	bool unspec;

	if (!sa || bpf_probe_read_kernel(&u, sizeof(u), sa))
		return false;
	family = u.v4.sin_family;
	unspec = family == AF_UNSPEC && unspec_is_sk;
	if (unspec)
		family = sk_family;
	if (family == AF_INET) {
		if (len < (int)sizeof(struct sockaddr_in))
			return false;
		if (unspec && !u.v4.sin_addr.s_addr && !u.v4.sin_port)
			return false;
		dlp_dest_ip4(d, u.v4.sin_addr.s_addr, u.v4.sin_port);
		return true;
	}
	if (family == AF_INET6) {
		if (len < SIN6_LEN_RFC2133)
			return false;
		d->family = AF_INET6;
		d->port = bpf_ntohs(u.v6.sin6_port);
		__builtin_memcpy(d->addr, &u.v6.sin6_addr, sizeof(d->addr));
		if (unspec && !d->port && !u.v6.sin6_addr.in6_u.u6_addr32[0] &&
		    !u.v6.sin6_addr.in6_u.u6_addr32[1] && !u.v6.sin6_addr.in6_u.u6_addr32[2] &&
		    !u.v6.sin6_addr.in6_u.u6_addr32[3])
			return false;
		return true;
	}
	return false;
}

/* The peer a connected inet socket sends to; false if it has none. */
static __always_inline bool dlp_dest_peer(struct dlp_dest *d, struct sock *sk)
{
	__u16 family = sk->__sk_common.skc_family;

	if (family == AF_INET) {
		if (!sk->__sk_common.skc_daddr)
			return false;
		dlp_dest_ip4(d, sk->__sk_common.skc_daddr, sk->__sk_common.skc_dport);
		return true;
	}
	if (family != AF_INET6)
		return false;
	d->family = AF_INET6;
	d->port = bpf_ntohs(sk->__sk_common.skc_dport);
	BPF_CORE_READ_INTO(&d->addr, sk, __sk_common.skc_v6_daddr);
	return d->port != 0;
}

/* The request of an LSM program, for the current task. */
static __always_inline void dlp_request_task(struct dlp_request *q, __u8 action, struct sock *sk,
					     struct task_struct *task, __u8 taint)
{
	q->action = action;
	q->taint = taint;
	q->proto = sk ? dlp_sock_proto(sk->sk_protocol) : DLP_PROTO_ANY;
	dlp_request_cred(q, task);
}

/*
 * Why here: security_socket_connect runs in __sys_connect_file for every
 * connect(2) and io_uring IORING_OP_CONNECT, before the protocol, and only
 * an LSM program can read the task's taint.  It sees the sockaddr the caller
 * gave (a v6 socket connecting with AF_INET included), before any cgroup
 * program could rewrite it.  AF_UNSPEC is a disconnect: allowed.  Misses:
 * kernel_connect (no LSM call) and TCP Fast Open (socket_sendmsg below).
 * Cost on every connect: one task-storage lookup (two for a thread that is
 * not the leader), the credential reads, one array and one LPM lookup and
 * the rule walk; non-sleepable, so the walked pointers stay usable.
 */
SEC("lsm/socket_connect")
int BPF_PROG(dlp_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct dlp_request q = {};
	struct dlp_dest d = {};
	struct sock *sk;

	if (ret)
		return ret;
	if (!dlp_dest_sockaddr(&d, address, addrlen, AF_UNSPEC, false))
		return 0;
	sk = sock->sk;
	dlp_request_task(&q, DLP_ACT_CONNECT, sk, task, dlp_task_taint(task));
	return dlp_net_denies(&q, DLP_HOOK_SOCKET_CONNECT, &d) ? -EPERM : 0;
}

/*
 * Why here: security_socket_sendmsg runs in __sock_sendmsg for sendto,
 * sendmsg, write(2) on a socket and io_uring sends (and, on 6.12, splice and
 * sendfile into a socket), with the kernel copy of the address, whatever the
 * protocol: raw and ping sends to an address too, which cgroup/sendmsg never
 * sees.  Judged:
 *   - a datagram socket given an address: `send`;
 *   - a stream socket with MSG_FASTOPEN and an address: `connect` (TCP Fast
 *     Open connects from tcp_sendmsg_fastopen, which socket_connect never
 *     sees);
 *   - a tainted sender with no address, or a stream socket: the connected
 *     peer again, as `connect`, with the taint it has now (taint can rise
 *     after the connect: `curl -T` opens the file after connecting).
 * Cost on every send of an untainted process without an address: one
 * task-storage lookup.  Otherwise as socket_connect.
 */
SEC("lsm/socket_sendmsg")
int BPF_PROG(dlp_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct dlp_request q = {};
	struct dlp_dest d = {};
	struct sock *sk = sock->sk;
	__u8 action, taint;
	__u16 sk_family;
	bool stream;

	if (ret)
		return ret;
	if (!sk)
		return 0;
	sk_family = sk->__sk_common.skc_family;
	if (sk_family != AF_INET && sk_family != AF_INET6)
		return 0;
	stream = sk->sk_type == SOCK_STREAM;
	taint = dlp_task_taint(task);
	if ((!stream || (msg->msg_flags & MSG_FASTOPEN)) &&
	    dlp_dest_sockaddr(&d, msg->msg_name, msg->msg_namelen, sk_family, true))
		action = stream ? DLP_ACT_CONNECT : DLP_ACT_SEND;
	else if (taint && dlp_dest_peer(&d, sk))
		action = DLP_ACT_CONNECT;
	else
		return 0;
	dlp_request_task(&q, action, sk, task, taint);
	return dlp_net_denies(&q, DLP_HOOK_SOCKET_SENDMSG, &d) ? -EPERM : 0;
}

char LICENSE[] SEC("license") = "GPL";
