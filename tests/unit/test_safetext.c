/*
 * test_safetext.c: unit tests of common/safetext.c: terminal-safe copies of
 * peer-supplied text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/safetext.h"

static void
check(const char *in, size_t inlen, size_t dstlen, const char *want)
{
	char out[64];

	assert_true(dstlen <= sizeof(out));
	assert_int_equal(safetext_copy(out, dstlen, in, inlen), strlen(want));
	assert_string_equal(out, want);
}

static void
test_plain_and_utf8_pass(void **state)
{
	(void)state;
	check("report.pdf", 10, 64, "report.pdf");
	check("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x81", 14, 64,
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x81");
	check("\xc4\x81", 2, 64, "\xc4\x81"); /* continuation byte 0x81 */
}

static void
test_controls_replaced(void **state)
{
	(void)state;
	check("a\x1b[2Jb\x7f\n", 8, 64, "a?[2Jb??");
	check("x\x9b"
	      "31m",
	    5, 64, "x?31m"); /* raw C1 CSI */
	check("x\xc2\x9b"
	      "31m",
	    6, 64, "x?31m");			  /* UTF-8 C1 CSI */
	check("\xc2\xa0ok", 4, 64, "\xc2\xa0ok"); /* U+00A0 is text */
	check("\xe2\x82", 2, 64, "??");		  /* truncated */
	check("\xc0\xaf\xff", 3, 64, "???");	  /* never valid */
	check("a\0b", 3, 64, "a?b");
}

static void
test_bounds(void **state)
{
	char out[4];

	(void)state;
	check("abcdef", 6, 4, "abc");
	check("ab\xe2\x82\xac", 5, 4, "ab"); /* never half a character */
	assert_int_equal(safetext_copy(out, 0, "abc", 3), 0);
	check("", 0, 4, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_utf8_pass),
		cmocka_unit_test(test_controls_replaced),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
