/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control protocol between dlpctl and dlpd (issue 5).
 *
 * Transport: a SOCK_SEQPACKET unix socket, /run/dlpguard/dlpd.sock, in a
 * directory 0750 root:dlpadm, the socket 0660 root:dlpadm.  SEQPACKET keeps
 * message boundaries (one send is one recv, or MSG_TRUNC says it was not),
 * is connection oriented (SO_PEERCRED, SO_PEERGROUPS, the server sees a
 * client go away) and delivers in order; a stream would need a framing
 * layer whose partial reads and resynchronisation are where bugs live.
 * One request, then one response; a connection may carry several in turn.
 *
 * A message is a fixed 16-byte header followed by a payload of attributes.
 * All integers are little-endian; nothing is aligned (read with memcpy).
 *
 *	offset size
 *	0      4    magic DLP_CTL_MAGIC
 *	4      1    version (1 .. DLP_CTL_VERSION)
 *	5      1    flags (DLP_CTL_FLAG_*)
 *	6      2    command (enum dlp_ctl_cmd); a response repeats its request's
 *	8      4    request id, chosen by the client, repeated in the response
 *	12     4    payload length: the message is exactly 16 + this many bytes
 *
 * The first 16 bytes keep this layout in every version, so that a server can
 * answer any request, even one in a version it does not speak.
 *
 * An attribute is type (2 bytes), length (2 bytes, of the value only) and
 * value.  Each type has one kind (enum dlp_ctl_kind), a maximum length and,
 * per command and direction, a rule: not allowed, optional, required, or
 * repeated.  A string value holds UTF-8 followed by one NUL, the only NUL,
 * so that the decoder can hand out C strings pointing into the message.
 * A nest (DLP_CTL_A_DEVICE) holds attributes itself; nests do not nest.
 *
 * Worked example: DEVICE_LIST of at most 100 devices from the 300th on, id 7:
 *
 *	44 4c 50 43  01  00  04 00  07 00 00 00  10 00 00 00	header, payload 16
 *	17 00 04 00  2c 01 00 00				START 300
 *	18 00 04 00  64 00 00 00				LIMIT 100
 *
 * Every response carries STATUS (enum dlp_ctl_status) and MESSAGE (for a
 * person to read); the command's result attributes are required only when
 * STATUS is DLP_CTL_S_OK.
 */
#ifndef DLP_CTL_PROTO_H
#define DLP_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/types.h>

#define DLP_CTL_SOCKET_PATH "/run/dlpguard/dlpd.sock"
#define DLP_CTL_ADMIN_GROUP "dlpadm"

#define DLP_CTL_MAGIC	    0x43504c44 /* "DLPC" on the wire: 44 4c 50 43 */
#define DLP_CTL_VERSION	    1	       /* the version this code speaks */
#define DLP_CTL_VERSION_MIN 1	       /* the lowest there is */

#define DLP_CTL_HDR_SIZE      16
#define DLP_CTL_ATTR_HDR_SIZE 4
/*
 * The largest message either side sends or accepts.  A unix SEQPACKET send
 * must fit the socket's send buffer (wmem_default, 208 KiB on most systems,
 * less on some); 64 KiB fits everywhere, and an attribute length is 16 bits.
 * A policy longer than POLICY_APPLY can carry (the compiler takes 1 MiB) is
 * installed as the policy file and applied with RELOAD, which reads it there.
 */
#define DLP_CTL_MSG_MAX (64 * 1024)

/* Header flags. */
#define DLP_CTL_FLAG_RESPONSE 0x01 /* set on every response, never on a request */
#define DLP_CTL_FLAG_DRY_RUN  0x02 /* POLICY_APPLY: validate, change nothing */
#define DLP_CTL_FLAGS_KNOWN   (DLP_CTL_FLAG_RESPONSE | DLP_CTL_FLAG_DRY_RUN)

/*
 * Commands; wire values: never renumber, only append.  Retired numbers are
 * reserved, never given to another command, and refused by the decoder as
 * unknown (DLP_CTL_FAULT_COMMAND): 5 and 6 were DEVICE_ALLOW and DEVICE_BLOCK
 * (`dlpctl device allow|block` edit the policy's ledger and send
 * POLICY_APPLY), 9 was LOG_TAIL (`dlpctl log tail` reads the log file).
 */
