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

/*
 * Malformed UTF-8 (RFC 3629 sections 3 and 4): every byte of an overlong
 * form, a surrogate, a code point above U+10FFFF or a cut sequence is
 * replaced, so an overlong ESC or CSI never reaches a lenient terminal.
 */
static void
test_malformed_replaced(void **state)
{
	(void)state;
	check("\xc0\x9b", 2, 64, "??"); /* overlong 2-byte CSI */
	check("\xc1\x9b", 2, 64, "??"); /* overlong 2-byte CSI */
	check("\xc0\x9b[2J", 5, 64, "??[2J");
	check("\xe0\x80\x9b", 3, 64, "???"); /* overlong 3-byte CSI */
	check("\xe0\x80\x9b[2J", 6, 64, "???[2J");
	check("\xe0\x81\x9b", 3, 64, "???");	  /* overlong 3-byte CSI */
	check("\xe0\x9f\xbf", 3, 64, "???");	  /* overlong U+07FF */
	check("\xf0\x80\x80\x9b", 4, 64, "????"); /* overlong 4-byte CSI */
	check("\xf0\x8f\xbf\xbf", 4, 64, "????"); /* overlong U+FFFF */
	check("\xed\xa0\x80", 3, 64, "???");	  /* U+D800 */
	check("\xed\xbf\xbf", 3, 64, "???");	  /* U+DFFF */
	check("\xf4\x90\x80\x80", 4, 64, "????"); /* U+110000 */
	check("\xf7\xbf\xbf\xbf", 4, 64, "????"); /* U+1FFFFF */
	check("\xf0\x9f\x93", 3, 64, "???");	  /* cut 4-byte */
	check("\xc3", 1, 64, "?");		  /* cut 2-byte */
	check("\xe2\x82x", 3, 64, "??x");	  /* bad continuation */
}

/* C1 controls U+0080..U+009F, well-formed UTF-8, are still replaced. */
static void
test_c1_encoded(void **state)
{
	(void)state;
	check("\xc2\x80", 2, 64, "?");
	check("\xc2\x9b", 2, 64, "?");
	check("\xc2\x9f", 2, 64, "?");
	check("\xc2\xa1", 2, 64, "\xc2\xa1"); /* U+00A1 is text */
}

/* The edges of each range of valid code points pass unchanged. */
static void
test_valid_edges_kept(void **state)
{
	(void)state;
	check("\xdf\xbf", 2, 64, "\xdf\xbf");		      /* U+07FF */
	check("\xe0\xa0\x80", 3, 64, "\xe0\xa0\x80");	      /* U+0800 */
	check("\xed\x9f\xbf", 3, 64, "\xed\x9f\xbf");	      /* U+D7FF */
	check("\xee\x80\x80", 3, 64, "\xee\x80\x80");	      /* U+E000 */
	check("\xef\xbf\xbf", 3, 64, "\xef\xbf\xbf");	      /* U+FFFF */
	check("\xf0\x90\x80\x80", 4, 64, "\xf0\x90\x80\x80"); /* U+10000 */
	check("\xf4\x8f\xbf\xbf", 4, 64, "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
	check("\xe6\x97\xa5\xe6\x9c\xac.txt", 10, 64,
	    "\xe6\x97\xa5\xe6\x9c\xac.txt");
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
		cmocka_unit_test(test_malformed_replaced),
		cmocka_unit_test(test_c1_encoded),
		cmocka_unit_test(test_valid_edges_kept),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
