/*
 * test_frame.c: unit tests of common/frame.c over pipes and socketpairs:
 * round trips (small, and FRAME_MAX through a writer thread so short writes
 * happen), the zero-length and over-long prefixes (refused before any
 * allocation), end of file inside a header or a payload, and a clean end of
 * file between frames.  It must not depend on anything but frame.c and
 * what it links (buf.c, atomicio.c, log.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/atomicio.h"
#include "common/frame.h"

static void
raw_write(int fd, const void *p, size_t n)
{
	assert_int_equal(write_full(fd, p, n), 0);
}

static void
test_len_encoding(void **state)
{
	uint8_t h[FRAME_HDR_LEN];

	(void)state;
	frame_put_len(h, 0x01020304);
	assert_memory_equal(h, "\x01\x02\x03\x04", 4);
	assert_int_equal(frame_get_len(h), 0x01020304);
	frame_put_len(h, 0xffffffff);
	assert_int_equal(frame_get_len(h), 0xffffffff);
	/* Decoding fixed bytes: big-endian, no sign extension. */
	assert_int_equal(frame_get_len((const uint8_t *)"\xfe\xdc\xba\x98"),
	    0xfedcba98);
	frame_put_len(h, 0x80000001);
	assert_memory_equal(h, "\x80\x00\x00\x01", 4);
}

static void
test_round_trip_pipe(void **state)
{
	struct buf b;
	int	   p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	buf_init(&b, FRAME_MAX);
	assert_int_equal(frame_write(p[1], "hello", 5), 0); /* ENOTSOCK path */
	assert_int_equal(frame_write(p[1], "x", 1), 0);
	close(p[1]);
	assert_int_equal(frame_read(p[0], &b, FRAME_MAX), 1);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "hello", 5);
	assert_int_equal(frame_read(p[0], &b, FRAME_MAX), 1);
	assert_int_equal(b.len, 1);
	assert_int_equal(frame_read(p[0], &b, FRAME_MAX), 0); /* clean EOF */
	close(p[0]);
	buf_free(&b);
}

struct writer {
	int	       fd;
	const uint8_t *p;
	size_t	       len;
	int	       rc;
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;

	w->rc = frame_write(w->fd, w->p, w->len);
	return NULL;
}

static void
test_round_trip_max(void **state)
{
	struct writer w;
	pthread_t     t;
	struct buf    b;
	uint8_t	     *big;
	size_t	      i;
	int	      sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	big = malloc(FRAME_MAX);
	assert_non_null(big);
	for (i = 0; i < FRAME_MAX; i++)
		big[i] = (uint8_t)(i * 7 + 3);
	w.fd = sv[0];
	w.p = big;
	w.len = FRAME_MAX;
	assert_int_equal(pthread_create(&t, NULL, writer_main, &w), 0);
	buf_init(&b, FRAME_MAX);
	assert_int_equal(frame_read(sv[1], &b, FRAME_MAX), 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(b.len, FRAME_MAX);
	assert_memory_equal(b.data, big, FRAME_MAX);
	close(sv[0]);
	close(sv[1]);
	buf_free(&b);
	free(big);
}

static void
test_write_limits(void **state)
{
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	errno = 0;
	assert_int_equal(frame_write(p[1], "", FRAME_MAX + 1), -1);
	assert_int_equal(errno, EMSGSIZE);
	errno = 0;
	assert_int_equal(frame_write(p[1], "", 0), -1);
	assert_int_equal(errno, EINVAL);
	close(p[0]);
	close(p[1]);
}

static void
test_write_epipe(void **state)
{
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	errno = 0;
	assert_int_equal(frame_write(sv[0], "abc", 3), -1);
	assert_int_equal(errno, EPIPE);
	close(sv[0]);
}

static void
test_zero_length(void **state)
{
	struct buf b;
	int	   p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	raw_write(p[1], "\0\0\0\0", 4);
	buf_init(&b, FRAME_MAX);
	errno = 0;
	assert_int_equal(frame_read(p[0], &b, FRAME_MAX), -1);
	assert_int_equal(errno, EPROTO);
	close(p[0]);
	close(p[1]);
	buf_free(&b);
}

/* A length over max is refused before a byte is allocated or read. */
static void
test_over_max(void **state)
{
	struct buf b;
	uint8_t	   h[FRAME_HDR_LEN], rest[8];
	int	   p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	frame_put_len(h, 257);
	raw_write(p[1], h, sizeof(h));
	raw_write(p[1], "payload", 7);
	buf_init(&b, FRAME_MAX);
	errno = 0;
	assert_int_equal(frame_read(p[0], &b, FRAME_HANDSHAKE_MAX), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_null(b.data);
	/* The payload was not consumed. */
	assert_int_equal(read(p[0], rest, 7), 7);
	frame_put_len(h, 0xffffffff);
	raw_write(p[1], h, sizeof(h));
	errno = 0;
	assert_int_equal(frame_read(p[0], &b, SIZE_MAX), -1); /* clamped */
	assert_int_equal(errno, EMSGSIZE);
	assert_null(b.data);
	frame_put_len(h, FRAME_MAX + 1);
	raw_write(p[1], h, sizeof(h));
	assert_int_equal(frame_read(p[0], &b, FRAME_MAX), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_null(b.data);
	close(p[0]);
	close(p[1]);
	buf_free(&b);
}

static void
test_truncated(void **state)
{
	struct buf b;
	uint8_t	   h[FRAME_HDR_LEN];
	int	   p[2];

	(void)state;
	buf_init(&b, FRAME_MAX);
	/* End of file inside the payload. */
	assert_int_equal(pipe(p), 0);
	frame_put_len(h, 10);
	raw_write(p[1], h, sizeof(h));
	raw_write(p[1], "12345", 5);
	close(p[1]);
	errno = 0;
	assert_int_equal(frame_read(p[0], &b, FRAME_MAX), -1);
	assert_int_equal(errno, EPROTO);
	close(p[0]);
	/* End of file inside the length prefix. */
	assert_int_equal(pipe(p), 0);
	raw_write(p[1], "\0\0", 2);
	close(p[1]);
	errno = 0;
	assert_int_equal(frame_read(p[0], &b, FRAME_MAX), -1);
	assert_int_equal(errno, EPROTO);
	close(p[0]);
	buf_free(&b);
}

static void
test_clean_eof(void **state)
{
	struct buf b;
	int	   p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	close(p[1]);
	buf_init(&b, FRAME_MAX);
	assert_int_equal(frame_read(p[0], &b, FRAME_MAX), 0);
	assert_int_equal(b.len, 0);
	close(p[0]);
	buf_free(&b);
}

static void
test_timeout(void **state)
{
	struct timeval tv = { 0, 50000 };
	struct buf     b;
	int	       sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv,
			     sizeof(tv)),
	    0);
	buf_init(&b, FRAME_MAX);
	errno = 0;
	assert_int_equal(frame_read(sv[1], &b, FRAME_MAX), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	close(sv[0]);
	close(sv[1]);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_len_encoding),
		cmocka_unit_test(test_round_trip_pipe),
		cmocka_unit_test(test_round_trip_max),
		cmocka_unit_test(test_write_limits),
		cmocka_unit_test(test_write_epipe),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_over_max),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_clean_eof),
		cmocka_unit_test(test_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
