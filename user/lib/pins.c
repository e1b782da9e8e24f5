// SPDX-License-Identifier: GPL-2.0
/*
 * Pinned enforcement (pins.h).  A pinned link keeps its program attached
 * after every file descriptor to it is closed, so dlpd exiting, or killed,
 * leaves the kernel deciding with the maps as they were; a pinned map keeps
 * its contents, the ring buffer included (records made while no dlpd runs
 * wait there, or are counted as lost when it is full).
 *
 * Links are pinned after the maps, and removed before them: a directory
 * with links always has its maps.  A directory with maps and no links is
 * what a dlpd killed between the two left; it enforces nothing and is
 * removed before a fresh load.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pins.h"

static int pin_path(char *buf, size_t len, const char *dir, const char *sub, const char *name)
{
	int n = snprintf(buf, len, "%s/%s%s%s", dir, sub, name ? "/" : "", name ? name : "");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int make_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];
	int err = pin_path(path, sizeof(path), dir, sub, NULL);

	if (err)
		return err;
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Pin every map of @obj not pinned yet (a shared map is pinned by its first holder). */
static int pin_maps(struct bpf_object *obj, const char *dir, char *path)
{
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, obj)
	{
		if (bpf_map__is_internal(map))
			continue;
		err = pin_path(path, PATH_MAX, dir, "maps", bpf_map__name(map));
		if (err)
			return err;
		if (!access(path, F_OK))
			continue;
		if (bpf_obj_pin(bpf_map__fd(map), path))
			return -errno;
	}
	return 0;
}

/**
 * dlp_pins_save() - pin every map and every attached program of a loader
 * @l:        a loaded loader, its programs attached
 * @dir:      the pin directory, on a BPF filesystem; made if missing
 * @ret_path: PATH_MAX bytes: on failure, the pin that failed
 *
 * Maps first, then links.  A directory that already holds links (another
 * dlpd's enforcement) is left alone.
 *
 * Return: 0; -EEXIST if @dir holds links already; else -errno of the first
 * pin that failed, after removing what this call pinned.
 */
int dlp_pins_save(const struct dlp_loader *l, const char *dir, char *ret_path)
{
	struct bpf_object *objs[DLP_LOADER_MAX_OBJS];
	char *path = ret_path;
	unsigned int i, n;
	int err;

	snprintf(path, PATH_MAX, "%s", dir);
	err = dlp_pins_links(dir);
	if (err > 0)
		return -EEXIST;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	err = make_dir(dir, "maps") ?: make_dir(dir, "links");
	if (err)
		return err;
	n = dlp_loader_objects(l, objs);
	for (i = 0; i < n && !err; i++)
		err = pin_maps(objs[i], dir, path);
	for (i = 0; i < l->nlinks && !err; i++) {
		err = pin_path(path, PATH_MAX, dir, "links", l->link_names[i]);
		if (!err && bpf_obj_pin(bpf_link__fd(l->links[i]), path))
			err = -errno;
	}
	if (err)
		dlp_pins_remove(dir);
	return err;
}

/* Remove every entry of DIR/SUB and SUB itself; count what was removed in *@n. */
static int remove_sub(const char *dir, const char *sub, int *n)
{
	char path[PATH_MAX], file[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	err = pin_path(path, sizeof(path), dir, sub, NULL);
	if (err)
		return err;
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (pin_path(file, sizeof(file), dir, sub, de->d_name) || unlink(file)) {
			err = err ?: -errno;
			continue;
		}
		(*n)++;
	}
	closedir(d);
	if (!err && rmdir(path))
		err = -errno;
	return err;
}

/**
 * dlp_pins_links() - how many programs a pin directory keeps attached
 * @dir: the pin directory
 *
 * Return: the number of pinned links (0 when @dir or its links are
 * missing), or -errno.
 */
int dlp_pins_links(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0, err;
	DIR *d;

	err = pin_path(path, sizeof(path), dir, "links", NULL);
	if (err)
		return err;
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/**
 * dlp_pins_open() - the pinned maps, to fill and to read, as a loader gives them
 * @dir: the pin directory
 * @ret: every fd set on success (close with dlp_pins_close())
 *
 * Return: 0; or -errno of the first map that could not be opened (-ENOENT:
 * not pinned), with nothing left open.
 */
int dlp_pins_open(const char *dir, struct dlp_loader_fds *ret)
{
	const struct dlp_loader_fd_field *f;
	struct dlp_loader_fds fds;
	char path[PATH_MAX];
	int fd, err = 0;

	memset(&fds, 0xff, sizeof(fds)); /* every fd -1 */
	for (f = dlp_loader_fd_fields; f->name && !err; f++) {
		err = pin_path(path, sizeof(path), dir, "maps", f->name);
		if (err)
			break;
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			break;
		}
		*(int *)((char *)&fds + f->offset) = fd;
	}
	if (err) {
		dlp_pins_close(&fds);
		return err;
	}
	*ret = fds;
	return 0;
}

/**
 * dlp_pins_close() - close what dlp_pins_open() opened
 * @fds: its result; every fd is -1 afterwards
 */
void dlp_pins_close(struct dlp_loader_fds *fds)
{
	const struct dlp_loader_fd_field *f;
	int *fd;

	for (f = dlp_loader_fd_fields; f->name; f++) {
		fd = (int *)((char *)fds + f->offset);
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

/**
 * dlp_pins_remove() - unpin everything under a pin directory, and the directory
 * @dir: the pin directory
 *
 * Links go first: once no pin and no open fd holds a program, the kernel
 * detaches it.  A process that still holds fds of the links (a running
 * dlpd) keeps its programs attached until it closes them.
 *
 * Return: the number of pins removed (0 when @dir is missing), or -errno of
 * the first failure (what could be removed is removed).
 */
int dlp_pins_remove(const char *dir)
{
	int n = 0, err;

	err = remove_sub(dir, "links", &n);
	err = remove_sub(dir, "maps", &n) ?: err;
	if (!err && rmdir(dir) && errno != ENOENT)
		err = -errno;
	return err ? err : n;
}
