// SPDX-License-Identifier: GPL-2.0
/*
 * The policy parser: one statement per line, each read by its own function
 * into struct dlp_policy, with the place of every word a later check may
 * need to point at.  Checks that need the whole file are the compiler's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <dlpguard/label.h>

#include "lexer.h"
#include "policy.h"
#include "utf8.h"

#define MAX_NAME	64	/* zone names, registration numbers */
#define MAX_ACCOUNT	256	/* user and group names */
#define MAX_SERIAL	255

#define JA_CLASS	"機密性"
#define JA_INTEGRITY	"完全性"

enum limit_kind {
	LIMIT_RULES, LIMIT_NETWORKS, LIMIT_LABELS, LIMIT_PREFIXES, LIMIT_MEDIA, LIMIT_COUNT
};

struct parser {
	struct dlp_policy *pol;
	struct dlp_diag *diag;
	struct dlp_line *line;
	unsigned int next;		/* index of the next unread word */
	bool had_statement;		/* for "version must come first" */
	bool said_too_many[LIMIT_COUNT];		/* each limit is reported once */
};

/* Registration numbers a rule could not tell apart from its own words. */
static const char *const reserved_regnos[] = {
	"any", "registered", "unregistered", "by", "if", NULL
};

static bool is_reserved_regno(const char *text)
{
	int i;

	for (i = 0; reserved_regnos[i]; i++)
		if (!strcmp(text, reserved_regnos[i]))
			return true;
	return false;
}

/* ---- words ---------------------------------------------------------- */

static const struct dlp_token *peek_tok(struct parser *ps)
{
	return ps->next < ps->line->ntok ? &ps->line->tok[ps->next] : NULL;
}

static const struct dlp_token *next_tok(struct parser *ps)
{
	const struct dlp_token *t = peek_tok(ps);

	if (t)
		ps->next++;
	return t;
}

/* Column just past a word as written: quotes and escapes count too. */
static unsigned int tok_end_col(const struct dlp_token *t)
{
	unsigned int cols = dlp_utf8_columns(t->text, t->len);
	unsigned int i;

	if (t->kind != DLP_TOK_STRING)
		return t->col + cols;
	for (i = 0; i < t->len; i++)
		if (t->text[i] == '"' || t->text[i] == '\\')
			cols++;
	return t->col + cols + 2;
}

/*
 * Where a word is; without one, just past the line's last word (not past a
 * trailing comment), where the missing word would go.
 */
static struct dlp_pos tok_pos(struct parser *ps, const struct dlp_token *t)
{
	const struct dlp_line *l = ps->line;

	if (t)
		return (struct dlp_pos){ l->lineno, t->col };
	return (struct dlp_pos){ l->lineno, l->ntok ? tok_end_col(&l->tok[l->ntok - 1]) : 1 };
}

