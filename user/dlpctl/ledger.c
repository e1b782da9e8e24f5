// SPDX-License-Identifier: GPL-2.0
/*
 * `dlpctl device allow|block|import`: the media ledger (台帳) changed.  The
 * ledger is part of the policy (its `media` lines), so each command takes
 * the policy dlpd has in force (POLICY_SHOW), changes its `media` lines
 * only (user/lib/ledger_edit.h) and has dlpd apply the result like `policy
 * apply`: checked on the terminal, switched to in one step, saved as the
 * policy file, logged with who and why.  The request names the policy it
 * was made from; if another was put in force meanwhile, dlpd refuses and
 * nothing is lost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dlpctl.h"
#include "ledger_csv.h"
#include "ledger_edit.h"
#include "policy.h"

/* What the three commands share: where dlpd is, and how to apply. */
struct ledger_opts {
	const char *sock;
	const char *reason;
	bool dry_run;
};

/* --socket PATH, --reason TEXT, --dry-run at argv[*i]; false if it is none of them. */
static bool common_option(int argc, char **argv, int *i, struct ledger_opts *o)
{
	if (!strcmp(argv[*i], "--dry-run")) {
		o->dry_run = true;
		return true;
	}
	if ((!strcmp(argv[*i], "--socket") || !strcmp(argv[*i], "--reason")) && *i + 1 < argc) {
		if (argv[*i][2] == 's')
			o->sock = argv[*i + 1];
		else
			o->reason = argv[*i + 1];
		(*i)++;
		return true;
	}
	return false;
}

/* The policy in force, and it compiled here (for where its `media` lines are). */
struct in_force {
	struct dlpctl_policy p;
	struct dlp_policy pol;
};

