/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files labelled by extended attribute ('label xattr NAME', docs/policy.md
 * §2.4), resolved by user space into the label tables (label_map.h).
 *
 * Debian 12's kernel (6.1) gives BPF no way to read an xattr, so dlpd reads
 * them: each regular file carrying the attribute becomes one entry of
 * dlp_label_inodes, keyed by its (device, inode) as the kernel stores them,
 * with flags 0 (it labels that file, not a subtree).  The kernel's walk
 * counts a file's own entry whatever its flags (bpf/label.h), so the file is
 * labelled for taint (bpf/taint.bpf.c) and for 完全性 (bpf/integrity.bpf.c)
 * on every kernel.
 *
 * Worked example.  With 'label xattr user.dlpguard.label' and, on ext4 on
 * /dev/sda3 (8:3),
 *
 *	/share/a.txt     user.dlpguard.label = "機密性2"
 *	/share/x/b.txt   user.dlpguard.label = "機密性3A 完全性2"
 *	/share/x/c.txt   user.dlpguard.label = "secret"    (not a level)
 *	/share/x/link    a hard link to /share/a.txt
 *
 * dlp_label_xattr_scan("/share", ...) adds three entries: (8 << 20 | 3,
 * ino of a.txt) -> { class 2 }, (.., ino of b.txt) -> { class 5 (3A),
 * integrity 2 }, (.., ino of c.txt) -> { class 5, integrity 2 } with a
 * warning naming c.txt (a value that cannot be read fails closed), and
 * raises devs[] of 8:3 to class 5, integrity 2.  The hard link is the same
 * inode as a.txt: one entry.
 */
#ifndef DLP_LABEL_XATTR_H
#define DLP_LABEL_XATTR_H

#include <dlpguard/label.h>

#include "diag.h"
#include "label_map.h"

/* What dlp_label_xattr_resolve() found; LABELLED and MALFORMED both give an entry. */
enum dlp_label_xattr_found {
	DLP_LABEL_XATTR_NONE = 0,      /* no attribute, or not a regular file */
	DLP_LABEL_XATTR_LABELLED = 1,  /* the levels its value gives */
	DLP_LABEL_XATTR_MALFORMED = 2, /* a value that is not a level: the highest levels */
};

int dlp_label_xattr_resolve(const char *path, const char *name, struct dlp_label_key *ret_key,
			    struct dlp_label_value *ret_value);
int dlp_label_xattr_scan(const char *root, const char *name, struct dlp_label_tables *t,
			 struct dlp_diag *diag);

#endif /* DLP_LABEL_XATTR_H */
