/*
 * test_msg.c: unit tests of common/msg.c: a round trip of every value type,
 * msg_check against hostile bytes (truncated lengths, huge counts, deep
 * nesting, trailing bytes), and lookups that must refuse the wrong type.
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
	const char	    *s;
	const uint8_t	    *p;
	size_t		     len;
	uint64_t	     u;
	int64_t		     i;
	int		     b;
	char		     cs[16];

	(void)state;
	msgw_init(&w, 9);
	msgw_str(&w, "op", "put");
	msgw_strn(&w, "raw", "a\0b", 3);
	msgw_uint(&w, "size", UINT64_MAX);
	msgw_int(&w, "neg", INT64_MIN);
	msgw_int(&w, "pos", 42);
	msgw_bool(&w, "ok", 1);
	msgw_bool(&w, "no", 0);
	msgw_bin(&w, "pk", bin, sizeof(bin));
	msgw_key(&w, "list");
	msgpack_pack_array(&w.pk, 2);
	msgpack_pack_nil(&w.pk);
	msgpack_pack_double(&w.pk, 1.5);
	parse_ok(&m, &w);
	/* m keeps its own copy: the writer's bytes may go. */
	msgw_free(&w);

	assert_int_equal(msg_str(&m, "op", &s, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "put", 3);
	assert_int_equal(msg_cstr(&m, "op", cs, sizeof(cs)), 0);
	assert_string_equal(cs, "put");
	assert_int_equal(msg_str(&m, "raw", &s, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "a\0b", 3);
	assert_int_equal(msg_uint(&m, "size", &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(msg_int(&m, "neg", &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(msg_int(&m, "pos", &i), 0);
	assert_int_equal(i, 42);
	assert_int_equal(msg_uint(&m, "pos", &u), 0);
	assert_int_equal(u, 42);
	assert_int_equal(msg_bool(&m, "ok", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(msg_bool(&m, "no", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(msg_bin(&m, "pk", &p, &len), 0);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(p, bin, sizeof(bin));
	assert_non_null(msg_obj(&m, "list"));
	assert_int_equal(msg_obj(&m, "list")->type, MSGPACK_OBJECT_ARRAY);
	assert_int_equal(msg_obj(&m, "list")->via.array.size, 2);
	assert_null(msg_obj(&m, "missing"));
	msg_free(&m);
	msg_free(&m); /* twice is safe */
}

static void
test_empty_values(void **state)
{
	struct msgw    w;
	struct msg     m;
	const char    *s;
	const uint8_t *p;
	size_t	       len;
	char	       cs[1];

	(void)state;
	msgw_init(&w, 2);
	msgw_str(&w, "s", "");
	msgw_bin(&w, "b", NULL, 0);
	parse_ok(&m, &w);
	assert_int_equal(msg_str(&m, "s", &s, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(msg_cstr(&m, "s", cs, sizeof(cs)), 0);
	assert_string_equal(cs, "");
	assert_int_equal(msg_bin(&m, "b", &p, &len), 0);
	assert_int_equal(len, 0);
	msg_free(&m);
	msgw_free(&w);
}

static void
test_wrong_types(void **state)
{
	struct msgw    w;
	struct msg     m;
	const char    *s;
	const uint8_t *p;
	size_t	       len;
	uint64_t       u;
	int64_t	       i;
	int	       b;
	char	       cs[8];

	(void)state;
	msgw_init(&w, 4);
	msgw_str(&w, "s", "x");
	msgw_int(&w, "n", -1);
	msgw_uint(&w, "big", (uint64_t)INT64_MAX + 1);
	msgw_bool(&w, "t", 1);
	parse_ok(&m, &w);
	assert_int_equal(msg_uint(&m, "s", &u), -1);
	assert_int_equal(msg_int(&m, "s", &i), -1);
	assert_int_equal(msg_bool(&m, "s", &b), -1);
	assert_int_equal(msg_bin(&m, "s", &p, &len), -1);
	assert_null(p);
	assert_int_equal(msg_str(&m, "n", &s, &len), -1);
	assert_null(s);
	assert_int_equal(msg_cstr(&m, "t", cs, sizeof(cs)), -1);
	assert_int_equal(msg_uint(&m, "n", &u), -1);  /* negative */
	assert_int_equal(msg_int(&m, "big", &i), -1); /* > INT64_MAX */
	assert_int_equal(msg_uint(&m, "big", &u), 0);
	assert_int_equal(msg_bool(&m, "n", &b), -1);
	assert_int_equal(msg_str(&m, "S", &s, &len), -1); /* case matters */
	assert_int_equal(msg_str(&m, "", &s, &len), -1);
	msg_free(&m);
	msgw_free(&w);
}

static void
test_cstr_limits(void **state)
{
	struct msgw w;
	struct msg  m;
	char	    cs[4];

	(void)state;
	msgw_init(&w, 3);
	msgw_strn(&w, "nul", "a\0b", 3);
	msgw_str(&w, "fits", "abc");
	msgw_str(&w, "long", "abcd");
	parse_ok(&m, &w);
	assert_int_equal(msg_cstr(&m, "nul", cs, sizeof(cs)), -1);
	assert_string_equal(cs, "");
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
	uint64_t	     u;

	(void)state;
	assert_int_equal(msg_parse(&m, buf, sizeof(buf)), 0);
	assert_int_equal(msg_uint(&m, "op", &u), 0);
	assert_int_equal(u, 3);
	assert_int_equal(msg_uint(&m, "o", &u), -1);
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
	uint64_t	     u;

	(void)state;
	assert_int_equal(msg_parse(&m, array, sizeof(array)), -1);
	assert_null(m.map);
	assert_int_equal(msg_uint(&m, "x", &u), -1); /* lookups on empty m */
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
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_cstr_limits),
		cmocka_unit_test(test_key_match),
		cmocka_unit_test(test_check_accepts),
		cmocka_unit_test(test_check_rejects),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_hello_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
