// SPDX-License-Identifier: GPL-2.0
/*
 * VM test: what `dlpctl doctor` reports (user/lib/doctor.h), gathered in
 * the guest at one stage of tests/vm/doctor.sh, given as the argument:
 *
 *	before   no dlpd has run: every control this kernel can run is
 *	         not-enforced, "start dlpd"; the status says a gap
 *	enforce  dlpd runs policy/default.policy: every LSM control and the
 *	         cgroup hooks enforced, mode enforce, status 0; label
 *	         attributes in the kernel available but unused on 6.12 (the
 *	         policy names none), unavailable on 6.1 (no bpf_get_file_xattr)
 *	monitor  the same policy in monitor mode: monitor-only, status 3
 *	xattr    the same policy naming a user.* label attribute: on 6.12 the
 *	         kernel reads it (xattr_bpf-dlp_xattr_open pinned), status 0;
 *	         on 6.1 it cannot, and nothing else does yet: a gap, status 4
 *
 * The report is printed in full each time.  Runs only inside the VM test
 * bed, as root, with BPF LSM active; elsewhere it prints "SKIP: <reason>"
 * and exits 77, having read nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <dlpguard/abi.h>

#include "doctor.h"

#define EXIT_SKIP 77

/* The controls built on BPF LSM hooks, label attributes aside. */
static const enum dlp_doctor_control lsm_controls[] = {
	DLP_DOCTOR_MEDIA_MOUNT, DLP_DOCTOR_MEDIA_RAW, DLP_DOCTOR_MEDIA_TAINT,
	DLP_DOCTOR_PATHS,	DLP_DOCTOR_NET_LSM,
};

#define NLSM (sizeof(lsm_controls) / sizeof(lsm_controls[0]))

static struct dlp_doctor_facts facts;
static struct dlp_doctor_report report;

static void expect(enum dlp_doctor_control c, enum dlp_doctor_status s)
{
	const struct dlp_doctor_line *l = &report.lines[c];

	if (l->status != s)
		fail_msg("%s: %s, expected %s: %s", dlp_doctor_control_keys[c],
			 dlp_doctor_status_names[l->status], dlp_doctor_status_names[s], l->reason);
	print_message("ok: %s %s\n", dlp_doctor_control_keys[c], dlp_doctor_status_names[s]);
}

static const char *fact(const char *key)
{
	unsigned int i;

	for (i = 0; i < DLP_DOCTOR_NFACTS; i++)
		if (!strcmp(report.facts[i].key, key))
			return report.facts[i].value;
	fail_msg("no fact %s", key);
	return NULL;
}

static bool kernel_6_1(void)
{
	return !strcmp(getenv("DLPVM_KERNEL"), "6.1");
}

static void test_facts(void **state)
{
	(void)state;
	assert_int_equal(facts.bpf_lsm, 1);
	assert_int_equal(facts.btf, 1);
	assert_int_equal(facts.cgroup2, 1);
	assert_int_equal(facts.bpffs, 1);
	assert_true(facts.root);
	/* The loader's variants: 6.1's inode_setattr has two arguments, 6.12's three. */
	assert_int_equal(facts.setattr_nargs, kernel_6_1() ? 2 : 3);
	assert_int_equal(facts.xattr_kfunc, kernel_6_1() ? 0 : 1);
	assert_int_equal(facts.kmod, 0);
}

static void test_before(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(facts.links, 0);
	assert_int_equal(facts.mode, -ENOENT);
	for (i = 0; i < NLSM; i++) {
		expect(lsm_controls[i], DLP_DOCTOR_NOT_ENFORCED);
		assert_string_equal(report.lines[lsm_controls[i]].fix,
				    "start dlpd (systemctl start dlpd)");
	}
	expect(DLP_DOCTOR_NET_CGROUP, DLP_DOCTOR_NOT_ENFORCED);
	expect(DLP_DOCTOR_LABEL_XATTR,
	       kernel_6_1() ? DLP_DOCTOR_UNAVAILABLE : DLP_DOCTOR_NOT_ENFORCED);
	expect(DLP_DOCTOR_KMOD, DLP_DOCTOR_UNAVAILABLE);
	assert_string_equal(fact("mode"), "none pinned");
	assert_int_equal(report.exit_status, DLP_DOCTOR_EXIT_GAP);
}

