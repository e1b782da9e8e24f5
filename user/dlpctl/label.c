// SPDX-License-Identifier: GPL-2.0
/*
 * `dlpctl label set|show`: a file's label, as dlpd has the kernel see it.
 * set writes the file's label attribute ('label xattr') through dlpd, which
 * applies the policy again so that the kernel's label maps have it; show
 * asks dlpd which level each source gives (user/lib/label_explain.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dlpguard/label_value.h>

#include "commands.h"
#include "dlpctl.h"
#include "event_log.h"

/* @path made absolute against the working directory (dlpd resolves links itself). */
static int absolute(const char *path, char out[PATH_MAX])
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return snprintf(out, PATH_MAX, "%s", path) < PATH_MAX ? 0 : -ENAMETOOLONG;
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	return snprintf(out, PATH_MAX, "%s/%s", cwd, path) < PATH_MAX ? 0 : -ENAMETOOLONG;
}

/*
 * The levels of `label set`: 機密性N and 完全性N words, as a label
 * attribute holds them (include/dlpguard/label_value.h), or "none".
 */
static int parse_levels(int argc, char **argv, __u8 *ret_class, __u8 *ret_integrity)
{
	char value[DLP_LABEL_VALUE_MAX + 1] = "";
	size_t used = 0;
	int i;

	if (argc == 1 && !strcmp(argv[0], "none")) {
		*ret_class = 0;
		*ret_integrity = 0;
		return 0;
	}
	for (i = 0; i < argc; i++) {
		if (used + strlen(argv[i]) + 1 > DLP_LABEL_VALUE_MAX)
			return -EINVAL;
		used += snprintf(value + used, sizeof(value) - used, "%s%s", i ? " " : "", argv[i]);
	}
	if (!argc || !dlp_label_value_parse((const __u8 *)value, used, ret_class, ret_integrity))
		return -EINVAL;
	return 0;
}

/**
 * do_label_set() - `dlpctl label set PATH LEVEL... [--reason TEXT] [--socket PATH]`
 * @argc: arguments after the command
 * @argv: them
 *
 * Return: an exit status (dlpctl.h).
 */
int do_label_set(int argc, char **argv)
{
	const char *sock = DLP_CTL_SOCKET_PATH, *reason = NULL, *path = NULL;
	unsigned char req[PATH_MAX + 2048], *resp;
	char *levels[4], abs[PATH_MAX];
	struct dlp_ctl_msg msg;
	__u8 class, integrity;
	int i, n = 0, status, err;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "--reason") && i + 1 < argc)
			reason = argv[++i];
		else if (argv[i][0] == '-')
			return dlpctl_usage_error("label set: unexpected '%s'", argv[i]);
		else if (!path)
			path = argv[i];
		else if (n < 4)
			levels[n++] = argv[i];
		else
			return dlpctl_usage_error("label set: unexpected '%s'", argv[i]);
	}
	if (!path || !n)
		return dlpctl_usage_error("%s", "label set: expected PATH and its levels (機密性N, "
						"完全性N, or none)");
	if (parse_levels(n, levels, &class, &integrity))
		return dlpctl_usage_error("%s",
					  "label set: the levels are 機密性1, 2, 3, 3A, 3B or "
					  "3C and 完全性1 or 2, at most one of each, or none");
	err = absolute(path, abs);
	if (err) {
		fprintf(stderr, "dlpctl: %s: %s\n", path, strerror(-err));
		return EXIT_INVALID;
	}
	if (reason && strlen(reason) > 1000)
		return dlpctl_usage_error("%s", "label set: --reason: at most 1000 bytes");
	resp = malloc(DLP_CTL_MSG_MAX);
	if (!resp) {
		fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
		return EXIT_INVALID;
	}
	status = dlpctl_call(
		sock, req,
		dlp_ctl_encode_label_set(req, sizeof(req), 1, abs, class, integrity, reason), resp,
		&msg);
	if (!status)
		printf("%s\n", msg.message);
	free(resp);
	return status;
}

/**
 * do_label_show() - `dlpctl label show PATH [--json] [--socket PATH]`
 * @argc: arguments after the command
 * @argv: them
 *
 * Return: an exit status (dlpctl.h).
 */
int do_label_show(int argc, char **argv)
{
	const char *sock = DLP_CTL_SOCKET_PATH, *path = NULL;
	unsigned char req[PATH_MAX + 64], *resp;
	const struct dlp_ctl_attr *a;
	struct dlp_ctl_attr at;
	struct dlp_ctl_msg msg;
	char abs[PATH_MAX];
	bool json = false, first = true;
	size_t off = 0;
	int i, status, err;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			sock = argv[++i];
		else if (argv[i][0] == '-' || path)
			return dlpctl_usage_error(
				"label show: unexpected '%s'; expected PATH [--json] "
				"[--socket PATH]",
				argv[i]);
		else
			path = argv[i];
	}
	if (!path)
		return dlpctl_usage_error("%s", "label show: expected a path");
	err = absolute(path, abs);
	if (err) {
		fprintf(stderr, "dlpctl: %s: %s\n", path, strerror(-err));
		return EXIT_INVALID;
	}
	resp = malloc(DLP_CTL_MSG_MAX);
	if (!resp) {
		fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
		return EXIT_INVALID;
	}
	status = dlpctl_call(sock, req, dlp_ctl_encode_label_show(req, sizeof(req), 1, abs), resp,
			     &msg);
	if (status)
		goto out;
	a = msg.attr;
	if (!json) {
		printf("%s\n", msg.message);
		while (dlp_ctl_attr_next(msg.payload, msg.payload_len, &off, &at))
			if (at.type == DLP_CTL_A_LINE)
				printf("  %s\n", (const char *)at.data);
		goto out;
	}
	fputs("{\"path\":", stdout);
	dlpctl_json_string(stdout, a[DLP_CTL_A_PATH].data);
	fputs(",\"class\":", stdout);
	dlpctl_json_string(stdout,
			   a[DLP_CTL_A_CLASS].num && a[DLP_CTL_A_CLASS].num <= DLP_CLASS_MAX ?
				   dlp_class_names[a[DLP_CTL_A_CLASS].num] :
				   NULL);
	fputs(",\"integrity\":", stdout);
	dlpctl_json_string(stdout, a[DLP_CTL_A_INTEGRITY].num &&
						   a[DLP_CTL_A_INTEGRITY].num <= DLP_INTEG_MAX ?
					   dlp_integrity_names[a[DLP_CTL_A_INTEGRITY].num] :
					   NULL);
	fputs(",\"sources\":[", stdout);
	while (dlp_ctl_attr_next(msg.payload, msg.payload_len, &off, &at))
		if (at.type == DLP_CTL_A_LINE) {
			fputs(first ? "" : ",", stdout);
			dlpctl_json_string(stdout, at.data);
			first = false;
		}
	fputs("]}\n", stdout);
out:
	free(resp);
	return status;
}
