// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/policy_json.c: the compiled policy as JSON
 * (docs/policy.md §5): the exact text, string escaping, UTF-8 as is,
 * stability, and the SHA-256 of the source it carries.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "policy.h"
#include "utf8.h"

static struct dlp_policy pol;	/* what the last load() read */
static char *json;		/* what the last to_json() wrote */
static char *json2;		/* a second writing, for stability */

static int teardown(void **state)
{
	(void)state;
	dlp_policy_free(&pol);
	free(json);
	free(json2);
	json = json2 = NULL;
	return 0;
}

/* Load @len bytes of @src, which must be a valid policy. */
static void load_n(const char *src, size_t len)
{
	struct dlp_diag diag;
	char *diags = NULL;
	size_t dlen;
	FILE *f = open_memstream(&diags, &dlen);
	int ret;

	assert_non_null(f);
	dlp_policy_free(&pol);
	dlp_diag_init(&diag, "t.policy", f);
	ret = dlp_policy_load_buffer(&pol, src, len, &diag);
	fclose(f);
	if (ret || *diags)
		print_error("%s", diags);
	free(diags);
	assert_int_equal(ret, 0);
	assert_int_equal(diag.warnings, 0);
}

static void load(const char *src)
{
	load_n(src, strlen(src));
}

/* The policy as JSON, in *@out (freed by the teardown). */
static const char *write_to(char **out)
{
	size_t len;
	FILE *f;

	free(*out);
	*out = NULL;
	f = open_memstream(out, &len);
	assert_non_null(f);
	assert_int_equal(dlp_policy_write_json(&pol, f), 0);
	fclose(f);
	return *out;
}

static const char *to_json(void)
{
	return write_to(&json);
}

