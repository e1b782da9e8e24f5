// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol between dlpctl and dlpd: messages, the decoder that
 * judges them, the peer check and the socket.  The wire format is described
 * in ctl_proto.h.  Anything a client sends is hostile until dlp_ctl_decode()
 * has accepted it, and the decoder reads nothing outside the buffer it is
 * given, whatever the lengths inside say.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <dlpguard/abi.h>

#include "ctl_proto.h"
#include "utf8.h"

/* ------------------------------------------------------------------------ */
/* What each attribute is, and where it may appear                          */
/* ------------------------------------------------------------------------ */

/* Checks on a string's content beyond UTF-8. */
enum str_form {
	FORM_ANY,
	FORM_DATE,    /* YYYY-MM-DD, a real calendar day */
	FORM_ABSPATH, /* starts with '/' */
};

struct attr_spec {
	const char *name;
	enum dlp_ctl_kind kind;
	__u32 min; /* strings and bytes: value length; numbers: value */
	__u32 max;
	enum str_form form;
};

/* Strings: lengths count the final NUL, so "at least one character" is min 2. */
static const struct attr_spec attr_specs[DLP_CTL_A_COUNT] = {
	[DLP_CTL_A_STATUS] = { "status", DLP_CTL_K_U32, 0, DLP_CTL_S_COUNT - 1, FORM_ANY },
	[DLP_CTL_A_MESSAGE] = { "message", DLP_CTL_K_STRING, 1, 1024, FORM_ANY },
	[DLP_CTL_A_VERSION_MAX] = { "version_max", DLP_CTL_K_U8, 1, 255, FORM_ANY },
	[DLP_CTL_A_POLICY_NAME] = { "policy_name", DLP_CTL_K_STRING, 2, PATH_MAX, FORM_ANY },
	[DLP_CTL_A_POLICY_TEXT] = { "policy_text", DLP_CTL_K_BYTES, 0, 0xffff, FORM_ANY },
	[DLP_CTL_A_POLICY_SHA256] = { "policy_sha256", DLP_CTL_K_BYTES, 32, 32, FORM_ANY },
	[DLP_CTL_A_MODE] = { "mode", DLP_CTL_K_U8, DLP_MODE_ENFORCE, DLP_MODE_MONITOR, FORM_ANY },
	[DLP_CTL_A_TIER] = { "tier", DLP_CTL_K_STRING, 2, 32, FORM_ANY },
	[DLP_CTL_A_BUS] = { "bus", DLP_CTL_K_U8, DLP_CTL_BUS_USB, DLP_CTL_BUS_MMC, FORM_ANY },
	[DLP_CTL_A_VENDOR] = { "vendor", DLP_CTL_K_U16, 0, 0xffff, FORM_ANY },
	[DLP_CTL_A_PRODUCT] = { "product", DLP_CTL_K_U16, 0, 0xffff, FORM_ANY },
	[DLP_CTL_A_SERIAL] = { "serial", DLP_CTL_K_STRING, 2, 256, FORM_ANY },
	[DLP_CTL_A_REGNO] = { "regno", DLP_CTL_K_STRING, 2, 65, FORM_ANY },
	[DLP_CTL_A_SECTION] = { "section", DLP_CTL_K_STRING, 2, 257, FORM_ANY },
	[DLP_CTL_A_ACCESS] = { "access", DLP_CTL_K_U8, DLP_CTL_ACCESS_RO, DLP_CTL_ACCESS_RW,
			       FORM_ANY },
	[DLP_CTL_A_UNTIL] = { "until", DLP_CTL_K_STRING, 11, 11, FORM_DATE },
	[DLP_CTL_A_PATH] = { "path", DLP_CTL_K_STRING, 2, PATH_MAX, FORM_ABSPATH },
	[DLP_CTL_A_CLASS] = { "class", DLP_CTL_K_U8, DLP_CLASS_NONE, DLP_CLASS_MAX, FORM_ANY },
	[DLP_CTL_A_INTEGRITY] = { "integrity", DLP_CTL_K_U8, DLP_INTEG_NONE, DLP_INTEG_MAX,
				  FORM_ANY },
	[DLP_CTL_A_DEVICE] = { "device", DLP_CTL_K_NEST, 0, 0xffff, FORM_ANY },
	/* 4, retired, is out of range */
	[DLP_CTL_A_STATE] = { "state", DLP_CTL_K_U8, DLP_CTL_DEV_REGISTERED,
			      DLP_CTL_DEV_UNREGISTERED, FORM_ANY },
	[DLP_CTL_A_DEVNAME] = { "devname", DLP_CTL_K_STRING, 2, 65, FORM_ANY },
	[DLP_CTL_A_START] = { "start", DLP_CTL_K_U32, 0, UINT32_MAX, FORM_ANY },
	[DLP_CTL_A_LIMIT] = { "limit", DLP_CTL_K_U32, 1, DLP_CTL_LIMIT_MAX, FORM_ANY },
	[DLP_CTL_A_TOTAL] = { "total", DLP_CTL_K_U32, 0, UINT32_MAX, FORM_ANY },
	[DLP_CTL_A_LINE] = { "line", DLP_CTL_K_STRING, 1, 8193, FORM_ANY },
	[DLP_CTL_A_REASON] = { "reason", DLP_CTL_K_STRING, 2, 1025, FORM_ANY },
	/* 64-bit values are counters and times: every value is valid */
	[DLP_CTL_A_LOADED_AT] = { "loaded_at", DLP_CTL_K_U64, 0, 0, FORM_ANY },
	[DLP_CTL_A_DECISIONS] = { "decisions", DLP_CTL_K_U64, 0, 0, FORM_ANY },
	[DLP_CTL_A_DROPPED] = { "dropped", DLP_CTL_K_U64, 0, 0, FORM_ANY },
	[DLP_CTL_A_LSM] = { "lsm", DLP_CTL_K_U8, 0, 1, FORM_ANY },
	[DLP_CTL_A_GENERATION] = { "generation", DLP_CTL_K_U32, 0, UINT32_MAX, FORM_ANY },
};

_Static_assert(DLP_CTL_A_COUNT <= 64, "attribute types are bits of a __u64 (present)");

/* Where an attribute may appear.  0 (NO) is the default of every table. */
enum rule {
	NO,
	OPT, /* at most once */
	REQ, /* exactly once (in a response: when STATUS is OK) */
	REP, /* any number of times */
};

struct cmd_spec {
	const char *name;
	__u8 flags; /* flags a request and its response may carry besides RESPONSE */
	unsigned char req[DLP_CTL_A_COUNT];  /* enum rule, by attribute type */
	unsigned char resp[DLP_CTL_A_COUNT]; /* besides STATUS, MESSAGE and VERSION_MAX */
};