__attribute__((format(printf, 3, 4)))
static int error_at(struct parser *ps, const struct dlp_token *t, const char *fmt, ...)
{
	struct dlp_pos pos = tok_pos(ps, t);
	va_list ap;

	va_start(ap, fmt);
	dlp_verror(ps->diag, pos.line, pos.col, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "expected WHAT, found 'X'" (or '"X"' for a string), or "..., found the end of the line". */
static int expected(struct parser *ps, const struct dlp_token *t, const char *what)
{
	if (!t)
		return error_at(ps, t, "expected %s, found the end of the line", what);
	if (t->kind == DLP_TOK_STRING)
		return error_at(ps, t, "expected %s, found the string \"%s\"", what, t->text);
	return error_at(ps, t, "expected %s, found '%s'", what, t->text);
}

static bool is_keyword(const struct dlp_token *t, const char *kw)
{
	return t && t->kind == DLP_TOK_WORD && !strcmp(t->text, kw);
}

static int lookup(const struct dlp_token *t, const char *const names[])
{
	int i;

	if (!t || t->kind != DLP_TOK_WORD)
		return -1;
	for (i = 0; names[i]; i++)
		if (names[i][0] && !strcmp(t->text, names[i]))
			return i;
	return -1;
}

/* "'a', 'b' or 'c'" (@conj " or "), or "'a', 'b' and 'c'" */
static void list_names(const char *const names[], const char *conj, char *buf, size_t len)
{
	int i, n = 0, k = 0;
	size_t used = 0;

	for (i = 0; names[i]; i++)
		if (names[i][0])
			n++;
	buf[0] = '\0';
	for (i = 0; names[i] && used < len; i++) {
		if (!names[i][0])
			continue;
		used += snprintf(buf + used, len - used, "%s'%s'",
				 k == 0 ? "" : k == n - 1 ? conj : ", ", names[i]);
		k++;
	}
}

/* The next word must be one of @names; its index is returned. */
static int want_choice(struct parser *ps, const char *const names[], int *ret_idx)
{
	const struct dlp_token *t = next_tok(ps);
	char list[256];
	int idx = lookup(t, names);

	if (idx < 0) {
		list_names(names, " or ", list, sizeof(list));
		return expected(ps, t, list);
	}
	*ret_idx = idx;
	return 0;
}

/* A value: a bare word or a quoted string, never an operator. */
static int want_value(struct parser *ps, const char *what, const struct dlp_token **ret_tok)
{
	const struct dlp_token *t = next_tok(ps);

	if (!t || t->kind == DLP_TOK_OP)
		return expected(ps, t, what);
	if (t->len == 0)
		return error_at(ps, t, "%s may not be empty", what);
	*ret_tok = t;
	return 0;
}

static int want_end(struct parser *ps, const char *after)
{
	const struct dlp_token *t = next_tok(ps);

	if (t)
		return error_at(ps, t, "unexpected '%s' after %s; expected the end of the line",
				t->text, after);
	return 0;
}

static char *dup_text(const struct dlp_token *t)
{
	char *s = strdup(t->text);

	if (!s)
		abort();
	return s;
}

static void *grow(void *array, unsigned int count, size_t size)
{
	void *p;

	/* Powers of two: grow when count is 0, 1, 2, 4, 8, ... */
	if (count & (count - 1))
		return array;
	p = realloc(array, (count ? count * 2 : 1) * size);
	if (!p)
		abort();
	return p;
}

static bool over_limit(struct parser *ps, const struct dlp_token *t, enum limit_kind kind,
		       unsigned int count, unsigned int max, const char *what)
{
	if (count < max)
		return false;
	if (!ps->said_too_many[kind])
		error_at(ps, t, "too many %s; at most %u", what, max);
	ps->said_too_many[kind] = true;
	return true;
}

/* Record where a once-only statement was seen; complain on the second time. */
static int once(struct parser *ps, const struct dlp_token *kw, struct dlp_pos *seen,
		const char *what)
{
	if (seen->line)
		return error_at(ps, kw, "%s given twice; first at line %u", what, seen->line);
	*seen = tok_pos(ps, kw);
	return 0;
}

/* ---- levels --------------------------------------------------------- */

/*
 * Fold what a Japanese input method types into ASCII: full-width digits and
 * letters (２, Ａ), and lower-case letters, so "機密性３ａ" reads as "3A".
 */
static bool fold_level_text(const char *s, char *buf, size_t len)
{
	size_t i = 0, out = 0, n = strlen(s);
	uint32_t cp;
	int clen;

	while (i < n) {
		clen = dlp_utf8_decode(s + i, n - i, &cp);
		if (!clen || out + 1 >= len)
			return false;
		if (cp >= 0xff10 && cp <= 0xff19)
			cp = '0' + (cp - 0xff10);
		else if (cp >= 0xff21 && cp <= 0xff3a)
			cp = 'A' + (cp - 0xff21);
		else if (cp >= 0xff41 && cp <= 0xff5a)
			cp = 'A' + (cp - 0xff41);
		else if (cp >= 'a' && cp <= 'z')
			cp = cp - 'a' + 'A';
		if (cp >= 0x80)
			return false;
		buf[out++] = (char)cp;
		i += clen;
	}
	buf[out] = '\0';
	return true;
}

static int class_value(const char *text)
{
	char folded[8];
	int i;

	if (!fold_level_text(text, folded, sizeof(folded)))
		return -1;
	for (i = 1; dlp_level_names[i]; i++)
		if (!strcmp(folded, dlp_level_names[i]))
			return i;
	return -1;
}

static int integrity_value(const char *text)
{
	char folded[8];

	if (!fold_level_text(text, folded, sizeof(folded)))
		return -1;
	if (!strcmp(folded, "1"))
		return DLP_INTEG_1;
	if (!strcmp(folded, "2"))
		return DLP_INTEG_2;
	return -1;
}

#define LEVEL_EXPECTED \
	"a level (機密性1, 機密性2, 機密性3, 機密性3A, 機密性3B, 機密性3C, 完全性1, 完全性2, " \
	"or 'class N', 'integrity N')"

/*
 * One level, in any spelling: "機密性2", "機密性 2", "class 2", "完全性2",
 * "integrity 2".  Exactly one of *ret_level and *ret_integ is set.
 */
static int want_level(struct parser *ps, enum dlp_level *ret_level, enum dlp_integrity *ret_integ)
{
	const struct dlp_token *t = next_tok(ps), *v;
	bool is_class;
	const char *rest;
	int val;

	if (!t || t->kind != DLP_TOK_WORD)
		return expected(ps, t, LEVEL_EXPECTED);
	if (!strncmp(t->text, JA_CLASS, strlen(JA_CLASS))) {
		is_class = true;
		rest = t->text + strlen(JA_CLASS);
	} else if (!strncmp(t->text, JA_INTEGRITY, strlen(JA_INTEGRITY))) {
		is_class = false;
		rest = t->text + strlen(JA_INTEGRITY);
	} else if (!strcmp(t->text, "class") || !strcmp(t->text, "integrity")) {
		is_class = t->text[0] == 'c';
		rest = "";
	} else {
		return expected(ps, t, LEVEL_EXPECTED);
	}
	v = t;
	if (!*rest) {
		v = next_tok(ps);
		if (!v || v->kind != DLP_TOK_WORD)
			return expected(ps, v, is_class ? "a 機密性 level: 1, 2, 3, 3A, 3B or 3C" :
						  "a 完全性 level: 1 or 2");
		rest = v->text;
	}
	val = is_class ? class_value(rest) : integrity_value(rest);
	if (val < 0)
		return error_at(ps, v, "unknown %s level '%s'; expected %s",
				is_class ? "機密性" : "完全性", rest,
				is_class ? "1, 2, 3, 3A, 3B or 3C" : "1 or 2");
	if (is_class)
		*ret_level = val;
	else
		*ret_integ = val;
	return 0;
}

/* The levels that end a label line: at least one, at most one of each kind. */
static int want_levels(struct parser *ps, struct dlp_label *lb)
{
	enum dlp_level level;
	enum dlp_integrity integ;
	const struct dlp_token *t;

	lb->level = DLP_LEVEL_NONE;
	lb->integrity = DLP_INTEG_NONE;
	do {
		t = peek_tok(ps);
		level = DLP_LEVEL_NONE;
		integ = DLP_INTEG_NONE;
		if (want_level(ps, &level, &integ))
			return -EINVAL;
		if ((level && lb->level) || (integ && lb->integrity))
			return error_at(ps, t, "a second %s level; a label gives at most one of "
					"each kind", level ? "機密性" : "完全性");
		if (level)
			lb->level = level;
		else
			lb->integrity = integ;
	} while (peek_tok(ps));
	return 0;
}

/* ---- names and paths ------------------------------------------------ */

static int check_name(struct parser *ps, const struct dlp_token *t, const char *what)
{
	if (t->len > MAX_NAME)
		return error_at(ps, t, "%s too long (%u bytes); at most %d", what, t->len,
				MAX_NAME);
	return 0;
}

/* Absolute, normalised, not too deep; see docs/policy.md §2.4. */
static int check_path(struct parser *ps, const struct dlp_token *t)
{
	const char *p = t->text, *seg;
	unsigned int depth = 0;
	size_t n;

	if (p[0] != '/')
		return error_at(ps, t, "'%s' is not an absolute path; expected a path "
				"starting with '/'", p);
	if (!strcmp(p, "/"))
		return 0;
	for (seg = p + 1;; seg += n + 1) {
		n = strcspn(seg, "/");
		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && !strncmp(seg, "..", 2)))
			return error_at(ps, t, "'%s' is not a normalised path; expected no empty, "
					"'.' or '..' component and no trailing '/'", p);
		depth++;
		if (!seg[n])
			break;
	}
	if (depth > DLP_MAX_LABEL_DEPTH)
		return error_at(ps, t, "'%s' is %u directories deep; at most %d", p, depth,
				DLP_MAX_LABEL_DEPTH);
	return 0;
}

