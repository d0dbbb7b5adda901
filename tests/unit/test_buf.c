/*
 * test_buf.c: unit tests of common/buf.c: growth that keeps the contents,
 * the hard maximum (EMSGSIZE, contents untouched), overflow of len + n,
 * reset and free.  It must not depend on anything but buf.c (and log.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"

static void
test_append_grows(void **state)
{
	struct buf b;
	uint8_t	   chunk[1000];
	size_t	   i;

	(void)state;
	buf_init(&b, 100000);
	assert_null(b.data);
	for (i = 0; i < 50; i++) {
		memset(chunk, (int)i, sizeof(chunk));
		assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), 0);
	}
	assert_int_equal(b.len, 50000);
	assert_true(b.cap >= b.len && b.cap <= b.max);
	for (i = 0; i < 50; i++)
		assert_int_equal(b.data[i * 1000 + 999], (uint8_t)i);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void
test_reserve_commit(void **state)
{
	struct buf b;
	uint8_t	  *p;

	(void)state;
	buf_init(&b, 64);
	p = buf_reserve(&b, 10);
	assert_non_null(p);
	memcpy(p, "0123456789", 10);
	buf_commit(&b, 4);
	assert_int_equal(b.len, 4);
	p = buf_reserve(&b, 60);
	assert_non_null(p);
	assert_ptr_equal(p, b.data + 4);
	assert_memory_equal(b.data, "0123", 4);
	/* Zero bytes of room is still a valid pointer. */
	assert_non_null(buf_reserve(&b, 0));
	buf_free(&b);
}

static void
test_max_enforced(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(buf_append(&b, "abcdefghijklmnop", 16), 0);
	errno = 0;
	assert_int_equal(buf_append(&b, "x", 1), -ERR_SYSTEM);
	assert_int_equal(errno, EMSGSIZE);
	assert_int_equal(b.len, 16);
	assert_memory_equal(b.data, "abcdefghijklmnop", 16);
	assert_true(b.cap <= 16);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_non_null(b.data); /* storage kept */
	assert_int_equal(buf_append(&b, "x", 1), 0);
	buf_free(&b);
}

static void
test_overflow(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(buf_append(&b, "ab", 2), 0);
	errno = 0;
	assert_null(buf_reserve(&b, SIZE_MAX));
	assert_int_equal(errno, EMSGSIZE);
	assert_null(buf_reserve(&b, SIZE_MAX - 1));
	assert_int_equal(b.len, 2);
	buf_free(&b);
}

static void
test_limit_clamped(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, SIZE_MAX);
	assert_int_equal(b.max, BUF_MAX_LIMIT);
	errno = 0;
	assert_null(buf_reserve(&b, BUF_MAX_LIMIT + 1));
	assert_int_equal(errno, EMSGSIZE);
	assert_null(b.data); /* refused before any allocation */
	buf_free(&b);
}

static void
test_zero_max(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_non_null(buf_reserve(&b, 0));
	assert_null(buf_reserve(&b, 1));
	assert_int_equal(buf_append(&b, "", 0), 0);
	buf_free(&b);
	buf_free(&b); /* twice is harmless */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_grows),
		cmocka_unit_test(test_reserve_commit),
		cmocka_unit_test(test_max_enforced),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_limit_clamped),
		cmocka_unit_test(test_zero_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
