// SPDX-License-Identifier: GPL-2.0
/*
 * dlpctl: how administrators drive dlpguard and auditors read it.
 * One do_<noun>_<verb>() per command, chosen from a table.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#ifndef DLP_VERSION
#define DLP_VERSION "0.1"
#endif

/* Exit codes, as dlpctl(8) documents them. */
enum {
	EXIT_OK = 0,
	EXIT_INVALID = 1,	/* a policy (or other input) is invalid */
	EXIT_USAGE = 2,		/* wrong command line */
};

struct command {
	const char *noun;
	const char *verb;
	const char *args;
	const char *help;
	int (*run)(int argc, char **argv);
};

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dlpctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'dlpctl --help'.\n");
	return EXIT_USAGE;
}

static void print_summary(const char *path, const struct dlp_policy *pol)
{
	printf("%s: ok: tier %s, mode %s, %u rule%s, %u zone%s (%u network%s), %u label%s, "
	       "%u ledger entr%s\n", path, dlp_tier_names[pol->tier], dlp_mode_names[pol->mode],
	       pol->nrules, pol->nrules == 1 ? "" : "s", pol->nzones, pol->nzones == 1 ? "" : "s",
	       pol->nnets, pol->nnets == 1 ? "" : "s", pol->nlabels, pol->nlabels == 1 ? "" : "s",
	       pol->nmedia, pol->nmedia == 1 ? "y" : "ies");
}

static int do_policy_check(int argc, char **argv)
{
	struct dlp_policy pol;
	struct dlp_diag diag;
	int i, status = EXIT_OK;

	if (argc < 1)
		return usage_error("%s", "policy check: expected one or more policy files");
	for (i = 0; i < argc; i++) {
		dlp_policy_init(&pol);
		dlp_diag_init(&diag, argv[i], stderr);
		if (dlp_policy_load(&pol, argv[i], &diag))
			status = EXIT_INVALID;
		else
			print_summary(argv[i], &pol);
		dlp_policy_free(&pol);
	}
	return status;
}

static void print_rule(const struct dlp_policy *pol, const struct dlp_rule *r)
{
	printf("  %-16s %-5s %-7s ", r->id, dlp_verdict_names[r->verdict],
	       dlp_action_names[r->action]);
	switch (r->object) {
	case DLP_OBJ_MEDIA_ANY:
		printf("media");
		break;
	case DLP_OBJ_MEDIA_REGISTERED:
		printf("media registered");
		break;
	case DLP_OBJ_MEDIA_UNREGISTERED:
		printf("media unregistered");
		break;
	case DLP_OBJ_MEDIA_ENTRY:
		printf("media %s", pol->media[r->object_index].regno);
		break;
	case DLP_OBJ_PATH:
		printf("path %s", r->object_name);
		break;
	case DLP_OBJ_LABEL:
		if (r->label_level)
			printf("label 機密性%s", dlp_level_names[r->label_level]);
		else
			printf("label 完全性%d", r->label_integrity);
		break;
	case DLP_OBJ_ZONE:
	case DLP_OBJ_ANY_ADDRESS:
		printf("zone %s", r->object == DLP_OBJ_ZONE ?
		       pol->zones[r->object_index].name : "any");
		for (unsigned int i = 0; i < r->nports; i++) {
			printf(i ? "," : " port ");
			if (r->ports[i].lo == r->ports[i].hi)
				printf("%u", r->ports[i].lo);
			else
				printf("%u-%u", r->ports[i].lo, r->ports[i].hi);
		}
		if (r->proto != DLP_PROTO_ANY)
			printf(" proto %s", dlp_proto_names[r->proto]);
		break;
	}
	if (r->subject != DLP_SUBJ_ANY)
		printf(" by %s %s", r->subject == DLP_SUBJ_USER ? "user" : "group",
		       r->subject_name);
	if (r->taint_cmp != DLP_CMP_NONE)
		printf(" if class %s %s", dlp_cmp_names[r->taint_cmp],
		       dlp_level_names[r->taint_level]);
	printf("\n");
}

static void print_policy(const char *path, const struct dlp_policy *pol)
{
	unsigned int i;

	print_summary(path, pol);
	printf("media not in the ledger: %s\n", dlp_unregistered_names[pol->unregistered]);
	printf("rules, first match wins:\n");
	for (i = 0; i < pol->nrules; i++)
		print_rule(pol, &pol->rules[i]);
	printf("otherwise:");
	for (i = 0; i < DLP_ACT_COUNT; i++)
		printf(" %s %s%s", dlp_action_names[i], dlp_verdict_names[pol->defaults[i]],
		       i + 1 < DLP_ACT_COUNT ? "," : "\n");
}

static int do_policy_show(int argc, char **argv)
{
	struct dlp_policy pol;
	struct dlp_diag diag;
	const char *path = NULL;
	bool json = false;
	int i, status = EXIT_INVALID;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' || path)
			return usage_error("policy show: unexpected '%s'; expected FILE [--json]",
					   argv[i]);
		else
			path = argv[i];
	}
	if (!path)
		return usage_error("%s", "policy show: expected a policy file");

	dlp_policy_init(&pol);
	dlp_diag_init(&diag, path, stderr);
	if (!dlp_policy_load(&pol, path, &diag)) {
		status = EXIT_OK;
		if (!json)
			print_policy(path, &pol);
		else if (dlp_policy_write_json(&pol, stdout))
			status = EXIT_INVALID;
	}
	dlp_policy_free(&pol);
	return status;
}

static const struct command commands[] = {
	{ "policy", "check", "FILE...",
	  "check policy files; print a summary of each valid one, every error of the others",
	  do_policy_check },
	{ "policy", "show", "FILE [--json]",
	  "print a policy as compiled (--json: stable JSON)", do_policy_show },
};

static void print_help(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: dlpctl [--help] [--version] NOUN VERB [ARGS]\n\n"
		"Administer dlpguard, endpoint data-leak control.\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char synopsis[64];

		snprintf(synopsis, sizeof(synopsis), "%s %s %s", commands[i].noun,
			 commands[i].verb, commands[i].args);
		fprintf(out, "  %-26s %s\n", synopsis, commands[i].help);
	}
	fprintf(out, "\nExit status: 0 success, 1 invalid input (e.g. a policy with errors), "
		"2 wrong usage.\nThe policy language is described in "
		"docs/policy.md.\n");
}

int main(int argc, char **argv)
{
	const char *noun, *verb;
	size_t i;

	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		print_help(stdout);
		return EXIT_OK;
	}
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("dlpctl %s\n", DLP_VERSION);
		return EXIT_OK;
	}
	if (argc < 3) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	noun = argv[1];
	verb = argv[2];
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].noun, noun) && !strcmp(commands[i].verb, verb))
			return commands[i].run(argc - 3, argv + 3);
	fprintf(stderr, "dlpctl: unknown command '%s %s'\nTry 'dlpctl --help'.\n", noun, verb);
	return EXIT_USAGE;
}
