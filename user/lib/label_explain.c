// SPDX-License-Identifier: GPL-2.0
/* What label the kernel finds on a file, and why (label_explain.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <dlpguard/label_value.h>

#include "event_log.h"
#include "label_explain.h"

__attribute__((format(printf, 2, 3))) static void why(struct dlp_label_explained *e,
						      const char *fmt, ...)
{
	va_list ap;

	if (e->nwhy == DLP_LABEL_WHY_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(e->why[e->nwhy++], sizeof(e->why[0]), fmt, ap);
	va_end(ap);
}

static void raise_levels(struct dlp_label_explained *e, __u8 class, __u8 integrity)
{
	if (class > e->class)
		e->class = class;
	if (integrity > e->integrity)
		e->integrity = integrity;
}

/* "機密性2 完全性2", "機密性2", "完全性2" or "no level". */
static const char *levels(__u8 class, __u8 integrity, char *buf, size_t len)
{
	const char *c = class <= DLP_CLASS_MAX ? dlp_class_names[class] : "?";
	const char *i = integrity <= DLP_INTEG_MAX ? dlp_integrity_names[integrity] : "?";

	snprintf(buf, len, "%s%s%s", c, *c && *i ? " " : "", i);
	return buf[0] ? buf : "no level";
}

static const struct dlp_label_value *entry_of(const struct dlp_label_tables *t,
					      const struct stat *st)
{
	__u32 dev = dlp_label_kernel_dev(st->st_dev);
	unsigned int i;

	for (i = 0; i < t->ninodes; i++)
		if (t->keys[i].dev == dev && t->keys[i].ino == st->st_ino)
			return &t->values[i];
	return NULL;
}

/* The 'label dir' statement that names the directory @st is, or NULL. */
static const struct dlp_label *label_dir_of(const struct dlp_policy *pol, const struct stat *st)
{
	struct stat ls;
	unsigned int i;

	for (i = 0; i < pol->nlabels; i++)
		if (pol->labels[i].kind == DLP_LABEL_DIR && !stat(pol->labels[i].match, &ls) &&
		    ls.st_dev == st->st_dev && ls.st_ino == st->st_ino)
			return &pol->labels[i];
	return NULL;
}

/* Say where the entry @v of @dir (the file itself, or a directory above it) comes from. */
static void explain_entry(struct dlp_label_explained *e, const struct dlp_policy *pol,
			  const struct dlp_label_value *v, const char *dir, const struct stat *st,
			  bool own)
{
	const struct dlp_label *lb = label_dir_of(pol, st);
	char buf[64];

	levels(v->class, v->integrity, buf, sizeof(buf));
	if (lb)
		why(e, "%s%s: 'label dir %s' (line %u): %s", own ? "" : "below ", dir, lb->match,
		    lb->pos.line, buf);
	else if (v->flags & DLP_LABEL_F_SUBTREE)
		why(e, "%s%s: a directory the policy's rules name: %s", own ? "" : "below ", dir,
		    buf);
	else
		why(e, "%s: its label attribute, as dlpd read it when the policy was applied: %s",
		    dir, buf);
}

/* The kernel's prefix table (t->prefixes) on the last component of e->path. */
static void explain_prefixes(struct dlp_label_explained *e, const struct dlp_policy *pol,
			     const struct dlp_label_tables *t)
{
	const char *name = strrchr(e->path, '/') + 1;
	const struct dlp_label_prefix *p;
	unsigned int i, k, line;
	char buf[64];

	for (i = 0; i < t->conf.nprefixes && i < DLP_LABEL_MAX_PREFIXES; i++) {
		p = &t->prefixes[i];
		if (!p->len || p->len > DLP_LABEL_PREFIX_MAX || strlen(name) < p->len ||
		    memcmp(name, p->prefix, p->len))
			continue;
		raise_levels(e, p->class, p->integrity);
		for (k = 0, line = 0; k < pol->nlabels && !line; k++)
			if (pol->labels[k].kind == DLP_LABEL_PREFIX &&
			    strlen(pol->labels[k].match) == p->len &&
			    !memcmp(pol->labels[k].match, p->prefix, p->len))
				line = pol->labels[k].pos.line;
		why(e, "its name starts with '%.*s' ('label prefix', line %u): %s", (int)p->len,
		    (const char *)p->prefix, line,
		    levels(p->class, p->integrity, buf, sizeof(buf)));
	}
}