enum dlp_ctl_cmd {
	DLP_CTL_CMD_STATUS = 1,	      /* mode, tier, policy in force, counters */
	DLP_CTL_CMD_POLICY_APPLY = 2, /* NAME + TEXT; dlpd compiles it again */
	DLP_CTL_CMD_POLICY_SHOW = 3,  /* the policy in force: NAME + TEXT */
	DLP_CTL_CMD_DEVICE_LIST = 4,  /* attached media, as the ledger sees them */
	/* 5, 6: reserved (DEVICE_ALLOW, DEVICE_BLOCK, retired) */
	DLP_CTL_CMD_LABEL_SET = 7,  /* label a file (extended attribute) */
	DLP_CTL_CMD_LABEL_SHOW = 8, /* a file's label, as dlpd resolves it */
	/* 9: reserved (LOG_TAIL, retired) */
	DLP_CTL_CMD_RELOAD = 10, /* re-read the policy file from disk */
	DLP_CTL_CMD_COUNT,
};

/* The status of a response; wire values. */
enum dlp_ctl_status {
	DLP_CTL_S_OK = 0,
	DLP_CTL_S_BAD_VERSION = 1, /* VERSION_MAX says which version the server speaks */
	DLP_CTL_S_UNKNOWN_COMMAND = 2,
	DLP_CTL_S_MALFORMED = 3,  /* the message broke a rule of this protocol */
	DLP_CTL_S_TOO_LARGE = 4,  /* more than DLP_CTL_MSG_MAX bytes */
	DLP_CTL_S_PERMISSION = 5, /* not root, not in group dlpadm */
	DLP_CTL_S_INVALID = 6,	  /* well formed, but the request cannot be done as asked */
	DLP_CTL_S_BUSY = 7,	  /* another change is in progress; try again */
	DLP_CTL_S_INTERNAL = 8,	  /* dlpd failed; its log says why */
	DLP_CTL_S_COUNT,
};

/*
 * Why dlp_ctl_decode() refused a message: finer than the status the server
 * answers with (dlp_ctl_fault_status()).  Returned negated.
 */
enum dlp_ctl_fault {
	DLP_CTL_FAULT_SHORT = 1,    /* shorter than the header */
	DLP_CTL_FAULT_MAGIC,	    /* not DLP_CTL_MAGIC */
	DLP_CTL_FAULT_VERSION,	    /* version 0, or above DLP_CTL_VERSION */
	DLP_CTL_FAULT_TOO_LARGE,    /* above DLP_CTL_MSG_MAX */
	DLP_CTL_FAULT_LENGTH,	    /* payload length and message size disagree */
	DLP_CTL_FAULT_FLAGS,	    /* unknown flag, or one the command does not take */
	DLP_CTL_FAULT_COMMAND,	    /* unknown command */
	DLP_CTL_FAULT_TRUNCATED,    /* an attribute runs past the end of its container */
	DLP_CTL_FAULT_UNKNOWN_ATTR, /* an attribute type this version does not define */
	DLP_CTL_FAULT_NOT_ALLOWED,  /* a known attribute the command or nest does not take */
	DLP_CTL_FAULT_DUPLICATE,    /* an attribute given twice that may be given once */
	DLP_CTL_FAULT_MISSING,	    /* a required attribute absent */
	DLP_CTL_FAULT_SIZE,	    /* a value of the wrong size for its kind */
	DLP_CTL_FAULT_NUL,	    /* a string without its final NUL, or with one inside */
	DLP_CTL_FAULT_UTF8,	    /* a string that is not UTF-8 */
	DLP_CTL_FAULT_RANGE,	    /* a number or enumeration out of range, a bad date/path */
	DLP_CTL_FAULT_COUNT,
};