/* ---- statements ----------------------------------------------------- */

static int parse_version(struct parser *ps, const struct dlp_token *kw)
{
	const struct dlp_token *t;

	if (once(ps, kw, &ps->pol->seen_version, "'version'"))
		return -EINVAL;
	if (ps->had_statement)
		return error_at(ps, kw, "'version' must come before every other statement");
	t = next_tok(ps);
	if (!t || t->kind != DLP_TOK_WORD)
		return expected(ps, t, "a version number");
	if (strcmp(t->text, "1"))
		return error_at(ps, t, "unsupported version '%s'; this dlpguard reads version 1",
				t->text);
	ps->pol->version = 1;
	return want_end(ps, "the version");
}

static int parse_mode(struct parser *ps, const struct dlp_token *kw)
{
	int idx;

	if (once(ps, kw, &ps->pol->seen_mode, "'mode'") || want_choice(ps, dlp_mode_names, &idx))
		return -EINVAL;
	ps->pol->mode = idx;
	return want_end(ps, "the mode");
}

static int parse_tier(struct parser *ps, const struct dlp_token *kw)
{
	int idx;

	if (once(ps, kw, &ps->pol->seen_tier, "'tier'") || want_choice(ps, dlp_tier_names, &idx))
		return -EINVAL;
	ps->pol->tier = idx;
	return want_end(ps, "the tier");
}

static int parse_default(struct parser *ps, const struct dlp_token *kw)
{
	const struct dlp_token *t = peek_tok(ps);
	int action = lookup(t, dlp_action_names), verdict;
	char what[64];

	if (action >= 0) {
		next_tok(ps);
		snprintf(what, sizeof(what), "'default %s'", dlp_action_names[action]);
		if (once(ps, kw, &ps->pol->seen_action_default[action], what))
			return -EINVAL;
	} else if (t && lookup(t, dlp_verdict_names) < 0) {
		/* a default was meant: don't also report it missing */
		if (!ps->pol->seen_default.line)
			ps->pol->seen_default = tok_pos(ps, kw);
		return expected(ps, t, "a verdict ('allow', 'deny' or 'audit') or an action "
				"('mount', 'write', 'modify', 'delete', 'connect' or 'send')");
	} else if (once(ps, kw, &ps->pol->seen_default, "'default'")) {
		return -EINVAL;
	}
	if (want_choice(ps, dlp_verdict_names, &verdict))
		return -EINVAL;
	if (action >= 0) {
		ps->pol->defaults[action] = verdict;
	} else {
		for (action = 0; action < DLP_ACT_COUNT; action++)
			if (!ps->pol->seen_action_default[action].line)
				ps->pol->defaults[action] = verdict;
	}
	return want_end(ps, "the verdict");
}

