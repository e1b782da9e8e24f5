// SPDX-License-Identifier: GPL-2.0
/*
 * dlpguard.ko: removable block devices are read-only from the moment they
 * attach, unless dlpd allowed the medium (include/dlpguard/kmod.h).
 *
 * Why it holds.  A disk is guarded by the read-only policy flag of its whole
 * device, disk->part0 (bd_read_only before 6.10, BD_READ_ONLY after): the
 * flag BLKROSET sets.  While it is set writes through the disk's and every
 * partition's device files are refused (bdev_read_only() reads part0's flag
 * through get_disk_ro()), a mount is made read-only, and nothing in the
 * kernel clears it but BLKROSET: the SCSI disk driver's revalidation on
 * media change and rescan sets only the disk's own GD_READ_ONLY state
 * (set_disk_ro()), which is why setting that at attach does not stick.  New
 * partitions, after a partition rescan, are covered by part0's flag too.
 * Bios from devices stacked on the disk (dm, md) are not stopped by the
 * flag; a kprobe on submit_bio_noacct() fails them (below).
 *
 * When.  A kprobe on device_add_disk() sets the flag before the disk is
 * added, so before its device node exists or its partitions are scanned:
 * no process can open it writable first.  Disks already attached when the
 * module loads are guarded at load: every registered device's kobject is in
 * devices_kset (device_initialize()), which the module reaches through its
 * own misc device and walks under the kset's list_lock, as device_shutdown()
 * does; block_class, which would be the shorter way, is not exported.
 * BLKROSET by root could clear the flag; the BPF file_ioctl hook refuses it
 * on media.
 *
 * What.  A disk below a USB device (removable=0 too: USB SSDs), below an SD
 * card or a card in a removable MMC slot, or reporting removable media.  An
 * eMMC soldered to the board (an MMC card in a slot the host calls
 * non-removable) is an internal disk, often the system's own.
 *
 * The module keeps a reference to each guarded disk until del_gendisk()
 * (a second kprobe), so that allowing or forgetting a medium can change the
 * flag of disks already attached.
 */
#define pr_fmt(fmt) "dlpguard: " fmt

#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/miscdevice.h>
#include <linux/mmc/card.h>
#include <linux/mmc/host.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/usb.h>
#include <linux/version.h>
#include <linux/wait.h>

#include <dlpguard/kmod.h>

#define DLPGUARD_VERSION "0.1"

/* Events waiting to be read; more are counted as lost. */
#define EVENTS_MAX 64

/* One disk the module guards (or guarded, and was allowed). */
struct guarded {
	struct list_head node;
	struct gendisk *disk;	/* a reference held (get_device) */
	u32 bus;		/* enum dlpguard_bus: what vendor, product, serial are */
	bool removable;
	u16 vendor;
	u16 product;
	char serial[DLPGUARD_SERIAL_MAX + 1];
};

/* One medium dlpd allowed. */
struct allowed {
	struct list_head node;
	u32 bus;
	u16 vendor;
	u16 product;
	char serial[DLPGUARD_SERIAL_MAX + 1];
};

/* Guarded disks: changed from kprobe handlers, which may not sleep. */
static LIST_HEAD(guarded_list);
static DEFINE_SPINLOCK(guarded_lock);

/* Allowed media: read by the handlers too, so also under a spinlock. */
static LIST_HEAD(allowed_list);

/* Ioctls change the lists one at a time. */
static DEFINE_MUTEX(ioctl_mutex);

/*
 * Records held until a reader acknowledges them: ev_count of them from
 * events[ev_head], numbered from ev_seq on.  An open file's position is the
 * number of the next record it reads.
 */
static struct dlpguard_event events[EVENTS_MAX];
static unsigned int ev_head, ev_count, ev_lost;
static u64 ev_seq = 1;
static DEFINE_SPINLOCK(events_lock);
static DECLARE_WAIT_QUEUE_HEAD(events_wait);