/* Attribute types; wire values.  At most 64 (a bit each in a u64). */
enum dlp_ctl_attr_type {
	DLP_CTL_A_STATUS = 1,	     /* u32, enum dlp_ctl_status */
	DLP_CTL_A_MESSAGE = 2,	     /* string, <= 1 KiB */
	DLP_CTL_A_VERSION_MAX = 3,   /* u8, the highest version the server speaks */
	DLP_CTL_A_POLICY_NAME = 4,   /* string, the policy's file name */
	DLP_CTL_A_POLICY_TEXT = 5,   /* bytes, the policy source (dlpd compiles and judges it) */
	DLP_CTL_A_POLICY_SHA256 = 6, /* 32 bytes, digest of the policy text in force */
	DLP_CTL_A_MODE = 7,	     /* u8, enum dlp_mode (include/dlpguard/abi.h) */
	DLP_CTL_A_TIER = 8,	     /* string: mynumber, lgwan, internet */
	DLP_CTL_A_BUS = 9,	     /* u8, enum dlp_ctl_bus */
	DLP_CTL_A_VENDOR = 10,	     /* u16 */
	DLP_CTL_A_PRODUCT = 11,	     /* u16 */
	DLP_CTL_A_SERIAL = 12,	     /* string, <= 255 bytes (ID_SERIAL_SHORT) */
	DLP_CTL_A_REGNO = 13,	     /* string, <= 64 bytes, registration number */
	DLP_CTL_A_SECTION = 14,	     /* string, <= 256 bytes, owning section (所属) */
	DLP_CTL_A_ACCESS = 15,	     /* u8, enum dlp_ctl_access */
	DLP_CTL_A_UNTIL = 16,	     /* string YYYY-MM-DD, a real date: last valid day */
	DLP_CTL_A_PATH = 17,	     /* string, absolute, <= 4095 bytes */
	DLP_CTL_A_CLASS = 18,	     /* u8, enum dlp_class (abi.h), 機密性 rank */
	DLP_CTL_A_INTEGRITY = 19,    /* u8, enum dlp_integrity (abi.h), 完全性 */
	DLP_CTL_A_DEVICE = 20,	     /* nest: one medium (DEVICE_LIST) */
	DLP_CTL_A_STATE = 21,	     /* u8, enum dlp_ctl_device_state */
	DLP_CTL_A_DEVNAME = 22,	     /* string, <= 64 bytes, kernel name (sdb) */
	DLP_CTL_A_START = 23,	     /* u32, DEVICE_LIST: first device to return */
	DLP_CTL_A_LIMIT = 24,	     /* u32, 1 .. DLP_CTL_LIMIT_MAX items to return */
	DLP_CTL_A_TOTAL = 25,	     /* u32, DEVICE_LIST: devices there are */
	DLP_CTL_A_LINE = 26,	     /* string, <= 8 KiB: a diagnostic or an explanation */
	DLP_CTL_A_REASON = 27,	     /* string, <= 1 KiB: why (例外措置 are logged with it) */
	DLP_CTL_A_LOADED_AT = 28,    /* u64, Unix time the policy in force was applied */
	DLP_CTL_A_DECISIONS = 29,    /* u64, decisions logged since dlpd started */
	DLP_CTL_A_DROPPED = 30,	     /* u64, decisions lost (ring buffer full) */
	DLP_CTL_A_LSM = 31,	     /* u8, 0 or 1: BPF LSM enforcement active */
	DLP_CTL_A_GENERATION = 32,   /* u32, the generation of the policy in force */
	DLP_CTL_A_COUNT,
};

enum dlp_ctl_kind {
	DLP_CTL_K_U8,
	DLP_CTL_K_U16,
	DLP_CTL_K_U32,
	DLP_CTL_K_U64,
	DLP_CTL_K_STRING, /* UTF-8 + one final NUL */
	DLP_CTL_K_BYTES,  /* anything, up to the maximum length */
	DLP_CTL_K_NEST,
};

enum dlp_ctl_bus {
	DLP_CTL_BUS_USB = 1,
	DLP_CTL_BUS_MMC = 2, /* SD cards: vendor and product are manufacturer and OEM id */
};

enum dlp_ctl_access {
	DLP_CTL_ACCESS_RO = 1,
	DLP_CTL_ACCESS_RW = 2,
};

/* Wire values: never renumber; a retired one stays reserved. */
enum dlp_ctl_device_state {
	DLP_CTL_DEV_REGISTERED = 1,   /* in the ledger and valid today */
	DLP_CTL_DEV_EXPIRED = 2,      /* in the ledger, past its until day */
	DLP_CTL_DEV_UNREGISTERED = 3, /* not in the ledger */
	/* 4: reserved (BLOCKED, retired with DEVICE_BLOCK): out of range */
};

/* Items a DEVICE_LIST asks for at most (LIMIT). */
#define DLP_CTL_LIMIT_MAX 1000

/*
 * One attribute as decoded: a view into the message.  For a string, @data is
 * a NUL-terminated C string and @len counts its NUL; for numbers @num holds
 * the value.
 */
struct dlp_ctl_attr {
	__u16 type;
	__u16 len;
	const void *data;
	__u64 num;
};

/*
 * A decoded message.  Nothing is allocated: every pointer points into the
 * buffer given to dlp_ctl_decode(), which must outlive this struct.
 * Attributes that come once are in @attr, indexed by type (@present bit set);
 * repeated ones (DEVICE, LINE) are counted in @nrepeated and read with
 * dlp_ctl_attr_next() over @payload.
 */
struct dlp_ctl_msg {
	__u8 version;
	__u8 flags;
	__u16 command; /* enum dlp_ctl_cmd */
	__u32 id;
	bool response;
	__u32 status;	     /* responses: enum dlp_ctl_status */
	const char *message; /* responses: MESSAGE */
	__u64 present;	     /* bit t: attribute type t was given */
	struct dlp_ctl_attr attr[DLP_CTL_A_COUNT];
	unsigned int nrepeated;
	const void *payload;
	__u32 payload_len;
};

/*
 * A medium: a DEVICE_LIST item (a DEVICE nest).  Strings are NULL when
 * absent (or, when decoded, point into the message).
 */
