// SPDX-License-Identifier: GPL-2.0
/*
 * One loader for every dlpguard BPF object (loader.h).
 *
 * Objects load one after the other, in a fixed order: taint, xattr (when
 * loaded), media, write, integrity, net.  A map name belongs to the first object in that order that
 * declares it (taint: dlp_taint and the label maps; media: the policy maps,
 * the ring buffer, the counters and dlp_media; net: dlp_zones); every later
 * object declaring a map of that name is given the owner's map with
 * bpf_map__reuse_fd() before it loads.  Sharing goes by name alone, so a map
 * added to a shared header is shared with no change here; the kernel refuses
 * a reuse whose type, key, value or size differ, and the load then fails
 * naming the object.  Taint comes first because it owns the maps every file
 * hook reads and needs none of the others'.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "integrity.skel.h"
#include "kernel_btf.h"
#include "loader.h"
#include "media.skel.h"
#include "net.skel.h"
#include "taint.skel.h"
#include "write.skel.h"
#include "xattr.skel.h"

#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define DLP_LOADER_NOBJS DLP_LOADER_MAX_OBJS

/* The kfunc bpf/xattr.bpf.c needs (6.8 and later), and the only names it may read. */
#define XATTR_KFUNC  "bpf_get_file_xattr"
#define XATTR_PREFIX "user."

/*
 * Programs written more than once for kernels that differ: each is loaded
 * only where the kernel's function has the arguments it was written for.
 * Of the variants of one function in one object (nargs > 0), exactly one
 * must fit, or that hook would silently go unguarded.
 */
struct dlp_variant {
	const char *prog;
	const char *kfunc; /* the BPF LSM attach point, as in the kernel's BTF */
	int nargs;	   /* loaded when @kfunc takes this many; 0: whenever it exists */
};

static const struct dlp_variant variants[] = {
	/* inode_setattr gained a struct mnt_idmap * first argument in 6.3. */
	{ "dlp_write_setattr", "bpf_lsm_inode_setattr", 2 },
	{ "dlp_write_setattr_idmap", "bpf_lsm_inode_setattr", 3 },
	{ "dlp_integrity_setattr", "bpf_lsm_inode_setattr", 2 },
	{ "dlp_integrity_setattr_idmap", "bpf_lsm_inode_setattr", 3 },
	/* file_ioctl_compat is a hook of its own from 6.8; before, file_ioctl sees those too. */
	{ "dlp_media_file_ioctl_compat", "bpf_lsm_file_ioctl_compat", 0 },
};

__attribute__((format(printf, 2, 3))) static void loader_error(struct dlp_loader *l,
							       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->error, sizeof(l->error), fmt, ap);
	va_end(ap);
}

/* The objects in load order; NULL where one is not open. */
static void loader_objects(const struct dlp_loader *l, struct bpf_object *objs[DLP_LOADER_NOBJS])
{
	objs[0] = l->taint ? l->taint->obj : NULL;
	objs[1] = l->xattr ? l->xattr->obj : NULL;
	objs[2] = l->media ? l->media->obj : NULL;
	objs[3] = l->write ? l->write->obj : NULL;
	objs[4] = l->integrity ? l->integrity->obj : NULL;
	objs[5] = l->net ? l->net->obj : NULL;
}

/**
 * dlp_loader_objects() - the loaded objects, in load order
 * @l:   an open loader
 * @ret: the objects, the first return value entries set
 *
 * Return: how many (5, or 6 with the label-attribute object).
 */
unsigned int dlp_loader_objects(const struct dlp_loader *l,
				struct bpf_object *ret[DLP_LOADER_MAX_OBJS])
{
	struct bpf_object *objs[DLP_LOADER_NOBJS];
	unsigned int i, n = 0;

	loader_objects(l, objs);
	for (i = 0; i < DLP_LOADER_NOBJS; i++)
		if (objs[i])
			ret[n++] = objs[i];
	return n;
}

/*
 * The map @name of the first of @objs[0..@n) declaring it: its owner, and in
 * *@ret_obj (when not NULL) that object.  NULL if none does.
 */