static void set_read_only(struct gendisk *disk, bool ro)
{
#if KERNEL_VERSION(6, 10, 0) <= LINUX_VERSION_CODE
	if (ro)
		bdev_set_flag(disk->part0, BD_READ_ONLY);
	else
		bdev_clear_flag(disk->part0, BD_READ_ONLY);
#else
	disk->part0->bd_read_only = ro;
#endif
}

static bool is_read_only(struct gendisk *disk)
{
#if KERNEL_VERSION(6, 10, 0) <= LINUX_VERSION_CODE
	return bdev_test_flag(disk->part0, BD_READ_ONLY);
#else
	return disk->part0->bd_read_only;
#endif
}

/* The SD/MMC card @dev hangs below (a device on the mmc bus), or NULL. */
static struct mmc_card *mmc_ancestor(struct device *dev)
{
	for (; dev; dev = dev->parent)
		if (dev->bus && dev->bus->name && !strcmp(dev->bus->name, "mmc"))
			return container_of(dev, struct mmc_card, dev);
	return NULL;
}

/* An SD card, or any card in a slot the host says is removable: not soldered eMMC. */
static bool removable_card(const struct mmc_card *card)
{
	return mmc_card_sd(card) || mmc_card_is_removable(card->host);
}

/* The USB device @dev hangs below, or NULL. */
static struct usb_device *usb_ancestor(struct device *dev)
{
	for (; dev; dev = dev->parent)
		if (dev->type && dev->type->name && !strcmp(dev->type->name, "usb_device"))
			return to_usb_device(dev);
	return NULL;
}

/* Whether @g is the medium @a names. */
static bool names(const struct allowed *a, const struct guarded *g)
{
	return g->bus != DLPGUARD_BUS_NONE && g->serial[0] && a->bus == g->bus &&
	       a->vendor == g->vendor && a->product == g->product && !strcmp(a->serial, g->serial);
}

static bool allowed_locked(const struct guarded *g)
{
	struct allowed *a;

	list_for_each_entry(a, &allowed_list, node)
		if (names(a, g))
			return true;
	return false;
}

/* Queue an event about @g; called with guarded_lock held or not, never sleeps. */
static void report(const struct guarded *g, u32 type)
{
	struct dlpguard_event *e;
	unsigned long flags;

	spin_lock_irqsave(&events_lock, flags);
	if (ev_count == EVENTS_MAX) {
		ev_lost++;
		spin_unlock_irqrestore(&events_lock, flags);
		return;
	}
	e = &events[(ev_head + ev_count++) % EVENTS_MAX];
	memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	e->type = type;
	e->boot_ns = ktime_get_boottime_ns();
	e->seq = ev_seq + ev_count - 1;
	e->dev = MAJOR(disk_devt(g->disk)) << 20 | MINOR(disk_devt(g->disk));
	e->flags = (is_read_only(g->disk) ? DLPGUARD_EVF_READ_ONLY : 0) |
		   (g->removable ? DLPGUARD_EVF_REMOVABLE : 0);
	e->lost = ev_lost;
	ev_lost = 0;
	e->bus = g->bus;
	e->vendor = g->vendor;
	e->product = g->product;
	strscpy(e->name, g->disk->disk_name, sizeof(e->name));
	strscpy(e->serial, g->serial, sizeof(e->serial));
	spin_unlock_irqrestore(&events_lock, flags);
	wake_up_interruptible(&events_wait);
}

/*
 * Guard @disk, about to be added below @parent, if it is removable media.
 * Atomic context (a kprobe handler, or under guarded_lock's caller): no
 * sleeping allocation.
 */
