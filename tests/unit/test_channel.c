/*
 * test_channel.c: unit tests of common/channel.c over real handshakes on
 * socketpairs with a peer thread: round trips of every frame size, wrong
 * secret, FINAL and truncation, a frame after FINAL, an oversize length
 * prefix and tampering.  The test vectors are in test_vectors.c, refusals
 * and malformed hellos in test_handshake.c.  It must not depend on anything
 * but common/ and must not touch the network.
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
#include <sodium.h>

#include "common/atomicio.h"
#include "common/channel.h"
#include "common/frame.h"
#include "tests/unit/unit.h"

/* ---- Real handshakes against a peer thread (the server) ---- */

/* The suite both ends offer in this run of the group (group setup). */
static unsigned		   run_suites;
static struct channel_opts run_opts;

enum peer_mode {
	PEER_ECHO,	 /* echo every frame, FINAL answered with FINAL */
	PEER_SEND_ONE,	 /* send one message, then receive once */
	PEER_OVERSIZE,	 /* send a length prefix of FRAME_MAX + 1 */
	PEER_TAMPER,	 /* send one frame with byte tamper_at flipped */
	PEER_AFTER_FINAL /* send FINAL, then one more frame */
};

struct peer {
	pthread_t thread;
	int	  fd;
	int	  mode;
	uint8_t	  secret[32];
	size_t	  tamper_at;
	int	  hs_rc;
	int	  recv_rc;
	int	  recv_errno;
	int	  send_rc;
	uint64_t  wire_in, wire_out;
};

static void
peer_echo(struct peer *p, struct channel *ch)
{
	const uint8_t *body;
	size_t	       len;
	int	       type, final;

	for (;;) {
		p->recv_rc = channel_recv(ch, &type, &body, &len);
		p->recv_errno = errno;
		if (p->recv_rc != 1)
			break;
		final = ch->peer_final;
		if (channel_send(ch, type, body, len, final) != 0 || final)
			break;
	}
}

/* Send one frame through a pipe, flip a byte, pass it on. */
static void
peer_tamper(struct peer *p, struct channel *ch)
{
	uint8_t body[100], frame[4 + 1 + 100 + 17];
	int	pp[2], real = ch->fd;

	memset(body, 0x80, sizeof(body)); /* msgpack fixmap 0: any bytes do */
	if (pipe(pp) != 0)
		return;
	ch->fd = pp[1];
	if (channel_send(ch, CHANNEL_MSG, body, sizeof(body), 0) == 0 &&
	    read_full(pp[0], frame, sizeof(frame)) == (ssize_t)sizeof(frame)) {
		frame[p->tamper_at] ^= 0x01;
		p->send_rc = write_full(real, frame, sizeof(frame));
	}
	ch->fd = real;
	close(pp[0]);
	close(pp[1]);
}

static void *
peer_main(void *arg)
{
	struct peer   *p = arg;
	struct channel ch;
	uint8_t	       h[FRAME_HDR_LEN];
	const uint8_t *body;
	size_t	       len;
	int	       type;

	p->hs_rc =
	    channel_handshake(&ch, p->fd, CHANNEL_SERVER, p->secret, &run_opts);
	if (p->hs_rc != 0)
		goto out;
	switch (p->mode) {
	case PEER_ECHO:
		peer_echo(p, &ch);
		break;
	case PEER_SEND_ONE:
		if (channel_send(&ch, CHANNEL_MSG, "\x80", 1, 0) != 0)
			break;
		p->recv_rc = channel_recv(&ch, &type, &body, &len);
		p->recv_errno = errno;
		break;
	case PEER_OVERSIZE:
		frame_put_len(h, FRAME_MAX + 1);
		p->send_rc = write_full(p->fd, h, sizeof(h));
		break;
	case PEER_TAMPER:
		peer_tamper(p, &ch);
		break;
	case PEER_AFTER_FINAL:
		if (channel_send(&ch, CHANNEL_MSG, "\x80", 1, 1) != 0)
			break;
		ch.sent_final = 0; /* force what channel_send refuses */
		p->send_rc = channel_send(&ch, CHANNEL_MSG, "\x80", 1, 0);
		break;
	}
	p->wire_in = ch.wire_in;
	p->wire_out = ch.wire_out;
	channel_destroy(&ch);
out:
	close(p->fd);
	return NULL;
}