/* dlpd runs policy/default.policy, or a copy in @mode or with a 'label xattr'. */
static void check_running(enum dlp_doctor_status s, const char *mode, bool xattr, int exit_status)
{
	unsigned int i;

	assert_true(facts.links > 0);
	for (i = 0; i < NLSM; i++)
		expect(lsm_controls[i], s);
	expect(DLP_DOCTOR_NET_CGROUP, s);
	if (!xattr)
		/* policy/default.policy labels by directory and prefix, not by attribute. */
		expect(DLP_DOCTOR_LABEL_XATTR,
		       kernel_6_1() ? DLP_DOCTOR_UNAVAILABLE : DLP_DOCTOR_UNUSED);
	else
		expect(DLP_DOCTOR_LABEL_XATTR, kernel_6_1() ? DLP_DOCTOR_UNAVAILABLE : s);
	assert_true(report.lines[DLP_DOCTOR_LABEL_XATTR].gap == (xattr && kernel_6_1()));
	expect(DLP_DOCTOR_KMOD, DLP_DOCTOR_UNAVAILABLE);
	assert_false(report.lines[DLP_DOCTOR_KMOD].gap);
	assert_string_equal(fact("mode"), mode);
	assert_string_equal(fact("policy_in_force"), "yes");
	assert_string_equal(fact("label_xattr"), xattr ? "user.dlpguard.label" : "none");
	assert_int_equal(report.exit_status, exit_status);
}

static void test_enforce(void **state)
{
	(void)state;
	check_running(DLP_DOCTOR_ENFORCED, "enforce", false, DLP_DOCTOR_EXIT_OK);
}

static void test_monitor(void **state)
{
	(void)state;
	check_running(DLP_DOCTOR_MONITOR, "monitor", false, DLP_DOCTOR_EXIT_MONITOR);
}

static void test_xattr(void **state)
{
	(void)state;
	check_running(DLP_DOCTOR_ENFORCED, "enforce", true,
		      kernel_6_1() ? DLP_DOCTOR_EXIT_GAP : DLP_DOCTOR_EXIT_OK);
}

static int gather(void **state)
{
	(void)state;
	if (dlp_doctor_gather(&facts))
		return -1;
	dlp_doctor_judge(&facts, &report);
	return dlp_doctor_print(&report, stdout, false);
}

static const char *why_not_here(void)
{
	char lsm[256] = "";
	FILE *f;

	if (!getenv("DLPVM_KERNEL"))
		return "runs only in the VM test bed (tests/vm/doctor.sh): it judges what dlpd "
		       "pins there";
	if (geteuid())
		return "needs root";
	f = fopen(DLP_DOCTOR_LSM, "r");
	if (f) {
		if (!fgets(lsm, sizeof(lsm), f))
			lsm[0] = '\0';
		fclose(f);
	}
	if (!strstr(lsm, "bpf"))
		return "BPF LSM is not active (" DLP_DOCTOR_LSM ")";
	return NULL;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest before[] = {
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_before),
	};
	const struct CMUnitTest enforce[] = {
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_enforce),
	};
	const struct CMUnitTest monitor[] = {
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_monitor),
	};
	const struct CMUnitTest xattr[] = {
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_xattr),
	};
	const char *why = why_not_here();

	if (why) {
		printf("SKIP: %s\n", why);
		return EXIT_SKIP;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s before|enforce|monitor|xattr\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "before"))
		return cmocka_run_group_tests(before, gather, NULL);
	if (!strcmp(argv[1], "enforce"))
		return cmocka_run_group_tests(enforce, gather, NULL);
	if (!strcmp(argv[1], "monitor"))
		return cmocka_run_group_tests(monitor, gather, NULL);
	if (!strcmp(argv[1], "xattr"))
		return cmocka_run_group_tests(xattr, gather, NULL);
	fprintf(stderr, "%s: unknown stage '%s'\n", argv[0], argv[1]);
	return 2;
}