static void guard_disk(struct device *parent, struct gendisk *disk)
{
	struct usb_device *udev = usb_ancestor(parent);
	struct mmc_card *card = udev ? NULL : mmc_ancestor(parent);
	bool removable = disk->flags & GENHD_FL_REMOVABLE;
	struct guarded *g;
	unsigned long flags;

	if (card && !removable_card(card))
		card = NULL;
	if (!udev && !card && !removable)
		return; /* an internal disk: never touched */
	set_read_only(disk, true); /* first: whatever happens next, it is guarded */
	g = kzalloc(sizeof(*g), GFP_ATOMIC);
	if (!g) {
		pr_warn_ratelimited("%s: read-only, but not tracked (no memory): it cannot be allowed\n",
				    disk->disk_name);
		return;
	}
	get_device(disk_to_dev(disk));
	g->disk = disk;
	g->removable = removable;
	if (udev) {
		g->bus = DLPGUARD_BUS_USB;
		g->vendor = le16_to_cpu(udev->descriptor.idVendor);
		g->product = le16_to_cpu(udev->descriptor.idProduct);
		if (udev->serial)
			strscpy(g->serial, udev->serial, sizeof(g->serial));
	} else if (card) {
		g->bus = DLPGUARD_BUS_MMC;
		g->vendor = card->cid.manfid; /* 8 bits on SD, 8 or 16 on MMC */
		g->product = card->cid.oemid;
		snprintf(g->serial, sizeof(g->serial), "0x%08x", card->cid.serial);
	}
	spin_lock_irqsave(&guarded_lock, flags);
	if (allowed_locked(g))
		set_read_only(disk, false);
	list_add_tail(&g->node, &guarded_list);
	spin_unlock_irqrestore(&guarded_lock, flags);
	pr_info_ratelimited("%s: %s (%04x:%04x %s)\n", disk->disk_name,
			    is_read_only(disk) ? "read-only" : "allowed", g->vendor, g->product,
			    g->serial[0] ? g->serial : "no serial");
	report(g, DLPGUARD_EV_ATTACH);
}

/* device_add_disk(parent, disk, groups): before the disk is added. */
static int add_disk_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct device *parent = (struct device *)regs_get_kernel_argument(regs, 0);
	struct gendisk *disk = (struct gendisk *)regs_get_kernel_argument(regs, 1);

	if (disk && disk->part0)
		guard_disk(parent, disk);
	return 0;
}

/* del_gendisk(disk): the disk goes; its reference with it. */
static int del_disk_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct gendisk *disk = (struct gendisk *)regs_get_kernel_argument(regs, 0);
	struct guarded *g, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&guarded_lock, flags);
	list_for_each_entry(g, &guarded_list, node)
		if (g->disk == disk) {
			list_del(&g->node);
			found = g;
			break;
		}
	spin_unlock_irqrestore(&guarded_lock, flags);
	if (!found)
		return 0;
	report(found, DLPGUARD_EV_DETACH);
	put_device(disk_to_dev(found->disk));
	kfree(found);
	return 0;
}

static struct kprobe add_disk_probe = {
	.symbol_name = "device_add_disk",
	.pre_handler = add_disk_pre,
};

static struct kprobe del_disk_probe = {
	.symbol_name = "del_gendisk",
	.pre_handler = del_disk_pre,
};

/* Whether the module guards @disk. */
static bool tracked(struct gendisk *disk)
{
	struct guarded *g;
	bool found = false;
	unsigned long flags;

	spin_lock_irqsave(&guarded_lock, flags);
	list_for_each_entry(g, &guarded_list, node)
		found |= g->disk == disk;
	spin_unlock_irqrestore(&guarded_lock, flags);
	return found;
}

/* ---- writes from stacked devices ----------------------------------------------------- */

/*
 * The read-only flag stops writes through a disk's own device files and
 * mounts, but the block layer only warns about a bio that writes to a
 * read-only disk (bio_check_ro(): "Trying to write to read-only
 * block-device") and lets it through.  Such bios come from devices stacked
 * on the disk: device-mapper (dm-crypt, a LUKS stick unlocked through
 * udisks), md.  Every bio passes submit_bio_noacct(); a kprobe there ends a
 * write to a guarded disk that is read-only with an I/O error and returns
 * to the caller without running the function, as the kernel's own fault
 * injection does (override_function_with_return()): the handler points the
 * instruction pointer at an empty function, whose return goes back to
 * submit_bio_noacct()'s caller.
 */
