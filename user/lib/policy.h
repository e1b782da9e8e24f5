/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A dlpguard policy, as the parser reads it and the compiler completes it.
 * The language is specified in docs/policy.md.
 *
 * dlp_policy_parse() fills in what each line says, with the place it was
 * said; dlp_policy_compile() resolves names (zones, ledger entries), checks
 * what needs the whole file (duplicates, required statements, limits) and
 * builds the zone prefix table the kernel's longest-prefix match uses.
 */
#ifndef DLP_POLICY_H
#define DLP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <dlpguard/abi.h>
#include <dlpguard/rule.h>

#include "diag.h"

#define DLP_MAX_POLICY_SIZE	(1024 * 1024)
#define DLP_MAX_LABELS		1024
#define DLP_MAX_MEDIA		4096
#define DLP_MAX_RULE_ID		32
#define DLP_MAX_LABEL_DEPTH	32

/* Room for "ADDRESS/LENGTH" of any network, NUL included. */
#define DLP_NETWORK_STRLEN	(46 + 4)

struct dlp_pos {
	unsigned int line;
	unsigned int col;
};

/*
 * A confidentiality level as written.  "3" and "3C" rank the same but are
 * kept apart so that output says what the administrator wrote.
 */
enum dlp_level {
	DLP_LEVEL_NONE,
	DLP_LEVEL_1,
	DLP_LEVEL_2,
	DLP_LEVEL_3,
	DLP_LEVEL_3A,
	DLP_LEVEL_3B,
	DLP_LEVEL_3C,
};

/* One network: IPv4 addresses use the first four bytes of addr. */
struct dlp_network {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t prefixlen;
	uint8_t addr[16];
};

struct dlp_zone {
	char *name;
	struct dlp_pos pos;		/* first definition */
	struct dlp_network *nets;
	unsigned int nnets;
};

/*
 * One entry of the compiled prefix table: a network and every zone it lies
 * in, counting the zones of wider networks that contain it.
 */
struct dlp_zone_prefix {
	struct dlp_network net;
	uint64_t zones;			/* bit i: zone i */
};

enum dlp_label_kind {
	DLP_LABEL_DIR,
	DLP_LABEL_PREFIX,
};

struct dlp_label {
	enum dlp_label_kind kind;
	char *match;			/* directory, or file-name prefix */
	enum dlp_level level;		/* DLP_LEVEL_NONE: no 機密性 given */
	enum dlp_integrity integrity;	/* DLP_INTEG_NONE: no 完全性 given */
	struct dlp_pos pos;
};

enum dlp_bus {
	DLP_BUS_USB,
	DLP_BUS_MMC,
};

struct dlp_date {
	uint16_t year;
	uint8_t month;
	uint8_t day;
};

/* One entry of the media ledger (台帳). */
struct dlp_media {
	char *regno;			/* registration number */
	enum dlp_bus bus;
	uint16_t vendor;
	uint16_t product;
	char *serial;
	char *section;			/* owning section (所属) */
	bool writable;			/* access rw */
	struct dlp_date until;		/* last valid day */
	struct dlp_pos pos;
};

struct dlp_rule {
	char *id;
	struct dlp_pos pos;		/* of the id */
	enum dlp_verdict verdict;
	enum dlp_action action;

	enum dlp_object_kind object;
	char *object_name;		/* ledger regno, path or zone name */
	struct dlp_pos object_pos;
	unsigned int object_index;	/* ledger entry or zone, set by the compiler */
	enum dlp_level label_level;	/* DLP_OBJ_LABEL: 機密性 at least this, or */
	enum dlp_integrity label_integrity;	/* 完全性 at least this */
	struct dlp_port_range ports[DLP_MAX_PORT_RANGES];
	unsigned int nports;		/* 0: any port */
	enum dlp_proto proto;

	enum dlp_subject_kind subject;
	char *subject_name;		/* user or group, as written */

	enum dlp_cmp taint_cmp;
	enum dlp_level taint_level;
};

struct dlp_policy {
	unsigned int version;
	enum dlp_mode mode;
	enum dlp_tier tier;
	enum dlp_unregistered unregistered;
	enum dlp_verdict defaults[DLP_ACT_COUNT];

	struct dlp_zone *zones;
	unsigned int nzones;
	struct dlp_label *labels;
	unsigned int nlabels;
	char *label_xattr;		/* NULL: none */
	struct dlp_media *media;
	unsigned int nmedia;
	struct dlp_rule *rules;
	unsigned int nrules;

	/* Set by the compiler. */
	struct dlp_zone_prefix *prefixes;
	unsigned int nprefixes;
	unsigned int nnets;		/* networks in all zones, as written */

	/* Where each once-only statement was seen; line 0: not seen. */
	struct dlp_pos seen_version;
	struct dlp_pos seen_mode;
	struct dlp_pos seen_tier;
	struct dlp_pos seen_unregistered;
	struct dlp_pos seen_default;
	struct dlp_pos seen_action_default[DLP_ACT_COUNT];
	struct dlp_pos seen_xattr;
	unsigned int nlines;		/* lines in the source, as read */

	unsigned char sha256[32];	/* of the source text */
};

void dlp_policy_init(struct dlp_policy *pol);
void dlp_policy_free(struct dlp_policy *pol);
int dlp_policy_parse(struct dlp_policy *pol, const char *src, size_t len, struct dlp_diag *diag);
int dlp_policy_compile(struct dlp_policy *pol, struct dlp_diag *diag);
int dlp_policy_load(struct dlp_policy *pol, const char *path, struct dlp_diag *diag);
int dlp_policy_load_buffer(struct dlp_policy *pol, const char *src, size_t len,
			   struct dlp_diag *diag);
int dlp_policy_write_json(const struct dlp_policy *pol, FILE *out);

/* Spellings of the language, indexed by enumeration value; see names.c. */
extern const char *const dlp_verdict_names[];
extern const char *const dlp_action_names[];
extern const char *const dlp_mode_names[];
extern const char *const dlp_tier_names[];
extern const char *const dlp_unregistered_names[];
extern const char *const dlp_bus_names[];
extern const char *const dlp_proto_names[];
extern const char *const dlp_level_names[];
extern const char *const dlp_cmp_names[];

enum dlp_class dlp_level_class(enum dlp_level level);

int dlp_network_parse(const char *text, struct dlp_network *ret_net, char *why, size_t whylen);
bool dlp_network_contains(const struct dlp_network *outer, const struct dlp_network *inner);
int dlp_network_format(const struct dlp_network *net, char *buf, size_t len);

#endif /* DLP_POLICY_H */
