// SPDX-License-Identifier: GPL-2.0
/*
 * How the policy language spells each enumeration.  The tables are indexed
 * by the enumeration's value; "" marks a value with no spelling of its own.
 * The parser reads with them and the JSON writer writes with them, so the
 * two can never disagree.
 */
#include "policy.h"

const char *const dlp_verdict_names[] = { "allow", "deny", "audit", NULL };
const char *const dlp_action_names[] = {
	"mount", "write", "modify", "delete", "connect", "send", NULL
};
const char *const dlp_mode_names[] = { "enforce", "monitor", NULL };
const char *const dlp_tier_names[] = { "mynumber", "lgwan", "internet", NULL };
const char *const dlp_unregistered_names[] = { "deny", "readonly", "allow", NULL };
const char *const dlp_bus_names[] = { "usb", "mmc", NULL };
const char *const dlp_proto_names[] = { "any", "tcp", "udp", NULL };
const char *const dlp_level_names[] = { "", "1", "2", "3", "3A", "3B", "3C", NULL };
const char *const dlp_cmp_names[] = { "", ">=", ">", "=", "<=", "<", NULL };

/**
 * dlp_level_class() - the rank of a written 機密性 level
 * @level: the level as written
 *
 * "3" and "3C" rank the same: see enum dlp_class.
 */
enum dlp_class dlp_level_class(enum dlp_level level)
{
	static const enum dlp_class rank[] = {
		[DLP_LEVEL_NONE] = DLP_CLASS_NONE,
		[DLP_LEVEL_1] = DLP_CLASS_1,
		[DLP_LEVEL_2] = DLP_CLASS_2,
		[DLP_LEVEL_3] = DLP_CLASS_3,
		[DLP_LEVEL_3A] = DLP_CLASS_3A,
		[DLP_LEVEL_3B] = DLP_CLASS_3B,
		[DLP_LEVEL_3C] = DLP_CLASS_3,
	};

	return rank[level];
}