static bool refused_write(struct bio *bio)
{
	struct gendisk *disk;

	if (!bio || !bio->bi_bdev || !op_is_write(bio_op(bio)) ||
	    (op_is_flush(bio->bi_opf) && !bio_sectors(bio)))
		return false;
	disk = bio->bi_bdev->bd_disk;
	return disk && is_read_only(disk) && tracked(disk);
}

/* Where a refused submit_bio_noacct() continues: straight back to its caller. */
static noinline void refused_bio_return(void)
{
}

/* submit_bio_noacct(bio): before the bio is checked and queued. */
static int submit_bio_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct bio *bio = (struct bio *)regs_get_kernel_argument(regs, 0);

	if (!refused_write(bio))
		return 0;
	pr_warn_ratelimited("%pg: a write from a device stacked on it refused\n", bio->bi_bdev);
	bio_io_error(bio);
	instruction_pointer_set(regs, (unsigned long)refused_bio_return);
	return 1; /* the instruction pointer changed */
}

static struct kprobe submit_bio_probe = {
	.symbol_name = "submit_bio_noacct",
	.pre_handler = submit_bio_pre,
};

/* ---- disks already attached at load ---------------------------------------------------- */

static bool is_disk(struct device *dev)
{
	return dev->class && dev->class->name && !strcmp(dev->class->name, "block") &&
	       dev->type && dev->type->name && !strcmp(dev->type->name, "disk");
}

/*
 * Guard the disks attached before the module loaded.  Atomic (under the
 * kset's spinlock), which guard_disk() allows.  A disk being added now was
 * seen by the kprobe already (tracked); one being deleted now may be
 * tracked after del_gendisk() passed the probe: it keeps a reference until
 * unload, and is harmless.
 */
static void guard_attached(struct kset *devices)
{
	struct kobject *k;
	struct device *dev;

	spin_lock(&devices->list_lock);
	list_for_each_entry(k, &devices->list, entry) {
		dev = kobj_to_dev(k);
		if (is_disk(dev) && !tracked(dev_to_disk(dev)))
			guard_disk(dev->parent, dev_to_disk(dev));
	}
	spin_unlock(&devices->list_lock);
}

/* ---- /dev/dlpguard --------------------------------------------------------------------- */

/* Lift or set the read-only flag of attached disks that @a names. */
static void apply_to_attached(const struct allowed *a, bool allowed)
{
	struct guarded *g;
	unsigned long flags;

	spin_lock_irqsave(&guarded_lock, flags);
	list_for_each_entry(g, &guarded_list, node) {
		if (!names(a, g))
			continue;
		/* forgetting one of two identical entries leaves it allowed */
		if (!allowed && allowed_locked(g))
			continue;
		if (is_read_only(g->disk) != !allowed) {
			set_read_only(g->disk, !allowed);
			report(g, allowed ? DLPGUARD_EV_RELEASED : DLPGUARD_EV_GUARDED);
		}
	}
	spin_unlock_irqrestore(&guarded_lock, flags);
}

/* An argument whose first member is its size, @size here: -EFAULT, or -EINVAL for another. */
static int copy_arg(void *dst, void __user *arg, u32 size)
{
	u32 got;

	if (get_user(got, (u32 __user *)arg))
		return -EFAULT;
	if (got != size)
		return -EINVAL;
	return copy_from_user(dst, arg, size) ? -EFAULT : 0;
}

static int read_medium(void __user *arg, struct allowed *a)
{
	struct dlpguard_medium m;
	size_t n;
	int err;

	err = copy_arg(&m, arg, sizeof(m));
	if (err)
		return err;
	n = strnlen(m.serial, sizeof(m.serial));
	if ((m.bus != DLPGUARD_BUS_USB && m.bus != DLPGUARD_BUS_MMC) || m.pad || !n ||
	    n == sizeof(m.serial))
		return -EINVAL;
	a->bus = m.bus;
	a->vendor = m.vendor;
	a->product = m.product;
	memcpy(a->serial, m.serial, n + 1);
	return 0;
}

