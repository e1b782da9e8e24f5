// SPDX-License-Identifier: GPL-2.0
/* Reading a policy file and running it through parser and compiler. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "policy.h"

/**
 * dlp_policy_load_buffer() - parse and compile a policy held in memory
 * @pol:  an initialised policy; on error it may hold part of the policy and
 *        must still be released with dlp_policy_free()
 * @src:  the policy text (need not be NUL-terminated)
 * @len:  its length
 * @diag: where errors go
 *
 * The compiler runs even after parse errors, so that one run reports every
 * error it can (a missing statement, an undefined zone) at once.
 *
 * Return: 0 if the policy is valid, -EINVAL if not, -EFBIG if it is larger
 * than DLP_MAX_POLICY_SIZE, -ENOMEM if hashing failed.
 */
int dlp_policy_load_buffer(struct dlp_policy *pol, const char *src, size_t len,
			   struct dlp_diag *diag)
{
	unsigned int mdlen = sizeof(pol->sha256);
	int ret;

	if (len > DLP_MAX_POLICY_SIZE) {
		dlp_error(diag, 1, 1, "policy too large (%zu bytes); at most %d", len,
			  DLP_MAX_POLICY_SIZE);
		return -EFBIG;
	}
	if (!EVP_Digest(src, len, pol->sha256, &mdlen, EVP_sha256(), NULL))
		return -ENOMEM;
	ret = dlp_policy_parse(pol, src, len, diag);
	if (dlp_policy_compile(pol, diag) || ret)
		return -EINVAL;
	return 0;
}

/**
 * dlp_policy_load() - read, parse and compile a policy file
 * @pol:  an initialised policy, to be released with dlp_policy_free()
 * @path: the file
 * @diag: where errors go; a file that cannot be read is reported there too
 *
 * Return: 0 if the policy is valid, -errno if the file cannot be read,
 * otherwise as dlp_policy_load_buffer().
 */
int dlp_policy_load(struct dlp_policy *pol, const char *path, struct dlp_diag *diag)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out_report;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		if (diag->out)
			fprintf(diag->out, "%s: error: not a regular file\n", path);
		diag->errors++;
		goto out_close;
	}
	if (st.st_size > DLP_MAX_POLICY_SIZE) {
		ret = -EFBIG;
		dlp_error(diag, 1, 1, "policy too large (%lld bytes); at most %d",
			  (long long)st.st_size, DLP_MAX_POLICY_SIZE);
		goto out_close;
	}
	/* One byte more than allowed, to notice a file that grew meanwhile. */
	buf = malloc(DLP_MAX_POLICY_SIZE + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out_close;
	}
	while ((n = read(fd, buf + got, DLP_MAX_POLICY_SIZE + 1 - got)) > 0)
		got += n;
	if (n < 0) {
		ret = -errno;
		goto out_free;
	}
	close(fd);
	ret = dlp_policy_load_buffer(pol, buf, got, diag);
	free(buf);
	return ret;

out_free:
	free(buf);
out_close:
	close(fd);
out_report:
	if (ret != -EINVAL && ret != -EFBIG) {
		if (diag->out)
			fprintf(diag->out, "%s: error: cannot read: %s\n", path, strerror(-ret));
		diag->errors++;
	}
	return ret;
}
