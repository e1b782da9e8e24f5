// SPDX-License-Identifier: GPL-2.0
/*
 * The compiled policy as JSON.  The output is stable: keys in a fixed order,
 * lists in file order (prefixes in table order), two-space indentation, UTF-8
 * as is.  Its layout is described in docs/policy.md §5.
 */
#include <errno.h>
#include <stdarg.h>

#include "policy.h"

#define JSON_FORMAT 1

struct json {
	FILE *out;
	unsigned int depth;
	bool first;		/* no member written yet at this depth */
};

static void json_string(struct json *js, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', js->out);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(js->out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(js->out, "\\u%04x", *p);
		else
			fputc(*p, js->out);
	}
	fputc('"', js->out);
}

static void json_indent(struct json *js)
{
	unsigned int i;

	fputc('\n', js->out);
	for (i = 0; i < js->depth; i++)
		fputs("  ", js->out);
}

/* Start a member ("key": ) or an array element (key NULL). */
static void json_member(struct json *js, const char *key)
{
	if (!js->first)
		fputc(',', js->out);
	js->first = false;
	json_indent(js);
	if (key) {
		json_string(js, key);
		fputs(": ", js->out);
	}
}

static void json_open(struct json *js, const char *key, char bracket)
{
	if (key || js->depth)
		json_member(js, key);
	fputc(bracket, js->out);
	js->depth++;
	js->first = true;
}

static void json_close(struct json *js, char bracket)
{
	bool empty = js->first;

	js->depth--;
	if (!empty)
		json_indent(js);
	fputc(bracket, js->out);
	js->first = false;
}

static void json_str(struct json *js, const char *key, const char *val)
{
	json_member(js, key);
	if (val)
		json_string(js, val);
	else
		fputs("null", js->out);
}

__attribute__((format(printf, 3, 4)))
static void json_raw(struct json *js, const char *key, const char *fmt, ...)
{
	va_list ap;

	json_member(js, key);
	va_start(ap, fmt);
	vfprintf(js->out, fmt, ap);
	va_end(ap);
}

static void write_level(struct json *js, enum dlp_level level, enum dlp_integrity integ)
{
	json_str(js, "class", level ? dlp_level_names[level] : NULL);
	json_raw(js, "class_rank", "%d", dlp_level_class(level));
	if (integ)
		json_raw(js, "integrity", "%d", integ);
	else
		json_str(js, "integrity", NULL);
}

static void write_zones(struct json *js, const struct dlp_policy *pol)
{
	char buf[DLP_NETWORK_STRLEN];
	unsigned int i, k;

	json_open(js, "zones", '[');
	for (i = 0; i < pol->nzones; i++) {
		json_open(js, NULL, '{');
		json_raw(js, "id", "%u", i);
		json_str(js, "name", pol->zones[i].name);
		json_open(js, "networks", '[');
		for (k = 0; k < pol->zones[i].nnets; k++) {
			dlp_network_format(&pol->zones[i].nets[k], buf, sizeof(buf));
			json_str(js, NULL, buf);
		}
		json_close(js, ']');
		json_close(js, '}');
	}
	json_close(js, ']');

	json_open(js, "prefixes", '[');
	for (i = 0; i < pol->nprefixes; i++) {
		json_open(js, NULL, '{');
		dlp_network_format(&pol->prefixes[i].net, buf, sizeof(buf));
		json_str(js, "network", buf);
		json_open(js, "zones", '[');
		for (k = 0; k < pol->nzones; k++)
			if (pol->prefixes[i].zones & (1ULL << k))
				json_str(js, NULL, pol->zones[k].name);
		json_close(js, ']');
		json_close(js, '}');
	}
	json_close(js, ']');
}

static void write_labels(struct json *js, const struct dlp_policy *pol)
{
	const struct dlp_label *lb;
	unsigned int i;

	json_open(js, "labels", '{');
	json_str(js, "xattr", pol->label_xattr);
	json_open(js, "rules", '[');
	for (i = 0; i < pol->nlabels; i++) {
		lb = &pol->labels[i];
		json_open(js, NULL, '{');
		json_raw(js, "line", "%u", lb->pos.line);
		json_str(js, "kind", lb->kind == DLP_LABEL_DIR ? "dir" : "prefix");
		json_str(js, "match", lb->match);
		write_level(js, lb->level, lb->integrity);
		json_close(js, '}');
	}
	json_close(js, ']');
	json_close(js, '}');
}

static void write_media(struct json *js, const struct dlp_policy *pol)
{
	const struct dlp_media *m;
	char buf[16];
	unsigned int i;

	json_open(js, "media", '{');
	json_str(js, "unregistered", dlp_unregistered_names[pol->unregistered]);
	json_open(js, "ledger", '[');
	for (i = 0; i < pol->nmedia; i++) {
		m = &pol->media[i];
		json_open(js, NULL, '{');
		json_raw(js, "line", "%u", m->pos.line);
		json_str(js, "regno", m->regno);
		json_str(js, "bus", dlp_bus_names[m->bus]);
		json_raw(js, "vendor", "\"%04x\"", m->vendor);
		json_raw(js, "product", "\"%04x\"", m->product);
		json_str(js, "serial", m->serial);
		json_str(js, "section", m->section);
		json_str(js, "access", m->writable ? "rw" : "ro");
		snprintf(buf, sizeof(buf), "%04u-%02u-%02u", m->until.year, m->until.month,
			 m->until.day);
		json_str(js, "until", buf);
		json_close(js, '}');
	}
	json_close(js, ']');
	json_close(js, '}');
}

