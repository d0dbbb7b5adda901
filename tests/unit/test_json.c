/*
 * test_json.c: unit tests of common/json.c: plain text, the escapes RFC
 * 8259 requires, well-formed UTF-8 copied, malformed UTF-8 (stray
 * continuation bytes, overlong forms, surrogates, code points above
 * U+10FFFF, cut sequences) replaced by \ufffd, NUL inside a string, and
 * a write error.  Strings are written to memory; the one file touched is
 * /dev/full, to see a write fail.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "common/json.h"

/* json_str of s[0..len) compared with want. */
static void
check(const char *s, size_t len, const char *want)
{
	char  *out = NULL;
	size_t outlen = 0;
	FILE  *fp;

	fp = open_memstream(&out, &outlen);
	assert_non_null(fp);
	assert_int_equal(json_str(fp, s, len), 0);
	assert_int_equal(fclose(fp), 0);
	assert_string_equal(out, want);
	free(out);
}

#define CHECK(lit, want) check(lit, sizeof(lit) - 1, want)

static void
test_plain(void **state)
{
	(void)state;
	CHECK("", "\"\"");
	CHECK("dir/file name.bin", "\"dir/file name.bin\"");
}

static void
test_escapes(void **state)
{
	(void)state;
	CHECK("a\"b\\c", "\"a\\\"b\\\\c\"");
	CHECK("\n\t\r\x01\x1f\x7f",
	    "\"\\u000a\\u0009\\u000d\\u0001\\u001f"
	    "\\u007f\"");
	CHECK("a\0b", "\"a\\u0000b\"");
}

static void
test_utf8_kept(void **state)
{
	(void)state;
	CHECK("caf\xc3\xa9", "\"caf\xc3\xa9\"");	   /* U+00E9 */
	CHECK("\xe2\x82\xac", "\"\xe2\x82\xac\"");	   /* U+20AC */
	CHECK("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""); /* U+1F600 */
	CHECK("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
}

static void
test_utf8_replaced(void **state)
{
	(void)state;
	CHECK("\x80", "\"\\ufffd\"");		 /* stray continuation */
	CHECK("\xff\xfe", "\"\\ufffd\\ufffd\""); /* never in UTF-8 */
	CHECK("\xc0\xaf", "\"\\ufffd\\ufffd\""); /* overlong '/' */
	CHECK("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""); /* overlong */
	CHECK("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
	CHECK("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	CHECK("ab\xe2\x82", "\"ab\\ufffd\\ufffd\""); /* cut at the end */
	CHECK("\xc3(", "\"\\ufffd(\"");		     /* bad continuation */
	CHECK("\xc0\x9b", "\"\\ufffd\\ufffd\"");     /* overlong CSI */
	CHECK("\xe0\x80\x9b", "\"\\ufffd\\ufffd\\ufffd\""); /* overlong CSI */
}

static void
test_cstr_null(void **state)
{
	char  *out = NULL;
	size_t outlen = 0;
	FILE  *fp;

	(void)state;
	fp = open_memstream(&out, &outlen);
	assert_non_null(fp);
	assert_int_equal(json_cstr(fp, NULL), 0);
	assert_int_equal(json_cstr(fp, "x"), 0);
	assert_int_equal(fclose(fp), 0);
	assert_string_equal(out, "null\"x\"");
	free(out);
}

/* A write error is reported as -ERR_SYSTEM with errno (ENOSPC here). */
static void
test_write_error(void **state)
{
	FILE *fp;

	(void)state;
	fp = fopen("/dev/full", "w");
	if (fp == NULL)
		skip();
	setvbuf(fp, NULL, _IONBF, 0);
	errno = 0;
	assert_int_equal(json_str(fp, "x", 1), -ERR_SYSTEM);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(json_cstr(fp, NULL), -ERR_SYSTEM);
	(void)fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8_kept),
		cmocka_unit_test(test_utf8_replaced),
		cmocka_unit_test(test_cstr_null),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
