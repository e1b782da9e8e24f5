// SPDX-License-Identifier: GPL-2.0
/* Changing a policy's media ledger in its text (ledger_edit.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger_edit.h"

#define IDEOGRAPHIC_SPACE "\xe3\x80\x80"

/* Whether the lexer would not read @s back as one word: a space, or a character it gives a meaning. */
static bool needs_quotes(const char *s)
{
	for (; *s; s++)
		if (*s == ' ' || *s == '\t' || !strncmp(s, IDEOGRAPHIC_SPACE, 3) ||
		    strchr("#\"<>=", *s))
			return true;
	return false;
}

struct out {
	char *buf;
	size_t len, used;
	bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->used + n >= o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->used, s, n);
	o->used += n;
	o->buf[o->used] = '\0';
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* A word as the lexer reads it back: as it is, or quoted with '"' and '\' escaped. */
static void put_word(struct out *o, const char *s)
{
	if (!needs_quotes(s)) {
		put_str(o, s);
		return;
	}
	put(o, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			put(o, "\\", 1);
		put(o, s, 1);
	}
	put(o, "\"", 1);
}

/**
 * dlp_media_format() - a ledger entry as its `media` line
 * @m:   the entry; its strings valid for the policy language (no control
 *       characters, within their limits)
 * @buf: where the line goes, newline and NUL included
 * @len: its size; DLP_MEDIA_LINE_MAX always suffices for a valid entry
 *
 * The line reads back, through the parser, as @m.
 *
 * Return: its length; -ENOSPC if @buf is too small; -EINVAL if @m has an
 * empty field or a bus the language cannot name.
 */
int dlp_media_format(const struct dlp_media *m, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };
	char tail[96];

	if (!m->regno || !*m->regno || !m->serial || !*m->serial || !m->section || !*m->section ||
	    (m->bus != DLP_BUS_USB && m->bus != DLP_BUS_MMC))
		return -EINVAL;
	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	put_str(&o, "media ");
	put_word(&o, m->regno);
	snprintf(tail, sizeof(tail), " bus %s id %04x:%04x serial ", dlp_bus_names[m->bus],
		 m->vendor, m->product);
	put_str(&o, tail);
	put_word(&o, m->serial);
	put_str(&o, " section ");
	put_word(&o, m->section);
	snprintf(tail, sizeof(tail), " access %s until %04u-%02u-%02u\n", m->writable ? "rw" : "ro",
		 m->until.year % 10000u, m->until.month % 100u, m->until.day % 100u);
	put_str(&o, tail);
	return o.full ? -ENOSPC : (int)o.used;
}

/**
 * dlp_ledger_edit() - a policy text with ledger entries dropped and lines added
 * @text:     the policy's source
 * @len:      its length
 * @pol:      @text compiled (its media[i].pos.line says where entry i is)
 * @drop:     pol->nmedia flags: the entries whose line goes; NULL: none
 * @append:   lines added at the end (each ending in a newline), or NULL
 * @ret_text: set to the new text, malloc'd and NUL-terminated
 * @ret_len:  its length
 *
 * Every other byte stays as it was: comments, order, the other statements.
 * A statement is one line in the policy language, so dropping the line
 * drops exactly the entry.
 *
 * Return: 0; -EINVAL if an entry's line is not in @text; -ENOMEM.
 */
int dlp_ledger_edit(const char *text, size_t len, const struct dlp_policy *pol, const bool *drop,
		    const char *append, char **ret_text, size_t *ret_len)
{
	size_t add = append ? strlen(append) : 0, used = 0, i, start, end;
	unsigned int line = 1, m;
	bool gone;
	char *out;

	for (m = 0; m < pol->nmedia; m++)
		if (drop && drop[m] && !pol->media[m].pos.line)
			return -EINVAL;
	out = malloc(len + add + 2);
	if (!out)
		return -ENOMEM;
	for (start = 0; start < len; start = end, line++) {
		for (end = start; end < len && text[end] != '\n'; end++)
			;
		if (end < len)
			end++; /* the newline goes with its line */
		gone = false;
		for (m = 0; drop && m < pol->nmedia && !gone; m++)
			gone = drop[m] && pol->media[m].pos.line == line;
		if (gone)
			continue;
		memcpy(out + used, text + start, end - start);
		used += end - start;
	}
	if (add) {
		if (used && out[used - 1] != '\n')
			out[used++] = '\n';
		memcpy(out + used, append, add);
		used += add;
	}
	out[used] = '\0';
	for (i = 0; drop && i < pol->nmedia; i++)
		if (drop[i] && pol->media[i].pos.line >= line) {
			free(out);
			return -EINVAL;
		}
	*ret_text = out;
	*ret_len = used;
	return 0;
}