static int read_in_force(const char *sock, struct in_force *f)
{
	struct dlp_diag diag;
	int status;

	dlp_policy_init(&f->pol);
	status = dlpctl_policy_fetch(sock, &f->p);
	if (status)
		return status;
	dlp_diag_init(&diag, f->p.name, stderr);
	if (dlp_policy_load_buffer(&f->pol, f->p.text, f->p.len, &diag)) {
		fprintf(stderr, "dlpctl: the policy in force does not compile here\n");
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

static void in_force_free(struct in_force *f)
{
	dlp_policy_free(&f->pol);
	free(f->p.text);
}

/* The edited text, applied by dlpd if the policy in force is still @f's. */
static int apply_edit(const struct ledger_opts *o, const struct in_force *f, const bool *drop,
		      const char *append)
{
	struct dlp_ctl_policy_apply a = { 0 };
	char *text;
	size_t len;
	int err, status;

	err = dlp_ledger_edit(f->p.text, f->p.len, &f->pol, drop, append, &text, &len);
	if (err) {
		fprintf(stderr, "dlpctl: editing the ledger: %s\n", strerror(-err));
		return EXIT_INVALID;
	}
	a.name = f->p.name;
	a.text = text;
	a.text_len = len;
	a.dry_run = o->dry_run;
	a.base_sha256 = f->p.sha256;
	a.reason = o->reason;
	status = dlpctl_apply(o->sock, &a);
	free(text);
	return status;
}

/* A medium's identity: --device NAME (as dlpd lists it) or --bus, --id and --serial. */
struct identity {
	const char *device;
	const char *bus;
	const char *id;
	const char *serial;
};

static bool identity_option(int argc, char **argv, int *i, struct identity *id)
{
	static const char *const names[] = { "--device", "--bus", "--id", "--serial" };
	const char **fields[] = { &id->device, &id->bus, &id->id, &id->serial };
	size_t k;

	for (k = 0; k < 4; k++)
		if (!strcmp(argv[*i], names[k]) && *i + 1 < argc) {
			*fields[k] = argv[++*i];
			return true;
		}
	return false;
}

static bool parse_hex4(const char *s, size_t n, __u16 *ret)
{
	unsigned int v = 0;
	size_t i;

	if (n != 4)
		return false;
	for (i = 0; i < n; i++) {
		v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			v |= s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			v |= s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			v |= s[i] - 'A' + 10;
		else
			return false;
	}
	*ret = v;
	return true;
}

/*
 * Fill @m's bus, ids and serial from @id: from the arguments, or from the
 * medium dlpd lists under that name (sdb, /dev/sdb).  @pages keeps the
 * strings alive.
 */
static int resolve_identity(const char *cmd, const struct identity *id, const char *sock,
			    struct dlpctl_device_pages *pages, struct dlp_media *m)
{
	const char *colon, *name;
	size_t i;
	int status;

	if (id->device && (id->bus || id->id || id->serial))
		return dlpctl_usage_error("%s: --device, or --bus, --id and --serial; not both",
					  cmd);
	if (id->device) {
		name = strncmp(id->device, "/dev/", 5) ? id->device : id->device + 5;
		status = dlpctl_devices_fetch(sock, pages);
		if (status)
			return status;
		for (i = 0; i < pages->n; i++)
			if (pages->devs[i].devname && !strcmp(pages->devs[i].devname, name))
				break;
		if (i == pages->n) {
			fprintf(stderr,
				"dlpctl: %s: dlpd lists no medium %s ('dlpctl device list' shows "
				"those it has judged)\n",
				cmd, id->device);
			return EXIT_INVALID;
		}
		if (!pages->devs[i].serial) {
			fprintf(stderr,
				"dlpctl: %s: %s has no serial number: the ledger cannot name it\n",
				cmd, id->device);
			return EXIT_INVALID;
		}
		m->bus = pages->devs[i].bus == DLP_CTL_BUS_MMC ? DLP_BUS_MMC : DLP_BUS_USB;
		m->vendor = pages->devs[i].vendor;
		m->product = pages->devs[i].product;
		m->serial = (char *)pages->devs[i].serial;
		return EXIT_OK;
	}
	if (!id->bus || !id->id || !id->serial)
		return dlpctl_usage_error("%s: the medium: --device NAME, or --bus usb|mmc, --id "
					  "VVVV:PPPP and --serial SERIAL",
					  cmd);
	if (!strcmp(id->bus, "usb"))
		m->bus = DLP_BUS_USB;
	else if (!strcmp(id->bus, "mmc"))
		m->bus = DLP_BUS_MMC;
	else
		return dlpctl_usage_error("%s: --bus %s: expected usb or mmc", cmd, id->bus);
	colon = strchr(id->id, ':');
	if (!colon || !parse_hex4(id->id, colon - id->id, &m->vendor) ||
	    !parse_hex4(colon + 1, strlen(colon + 1), &m->product))
		return dlpctl_usage_error("%s: --id %s: expected VVVV:PPPP, four hexadecimal "
					  "digits each",
					  cmd, id->id);
	m->serial = (char *)id->serial;
	return EXIT_OK;
}

static bool same_medium(const struct dlp_media *a, const struct dlp_media *b)
{
	return a->bus == b->bus && a->vendor == b->vendor && a->product == b->product &&
	       !strcmp(a->serial, b->serial);
}

/**
 * do_device_allow() - `dlpctl device allow REGNO MEDIUM --section S --access rw|ro
 * --until DATE [--reason TEXT] [--dry-run] [--socket PATH]`
 * @argc: arguments after the command
 * @argv: them
 *
 * Return: an exit status (dlpctl.h).
 */
int do_device_allow(int argc, char **argv)
{
	struct ledger_opts o = { .sock = DLP_CTL_SOCKET_PATH };
	struct dlpctl_device_pages pages = { 0 };
	struct in_force f = { .p = { .text = NULL } };
	const char *access = NULL, *until = NULL;
	char line[DLP_MEDIA_LINE_MAX], tail;
	struct dlp_media m = { 0 };
	struct identity id = { 0 };
	unsigned int y, mo, d, k;
	int i, n, status;

	for (i = 0; i < argc; i++) {
		if (common_option(argc, argv, &i, &o) || identity_option(argc, argv, &i, &id))
			continue;
		if (!strcmp(argv[i], "--section") && i + 1 < argc)
			m.section = argv[++i];
		else if (!strcmp(argv[i], "--access") && i + 1 < argc)
			access = argv[++i];
		else if (!strcmp(argv[i], "--until") && i + 1 < argc)
			until = argv[++i];
		else if (argv[i][0] == '-' || m.regno)
			return dlpctl_usage_error("device allow: unexpected '%s'", argv[i]);
		else
			m.regno = argv[i];
	}
	if (!m.regno || !m.section || !access || !until)
		return dlpctl_usage_error("%s", "device allow: expected REGNO, the medium, "
						"--section, --access and --until");
	if (strcmp(access, "rw") && strcmp(access, "ro"))
		return dlpctl_usage_error("device allow: --access %s: expected rw or ro", access);
	m.writable = !strcmp(access, "rw");
	if (sscanf(until, "%4u-%2u-%2u%c", &y, &mo, &d, &tail) != 3 || strlen(until) != 10)
		return dlpctl_usage_error("device allow: --until %s: expected YYYY-MM-DD", until);
	m.until = (struct dlp_date){ .year = y, .month = mo, .day = d };
	status = resolve_identity("device allow", &id, o.sock, &pages, &m);
	if (!status)
		status = read_in_force(o.sock, &f);
	for (k = 0; !status && k < f.pol.nmedia; k++) {
		if (!strcmp(f.pol.media[k].regno, m.regno)) {
			fprintf(stderr,
				"dlpctl: device allow: %s is in the ledger already (%s line %u)\n",
				m.regno, f.p.name, f.pol.media[k].pos.line);
			status = EXIT_INVALID;
		} else if (same_medium(&f.pol.media[k], &m)) {
			fprintf(stderr,
				"dlpctl: device allow: that medium is in the ledger already, as %s "
				"(%s line %u)\n",
				f.pol.media[k].regno, f.p.name, f.pol.media[k].pos.line);
			status = EXIT_INVALID;
		}
	}
	if (!status) {
		n = dlp_media_format(&m, line, sizeof(line));
		if (n < 0) {
			fprintf(stderr, "dlpctl: device allow: %s\n", strerror(-n));
			status = EXIT_INVALID;
		}
	}
	if (!status)
		status = apply_edit(&o, &f, NULL, line);
	in_force_free(&f);
	dlpctl_device_pages_free(&pages);
	return status;
}

/**
 * do_device_block() - `dlpctl device block REGNO|MEDIUM [--reason TEXT] [--dry-run]
 * [--socket PATH]`: the entry naming the medium leaves the ledger, so the
 * medium is unregistered media from the switch on
 * @argc: arguments after the command
 * @argv: them
 *
 * Return: an exit status (dlpctl.h).
 */
int do_device_block(int argc, char **argv)
{
	struct ledger_opts o = { .sock = DLP_CTL_SOCKET_PATH };
	struct dlpctl_device_pages pages = { 0 };
	struct in_force f = { .p = { .text = NULL } };
	struct dlp_media m = { 0 };
	struct identity id = { 0 };
	const char *regno = NULL;
	bool *drop = NULL;
	unsigned int k, n = 0;
	int i, status;

	for (i = 0; i < argc; i++) {
		if (common_option(argc, argv, &i, &o) || identity_option(argc, argv, &i, &id))
			continue;
		if (argv[i][0] == '-' || regno)
			return dlpctl_usage_error("device block: unexpected '%s'", argv[i]);
		regno = argv[i];
	}
	if (!regno == !(id.device || id.bus || id.id || id.serial))
		return dlpctl_usage_error("%s", "device block: expected REGNO, or the medium "
						"(--device NAME, or --bus, --id and --serial)");
	status = regno ? EXIT_OK : resolve_identity("device block", &id, o.sock, &pages, &m);
	if (!status)
		status = read_in_force(o.sock, &f);
	if (!status && f.pol.nmedia) {
		drop = calloc(f.pol.nmedia, sizeof(*drop));
		if (!drop) {
			fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
			status = EXIT_INVALID;
		}
	}
	for (k = 0; !status && k < f.pol.nmedia; k++) {
		drop[k] = regno ? !strcmp(f.pol.media[k].regno, regno) :
				  same_medium(&f.pol.media[k], &m);
		n += drop[k];
	}
	if (!status && !n) {
		fprintf(stderr, "dlpctl: device block: %s is not in the ledger of %s\n",
			regno ? regno : "that medium", f.p.name);
		status = EXIT_INVALID;
	}
	if (!status)
		status = apply_edit(&o, &f, drop, NULL);
	free(drop);
	in_force_free(&f);
	dlpctl_device_pages_free(&pages);
	return status;
}

/**
 * do_device_import() - `dlpctl device import FILE.csv [--reason TEXT] [--dry-run]
 * [--socket PATH]`: the ledger becomes the spreadsheet's (docs/ledger-csv.md);
 * every other line of the policy stays
 * @argc: arguments after the command
 * @argv: them
 *
 * Return: an exit status (dlpctl.h).
 */
int do_device_import(int argc, char **argv)
{
	struct ledger_opts o = { .sock = DLP_CTL_SOCKET_PATH };
	struct in_force f = { .p = { .text = NULL } };
	char *csv = NULL, *ledger = NULL;
	const char *path = NULL;
	unsigned int entries = 0, k;
	struct dlp_diag diag;
	bool *drop = NULL;
	size_t len = 0;
	int i, status = EXIT_INVALID;
	FILE *in;

	for (i = 0; i < argc; i++) {
		if (common_option(argc, argv, &i, &o))
			continue;
		if (argv[i][0] == '-' || path)
			return dlpctl_usage_error("device import: unexpected '%s'", argv[i]);
		path = argv[i];
	}
	if (!path)
		return dlpctl_usage_error("%s", "device import: expected a CSV file");
	in = fopen(path, "rb");
	if (!in) {
		fprintf(stderr, "dlpctl: %s: %s\n", path, strerror(errno));
		return EXIT_INVALID;
	}
	/* one byte more than the converter takes: a larger file is refused, not cut */
	csv = malloc(DLP_LEDGER_CSV_MAX_SIZE + 1);
	if (csv)
		len = fread(csv, 1, DLP_LEDGER_CSV_MAX_SIZE + 1, in);
	if (!csv || ferror(in)) {
		fprintf(stderr, "dlpctl: %s: %s\n", path, strerror(csv ? EIO : ENOMEM));
		goto out;
	}
	dlp_diag_init(&diag, path, stderr);
	if (dlp_ledger_csv_convert(csv, len, path, &diag, &ledger, &entries))
		goto out; /* every problem said, with its row and column */
	status = read_in_force(o.sock, &f);
	if (status)
		goto out;
	drop = calloc(f.pol.nmedia ? f.pol.nmedia : 1, sizeof(*drop));
	if (!drop) {
		fprintf(stderr, "dlpctl: %s\n", strerror(ENOMEM));
		status = EXIT_INVALID;
		goto out;
	}
	for (k = 0; k < f.pol.nmedia; k++)
		drop[k] = true;
	fprintf(stderr, "dlpctl: %s: %u ledger entries replace the %u of %s\n", path, entries,
		f.pol.nmedia, f.p.name);
	status = apply_edit(&o, &f, drop, ledger);
out:
	free(drop);
	free(ledger);
	free(csv);
	in_force_free(&f);
	fclose(in);
	return status;
}
