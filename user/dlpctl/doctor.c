// SPDX-License-Identifier: GPL-2.0
/*
 * dlpctl doctor: for this kernel, whether each control is enforced,
 * monitor-only or unavailable, why, and what to change (user/lib/doctor.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "dlpctl.h"
#include "doctor.h"

/**
 * do_doctor() - dlpctl doctor [--json]
 * @argc: arguments after the command word
 * @argv: them
 *
 * Return: the report's DLP_DOCTOR_EXIT_* status (0 every control the policy
 * needs enforced, 3 monitor mode, 4 a control the policy needs not
 * enforced, 5 facts unreadable); EXIT_INVALID if the report could not be
 * written; EXIT_USAGE for a wrong command line.
 */
int do_doctor(int argc, char **argv)
{
	struct dlp_doctor_report report;
	struct dlp_doctor_facts facts;
	bool json = false;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json"))
			return dlpctl_usage_error("doctor: unexpected '%s'; expected [--json]",
						  argv[i]);
		json = true;
	}
	dlp_doctor_gather(&facts);
	dlp_doctor_judge(&facts, &report);
	if (dlp_doctor_print(&report, stdout, json)) {
		fprintf(stderr, "dlpctl: doctor: writing the report failed\n");
		return EXIT_INVALID;
	}
	return report.exit_status;
}
