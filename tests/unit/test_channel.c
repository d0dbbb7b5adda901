/*
 * test_channel.c: unit tests of common/channel.c.  First the test vectors
 * of doc/PROTOCOL.md section 6 (fixed keys, secret and stream headers,
 * served by a deterministic randombytes implementation), checked both
 * through the building blocks and byte for byte through a real handshake
 * against a scripted peer; then real handshakes over socketpairs with a
 * peer thread: round trips, wrong secret, FINAL and truncation, oversize
 * prefix, tampering, refusal, bad hellos and timeouts.  It must not depend
 * on anything but common/ and must not touch the network.
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
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sodium/randombytes_sysrandom.h>

#include "common/atomicio.h"
#include "common/channel.h"
#include "common/error.h"
#include "common/frame.h"
#include "common/msg.h"

#define SS_HDR crypto_secretstream_xchacha20poly1305_HEADERBYTES

/* ---- Vectors (doc/PROTOCOL.md section 6; hex, as published) ---- */

#define V_CLIENT_PK                                                            \
	"07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"
#define V_SERVER_PK                                                            \
	"64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d48466"
#define V_HELLO_PREFIX "83a570726f746fa466747064a17601a2706bc420"
#define V_CLIENT_HELLO V_HELLO_PREFIX V_CLIENT_PK
#define V_SERVER_HELLO V_HELLO_PREFIX V_SERVER_PK
#define V_T	       "c2b6a30548392118a299314e2057426be2e53572fd2d3f8aae5e2db8228293f4"
#define V_KX_C2S                                                               \
	"229fa5a19c7e27f6cb1564fb8a650150d237cc1eac962cf42344b5428138ee3f"
#define V_KX_S2C                                                               \
	"15dc283d949cc8b8ff3c5281f78f0480e4308815bfd070b8e733dd3277dcd5c1"
#define V_KEY_C2S                                                              \
	"704ec9df9530d054eaeb38002bf04e2cb5cce19b8a9b2f0ea04b0dbd8257ba5e"
#define V_KEY_S2C                                                              \
	"175c65d80dfeec799a90c9692c84992a0b81a43426abb705470b2a729a822c71"
#define V_AUTH_MSG "82a26f70a461757468a66d6574686f64a6736563726574"
#define V_AUTH_FRAME                                                           \
	"38e729cc7349e9b6bfc9ff6f2dacf8444d6299b7e05f640126ce2a019a24cacd55"   \
	"4e58b46381c89d02"
#define V_OK_MSG   "81a26f6bc3"
#define V_OK_FRAME "51cc7a2808b7f81e0d9647999753eb8ea73c633994ef08"

/* Fixed inputs: byte i of each is start + i. */
static void
fill(uint8_t *p, size_t n, uint8_t start)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(start + i);
}

/* Decode hex into a malloc'd buffer (the test frees it); *n its size. */
static uint8_t *
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

static void
assert_hex(const uint8_t *p, size_t n, const char *hex)
{
	size_t	 len;
	uint8_t *want = unhex(hex, &len);

	assert_int_equal(n, len);
	assert_memory_equal(p, want, n);
	free(want);
}

/* The frame with its length prefix for a hex payload. */
static uint8_t *
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

static uint8_t rng_fixed[64];
static size_t  rng_fixed_len, rng_fixed_off;

static const char *
rng_name(void)
{
	return "test";
}

static uint32_t
rng_random(void)
{
	return randombytes_sysrandom_implementation.random();
}

static void
rng_stir(void)
{
	randombytes_sysrandom_implementation.stir();
}

static int
rng_close(void)
{
	return randombytes_sysrandom_implementation.close();
}

/* Armed: serve the fixed bytes in order; otherwise the system RNG. */
static void
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
	.implementation_name = rng_name,
	.random = rng_random,
	.stir = rng_stir,
	.uniform = NULL,
	.buf = rng_buf,
	.close = rng_close,
};

/* Next randombytes_buf calls get sk (32 bytes) then the stream header. */
static void
rng_arm(uint8_t sk_start, uint8_t header_start)
{
	fill(rng_fixed, 32, sk_start);
	fill(rng_fixed + 32, SS_HDR, header_start);
	rng_fixed_len = 32 + SS_HDR;
	rng_fixed_off = 0;
}

