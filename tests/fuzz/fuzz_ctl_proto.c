// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control protocol's decoder (user/lib/ctl_proto.c),
 * which reads what any local process sends to dlpd: any input must be
 * accepted or refused without a crash, a leak or a read outside it.  What is
 * accepted must survive a round trip: written again attribute by attribute
 * it gives the same bytes, which decode to the same message.  Whatever the
 * input, the error answer dlpd would send must itself decode.  Seeds in
 * tests/fuzz/corpus/ctl_proto/ (made by test_seeds in
 * tests/unit/test_ctl_proto.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char again[DLP_CTL_MSG_MAX];
static unsigned char answer[DLP_CTL_MSG_MAX];

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

/* Write the attributes of @data again, the way they came. */
static void rewrite(struct dlp_ctl_writer *w, const void *data, size_t len, bool top)
{
	struct dlp_ctl_attr a, in;
	size_t off = 0, ioff;

	while (dlp_ctl_attr_next(data, len, &off, &a)) {
		if (top && dlp_ctl_attr_kind(a.type) == DLP_CTL_K_NEST) {
			struct dlp_ctl_device dev;

			/* the struct view reads every member the nest holds */
			dlp_ctl_device_read(&a, &dev);
			CHECK(dev.bus == DLP_CTL_BUS_USB || dev.bus == DLP_CTL_BUS_MMC);
			/* 4, retired, is refused like any state out of range */
			CHECK(dev.state >= DLP_CTL_DEV_REGISTERED &&
			      dev.state <= DLP_CTL_DEV_UNREGISTERED);
			CHECK(!dev.serial || strlen(dev.serial) < 256);
			dlp_ctl_nest_begin(w, a.type);
			ioff = 0;
			while (dlp_ctl_attr_next(a.data, a.len, &ioff, &in))
				dlp_ctl_put_bytes(w, in.type, in.data, in.len);
			dlp_ctl_nest_end(w);
		} else {
			dlp_ctl_put_bytes(w, a.type, a.data, a.len);
		}
	}
}

static void same_message(const struct dlp_ctl_msg *a, const struct dlp_ctl_msg *b)
{
	unsigned int t;

	CHECK(a->version == b->version && a->flags == b->flags && a->command == b->command);
	CHECK(a->id == b->id && a->response == b->response && a->status == b->status);
	CHECK(a->present == b->present && a->nrepeated == b->nrepeated);
	CHECK(a->payload_len == b->payload_len);
	CHECK(!a->message == !b->message);
	CHECK(!a->message || !strcmp(a->message, b->message));
	for (t = 1; t < DLP_CTL_A_COUNT; t++) {
		const struct dlp_ctl_attr *x = &a->attr[t], *y = &b->attr[t];

		CHECK(x->type == y->type && x->len == y->len && x->num == y->num);
		CHECK(!x->len || !memcmp(x->data, y->data, x->len));
		/* a string is a C string of exactly its length */
		if (x->len && dlp_ctl_attr_kind(t) == DLP_CTL_K_STRING)
			CHECK(strlen(x->data) + 1 == x->len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dlp_ctl_msg m, m2, ans;
	struct dlp_ctl_writer w;
	int err, len;

	err = dlp_ctl_decode(data, size, &m);
	if (err) {
		CHECK(err < 0 && -err < DLP_CTL_FAULT_COUNT);
		len = dlp_ctl_encode_error(answer, sizeof(answer), data, size,
					   dlp_ctl_fault_status(err), dlp_ctl_fault_str(err));
		CHECK(len > 0);
		CHECK(dlp_ctl_decode(answer, len, &ans) == 0);
		CHECK(ans.status == (__u32)dlp_ctl_fault_status(err));
		return 0;
	}
	CHECK(m.payload == data + DLP_CTL_HDR_SIZE && m.payload_len == size - DLP_CTL_HDR_SIZE);
	/* a command this version does not define (a retired number included): an error answer */
	CHECK(dlp_ctl_cmd_name(m.command) || (m.response && m.status != DLP_CTL_S_OK));

	dlp_ctl_begin(&w, again, sizeof(again), m.command, m.id, m.flags);
	rewrite(&w, m.payload, m.payload_len, true);
	len = dlp_ctl_finish(&w);
	CHECK(len >= 0 && (size_t)len == size);
	again[4] = m.version;
	CHECK(!memcmp(again, data, size));
	CHECK(dlp_ctl_decode(again, len, &m2) == 0);
	same_message(&m, &m2);
	return 0;
}
