// SPDX-License-Identifier: GPL-2.0
/* A policy read, checked and built for the kernel (prepared.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "label_xattr.h"
#include "prepared.h"

/**
 * dlp_prepared_read() - the bytes of a policy file
 * @path:     the file
 * @ret_text: set to a malloc'd copy, NUL-terminated
 * @ret_len:  its length without the NUL
 * @err:      why not, on failure
 * @errlen:   size of @err
 *
 * Return: 0; -errno if it cannot be read, -EFBIG if it is larger than a
 * policy may be (DLP_MAX_POLICY_SIZE).
 */
int dlp_prepared_read(const char *path, char **ret_text, size_t *ret_len, char *err, size_t errlen)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap + 1), *grown;
	int fd, ret = 0;
	ssize_t n;

	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		free(buf);
		return ret;
	}
	/* until the end, or one byte past what a policy may be */
	while (len <= DLP_MAX_POLICY_SIZE) {
		if (len == cap) {
			cap *= 2;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				ret = -ENOMEM;
				snprintf(err, errlen, "%s: out of memory", path);
				break;
			}
			buf = grown;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			break;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	if (!ret && len > DLP_MAX_POLICY_SIZE) {
		ret = -EFBIG;
		snprintf(err, errlen, "%s: larger than a policy may be (%d bytes)", path,
			 DLP_MAX_POLICY_SIZE);
	}
	if (ret) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*ret_text = buf;
	*ret_len = len;
	return 0;
}

/**
 * dlp_prepared_build() - compile, lower and place a policy
 * @name:       what the diagnostics call it (a file name)
 * @text:       its source; copied
 * @len:        its length
 * @generation: what the kernel's config and its records will carry
 * @scan:       directories whose files' label attributes are read into the
 *              label tables ('label xattr'; dlpd --label-scan)
 * @nscan:      how many
 * @diag_out:   where errors and warnings go, each a line "NAME:LINE:COL: ..."
 * @ret:        the prepared policy, on success (dlp_prepared_free())
 *
 * User and group names are resolved, label directories stat(2)ed and the
 * scan directories read here, on this terminal: a policy valid elsewhere
 * may still fail here.  A scan directory that is missing fails it: its
 * labels would silently protect nothing.
 *
 * Return: 0; -EINVAL if the policy is not valid, -ENOENT if it names what
 * this terminal lacks (both reported in @diag_out), -EFBIG, -ENOMEM.
 */
int dlp_prepared_build(const char *name, const char *text, size_t len, __u32 generation,
		       const char *const *scan, unsigned int nscan, FILE *diag_out,
		       struct dlp_prepared **ret)
{
	struct dlp_prepared *p = calloc(1, sizeof(*p));
	struct dlp_diag diag;
	unsigned int i;
	int err, n;

	if (!p)
		return -ENOMEM;
	dlp_policy_init(&p->pol);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->text = malloc(len + 1);
	if (!p->text) {
		free(p);
		return -ENOMEM;
	}
	memcpy(p->text, text, len);
	p->text[len] = '\0';
	p->len = len;
	dlp_diag_init(&diag, p->name, diag_out);
	err = dlp_policy_load_buffer(&p->pol, p->text, p->len, &diag);
	if (!err)
		err = dlp_policy_lower(&p->pol, &dlp_resolver_system, generation, &p->low, &diag);
	if (!err)
		err = dlp_label_tables_build(&p->pol, &p->low, &p->tables, &diag);
	for (i = 0; !err && p->pol.label_xattr && i < nscan; i++) {
		n = dlp_label_xattr_scan(scan[i], p->pol.label_xattr, &p->tables, &diag);
		if (n < 0)
			err = n;
	}
	if (err) {
		dlp_prepared_free(p);
		return err;
	}
	*ret = p;
	return 0;
}

/**
 * dlp_prepared_free() - release a prepared policy
 * @p: the policy, or NULL
 */
void dlp_prepared_free(struct dlp_prepared *p)
{
	if (!p)
		return;
	dlp_lowered_free(&p->low);
	dlp_policy_free(&p->pol);
	free(p->text);
	free(p);
}

/**
 * dlp_prepared_fill() - write a prepared policy into one slot of the maps
 * @p:    the policy
 * @fds:  the maps
 * @slot: a slot cleared with dlp_slot_clear(), or never used
 *
 * Rules, zones and labels, the config last.  Devices are judged by the
 * caller (their verdicts need the ledger and udev).
 *
 * Return: 0, or -errno of the first write that failed.
 */
int dlp_prepared_fill(const struct dlp_prepared *p, const struct dlp_loader_fds *fds, __u32 slot)
{
	int err = dlp_label_map_fill(&p->tables, slot, &fds->labels);

	if (!err)
		err = dlp_policy_maps_fill(&p->low, &p->pol, slot, fds->config, fds->rules,
					   fds->zones);
	return err;
}

/**
 * dlp_prepared_install() - write a policy's bytes to a file, atomically
 * @p:    the policy
 * @path: where; replaced by rename(2), so a reader sees the old or the new
 *
 * Return: 0, or -errno (the file as it was).
 */
int dlp_prepared_install(const struct dlp_prepared *p, const char *path)
{
	char tmp[PATH_MAX];
	size_t done = 0;
	ssize_t n;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	while (done < p->len) {
		n = write(fd, p->text + done, p->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		done += n;
	}
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
