/*
 * test_msg.c: unit tests of common/msg.c: msg_check against hostile bytes
 * (truncated lengths, huge counts, deep nesting, trailing bytes), and the
 * writer and lookups left for test_handshake.c: a round trip, and lookups
 * that must refuse the wrong type.
 * It must not depend on anything but msg.c (and log.c for its fatalx).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/msg.h"

/* Parse w's bytes into m; fails the test if they are not accepted. */
static void
parse_ok(struct msg *m, const struct msgw *w)
{
	assert_int_equal(msg_check(w->sb.data, w->sb.size), 0);
	assert_int_equal(msg_parse(m, w->sb.data, w->sb.size), 0);
}

static void
test_round_trip(void **state)
{
	static const uint8_t bin[5] = { 0, 1, 2, 0xfe, 0xff };
	struct msgw	     w;
	struct msg	     m;
	int64_t		     i;
	char		     cs[16];

	(void)state;
	msgw_init(&w, 4);
	msgw_str(&w, "op", "put");
	msgw_uint(&w, "pos", 42);
	msgw_uint(&w, "big", (uint64_t)INT64_MAX + 1);
	msgw_bin(&w, "pk", bin, sizeof(bin));
	parse_ok(&m, &w);
	/* m keeps its own copy: the writer's bytes may go. */
	memset(w.sb.data, 0, w.sb.size);
	msgw_free(&w);

	assert_int_equal(msg_cstr(&m, "op", cs, sizeof(cs)), 0);
	assert_string_equal(cs, "put");
	assert_int_equal(msg_int(&m, "pos", &i), 0);
	assert_int_equal(i, 42);
	assert_int_equal(msg_int(&m, "big", &i), -1); /* > INT64_MAX */
	assert_int_equal(msg_cstr(&m, "pk", cs, sizeof(cs)), -1); /* a bin */
	msg_free(&m);
	msg_free(&m); /* twice is safe */
}

/*
 * Hand-made bytes: {"ok": true, "no": false, "neg": -128, "": "e",
 * "nul": "a\0b", "s": ""}.
 */
static const uint8_t lookup_map[] = { 0x86, 0xa2, 'o', 'k', 0xc3, 0xa2, 'n',
	'o', 0xc2, 0xa3, 'n', 'e', 'g', 0xd0, 0x80, 0xa0, 0xa1, 'e', 0xa3, 'n',
	'u', 'l', 0xa3, 'a', 0x00, 'b', 0xa1, 's', 0xa0 };

static void
test_lookups(void **state)
{
	struct msg m;
	int64_t	   i;
	int	   b;
	char	   cs[4];

	(void)state;
	assert_int_equal(msg_parse(&m, lookup_map, sizeof(lookup_map)), 0);
	assert_int_equal(msg_bool(&m, "ok", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(msg_bool(&m, "no", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(msg_int(&m, "neg", &i), 0);
	assert_int_equal(i, -128);
	assert_int_equal(msg_cstr(&m, "", cs, sizeof(cs)), 0); /* empty key */
	assert_string_equal(cs, "e");
	assert_int_equal(msg_cstr(&m, "s", cs, 1), 0); /* empty value */
	assert_string_equal(cs, "");
	/* Wrong types, missing keys, case. */
	assert_int_equal(msg_bool(&m, "neg", &b), -1);
	assert_int_equal(b, 0);
	assert_int_equal(msg_int(&m, "ok", &i), -1);
	assert_int_equal(msg_cstr(&m, "ok", cs, sizeof(cs)), -1);
	assert_int_equal(msg_bool(&m, "OK", &b), -1);
	assert_int_equal(msg_int(&m, "missing", &i), -1);
	msg_free(&m);
}

static void
test_cstr_limits(void **state)
{
	struct msgw w;
	struct msg  m;
	char	    cs[4];

	(void)state;
	assert_int_equal(msg_parse(&m, lookup_map, sizeof(lookup_map)), 0);
	assert_int_equal(msg_cstr(&m, "nul", cs, sizeof(cs)), -1);
	assert_string_equal(cs, "");
	msg_free(&m);
	msgw_init(&w, 2);
	msgw_str(&w, "fits", "abc");
	msgw_str(&w, "long", "abcd");
	parse_ok(&m, &w);
	assert_int_equal(msg_cstr(&m, "fits", cs, sizeof(cs)), 0);
	assert_string_equal(cs, "abc");
	assert_int_equal(msg_cstr(&m, "long", cs, sizeof(cs)), -1);
	assert_string_equal(cs, "");
	assert_int_equal(msg_cstr(&m, "fits", cs, 0), -1);
	msg_free(&m);
	msgw_free(&w);
}

/* Keys must be str of the same length: a bin key or a prefix never match. */
static void
test_key_match(void **state)
{
	/* {bin"op": 1, "opx": 2, "op": 3} */
	static const uint8_t buf[] = { 0x83, 0xc4, 0x02, 'o', 'p', 0x01, 0xa3,
		'o', 'p', 'x', 0x02, 0xa2, 'o', 'p', 0x03 };
	struct msg	     m;
	int64_t		     i;

	(void)state;
	assert_int_equal(msg_parse(&m, buf, sizeof(buf)), 0);
	assert_int_equal(msg_int(&m, "op", &i), 0);
	assert_int_equal(i, 3);
	assert_int_equal(msg_int(&m, "o", &i), -1);
	msg_free(&m);
}

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

static void
test_parse_rejects(void **state)
{
	static const uint8_t array[] = { 0x91, 0x01 };
	static const uint8_t trailing[] = { 0x80, 0x00 };
	static const uint8_t scalar[] = { 0xc3 };
	struct msg	     m;
	int64_t		     i;

	(void)state;
	assert_int_equal(msg_parse(&m, array, sizeof(array)), -1);
	assert_null(m.map);
	assert_int_equal(msg_int(&m, "x", &i), -1); /* lookups on empty m */
	msg_free(&m);
	assert_int_equal(msg_parse(&m, trailing, sizeof(trailing)), -1);
	msg_free(&m);
	assert_int_equal(msg_parse(&m, scalar, sizeof(scalar)), -1);
	msg_free(&m);
	assert_int_equal(msg_parse(&m, "", 0), -1);
	msg_free(&m);
}

/*
 * The PROTOCOL.md hello in the shortest form: fixmap 1 + "proto" 6 +
 * "ftpd" 5 + "v" 2 + fixint 1 + "pk" 3 + bin 8 header 2 + 32 = 52 bytes.
 */
static void
test_hello_size(void **state)
{
	uint8_t	    pk[32] = { 0 };
	struct msgw w;

	(void)state;
	msgw_init(&w, 3);
	msgw_str(&w, "proto", "ftpd");
	msgw_uint(&w, "v", 1);
	msgw_bin(&w, "pk", pk, sizeof(pk));
	assert_int_equal(w.sb.size, 52);
	msgw_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_cstr_limits),
		cmocka_unit_test(test_key_match),
		cmocka_unit_test(test_check_accepts),
		cmocka_unit_test(test_check_rejects),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_hello_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
