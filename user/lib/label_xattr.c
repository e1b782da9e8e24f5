// SPDX-License-Identifier: GPL-2.0
/*
 * Files labelled by extended attribute, resolved into the label tables
 * (label_xattr.h).  The attribute is read with lstat(2) and lgetxattr(2) on
 * the path, never by opening the file: an open would run dlpguard's own
 * file_open hook and taint dlpd with every label it reads, and would
 * update access times or block on a file being written.
 */
#include <errno.h>
#include <fts.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

#include <linux/magic.h>

#include <dlpguard/abi.h>
#include <dlpguard/label_value.h>

#include "label_xattr.h"

/* The namespaces a label attribute may be in (docs/policy.md §2.4). */
static bool name_allowed(const char *name)
{
	static const char *const prefixes[] = { "user.", "security.", "trusted." };
	unsigned int i;
	size_t n;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (!strncmp(name, prefixes[i], n) && name[n])
			return true;
	}
	return false;
}

/* Whether @a and @b are the same inode. */
static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/**
 * dlp_label_xattr_resolve() - the label a file's extended attribute gives it
 * @path:      the file; a symlink is not followed
 * @name:      the attribute ('label xattr NAME'): user.*, security.* or trusted.*
 * @ret_key:   the file's (device, inode) as the kernel stores them, set when labelled
 * @ret_value: its levels, flags 0 (the file alone, not a subtree), set when labelled
 *
 * Only regular files are labelled this way; anything else has no label
 * here.  A value that is not a level (dlp_label_value_parse() refuses it, or
 * it is longer than DLP_LABEL_VALUE_MAX bytes) fails closed: the highest
 * levels.  A file on btrfs is refused: stat(2) there reports a per-subvolume
 * device the kernel's inodes do not carry, so the entry would never match.
 * trusted.* attributes are visible to CAP_SYS_ADMIN only; without it every
 * file reads as unlabelled.
 *
 * Return: DLP_LABEL_XATTR_LABELLED, or DLP_LABEL_XATTR_MALFORMED (highest
 * levels) with @ret_key and @ret_value set; DLP_LABEL_XATTR_NONE when the
 * file has no such attribute, is not a regular file, or lies on a
 * filesystem without that kind of attribute; -EINVAL for a @name outside
 * the three namespaces; -EOPNOTSUPP on btrfs; -EAGAIN if @path was replaced
 * while it was read; otherwise the -errno of lstat(2) or lgetxattr(2).
 */
int dlp_label_xattr_resolve(const char *path, const char *name, struct dlp_label_key *ret_key,
			    struct dlp_label_value *ret_value)
{
	__u8 buf[DLP_LABEL_VALUE_MAX], class = DLP_CLASS_MAX, integrity = DLP_INTEG_MAX, c, i;
	int found = DLP_LABEL_XATTR_MALFORMED;
	struct stat st, again;
	struct statfs sfs;
	ssize_t len;

