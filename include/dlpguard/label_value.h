/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The value of the label extended attribute ('label xattr NAME',
 * docs/policy.md §2.4) and the one parser of it.  bpf/xattr.bpf.c reads the
 * attribute in the kernel (v6.12, bpf_get_file_xattr) and dlpd's resolver
 * reads it with getxattr(2) on kernels without that kfunc; both call
 * dlp_label_value_parse(), so a file has the same levels on either path.
 * Include after vmlinux.h (BPF) or on its own (user space).
 *
 * Grammar (bytes, UTF-8):
 *
 *	value  = level [ " " level ] [ "\n" ] [ NUL ]
 *	level  = "機密性" ( "1" | "2" | "3" | "3A" | "3B" | "3C" )
 *	       | "完全性" ( "1" | "2" )
 *
 * at most one level of each kind, in either order, exactly one ASCII space
 * between them, at most DLP_LABEL_VALUE_MAX bytes in all.  The trailing
 * newline is what echo(1) adds; the trailing NUL what a C string written
 * with its terminator (setfattr, setxattr(2) with strlen + 1) adds.  The
 * spellings the policy language also accepts (full-width digits, lower case,
 * "機密性 2", "class 2") are not accepted here: an attribute is written by a
 * tool, once, and a strict grammar keeps the kernel's parser small.
 *
 * Worked example.  The attribute
 *
 *	user.dlpguard.label = "機密性3A 完全性2\n"	(23 bytes)
 *
 * parses to class DLP_CLASS_3A (5) and integrity DLP_INTEG_2 (2); "完全性2"
 * alone to class 0 and integrity 2; "機密性3" and "機密性3C" both to class
 * DLP_CLASS_3.  "機密性2  完全性2" (two spaces), "機密性２" (full-width 2),
 * "機密性2 機密性3" (a kind twice) and "" do not parse.
 *
 * A value that does not parse still says the file is labelled: callers treat
 * false as "labelled, unreadable" and fail closed, giving the file
 * DLP_CLASS_MAX and DLP_INTEG_MAX, so that a typo never lowers a label.
 */
#ifndef DLPGUARD_LABEL_VALUE_H
#define DLPGUARD_LABEL_VALUE_H

#include <dlpguard/abi.h>

#ifndef __VMLINUX_H__
#include <stdbool.h>
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Longest value, trailing newline and NUL included; longer is malformed. */
#define DLP_LABEL_VALUE_MAX 32

/* The kanji of the two level words, as their three UTF-8 bytes. */
#define DLP_LABEL_KI	0xe6a99f /* 機 U+6A5F */
#define DLP_LABEL_MITSU 0xe5af86 /* 密 U+5BC6 */
#define DLP_LABEL_KAN	0xe5ae8c /* 完 U+5B8C */
#define DLP_LABEL_ZEN	0xe585a8 /* 全 U+5168 */
#define DLP_LABEL_SEI	0xe680a7 /* 性 U+6027 */

/* Bytes of a level word before its rank: 機密性 or 完全性. */
#define DLP_LABEL_WORD_PREFIX 9

/* Whether the three bytes at p are the kanji whose UTF-8 bytes are utf8. */
static __always_inline bool dlp_label_kanji_is(const __u8 *p, __u32 utf8)
{
	return p[0] == (__u8)(utf8 >> 16) && p[1] == (__u8)(utf8 >> 8) && p[2] == (__u8)utf8;
}

/*
 * Whether buf[off, len) is the end of a value: nothing, "\n", NUL or "\n"
 * NUL.  Every read is at a fixed distance from off and below len.
 */
static __always_inline bool dlp_label_value_end(const __u8 *buf, __u32 off, __u32 len)
{
	if (len == off)
		return true;
	if (len == off + 1)
		return buf[off] == '\n' || buf[off] == '\0';
	if (len == off + 2)
		return buf[off] == '\n' && buf[off + 1] == '\0';
	return false;
}

/* Which kind of level a word gives. */
#define DLP_LABEL_KIND_CLASS	 1
#define DLP_LABEL_KIND_INTEGRITY 2

/*
 * The level word at buf[off], of the value buf[0, len): its length (10 or
 * 11 bytes), and in *kind and *rank either DLP_LABEL_KIND_CLASS and an enum
 * dlp_class or DLP_LABEL_KIND_INTEGRITY and an enum dlp_integrity.  0 when
 * no level word starts there.  A rank letter is taken only after 3, so in
 * "機密性2A" the word is "機密性2" and the A is left for the caller, whose
 * check of what follows a word refuses it.
 */
