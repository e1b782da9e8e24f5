// SPDX-License-Identifier: GPL-2.0
/*
 * dlpd: the dlpguard controller.  This version checks the policy it would
 * enforce (--test, as sshd -t and nginx -t do); loading it into the kernel
 * comes with the BPF programs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy.h"

#ifndef DLP_VERSION
#define DLP_VERSION "0.1"
#endif

#define DEFAULT_POLICY "/etc/dlpguard/policy/default.policy"

static void print_help(FILE *out)
{
	fprintf(out, "Usage: dlpd [--policy FILE] --test\n\n"
		"The dlpguard controller.\n\n"
		"  -p, --policy FILE  the policy to enforce (default " DEFAULT_POLICY ")\n"
		"  -t, --test         check the policy and exit: 0 valid, 1 invalid\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n\n"
		"This build can only check a policy; enforcement arrives with the kernel "
		"programs.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "test", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_POLICY;
	struct dlp_policy pol;
	struct dlp_diag diag;
	bool test = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "p:thV", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			path = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		case 'V':
			printf("dlpd %s\n", DLP_VERSION);
			return 0;
		default:
			print_help(stderr);
			return 2;
		}
	}
	if (optind != argc || !test) {
		print_help(stderr);
		return 2;
	}

	dlp_policy_init(&pol);
	dlp_diag_init(&diag, path, stderr);
	ret = dlp_policy_load(&pol, path, &diag);
	if (!ret)
		printf("%s: ok: tier %s, mode %s\n", path, dlp_tier_names[pol.tier],
		       dlp_mode_names[pol.mode]);
	dlp_policy_free(&pol);
	return ret ? 1 : 0;
}
