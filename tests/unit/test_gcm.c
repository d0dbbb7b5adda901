/*
 * test_gcm.c: unit tests of common/gcm.c, the AES-256-GCM direction of the
 * channel: in-place sealing gives what libsodium's own out-of-place call
 * gives with the counter nonce; opening in place recovers the plaintext;
 * a changed flag (additional data), byte, order or key fails; the rekey
 * happens on both ends after the same frame and the ends keep agreeing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/error.h"
#include "common/gcm.h"

static uint8_t key[32];

static int
setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0x11 * i);
	return 0;
}

/* The same bytes as crypto_aead_aes256gcm_encrypt with nonce 0..0 || ctr. */
static void
test_in_place(void **state)
{
	struct gcm	   tx, rx;
	uint8_t		   m[1000], buf[1000 + 16], ref[1000 + 16], n[12];
	unsigned long long clen;
	uint8_t		   ad = 0;
	uint64_t	   k;

	(void)state;
	randombytes_buf(m, sizeof(m));
	assert_int_equal(gcm_init(&tx, key), 0);
	assert_int_equal(gcm_init(&rx, key), 0);
	for (k = 0; k < 3; k++) {
		memcpy(buf, m, sizeof(m));
		gcm_seal(&tx, buf, sizeof(m), ad);
		memset(n, 0, sizeof(n));
		n[11] = (uint8_t)k;
		crypto_aead_aes256gcm_encrypt(ref, &clen, m, sizeof(m), &ad, 1,
		    NULL, n, key);
		assert_int_equal(clen, sizeof(ref));
		assert_memory_equal(buf, ref, sizeof(ref));
		assert_int_equal(gcm_open(&rx, buf, sizeof(buf), ad), 0);
		assert_memory_equal(buf, m, sizeof(m));
	}
	gcm_wipe(&tx);
	gcm_wipe(&rx);
}

static void
test_tampering(void **state)
{
	struct gcm tx, rx;
	uint8_t	   a[64 + 16], b[64 + 16], a0[64 + 16], b0[64 + 16];

	(void)state;
	assert_int_equal(gcm_init(&tx, key), 0);
	assert_int_equal(gcm_init(&rx, key), 0);
	memset(a, 7, 64);
	memset(b, 9, 64);
	gcm_seal(&tx, a, 64, 0);
	gcm_seal(&tx, b, 64, 3);
	/* A failed open in place may clear the buffer: keep the frames. */
	memcpy(a0, a, sizeof(a));
	memcpy(b0, b, sizeof(b));
	/* Out of order, wrong flag, flipped bit, short: all refused. */
	assert_int_equal(gcm_open(&rx, b, sizeof(b), 3), -ERR_CRYPTO);
	memcpy(b, b0, sizeof(b));
	assert_int_equal(gcm_open(&rx, a, sizeof(a), 3), -ERR_CRYPTO);
	memcpy(a, a0, sizeof(a));
	a[5] ^= 1;
	assert_int_equal(gcm_open(&rx, a, sizeof(a), 0), -ERR_CRYPTO);
	memcpy(a, a0, sizeof(a));
	assert_int_equal(gcm_open(&rx, a, 15, 0), -ERR_CRYPTO);
	memcpy(a, a0, sizeof(a));
	/* A failed open does not move the counter: the right frame passes. */
	assert_int_equal(gcm_open(&rx, a, sizeof(a), 0), 0);
	assert_int_equal(gcm_open(&rx, b, sizeof(b), 3), 0);
	gcm_wipe(&tx);
	gcm_wipe(&rx);
}

/* A small threshold: both ends rekey after the same frame. */
static void
test_rekey(void **state)
{
	struct gcm tx, rx;
	uint8_t	   buf[40 + 16], first[32];
	int	   i;

	(void)state;
	assert_int_equal(gcm_init(&tx, key), 0);
	assert_int_equal(gcm_init(&rx, key), 0);
	tx.rekey = rx.rekey = 100;
	memcpy(first, tx.key, sizeof(first));
	for (i = 0; i < 10; i++) {
		memset(buf, i, 40);
		gcm_seal(&tx, buf, 40, 0);
		assert_int_equal(gcm_open(&rx, buf, sizeof(buf), 0), 0);
		assert_int_equal(buf[0], i);
		assert_memory_equal(tx.key, rx.key, sizeof(tx.key));
		assert_int_equal(tx.ctr, rx.ctr);
	}
	/* 40-byte frames, rekey at 100: after frames 3, 6, 9. */
	assert_memory_not_equal(tx.key, first, sizeof(first));
	assert_int_equal(tx.ctr, 1);
	/* A frame sealed under the old key no longer opens. */
	assert_int_equal(gcm_init(&tx, first), 0);
	gcm_seal(&tx, buf, 40, 0);
	assert_int_equal(gcm_open(&rx, buf, sizeof(buf), 0), -ERR_CRYPTO);
	gcm_wipe(&tx);
	gcm_wipe(&rx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_place),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_rekey),
	};

	if (sodium_init() < 0)
		return 1;
	if (!crypto_aead_aes256gcm_is_available()) {
		print_message("aes256gcm not available on this CPU: skipped\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, NULL);
}