static struct bpf_map *map_owner(struct bpf_object *const *objs, unsigned int n, const char *name,
				 struct bpf_object **ret_obj)
{
	struct bpf_map *map;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!objs[i])
			continue;
		map = bpf_object__find_map_by_name(objs[i], name);
		if (map && !bpf_map__is_internal(map)) {
			if (ret_obj)
				*ret_obj = objs[i];
			return map;
		}
	}
	return NULL;
}

static __u32 map_id(const struct bpf_map *map)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
		return 0;
	return info.id;
}

/*
 * Set which variants of @obj load, from the running kernel's BTF.  @nargs[i]
 * is what dlp_kernel_func_nargs() says of variants[i].kfunc.
 */
static int choose_variants(struct dlp_loader *l, struct bpf_object *obj, const int *nargs)
{
	struct bpf_program *prog;
	unsigned int i, j;
	bool fits;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		prog = bpf_object__find_program_by_name(obj, variants[i].prog);
		if (!prog)
			continue;
		fits = variants[i].nargs ? nargs[i] == variants[i].nargs : nargs[i] >= 0;
		bpf_program__set_autoload(prog, fits);
	}
	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		if (!variants[i].nargs || !bpf_object__find_program_by_name(obj, variants[i].prog))
			continue;
		fits = false;
		for (j = 0; j < ARRAY_SIZE(variants); j++)
			if (!strcmp(variants[j].kfunc, variants[i].kfunc) &&
			    bpf_object__find_program_by_name(obj, variants[j].prog) &&
			    variants[j].nargs == nargs[i])
				fits = true;
		if (!fits) {
			loader_error(l,
				     "%s: no variant of %s fits this kernel, whose %s takes %d "
				     "arguments",
				     bpf_object__name(obj), variants[i].prog, variants[i].kfunc,
				     nargs[i]);
			return -ENOTSUP;
		}
	}
	return 0;
}

/* What dlp_kernel_func_nargs() says of each variant's function, asked once per function. */
static int kernel_nargs(struct dlp_loader *l, int *nargs)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(variants[j].kfunc, variants[i].kfunc))
				break;
		nargs[i] = j < i ? nargs[j] : dlp_kernel_func_nargs(variants[i].kfunc);
		if (nargs[i] < 0 && nargs[i] != -ENOENT) {
			loader_error(l, "reading the kernel's BTF for %s: %s", variants[i].kfunc,
				     strerror(-nargs[i]));
			return nargs[i];
		}
	}
	return 0;
}

/* Give every map of @obj that an earlier object owns the owner's map. */
static int share_maps(struct dlp_loader *l, struct bpf_object *obj, struct bpf_object *const *objs,
		      unsigned int nowners)
{
	struct bpf_map *map, *owner;
	int err;

	bpf_object__for_each_map(map, obj)
	{
		if (bpf_map__is_internal(map))
			continue;
		owner = map_owner(objs, nowners, bpf_map__name(map), NULL);
		if (!owner)
			continue;
		err = bpf_map__reuse_fd(map, bpf_map__fd(owner));
		if (err) {
			loader_error(l, "%s: sharing map %s: %s", bpf_object__name(obj),
				     bpf_map__name(map), strerror(-err));
			return err;
		}
	}
	return 0;
}

/*
 * libbpf says which program failed only in its log: while an object loads,
 * the first warning about a program ("prog '%s': ...") names it.  Every
 * message still goes on to the application's own print function.
 */
static struct {
	libbpf_print_fn_t prev;
	char prog[64];
} load_log;

static int load_log_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static const char prefix[] = "libbpf: prog '%s': ";
	va_list copy;

	if (level == LIBBPF_WARN && !load_log.prog[0] &&
	    !strncmp(fmt, prefix, sizeof(prefix) - 1)) {
		va_copy(copy, ap);
		snprintf(load_log.prog, sizeof(load_log.prog), "%s", va_arg(copy, const char *));
		va_end(copy);
	}
	return load_log.prev ? load_log.prev(level, fmt, ap) : 0;
}

/*
 * Loaded through its skeleton, which maps each object's .bss into the
 * skeleton's pointer: the hook counters read there are then the kernel's.
 */