/* The SHA-256 of @len bytes of @src, in lower-case hex. */
static void sha256_hex(const char *src, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	assert_true(EVP_Digest(src, len, md, &mdlen, EVP_sha256(), NULL));
	assert_int_equal(mdlen, 32);
	for (i = 0; i < mdlen; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
}

/* sha256sum(1) of small_src and minimal_src below */
#define SMALL_SHA256 "228351920d84c9999950ef637767175910197bdb26f2f4e1d42e74c6a31613d4"
#define MINIMAL_SHA256 "db9a5c43c8ddf13792645235838447bd43b63d3ddb769dba6c9eb32b9f5e980b"

/* Every kind of statement, object, subject and condition. */
static const char small_src[] =
	"version 1\n"
	"mode enforce\n"
	"tier lgwan\n"
	"default deny\n"
	"default connect allow\n"
	"media unregistered readonly\n"
	"zone 庁内 10.0.0.0/8\n"
	"zone 無害化 10.20.30.40 fd00::/8\n"
	"label dir \"/share/人事 給与\" 機密性3A 完全性2\n"
	"label prefix 機2_ class 2\n"
	"label xattr user.dlpguard\n"
	"media 総務-1 bus usb id 0781:5583 serial \"A\\\"B\\\\C\" section 総務課 access ro until "
	"2027-03-31\n"
	"rule gw allow connect zone 無害化 port 443,8000-8080 proto tcp by group bunsho if class < "
	"3C\n"
	"rule m audit mount media 総務-1\n"
	"rule r allow mount media registered\n"
	"rule u deny write media unregistered\n"
	"rule w deny write media by user 1000\n"
	"rule k deny modify label 完全性2\n"
	"rule d deny delete label 機密性2 by any\n"
	"rule p deny write path /home if 機密性 >= 3\n"
	"rule a allow send zone any\n";

/* What `dlpctl policy show --json` prints for it. */
static const char small_json[] =
	"{\n"
	"  \"format\": 1,\n"
	"  \"sha256\": \"" SMALL_SHA256 "\",\n"
	"  \"version\": 1,\n"
	"  \"mode\": \"enforce\",\n"
	"  \"tier\": \"lgwan\",\n"
	"  \"defaults\": {\n"
	"    \"mount\": \"deny\",\n"
	"    \"write\": \"deny\",\n"
	"    \"modify\": \"deny\",\n"
	"    \"delete\": \"deny\",\n"
	"    \"connect\": \"allow\",\n"
	"    \"send\": \"deny\"\n"
	"  },\n"
	"  \"zones\": [\n"
	"    {\n"
	"      \"id\": 0,\n"
	"      \"name\": \"庁内\",\n"
	"      \"networks\": [\n"
	"        \"10.0.0.0/8\"\n"
	"      ]\n"
	"    },\n"
	"    {\n"
	"      \"id\": 1,\n"
	"      \"name\": \"無害化\",\n"
	"      \"networks\": [\n"
	"        \"10.20.30.40/32\",\n"
	"        \"fd00::/8\"\n"
	"      ]\n"
	"    }\n"
	"  ],\n"
	"  \"prefixes\": [\n"
	"    {\n"
	"      \"network\": \"10.0.0.0/8\",\n"
	"      \"zones\": [\n"
	"        \"庁内\"\n"
	"      ]\n"
	"    },\n"
	"    {\n"
	"      \"network\": \"10.20.30.40/32\",\n"
	"      \"zones\": [\n"
	"        \"庁内\",\n"
	"        \"無害化\"\n"
	"      ]\n"
	"    },\n"
	"    {\n"
	"      \"network\": \"fd00::/8\",\n"
	"      \"zones\": [\n"
	"        \"無害化\"\n"
	"      ]\n"
	"    }\n"
	"  ],\n"
	"  \"labels\": {\n"
	"    \"xattr\": \"user.dlpguard\",\n"
	"    \"rules\": [\n"
	"      {\n"
	"        \"line\": 9,\n"
	"        \"kind\": \"dir\",\n"
	"        \"match\": \"/share/人事 給与\",\n"
	"        \"class\": \"3A\",\n"
	"        \"class_rank\": 5,\n"
	"        \"integrity\": 2\n"
	"      },\n"
	"      {\n"
	"        \"line\": 10,\n"
	"        \"kind\": \"prefix\",\n"
	"        \"match\": \"機2_\",\n"
	"        \"class\": \"2\",\n"
	"        \"class_rank\": 2,\n"
	"        \"integrity\": null\n"
	"      }\n"
	"    ]\n"
	"  },\n"
	"  \"media\": {\n"
	"    \"unregistered\": \"readonly\",\n"
	"    \"ledger\": [\n"
	"      {\n"
	"        \"line\": 12,\n"
	"        \"regno\": \"総務-1\",\n"
	"        \"bus\": \"usb\",\n"
	"        \"vendor\": \"0781\",\n"
	"        \"product\": \"5583\",\n"
	"        \"serial\": \"A\\\"B\\\\C\",\n"
	"        \"section\": \"総務課\",\n"
	"        \"access\": \"ro\",\n"
	"        \"until\": \"2027-03-31\"\n"
	"      }\n"
	"    ]\n"
	"  },\n"
	"  \"rules\": [\n"
	"    {\n"
	"      \"id\": \"gw\",\n"
	"      \"line\": 13,\n"
	"      \"verdict\": \"allow\",\n"
	"      \"action\": \"connect\",\n"
	"      \"object\": {\n"
	"        \"kind\": \"zone\",\n"
	"        \"zone\": \"無害化\",\n"
	"        \"ports\": [\n"
	"          [443, 443],\n"
	"          [8000, 8080]\n"
	"        ],\n"
	"        \"proto\": \"tcp\"\n"
	"      },\n"
	"      \"subject\": {\n"
	"        \"kind\": \"group\",\n"
	"        \"name\": \"bunsho\"\n"
	"      },\n"
	"      \"taint\": {\n"
	"        \"op\": \"<\",\n"
	"        \"class\": \"3C\",\n"
	"        \"class_rank\": 3\n"
	"      }\n"
	"    },\n"
	"    {\n"
	"      \"id\": \"m\",\n"
	"      \"line\": 14,\n"
	"      \"verdict\": \"audit\",\n"
	"      \"action\": \"mount\",\n"
	"      \"object\": {\n"
	"        \"kind\": \"media\",\n"
	"        \"media\": \"entry\",\n"
	"        \"regno\": \"総務-1\"\n"
	"      },\n"
	"      \"subject\": {\n"
	"        \"kind\": \"any\"\n"
	"      },\n"
	"      \"taint\": null\n"
	"    },\n"
	"    {\n"
	"      \"id\": \"r\",\n"
	"      \"line\": 15,\n"
	"      \"verdict\": \"allow\",\n"
	"      \"action\": \"mount\",\n"
	"      \"object\": {\n"
	"        \"kind\": \"media\",\n"
	"        \"media\": \"registered\"\n"
	"      },\n"
	"      \"subject\": {\n"
	"        \"kind\": \"any\"\n"
	"      },\n"
	"      \"taint\": null\n"
	"    },\n"
	"    {\n"
	"      \"id\": \"u\",\n"
	"      \"line\": 16,\n"
	"      \"verdict\": \"deny\",\n"
	"      \"action\": \"write\",\n"
	"      \"object\": {\n"
	"        \"kind\": \"media\",\n"
	"        \"media\": \"unregistered\"\n"
	"      },\n"
	"      \"subject\": {\n"
	"        \"kind\": \"any\"\n"
	"      },\n"
	"      \"taint\": null\n"
	"    },\n"
	"    {\n"
	"      \"id\": \"w\",\n"
	"      \"line\": 17,\n"
	"      \"verdict\": \"deny\",\n"
	"      \"action\": \"write\",\n"
	"      \"object\": {\n"
	"        \"kind\": \"media\",\n"
	"        \"media\": \"any\"\n"
	"      },\n"
	"      \"subject\": {\n"
	"        \"kind\": \"user\",\n"
	"        \"name\": \"1000\"\n"
	"      },\n"
	"      \"taint\": null\n"
	"    },\n"
	"    {\n"
	"      \"id\": \"k\",\n"
	"      \"line\": 18,\n"
	"      \"verdict\": \"deny\",\n"
	"      \"action\": \"modify\",\n"
	"      \"object\": {\n"
	"        \"kind\": \"label\",\n"
	"        \"class\": null,\n"
	"        \"class_rank\": 0,\n"
	"        \"integrity\": 2\n"
	"      },\n"
	"      \"subject\": {\n"
	"        \"kind\": \"any\"\n"
	"      },\n"
	"      \"taint\": null\n"
	"    },\n"
	"    {\n"
	"      \"id\": \"d\",\n"
	"      \"line\": 19,\n"
	"      \"verdict\": \"deny\",\n"
	"      \"action\": \"delete\",\n"
	"      \"object\": {\n"
	"        \"kind\": \"label\",\n"
	"        \"class\": \"2\",\n"
	"        \"class_rank\": 2,\n"
	"        \"integrity\": null\n"
	"      },\n"
	"      \"subject\": {\n"
	"        \"kind\": \"any\"\n"
	"      },\n"
	"      \"taint\": null\n"
	"    },\n"
	"    {\n"
	"      \"id\": \"p\",\n"
	"      \"line\": 20,\n"
	"      \"verdict\": \"deny\",\n"
	"      \"action\": \"write\",\n"
	"      \"object\": {\n"
	"        \"kind\": \"path\",\n"
	"        \"path\": \"/home\"\n"
	"      },\n"
	"      \"subject\": {\n"
	"        \"kind\": \"any\"\n"
	"      },\n"
	"      \"taint\": {\n"
	"        \"op\": \">=\",\n"
	"        \"class\": \"3\",\n"
	"        \"class_rank\": 3\n"
	"      }\n"
	"    },\n"
	"    {\n"
	"      \"id\": \"a\",\n"
	"      \"line\": 21,\n"
	"      \"verdict\": \"allow\",\n"
	"      \"action\": \"send\",\n"
	"      \"object\": {\n"
	"        \"kind\": \"zone\",\n"
	"        \"zone\": \"any\",\n"
	"        \"ports\": [],\n"
	"        \"proto\": \"any\"\n"
	"      },\n"
	"      \"subject\": {\n"
	"        \"kind\": \"any\"\n"
	"      },\n"
	"      \"taint\": null\n"
	"    }\n"
	"  ]\n"
	"}\n";

static const char minimal_src[] =
	"mode monitor\n"
	"tier mynumber\n"
	"default audit\n"
	"media unregistered deny\n";

static const char minimal_json[] =
	"{\n"
	"  \"format\": 1,\n"
	"  \"sha256\": \"" MINIMAL_SHA256 "\",\n"
	"  \"version\": 1,\n"
	"  \"mode\": \"monitor\",\n"
	"  \"tier\": \"mynumber\",\n"
	"  \"defaults\": {\n"
	"    \"mount\": \"audit\",\n"
	"    \"write\": \"audit\",\n"
	"    \"modify\": \"audit\",\n"
	"    \"delete\": \"audit\",\n"
	"    \"connect\": \"audit\",\n"
	"    \"send\": \"audit\"\n"
	"  },\n"
	"  \"zones\": [],\n"
	"  \"prefixes\": [],\n"
	"  \"labels\": {\n"
	"    \"xattr\": null,\n"
	"    \"rules\": []\n"
	"  },\n"
	"  \"media\": {\n"
	"    \"unregistered\": \"deny\",\n"
	"    \"ledger\": []\n"
	"  },\n"
	"  \"rules\": []\n"
	"}\n";

static void test_full_text(void **state)
{
	(void)state;
	load(small_src);
	assert_string_equal(to_json(), small_json);
}

static void test_minimal_text(void **state)
{
	(void)state;
	load(minimal_src);
	assert_string_equal(to_json(), minimal_json);
}

static void test_sha256(void **state)
{
	char hex[65], *src;
	const char *p;

	(void)state;
	/* the digests above, recomputed */
	sha256_hex(small_src, strlen(small_src), hex);
	assert_string_equal(hex, SMALL_SHA256);
	sha256_hex(minimal_src, strlen(minimal_src), hex);
	assert_string_equal(hex, MINIMAL_SHA256);

	/* of the bytes as given: a byte-order mark and CRs change it, not the policy */
	assert_true(asprintf(&src, "\xef\xbb\xbfmode monitor\r\ntier mynumber\r\n"
			     "default audit\r\nmedia unregistered deny\r\n") > 0);
	load(src);
	sha256_hex(src, strlen(src), hex);
	free(src);
	p = strstr(to_json(), "\"sha256\": \"");
	assert_non_null(p);
	assert_memory_equal(p + 11, hex, 64);
	assert_int_equal(p[11 + 64], '"');
	assert_string_not_equal(hex, MINIMAL_SHA256);
	/* the rest is the same policy */
	assert_string_equal(json + 11 + 64 + (p - json), minimal_json + 11 + 64 + (p - json));
}

static void test_escaping(void **state)
{
	(void)state;
	/* quotes and backslashes in a serial, a path and a section; a tab in a string */
	load("mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"
	     "media \"R \\\"1\\\"\" bus usb id 0781:5583 serial \"4C53\\\"00\\\\01\" "
	     "section \"総務\tdesk\" access rw until 2027-03-31\n"
	     "label dir \"/share/\\\"x\\\"\\\\y\" 機密性2\n"
	     "rule \"r\" allow mount media \"R \\\"1\\\"\" by user \"a\\\\b\"\n");
	to_json();
	assert_non_null(strstr(json, "\n        \"regno\": \"R \\\"1\\\"\",\n"));
	assert_non_null(strstr(json, "\n        \"serial\": \"4C53\\\"00\\\\01\",\n"));
	assert_non_null(strstr(json, "\n        \"section\": \"総務\\u0009desk\",\n"));
	assert_non_null(strstr(json, "\n        \"match\": \"/share/\\\"x\\\"\\\\y\",\n"));
	assert_non_null(strstr(json, "\n        \"name\": \"a\\\\b\"\n"));
	assert_non_null(strstr(json, "\n        \"regno\": \"R \\\"1\\\"\"\n"));
	assert_null(strchr(json, '\t'));
}

static void test_escaping_controls(void **state)
{
	(void)state;
	/*
	 * The lexer lets no control character but tab into a policy; the writer
	 * escapes them all the same.
	 */
	dlp_policy_free(&pol);
	pol.label_xattr = strdup("user.\x01\x1f\x7f\n\r\"\\\x80\xe6\xa9\x9f");
	assert_non_null(pol.label_xattr);
	to_json();
	assert_non_null(strstr(json, "\n    \"xattr\": \"user.\\u0001\\u001f\\u007f\\u000a\\u000d"
				     "\\\"\\\\\x80\xe6\xa9\x9f\",\n"));
}

static void test_utf8_as_is(void **state)
{
	(void)state;
	load("mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"
	     "zone 庁内😀 10.0.0.0/8\n"
	     "label prefix ｶﾅ機密_ 機密性３ａ\n");
	to_json();
	assert_true(dlp_utf8_valid(json, strlen(json)));
	assert_null(strstr(json, "\\u"));
	assert_non_null(strstr(json, "\"name\": \"庁内😀\""));
	assert_non_null(strstr(json, "\"zones\": [\n        \"庁内😀\"\n      ]"));
	assert_non_null(strstr(json, "\"match\": \"ｶﾅ機密_\""));
	/* the level as the language spells it, not as typed */
	assert_non_null(strstr(json, "\"class\": \"3A\",\n        \"class_rank\": 5,"));
}

static void test_stable(void **state)
{
	(void)state;
	load(small_src);
	to_json();
	write_to(&json2);
	assert_string_equal(json, json2);
	/* and the same again from a fresh load */
	load(small_src);
	write_to(&json2);
	assert_string_equal(json, json2);
}

static void test_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	load(minimal_src);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(dlp_policy_write_json(&pol, f), -EIO);
	fclose(f);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_full_text),
		T(test_minimal_text),
		T(test_sha256),
		T(test_escaping),
		T(test_escaping_controls),
		T(test_utf8_as_is),
		T(test_stable),
		T(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