/*
 * Indexed by command.  An entry without a name is no command: 0, and the
 * retired numbers 5, 6 and 9 (ctl_proto.h), refused as unknown.
 */
static const struct cmd_spec cmd_specs[DLP_CTL_CMD_COUNT] = {
	[DLP_CTL_CMD_STATUS] = {
		.name = "status",
		.resp = {
			[DLP_CTL_A_MODE] = REQ, [DLP_CTL_A_TIER] = REQ,
			[DLP_CTL_A_POLICY_NAME] = REQ, [DLP_CTL_A_POLICY_SHA256] = REQ,
			[DLP_CTL_A_LOADED_AT] = REQ, [DLP_CTL_A_DECISIONS] = REQ,
			[DLP_CTL_A_DROPPED] = REQ, [DLP_CTL_A_LSM] = REQ,
			[DLP_CTL_A_GENERATION] = OPT,
		},
	},
	[DLP_CTL_CMD_POLICY_APPLY] = {
		.name = "policy-apply",
		.flags = DLP_CTL_FLAG_DRY_RUN,
		.req = {
			[DLP_CTL_A_POLICY_NAME] = REQ, [DLP_CTL_A_POLICY_TEXT] = REQ,
			/* the policy in force it was made from: refused (BUSY) if no longer */
			[DLP_CTL_A_POLICY_SHA256] = OPT, [DLP_CTL_A_REASON] = OPT,
		},
		/* LINE: the compiler's diagnostics, on failure as on success (warnings) */
		.resp = {
			[DLP_CTL_A_POLICY_SHA256] = REQ, [DLP_CTL_A_LINE] = REP,
			[DLP_CTL_A_GENERATION] = OPT, /* absent after a dry run */
		},
	},
	[DLP_CTL_CMD_POLICY_SHOW] = {
		.name = "policy-show",
		.resp = {
			[DLP_CTL_A_POLICY_NAME] = REQ, [DLP_CTL_A_POLICY_TEXT] = REQ,
			[DLP_CTL_A_POLICY_SHA256] = REQ, [DLP_CTL_A_LOADED_AT] = REQ,
			[DLP_CTL_A_GENERATION] = OPT,
		},
	},
	[DLP_CTL_CMD_DEVICE_LIST] = {
		.name = "device-list",
		.req = { [DLP_CTL_A_START] = OPT, [DLP_CTL_A_LIMIT] = OPT },
		.resp = { [DLP_CTL_A_TOTAL] = REQ, [DLP_CTL_A_DEVICE] = REP },
	},
	[DLP_CTL_CMD_LABEL_SET] = {
		.name = "label-set",
		.req = {
			[DLP_CTL_A_PATH] = REQ, [DLP_CTL_A_CLASS] = REQ,
			[DLP_CTL_A_INTEGRITY] = REQ, [DLP_CTL_A_REASON] = OPT,
		},
		/* LINE: the compiler's messages when the policy cannot be applied again */
		.resp = { [DLP_CTL_A_LINE] = REP, [DLP_CTL_A_GENERATION] = OPT },
	},
	[DLP_CTL_CMD_LABEL_SHOW] = {
		.name = "label-show",
		.req = { [DLP_CTL_A_PATH] = REQ },
		/* LINE: where the label comes from (directory, prefix, attribute) */
		.resp = {
			[DLP_CTL_A_PATH] = REQ, [DLP_CTL_A_CLASS] = REQ,
			[DLP_CTL_A_INTEGRITY] = REQ, [DLP_CTL_A_LINE] = REP,
		},
	},
	[DLP_CTL_CMD_RELOAD] = {
		.name = "reload",
		.resp = {
			[DLP_CTL_A_POLICY_NAME] = REQ, [DLP_CTL_A_POLICY_SHA256] = REQ,
			[DLP_CTL_A_LINE] = REP, [DLP_CTL_A_GENERATION] = OPT,
		},
	},
};

/* What every response carries, whatever its command. */
static const unsigned char resp_common[DLP_CTL_A_COUNT] = {
	[DLP_CTL_A_STATUS] = REQ,
	[DLP_CTL_A_MESSAGE] = REQ,
	[DLP_CTL_A_VERSION_MAX] = OPT,
};

/* Inside a DEVICE nest: no nest, so nests do not nest. */
static const unsigned char device_rules[DLP_CTL_A_COUNT] = {
	[DLP_CTL_A_BUS] = REQ,	 [DLP_CTL_A_VENDOR] = REQ,  [DLP_CTL_A_PRODUCT] = REQ,
	[DLP_CTL_A_STATE] = REQ, [DLP_CTL_A_SERIAL] = OPT,  [DLP_CTL_A_DEVNAME] = OPT,
	[DLP_CTL_A_REGNO] = OPT, [DLP_CTL_A_SECTION] = OPT, [DLP_CTL_A_ACCESS] = OPT,
	[DLP_CTL_A_UNTIL] = OPT,
};

static const char *const fault_strs[DLP_CTL_FAULT_COUNT] = {
	[DLP_CTL_FAULT_SHORT] = "message shorter than its header",
	[DLP_CTL_FAULT_MAGIC] = "not a dlpguard control message (bad magic)",
	[DLP_CTL_FAULT_VERSION] = "unsupported protocol version",
	[DLP_CTL_FAULT_TOO_LARGE] = "message larger than 64 KiB",
	[DLP_CTL_FAULT_LENGTH] = "payload length does not match the message size",
	[DLP_CTL_FAULT_FLAGS] = "unknown or misplaced header flag",
	[DLP_CTL_FAULT_COMMAND] = "unknown command",
	[DLP_CTL_FAULT_TRUNCATED] = "attribute runs past the end of the message",
	[DLP_CTL_FAULT_UNKNOWN_ATTR] = "unknown attribute type",
	[DLP_CTL_FAULT_NOT_ALLOWED] = "attribute not allowed here",
	[DLP_CTL_FAULT_DUPLICATE] = "attribute given twice",
	[DLP_CTL_FAULT_MISSING] = "required attribute missing",
	[DLP_CTL_FAULT_SIZE] = "attribute value of the wrong size",
	[DLP_CTL_FAULT_NUL] = "string not NUL-terminated, or with a NUL inside",
	[DLP_CTL_FAULT_UTF8] = "string is not valid UTF-8",
	[DLP_CTL_FAULT_RANGE] = "value out of range",
};

static const char *const status_strs[DLP_CTL_S_COUNT] = {
	[DLP_CTL_S_OK] = "ok",
	[DLP_CTL_S_BAD_VERSION] = "unsupported protocol version",
	[DLP_CTL_S_UNKNOWN_COMMAND] = "unknown command",
	[DLP_CTL_S_MALFORMED] = "malformed request",
	[DLP_CTL_S_TOO_LARGE] = "request too large",
	[DLP_CTL_S_PERMISSION] = "permission denied",
	[DLP_CTL_S_INVALID] = "invalid argument",
	[DLP_CTL_S_BUSY] = "busy, try again",
	[DLP_CTL_S_INTERNAL] = "internal error in dlpd",
};