static long do_allow(void __user *arg)
{
	struct allowed *a = kzalloc(sizeof(*a), GFP_KERNEL);
	unsigned long flags;
	int err;

	if (!a)
		return -ENOMEM;
	err = read_medium(arg, a);
	if (err) {
		kfree(a);
		return err;
	}
	spin_lock_irqsave(&guarded_lock, flags);
	list_add_tail(&a->node, &allowed_list);
	spin_unlock_irqrestore(&guarded_lock, flags);
	apply_to_attached(a, true);
	return 0;
}

static long do_forget(void __user *arg)
{
	struct allowed m, *a, *found = NULL;
	unsigned long flags;
	int err;

	err = read_medium(arg, &m);
	if (err)
		return err;
	spin_lock_irqsave(&guarded_lock, flags);
	list_for_each_entry(a, &allowed_list, node)
		if (a->bus == m.bus && a->vendor == m.vendor && a->product == m.product &&
		    !strcmp(a->serial, m.serial)) {
			list_del(&a->node);
			found = a;
			break;
		}
	spin_unlock_irqrestore(&guarded_lock, flags);
	if (!found)
		return -ENOENT;
	apply_to_attached(found, false);
	kfree(found);
	return 0;
}

static void forget_all(void)
{
	struct allowed *a;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&guarded_lock, flags);
		a = list_first_entry_or_null(&allowed_list, struct allowed, node);
		if (a)
			list_del(&a->node);
		spin_unlock_irqrestore(&guarded_lock, flags);
		if (!a)
			return;
		apply_to_attached(a, false);
		kfree(a);
	}
}

static long do_version(void __user *arg)
{
	struct dlpguard_version v;
	int err;

	err = copy_arg(&v, arg, sizeof(v));
	if (err)
		return err;
	v.abi = DLPGUARD_KMOD_ABI;
	strscpy_pad(v.version, DLPGUARD_VERSION, sizeof(v.version));
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* Drop the records up to one @file read. */
static long do_ack(struct file *file, void __user *arg)
{
	struct dlpguard_ack a;
	unsigned long flags;
	unsigned int n;
	int err;

	err = copy_arg(&a, arg, sizeof(a));
	if (err)
		return err;
	if (a.pad || !a.seq || a.seq >= (u64)READ_ONCE(file->f_pos))
		return -EINVAL;
	spin_lock_irqsave(&events_lock, flags);
	/* this file read it, so it is held or dropped: ev_seq + ev_count never falls */
	if (a.seq >= ev_seq) {
		n = min_t(u64, a.seq - ev_seq + 1, ev_count);
		ev_head = (ev_head + n) % EVENTS_MAX;
		ev_count -= n;
		ev_seq += n;
	}
	spin_unlock_irqrestore(&events_lock, flags);
	return 0;
}

static long dlpguard_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	long ret;

	mutex_lock(&ioctl_mutex);
	switch (cmd) {
	case DLPGUARD_IOC_VERSION:
		ret = do_version(uarg);
		break;
	case DLPGUARD_IOC_ALLOW:
		ret = do_allow(uarg);
		break;
	case DLPGUARD_IOC_FORGET:
		ret = do_forget(uarg);
		break;
	case DLPGUARD_IOC_CLEAR:
		forget_all();
		ret = 0;
		break;
	case DLPGUARD_IOC_ACK:
		ret = do_ack(file, uarg);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&ioctl_mutex);
	return ret;
}

/* The number of the next record one at position @pos reads: the oldest held, or a later one. */
static u64 next_seq(loff_t pos)
{
	return max_t(u64, pos, ev_seq);
}

/* A record waits for a reader at position @pos (a hint: the lock is not taken). */
static bool waiting(loff_t pos)
{
	u64 first = READ_ONCE(ev_seq);

	return max_t(u64, pos, first) < first + READ_ONCE(ev_count);
}