static int load_object(struct dlp_loader *l, struct bpf_object_skeleton *skel)
{
	struct bpf_object *obj = *skel->obj;
	int err;

	load_log.prog[0] = '\0';
	load_log.prev = libbpf_set_print(load_log_print);
	err = bpf_object__load_skeleton(skel);
	libbpf_set_print(load_log.prev);
	if (!err)
		return 0;
	if (load_log.prog[0])
		loader_error(l, "%s: program %s failed to load: %s", bpf_object__name(obj),
			     load_log.prog, strerror(-err));
	else
		loader_error(l, "%s: failed to load: %s", bpf_object__name(obj), strerror(-err));
	return err;
}

/* Every map name, in every object, has one map id: the owner's. */
static int check_shared(struct dlp_loader *l, struct bpf_object *const *objs)
{
	struct bpf_object *owner_obj = NULL;
	struct bpf_map *map, *owner;
	unsigned int i;
	__u32 id;

	for (i = 0; i < DLP_LOADER_NOBJS; i++) {
		if (!objs[i])
			continue;
		bpf_object__for_each_map(map, objs[i])
		{
			if (bpf_map__is_internal(map))
				continue;
			owner = map_owner(objs, DLP_LOADER_NOBJS, bpf_map__name(map), &owner_obj);
			id = map_id(map);
			if (!id || id != map_id(owner)) {
				loader_error(l, "map %s is not shared: id %u in %s, %u in %s",
					     bpf_map__name(map), id, bpf_object__name(objs[i]),
					     map_id(owner), bpf_object__name(owner_obj));
				return -EINVAL;
			}
		}
	}
	return 0;
}

/*
 * Open bpf/xattr.bpf.c when the kernel can read @label_xattr itself: it has
 * the kfunc and the name is user.* (the kfunc reads no other).  Otherwise
 * l->xattr stays NULL and dlpd's resolver (user/lib/label_xattr.h) is the
 * only source of attribute labels.
 */
static int open_xattr(struct dlp_loader *l, const char *label_xattr)
{
	size_t len;
	int nargs;

	if (!label_xattr || strncmp(label_xattr, XATTR_PREFIX, strlen(XATTR_PREFIX)))
		return 0;
	nargs = dlp_kernel_func_nargs(XATTR_KFUNC);
	if (nargs == -ENOENT)
		return 0;
	if (nargs < 0) {
		loader_error(l, "reading the kernel's BTF for %s: %s", XATTR_KFUNC,
			     strerror(-nargs));
		return nargs;
	}
	len = strlen(label_xattr);
	l->xattr = xattr_bpf__open();
	if (!l->xattr) {
		loader_error(l, "opening the label-attribute object: %s", strerror(errno));
		return -errno;
	}
	if (len >= sizeof(l->xattr->rodata->dlp_xattr_name)) {
		loader_error(l, "label attribute name '%s' is longer than %zu bytes", label_xattr,
			     sizeof(l->xattr->rodata->dlp_xattr_name) - 1);
		return -ENAMETOOLONG;
	}
	memcpy((char *)l->xattr->rodata->dlp_xattr_name, label_xattr, len + 1);
	return 0;
}

/**
 * dlp_loader_open() - open, prepare and load every dlpguard BPF object
 * @l:           the loader; its previous contents are ignored
 * @label_xattr: the policy's 'label xattr' name, or NULL when it has none
 *
 * Chooses each object's program variants by the running kernel's BTF, makes
 * every map that several objects declare one kernel map (the first
 * declaring object's, in the load order of loader.c), loads the objects, and
 * checks that each map name has one map id in all of them.  The
 * label-attribute object is loaded only when @label_xattr is a user.* name
 * and the kernel has bpf_get_file_xattr (6.8 and later): l->xattr says
 * whether it was.  Its name is fixed at load: a policy naming another
 * attribute needs a new load.  Nothing is attached.  While it loads,
 * libbpf's print function is the loader's (forwarding to the one set
 * before): do not load BPF objects from another thread meanwhile.
 *
 * Return: 0; or -errno, @l left empty and l->error naming the object and the
 * program or map at fault: -ENOTSUP when no variant of a program fits the
 * kernel, -EINVAL when the maps ended up not shared, -ENAMETOOLONG for an
 * attribute name longer than the kernel's, else what libbpf or the kernel
 * said (EPERM: not root, or BPF LSM programs refused).
 */