static struct dlp_zone *find_zone(struct dlp_policy *pol, const char *name)
{
	unsigned int i;

	for (i = 0; i < pol->nzones; i++)
		if (!strcmp(pol->zones[i].name, name))
			return &pol->zones[i];
	return NULL;
}

static int add_network(struct parser *ps, struct dlp_zone *z, const struct dlp_token *t)
{
	struct dlp_network net;
	char why[2 * DLP_MAX_WORD + 256];
	unsigned int i;

	if (dlp_network_parse(t->text, &net, why, sizeof(why)))
		return error_at(ps, t, "%s", why);
	for (i = 0; i < z->nnets; i++) {
		if (!memcmp(&z->nets[i], &net, sizeof(net))) {
			dlp_warning(ps->diag, ps->line->lineno, t->col,
				    "'%s' is already in zone '%s'", t->text, z->name);
			return 0;
		}
	}
	if (over_limit(ps, t, LIMIT_NETWORKS, ps->pol->nnets, DLP_MAX_NETWORKS,
		       "networks in all zones"))
		return -EINVAL;
	z->nets = grow(z->nets, z->nnets, sizeof(*z->nets));
	z->nets[z->nnets++] = net;
	ps->pol->nnets++;
	return 0;
}

static int parse_zone(struct parser *ps, const struct dlp_token *kw)
{
	struct dlp_policy *pol = ps->pol;
	const struct dlp_token *name = next_tok(ps), *t;
	struct dlp_zone *z;
	int ret = 0;

	if (!name || name->kind == DLP_TOK_OP)
		return expected(ps, name, "a zone name");
	if (!name->len)
		return error_at(ps, name, "a zone name may not be empty");
	if (name->text[0] >= '0' && name->text[0] <= '9')
		return error_at(ps, name, "zone name '%s' starts with a digit; expected a name, "
				"then its networks", name->text);
	if (!strcmp(name->text, "any"))
		return error_at(ps, name, "'any' is reserved (it means every address); "
				"choose another zone name");
	if (check_name(ps, name, "zone name"))
		return -EINVAL;
	if (!peek_tok(ps))
		return expected(ps, NULL, "an IPv4 or IPv6 network after the zone name");

	z = find_zone(pol, name->text);
	if (!z) {
		if (pol->nzones >= DLP_MAX_ZONES)
			return error_at(ps, name, "too many zones; at most %d", DLP_MAX_ZONES);
		pol->zones = grow(pol->zones, pol->nzones, sizeof(*pol->zones));
		z = &pol->zones[pol->nzones++];
		*z = (struct dlp_zone){ .name = dup_text(name), .pos = tok_pos(ps, name) };
	}
	(void)kw;
	while ((t = next_tok(ps)))
		if (t->kind == DLP_TOK_OP ? expected(ps, t, "a network") : add_network(ps, z, t))
			ret = -EINVAL;
	return ret;
}

/* A namespace dlpguard reads, and a name after it. */
static bool xattr_name_ok(const char *name)
{
	static const char *const spaces[] = { "user.", "security.", "trusted." };
	size_t i, n;

	for (i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++) {
		n = strlen(spaces[i]);
		if (!strncmp(name, spaces[i], n) && name[n])
			return true;
	}
	return false;
}

static unsigned int count_prefixes(const struct dlp_policy *pol)
{
	unsigned int i, n = 0;

	for (i = 0; i < pol->nlabels; i++)
		n += pol->labels[i].kind == DLP_LABEL_PREFIX;
	return n;
}

