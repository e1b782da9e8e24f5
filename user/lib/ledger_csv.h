/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The media ledger (台帳) as municipalities keep it: a spreadsheet saved as
 * CSV from Excel, converted into the policy language's `media` lines
 * (docs/policy.md §2.5).  The accepted format is in docs/ledger-csv.md.
 *
 *	登録番号,種別,ベンダID,プロダクトID,シリアル番号,所属,書込,有効期限
 *	総務-2026-001,USB,0781,5583,4C530001234,総務課,可,令和9年3月31日
 *
 * becomes
 *
 *	media 総務-2026-001 bus usb id 0781:5583 serial 4C530001234 section 総務課
 *	      access rw until 2027-03-31
 *
 * (one line).
 */
#ifndef DLP_LEDGER_CSV_H
#define DLP_LEDGER_CSV_H

#include <stddef.h>

#include "diag.h"

#define DLP_LEDGER_CSV_MAX_SIZE (4 * 1024 * 1024) /* bytes in the CSV file */
#define DLP_LEDGER_CSV_MAX_ROWS 4096		  /* data rows, empty ones not counted */

int dlp_ledger_csv_convert(const char *buf, size_t len, const char *name, struct dlp_diag *diag,
			   char **ret_text, unsigned int *ret_entries);

#endif /* DLP_LEDGER_CSV_H */
