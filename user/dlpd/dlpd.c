// SPDX-License-Identifier: GPL-2.0
/*
 * dlpd: the dlpguard controller.  It loads the BPF programs with the policy,
 * keeps the kernel's device map in step with udev, and writes every decision
 * the kernel reports to the decision log (daemon.c).  It also checks a
 * policy without enforcing it (--test, as sshd -t and nginx -t do), and
 * ends enforcement (--unload).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "dlpd.h"
#include "pins.h"

#ifndef DLP_VERSION
#define DLP_VERSION "0.1"
#endif

static void print_help(FILE *out)
{
	fprintf(out,
		"Usage: dlpd [OPTION]...\n"
		"       dlpd [--policy FILE] --test\n"
		"       dlpd --unload\n\n"
		"The dlpguard controller: enforces the policy in the kernel and logs every\n"
		"decision.  It runs until SIGTERM or SIGINT, which leave the programs attached\n"
		"(pinned); a dlpd started again takes them over.\n\n"
		"  -p, --policy FILE  the policy to enforce (default " DLPD_DEFAULT_POLICY ")\n"
		"  -l, --log FILE     the decision log, JSON Lines (default " DLPD_DEFAULT_LOG ")\n"
		"      --pin-dir DIR  where programs and maps are pinned (default " DLP_PIN_DIR
		")\n"
		"      --cgroup DIR   the cgroup v2 directory the socket programs attach to\n"
		"                     (default /sys/fs/cgroup)\n"
		"  -f, --foreground   also print each decision on stderr, for trying it by hand\n"
		"  -t, --test         check the policy and exit: 0 valid, 1 invalid\n"
		"      --unload       remove the pinned programs and maps, ending enforcement\n"
		"      --label-scan DIR  a directory whose files' label attributes ('label xattr')\n"
		"                     are read into the label maps whenever a policy is applied;\n"
		"                     may be given up to %d times\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n\n"
		"SIGHUP reads the policy file again and switches the kernel to it in one step;\n"
		"an invalid policy leaves the one in force.\n",
		DLPD_LABEL_SCAN_MAX);
}

/* --test: parse and compile, report, change nothing. */
static int test_policy(const char *path)
{
	struct dlp_policy pol;
	struct dlp_diag diag;
	int ret;

	dlp_policy_init(&pol);
	dlp_diag_init(&diag, path, stderr);
	ret = dlp_policy_load(&pol, path, &diag);
	if (!ret)
		printf("%s: ok: tier %s, mode %s\n", path, dlp_tier_names[pol.tier],
		       dlp_mode_names[pol.mode]);
	dlp_policy_free(&pol);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	enum { OPT_PIN_DIR = 256, OPT_CGROUP, OPT_UNLOAD, OPT_LABEL_SCAN };
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'l' },
		{ "pin-dir", required_argument, NULL, OPT_PIN_DIR },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "foreground", no_argument, NULL, 'f' },
		{ "test", no_argument, NULL, 't' },
		{ "unload", no_argument, NULL, OPT_UNLOAD },
		{ "label-scan", required_argument, NULL, OPT_LABEL_SCAN },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct dlpd_options opt = {
		.policy = DLPD_DEFAULT_POLICY,
		.log = DLPD_DEFAULT_LOG,
		.pins = DLP_PIN_DIR,
		.cgroup = "/sys/fs/cgroup",
	};
	bool test = false, unload = false;
	int c;

	while ((c = getopt_long(argc, argv, "p:l:fthV", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			opt.policy = optarg;
			break;
		case 'l':
			opt.log = optarg;
			break;
		case OPT_PIN_DIR:
			opt.pins = optarg;
			break;
		case OPT_CGROUP:
			opt.cgroup = optarg;
			break;
		case 'f':
			opt.foreground = true;
			break;
		case 't':
			test = true;
			break;
		case OPT_UNLOAD:
			unload = true;
			break;
		case OPT_LABEL_SCAN:
			if (opt.nlabel_scan == DLPD_LABEL_SCAN_MAX || optarg[0] != '/') {
				fprintf(stderr,
					"dlpd: --label-scan %s: an absolute directory, at most %d of "
					"them\n",
					optarg, DLPD_LABEL_SCAN_MAX);
				return 2;
			}
			opt.label_scan[opt.nlabel_scan++] = optarg;
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
	if (optind != argc || (test && unload)) {
		print_help(stderr);
		return 2;
	}
	if (test)
		return test_policy(opt.policy);
	if (unload)
		return dlpd_unload(&opt);
	return dlpd_run(&opt);
}