static int parse_label(struct parser *ps, const struct dlp_token *kw)
{
	static const char *const kinds[] = { "dir", "prefix", "xattr", NULL };
	struct dlp_policy *pol = ps->pol;
	const struct dlp_token *t;
	struct dlp_label lb = { 0 };
	unsigned int i;
	int kind;

	if (want_choice(ps, kinds, &kind))
		return -EINVAL;
	if (kind == 2) {
		if (once(ps, kw, &pol->seen_xattr, "'label xattr'") ||
		    want_value(ps, "an extended attribute name", &t))
			return -EINVAL;
		if (!xattr_name_ok(t->text))
			return error_at(ps, t, "attribute '%s' is in no namespace dlpguard reads; "
					"expected 'user.NAME', 'security.NAME' or 'trusted.NAME'",
					t->text);
		if (want_end(ps, "the attribute name"))
			return -EINVAL;
		pol->label_xattr = dup_text(t);
		return 0;
	}

	lb.kind = kind == 0 ? DLP_LABEL_DIR : DLP_LABEL_PREFIX;
	if (want_value(ps, kind == 0 ? "a directory" : "a file-name prefix", &t))
		return -EINVAL;
	if (kind == 0 && check_path(ps, t))
		return -EINVAL;
	if (kind == 1 && strchr(t->text, '/'))
		return error_at(ps, t, "prefix '%s' holds '/'; a prefix matches the start of a "
				"file's name, not its path", t->text);
	if (kind == 1 && t->len > DLP_LABEL_PREFIX_MAX)
		return error_at(ps, t, "prefix '%s' is %u bytes long; at most %d (UTF-8 bytes: "
				"10 kanji)", t->text, t->len, DLP_LABEL_PREFIX_MAX);
	if (kind == 1 && over_limit(ps, t, LIMIT_PREFIXES, count_prefixes(pol),
				    DLP_LABEL_MAX_PREFIXES, "'label prefix' statements"))
		return -EINVAL;
	for (i = 0; i < pol->nlabels; i++)
		if (pol->labels[i].kind == lb.kind && !strcmp(pol->labels[i].match, t->text))
			return error_at(ps, t, "'%s' is already labelled at line %u", t->text,
					pol->labels[i].pos.line);
	if (over_limit(ps, t, LIMIT_LABELS, pol->nlabels, DLP_MAX_LABELS, "labels"))
		return -EINVAL;
	lb.pos = tok_pos(ps, t);
	if (want_levels(ps, &lb))
		return -EINVAL;
	lb.match = dup_text(t);
	pol->labels = grow(pol->labels, pol->nlabels, sizeof(*pol->labels));
	pol->labels[pol->nlabels++] = lb;
	return 0;
}

static bool is_hex4(const char *s, uint16_t *ret)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			return false;
	}
	*ret = v;
	return true;
}

static bool is_date(const char *s, struct dlp_date *ret)
{
	static const uint8_t mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned int y, m, d, i;
	bool leap;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !leap))
		return false;
	*ret = (struct dlp_date){ y, m, d };
	return true;
}

enum media_field { F_BUS, F_ID, F_SERIAL, F_SECTION, F_ACCESS, F_UNTIL, F_COUNT };

static const char *const media_fields[] = {
	"bus", "id", "serial", "section", "access", "until", NULL
};

static int media_field(struct parser *ps, struct dlp_media *m, int field)
{
	static const char *const access_names[] = { "rw", "ro", NULL };
	const struct dlp_token *t;
	int idx;

	switch (field) {
	case F_BUS:
		if (want_choice(ps, dlp_bus_names, &idx))
			return -EINVAL;
		m->bus = idx;
		return 0;
	case F_ID:
		t = next_tok(ps);
		if (!t || t->kind != DLP_TOK_WORD || t->len != 9 || t->text[4] != ':' ||
		    !is_hex4(t->text, &m->vendor) || !is_hex4(t->text + 5, &m->product))
			return expected(ps, t, "VENDOR:PRODUCT as four hexadecimal digits each "
					"(e.g. 0781:5583)");
		return 0;
	case F_SERIAL:
		if (want_value(ps, "a serial number", &t))
			return -EINVAL;
		if (t->len > MAX_SERIAL)
			return error_at(ps, t, "serial number too long (%u bytes); at most %d",
					t->len, MAX_SERIAL);
		m->serial = dup_text(t);
		return 0;
	case F_SECTION:
		if (want_value(ps, "the owning section (所属)", &t))
			return -EINVAL;
		m->section = dup_text(t);
		return 0;
	case F_ACCESS:
		if (want_choice(ps, access_names, &idx))
			return -EINVAL;
		m->writable = idx == 0;
		return 0;
	default:
		t = next_tok(ps);
		if (!t || t->kind != DLP_TOK_WORD || !is_date(t->text, &m->until))
			return expected(ps, t, "a date YYYY-MM-DD that exists (e.g. 2027-03-31)");
		return 0;
	}
}

static void media_free(struct dlp_media *m)
{
	free(m->regno);
	free(m->serial);
	free(m->section);
}