int dlp_loader_open(struct dlp_loader *l, const char *label_xattr)
{
	struct bpf_object_skeleton *skels[DLP_LOADER_NOBJS];
	struct bpf_object *objs[DLP_LOADER_NOBJS];
	int nargs[ARRAY_SIZE(variants)];
	unsigned int i;
	int err;

	memset(l, 0, sizeof(*l));
	err = kernel_nargs(l, nargs);
	if (err)
		return err;
	l->taint = taint_bpf__open();
	l->media = l->taint ? media_bpf__open() : NULL;
	l->write = l->media ? write_bpf__open() : NULL;
	l->integrity = l->write ? integrity_bpf__open() : NULL;
	l->net = l->integrity ? net_bpf__open() : NULL;
	if (!l->net) {
		err = -errno;
		loader_error(l, "opening the BPF objects: %s", strerror(errno));
		goto out_destroy;
	}
	err = open_xattr(l, label_xattr);
	if (err)
		goto out_destroy;
	loader_objects(l, objs);
	skels[0] = l->taint->skeleton;
	skels[1] = l->xattr ? l->xattr->skeleton : NULL;
	skels[2] = l->media->skeleton;
	skels[3] = l->write->skeleton;
	skels[4] = l->integrity->skeleton;
	skels[5] = l->net->skeleton;
	/* Every variant chosen before anything loads: a kernel that fits none wastes no load. */
	for (i = 0; i < DLP_LOADER_NOBJS; i++) {
		if (!objs[i])
			continue;
		err = choose_variants(l, objs[i], nargs);
		if (err)
			goto out_destroy;
	}
	for (i = 0; i < DLP_LOADER_NOBJS; i++) {
		if (!objs[i])
			continue;
		err = share_maps(l, objs[i], objs, i);
		err = err ?: load_object(l, skels[i]);
		if (err)
			goto out_destroy;
	}
	err = check_shared(l, objs);
	if (err)
		goto out_destroy;
	l->error[0] = '\0';
	return 0;

out_destroy:
	dlp_loader_destroy(l);
	return err;
}

/**
 * dlp_loader_map_fd() - the one kernel map named @name
 * @l:    an open loader
 * @name: a map name from the BPF sources, e.g. "dlp_label_stats"
 *
 * Return: its fd (the loader's: do not close it), or -ENOENT if no object
 * declares it.
 */
int dlp_loader_map_fd(const struct dlp_loader *l, const char *name)
{
	struct bpf_object *objs[DLP_LOADER_NOBJS];
	struct bpf_map *map;

	loader_objects(l, objs);
	map = map_owner(objs, DLP_LOADER_NOBJS, name, NULL);
	return map ? bpf_map__fd(map) : -ENOENT;
}

/* Each map of struct dlp_loader_fds, by name; ends with { NULL }. */
const struct dlp_loader_fd_field dlp_loader_fd_fields[] = {
	{ "dlp_slot", offsetof(struct dlp_loader_fds, slot) },
	{ "dlp_config", offsetof(struct dlp_loader_fds, config) },
	{ "dlp_rules", offsetof(struct dlp_loader_fds, rules) },
	{ "dlp_zones", offsetof(struct dlp_loader_fds, zones) },
	{ "dlp_media", offsetof(struct dlp_loader_fds, media) },
	{ "dlp_label_inodes", offsetof(struct dlp_loader_fds, labels.inodes) },
	{ "dlp_label_prefixes", offsetof(struct dlp_loader_fds, labels.prefixes) },
	{ "dlp_label_conf", offsetof(struct dlp_loader_fds, labels.conf) },
	{ "dlp_events", offsetof(struct dlp_loader_fds, events) },
	{ "dlp_stats", offsetof(struct dlp_loader_fds, stats) },
	{ "dlp_lost_logged", offsetof(struct dlp_loader_fds, lost_logged) },
	{ "dlp_taint", offsetof(struct dlp_loader_fds, taint) },
	{ NULL, 0 },
};

/**
 * dlp_loader_fds() - the maps to fill (policy, zones, media, labels) and to read
 * @l:   an open loader
 * @ret: set on success; the fds stay the loader's
 *
 * Return: 0, or -ENOENT if an object lacks one of them (l->error names it).
 */