static void
rng_disarm(void)
{
	assert_int_equal(rng_fixed_off, rng_fixed_len); /* all consumed */
	rng_fixed_len = 0;
	rng_fixed_off = 0;
}

static void
pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void
put_hex_frame(int fd, const char *hex)
{
	size_t	 n;
	uint8_t *f = unhex_frame(hex, &n);

	assert_int_equal(write_full(fd, f, n), 0);
	free(f);
}

static void
put_frame(int fd, const void *p, size_t n)
{
	assert_int_equal(frame_write(fd, p, n), 0);
}

/* Read n bytes the channel wrote and compare them with hex frames. */
static void
expect_frames(int fd, const char *hex1, const char *hex2)
{
	uint8_t got[256], *f;
	size_t	n;

	f = unhex_frame(hex1, &n);
	assert_int_equal(read_full(fd, got, n), (ssize_t)n);
	assert_memory_equal(got, f, n);
	free(f);
	if (hex2 == NULL)
		return;
	f = unhex_frame(hex2, &n);
	assert_int_equal(read_full(fd, got, n), (ssize_t)n);
	assert_memory_equal(got, f, n);
	free(f);
}

/* ---- Test vectors ---- */

static void
test_vector_blocks(void **state)
{
	uint8_t	   csk[32], ssk[32], cpk[32], spk[32], s[32], t[32];
	uint8_t	   rx[32], tx[32], srx[32], stx[32], kc[32], ks[32];
	uint8_t	  *cf, *sf;
	size_t	   cn, sn;
	struct buf b;

	(void)state;
	fill(csk, 32, 0x01);
	fill(ssk, 32, 0x41);
	fill(s, 32, 0x80);
	assert_int_equal(crypto_scalarmult_base(cpk, csk), 0);
	assert_int_equal(crypto_scalarmult_base(spk, ssk), 0);
	assert_hex(cpk, 32, V_CLIENT_PK);
	assert_hex(spk, 32, V_SERVER_PK);
	buf_init(&b, FRAME_HANDSHAKE_MAX);
	assert_int_equal(channel_hello_encode(&b, cpk, NULL), 0);
	assert_int_equal(b.len, 52);
	assert_hex(b.data, b.len, V_CLIENT_HELLO);
	assert_int_equal(channel_hello_encode(&b, spk, NULL), 0);
	assert_hex(b.data, b.len, V_SERVER_HELLO);
	buf_free(&b);
	cf = unhex_frame(V_CLIENT_HELLO, &cn);
	sf = unhex_frame(V_SERVER_HELLO, &sn);
	channel_transcript(cf, cn, sf, sn, t);
	assert_hex(t, 32, V_T);
	assert_int_equal(crypto_kx_client_session_keys(rx, tx, cpk, csk, spk),
	    0);
	assert_int_equal(crypto_kx_server_session_keys(srx, stx, spk, ssk, cpk),
	    0);
	assert_hex(tx, 32, V_KX_C2S);
	assert_hex(srx, 32, V_KX_C2S);
	assert_hex(rx, 32, V_KX_S2C);
	assert_hex(stx, 32, V_KX_S2C);
	assert_int_equal(channel_derive(s, tx, rx, t, kc, ks), 0);
	assert_hex(kc, 32, V_KEY_C2S);
	assert_hex(ks, 32, V_KEY_S2C);
	free(cf);
	free(sf);
}

/* The client side, byte for byte, against a scripted server. */
static void
test_vector_client(void **state)
{
	struct channel ch;
	const uint8_t *body;
	uint8_t	       s[32], *auth;
	size_t	       len, alen;
	int	       sv[2], type;

	(void)state;
	fill(s, 32, 0x80);
	pair(sv);
	put_hex_frame(sv[1], V_SERVER_HELLO);
	put_hex_frame(sv[1],
	    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7");
	rng_arm(0x01, 0xa0);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_CLIENT, s, NULL), 0);
	rng_disarm();
	expect_frames(sv[1], V_CLIENT_HELLO,
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7");
	auth = unhex(V_AUTH_MSG, &alen);
	assert_int_equal(channel_send(&ch, CHANNEL_MSG, auth, alen, 0), 0);
	free(auth);
	expect_frames(sv[1], V_AUTH_FRAME, NULL);
	put_hex_frame(sv[1], V_OK_FRAME);
	assert_int_equal(channel_recv(&ch, &type, &body, &len), 1);
	assert_int_equal(type, CHANNEL_MSG);
	assert_hex(body, len, V_OK_MSG);
	assert_int_equal(ch.wire_out, 56 + 28 + 45);
	assert_int_equal(ch.wire_in, 56 + 28 + 27);
	channel_destroy(&ch);
	close(sv[0]);
	close(sv[1]);
}

