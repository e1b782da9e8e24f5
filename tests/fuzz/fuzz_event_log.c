// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the decision log (user/lib/event_log.c).  The input
 * is a struct dlp_event, then the clock offset, then the account name and
 * the executable the lookups answer with, all as arbitrary bytes.  Whatever
 * the kernel (or a newer one) puts in a record, the line must be exactly one
 * line of valid JSON, checked here by a strict validator of its own, and must
 * read back as a row.  The input is also read as a log line, which must be
 * accepted or refused without a crash.  Run by `make fuzz`, and briefly by
 * `make check`.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_log.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char policy_src[] =
	"mode enforce\n"
	"tier lgwan\n"
	"default deny\n"
	"zone internet 0.0.0.0/1 2000::/3\n"
	"zone lgwan 10.0.0.0/8 ::ffff:0:0/96\n"
	"media DEMO-1 bus usb id 46f4:0001 serial S1 section 総務課 access rw until 2099-03-31\n"
	"media unregistered deny\n"
	"rule r0 deny write media if class >= 2\n"
	"rule r1 deny connect zone internet port 443\n"
	"rule r2 audit mount media registered\n";

/* ---------------------------------------------------------------------------
 * A strict JSON validator (RFC 8259, UTF-8 per RFC 3629), independent of the
 * parser in event_log.c so that the two check each other.
 */

struct v {
	const unsigned char *s;
	size_t n, i;
};

static bool v_value(struct v *v, int depth);

static void v_ws(struct v *v)
{
	while (v->i < v->n && (v->s[v->i] == ' ' || v->s[v->i] == '\t' || v->s[v->i] == '\n' ||
			       v->s[v->i] == '\r'))
		v->i++;
}