static void write_object(struct json *js, const struct dlp_policy *pol, const struct dlp_rule *r)
{
	static const char *const media_sel[] = {
		[DLP_OBJ_MEDIA_ANY] = "any",
		[DLP_OBJ_MEDIA_REGISTERED] = "registered",
		[DLP_OBJ_MEDIA_UNREGISTERED] = "unregistered",
	};
	unsigned int i;

	json_open(js, "object", '{');
	switch (r->object) {
	case DLP_OBJ_MEDIA_ANY:
	case DLP_OBJ_MEDIA_REGISTERED:
	case DLP_OBJ_MEDIA_UNREGISTERED:
		json_str(js, "kind", "media");
		json_str(js, "media", media_sel[r->object]);
		break;
	case DLP_OBJ_MEDIA_ENTRY:
		json_str(js, "kind", "media");
		json_str(js, "media", "entry");
		json_str(js, "regno", pol->media[r->object_index].regno);
		break;
	case DLP_OBJ_PATH:
		json_str(js, "kind", "path");
		json_str(js, "path", r->object_name);
		break;
	case DLP_OBJ_LABEL:
		json_str(js, "kind", "label");
		write_level(js, r->label_level, r->label_integrity);
		break;
	case DLP_OBJ_ZONE:
	case DLP_OBJ_ANY_ADDRESS:
		json_str(js, "kind", "zone");
		json_str(js, "zone", r->object == DLP_OBJ_ZONE ?
			 pol->zones[r->object_index].name : "any");
		json_open(js, "ports", '[');
		for (i = 0; i < r->nports; i++)
			json_raw(js, NULL, "[%u, %u]", r->ports[i].lo, r->ports[i].hi);
		json_close(js, ']');
		json_str(js, "proto", dlp_proto_names[r->proto]);
		break;
	}
	json_close(js, '}');
}

static void write_rules(struct json *js, const struct dlp_policy *pol)
{
	static const char *const subjects[] = { "any", "user", "group" };
	const struct dlp_rule *r;
	unsigned int i;

	json_open(js, "rules", '[');
	for (i = 0; i < pol->nrules; i++) {
		r = &pol->rules[i];
		json_open(js, NULL, '{');
		json_str(js, "id", r->id);
		json_raw(js, "line", "%u", r->pos.line);
		json_str(js, "verdict", dlp_verdict_names[r->verdict]);
		json_str(js, "action", dlp_action_names[r->action]);
		write_object(js, pol, r);
		json_open(js, "subject", '{');
		json_str(js, "kind", subjects[r->subject]);
		if (r->subject != DLP_SUBJ_ANY)
			json_str(js, "name", r->subject_name);
		json_close(js, '}');
		if (r->taint_cmp == DLP_CMP_NONE) {
			json_str(js, "taint", NULL);
		} else {
			json_open(js, "taint", '{');
			json_str(js, "op", dlp_cmp_names[r->taint_cmp]);
			json_str(js, "class", dlp_level_names[r->taint_level]);
			json_raw(js, "class_rank", "%d", dlp_level_class(r->taint_level));
			json_close(js, '}');
		}
		json_close(js, '}');
	}
	json_close(js, ']');
}

/**
 * dlp_policy_write_json() - print a compiled policy as stable JSON
 * @pol: a policy dlp_policy_compile() accepted
 * @out: where to print
 *
 * Return: 0, or -EIO if the stream reported an error.
 */
int dlp_policy_write_json(const struct dlp_policy *pol, FILE *out)
{
	struct json js = { .out = out, .first = true };
	char hex[2 * sizeof(pol->sha256) + 1];
	unsigned int i;

	for (i = 0; i < sizeof(pol->sha256); i++)
		snprintf(hex + 2 * i, 3, "%02x", pol->sha256[i]);

	json_open(&js, NULL, '{');
	json_raw(&js, "format", "%d", JSON_FORMAT);
	json_str(&js, "sha256", hex);
	json_raw(&js, "version", "%u", pol->version);
	json_str(&js, "mode", dlp_mode_names[pol->mode]);
	json_str(&js, "tier", dlp_tier_names[pol->tier]);
	json_open(&js, "defaults", '{');
	for (i = 0; i < DLP_ACT_COUNT; i++)
		json_str(&js, dlp_action_names[i], dlp_verdict_names[pol->defaults[i]]);
	json_close(&js, '}');
	write_zones(&js, pol);
	write_labels(&js, pol);
	write_media(&js, pol);
	write_rules(&js, pol);
	json_close(&js, '}');
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}
