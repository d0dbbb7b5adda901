/*
 * test_digest.c: unit tests of common/digest.c: the vectors of
 * doc/PROTOCOL.md 4.11.1 for both algorithms, streaming in pieces gives
 * the one-shot result, names and lengths, and the "digests" list parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/digest.h"
#include "common/error.h"

static void
hex_is(const uint8_t *p, size_t n, const char *hex)
{
	char got[2 * DIGEST_MAX + 1];

	sodium_bin2hex(got, sizeof(got), p, n);
	assert_string_equal(got, hex);
}

static void
test_vectors(void **state)
{
	struct digest d;
	uint8_t	      out[DIGEST_MAX];

	(void)state;
	assert_int_equal(digest_init(&d, DIGEST_XXH3_128), 0);
	digest_update(&d, "hello", 5);
	digest_final(&d, out);
	hex_is(out, digest_len(DIGEST_XXH3_128),
	    "b5e9c1ad071b3e7fc779cfaa5e523818");
	assert_int_equal(digest_init(&d, DIGEST_BLAKE2B_256), 0);
	digest_update(&d, "hello", 5);
	digest_final(&d, out);
	hex_is(out, digest_len(DIGEST_BLAKE2B_256),
	    "324dcf027dd4a30a932c441f365a25e86b173defa4b8e58948253471b81b72cf");
}

/* Fed in uneven pieces, each algorithm gives its one-shot digest. */
static void
test_streaming(void **state)
{
	static uint8_t buf[300000];
	struct digest  d;
	uint8_t	       a[DIGEST_MAX], b[DIGEST_MAX];
	size_t	       off, n;
	int	       alg;

	(void)state;
	randombytes_buf(buf, sizeof(buf));
	for (alg = 0; alg < DIGEST_COUNT; alg++) {
		assert_int_equal(digest_init(&d, alg), 0);
		digest_update(&d, buf, sizeof(buf));
		digest_final(&d, a);
		assert_int_equal(digest_init(&d, alg), 0);
		for (off = 0; off < sizeof(buf); off += n) {
			n = (off * 7919 + 13) % 70001 + 1;
			if (n > sizeof(buf) - off)
				n = sizeof(buf) - off;
			digest_update(&d, buf + off, n);
		}
		digest_final(&d, b);
		assert_memory_equal(a, b, digest_len(alg));
		digest_free(&d); /* safe after final */
	}
}

static void
test_names(void **state)
{
	unsigned m;

	(void)state;
	assert_int_equal(digest_by_name("xxh3-128", 8), DIGEST_XXH3_128);
	assert_int_equal(digest_by_name("blake2b-256", 11), DIGEST_BLAKE2B_256);
	assert_int_equal(digest_by_name("xxh3-12", 7), -1);
	assert_null(digest_name(DIGEST_COUNT));
	assert_int_equal(digest_len(-1), 0);
	assert_int_equal(digest_parse_list("xxh3-128, blake2b-256", &m), 0);
	assert_int_equal(m, DIGEST_ALL);
	assert_int_equal(digest_parse_list(" blake2b-256 ", &m), 0);
	assert_int_equal(m, 1u << DIGEST_BLAKE2B_256);
	assert_int_equal(digest_parse_list("md5", &m), -ERR_PROTOCOL);
	assert_int_equal(digest_parse_list("", &m), -ERR_PROTOCOL);
	assert_int_equal(digest_init(&(struct digest){ 0 }, 7), -ERR_PROTOCOL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_names),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