struct dlp_ctl_device {
	__u8 bus; /* enum dlp_ctl_bus */
	__u16 vendor;
	__u16 product;
	const char *serial;
	const char *regno;   /* a registered item */
	const char *section; /* a registered item */
	__u8 access;	     /* enum dlp_ctl_access; 0: absent */
	const char *until;   /* YYYY-MM-DD */
	__u8 state;	     /* items: enum dlp_ctl_device_state; 0: absent */
	const char *devname; /* items */
};

/*
 * Building a message into a caller's buffer.  Errors are sticky: once a put
 * fails (the buffer or DLP_CTL_MSG_MAX is exceeded, a nest misused), every
 * later call does nothing and dlp_ctl_finish() returns the error.
 */
struct dlp_ctl_writer {
	unsigned char *buf;
	size_t size; /* min(buffer size, DLP_CTL_MSG_MAX) */
	size_t len;
	size_t nest; /* offset of the open nest's header; 0: none */
	int err;     /* 0 or -errno */
};

void dlp_ctl_begin(struct dlp_ctl_writer *w, void *buf, size_t size, __u16 command, __u32 id,
		   __u8 flags);
void dlp_ctl_begin_response(struct dlp_ctl_writer *w, void *buf, size_t size,
			    const struct dlp_ctl_msg *req, __u32 status, const char *message);
void dlp_ctl_put_u8(struct dlp_ctl_writer *w, __u16 type, __u8 v);
void dlp_ctl_put_u16(struct dlp_ctl_writer *w, __u16 type, __u16 v);
void dlp_ctl_put_u32(struct dlp_ctl_writer *w, __u16 type, __u32 v);
void dlp_ctl_put_u64(struct dlp_ctl_writer *w, __u16 type, __u64 v);
void dlp_ctl_put_str(struct dlp_ctl_writer *w, __u16 type, const char *s);
void dlp_ctl_put_bytes(struct dlp_ctl_writer *w, __u16 type, const void *data, size_t len);
void dlp_ctl_nest_begin(struct dlp_ctl_writer *w, __u16 type);
void dlp_ctl_nest_end(struct dlp_ctl_writer *w);
void dlp_ctl_put_device(struct dlp_ctl_writer *w, const struct dlp_ctl_device *dev);
int dlp_ctl_finish(struct dlp_ctl_writer *w);

/* Requests, one per command: each returns the message length, or -errno. */
int dlp_ctl_encode_simple(void *buf, size_t size, __u16 command, __u32 id);
/* A POLICY_APPLY request. */
struct dlp_ctl_policy_apply {
	const char *name; /* the policy's file name, for dlpd's diagnostics and log */
	const void *text; /* the policy source as read from the file */
	size_t text_len;
	bool dry_run; /* validate only */
	/*
	 * The SHA-256 of the policy in force this one was made from (an edit
	 * of it, as `dlpctl device allow` makes): dlpd refuses with BUSY if
	 * another is in force by then.  NULL: apply whatever is in force.
	 */
	const unsigned char *base_sha256;
	const char *reason; /* why, for the decision log; NULL: none */
};

int dlp_ctl_encode_policy_apply(void *buf, size_t size, __u32 id,
				const struct dlp_ctl_policy_apply *a);
int dlp_ctl_encode_device_list(void *buf, size_t size, __u32 id, __u32 start, __u32 limit);
int dlp_ctl_encode_label_set(void *buf, size_t size, __u32 id, const char *path, __u8 class,
			     __u8 integrity, const char *reason);
int dlp_ctl_encode_label_show(void *buf, size_t size, __u32 id, const char *path);
int dlp_ctl_encode_error(void *buf, size_t size, const void *req, size_t req_len, __u32 status,
			 const char *message);

int dlp_ctl_decode(const void *buf, size_t len, struct dlp_ctl_msg *ret);
bool dlp_ctl_attr_next(const void *data, size_t len, size_t *off, struct dlp_ctl_attr *ret);
void dlp_ctl_device_read(const struct dlp_ctl_attr *nest, struct dlp_ctl_device *ret);
enum dlp_ctl_kind dlp_ctl_attr_kind(__u16 type);

int dlp_ctl_fault_status(int fault);
const char *dlp_ctl_fault_str(int fault);
const char *dlp_ctl_status_str(__u32 status);
const char *dlp_ctl_cmd_name(__u16 command);
const char *dlp_ctl_attr_name(__u16 type);

int dlp_ctl_admin_gid(const char *group, gid_t *ret);
int dlp_ctl_peer_allowed(int fd, gid_t admin_gid, struct ucred *ret);
int dlp_ctl_listen(const char *path, gid_t admin_gid);
int dlp_ctl_connect(const char *path);
int dlp_ctl_call(int fd, const void *req, size_t len, void *resp, size_t resp_len, int timeout_ms);

#endif /* DLP_CTL_PROTO_H */
