/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every dlpguard BPF object, loaded as one: the skeletons of bpf/taint.bpf.c,
 * media.bpf.c, write.bpf.c, integrity.bpf.c and net.bpf.c (and xattr.bpf.c
 * where the kernel can read a label attribute), their program
 * variants chosen for the running kernel, and every map two objects declare
 * made one kernel map before any of them loads, so that the taint one object
 * raises is the taint the others judge, and one policy, one label set, one
 * device map and one ring buffer serve them all.
 *
 * Use: dlp_loader_open() (open, choose, share, load, check), fill the maps
 * (dlp_loader_fds()), then dlp_loader_attach_lsm() and, for the path without
 * task storage, dlp_loader_attach_cgroup(); dlp_loader_destroy() at the end.
 * A zeroed struct dlp_loader is safe to destroy.
 */
#ifndef DLP_LOADER_H
#define DLP_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "label_map.h"

struct bpf_object;

/* More than the programs of all objects together: one link per attached program. */
#define DLP_LOADER_MAX_LINKS 64

/* Objects the loader can hold, optional ones included. */
#define DLP_LOADER_MAX_OBJS 6

/* The maps dlpd fills and reads, one kernel map each, whichever object declares them. */
struct dlp_loader_fds {
	int slot;			 /* dlp_slot: which policy slot is in force */
	int config;			 /* dlp_config */
	int rules;			 /* dlp_rules */
	int zones;			 /* dlp_zones */
	int media;			 /* dlp_media */
	struct dlp_label_map_fds labels; /* dlp_label_inodes, _prefixes, _conf */
	int events;			 /* dlp_events, the ring buffer */
	int stats;			 /* dlp_stats */
	int lost_logged;		 /* dlp_lost_logged: DLP_STAT_LOST already logged */
	int taint;			 /* dlp_taint */
};

/* Where each map of struct dlp_loader_fds lives, by map name (loader.c). */
struct dlp_loader_fd_field {
	const char *name;
	size_t offset; /* of its int in struct dlp_loader_fds */
};

extern const struct dlp_loader_fd_field dlp_loader_fd_fields[];

struct dlp_loader {
	struct taint_bpf *taint;
	struct xattr_bpf *xattr; /* NULL: not loaded (see dlp_loader_open()) */
	struct media_bpf *media;
	struct write_bpf *write;
	struct integrity_bpf *integrity;
	struct net_bpf *net;
	struct bpf_link *links[DLP_LOADER_MAX_LINKS];
	char link_names[DLP_LOADER_MAX_LINKS]
		       [96]; /* links[i]'s "OBJECT-PROGRAM" (bpffs refuses dots) */
	unsigned int nlinks;
	/* Why the last call failed, naming the object, program or map; "" after success. */
	char error[256];
};

int dlp_loader_open(struct dlp_loader *l, const char *label_xattr);
unsigned int dlp_loader_objects(const struct dlp_loader *l,
				struct bpf_object *ret[DLP_LOADER_MAX_OBJS]);
int dlp_loader_map_fd(const struct dlp_loader *l, const char *name);
int dlp_loader_fds(struct dlp_loader *l, struct dlp_loader_fds *ret);
int dlp_loader_attach_lsm(struct dlp_loader *l);
int dlp_loader_attach_cgroup(struct dlp_loader *l, int cgroup_fd);
void dlp_loader_detach(struct dlp_loader *l);
void dlp_loader_destroy(struct dlp_loader *l);

#endif /* DLP_LOADER_H */