static int parse_media(struct parser *ps, const struct dlp_token *kw)
{
	struct dlp_policy *pol = ps->pol;
	struct dlp_media m = { 0 };
	const struct dlp_token *regno, *t;
	const char *missing[F_COUNT + 1];
	bool seen[F_COUNT] = { 0 };
	char list[128];
	int field, idx;

	if (want_value(ps, "a registration number, or 'unregistered'", &regno))
		return -EINVAL;
	if (regno->kind == DLP_TOK_WORD && !strcmp(regno->text, "unregistered")) {
		if (once(ps, kw, &pol->seen_unregistered, "'media unregistered'") ||
		    want_choice(ps, dlp_unregistered_names, &idx))
			return -EINVAL;
		/* later warnings point at the value */
		pol->seen_unregistered = tok_pos(ps, &ps->line->tok[ps->next - 1]);
		pol->unregistered = idx;
		return want_end(ps, "what happens to unregistered media");
	}
	if (is_reserved_regno(regno->text))
		return error_at(ps, regno, "'%s' is reserved and cannot be a registration number",
				regno->text);
	if (check_name(ps, regno, "registration number") ||
	    over_limit(ps, regno, LIMIT_MEDIA, pol->nmedia, DLP_MAX_MEDIA, "ledger entries"))
		return -EINVAL;

	m.pos = tok_pos(ps, regno);
	while ((t = peek_tok(ps))) {
		field = lookup(t, media_fields);
		if (field < 0) {
			list_names(media_fields, " or ", list, sizeof(list));
			expected(ps, t, list);
			goto fail;
		}
		if (seen[field]) {
			error_at(ps, t, "'%s' given twice in one ledger entry", t->text);
			goto fail;
		}
		seen[field] = true;
		next_tok(ps);
		if (media_field(ps, &m, field))
			goto fail;
	}
	for (field = 0, idx = 0; field < F_COUNT; field++)
		if (!seen[field])
			missing[idx++] = media_fields[field];
	if (idx) {
		missing[idx] = NULL;
		list_names(missing, " and ", list, sizeof(list));
		error_at(ps, NULL, "ledger entry '%s' lacks %s; every entry needs bus, id, serial, "
			 "section, access and until", regno->text, list);
		goto fail;
	}
	m.regno = dup_text(regno);
	pol->media = grow(pol->media, pol->nmedia, sizeof(*pol->media));
	pol->media[pol->nmedia++] = m;
	return 0;
fail:
	media_free(&m);
	return -EINVAL;
}

/* ---- rules ---------------------------------------------------------- */

