// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the media ledger converter (user/lib/ledger_csv.c):
 * any input must be converted or refused cleanly, without a crash, a leak or
 * undefined behaviour; and what it converts must be a valid ledger for the
 * policy parser and compiler, with one entry per `media` line it said it
 * wrote.  Run by `make fuzz`, and briefly by `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger_csv.h"
#include "policy.h"

/* The mandatory statements around converted entries. */
#define POLICY_HEAD "mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @text must compile to exactly @entries ledger entries; abort otherwise. */
static void check_converted(const char *text, unsigned int entries, FILE *sink)
{
	size_t head = strlen(POLICY_HEAD), len = strlen(text);
	struct dlp_policy pol;
	struct dlp_diag diag;
	char *src = malloc(head + len);

	if (!src)
		abort();
	memcpy(src, POLICY_HEAD, head);
	memcpy(src + head, text, len);
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "converted", stderr);
	if (dlp_policy_load_buffer(&pol, src, head + len, &diag) || pol.nmedia != entries) {
		fprintf(stderr, "converted ledger refused (%u entries expected):\n%s", entries,
			text);
		abort();
	}
	dlp_policy_write_json(&pol, sink);
	dlp_policy_free(&pol);
	free(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *sink = fopen("/dev/null", "w");
	struct dlp_diag diag;
	unsigned int entries;
	char *text;

	if (!sink)
		return 0;
	dlp_diag_init(&diag, "fuzz.csv", sink);
	if (!dlp_ledger_csv_convert((const char *)data, size, "fuzz.csv", &diag, &text, &entries)) {
		check_converted(text, entries, sink);
		free(text);
	}
	fclose(sink);
	return 0;
}