/* Start a server thread with secret bytes start..; returns the client fd. */
static int
peer_start(struct peer *p, int mode, uint8_t start, size_t tamper_at)
{
	int sv[2];

	memset(p, 0, sizeof(*p));
	unit_pair(sv);
	p->fd = sv[1];
	p->mode = mode;
	p->tamper_at = tamper_at;
	unit_fill(p->secret, 32, start);
	assert_int_equal(pthread_create(&p->thread, NULL, peer_main, p), 0);
	return sv[0];
}

static void
peer_join(struct peer *p)
{
	assert_int_equal(pthread_join(p->thread, NULL), 0);
}

static void
client_up(struct channel *ch, int fd)
{
	uint8_t s[32];

	unit_fill(s, 32, 0x80);
	assert_int_equal(channel_handshake(ch, fd, CHANNEL_CLIENT, s,
			     &run_opts),
	    0);
	assert_int_equal(1u << ch->suite, run_suites);
}

/* Send type/body, expect the echo back unchanged. */
static void
echo_check(struct channel *ch, int type, const uint8_t *p, size_t n)
{
	const uint8_t *body;
	size_t	       len;
	int	       rtype;

	assert_int_equal(channel_send(ch, type, p, n, 0), 0);
	assert_int_equal(channel_recv(ch, &rtype, &body, &len), 1);
	assert_int_equal(rtype, type);
	assert_int_equal(len, n);
	if (n > 0)
		assert_memory_equal(body, p, n);
}

