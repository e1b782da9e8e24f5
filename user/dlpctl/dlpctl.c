// SPDX-License-Identifier: GPL-2.0
/*
 * dlpctl: how administrators drive dlpguard and auditors read it.
 * One do_<noun>_<verb>() per command, chosen from a table; the commands that
 * ask dlpd are in client.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "dlpctl.h"
#include "event_log.h"
#include "policy.h"
#include "utf8.h"

#ifndef DLP_VERSION
#define DLP_VERSION "0.1"
#endif

struct command {
	const char *noun;
	const char *verb; /* "": the noun alone is the command (status) */
	const char *args;
	const char *help;
	int (*run)(int argc, char **argv);
};

/**
 * dlpctl_usage_error() - say what is wrong with the command line
 * @fmt: printf format of the complaint, then its arguments
 *
 * Return: EXIT_USAGE.
 */
int dlpctl_usage_error(const char *fmt, ...)
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
	       "%u ledger entr%s\n",
	       path, dlp_tier_names[pol->tier], dlp_mode_names[pol->mode], pol->nrules,
	       pol->nrules == 1 ? "" : "s", pol->nzones, pol->nzones == 1 ? "" : "s", pol->nnets,
	       pol->nnets == 1 ? "" : "s", pol->nlabels, pol->nlabels == 1 ? "" : "s", pol->nmedia,
	       pol->nmedia == 1 ? "y" : "ies");
}

static int do_policy_check(int argc, char **argv)
{
	struct dlp_policy pol;
	struct dlp_diag diag;
	int i, status = EXIT_OK;

	if (argc < 1)
		return dlpctl_usage_error("%s", "policy check: expected one or more policy files");
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
		printf("zone %s",
		       r->object == DLP_OBJ_ZONE ? pol->zones[r->object_index].name : "any");
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

/*
 * `policy show [FILE] [--json] [--socket PATH]`: FILE as compiled, or
 * without FILE the policy dlpd has in force (compiled here from the text
 * dlpd sends, whose SHA-256 must be the one dlpd says).
 */
static int do_policy_show(int argc, char **argv)
{
	const char *path = NULL, *sock = DLP_CTL_SOCKET_PATH;
	struct dlpctl_policy in_force = { .text = NULL };
	struct dlp_policy pol;
	struct dlp_diag diag;
	bool json = false;
	int i, status = EXIT_INVALID, err;
	char when[64] = "unknown";
	time_t t;
	struct tm tm;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			sock = argv[++i];
		else if (argv[i][0] == '-' || path)
			return dlpctl_usage_error("policy show: unexpected '%s'; expected [FILE] "
						  "[--json] [--socket PATH]",
						  argv[i]);
		else
			path = argv[i];
	}
	if (!path) {
		status = dlpctl_policy_fetch(sock, &in_force);
		if (status)
			return status;
	}
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, path ? path : in_force.name, stderr);
	err = path ? dlp_policy_load(&pol, path, &diag) :
		     dlp_policy_load_buffer(&pol, in_force.text, in_force.len, &diag);
	if (!err && !path && memcmp(pol.sha256, in_force.sha256, sizeof(pol.sha256))) {
		fprintf(stderr, "dlpctl: the policy text dlpd sent does not have the SHA-256 it "
				"says\n");
		err = -EINVAL;
		status = EXIT_REFUSED;
	}
	if (!err) {
		status = EXIT_OK;
		if (json) {
			if (dlp_policy_write_json(&pol, stdout))
				status = EXIT_INVALID;
		} else {
			if (!path) {
				t = in_force.loaded_at;
				if (t && localtime_r(&t, &tm))
					strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm);
				printf("in force since %s, generation %lld\n", when,
				       in_force.generation);
			}
			print_policy(path ? path : in_force.name, &pol);
		}
	}
	dlp_policy_free(&pol);
	free(in_force.text);
	return status;
}

#define LOG_TAIL_DEFAULT 20
#define LOG_TAIL_MAX	 1000000

/* One line kept for printing, with where it was in the file. */
struct tail_line {
	char *text;
	size_t len; /* without the newline */
	unsigned long lineno;
	bool whole; /* ended by a newline */
};

/*
 * Columns a string takes on a terminal: the East Asian wide ranges count
 * two, so that Japanese user names and paths line up.
 */
static size_t display_width(const char *s)
{
	size_t n = strlen(s), i = 0, width = 0;
	uint32_t cp;
	int len;

	while (i < n) {
		len = dlp_utf8_decode(s + i, n - i, &cp);
		if (!len) {
			width++;
			i++;
			continue;
		}
		i += len;
		width += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
					 (cp >= 0xac00 && cp <= 0xd7a3) ||
					 (cp >= 0xf900 && cp <= 0xfaff) ||
					 (cp >= 0xfe30 && cp <= 0xfe4f) ||
					 (cp >= 0xff00 && cp <= 0xff60) ||
					 (cp >= 0xffe0 && cp <= 0xffe6) ||
					 (cp >= 0x1f300 && cp <= 0x1faff) ||
					 (cp >= 0x20000 && cp <= 0x3fffd) ?
				 2 :
				 1;
	}
	return width;
}

