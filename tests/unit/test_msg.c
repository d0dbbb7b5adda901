/*
 * test_msg.c: unit tests of common/msg.c: msg_check against hostile bytes
 * (truncated lengths, huge counts, deep nesting, trailing bytes, reserved
 * type bytes) and the well-formed bytes it must pass.  It must not depend
 * on anything but msg.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/msg.h"

static void
test_check_accepts(void **state)
{
	/* [nil, false, 1.0f, -1, fixext1, ext8(2), {} , "", bin8(0)] */
	static const uint8_t ok1[] = { 0x99, 0xc0, 0xc2, 0xca, 0x3f, 0x80, 0, 0,
		0xff, 0xd4, 0x01, 0x00, 0xc7, 0x02, 0x05, 'h', 'i', 0x80, 0xa0,
		0xc4, 0x00 };
	/* 8 nested arrays: the deepest accepted */
	static const uint8_t deep8[] = { 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
		0x91, 0x90 };
	static const uint8_t scalar[] = { 0x07 };

	(void)state;
	assert_int_equal(msg_check(ok1, sizeof(ok1)), 0);
	assert_int_equal(msg_check(deep8, sizeof(deep8)), 0);
	assert_int_equal(msg_check(scalar, sizeof(scalar)), 0);
}

static void
test_check_rejects(void **state)
{
	static const uint8_t trunc_str[] = { 0x81, 0xa2, 'o', 'p', 0xa5, 'a',
		'b' };
	/* array 32 claiming 2^32-1 elements, then 5 bytes */
	static const uint8_t huge_array[] = { 0xdd, 0xff, 0xff, 0xff, 0xff, 1,
		2, 3, 4, 5 };
	/* map 16 of 3 pairs (6 objects) with 4 bytes left */
	static const uint8_t map_count[] = { 0xde, 0x00, 0x03, 1, 2, 3, 4 };
	static const uint8_t deep9[] = { 0x91, 0x91, 0x91, 0x91, 0x91, 0x91,
		0x91, 0x91, 0x90 };
	static const uint8_t trailing[] = { 0x80, 0x00 };
	static const uint8_t never_used[] = { 0x91, 0xc1 };
	static const uint8_t trunc_head[] = { 0xdb, 0x00, 0x00 };
	static const uint8_t trunc_num[] = { 0xcf, 0, 0, 0, 0 };
	static const uint8_t str32[] = { 0xdb, 0xff, 0xff, 0xff, 0xff, 'a' };
	static const uint8_t ext32[] = { 0xc9, 0x00, 0x00, 0x00, 0x01, 0x05 };
	static const uint8_t fixext[] = { 0xd8, 0x01, 0x00 };

	(void)state;
	assert_int_equal(msg_check(trunc_str, sizeof(trunc_str)), -1);
	assert_int_equal(msg_check(huge_array, sizeof(huge_array)), -1);
	assert_int_equal(msg_check(map_count, sizeof(map_count)), -1);
	assert_int_equal(msg_check(deep9, sizeof(deep9)), -1);
	assert_int_equal(msg_check(trailing, sizeof(trailing)), -1);
	assert_int_equal(msg_check(trailing, 0), -1);
	assert_int_equal(msg_check(NULL, 0), -1);
	assert_int_equal(msg_check(never_used, sizeof(never_used)), -1);
	assert_int_equal(msg_check(trunc_head, sizeof(trunc_head)), -1);
	assert_int_equal(msg_check(trunc_num, sizeof(trunc_num)), -1);
	assert_int_equal(msg_check(str32, sizeof(str32)), -1);
	assert_int_equal(msg_check(ext32, sizeof(ext32)), -1);
	assert_int_equal(msg_check(fixext, sizeof(fixext)), -1);
}

/* The big forms with exact counts and lengths, and nesting through maps. */
static void
test_check_wide_forms(void **state)
{
	/* map16 {"op": str16 "x", bin16 key: array32 [1]} */
	static const uint8_t wide[] = { 0xde, 0x00, 0x02, 0xa2, 'o', 'p', 0xda,
		0x00, 0x01, 'x', 0xc5, 0x00, 0x01, 'k', 0xdd, 0x00, 0x00, 0x00,
		0x01, 0x01 };
	/* {"a": {"a": ... 8 maps deep}} and one more */
	uint8_t deep[2 + 3 * 8];
	size_t	i;

	(void)state;
	assert_int_equal(msg_check(wide, sizeof(wide)), 0);
	assert_int_equal(msg_check(wide, sizeof(wide) - 1), -1);
	for (i = 0; i < 8; i++) {
		deep[3 * i] = 0x81;
		deep[3 * i + 1] = 0xa1;
		deep[3 * i + 2] = 'a';
	}
	deep[24] = 0x80; /* a 9th level: too deep */
	assert_int_equal(msg_check(deep, 25), -1);
	deep[21] = 0x80; /* the 8th map empty: 8 levels, accepted */
	assert_int_equal(msg_check(deep, 22), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_accepts),
		cmocka_unit_test(test_check_rejects),
		cmocka_unit_test(test_check_wide_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
