// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the policy lexer, parser, compiler and JSON writer:
 * any input must be accepted or rejected cleanly, without a crash, a leak or
 * undefined behaviour.  Run by `make fuzz`, and briefly by `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dlp_policy pol;
	struct dlp_diag diag;
	FILE *sink = fopen("/dev/null", "w");

	if (!sink)
		return 0;
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "fuzz", sink);
	if (!dlp_policy_load_buffer(&pol, (const char *)data, size, &diag))
		dlp_policy_write_json(&pol, sink);
	dlp_policy_free(&pol);
	fclose(sink);
	return 0;
}
