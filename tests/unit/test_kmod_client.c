// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/kmod_client.c, the module's device answered by
 * the test (-Wl,--wrap of open, ioctl, read and close; WRAP_test_kmod_client
 * in the Makefile): no module, or one of another ABI, is not used; the first
 * sync clears the module's list, then allows exactly the USB entries with
 * access rw still valid; a later sync forgets what went and allows what
 * came, touching nothing that stays; a failed ioctl makes the next sync
 * start over.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "kmod_client.h"

#define FD 77

static bool present = true;
static __u32 abi = DLPGUARD_KMOD_ABI;
static char log_[4096]; /* the calls, "clear;allow S1;forget S2;" */
static int fail_ioctl;	/* fail the nth ioctl after setup with EIO; 0: none */
static int nioctl;

int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...)
{
	if (strcmp(path, DLPGUARD_DEVICE))
		return __real_open(path, flags, 0);
	if (!present) {
		errno = ENOENT;
		return -1;
	}
	return FD;
}

int __real_close(int fd);
int __wrap_close(int fd)
{
	return fd == FD ? 0 : __real_close(fd);
}

int __wrap_ioctl(int fd, unsigned long cmd, ...)
{
	struct dlpguard_version *v;
	struct dlpguard_medium *m;
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	assert_int_equal(fd, FD);
	if (fail_ioctl && ++nioctl == fail_ioctl) {
		errno = EIO;
		return -1;
	}
	switch (cmd) {
	case DLPGUARD_IOC_VERSION:
		v = arg;
		assert_int_equal(v->size, sizeof(*v));
		v->abi = abi;
		strcpy(v->version, "0.1");
		return 0;
	case DLPGUARD_IOC_CLEAR:
		strcat(log_, "clear;");
		return 0;
	case DLPGUARD_IOC_ACK:
		assert_int_equal(((struct dlpguard_ack *)arg)->size, sizeof(struct dlpguard_ack));
		assert_int_equal(((struct dlpguard_ack *)arg)->pad, 0);
		snprintf(log_ + strlen(log_), sizeof(log_) - strlen(log_), "ack %llu;",
			 (unsigned long long)((struct dlpguard_ack *)arg)->seq);
		return 0;
	case DLPGUARD_IOC_ALLOW:
	case DLPGUARD_IOC_FORGET:
		m = arg;
		assert_int_equal(m->size, sizeof(*m));
		assert_int_equal(m->vendor, 0x46f4);
		assert_int_equal(m->pad, 0);
		snprintf(log_ + strlen(log_), sizeof(log_) - strlen(log_), "%s %s%s;",
			 cmd == DLPGUARD_IOC_ALLOW ? "allow" : "forget",
			 m->bus == DLPGUARD_BUS_MMC ? "mmc " :
			 m->bus == DLPGUARD_BUS_USB ? "" :
						      "BAD-BUS ",
			 m->serial);
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

static const char head[] = "mode enforce\ntier lgwan\ndefault allow\nmedia unregistered deny\n";

static void compile(struct dlp_policy *pol, const char *ledger)
{
	char src[4096];
	struct dlp_diag diag;

	snprintf(src, sizeof(src), "%s%s", head, ledger);
	dlp_policy_free(pol);
	dlp_policy_init(pol);
	dlp_diag_init(&diag, "t.policy", stderr);
	assert_int_equal(dlp_policy_load_buffer(pol, src, strlen(src), &diag), 0);
}

#define ENTRY(regno, bus, serial, access, until)                                               \
	"media " regno " bus " bus " id 46f4:0001 serial " serial " section 課 access " access \
	" until " until "\n"

/* 2026-11-26 12:00 JST */
#define NOW ((time_t)1795662000)

static void test_open(void **state)
{
	struct dlp_kmod k = { .fd = -1 };

	(void)state;
	present = false;
	assert_int_equal(dlp_kmod_open(&k), -ENOENT);
	assert_int_equal(k.fd, -1);
	present = true;
	abi = DLPGUARD_KMOD_ABI + 1;
	assert_int_equal(dlp_kmod_open(&k), -EPROTO);
	assert_int_equal(k.fd, -1);
	abi = DLPGUARD_KMOD_ABI;
	assert_int_equal(dlp_kmod_open(&k), 0);
	assert_int_equal(k.fd, FD);
	assert_string_equal(k.version, "0.1");
	dlp_kmod_close(&k);
	assert_int_equal(k.fd, -1);
}

static void test_sync(void **state)
{
	struct dlp_kmod k = { .fd = -1 };
	struct dlp_policy pol;
	unsigned int changes = 99;

	(void)state;
	dlp_policy_init(&pol);
	assert_int_equal(dlp_kmod_open(&k), 0);
	compile(&pol, ENTRY("A-1", "usb", "S1", "rw", "2027-03-31") ENTRY("A-2", "usb", "S2", "ro",
									  "2027-03-31")
			      ENTRY("A-3", "mmc", "S3", "rw", "2027-03-31")
				      ENTRY("A-4", "usb", "S4", "rw", "2026-11-25")
					      ENTRY("A-5", "usb", "S5", "rw", "2026-11-26"));
	/* first: clear, then the rw entries still valid (S5's last day is today) */
	log_[0] = '\0';
	assert_int_equal(dlp_kmod_sync(&k, &pol, NOW, &changes), 0);
	assert_string_equal(log_, "clear;allow S1;allow mmc S3;allow S5;");
	assert_int_equal(changes, 3);
	assert_int_equal(k.nallowed, 3);
	/* S5's day ends at midnight JST, twelve hours on: a sync is due then */
	assert_int_equal(k.next_sync, NOW + 12 * 3600);
	assert_false(dlp_kmod_due(&k, NOW));
	assert_false(dlp_kmod_due(&k, NOW + 12 * 3600 - 1));
	assert_true(dlp_kmod_due(&k, NOW + 12 * 3600));

	/* the same policy again: nothing to do */
	log_[0] = '\0';
	assert_int_equal(dlp_kmod_sync(&k, &pol, NOW, &changes), 0);
	assert_string_equal(log_, "");
	assert_int_equal(changes, 0);

	/* S1 goes, S6 comes, S5 stays: never read-only in between */
	compile(&pol, ENTRY("A-5", "usb", "S5", "rw", "2026-11-26")
			      ENTRY("A-6", "usb", "S6", "rw", "2027-03-31"));
	log_[0] = '\0';
	assert_int_equal(dlp_kmod_sync(&k, &pol, NOW, &changes), 0);
	assert_string_equal(log_, "forget S1;forget mmc S3;allow S6;");
	assert_int_equal(changes, 3);

	/* the same serial on the other bus is another medium */
	compile(&pol, ENTRY("A-5", "usb", "S5", "rw", "2026-11-26")
			      ENTRY("A-6", "mmc", "S6", "rw", "2027-03-31"));
	log_[0] = '\0';
	assert_int_equal(dlp_kmod_sync(&k, &pol, NOW, &changes), 0);
	assert_string_equal(log_, "forget S6;allow mmc S6;");

	/* a day later S5 has expired */
	log_[0] = '\0';
	assert_int_equal(dlp_kmod_sync(&k, &pol, NOW + 86400, &changes), 0);
	assert_string_equal(log_, "forget S5;");

	/* a failure: reported, and the next sync starts over from a clear list */
	compile(&pol, ENTRY("A-7", "usb", "S7", "rw", "2027-03-31"));
	log_[0] = '\0';
	nioctl = 0;
	fail_ioctl = 2;
	assert_int_equal(dlp_kmod_sync(&k, &pol, NOW, &changes), -EIO);
	fail_ioctl = 0;
	/* tried again a minute later */
	assert_false(dlp_kmod_due(&k, NOW + 59));
	assert_true(dlp_kmod_due(&k, NOW + 60));
	log_[0] = '\0';
	assert_int_equal(dlp_kmod_sync(&k, &pol, NOW, &changes), 0);
	assert_string_equal(log_, "clear;allow S7;");

	/* nothing allowed: no sync is ever due */
	compile(&pol, ENTRY("A-8", "usb", "S8", "ro", "2027-03-31"));
	assert_int_equal(dlp_kmod_sync(&k, &pol, NOW, &changes), 0);
	assert_int_equal(k.next_sync, 0);
	assert_false(dlp_kmod_due(&k, NOW + 365 * 86400));

	dlp_kmod_close(&k);
	assert_false(dlp_kmod_due(&k, NOW + 365 * 86400));
	assert_int_equal(dlp_kmod_sync(&k, &pol, NOW, &changes), -EBADF);
	dlp_policy_free(&pol);
}

/* An event kept is acknowledged by its number; a refusal is passed back. */
static void test_ack(void **state)
{
	struct dlp_kmod k = { .fd = -1 };

	(void)state;
	present = true;
	abi = DLPGUARD_KMOD_ABI;
	assert_int_equal(dlp_kmod_open(&k), 0);
	log_[0] = '\0';
	assert_int_equal(dlp_kmod_ack(&k, 7), 0);
	assert_int_equal(dlp_kmod_ack(&k, 1ULL << 40), 0);
	assert_string_equal(log_, "ack 7;ack 1099511627776;");
	nioctl = 0;
	fail_ioctl = 1;
	assert_int_equal(dlp_kmod_ack(&k, 8), -EIO);
	fail_ioctl = 0;
	dlp_kmod_close(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_sync),
		cmocka_unit_test(test_ack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