/* ------------------------------------------------------------------------ */
/* Little-endian access at any alignment                                     */
/* ------------------------------------------------------------------------ */

static __u16 get16(const unsigned char *p)
{
	__u16 v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static __u32 get32(const unsigned char *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static __u64 get64(const unsigned char *p)
{
	__u64 v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static void put16(unsigned char *p, __u16 v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

static void put32(unsigned char *p, __u32 v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void put64(unsigned char *p, __u64 v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

/* ------------------------------------------------------------------------ */
/* Names                                                                     */
/* ------------------------------------------------------------------------ */

/* The spec of a command this version defines; NULL for any other number. */
static const struct cmd_spec *cmd_spec(__u16 command)
{
	if (!command || command >= DLP_CTL_CMD_COUNT || !cmd_specs[command].name)
		return NULL;
	return &cmd_specs[command];
}

/**
 * dlp_ctl_fault_status() - the status a server answers a refused request with
 * @fault: a value dlp_ctl_decode() returned (negative) or an enum dlp_ctl_fault
 *
 * Return: an enum dlp_ctl_status; DLP_CTL_S_INTERNAL for what is not a fault.
 */
int dlp_ctl_fault_status(int fault)
{
	if (fault < 0)
		fault = -fault;
	switch (fault) {
	case DLP_CTL_FAULT_VERSION:
		return DLP_CTL_S_BAD_VERSION;
	case DLP_CTL_FAULT_TOO_LARGE:
		return DLP_CTL_S_TOO_LARGE;
	case DLP_CTL_FAULT_COMMAND:
		return DLP_CTL_S_UNKNOWN_COMMAND;
	case DLP_CTL_FAULT_RANGE:
		return DLP_CTL_S_INVALID;
	default:
		if (fault > 0 && fault < DLP_CTL_FAULT_COUNT)
			return DLP_CTL_S_MALFORMED;
		return DLP_CTL_S_INTERNAL;
	}
}

/**
 * dlp_ctl_fault_str() - a decoder fault in words
 * @fault: a value dlp_ctl_decode() returned (negative) or an enum dlp_ctl_fault
 */
const char *dlp_ctl_fault_str(int fault)
{
	if (fault < 0)
		fault = -fault;
	if (fault > 0 && fault < DLP_CTL_FAULT_COUNT)
		return fault_strs[fault];
	return "not a protocol fault";
}

/**
 * dlp_ctl_status_str() - a response status in words
 * @status: an enum dlp_ctl_status
 */
const char *dlp_ctl_status_str(__u32 status)
{
	return status < DLP_CTL_S_COUNT ? status_strs[status] : "unknown status";
}

/**
 * dlp_ctl_cmd_name() - a command's name, as dlpctl spells it
 * @command: an enum dlp_ctl_cmd
 *
 * Return: the name, or NULL for a command this version does not define
 * (a retired number included).
 */
const char *dlp_ctl_cmd_name(__u16 command)
{
	const struct cmd_spec *spec = cmd_spec(command);

	return spec ? spec->name : NULL;
}

/**
 * dlp_ctl_attr_name() - an attribute type's name, for messages
 * @type: an enum dlp_ctl_attr_type
 *
 * Return: the name, or NULL for a type this version does not define.
 */
const char *dlp_ctl_attr_name(__u16 type)
{
	return type && type < DLP_CTL_A_COUNT ? attr_specs[type].name : NULL;
}

/**
 * dlp_ctl_attr_kind() - how an attribute's value is encoded
 * @type: an enum dlp_ctl_attr_type
 *
 * Return: its kind; DLP_CTL_K_BYTES for a type this version does not define.
 */
enum dlp_ctl_kind dlp_ctl_attr_kind(__u16 type)
{
	return type && type < DLP_CTL_A_COUNT ? attr_specs[type].kind : DLP_CTL_K_BYTES;
}

/* ------------------------------------------------------------------------ */
/* Encoding                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * dlp_ctl_begin() - start a message in a caller's buffer
 * @w:       the writer, set up by this call
 * @buf:     where the message is built
 * @size:    its size; messages never exceed DLP_CTL_MSG_MAX whatever it is
 * @command: an enum dlp_ctl_cmd
 * @id:      the request id (a client's choice; responses repeat it)
 * @flags:   DLP_CTL_FLAG_* bits
 *
 * The header is written in version DLP_CTL_VERSION; attributes follow with
 * dlp_ctl_put_*() and dlp_ctl_finish() ends the message.
 */
void dlp_ctl_begin(struct dlp_ctl_writer *w, void *buf, size_t size, __u16 command, __u32 id,
		   __u8 flags)
{
	w->buf = buf;
	w->size = size < DLP_CTL_MSG_MAX ? size : DLP_CTL_MSG_MAX;
	w->len = DLP_CTL_HDR_SIZE;
	w->nest = 0;
	w->err = 0;
	if (!buf || w->size < DLP_CTL_HDR_SIZE) {
		w->err = -EMSGSIZE;
		return;
	}
	put32(w->buf, DLP_CTL_MAGIC);
	w->buf[4] = DLP_CTL_VERSION;
	w->buf[5] = flags;
	put16(w->buf + 6, command);
	put32(w->buf + 8, id);
	put32(w->buf + 12, 0);
}

/**
 * dlp_ctl_begin_response() - start the response to a decoded request
 * @w:       the writer, set up by this call
 * @buf:     where the response is built
 * @size:    its size
 * @req:     the request, as dlp_ctl_decode() returned it
 * @status:  an enum dlp_ctl_status
 * @message: for a person to read (UTF-8); NULL: the status in words
 *
 * The response repeats the request's command and id and is written in the
 * request's version, which the decoder has checked this code speaks.
 */
void dlp_ctl_begin_response(struct dlp_ctl_writer *w, void *buf, size_t size,
			    const struct dlp_ctl_msg *req, __u32 status, const char *message)
{
	dlp_ctl_begin(w, buf, size, req->command, req->id,
		      DLP_CTL_FLAG_RESPONSE | (req->flags & DLP_CTL_FLAG_DRY_RUN));
	if (!w->err && req->version >= DLP_CTL_VERSION_MIN && req->version <= DLP_CTL_VERSION)
		w->buf[4] = req->version;
	dlp_ctl_put_u32(w, DLP_CTL_A_STATUS, status);
	dlp_ctl_put_str(w, DLP_CTL_A_MESSAGE, message ? message : dlp_ctl_status_str(status));
}

/* Room for an attribute of @len value bytes: its offset, or NULL (error set). */
static unsigned char *put_attr(struct dlp_ctl_writer *w, __u16 type, size_t len)
{
	unsigned char *p;

	if (w->err)
		return NULL;
	if (len > 0xffff || w->len + DLP_CTL_ATTR_HDR_SIZE + len > w->size) {
		w->err = -EMSGSIZE;
		return NULL;
	}
	p = w->buf + w->len;
	put16(p, type);
	put16(p + 2, len);
	w->len += DLP_CTL_ATTR_HDR_SIZE + len;
	return p + DLP_CTL_ATTR_HDR_SIZE;
}

/**
 * dlp_ctl_put_u8() - append an 8-bit number
 * @w:    the writer
 * @type: an enum dlp_ctl_attr_type
 * @v:    the value
 */
void dlp_ctl_put_u8(struct dlp_ctl_writer *w, __u16 type, __u8 v)
{
	unsigned char *p = put_attr(w, type, 1);

	if (p)
		*p = v;
}

/**
 * dlp_ctl_put_u16() - append a 16-bit number
 * @w:    the writer
 * @type: an enum dlp_ctl_attr_type
 * @v:    the value
 */
void dlp_ctl_put_u16(struct dlp_ctl_writer *w, __u16 type, __u16 v)
{
	unsigned char *p = put_attr(w, type, 2);

	if (p)
		put16(p, v);
}

/**
 * dlp_ctl_put_u32() - append a 32-bit number
 * @w:    the writer
 * @type: an enum dlp_ctl_attr_type
 * @v:    the value
 */
void dlp_ctl_put_u32(struct dlp_ctl_writer *w, __u16 type, __u32 v)
{
	unsigned char *p = put_attr(w, type, 4);

	if (p)
		put32(p, v);
}

/**
 * dlp_ctl_put_u64() - append a 64-bit number
 * @w:    the writer
 * @type: an enum dlp_ctl_attr_type
 * @v:    the value
 */
void dlp_ctl_put_u64(struct dlp_ctl_writer *w, __u16 type, __u64 v)
{
	unsigned char *p = put_attr(w, type, 8);

	if (p)
		put64(p, v);
}

/**
 * dlp_ctl_put_str() - append a string, with its final NUL
 * @w:    the writer
 * @type: an enum dlp_ctl_attr_type
 * @s:    the string (UTF-8); NULL fails the message with -EINVAL
 */
void dlp_ctl_put_str(struct dlp_ctl_writer *w, __u16 type, const char *s)
{
	if (!s) {
		if (!w->err)
			w->err = -EINVAL;
		return;
	}
	dlp_ctl_put_bytes(w, type, s, strlen(s) + 1);
}

/**
 * dlp_ctl_put_bytes() - append an attribute from its raw value
 * @w:    the writer
 * @type: an enum dlp_ctl_attr_type
 * @data: the value as it goes on the wire
 * @len:  its length, at most 65535
 */
void dlp_ctl_put_bytes(struct dlp_ctl_writer *w, __u16 type, const void *data, size_t len)
{
	unsigned char *p = put_attr(w, type, len);

	if (p && len)
		memcpy(p, data, len);
}

/**
 * dlp_ctl_nest_begin() - open a nest: attributes put until dlp_ctl_nest_end() go in it
 * @w:    the writer
 * @type: the nest's type (DLP_CTL_A_DEVICE)
 *
 * Nests do not nest: opening one inside another fails the message (-EINVAL).
 */
void dlp_ctl_nest_begin(struct dlp_ctl_writer *w, __u16 type)
{
	size_t at = w->len;

	if (!w->err && w->nest)
		w->err = -EINVAL;
	if (put_attr(w, type, 0))
		w->nest = at;
}

/**
 * dlp_ctl_nest_end() - close the open nest
 * @w: the writer
 */
void dlp_ctl_nest_end(struct dlp_ctl_writer *w)
{
	size_t len;

	if (w->err)
		return;
	if (!w->nest) {
		w->err = -EINVAL;
		return;
	}
	len = w->len - w->nest - DLP_CTL_ATTR_HDR_SIZE;
	if (len > 0xffff) {
		w->err = -EMSGSIZE;
		return;
	}
	put16(w->buf + w->nest + 2, len);
	w->nest = 0;
}

/**
 * dlp_ctl_put_device() - append a medium's attributes
 * @w:   the writer, inside a DEVICE nest
 * @dev: the medium; NULL strings and zero access/state are left out
 */
void dlp_ctl_put_device(struct dlp_ctl_writer *w, const struct dlp_ctl_device *dev)
{
	dlp_ctl_put_u8(w, DLP_CTL_A_BUS, dev->bus);
	dlp_ctl_put_u16(w, DLP_CTL_A_VENDOR, dev->vendor);
	dlp_ctl_put_u16(w, DLP_CTL_A_PRODUCT, dev->product);
	if (dev->serial)
		dlp_ctl_put_str(w, DLP_CTL_A_SERIAL, dev->serial);
	if (dev->regno)
		dlp_ctl_put_str(w, DLP_CTL_A_REGNO, dev->regno);
	if (dev->section)
		dlp_ctl_put_str(w, DLP_CTL_A_SECTION, dev->section);
	if (dev->access)
		dlp_ctl_put_u8(w, DLP_CTL_A_ACCESS, dev->access);
	if (dev->until)
		dlp_ctl_put_str(w, DLP_CTL_A_UNTIL, dev->until);
	if (dev->state)
		dlp_ctl_put_u8(w, DLP_CTL_A_STATE, dev->state);
	if (dev->devname)
		dlp_ctl_put_str(w, DLP_CTL_A_DEVNAME, dev->devname);
}

/**
 * dlp_ctl_finish() - end a message
 * @w: the writer
 *
 * Return: the message's length, or the first error of the writer: -EMSGSIZE
 * (it did not fit), -EINVAL (a NULL string, a nest left open or misused).
 */
int dlp_ctl_finish(struct dlp_ctl_writer *w)
{
	if (!w->err && w->nest)
		w->err = -EINVAL;
	if (w->err)
		return w->err;
	put32(w->buf + 12, w->len - DLP_CTL_HDR_SIZE);
	return w->len;
}

/**
 * dlp_ctl_encode_simple() - a request without arguments
 * @buf:     where it is built
 * @size:    its size
 * @command: STATUS, POLICY_SHOW, DEVICE_LIST or RELOAD
 * @id:      the request id
 *
 * Return: the message's length, or -errno.
 */
int dlp_ctl_encode_simple(void *buf, size_t size, __u16 command, __u32 id)
{
	struct dlp_ctl_writer w;

	dlp_ctl_begin(&w, buf, size, command, id, 0);
	return dlp_ctl_finish(&w);
}

/**
 * dlp_ctl_encode_policy_apply() - a POLICY_APPLY request
 * @buf:  where it is built
 * @size: its size
 * @id:   the request id
 * @a:    the policy, and how to apply it
 *
 * Return: the message's length, or -errno (-EMSGSIZE: the policy does not fit
 * in one message).
 */
int dlp_ctl_encode_policy_apply(void *buf, size_t size, __u32 id,
				const struct dlp_ctl_policy_apply *a)
{
	struct dlp_ctl_writer w;

	dlp_ctl_begin(&w, buf, size, DLP_CTL_CMD_POLICY_APPLY, id,
		      a->dry_run ? DLP_CTL_FLAG_DRY_RUN : 0);
	dlp_ctl_put_str(&w, DLP_CTL_A_POLICY_NAME, a->name);
	dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_TEXT, a->text, a->text_len);
	if (a->base_sha256)
		dlp_ctl_put_bytes(&w, DLP_CTL_A_POLICY_SHA256, a->base_sha256, 32);
	if (a->reason)
		dlp_ctl_put_str(&w, DLP_CTL_A_REASON, a->reason);
	return dlp_ctl_finish(&w);
}

/**
 * dlp_ctl_encode_device_list() - a DEVICE_LIST request
 * @buf:   where it is built
 * @size:  its size
 * @id:    the request id
 * @start: the first device to list (0: from the first)
 * @limit: how many at most (0: as many as fit in the response)
 *
 * Return: the message's length, or -errno.
 */
int dlp_ctl_encode_device_list(void *buf, size_t size, __u32 id, __u32 start, __u32 limit)
{
	struct dlp_ctl_writer w;

	dlp_ctl_begin(&w, buf, size, DLP_CTL_CMD_DEVICE_LIST, id, 0);
	if (start)
		dlp_ctl_put_u32(&w, DLP_CTL_A_START, start);
	if (limit)
		dlp_ctl_put_u32(&w, DLP_CTL_A_LIMIT, limit);
	return dlp_ctl_finish(&w);
}

/**
 * dlp_ctl_encode_label_set() - a LABEL_SET request
 * @buf:       where it is built
 * @size:      its size
 * @id:        the request id
 * @path:      the file, absolute
 * @class:     enum dlp_class (0: no 機密性)
 * @integrity: enum dlp_integrity (0: no 完全性)
 * @reason:    why (NULL: none given)
 *
 * Return: the message's length, or -errno.
 */
int dlp_ctl_encode_label_set(void *buf, size_t size, __u32 id, const char *path, __u8 class,
			     __u8 integrity, const char *reason)
{
	struct dlp_ctl_writer w;

	dlp_ctl_begin(&w, buf, size, DLP_CTL_CMD_LABEL_SET, id, 0);
	dlp_ctl_put_str(&w, DLP_CTL_A_PATH, path);
	dlp_ctl_put_u8(&w, DLP_CTL_A_CLASS, class);
	dlp_ctl_put_u8(&w, DLP_CTL_A_INTEGRITY, integrity);
	if (reason)
		dlp_ctl_put_str(&w, DLP_CTL_A_REASON, reason);
	return dlp_ctl_finish(&w);
}

/**
 * dlp_ctl_encode_label_show() - a LABEL_SHOW request
 * @buf:  where it is built
 * @size: its size
 * @id:   the request id
 * @path: the file, absolute
 *
 * Return: the message's length, or -errno.
 */
int dlp_ctl_encode_label_show(void *buf, size_t size, __u32 id, const char *path)
{
	struct dlp_ctl_writer w;

	dlp_ctl_begin(&w, buf, size, DLP_CTL_CMD_LABEL_SHOW, id, 0);
	dlp_ctl_put_str(&w, DLP_CTL_A_PATH, path);
	return dlp_ctl_finish(&w);
}

/**
 * dlp_ctl_encode_error() - the response to a request that was refused
 * @buf:     where it is built
 * @size:    its size
 * @req:     the request's bytes as received (perhaps fewer than it claims)
 * @req_len: how many were received
 * @status:  an enum dlp_ctl_status, not DLP_CTL_S_OK
 * @message: for a person to read; NULL: the status in words, or for
 *           DLP_CTL_S_BAD_VERSION "unsupported version V, server speaks N"
 *
 * Works on what dlp_ctl_decode() refused: the id and command are taken from
 * the request's header when it has one with the right magic, else 0.  A
 * DLP_CTL_S_BAD_VERSION response is written in DLP_CTL_VERSION_MIN, the one
 * version every client reads, and says in VERSION_MAX which version this
 * server speaks; other responses are in the request's version when this
 * code speaks it.
 *
 * Return: the message's length, or -errno.
 */
int dlp_ctl_encode_error(void *buf, size_t size, const void *req, size_t req_len, __u32 status,
			 const char *message)
{
	const unsigned char *r = req;
	struct dlp_ctl_msg hdr = { .version = DLP_CTL_VERSION_MIN };
	struct dlp_ctl_writer w;
	char text[64];

	if (status == DLP_CTL_S_OK)
		return -EINVAL;
	if (r && req_len >= DLP_CTL_HDR_SIZE && get32(r) == DLP_CTL_MAGIC) {
		hdr.command = get16(r + 6);
		hdr.id = get32(r + 8);
		if (status != DLP_CTL_S_BAD_VERSION && r[4] >= DLP_CTL_VERSION_MIN &&
		    r[4] <= DLP_CTL_VERSION)
			hdr.version = r[4];
		if (status == DLP_CTL_S_BAD_VERSION && !message) {
			snprintf(text, sizeof(text), "unsupported version %u, server speaks %u",
				 r[4], DLP_CTL_VERSION);
			message = text;
		}
	}
	dlp_ctl_begin_response(&w, buf, size, &hdr, status, message);
	if (status == DLP_CTL_S_BAD_VERSION)
		dlp_ctl_put_u8(&w, DLP_CTL_A_VERSION_MAX, DLP_CTL_VERSION);
	return dlp_ctl_finish(&w);
}

/* ------------------------------------------------------------------------ */
/* Decoding                                                                  */
/* ------------------------------------------------------------------------ */

static bool leap(unsigned int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD", a day that exists (the ledger's until). */
static bool valid_date(const char *s)
{
	static const unsigned char days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned int y, m, d, i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return false;
		} else if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= days[m - 1] + (unsigned int)(m == 2 && leap(y));
}

/**
 * dlp_ctl_attr_next() - the next attribute of a payload or a nest
 * @data: the attributes
 * @len:  their length
 * @off:  where to read from (start at 0); moved past the attribute read
 * @ret:  the attribute; numbers are converted when their size is right
 *
 * Meant for what dlp_ctl_decode() accepted, but bounds-checked on anything.
 *
 * Return: true if an attribute was read, false at the end (or where the
 * next would run past @len).
 */
bool dlp_ctl_attr_next(const void *data, size_t len, size_t *off, struct dlp_ctl_attr *ret)
{
	const unsigned char *p = (const unsigned char *)data + *off;
	enum dlp_ctl_kind kind;
	__u16 type, vlen;

	if (*off > len || len - *off < DLP_CTL_ATTR_HDR_SIZE)
		return false;
	type = get16(p);
	vlen = get16(p + 2);
	if (vlen > len - *off - DLP_CTL_ATTR_HDR_SIZE)
		return false;
	ret->type = type;
	ret->len = vlen;
	ret->data = p + DLP_CTL_ATTR_HDR_SIZE;
	ret->num = 0;
	kind = dlp_ctl_attr_kind(type);
	if (kind == DLP_CTL_K_U8 && vlen == 1)
		ret->num = p[DLP_CTL_ATTR_HDR_SIZE];
	else if (kind == DLP_CTL_K_U16 && vlen == 2)
		ret->num = get16(p + DLP_CTL_ATTR_HDR_SIZE);
	else if (kind == DLP_CTL_K_U32 && vlen == 4)
		ret->num = get32(p + DLP_CTL_ATTR_HDR_SIZE);
	else if (kind == DLP_CTL_K_U64 && vlen == 8)
		ret->num = get64(p + DLP_CTL_ATTR_HDR_SIZE);
	*off += DLP_CTL_ATTR_HDR_SIZE + vlen;
	return true;
}

/* One value against its type's spec: 0 or -fault. */
static int check_value(const struct dlp_ctl_attr *a)
{
	const struct attr_spec *spec = &attr_specs[a->type];
	static const unsigned char num_size[] = {
		[DLP_CTL_K_U8] = 1,
		[DLP_CTL_K_U16] = 2,
		[DLP_CTL_K_U32] = 4,
		[DLP_CTL_K_U64] = 8,
	};
	const char *s = a->data;

	switch (spec->kind) {
	case DLP_CTL_K_U8:
	case DLP_CTL_K_U16:
	case DLP_CTL_K_U32:
	case DLP_CTL_K_U64:
		if (a->len != num_size[spec->kind])
			return -DLP_CTL_FAULT_SIZE;
		/* 64-bit values are counters and times: every value is valid */
		if (spec->kind != DLP_CTL_K_U64 && (a->num < spec->min || a->num > spec->max))
			return -DLP_CTL_FAULT_RANGE;
		return 0;
	case DLP_CTL_K_STRING:
		if (!a->len || s[a->len - 1] != '\0' || memchr(s, '\0', a->len - 1))
			return -DLP_CTL_FAULT_NUL;
		if (a->len < spec->min || a->len > spec->max)
			return -DLP_CTL_FAULT_SIZE;
		if (!dlp_utf8_valid(s, a->len - 1))
			return -DLP_CTL_FAULT_UTF8;
		if (spec->form == FORM_DATE && !valid_date(s))
			return -DLP_CTL_FAULT_RANGE;
		if (spec->form == FORM_ABSPATH && s[0] != '/')
			return -DLP_CTL_FAULT_RANGE;
		return 0;
	case DLP_CTL_K_BYTES:
	case DLP_CTL_K_NEST:
		if (a->len < spec->min || a->len > spec->max)
			return -DLP_CTL_FAULT_SIZE;
		return 0;
	}
	return -DLP_CTL_FAULT_UNKNOWN_ATTR;
}

/*
 * Walk the attributes of @data (a payload or a nest) against @rules (and
 * @extra, for what every response may carry): each attribute known, allowed
 * and of valid value, none duplicated.  The last allowed occurrence of each
 * once-only attribute lands in @attrs when it is given.
 */
static int walk(const unsigned char *data, size_t len, const unsigned char *rules,
		const unsigned char *extra, __u64 *ret_present, unsigned int *ret_repeated,
		struct dlp_ctl_attr *attrs)
{
	unsigned int repeated = 0, inner_repeated, t;
	__u64 present = 0, inner;
	struct dlp_ctl_attr a;
	size_t off = 0;
	int rule, err;

	while (off < len) {
		if (!dlp_ctl_attr_next(data, len, &off, &a))
			return -DLP_CTL_FAULT_TRUNCATED;
		if (!a.type || a.type >= DLP_CTL_A_COUNT)
			return -DLP_CTL_FAULT_UNKNOWN_ATTR;
		rule = rules[a.type] ? rules[a.type] : (extra ? extra[a.type] : NO);
		if (rule == NO)
			return -DLP_CTL_FAULT_NOT_ALLOWED;
		if (rule != REP && (present & (1ULL << a.type)))
			return -DLP_CTL_FAULT_DUPLICATE;
		err = check_value(&a);
		if (err)
			return err;
		if (attr_specs[a.type].kind == DLP_CTL_K_NEST) {
			/* the one nest there is, DEVICE: device_rules allow no nest inside */
			err = walk(a.data, a.len, device_rules, NULL, &inner, &inner_repeated,
				   NULL);
			if (err)
				return err;
			for (t = 1; t < DLP_CTL_A_COUNT; t++)
				if (device_rules[t] == REQ && !(inner & (1ULL << t)))
					return -DLP_CTL_FAULT_MISSING;
		}
		present |= 1ULL << a.type;
		if (rule == REP)
			repeated++;
		else if (attrs)
			attrs[a.type] = a;
	}
	*ret_present = present;
	*ret_repeated = repeated;
	return 0;
}

/**
 * dlp_ctl_decode() - check a message completely and make it readable
 * @buf: the message as received
 * @len: its length
 * @ret: the decoded message, pointing into @buf; set only on success
 *
 * Everything is checked before anything is returned: the header (magic,
 * version, flags, command, payload length equal to what was received, at
 * most DLP_CTL_MSG_MAX), every attribute (inside its container, a type this
 * version defines, allowed for the command in this direction, given once
 * unless it repeats, of the size its kind has, strings UTF-8 with one final
 * NUL, numbers and enumerations in range, dates real, paths absolute), the
 * nests likewise, and every required attribute present (in a response: STATUS
 * and MESSAGE always, the command's results when STATUS is OK).  Unknown
 * attributes are refused, not skipped: a new attribute is a new version.
 *
 * A response to a command this version does not define (a retired number
 * included) is accepted when its status is an error and it holds only STATUS,
 * MESSAGE and VERSION_MAX: that is how a server says it does not know a
 * command, or an older server speaks to a newer client.
 *
 * Both directions decode: the caller checks that @ret->response is what it
 * waits for (dlpd answers a message with DLP_CTL_FLAG_RESPONSE set as
 * DLP_CTL_S_MALFORMED) and, for a response, that @ret->id is its request's.
 *
 * Return: 0, or a negative enum dlp_ctl_fault saying what was wrong first
 * (dlp_ctl_fault_status() turns it into the status to answer with).
 */
int dlp_ctl_decode(const void *buf, size_t len, struct dlp_ctl_msg *ret)
{
	static const unsigned char no_rules[DLP_CTL_A_COUNT];
	const unsigned char *p = buf;
	const struct cmd_spec *spec = NULL;
	const unsigned char *rules;
	struct dlp_ctl_msg m;
	bool response, enforce_required = true;
	int err;

	if (!p || len < DLP_CTL_HDR_SIZE)
		return -DLP_CTL_FAULT_SHORT;
	if (get32(p) != DLP_CTL_MAGIC)
		return -DLP_CTL_FAULT_MAGIC;
	/* before the size: a newer client must learn which version to speak */
	if (p[4] < DLP_CTL_VERSION_MIN || p[4] > DLP_CTL_VERSION)
		return -DLP_CTL_FAULT_VERSION;
	if (len > DLP_CTL_MSG_MAX)
		return -DLP_CTL_FAULT_TOO_LARGE;
	if (get32(p + 12) != len - DLP_CTL_HDR_SIZE)
		return -DLP_CTL_FAULT_LENGTH;

	memset(&m, 0, sizeof(m));
	m.version = p[4];
	m.flags = p[5];
	m.command = get16(p + 6);
	m.id = get32(p + 8);
	m.payload = p + DLP_CTL_HDR_SIZE;
	m.payload_len = len - DLP_CTL_HDR_SIZE;
	response = m.flags & DLP_CTL_FLAG_RESPONSE;
	m.response = response;

	if (m.flags & ~DLP_CTL_FLAGS_KNOWN)
		return -DLP_CTL_FAULT_FLAGS;
	spec = cmd_spec(m.command);
	if (spec) {
		if (m.flags & ~(DLP_CTL_FLAG_RESPONSE | spec->flags))
			return -DLP_CTL_FAULT_FLAGS;
		rules = response ? spec->resp : spec->req;
	} else if (response) {
		rules = no_rules; /* an error answer to a command we do not know */
	} else {
		return -DLP_CTL_FAULT_COMMAND;
	}

	err = walk(m.payload, m.payload_len, rules, response ? resp_common : NULL, &m.present,
		   &m.nrepeated, m.attr);
	if (err)
		return err;

	if (response) {
		if (!(m.present & (1ULL << DLP_CTL_A_STATUS)) ||
		    !(m.present & (1ULL << DLP_CTL_A_MESSAGE)))
			return -DLP_CTL_FAULT_MISSING;
		m.status = m.attr[DLP_CTL_A_STATUS].num;
		m.message = m.attr[DLP_CTL_A_MESSAGE].data;
		enforce_required = m.status == DLP_CTL_S_OK;
		if (!spec && m.status == DLP_CTL_S_OK)
			return -DLP_CTL_FAULT_COMMAND;
		if (!spec && (m.flags & DLP_CTL_FLAG_DRY_RUN))
			return -DLP_CTL_FAULT_FLAGS;
	}
	if (enforce_required)
		for (unsigned int t = 1; t < DLP_CTL_A_COUNT; t++)
			if (rules[t] == REQ && !(m.present & (1ULL << t)))
				return -DLP_CTL_FAULT_MISSING;
	*ret = m;
	return 0;
}

/**
 * dlp_ctl_device_read() - a DEVICE nest as a struct
 * @nest: a DEVICE attribute of a message dlp_ctl_decode() accepted
 * @ret:  the medium; its strings point into the message, NULL when absent
 */
void dlp_ctl_device_read(const struct dlp_ctl_attr *nest, struct dlp_ctl_device *ret)
{
	struct dlp_ctl_attr a;
	size_t off = 0;

	memset(ret, 0, sizeof(*ret));
	while (dlp_ctl_attr_next(nest->data, nest->len, &off, &a)) {
		switch (a.type) {
		case DLP_CTL_A_BUS:
			ret->bus = a.num;
			break;
		case DLP_CTL_A_VENDOR:
			ret->vendor = a.num;
			break;
		case DLP_CTL_A_PRODUCT:
			ret->product = a.num;
			break;
		case DLP_CTL_A_SERIAL:
			ret->serial = a.data;
			break;
		case DLP_CTL_A_REGNO:
			ret->regno = a.data;
			break;
		case DLP_CTL_A_SECTION:
			ret->section = a.data;
			break;
		case DLP_CTL_A_ACCESS:
			ret->access = a.num;
			break;
		case DLP_CTL_A_UNTIL:
			ret->until = a.data;
			break;
		case DLP_CTL_A_STATE:
			ret->state = a.num;
			break;
		case DLP_CTL_A_DEVNAME:
			ret->devname = a.data;
			break;
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Who may talk to dlpd                                                      */
/* ------------------------------------------------------------------------ */

/**
 * dlp_ctl_admin_gid() - the group id of the administrators' group
 * @group: its name, normally DLP_CTL_ADMIN_GROUP ("dlpadm")
 * @ret:   the gid, set on success
 *
 * Return: 0, -ENOENT if there is no such group, or -errno.
 */
int dlp_ctl_admin_gid(const char *group, gid_t *ret)
{
	struct group gr, *found = NULL;
	size_t size = 1024;
	char *buf = NULL, *bigger;
	int err;

	for (;;) {
		bigger = realloc(buf, size);
		if (!bigger) {
			err = -ENOMEM;
			goto out_free;
		}
		buf = bigger;
		err = getgrnam_r(group, &gr, buf, size, &found);
		if (err != ERANGE || size >= 1024 * 1024)
			break;
		size *= 4;
	}
	if (err) {
		err = -err;
		goto out_free;
	}
	if (!found) {
		err = -ENOENT;
		goto out_free;
	}
	*ret = gr.gr_gid;
out_free:
	free(buf);
	return err;
}

/**
 * dlp_ctl_peer_allowed() - whether the process at the other end may control dlpd
 * @fd:        a connected (accepted) unix socket
 * @admin_gid: the gid of group dlpadm
 * @ret:       the peer's pid, uid and gid; set when the answer is 0 or -EACCES,
 *             so that a refusal can be logged with who was refused
 *
 * Allowed: uid 0, or a member of @admin_gid, as primary or supplementary
 * group.  The credentials are those the kernel recorded when the peer called
 * connect() (SO_PEERCRED, and SO_PEERGROUPS for the supplementary groups,
 * Linux 4.13): nothing is read from /proc/PID/status, where the pid could
 * have exited and been reused, or the process changed its groups, between
 * the connect and the read.  A member removed from the group after connecting
 * keeps that one connection, as a shell keeps the groups it started with.
 * Without SO_PEERGROUPS (older kernels) only uid 0 and the primary group are
 * recognised: supplementary members are refused, failing closed.
 *
 * Return: 0 if allowed, -EACCES if not, or -errno if the credentials could
 * not be read.
 */
int dlp_ctl_peer_allowed(int fd, gid_t admin_gid, struct ucred *ret)
{
	gid_t small[64], *groups = small;
	socklen_t len = sizeof(struct ucred);
	struct ucred cred;
	int err = -EACCES;
	size_t i, n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return -errno;
	if (len != sizeof(cred))
		return -EPROTO;
	if (cred.uid == 0 || cred.gid == admin_gid) {
		err = 0;
		goto out;
	}
	len = sizeof(small);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len)) {
		if (errno == ENOPROTOOPT)
			goto out;
		if (errno != ERANGE)
			return -errno;
		/* len now says how much room the groups need */
		groups = malloc(len);
		if (!groups)
			return -ENOMEM;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len)) {
			err = -errno;
			goto out_free;
		}
	}
	n = len / sizeof(gid_t);
	for (i = 0; i < n; i++)
		if (groups[i] == admin_gid)
			err = 0;
out:
	*ret = cred;
out_free:
	if (groups != small)
		free(groups);
	return err;
}

/* ------------------------------------------------------------------------ */
/* The socket                                                                */
/* ------------------------------------------------------------------------ */

static int fill_addr(const char *path, struct sockaddr_un *addr)
{
	size_t n = strlen(path);

	if (!n)
		return -EINVAL;
	if (n >= sizeof(addr->sun_path))
		return -ENAMETOOLONG;
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path, path, n + 1);
	return 0;
}

/*
 * The socket's directory, made 0750 root:@admin_gid.  One that exists must
 * already be root's and writable by root only: otherwise someone else could
 * replace the socket, and it is not ours to change (think of /tmp).
 */
static int prepare_dir(const char *dir, gid_t admin_gid)
{
	struct stat st;
	int fd, err = 0;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out_close;
	}
	if (st.st_uid != 0 || (st.st_mode & 022)) {
		err = -EPERM;
		goto out_close;
	}
	if (fchown(fd, 0, admin_gid) || fchmod(fd, 0750))
		err = -errno;
out_close:
	close(fd);
	return err;
}

/*
 * What is at @path now: -ENOENT nothing; 0 a socket nobody listens on (stale:
 * removed); -EADDRINUSE a live listener; -EEXIST something that is no socket.
 */
static int clear_stale(const char *path, const struct sockaddr_un *addr)
{
	struct stat st;
	int fd, err;

	if (lstat(path, &st))
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* EAGAIN: a listener with a full backlog; EPROTOTYPE: one of another socket type */
	if (!connect(fd, (const struct sockaddr *)addr, sizeof(*addr)))
		err = -EADDRINUSE;
	else if (errno == ECONNREFUSED)
		err = unlink(path) && errno != ENOENT ? -errno : 0;
	else if (errno == EAGAIN || errno == EPROTOTYPE || errno == EINPROGRESS)
		err = -EADDRINUSE;
	else
		err = -errno;
	close(fd);
	return err;
}

/**
 * dlp_ctl_listen() - dlpd's control socket, listening
 * @path:      normally DLP_CTL_SOCKET_PATH
 * @admin_gid: the gid of group dlpadm
 *
 * Makes the directory of @path 0750 root:@admin_gid (creating it, or taking
 * over one that root owns and only root can write), removes a socket file
 * left there by an earlier dlpd only if nobody listens on it, then binds a
 * SOCK_SEQPACKET socket there, 0660 root:@admin_gid, and listens.  Between
 * bind() and chmod() the socket has the mode the umask gave it; the directory
 * keeps everyone outside root and @admin_gid away meanwhile, and every
 * connection is checked with dlp_ctl_peer_allowed() anyway.  Two dlpd starting
 * at the same instant could both find a stale file; systemd starts one.
 *
 * Return: the listening descriptor (close-on-exec), or -errno: -EADDRINUSE if
 * a live dlpd listens there, -EEXIST if @path is something other than a socket,
 * -EPERM if the directory belongs to someone else or others can write to it.
 */
int dlp_ctl_listen(const char *path, gid_t admin_gid)
{
	struct sockaddr_un addr;
	char dir[sizeof(addr.sun_path)];
	char *slash;
	int fd, err;

	err = fill_addr(path, &addr);
	if (err)
		return err;
	memcpy(dir, addr.sun_path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash || slash == dir || !slash[1])
		return -EINVAL;
	*slash = '\0';
	err = prepare_dir(dir, admin_gid);
	if (err)
		return err;
	err = clear_stale(path, &addr);
	if (err && err != -ENOENT)
		return err;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = -errno;
		goto out_close;
	}
	/* the directory is root's and closed to others: the name cannot be swapped */
	if (chown(path, 0, admin_gid) || chmod(path, 0660) || listen(fd, 16)) {
		err = -errno;
		goto out_unlink;
	}
	return fd;

out_unlink:
	unlink(path);
out_close:
	close(fd);
	return err;
}

/**
 * dlp_ctl_connect() - connect to dlpd's control socket
 * @path: normally DLP_CTL_SOCKET_PATH
 *
 * Return: the connected descriptor (close-on-exec), or -errno: -ENOENT or
 * -ECONNREFUSED when dlpd is not running, -EACCES when the caller is not
 * allowed into the socket's directory (not root, not in dlpadm).
 */
int dlp_ctl_connect(const char *path)
{
	struct sockaddr_un addr;
	int fd, err;

	err = fill_addr(path, &addr);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/**
 * dlp_ctl_call() - send a request and wait for its response
 * @fd:         a connected control socket
 * @req:        the request, as a dlp_ctl_encode_*() made it
 * @len:        its length
 * @resp:       where the response goes
 * @resp_len:   its size (DLP_CTL_MSG_MAX holds any response)
 * @timeout_ms: how long to wait in all; negative: no limit
 *
 * A response whose id is not the request's is the late answer to an earlier
 * call that timed out: it is dropped and the wait goes on.  The response is
 * not decoded: pass it to dlp_ctl_decode().
 *
 * Return: the response's length, or -errno: -ETIMEDOUT, -ECONNRESET (dlpd
 * closed the connection), -EMSGSIZE (the response did not fit in @resp).
 */
int dlp_ctl_call(int fd, const void *req, size_t len, void *resp, size_t resp_len, int timeout_ms)
{
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	__u32 id = len >= DLP_CTL_HDR_SIZE ? get32((const unsigned char *)req + 8) : 0;
	struct iovec iov = { .iov_base = resp, .iov_len = resp_len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int wait, r;

	n = send(fd, req, len, MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EMSGSIZE;
	for (;;) {
		wait = -1;
		if (timeout_ms >= 0) {
			long long left = deadline - now_ms();

			wait = left > 0 ? (int)left : 0;
		}
		r = poll(&pfd, 1, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			return -ETIMEDOUT;
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -ECONNRESET;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (n >= DLP_CTL_HDR_SIZE && len >= DLP_CTL_HDR_SIZE &&
		    get32((const unsigned char *)resp + 8) != id)
			continue;
		return n;
	}
}