/* The server side, byte for byte, against a scripted client. */
static void
test_vector_server(void **state)
{
	struct channel ch;
	const uint8_t *body;
	uint8_t	       s[32], *ok;
	size_t	       len, oklen;
	int	       sv[2], type;

	(void)state;
	fill(s, 32, 0x80);
	pair(sv);
	put_hex_frame(sv[1], V_CLIENT_HELLO);
	put_hex_frame(sv[1],
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7");
	put_hex_frame(sv[1], V_AUTH_FRAME);
	rng_arm(0x41, 0xc0);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_SERVER, s, NULL), 0);
	rng_disarm();
	expect_frames(sv[1], V_SERVER_HELLO,
	    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7");
	assert_int_equal(channel_recv(&ch, &type, &body, &len), 1);
	assert_int_equal(type, CHANNEL_MSG);
	assert_hex(body, len, V_AUTH_MSG);
	ok = unhex(V_OK_MSG, &oklen);
	assert_int_equal(channel_send(&ch, CHANNEL_MSG, ok, oklen, 0), 0);
	free(ok);
	expect_frames(sv[1], V_OK_FRAME, NULL);
	channel_destroy(&ch);
	close(sv[0]);
	close(sv[1]);
}

/* ---- Real handshakes against a peer thread (the server) ---- */

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

	p->hs_rc = channel_handshake(&ch, p->fd, CHANNEL_SERVER, p->secret, NULL);
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
	pair(sv);
	p->fd = sv[1];
	p->mode = mode;
	p->tamper_at = tamper_at;
	fill(p->secret, 32, start);
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

	fill(s, 32, 0x80);
	assert_int_equal(channel_handshake(ch, fd, CHANNEL_CLIENT, s, NULL), 0);
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

/* ---- Refusals and bad hellos, against scripted peers ---- */

static void
test_refusal(void **state)
{
	static const char *why = "server busy: 8 of 8 workers in use";
	struct channel	   ch;
	uint8_t		   s[32];
	int		   sv[2];

	(void)state;
	fill(s, 32, 0x80);
	pair(sv);
	assert_int_equal(channel_refuse(sv[1], ERR_BUSY, why), 0);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_CLIENT, s, NULL),
	    -ERR_BUSY);
	assert_int_equal(ch.refused_code, ERR_BUSY);
	assert_string_equal(ch.refused_msg, why);
	channel_destroy(&ch); /* safe after a failed handshake */
	close(sv[0]);
	close(sv[1]);

	/* Refused and closed before our hello went out: still recognised. */
	pair(sv);
	assert_int_equal(channel_refuse(sv[1], ERR_TIMEOUT, NULL), 0);
	close(sv[1]);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_CLIENT, s, NULL),
	    -ERR_TIMEOUT);
	assert_string_equal(ch.refused_msg, err_message(ERR_TIMEOUT));
	close(sv[0]);
}