static bool v_utf8(struct v *v)
{
	const unsigned char *u = v->s + v->i;
	size_t left = v->n - v->i, len, k;
	uint32_t cp;

	if (u[0] < 0xc2 || u[0] > 0xf4)
		return false;
	len = u[0] < 0xe0 ? 2 : u[0] < 0xf0 ? 3 : 4;
	if (left < len)
		return false;
	cp = u[0] & (0x7f >> len);
	for (k = 1; k < len; k++) {
		if ((u[k] & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (u[k] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return false;
	v->i += len;
	return true;
}

static bool v_hex4(struct v *v, unsigned int *ret)
{
	unsigned int x = 0, k;

	if (v->n - v->i < 4)
		return false;
	for (k = 0; k < 4; k++) {
		unsigned char c = v->s[v->i + k];

		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= c - '0';
		else if (c >= 'a' && c <= 'f')
			x |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			x |= c - 'A' + 10;
		else
			return false;
	}
	v->i += 4;
	*ret = x;
	return true;
}

static bool v_string(struct v *v)
{
	unsigned int u, lo;

	v->i++;
	while (v->i < v->n) {
		unsigned char c = v->s[v->i];

		if (c == '"') {
			v->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c >= 0x80) {
			if (!v_utf8(v))
				return false;
			continue;
		}
		v->i++;
		if (c != '\\')
			continue;
		if (v->i >= v->n)
			return false;
		c = v->s[v->i++];
		if (c == 'u') {
			if (!v_hex4(v, &u) || (u >= 0xdc00 && u <= 0xdfff))
				return false;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (v->n - v->i < 2 || v->s[v->i] != '\\' || v->s[v->i + 1] != 'u')
					return false;
				v->i += 2;
				if (!v_hex4(v, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return false;
			}
		} else if (!memchr("\"\\/bfnrt", c, 8)) {
			return false;
		}
	}
	return false;
}

static bool v_digits(struct v *v)
{
	size_t start = v->i;

	while (v->i < v->n && v->s[v->i] >= '0' && v->s[v->i] <= '9')
		v->i++;
	return v->i > start;
}

static bool v_number(struct v *v)
{
	if (v->s[v->i] == '-')
		v->i++;
	if (v->i < v->n && v->s[v->i] == '0')
		v->i++;
	else if (!v_digits(v))
		return false;
	if (v->i < v->n && v->s[v->i] == '.') {
		v->i++;
		if (!v_digits(v))
			return false;
	}
	if (v->i < v->n && (v->s[v->i] == 'e' || v->s[v->i] == 'E')) {
		v->i++;
		if (v->i < v->n && (v->s[v->i] == '+' || v->s[v->i] == '-'))
			v->i++;
		if (!v_digits(v))
			return false;
	}
	return true;
}

static bool v_literal(struct v *v, const char *w)
{
	size_t n = strlen(w);

	if (v->n - v->i < n || memcmp(v->s + v->i, w, n))
		return false;
	v->i += n;
	return true;
}

/* The members of an object or the elements of an array, after the bracket. */
static bool v_list(struct v *v, int depth, char close, bool members)
{
	v->i++;
	v_ws(v);
	if (v->i < v->n && v->s[v->i] == close) {
		v->i++;
		return true;
	}
	for (;;) {
		v_ws(v);
		if (members) {
			if (v->i >= v->n || v->s[v->i] != '"' || !v_string(v))
				return false;
			v_ws(v);
			if (v->i >= v->n || v->s[v->i++] != ':')
				return false;
		}
		if (!v_value(v, depth + 1))
			return false;
		v_ws(v);
		if (v->i >= v->n)
			return false;
		if (v->s[v->i] == close) {
			v->i++;
			return true;
		}
		if (v->s[v->i++] != ',')
			return false;
	}
}

static bool v_value(struct v *v, int depth)
{
	v_ws(v);
	if (v->i >= v->n || depth > 64)
		return false;
	switch (v->s[v->i]) {
	case '{':
		return v_list(v, depth, '}', true);
	case '[':
		return v_list(v, depth, ']', false);
	case '"':
		return v_string(v);
	case 't':
		return v_literal(v, "true");
	case 'f':
		return v_literal(v, "false");
	case 'n':
		return v_literal(v, "null");
	default:
		return (v->s[v->i] == '-' || (v->s[v->i] >= '0' && v->s[v->i] <= '9')) &&
		       v_number(v);
	}
}

/* One JSON object, then exactly one newline, then the end. */
static bool valid_line(const char *line, size_t n)
{
	struct v v = { .s = (const unsigned char *)line, .n = n ? n - 1 : 0 };

	if (!n || line[n - 1] != '\n' || line[0] != '{')
		return false;
	if (!v_value(&v, 0))
		return false;
	return v.i == v.n;
}

/* ---------------------------------------------------------------------------
 * Lookups that answer with bytes from the input
 */

static char fuzz_user[64];
static char fuzz_exe[128];
static bool fuzz_gone;

static int fake_user(__u32 uid, char *buf, size_t len)
{
	(void)uid;
	if (fuzz_gone)
		return -ENOENT;
	snprintf(buf, len, "%s", fuzz_user);
	return 0;
}

static int fake_exe(__u32 tgid, __u32 pid, const char *comm, char *buf, size_t len)
{
	(void)tgid;
	(void)pid;
	if (strlen(comm) > DLP_COMM_LEN)
		abort();
	if (fuzz_gone)
		return -ESRCH;
	snprintf(buf, len, "%s", fuzz_exe);
	return 0;
}

static const struct dlp_log_lookup fake_lookup = {
	.user_name = fake_user,
	.exe_path = fake_exe,
};

static struct dlp_policy pol;
static bool loaded;

static void load_policy(void)
{
	struct dlp_diag diag;

	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "fuzz", stderr);
	if (dlp_policy_load_buffer(&pol, policy_src, strlen(policy_src), &diag))
		abort();
	loaded = true;
}

/* Copy up to @len - 1 bytes from the input into a C string (a NUL ends it early). */
static void take(const uint8_t **data, size_t *size, char *buf, size_t len)
{
	size_t n = *size < len - 1 ? *size : len - 1;

	memcpy(buf, *data, n);
	buf[n] = '\0';
	*data += n;
	*size -= n;
}

static void check(int n, const char *line)
{
	struct dlp_log_row row;
	char why[128];

	if (n < 0)
		abort();
	if ((size_t)n != strlen(line) || !valid_line(line, n)) {
		fprintf(stderr, "invalid line: %s", line);
		abort();
	}
	if (dlp_log_line_to_row(line, n, &row, why, sizeof(why))) {
		fprintf(stderr, "line refused (%s): %s", why, line);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[DLP_LOG_LINE_MAX];
	struct dlp_log_ctx ctx = { .lookup = &fake_lookup };
	struct dlp_log_row row;
	struct dlp_event e = { 0 };
	char why[128];
	int n;

	if (!loaded)
		load_policy();

	/* The input as a line read back from a log: refused or not, no crash. */
	dlp_log_line_to_row((const char *)data, size, &row, why, sizeof(why));

	memcpy(&e, data, size < sizeof(e) ? size : sizeof(e));
	data += size < sizeof(e) ? size : sizeof(e);
	size -= size < sizeof(e) ? size : sizeof(e);
	if (size >= sizeof(ctx.boot_to_real_ns)) {
		memcpy(&ctx.boot_to_real_ns, data, sizeof(ctx.boot_to_real_ns));
		data += sizeof(ctx.boot_to_real_ns);
		size -= sizeof(ctx.boot_to_real_ns);
	}
	fuzz_gone = size && (data[0] & 1);
	take(&data, &size, fuzz_user, sizeof(fuzz_user));
	take(&data, &size, fuzz_exe, sizeof(fuzz_exe));

	/* As read: a record of another version is refused, and the buffer left empty. */
	n = dlp_event_to_json(&e, &ctx, line, sizeof(line));
	if (n != -EPROTO)
		check(n, line);
	else if (line[0])
		abort();

	/* As a record of this version, under the policy it names (generation odd) or none. */
	e.version = DLP_EVENT_VERSION;
	e.size = sizeof(e);
	if (e.generation & 1) {
		ctx.policies[e.generation & 2 ? 1 : 0].policy = &pol;
		ctx.policies[e.generation & 2 ? 1 : 0].generation = e.generation;
	}
	check(dlp_event_to_json(&e, &ctx, line, sizeof(line)), line);

	/* A buffer one byte short of the line is refused, never overrun. */
	n = strlen(line);
	if (dlp_event_to_json(&e, &ctx, line, n) != -ENOSPC)
		abort();

	check(dlp_lost_to_json(e.ino, e.time_ns, &ctx, line, sizeof(line)), line);
	return 0;
}