/* @s, then spaces up to @width columns and one more. */
static void print_cell(const char *s, size_t width)
{
	size_t w = display_width(s);

	printf("%s%*s", s, (int)(w < width ? width - w : 0) + 1, "");
}

static void print_row(const char *time, const char *user, const char *action, const char *object,
		      const char *rule, const char *verdict)
{
	print_cell(time, 19);
	print_cell(user, 10);
	print_cell(action, 8);
	print_cell(object, 40);
	print_cell(rule, 16);
	printf("%s\n", verdict);
}

/* Print one kept line as a row or as itself; false if it is not a log line. */
static bool print_tail_line(const char *path, const struct tail_line *t, bool json)
{
	struct dlp_log_row row;
	char why[128];

	/* Rows already printed come first, so that a message follows the row before it. */
	fflush(stdout);
	if (!t->whole) {
		fprintf(stderr,
			"dlpctl: %s:%lu: incomplete line (no newline at the end); "
			"skipped\n",
			path, t->lineno);
		return false;
	}
	if (dlp_log_line_to_row(t->text, t->len, &row, why, sizeof(why))) {
		fprintf(stderr, "dlpctl: %s:%lu: not a decision log line: %s; skipped\n", path,
			t->lineno, why);
		return false;
	}
	if (json) {
		fwrite(t->text, 1, t->len, stdout);
		putchar('\n');
	} else {
		print_row(row.time, row.user, row.action, row.object, row.rule, row.verdict);
	}
	return true;
}

/*
 * The last @n lines of the log are read in one pass, keeping @n of them in a
 * ring, so that line numbers are exact however long the file has grown.
 */
static int do_log_tail(int argc, char **argv)
{
	const char *path = DLP_LOG_DEFAULT_PATH;
	struct tail_line *ring = NULL, *t;
	unsigned long n = LOG_TAIL_DEFAULT, lineno = 0, i, first;
	bool json = false, header = false;
	int status = EXIT_OK;
	size_t cap = 0;
	char *buf = NULL, *end;
	ssize_t len;
	FILE *f;

	for (int a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "--json")) {
			json = true;
		} else if (!strcmp(argv[a], "-n") && a + 1 < argc) {
			errno = 0;
			n = strtoul(argv[++a], &end, 10);
			if (errno || *end || argv[a][0] < '0' || argv[a][0] > '9' ||
			    n > LOG_TAIL_MAX)
				return dlpctl_usage_error(
					"log tail: bad -n '%s'; expected a number of "
					"lines from 0 to %d",
					argv[a], LOG_TAIL_MAX);
		} else if (!strcmp(argv[a], "--file") && a + 1 < argc) {
			path = argv[++a];
		} else {
			return dlpctl_usage_error(
				"log tail: unexpected '%s'; expected [--json] [-n N] "
				"[--file PATH]",
				argv[a]);
		}
	}

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "dlpctl: %s: %s\n", path, strerror(errno));
		return EXIT_INVALID;
	}
	if (n) {
		ring = calloc(n, sizeof(*ring));
		if (!ring) {
			fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
			fclose(f);
			return EXIT_INVALID;
		}
	}
	while ((len = getline(&buf, &cap, f)) >= 0) {
		lineno++;
		if (!n)
			continue;
		t = &ring[(lineno - 1) % n];
		free(t->text);
		t->whole = len && buf[len - 1] == '\n';
		t->len = len - t->whole;
		t->lineno = lineno;
		t->text = malloc(t->len + 1);
		if (!t->text) {
			fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
			status = EXIT_INVALID;
			goto out;
		}
		memcpy(t->text, buf, t->len);
		t->text[t->len] = '\0';
	}
	if (ferror(f)) {
		fprintf(stderr, "dlpctl: %s: %s\n", path, strerror(errno));
		status = EXIT_INVALID;
		goto out;
	}

	first = lineno > n ? lineno - n : 0;
	for (i = first; i < lineno; i++) {
		t = &ring[i % n];
		if (!json && !header) {
			print_row("TIME", "USER", "ACTION", "OBJECT", "RULE", "VERDICT");
			header = true;
		}
		if (!print_tail_line(path, t, json))
			status = EXIT_INVALID;
	}
out:
	for (i = 0; i < n && ring; i++)
		free(ring[i].text);
	free(ring);
	free(buf);
	fclose(f);
	return status;
}