/* The refusal frame itself: a small map with the four keys. */
static void
test_refusal_frame(void **state)
{
	char	   longmsg[400], got[256];
	struct buf b;
	struct msg m;
	int64_t	   code;
	int	   sv[2], ok;

	(void)state;
	memset(longmsg, 'a', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	longmsg[3] = '\n';
	pair(sv);
	assert_int_equal(channel_refuse(sv[1], ERR_BUSY, longmsg), 0);
	buf_init(&b, FRAME_HANDSHAKE_MAX);
	assert_int_equal(frame_read(sv[0], &b, FRAME_HANDSHAKE_MAX), 1);
	assert_int_equal(msg_parse(&m, b.data, b.len), 0);
	assert_int_equal(msg_bool(&m, "ok", &ok), 0);
	assert_false(ok);
	assert_int_equal(msg_int(&m, "code", &code), 0);
	assert_int_equal(code, 15);
	assert_int_equal(msg_cstr(&m, "err", got, sizeof(got)), 0);
	assert_string_equal(got, "server_busy");
	assert_int_equal(msg_cstr(&m, "msg", got, sizeof(got)), 0);
	assert_int_equal(strlen(got), 160); /* cut to keep the frame small */
	msg_free(&m);
	buf_free(&b);
	close(sv[0]);
	close(sv[1]);
}

/* A client sees a control byte in a refusal replaced, never printed. */
static void
test_refusal_sanitised(void **state)
{
	struct channel ch;
	uint8_t	       s[32];
	int	       sv[2];

	(void)state;
	fill(s, 32, 0x80);
	pair(sv);
	assert_int_equal(channel_refuse(sv[1], 99, "a\033[2Jb"), 0);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_CLIENT, s, NULL),
	    -ERR_BUSY); /* unknown code: taken as busy */
	assert_string_equal(ch.refused_msg, "a?[2Jb");
	close(sv[0]);
	close(sv[1]);
}

/* Run a handshake as role against the scripted bytes in hello. */
static int
hs_against(int role, const void *hello, size_t n, size_t hdrlen)
{
	static const uint8_t hdr[SS_HDR] = { 1 };
	struct channel	     ch;
	uint8_t		     s[32];
	int		     sv[2], rc;

	fill(s, 32, 0x80);
	pair(sv);
	if (n > 0)
		put_frame(sv[1], hello, n);
	if (hdrlen > 0)
		put_frame(sv[1], hdr, hdrlen);
	shutdown(sv[1], SHUT_WR);
	rc = channel_handshake(&ch, sv[0], role, s, NULL);
	channel_destroy(&ch);
	close(sv[0]);
	close(sv[1]);
	return rc;
}

/* A hello from msgw: proto, v, pk of pklen bytes filled with pkbyte. */
static void
hello_build(struct msgw *w, const char *proto, uint64_t v, size_t pklen,
    uint8_t pkbyte)
{
	uint8_t pk[64];

	memset(pk, pkbyte, sizeof(pk));
	msgw_init(w, 3);
	msgw_str(w, "proto", proto);
	msgw_uint(w, "v", v);
	msgw_bin(w, "pk", pk, pklen);
}

static int
hs_hello(int role, const char *proto, uint64_t v, size_t pklen, uint8_t pkbyte)
{
	struct msgw w;
	int	    rc;

	hello_build(&w, proto, v, pklen, pkbyte);
	rc = hs_against(role, w.sb.data, w.sb.size, SS_HDR);
	msgw_free(&w);
	return rc;
}

static void
test_bad_hellos(void **state)
{
	uint8_t	    junk[FRAME_HANDSHAKE_MAX + 1];
	struct msgw w;

	(void)state;
	/* A valid peer key (a point of order > 8): the handshake passes. */
	assert_int_equal(hs_hello(CHANNEL_CLIENT, "ftpd", 1, 32, 9), 0);
	assert_int_equal(hs_hello(CHANNEL_SERVER, "ftpd", 1, 32, 9), 0);
	assert_int_equal(hs_hello(CHANNEL_CLIENT, "ftpd", 2, 32, 9),
	    -ERR_PROTOCOL);
	assert_int_equal(hs_hello(CHANNEL_CLIENT, "ftpx", 1, 32, 9),
	    -ERR_PROTOCOL);
	assert_int_equal(hs_hello(CHANNEL_SERVER, "ftpd", 1, 31, 9),
	    -ERR_PROTOCOL);
	assert_int_equal(hs_hello(CHANNEL_SERVER, "ftpd", 1, 33, 9),
	    -ERR_PROTOCOL);
	/* All-zero key: crypto_kx refuses the zero shared secret. */
	assert_int_equal(hs_hello(CHANNEL_CLIENT, "ftpd", 1, 32, 0),
	    -ERR_PROTOCOL);
	/* Lenient: other order, extra keys. */
	memset(junk, 9, sizeof(junk));
	msgw_init(&w, 4);
	msgw_str(&w, "extra", "ignored");
	msgw_bin(&w, "pk", junk, 32);
	msgw_uint(&w, "v", 1);
	msgw_str(&w, "proto", "ftpd");
	assert_int_equal(hs_against(CHANNEL_CLIENT, w.sb.data, w.sb.size,
			     SS_HDR),
	    0);
	msgw_free(&w);
	/* Not a map, too long, zero length, wrong header size, EOF. */
	assert_int_equal(hs_against(CHANNEL_SERVER, "\x93\x01\x02\x03", 4, 0),
	    -ERR_PROTOCOL);
	assert_int_equal(hs_against(CHANNEL_SERVER, junk, sizeof(junk), 0),
	    -ERR_PROTOCOL);
	assert_int_equal(hs_hello(CHANNEL_SERVER, "ftpd", 1, 32, 9), 0);
	{
		struct msgw h;

		hello_build(&h, "ftpd", 1, 32, 9);
		assert_int_equal(hs_against(CHANNEL_CLIENT, h.sb.data,
				     h.sb.size, 23),
		    -ERR_PROTOCOL);
		assert_int_equal(hs_against(CHANNEL_CLIENT, h.sb.data,
				     h.sb.size, 0),
		    -ERR_IO);
		msgw_free(&h);
	}
	assert_int_equal(hs_against(CHANNEL_SERVER, NULL, 0, 0), -ERR_IO);
}