static ssize_t dlpguard_read(struct file *file, char __user *buf, size_t len, loff_t *off)
{
	struct dlpguard_event e;
	unsigned long flags;
	u64 seq;
	int err;

	if (len < sizeof(e))
		return -EINVAL;
	for (;;) {
		spin_lock_irqsave(&events_lock, flags);
		seq = next_seq(*off);
		if (seq < ev_seq + ev_count) {
			e = events[(ev_head + (unsigned int)(seq - ev_seq)) % EVENTS_MAX];
			spin_unlock_irqrestore(&events_lock, flags);
			break;
		}
		spin_unlock_irqrestore(&events_lock, flags);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(events_wait, waiting(*off));
		if (err)
			return err;
	}
	if (copy_to_user(buf, &e, sizeof(e)))
		return -EFAULT;
	*off = seq + 1;
	return sizeof(e);
}

static __poll_t dlpguard_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &events_wait, wait);
	return waiting(READ_ONCE(file->f_pos)) ? EPOLLIN | EPOLLRDNORM : 0;
}

static int dlpguard_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static const struct file_operations dlpguard_fops = {
	.owner = THIS_MODULE,
	.open = dlpguard_open,
	.read = dlpguard_read,
	.poll = dlpguard_poll,
	.unlocked_ioctl = dlpguard_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice dlpguard_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "dlpguard",
	.fops = &dlpguard_fops,
	.mode = 0600,
};

/* ---- load and unload ------------------------------------------------------------------- */

/* Drop every allowed medium, leaving each disk's flag as it is. */
static void free_allowed(void)
{
	struct allowed *a, *next;

	list_for_each_entry_safe(a, next, &allowed_list, node) {
		list_del(&a->node);
		kfree(a);
	}
}

static void untrack_all(void)
{
	struct guarded *g;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&guarded_lock, flags);
		g = list_first_entry_or_null(&guarded_list, struct guarded, node);
		if (g)
			list_del(&g->node);
		spin_unlock_irqrestore(&guarded_lock, flags);
		if (!g)
			return;
		put_device(disk_to_dev(g->disk));
		kfree(g);
	}
}

static int __init dlpguard_init(void)
{
	int err;

	err = register_kprobe(&del_disk_probe);
	if (err) {
		pr_err("cannot watch del_gendisk: %d\n", err);
		return err;
	}
	err = register_kprobe(&add_disk_probe);
	if (err) {
		pr_err("cannot watch device_add_disk: %d\n", err);
		goto out_del;
	}
	err = register_kprobe(&submit_bio_probe);
	if (err) {
		pr_err("cannot watch submit_bio_noacct: %d\n", err);
		goto out_add;
	}
	err = misc_register(&dlpguard_misc);
	if (err)
		goto out_fail;
	guard_attached(dlpguard_misc.this_device->kobj.kset);
	pr_info("guarding removable disks (version %s)\n", DLPGUARD_VERSION);
	return 0;

out_fail:
	unregister_kprobe(&submit_bio_probe);
out_add:
	unregister_kprobe(&add_disk_probe);
out_del:
	unregister_kprobe(&del_disk_probe);
	return err;
}

/*
 * Guarded disks stay read-only: unloading fails closed (but for writes
 * from stacked devices, which only the module refuses).  The probes go
 * first (unregister_kprobe() waits for running handlers), then the device,
 * so that neither a handler nor an ioctl runs while the lists are emptied.
 */
static void __exit dlpguard_exit(void)
{
	unregister_kprobe(&add_disk_probe);
	unregister_kprobe(&del_disk_probe);
	unregister_kprobe(&submit_bio_probe);
	misc_deregister(&dlpguard_misc);
	free_allowed();
	untrack_all();
	pr_info("unloaded; guarded disks stay read-only\n");
}

module_init(dlpguard_init);
module_exit(dlpguard_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dlpguard: removable block devices read-only from attach unless allowed");
MODULE_VERSION(DLPGUARD_VERSION);
MODULE_AUTHOR("dlpguard");