/* The label attribute as it is now, and whether the kernel's maps have it. */
static void explain_attribute(struct dlp_label_explained *e, const struct dlp_policy *pol,
			      const struct dlp_label_value *own)
{
	char value[DLP_LABEL_VALUE_MAX + 1], buf[64];
	__u8 class, integrity;
	ssize_t n;

	if (!pol->label_xattr)
		return;
	n = getxattr(e->path, pol->label_xattr, value, sizeof(value) - 1);
	if (n < 0) {
		if (errno != ENODATA)
			why(e, "its attribute %s cannot be read: %s", pol->label_xattr,
			    strerror(errno));
		return;
	}
	value[n] = '\0';
	if (!dlp_label_value_parse((const __u8 *)value, n, &class, &integrity)) {
		class = DLP_CLASS_MAX;
		integrity = DLP_INTEG_MAX;
		why(e, "its attribute %s holds no level ('%s'): it counts as %s", pol->label_xattr,
		    value, levels(class, integrity, buf, sizeof(buf)));
	} else {
		why(e, "its attribute %s: %s", pol->label_xattr,
		    levels(class, integrity, buf, sizeof(buf)));
	}
	if (!own || (own->flags & DLP_LABEL_F_SUBTREE))
		why(e, "the label maps do not have that attribute: the file is outside the "
		       "directories dlpd scans, or was labelled after the policy was applied");
}

/**
 * dlp_label_explain() - the label the kernel finds on a file, and why
 * @pol:  the policy in force
 * @t:    its label tables, as placed when it was applied
 * @path: the file (or directory); symbolic links are followed
 * @ret:  filled
 *
 * As dlp_label_of() does: the file's own entry, then the first directory
 * above it on the same filesystem that has a directory entry (the walk ends
 * there), then the prefixes; the highest level of each kind counts.  The
 * kernel follows d_parent; this follows the resolved path, which is the same
 * except for a file reached through a bind mount.
 *
 * Return: 0; -errno of realpath(3) or stat(2) for @path.
 */
int dlp_label_explain(const struct dlp_policy *pol, const struct dlp_label_tables *t,
		      const char *path, struct dlp_label_explained *ret)
{
	const struct dlp_label_value *own, *v;
	char dir[PATH_MAX], *slash;
	struct stat st, ds;

	memset(ret, 0, sizeof(*ret));
	if (!realpath(path, ret->path) || stat(ret->path, &st))
		return -errno;
	own = entry_of(t, &st);
	if (own) {
		raise_levels(ret, own->class, own->integrity);
		explain_entry(ret, pol, own, ret->path, &st, true);
	}
	snprintf(dir, sizeof(dir), "%s", ret->path);
	for (;;) {
		slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			if (!slash || !dir[1])
				break;
			dir[1] = '\0'; /* the root directory */
		} else {
			*slash = '\0';
		}
		if (stat(dir, &ds) || ds.st_dev != st.st_dev)
			break; /* the kernel's walk ends at the filesystem's root */
		v = entry_of(t, &ds);
		if (v && (v->flags & DLP_LABEL_F_SUBTREE)) {
			raise_levels(ret, v->class, v->integrity);
			explain_entry(ret, pol, v, dir, &ds, false);
			break;
		}
		if (!strcmp(dir, "/"))
			break;
	}
	explain_prefixes(ret, pol, t);
	explain_attribute(ret, pol, own);
	return 0;
}
