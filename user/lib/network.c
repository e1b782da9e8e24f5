// SPDX-License-Identifier: GPL-2.0
/* IPv4 and IPv6 networks in CIDR notation, as zones list them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static unsigned int family_bits(uint8_t family)
{
	return family == AF_INET ? 32 : 128;
}

static bool is_v4_mapped(const uint8_t addr[16])
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(addr, prefix, sizeof(prefix));
}

static bool host_bits_set(const struct dlp_network *net)
{
	unsigned int bit;

	for (bit = net->prefixlen; bit < family_bits(net->family); bit++)
		if (net->addr[bit / 8] & (0x80 >> (bit % 8)))
			return true;
	return false;
}

static void clear_host_bits(struct dlp_network *net)
{
	unsigned int bit;

	for (bit = net->prefixlen; bit < family_bits(net->family); bit++)
		net->addr[bit / 8] &= ~(0x80 >> (bit % 8));
}

/**
 * dlp_network_parse() - read "ADDRESS" or "ADDRESS/LENGTH"
 * @text:    the word
 * @ret_net: the network, set on success
 * @why:     on error, what was wrong and what was expected
 * @whylen:  size of @why
 *
 * A bare address is a network of one host.  Host bits must be zero.  An
 * IPv4-mapped IPv6 network (::ffff:a.b.c.d/96+n) is the IPv4 network a.b.c.d/n:
 * the kernel sees a dual-stack socket's IPv4 peer that way, and must judge it
 * as IPv4.
 *
 * Return: 0, or -EINVAL with @why filled in.
 */
int dlp_network_parse(const char *text, struct dlp_network *ret_net, char *why, size_t whylen)
{
	char addr[INET6_ADDRSTRLEN + 1], fixed[DLP_NETWORK_STRLEN];
	struct dlp_network net = { 0 };
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	bool mapped = false;
	unsigned long len;
	char *end;

	if (alen == 0 || alen >= sizeof(addr))
		goto bad_address;
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, net.addr) == 1)
		net.family = AF_INET;
	else if (inet_pton(AF_INET6, addr, net.addr) == 1)
		net.family = AF_INET6;
	else
		goto bad_address;

	net.prefixlen = family_bits(net.family);
	if (net.family == AF_INET6 && is_v4_mapped(net.addr))
		mapped = true;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end || errno ||
		    len > family_bits(net.family)) {
			snprintf(why, whylen, "bad prefix length in '%s'; expected 0 to %u after '/'",
				 text, family_bits(net.family));
			return -EINVAL;
		}
		net.prefixlen = len;
	}
	if (mapped && net.prefixlen >= 96) {
		/* ::ffff:a.b.c.d is an IPv4 address, and is judged as one */
		memmove(net.addr, net.addr + 12, 4);
		memset(net.addr + 4, 0, 12);
		net.family = AF_INET;
		net.prefixlen -= 96;
	}
	if (host_bits_set(&net)) {
		clear_host_bits(&net);
		dlp_network_format(&net, fixed, sizeof(fixed));
		snprintf(why, whylen, "host bits are set in '%s'; did you mean '%s'?", text, fixed);
		return -EINVAL;
	}
	*ret_net = net;
	return 0;

bad_address:
	snprintf(why, whylen, "'%s' is not a network; expected an IPv4 or IPv6 address, "
		 "optionally with '/LENGTH'", text);
	return -EINVAL;
}

/**
 * dlp_network_contains() - whether @inner lies within @outer
 * @outer: the wider network
 * @inner: the network tested
 *
 * A network contains itself; networks of different families never overlap.
 */
bool dlp_network_contains(const struct dlp_network *outer, const struct dlp_network *inner)
{
	unsigned int full = outer->prefixlen / 8, rest = outer->prefixlen % 8;
	uint8_t mask;

	if (outer->family != inner->family || outer->prefixlen > inner->prefixlen)
		return false;
	if (memcmp(outer->addr, inner->addr, full))
		return false;
	if (!rest)
		return true;
	mask = 0xff << (8 - rest);
	return (outer->addr[full] & mask) == (inner->addr[full] & mask);
}

/**
 * dlp_network_format() - write a network as "ADDRESS/LENGTH"
 * @net: the network
 * @buf: where to write
 * @len: size of @buf; DLP_NETWORK_STRLEN always suffices
 *
 * Return: 0, or -ENOSPC if @buf is too small.
 */
int dlp_network_format(const struct dlp_network *net, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(net->family, net->addr, addr, sizeof(addr)))
		return -errno;
	n = snprintf(buf, len, "%s/%u", addr, net->prefixlen);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