int dlp_loader_fds(struct dlp_loader *l, struct dlp_loader_fds *ret)
{
	const struct dlp_loader_fd_field *fields = dlp_loader_fd_fields;
	struct dlp_loader_fds fds;
	unsigned int i;
	int fd;

	for (i = 0; fields[i].name; i++) {
		fd = dlp_loader_map_fd(l, fields[i].name);
		if (fd < 0) {
			loader_error(l, "no object declares map %s", fields[i].name);
			return fd;
		}
		*(int *)((char *)&fds + fields[i].offset) = fd;
	}
	*ret = fds;
	return 0;
}

/* Attach every loaded program of @type; on failure, undo this call's links. */
static int attach_type(struct dlp_loader *l, enum bpf_prog_type type, int cgroup_fd)
{
	struct bpf_object *objs[DLP_LOADER_NOBJS];
	unsigned int i, first = l->nlinks;
	struct bpf_program *prog;
	struct bpf_link *link;
	int err = 0;

	loader_objects(l, objs);
	for (i = 0; i < DLP_LOADER_NOBJS && !err; i++) {
		if (!objs[i])
			continue;
		bpf_object__for_each_program(prog, objs[i])
		{
			if (bpf_program__fd(prog) < 0 || bpf_program__type(prog) != type)
				continue;
			if (l->nlinks == DLP_LOADER_MAX_LINKS) {
				err = -E2BIG;
				loader_error(l, "more than %d programs to attach",
					     DLP_LOADER_MAX_LINKS);
				break;
			}
			link = cgroup_fd < 0 ? bpf_program__attach(prog) :
					       bpf_program__attach_cgroup(prog, cgroup_fd);
			if (!link) {
				err = -errno;
				loader_error(l, "%s: attaching program %s: %s",
					     bpf_object__name(objs[i]), bpf_program__name(prog),
					     strerror(errno));
				break;
			}
			snprintf(l->link_names[l->nlinks], sizeof(l->link_names[0]), "%s-%s",
				 bpf_object__name(objs[i]), bpf_program__name(prog));
			l->links[l->nlinks++] = link;
		}
	}
	if (err) {
		while (l->nlinks > first)
			bpf_link__destroy(l->links[--l->nlinks]);
		return err;
	}
	l->error[0] = '\0';
	return 0;
}

/**
 * dlp_loader_attach_lsm() - attach every BPF LSM program of every object
 * @l: an open loader, its LSM programs not attached (once; again after dlp_loader_detach())
 *
 * The LSM programs act from here on, system-wide: fill the maps first.
 *
 * Return: 0; or -errno with nothing of this call left attached and l->error
 * naming the program.
 */
int dlp_loader_attach_lsm(struct dlp_loader *l)
{
	return attach_type(l, BPF_PROG_TYPE_LSM, -1);
}

/**
 * dlp_loader_attach_cgroup() - attach the cgroup socket programs to one cgroup
 * @l:         an open loader
 * @cgroup_fd: an open cgroup v2 directory: dlpd gives the root, tests one of their own
 *
 * These judge connects and sends without taint, for kernels without BPF LSM;
 * where the LSM programs are attached too, a connect or send passes both.
 *
 * Return: 0; or -errno with nothing of this call left attached and l->error
 * naming the program.
 */
int dlp_loader_attach_cgroup(struct dlp_loader *l, int cgroup_fd)
{
	if (cgroup_fd < 0) {
		loader_error(l, "no cgroup to attach to");
		return -EBADF;
	}
	return attach_type(l, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, cgroup_fd);
}

/**
 * dlp_loader_detach() - detach every program attached through @l
 * @l: a loader
 *
 * The objects stay loaded and the maps keep their contents; the attach
 * calls may be made again.
 */
void dlp_loader_detach(struct dlp_loader *l)
{
	while (l->nlinks)
		bpf_link__destroy(l->links[--l->nlinks]);
}

/**
 * dlp_loader_destroy() - detach, unload and close everything
 * @l: a loader, open or not (zeroed is fine); left empty, l->error kept
 */
void dlp_loader_destroy(struct dlp_loader *l)
{
	dlp_loader_detach(l);
	net_bpf__destroy(l->net);
	integrity_bpf__destroy(l->integrity);
	write_bpf__destroy(l->write);
	media_bpf__destroy(l->media);
	xattr_bpf__destroy(l->xattr);
	taint_bpf__destroy(l->taint);
	l->net = NULL;
	l->integrity = NULL;
	l->write = NULL;
	l->media = NULL;
	l->xattr = NULL;
	l->taint = NULL;
}