	if (!name_allowed(name))
		return -EINVAL;
	if (lstat(path, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return DLP_LABEL_XATTR_NONE;
	len = lgetxattr(path, name, buf, sizeof(buf));
	if (len < 0 && (errno == ENODATA || errno == EOPNOTSUPP))
		return DLP_LABEL_XATTR_NONE;
	if (len < 0 && errno != ERANGE)
		return -errno;
	/* ERANGE: longer than any level can be written, so not a level. */
	if (len >= 0 && dlp_label_value_parse(buf, len, &c, &i)) {
		found = DLP_LABEL_XATTR_LABELLED;
		class = c;
		integrity = i;
	}
	/* The value must be the inode's whose key is given: not a file renamed over it meanwhile. */
	if (lstat(path, &again))
		return errno == ENOENT ? -EAGAIN : -errno;
	if (!same_inode(&st, &again))
		return -EAGAIN;
	if (statfs(path, &sfs))
		return -errno;
	if (sfs.f_type == BTRFS_SUPER_MAGIC)
		return -EOPNOTSUPP;
	*ret_key =
		(struct dlp_label_key){ .dev = dlp_label_kernel_dev(st.st_dev), .ino = st.st_ino };
	*ret_value = (struct dlp_label_value){ .class = class, .integrity = integrity };
	return found;
}

/* The entry of @key in @t; NULL if it has none. */
static struct dlp_label_value *entry_of(struct dlp_label_tables *t, const struct dlp_label_key *key)
{
	unsigned int i;

	for (i = 0; i < t->ninodes; i++)
		if (t->keys[i].dev == key->dev && t->keys[i].ino == key->ino)
			return &t->values[i];
	return NULL;
}

static void raise_levels(__u8 *class, __u8 *integrity, __u8 c, __u8 i)
{
	if (c > *class)
		*class = c;
	if (i > *integrity)
		*integrity = i;
}

/*
 * Put @v for the file @path into @t: a new entry, or an existing one (a
 * second hard link, or an entry made before the scan) raised, its flags and
 * paths kept; and raise its filesystem's fail-closed levels.  1 if an entry
 * was added, 0 if one was raised, -E2BIG (reported) if a table is full.
 */
static int add_file(struct dlp_label_tables *t, const char *path, const char *root,
		    const struct dlp_label_key *key, const struct dlp_label_value *v,
		    struct dlp_diag *diag)
{
	struct dlp_label_conf *c = &t->conf;
	struct dlp_label_value *e;
	unsigned int i;
	int added = 0;

	for (i = 0; i < c->ndevs; i++)
		if (c->devs[i].dev == key->dev)
			break;
	if (i == c->ndevs && c->ndevs >= DLP_LABEL_MAX_DEVS) {
		dlp_error(diag, 0, 0,
			  "'%s' (under '%s'): labels and paths on more than %d filesystems", path,
			  root, DLP_LABEL_MAX_DEVS);
		return -E2BIG;
	}
	e = entry_of(t, key);
	if (!e) {
		if (t->ninodes >= DLP_LABEL_INODE_ENTRIES) {
			dlp_error(diag, 0, 0,
				  "'%s' (under '%s'): more than %d labelled inodes (label and "
				  "'path' directories, and files labelled by attribute)",
				  path, root, DLP_LABEL_INODE_ENTRIES);
			return -E2BIG;
		}
		t->keys[t->ninodes] = *key;
		e = &t->values[t->ninodes++];
		*e = (struct dlp_label_value){ 0 };
		added = 1;
	}
	raise_levels(&e->class, &e->integrity, v->class, v->integrity);
	if (i == c->ndevs)
		c->devs[c->ndevs++] = (struct dlp_label_dev){ .dev = key->dev };
	raise_levels(&c->devs[i].class, &c->devs[i].integrity, v->class, v->integrity);
	return added;
}

/*
 * One regular file met by the scan: resolved and added to @t.  1 if an
 * entry was added, 0 if not (unlabelled, merged, or a warning given),
 * -errno if the scan must stop.
 */
static int scan_file(const FTSENT *f, const char *root, const char *name,
		     struct dlp_label_tables *t, struct dlp_diag *diag)
{
	struct dlp_label_value v;
	struct dlp_label_key key;
	int found;

	found = dlp_label_xattr_resolve(f->fts_path, name, &key, &v);
	if (found == -ENOENT || found == DLP_LABEL_XATTR_NONE)
		return 0; /* removed since its directory was read, or unlabelled */
	if (found == -EOPNOTSUPP) {
		dlp_error(diag, 0, 0,
			  "'%s' is on btrfs, whose stat(2) device is not the kernel's; files "
			  "labelled by attribute on btrfs are not supported",
			  f->fts_path);
		return found;
	}
	if (found == -EAGAIN) {
		dlp_warning(diag, 0, 0,
			    "'%s' was replaced while its attribute %s was read; "
			    "not labelled",
			    f->fts_path, name);
		return 0;
	}
	if (found < 0) {
		dlp_warning(diag, 0, 0, "'%s': attribute %s cannot be read: %s; not labelled",
			    f->fts_path, name, strerror(-found));
		return 0;
	}
	if (found == DLP_LABEL_XATTR_MALFORMED)
		dlp_warning(diag, 0, 0,
			    "'%s': attribute %s is not a level (as in '機密性2', '完全性2', "
			    "'機密性3A 完全性2'); the file gets the highest levels",
			    f->fts_path, name);
	return add_file(t, f->fts_path, root, &key, &v, diag);
}

/**
 * dlp_label_xattr_scan() - add every file under a directory that its attribute labels
 * @root: a directory, or a symlink to one; the walk stays on its filesystem
 *        (no other mounts, so neither /proc nor /sys from '/') and follows
 *        no symlink below it
 * @name: the attribute ('label xattr NAME'): user.*, security.* or trusted.*
 * @t:    tables from dlp_label_tables_build(), or from an earlier scan
 * @diag: where errors and warnings are reported, each naming the file
 *
 * Each regular file carrying @name gets an entry of its own (flags 0, path
 * ids 0); a file reached by several hard links is one entry, and an entry
 * the inode already had is raised, keeping its flags and path ids.  The
 * filesystem's fail-closed levels (t->conf.devs) are raised to the highest
 * label found.  A value that is not a level gives the highest levels and a
 * warning; a directory that cannot be read is a warning, and the files
 * below it stay unlabelled.  Files labelled, relabelled or created after
 * the scan are not seen: that is what dlp_label_xattr_resolve() on change
 * events is for.
 *
 * All or nothing: on error @t is as it was.
 *
 * Return: the number of entries added (a labelled inode that already had
 * an entry is raised, not counted); -EINVAL for a @name outside the three
 * namespaces, -ENOENT or -ENOTDIR for a @root that is missing or not a
 * directory, -EOPNOTSUPP on btrfs, -E2BIG if the labelled inodes or their
 * filesystems do not fit, -ENOMEM; each reported in @diag.
 */
int dlp_label_xattr_scan(const char *root, const char *name, struct dlp_label_tables *t,
			 struct dlp_diag *diag)
{
	char *roots[] = { (char *)root, NULL };
	struct dlp_label_tables *work;
	int n = 0, err = 0, r;
	struct statfs sfs;
	struct stat st;
	FTSENT *f;
	FTS *fts;

	if (!name_allowed(name)) {
		dlp_error(diag, 0, 0,
			  "label attribute '%s': expected a name in user., security. or trusted.",
			  name);
		return -EINVAL;
	}
	if (stat(root, &st)) {
		err = -errno;
		dlp_error(diag, 0, 0,
			  "'%s': %s; the files labelled by attribute %s under it "
			  "cannot be found",
			  root, strerror(-err), name);
		return err;
	}
	if (!S_ISDIR(st.st_mode)) {
		dlp_error(diag, 0, 0,
			  "'%s' is not a directory; expected one to search for "
			  "files labelled by attribute %s",
			  root, name);
		return -ENOTDIR;
	}
	if (!statfs(root, &sfs) && sfs.f_type == BTRFS_SUPER_MAGIC) {
		dlp_error(diag, 0, 0,
			  "'%s' is on btrfs, whose stat(2) device is not the kernel's; files "
			  "labelled by attribute on btrfs are not supported",
			  root);
		return -EOPNOTSUPP;
	}
	/* A copy, so that an error half-way leaves @t as it was. */
	work = malloc(sizeof(*work));
	if (!work) {
		dlp_error(diag, 0, 0, "'%s': out of memory for the label tables", root);
		return -ENOMEM;
	}
	memcpy(work, t, sizeof(*work));
	/* @root itself may be a symlink (stat(2) above followed it); nothing below it is followed. */
	fts = fts_open(roots, FTS_PHYSICAL | FTS_COMFOLLOW | FTS_NOCHDIR | FTS_XDEV, NULL);
	if (!fts) {
		err = -errno;
		dlp_error(diag, 0, 0, "'%s': %s", root, strerror(-err));
		goto out_free;
	}
	for (;;) {
		errno = 0; /* fts_read() ends with NULL either way; errno tells them apart */
		f = fts_read(fts);
		if (!f)
			break;
		switch (f->fts_info) {
		case FTS_F:
			/* A file bind-mounted from elsewhere: not this filesystem's. */
			if (f->fts_statp->st_dev != st.st_dev)
				break;
			r = scan_file(f, root, name, work, diag);
			if (r < 0)
				err = r;
			else
				n += r;
			break;
		case FTS_DNR:
			dlp_warning(diag, 0, 0,
				    "directory '%s' cannot be read: %s; files below it "
				    "are not labelled by attribute %s",
				    f->fts_path, strerror(f->fts_errno), name);
			break;
		case FTS_ERR:
		case FTS_NS:
			dlp_warning(diag, 0, 0, "'%s': %s; not labelled by attribute %s",
				    f->fts_path, strerror(f->fts_errno), name);
			break;
		default:
			break;
		}
		if (err)
			break;
	}
	if (!f && errno) {
		err = -errno;
		dlp_error(diag, 0, 0, "'%s': %s", root, strerror(-err));
	}
	fts_close(fts);
	if (!err)
		memcpy(t, work, sizeof(*t));
out_free:
	free(work);
	return err ? err : n;
}
