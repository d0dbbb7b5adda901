/*
 * test_utf8.c: unit tests of common/utf8.c, the one UTF-8 decoder: every
 * length with its first and last code point, and each malformed form RFC
 * 3629 section 4 excludes (overlong 2-, 3- and 4-byte forms, including
 * an overlong ESC and CSI, surrogates, code points above U+10FFFF, cut
 * sequences, bad continuation bytes, bytes that never start a sequence).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/error.h"
#include "common/utf8.h"

/* utf8_decode of the literal s must return want_len and want_cp. */
static void
check(const char *s, size_t len, int want_len, uint32_t want_cp)
{
	uint32_t cp = 0xdeadbeef;

	assert_int_equal(utf8_decode((const uint8_t *)s, len, &cp), want_len);
	assert_int_equal(cp, want_cp);
}

#define GOOD(lit, cp) check(lit, sizeof(lit) - 1, sizeof(lit) - 1, cp)
#define BAD(lit)      check(lit, sizeof(lit) - 1, -ERR_PROTOCOL, 0)

static void
test_valid(void **state)
{
	(void)state;
	GOOD("A", 0x41);
	GOOD("\x7f", 0x7f);
	check("\0", 1, 1, 0); /* NUL is one ASCII byte */
	GOOD("\xc2\x80", 0x80);
	GOOD("\xc2\x9b", 0x9b); /* C1 CSI is well formed: callers filter */
	GOOD("\xdf\xbf", 0x7ff);
	GOOD("\xe0\xa0\x80", 0x800);
	GOOD("\xe2\x82\xac", 0x20ac);
	GOOD("\xed\x9f\xbf", 0xd7ff);
	GOOD("\xee\x80\x80", 0xe000);
	GOOD("\xef\xbf\xbf", 0xffff);
	GOOD("\xf0\x90\x80\x80", 0x10000);
	GOOD("\xf0\x9f\x98\x80", 0x1f600);
	GOOD("\xf4\x8f\xbf\xbf", 0x10ffff);
}

/* Only the first sequence is decoded; the bytes after it are left. */
static void
test_first_only(void **state)
{
	(void)state;
	check("ab", 2, 1, 'a');
	check("\xc3\xa9x", 3, 2, 0xe9);
	check("\xe2\x82\xac\xe2", 4, 3, 0x20ac);
}

static void
test_overlong(void **state)
{
	(void)state;
	BAD("\xc0\x80"); /* overlong NUL */
	BAD("\xc0\x9b"); /* overlong ESC */
	BAD("\xc1\x9b"); /* overlong 2-byte form of 0x5b */
	BAD("\xc1\xbf");
	BAD("\xe0\x80\x9b"); /* overlong ESC, 3 bytes */
	BAD("\xe0\x82\x9b"); /* overlong C1 CSI, 3 bytes */
	BAD("\xe0\x9f\xbf"); /* overlong U+07FF */
	BAD("\xf0\x80\x80\x9b");
	BAD("\xf0\x80\x82\x9b");
	BAD("\xf0\x8f\xbf\xbf"); /* overlong U+FFFF */
}

static void
test_surrogates_and_range(void **state)
{
	(void)state;
	BAD("\xed\xa0\x80");	 /* U+D800 */
	BAD("\xed\xaf\xbf");	 /* U+DBFF */
	BAD("\xed\xb0\x80");	 /* U+DC00 */
	BAD("\xed\xbf\xbf");	 /* U+DFFF */
	BAD("\xf4\x90\x80\x80"); /* U+110000 */
	BAD("\xf4\xbf\xbf\xbf");
	BAD("\xf5\x80\x80\x80"); /* lead never valid */
	BAD("\xf7\xbf\xbf\xbf");
	BAD("\xf8\x88\x80\x80\x80"); /* old 5-byte form */
	BAD("\xfc\x84\x80\x80\x80\x80");
	BAD("\xfe");
	BAD("\xff");
}

static void
test_cut_and_stray(void **state)
{
	uint32_t cp = 1;

	(void)state;
	assert_int_equal(utf8_decode((const uint8_t *)"a", 0, &cp),
	    -ERR_PROTOCOL);
	assert_int_equal(cp, 0);
	BAD("\x80"); /* stray continuation */
	BAD("\xbf");
	BAD("\xc3");
	BAD("\xe2\x82");
	BAD("\xf0\x9f\x98");
	check("\xe2\x82\xac", 2, -ERR_PROTOCOL, 0); /* len cuts it */
	BAD("\xc3(");				    /* bad continuation */
	BAD("\xe2(\xac");
	BAD("\xe2\x82(");
	BAD("\xf0\x9f\x98(");
	BAD("\xc3\xc3\xa9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_first_only),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_surrogates_and_range),
		cmocka_unit_test(test_cut_and_stray),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