static const struct command commands[] = {
	{ "policy", "check", "FILE...",
	  "check policy files; print a summary of each valid one, every error of the others",
	  do_policy_check },
	{ "policy", "show", "[FILE] [--json] [--socket PATH]",
	  "print a policy as compiled (--json: stable JSON); without FILE, the one dlpd has in "
	  "force",
	  do_policy_show },
	{ "policy", "apply", "FILE [--dry-run] [--reason TEXT] [--socket PATH]",
	  "have dlpd check FILE on this terminal and switch to it in one step, saving it as its "
	  "policy file (--dry-run: check only)",
	  dlpctl_do_policy_apply },
	{ "policy", "reload", "[--socket PATH]",
	  "have dlpd read its policy file again and switch to it (as SIGHUP does)",
	  dlpctl_do_policy_reload },
	{ "log", "tail", "[--json] [-n N] [--file PATH]",
	  "print the last N (20) decisions of the decision log (--json: its lines as they are)",
	  do_log_tail },
	{ "status", "", "[--json] [--socket PATH]",
	  "ask dlpd whether it enforces, which policy (SHA-256), its counters and media",
	  dlpctl_do_status },
	{ "device", "list", "[--json] [--socket PATH]",
	  "ask dlpd which media it has judged, with their ledger entries", dlpctl_do_device_list },
	{ "device", "allow",
	  "REGNO (--device NAME | --bus usb|mmc --id VVVV:PPPP --serial S) --section SECTION "
	  "--access rw|ro --until YYYY-MM-DD [--reason TEXT] [--dry-run] [--socket PATH]",
	  "add a medium to the ledger of the policy in force, and have dlpd apply it",
	  do_device_allow },
	{ "device", "block",
	  "REGNO | --device NAME | --bus usb|mmc --id VVVV:PPPP --serial S [--reason TEXT] "
	  "[--dry-run] [--socket PATH]",
	  "take a medium out of the ledger (it is unregistered media from then on), and have "
	  "dlpd apply it",
	  do_device_block },
	{ "device", "import", "FILE.csv [--reason TEXT] [--dry-run] [--socket PATH]",
	  "replace the ledger with a spreadsheet's (CSV, UTF-8 or Shift_JIS; docs/ledger-csv.md), "
	  "and have dlpd apply it",
	  do_device_import },
	{ "label", "set", "PATH LEVEL... [--reason TEXT] [--socket PATH]",
	  "label a file (機密性N, 完全性N, or none) through its label attribute; dlpd applies the "
	  "policy again so the kernel has it",
	  do_label_set },
	{ "label", "show", "PATH [--json] [--socket PATH]",
	  "the label the kernel's maps give a file, and where each level comes from",
	  do_label_show },
	{ "doctor", "", "[--json]",
	  "say whether each control is enforced on this machine; if not, why, and what to change",
	  do_doctor },
};

static void print_help(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: dlpctl [--help] [--version] NOUN [VERB] [ARGS]\n\n"
		     "Administer dlpguard, endpoint data-leak control.\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char synopsis[256];

		snprintf(synopsis, sizeof(synopsis), "%s%s%s %s", commands[i].noun,
			 commands[i].verb[0] ? " " : "", commands[i].verb, commands[i].args);
		/* A long synopsis gets a line of its own, the help below it. */
		if (strlen(synopsis) > 26)
			fprintf(out, "  %s\n  %-26s %s\n", synopsis, "", commands[i].help);
		else
			fprintf(out, "  %-26s %s\n", synopsis, commands[i].help);
	}
	fprintf(out,
		"\nExit status: 0 success, 1 invalid or unreadable input (a policy with "
		"errors, a malformed log line), 2 wrong usage,\n6 dlpd not reachable (not "
		"running, or no answer), 7 permission denied (not root, not in group " DLP_CTL_ADMIN_GROUP
		"),\n8 dlpd answered with an error; doctor: 3 monitor mode, 4 a control the policy needs is not\nenforced, 5 facts unreadable.\nThe policy language is "
		"described in docs/policy.md; the decision log is read from\n" DLP_LOG_DEFAULT_PATH
		" unless --file says otherwise; dlpd is asked over\n" DLP_CTL_SOCKET_PATH
		" unless --socket says otherwise.\n");
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
	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	noun = argv[1];
	verb = argc >= 3 ? argv[2] : "";
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].noun, noun))
			continue;
		if (!commands[i].verb[0])
			return commands[i].run(argc - 2, argv + 2);
		if (!strcmp(commands[i].verb, verb))
			return commands[i].run(argc - 3, argv + 3);
	}
	fprintf(stderr, "dlpctl: unknown command '%s%s%s'\nTry 'dlpctl --help'.\n", noun,
		verb[0] ? " " : "", verb);
	return EXIT_USAGE;
}