static __always_inline __u32 dlp_label_word(const __u8 *buf, __u32 off, __u32 len, __u8 *kind,
					    __u8 *rank)
{
	const __u8 *w = buf + off;
	__u8 r, suffix;

	if (len < off + DLP_LABEL_WORD_PREFIX + 1)
		return 0;
	if (!dlp_label_kanji_is(w + 6, DLP_LABEL_SEI))
		return 0;
	r = w[DLP_LABEL_WORD_PREFIX];
	suffix = len > off + DLP_LABEL_WORD_PREFIX + 1 ? w[DLP_LABEL_WORD_PREFIX + 1] : 0;

	if (dlp_label_kanji_is(w, DLP_LABEL_KAN) && dlp_label_kanji_is(w + 3, DLP_LABEL_ZEN)) {
		*kind = DLP_LABEL_KIND_INTEGRITY;
		switch (r) {
		case '1':
			*rank = DLP_INTEG_1;
			return DLP_LABEL_WORD_PREFIX + 1;
		case '2':
			*rank = DLP_INTEG_2;
			return DLP_LABEL_WORD_PREFIX + 1;
		default:
			return 0;
		}
	}
	if (!dlp_label_kanji_is(w, DLP_LABEL_KI) || !dlp_label_kanji_is(w + 3, DLP_LABEL_MITSU))
		return 0;
	*kind = DLP_LABEL_KIND_CLASS;
	switch (r) {
	case '1':
		*rank = DLP_CLASS_1;
		return DLP_LABEL_WORD_PREFIX + 1;
	case '2':
		*rank = DLP_CLASS_2;
		return DLP_LABEL_WORD_PREFIX + 1;
	case '3':
		break;
	default:
		return 0;
	}
	switch (suffix) {
	case 'A':
		*rank = DLP_CLASS_3A;
		return DLP_LABEL_WORD_PREFIX + 2;
	case 'B':
		*rank = DLP_CLASS_3B;
		return DLP_LABEL_WORD_PREFIX + 2;
	case 'C':
		*rank = DLP_CLASS_3; /* 3C ranks with the older 3 */
		return DLP_LABEL_WORD_PREFIX + 2;
	default:
		*rank = DLP_CLASS_3;
		return DLP_LABEL_WORD_PREFIX + 1;
	}
}

/*
 * dlp_label_value_parse() - read the levels of a label attribute value
 * @buf: the value as read, not NUL-terminated; in BPF a buffer of at least
 *	DLP_LABEL_VALUE_MAX bytes (only buf[0, len) is read)
 * @len: its length in bytes
 * @ret_class: the 機密性 rank (enum dlp_class), 0 if the value gives none
 * @ret_integrity: the 完全性 level (enum dlp_integrity), 0 if none
 *
 * No loops, and every read is at a fixed offset from one of the at most two
 * places a word may start, so the same code passes the verifier in
 * sleepable and non-sleepable programs alike.
 *
 * Return: true, with both outputs set, if @buf is a value of the grammar at
 * the top of this file; false, with the outputs untouched, otherwise.  A
 * caller that reads false gives the file DLP_CLASS_MAX and DLP_INTEG_MAX.
 */
static __always_inline bool dlp_label_value_parse(const __u8 *buf, __u32 len, __u8 *ret_class,
						  __u8 *ret_integrity)
{
	__u8 kind1 = 0, rank1 = 0, kind2 = 0, rank2 = 0;
	__u32 n1, n2;

	if (len > DLP_LABEL_VALUE_MAX)
		return false;

	n1 = dlp_label_word(buf, 0, len, &kind1, &rank1);
	if (n1 == 0)
		return false;
	if (!dlp_label_value_end(buf, n1, len)) {
		if (len <= n1 || buf[n1] != ' ')
			return false;
		n2 = dlp_label_word(buf, n1 + 1, len, &kind2, &rank2);
		if (n2 == 0 || kind2 == kind1 || !dlp_label_value_end(buf, n1 + 1 + n2, len))
			return false;
	}

	*ret_class = DLP_CLASS_NONE;
	*ret_integrity = DLP_INTEG_NONE;
	if (kind1 == DLP_LABEL_KIND_CLASS)
		*ret_class = rank1;
	else
		*ret_integrity = rank1;
	if (kind2 == DLP_LABEL_KIND_CLASS)
		*ret_class = rank2;
	else if (kind2 == DLP_LABEL_KIND_INTEGRITY)
		*ret_integrity = rank2;
	return true;
}

#endif /* DLPGUARD_LABEL_VALUE_H */
