/*
 * vectors.h: helpers of the test-vector unit tests (test_vectors.c for the
 * xchacha20poly1305 suite, test_vectors_gcm.c for aes256gcm): hex in and
 * out, scripted peer frames, and a randombytes implementation that serves
 * fixed bytes while armed (install it before sodium_init).  Header-only,
 * since the Makefile links each test_*.c alone with libcommon.a.
 */
#ifndef FTPD_TESTS_VECTORS_H
#define FTPD_TESTS_VECTORS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sodium/randombytes_sysrandom.h>

#include "common/atomicio.h"
#include "common/channel.h"
#include "common/frame.h"
#include "tests/unit/unit.h"

#define SS_HDR crypto_secretstream_xchacha20poly1305_HEADERBYTES

/* Decode hex into a malloc'd buffer (the test frees it); *n its size. */
static inline uint8_t *
unhex(const char *hex, size_t *n)
{
	size_t	 len = strlen(hex) / 2, got = 0;
	uint8_t *p = malloc(len + 1);

	assert_non_null(p);
	assert_int_equal(sodium_hex2bin(p, len, hex, strlen(hex), NULL, &got,
			     NULL),
	    0);
	assert_int_equal(got, len);
	*n = len;
	return p;
}

static inline void
assert_hex(const uint8_t *p, size_t n, const char *hex)
{
	size_t	 len;
	uint8_t *want = unhex(hex, &len);

	assert_int_equal(n, len);
	assert_memory_equal(p, want, n);
	free(want);
}

/* The frame with its length prefix for a hex payload. */
static inline uint8_t *
unhex_frame(const char *hex, size_t *n)
{
	size_t	 len;
	uint8_t *pay = unhex(hex, &len), *f = malloc(FRAME_HDR_LEN + len);

	assert_non_null(f);
	frame_put_len(f, (uint32_t)len);
	memcpy(f + FRAME_HDR_LEN, pay, len);
	free(pay);
	*n = FRAME_HDR_LEN + len;
	return f;
}

/* ---- A randombytes implementation that can serve fixed bytes ---- */

static inline const char *
rng_test_name(void)
{
	return "test";
}

static uint8_t rng_fixed[64];
static size_t  rng_fixed_len, rng_fixed_off;

static inline uint32_t
rng_random(void)
{
	return randombytes_sysrandom_implementation.random();
}

static inline void
rng_stir(void)
{
	randombytes_sysrandom_implementation.stir();
}

static inline int
rng_close(void)
{
	return randombytes_sysrandom_implementation.close();
}

/* Armed: serve the fixed bytes in order; otherwise the system RNG. */
static inline void
rng_buf(void *const p, const size_t n)
{
	if (rng_fixed_len - rng_fixed_off >= n && n > 0) {
		memcpy(p, rng_fixed + rng_fixed_off, n);
		rng_fixed_off += n;
		return;
	}
	randombytes_sysrandom_implementation.buf(p, n);
}

static randombytes_implementation rng_test = {
	.implementation_name = rng_test_name,
	.random = rng_random,
	.stir = rng_stir,
	.uniform = NULL,
	.buf = rng_buf,
	.close = rng_close,
};

/* Next randombytes_buf calls get sk (32 bytes) then the stream header. */
static inline void
rng_arm(uint8_t sk_start, uint8_t header_start)
{
	unit_fill(rng_fixed, 32, sk_start);
	unit_fill(rng_fixed + 32, SS_HDR, header_start);
	rng_fixed_len = 32 + SS_HDR;
	rng_fixed_off = 0;
}

static inline void
rng_disarm(void)
{
	assert_int_equal(rng_fixed_off, rng_fixed_len); /* all consumed */
	rng_fixed_len = 0;
	rng_fixed_off = 0;
}

static inline void
put_hex_frame(int fd, const char *hex)
{
	size_t	 n;
	uint8_t *f = unhex_frame(hex, &n);

	assert_int_equal(write_full(fd, f, n), 0);
	free(f);
}

/* Read the next frame the channel wrote and compare it with hex. */
static inline void
expect_frame(int fd, const char *hex)
{
	uint8_t got[256], *f;
	size_t	n;

	f = unhex_frame(hex, &n);
	assert_true(n <= sizeof(got));
	assert_int_equal(read_full(fd, got, n), (ssize_t)n);
	assert_memory_equal(got, f, n);
	free(f);
}

static inline void
vector_down(struct channel *ch, int sv[2])
{
	channel_destroy(ch);
	close(sv[0]);
	close(sv[1]);
}

/* Send hex body as type on ch and compare the frame with hex. */
static inline void
send_expect(struct channel *ch, int fd, int type, const char *body,
    const char *frame, int final)
{
	size_t	 n;
	uint8_t *b = unhex(body, &n);

	assert_int_equal(channel_send(ch, type, b, n, final), 0);
	free(b);
	expect_frame(fd, frame);
}

/* Feed hex frame to ch and check it opens to a message holding body. */
static inline void
recv_expect(struct channel *ch, int fd, const char *frame, const char *body,
    int final)
{
	const uint8_t *got;
	size_t	       len;
	int	       type;

	put_hex_frame(fd, frame);
	assert_int_equal(channel_recv(ch, &type, &got, &len), 1);
	assert_int_equal(type, CHANNEL_MSG);
	assert_hex(got, len, body);
	assert_int_equal(ch->peer_final, final);
}

/* Next randombytes_buf call gets sk only (aes256gcm: no stream header). */
static inline void
rng_arm_key(uint8_t sk_start)
{
	unit_fill(rng_fixed, 32, sk_start);
	rng_fixed_len = 32;
	rng_fixed_off = 0;
}

#endif