static void
test_round_trip(void **state)
{
	struct channel ch;
	struct peer    p;
	const uint8_t *body;
	uint8_t	      *data;
	size_t	       len;
	int	       fd, type;

	(void)state;
	fd = peer_start(&p, PEER_ECHO, 0x80, 0);
	client_up(&ch, fd);
	data = malloc(CHANNEL_BODY_MAX + 1);
	assert_non_null(data);
	randombytes_buf(data, CHANNEL_BODY_MAX + 1);
	echo_check(&ch, CHANNEL_MSG, (const uint8_t *)"\x81\xa1x\x01", 4);
	echo_check(&ch, CHANNEL_DATA, data, CHANNEL_DATA_CHUNK);
	echo_check(&ch, CHANNEL_DATA, data, 0);
	echo_check(&ch, CHANNEL_DATA, data, CHANNEL_BODY_MAX);
	errno = 0;
	assert_int_equal(channel_send(&ch, CHANNEL_DATA, data,
			     CHANNEL_BODY_MAX + 1, 0),
	    -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_int_equal(channel_send(&ch, 3, data, 1, 0), -1);
	assert_int_equal(errno, EINVAL);
	/* Orderly close: FINAL, FINAL back, then end of file gives 0. */
	assert_int_equal(channel_send(&ch, CHANNEL_MSG, "\x80", 1, 1), 0);
	assert_int_equal(channel_recv(&ch, &type, &body, &len), 1);
	assert_true(ch.peer_final);
	assert_int_equal(channel_recv(&ch, &type, &body, &len), 0);
	errno = 0;
	assert_int_equal(channel_send(&ch, CHANNEL_MSG, "\x80", 1, 0), -1);
	assert_int_equal(errno, EPIPE);
	peer_join(&p);
	assert_int_equal(p.hs_rc, 0);
	assert_int_equal(p.recv_rc, 1);
	assert_int_equal(ch.wire_out, p.wire_in);
	assert_int_equal(ch.wire_in, p.wire_out);
	channel_destroy(&ch);
	close(fd);
	free(data);
}

static void
test_wrong_secret(void **state)
{
	struct channel ch;
	struct peer    p;
	const uint8_t *body;
	size_t	       len;
	int	       fd, type;

	(void)state;
	fd = peer_start(&p, PEER_SEND_ONE, 0x81, 0);
	client_up(&ch, fd); /* not detected by the handshake itself */
	errno = 0;
	assert_int_equal(channel_recv(&ch, &type, &body, &len), -1);
	assert_int_equal(errno, EBADMSG);
	assert_null(body);
	assert_int_equal(len, 0);
	assert_int_equal(channel_send(&ch, CHANNEL_MSG, "\x80", 1, 0), 0);
	peer_join(&p);
	assert_int_equal(p.hs_rc, 0);
	assert_int_equal(p.recv_rc, -1);
	assert_int_equal(p.recv_errno, EBADMSG);
	channel_destroy(&ch);
	close(fd);
}

static void
test_eof_without_final(void **state)
{
	struct channel ch;
	struct peer    p;
	const uint8_t *body;
	size_t	       len;
	int	       fd, type;

	(void)state;
	fd = peer_start(&p, PEER_SEND_ONE, 0x80, 0);
	client_up(&ch, fd);
	assert_int_equal(channel_recv(&ch, &type, &body, &len), 1);
	assert_false(ch.peer_final);
	shutdown(fd, SHUT_WR); /* the peer sees EOF without FINAL too */
	errno = 0;
	assert_int_equal(channel_recv(&ch, &type, &body, &len), -1);
	assert_int_equal(errno, EPROTO);
	peer_join(&p);
	assert_int_equal(p.recv_rc, -1);
	assert_int_equal(p.recv_errno, EPROTO);
	channel_destroy(&ch);
	close(fd);
}

static void
test_frame_after_final(void **state)
{
	struct channel ch;
	struct peer    p;
	const uint8_t *body;
	size_t	       len;
	int	       fd, type;

	(void)state;
	fd = peer_start(&p, PEER_AFTER_FINAL, 0x80, 0);
	client_up(&ch, fd);
	assert_int_equal(channel_recv(&ch, &type, &body, &len), 1);
	assert_true(ch.peer_final);
	errno = 0;
	assert_int_equal(channel_recv(&ch, &type, &body, &len), -1);
	assert_int_equal(errno, EPROTO);
	peer_join(&p);
	channel_destroy(&ch);
	close(fd);
}

static void
test_oversize_prefix(void **state)
{
	struct channel ch;
	struct peer    p;
	const uint8_t *body;
	size_t	       len, cap;
	int	       fd, type;

	(void)state;
	fd = peer_start(&p, PEER_OVERSIZE, 0x80, 0);
	client_up(&ch, fd);
	cap = ch.in.cap;
	errno = 0;
	assert_int_equal(channel_recv(&ch, &type, &body, &len), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_int_equal(ch.in.cap, cap); /* nothing allocated */
	assert_true(ch.in.cap <= FRAME_HANDSHAKE_MAX);
	peer_join(&p);
	channel_destroy(&ch);
	close(fd);
}

static void
test_tampered(void **state)
{
	/* Encrypted tag byte, type byte, body, last MAC byte. */
	static const size_t at[] = { 4, 5, 60, 4 + 1 + 100 + 17 - 1 };
	struct channel	    ch;
	struct peer	    p;
	const uint8_t	   *body;
	size_t		    len, i;
	int		    fd, type;

	(void)state;
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		fd = peer_start(&p, PEER_TAMPER, 0x80, at[i]);
		client_up(&ch, fd);
		errno = 0;
		assert_int_equal(channel_recv(&ch, &type, &body, &len), -1);
		assert_int_equal(errno, EBADMSG);
		assert_int_equal(type, 0);
		assert_null(body);
		peer_join(&p);
		channel_destroy(&ch);
		close(fd);
	}
}

static int
use_suite(unsigned suites)
{
	run_suites = suites;
	run_opts.lim = NULL;
	run_opts.suites = suites;
	return 0;
}

static int
use_xchacha(void **state)
{
	(void)state;
	return use_suite(1u << CHANNEL_SUITE_XCHACHA);
}

static int
use_aesgcm(void **state)
{
	(void)state;
	return use_suite(1u << CHANNEL_SUITE_AESGCM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_secret),
		cmocka_unit_test(test_eof_without_final),
		cmocka_unit_test(test_frame_after_final),
		cmocka_unit_test(test_oversize_prefix),
		cmocka_unit_test(test_tampered),
	};

	int r;

	if (sodium_init() < 0)
		return 1;
	r = cmocka_run_group_tests_name("xchacha20poly1305", tests, use_xchacha,
	    NULL);
	if (crypto_aead_aes256gcm_is_available())
		r += cmocka_run_group_tests_name("aes256gcm", tests, use_aesgcm,
		    NULL);
	return r;
}