static bool is_rule_id(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

/* "80,443,8000-8080" */
static int parse_ports(struct parser *ps, struct dlp_rule *r, const struct dlp_token *t)
{
	const char *p = t->text;
	unsigned long lo, hi;
	char *end;

	for (;;) {
		if (r->nports == DLP_MAX_PORT_RANGES)
			return error_at(ps, t, "too many ports in '%s'; at most %d items",
					t->text, DLP_MAX_PORT_RANGES);
		if (*p < '0' || *p > '9')
			goto bad;
		lo = strtoul(p, &end, 10);
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			hi = strtoul(p, &end, 10);
		}
		if (lo < 1 || lo > 65535 || hi < 1 || hi > 65535)
			return error_at(ps, t, "port out of range in '%s'; expected 1 to 65535",
					t->text);
		if (lo > hi)
			return error_at(ps, t, "port range %lu-%lu runs backwards", lo, hi);
		r->ports[r->nports++] = (struct dlp_port_range){ lo, hi };
		if (!*end)
			return 0;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
bad:
	return expected(ps, t, "a port (443), a range (8000-8080) or a list of them (80,443)");
}

static int rule_media_object(struct parser *ps, struct dlp_rule *r)
{
	static const char *const selectors[] = { "any", "registered", "unregistered", NULL };
	const struct dlp_token *t = peek_tok(ps);
	int idx;

	r->object = DLP_OBJ_MEDIA_ANY;
	if (!t || is_keyword(t, "by") || is_keyword(t, "if"))
		return 0;
	next_tok(ps);
	if (t->kind == DLP_TOK_OP)
		return expected(ps, t, "'any', 'registered', 'unregistered' or a registration "
				"number");
	idx = lookup(t, selectors);
	if (idx >= 0) {
		r->object = DLP_OBJ_MEDIA_ANY + idx;
		return 0;
	}
	r->object = DLP_OBJ_MEDIA_ENTRY;
	r->object_name = dup_text(t);
	r->object_pos = tok_pos(ps, t);
	return 0;
}

static int rule_path_object(struct parser *ps, struct dlp_rule *r)
{
	const struct dlp_token *t;

	if (want_value(ps, "a path", &t) || check_path(ps, t))
		return -EINVAL;
	r->object = DLP_OBJ_PATH;
	r->object_name = dup_text(t);
	r->object_pos = tok_pos(ps, t);
	return 0;
}

static int rule_net_object(struct parser *ps, struct dlp_rule *r)
{
	const struct dlp_token *t;
	bool seen_port = false, seen_proto = false;
	int idx;

	t = next_tok(ps);
	if (!is_keyword(t, "zone"))
		return expected(ps, t, "'zone NAME' or 'zone any'");
	t = next_tok(ps);
	if (!t || t->kind == DLP_TOK_OP)
		return expected(ps, t, "a zone name or 'any'");
	if (is_keyword(t, "any")) {
		r->object = DLP_OBJ_ANY_ADDRESS;
	} else {
		r->object = DLP_OBJ_ZONE;
		r->object_name = dup_text(t);
		r->object_pos = tok_pos(ps, t);
	}
	for (;;) {
		t = peek_tok(ps);
		if ((is_keyword(t, "port") && seen_port) || (is_keyword(t, "proto") && seen_proto))
			return error_at(ps, t, "'%s' given twice in one rule", t->text);
		if (is_keyword(t, "port")) {
			seen_port = true;
			next_tok(ps);
			t = next_tok(ps);
			if (!t || t->kind != DLP_TOK_WORD)
				return expected(ps, t, "a port (443), a range (8000-8080) or a "
						"list of them (80,443)");
			if (parse_ports(ps, r, t))
				return -EINVAL;
		} else if (is_keyword(t, "proto")) {
			seen_proto = true;
			next_tok(ps);
			if (want_choice(ps, dlp_proto_names, &idx))
				return -EINVAL;
			if (r->action == DLP_ACT_SEND && idx == DLP_PROTO_TCP)
				return error_at(ps, &ps->line->tok[ps->next - 1],
						"'send' judges UDP datagrams; 'proto tcp' can never "
						"match it (use 'connect' for TCP)");
			r->proto = idx;
		} else {
			return 0;
		}
	}
}

static int rule_object(struct parser *ps, struct dlp_rule *r)
{
	const struct dlp_token *t;
	enum dlp_integrity integ = DLP_INTEG_NONE;
	enum dlp_level level = DLP_LEVEL_NONE;

	switch (r->action) {
	case DLP_ACT_CONNECT:
	case DLP_ACT_SEND:
		return rule_net_object(ps, r);
	case DLP_ACT_MOUNT:
		t = next_tok(ps);
		if (!is_keyword(t, "media"))
			return expected(ps, t, "'media'");
		return rule_media_object(ps, r);
	case DLP_ACT_WRITE:
		t = next_tok(ps);
		if (is_keyword(t, "media"))
			return rule_media_object(ps, r);
		if (is_keyword(t, "path"))
			return rule_path_object(ps, r);
		return expected(ps, t, "'media' or 'path PATH'");
	default:
		t = next_tok(ps);
		if (is_keyword(t, "path"))
			return rule_path_object(ps, r);
		if (!is_keyword(t, "label"))
			return expected(ps, t, "'label LEVEL' or 'path PATH'");
		if (want_level(ps, &level, &integ))
			return -EINVAL;
		r->object = DLP_OBJ_LABEL;
		r->label_level = level;
		r->label_integrity = integ;
		return 0;
	}
}

static int rule_subject(struct parser *ps, struct dlp_rule *r)
{
	static const char *const kinds[] = { "any", "user", "group", NULL };
	const struct dlp_token *t;
	int idx;

	if (want_choice(ps, kinds, &idx))
		return -EINVAL;
	r->subject = idx;
	if (idx == DLP_SUBJ_ANY)
		return 0;
	if (want_value(ps, idx == DLP_SUBJ_USER ? "a user name or uid" : "a group name or gid",
		       &t))
		return -EINVAL;
	if (is_keyword(t, "by") || is_keyword(t, "if"))
		return expected(ps, t, idx == DLP_SUBJ_USER ? "a user name or uid" :
				"a group name or gid");
	if (t->len > MAX_ACCOUNT)
		return error_at(ps, t, "%s name too long (%u bytes); at most %d",
				idx == DLP_SUBJ_USER ? "user" : "group", t->len, MAX_ACCOUNT);
	r->subject_name = dup_text(t);
	return 0;
}

static int rule_condition(struct parser *ps, struct dlp_rule *r)
{
	const struct dlp_token *t = next_tok(ps);
	int idx;

	if (!is_keyword(t, "class") && !is_keyword(t, JA_CLASS))
		return expected(ps, t, "'class' (or '機密性'): a rule's condition is on taint");
	t = next_tok(ps);
	if (!t || t->kind != DLP_TOK_OP)
		return expected(ps, t, "a comparison: '>=', '>', '=', '<=' or '<'");
	idx = lookup(&(struct dlp_token){ .kind = DLP_TOK_WORD, .text = t->text }, dlp_cmp_names);
	r->taint_cmp = idx;
	t = next_tok(ps);
	if (!t || t->kind != DLP_TOK_WORD)
		return expected(ps, t, "a 機密性 level: 1, 2, 3, 3A, 3B or 3C");
	idx = class_value(t->text);
	if (idx < 0)
		return error_at(ps, t, "unknown 機密性 level '%s'; expected 1, 2, 3, 3A, 3B or 3C",
				t->text);
	r->taint_level = idx;
	return 0;
}

/* What may follow where the rule's words went wrong. */
static void rule_unexpected(struct parser *ps, const struct dlp_rule *r, const struct dlp_token *t,
			    bool seen_by, bool seen_if)
{
	char list[128] = "";
	bool net = r->action == DLP_ACT_CONNECT || r->action == DLP_ACT_SEND;

	if (net && !r->nports)
		strcat(list, "'port', ");
	if (net && r->proto == DLP_PROTO_ANY)
		strcat(list, "'proto', ");
	if (!seen_by)
		strcat(list, "'by', ");
	if (!seen_if)
		strcat(list, "'if', ");
	if (*list)
		strcpy(list + strlen(list) - 2, " or the end of the line");
	else
		strcpy(list, "the end of the line");
	expected(ps, t, list);
}

static void rule_free(struct dlp_rule *r)
{
	free(r->id);
	free(r->object_name);
	free(r->subject_name);
}

static int parse_rule(struct parser *ps, const struct dlp_token *kw)
{
	struct dlp_policy *pol = ps->pol;
	struct dlp_rule r = { 0 };
	const struct dlp_token *id, *t;
	bool seen_by = false, seen_if = false;
	int idx;

	(void)kw;
	id = next_tok(ps);
	if (!id || id->kind == DLP_TOK_OP)
		return expected(ps, id, "a rule id");
	if (!is_rule_id(id->text) || id->len > DLP_MAX_RULE_ID)
		return error_at(ps, id, "bad rule id '%s'; expected at most %d letters, digits, "
				"'_', '-' or '.'", id->text, DLP_MAX_RULE_ID);
	if (over_limit(ps, id, LIMIT_RULES, pol->nrules, DLP_MAX_RULES, "rules"))
		return -EINVAL;
	r.pos = tok_pos(ps, id);
	if (want_choice(ps, dlp_verdict_names, &idx))
		return -EINVAL;
	r.verdict = idx;
	if (want_choice(ps, dlp_action_names, &idx))
		return -EINVAL;
	r.action = idx;
	if (rule_object(ps, &r))
		goto fail;
	while ((t = next_tok(ps))) {
		if ((is_keyword(t, "by") && seen_by) || (is_keyword(t, "if") && seen_if)) {
			error_at(ps, t, "'%s' given twice in one rule", t->text);
			goto fail;
		}
		if (is_keyword(t, "by")) {
			seen_by = true;
			if (rule_subject(ps, &r))
				goto fail;
		} else if (is_keyword(t, "if")) {
			seen_if = true;
			if (rule_condition(ps, &r))
				goto fail;
		} else {
			rule_unexpected(ps, &r, t, seen_by, seen_if);
			goto fail;
		}
	}
	r.id = dup_text(id);
	pol->rules = grow(pol->rules, pol->nrules, sizeof(*pol->rules));
	pol->rules[pol->nrules++] = r;
	return 0;
fail:
	rule_free(&r);
	return -EINVAL;
}

static const struct {
	const char *keyword;
	int (*parse)(struct parser *ps, const struct dlp_token *kw);
} statements[] = {
	{ "version", parse_version },
	{ "mode", parse_mode },
	{ "tier", parse_tier },
	{ "default", parse_default },
	{ "zone", parse_zone },
	{ "label", parse_label },
	{ "media", parse_media },
	{ "rule", parse_rule },
};

static void parse_statement(struct parser *ps)
{
	const struct dlp_token *kw = next_tok(ps);
	size_t i;

	for (i = 0; i < sizeof(statements) / sizeof(statements[0]); i++) {
		if (is_keyword(kw, statements[i].keyword)) {
			statements[i].parse(ps, kw);
			ps->had_statement = true;
			return;
		}
	}
	expected(ps, kw, "a statement: 'version', 'mode', 'tier', 'default', 'zone', 'label', "
		 "'media' or 'rule'");
	ps->had_statement = true;
}

/**
 * dlp_policy_init() - an empty policy, ready for dlp_policy_parse()
 * @pol: the policy
 */
void dlp_policy_init(struct dlp_policy *pol)
{
	*pol = (struct dlp_policy){ .version = 1 };
}

/**
 * dlp_policy_free() - release everything a policy holds
 * @pol: the policy; left empty, as after dlp_policy_init()
 */
void dlp_policy_free(struct dlp_policy *pol)
{
	unsigned int i;

	for (i = 0; i < pol->nzones; i++) {
		free(pol->zones[i].name);
		free(pol->zones[i].nets);
	}
	for (i = 0; i < pol->nlabels; i++)
		free(pol->labels[i].match);
	for (i = 0; i < pol->nmedia; i++)
		media_free(&pol->media[i]);
	for (i = 0; i < pol->nrules; i++)
		rule_free(&pol->rules[i]);
	free(pol->zones);
	free(pol->labels);
	free(pol->label_xattr);
	free(pol->media);
	free(pol->rules);
	free(pol->prefixes);
	dlp_policy_init(pol);
}

/**
 * dlp_policy_parse() - read a policy's statements
 * @pol:  an initialised policy, filled in
 * @src:  the policy text (need not be NUL-terminated)
 * @len:  its length
 * @diag: where errors go; parsing goes on after an error to report them all
 *
 * Return: 0 if no line had an error, -EINVAL otherwise.
 */
int dlp_policy_parse(struct dlp_policy *pol, const char *src, size_t len, struct dlp_diag *diag)
{
	struct parser ps = { .pol = pol, .diag = diag };
	unsigned int errors = diag->errors;
	struct dlp_lexer lx;
	struct dlp_line *line;
	int ret;

	line = malloc(sizeof(*line));
	if (!line)
		abort();
	ps.line = line;
	dlp_lexer_init(&lx, src, len, diag);
	while ((ret = dlp_lex_line(&lx, line)) != 0) {
		if (ret < 0) {
			ps.had_statement = true;
			continue;
		}
		ps.next = 0;
		parse_statement(&ps);
	}
	pol->nlines = lx.lineno;
	free(line);
	return diag->errors > errors ? -EINVAL : 0;
}