/* A refusal-looking map is no hello for a server. */
static void
test_server_ignores_refusal(void **state)
{
	struct channel ch;
	uint8_t	       s[32];
	int	       sv[2];

	(void)state;
	fill(s, 32, 0x80);
	pair(sv);
	assert_int_equal(channel_refuse(sv[1], ERR_BUSY, "busy"), 0);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_SERVER, s, NULL),
	    -ERR_PROTOCOL);
	close(sv[0]);
	close(sv[1]);
}

static void
test_handshake_timeout(void **state)
{
	struct timeval tv = { 0, 50000 };
	struct channel ch;
	uint8_t	       s[32];
	int	       sv[2];

	(void)state;
	fill(s, 32, 0x80);
	pair(sv);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv,
			     sizeof(tv)),
	    0);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_SERVER, s, NULL),
	    -ERR_TIMEOUT);
	close(sv[0]);
	close(sv[1]);
}

static void
test_error_names(void **state)
{
	(void)state;
	assert_string_equal(err_name(ERR_PROTOCOL), "protocol");
	assert_string_equal(err_name(ERR_UNKNOWN_OP), "unknown_op");
	assert_string_equal(err_name(ERR_NAME_TOO_LONG), "name_too_long");
	assert_string_equal(err_name(ERR_BUSY), "server_busy");
	assert_string_equal(err_name(ERR_AUTH), "auth_failed");
	assert_string_equal(err_name(ERR_TIMEOUT), "timeout");
	assert_string_equal(err_name(-1), "unknown");
	assert_string_equal(err_name(ERR_MAX), "unknown");
	assert_string_equal(err_message(ERR_MAX), "unknown error");
	assert_int_equal(err_from_errno(ENOENT), ERR_NOT_FOUND);
	assert_int_equal(err_from_errno(EXDEV), ERR_BAD_PATH);
	assert_int_equal(err_from_errno(ELOOP), ERR_BAD_PATH);
	assert_int_equal(err_from_errno(EDQUOT), ERR_NO_SPACE);
	assert_int_equal(err_from_errno(EPERM), ERR_PERMISSION);
	assert_int_equal(err_from_errno(ENAMETOOLONG), ERR_NAME_TOO_LONG);
	assert_int_equal(err_from_errno(EIO), ERR_IO);
	assert_int_equal(err_from_errno(0), ERR_IO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_blocks),
		cmocka_unit_test(test_vector_client),
		cmocka_unit_test(test_vector_server),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_secret),
		cmocka_unit_test(test_eof_without_final),
		cmocka_unit_test(test_frame_after_final),
		cmocka_unit_test(test_oversize_prefix),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_refusal),
		cmocka_unit_test(test_refusal_frame),
		cmocka_unit_test(test_refusal_sanitised),
		cmocka_unit_test(test_bad_hellos),
		cmocka_unit_test(test_server_ignores_refusal),
		cmocka_unit_test(test_handshake_timeout),
		cmocka_unit_test(test_error_names),
	};

	/* Before sodium_init, as randombytes_set_implementation requires. */
	if (randombytes_set_implementation(&rng_test) != 0 || sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
