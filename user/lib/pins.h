/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Enforcement that outlives dlpd: the loaded programs' links and every map
 * pinned in the BPF filesystem, so that the kernel keeps deciding while
 * dlpd is stopped, restarted, upgraded or killed, and a new dlpd finds the
 * maps to fill and the ring buffer to read where the last one left them.
 *
 *	DIR/maps/NAME          one pin per map name (a shared map once)
 *	DIR/links/OBJECT-PROG  one pin per attached program (bpffs refuses dots in names)
 *
 * DIR is /sys/fs/bpf/dlpguard for dlpd; tests use a directory of their own.
 */
#ifndef DLP_PINS_H
#define DLP_PINS_H

#include <stdbool.h>

#include "loader.h"

#define DLP_PIN_DIR "/sys/fs/bpf/dlpguard"

int dlp_pins_save(const struct dlp_loader *l, const char *dir, char *ret_path);
int dlp_pins_links(const char *dir);
int dlp_pins_open(const char *dir, struct dlp_loader_fds *ret);
void dlp_pins_close(struct dlp_loader_fds *fds);
int dlp_pins_remove(const char *dir);

#endif /* DLP_PINS_H */
