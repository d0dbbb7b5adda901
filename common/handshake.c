/*
 * handshake.c: the handshake of protocol v1 (doc/PROTOCOL.md section 2):
 * hello exchange (messages from the schema table), crypto_kx, transcript,
 * key derivation, secretstream headers; and the plain refusal frame a
 * master sends instead of a hello.  Every secret (ephemeral key, kx keys,
 * session keys) lives in one scratch struct that is wiped on every exit.
 * This file must not allocate from a peer's length before checking it and
 * must not let a byte of the peer's refusal reach a terminal unfiltered.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "common/atomicio.h"
#include "common/channel.h"
#include "common/error.h"
#include "common/frame.h"
#include "common/safetext.h"
#include "common/schema.h"

#define SS_HEADERBYTES	crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define HELLO_FRAME_MAX (FRAME_HDR_LEN + FRAME_HANDSHAKE_MAX)
#define LABEL_LEN	11  /* "ftpd v1 c2s", no terminator */
#define REFUSE_MSG_MAX	160 /* keeps a refusal frame under 256 bytes */

/* Handshake scratch: all secrets of a handshake, wiped on every exit. */
struct hs {
	uint8_t pk[crypto_kx_PUBLICKEYBYTES];
	uint8_t sk[crypto_kx_SECRETKEYBYTES];
	uint8_t peer_pk[crypto_kx_PUBLICKEYBYTES];
	uint8_t mine[HELLO_FRAME_MAX]; /* our hello frame, prefix included */
	size_t	minelen;
	uint8_t peer[HELLO_FRAME_MAX]; /* the peer's hello frame */
	size_t	peerlen;
	uint8_t kx_c2s[crypto_kx_SESSIONKEYBYTES];
	uint8_t kx_s2c[crypto_kx_SESSIONKEYBYTES];
	uint8_t t[CHANNEL_HASH_BYTES];
	uint8_t key_c2s[CHANNEL_KEY_BYTES];
	uint8_t key_s2c[CHANNEL_KEY_BYTES];
	uint8_t header[SS_HEADERBYTES];
};

int
channel_hello_encode(struct buf *out,
    const uint8_t pk[crypto_kx_PUBLICKEYBYTES], const struct schema_lim *lim)
{
	struct schema_hello h;

	/* Shortest forms, in table order (PROTOCOL.md 2): 52 bytes sans lim. */
	memset(&h, 0, sizeof(h));
	h.proto = schema_cstr("ftpd");
	h.v = CHANNEL_PROTO_VERSION;
	h.pk.p = pk;
	h.pk.len = crypto_kx_PUBLICKEYBYTES;
	if (lim != NULL) {
		h.lim = *lim;
		h.has.lim = 1;
	}
	return schema_encode(SCHEMA_HELLO, &h, out);
}

void
channel_transcript(const uint8_t *chello, size_t clen, const uint8_t *shello,
    size_t slen, uint8_t t[CHANNEL_HASH_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, CHANNEL_HASH_BYTES);
	crypto_generichash_update(&st, chello, clen);
	crypto_generichash_update(&st, shello, slen);
	crypto_generichash_final(&st, t, CHANNEL_HASH_BYTES);
	sodium_memzero(&st, sizeof(st));
}

/* key = BLAKE2b-256(key = secret, label || kx || t) (PROTOCOL.md 2.2). */
static void
derive_one(const uint8_t secret[CHANNEL_KEY_BYTES], const char *label,
    const uint8_t kx[CHANNEL_KEY_BYTES], const uint8_t t[CHANNEL_HASH_BYTES],
    uint8_t key[CHANNEL_KEY_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, secret, CHANNEL_KEY_BYTES,
	    CHANNEL_KEY_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)label, LABEL_LEN);
	crypto_generichash_update(&st, kx, CHANNEL_KEY_BYTES);
	crypto_generichash_update(&st, t, CHANNEL_HASH_BYTES);
	crypto_generichash_final(&st, key, CHANNEL_KEY_BYTES);
	sodium_memzero(&st, sizeof(st));
}

int
channel_derive(const uint8_t secret[CHANNEL_KEY_BYTES],
    const uint8_t	     kx_c2s[CHANNEL_KEY_BYTES],
    const uint8_t	     kx_s2c[CHANNEL_KEY_BYTES],
    const uint8_t t[CHANNEL_HASH_BYTES], uint8_t key_c2s[CHANNEL_KEY_BYTES],
    uint8_t key_s2c[CHANNEL_KEY_BYTES])
{
	derive_one(secret, "ftpd v1 c2s", kx_c2s, t, key_c2s);
	derive_one(secret, "ftpd v1 s2c", kx_s2c, t, key_s2c);
	return 0;
}

/* Handshake I/O failure (errno set) to the ERR_* code channel.h promises. */
static int
hs_errno(void)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return -ERR_TIMEOUT;
	if (errno == EMSGSIZE || errno == EPROTO)
		return -ERR_PROTOCOL;
	return -ERR_IO;
}

/* Read one handshake frame of at most max bytes into ch->in. */
static int
hs_read(struct channel *ch, size_t max)
{
	int r;

	if ((r = frame_read(ch->fd, &ch->in, max)) == -1)
		return hs_errno();
	if (r == 0) {
		errno = ECONNRESET; /* closed before its hello or header */
		return -ERR_IO;
	}
	ch->wire_in += FRAME_HDR_LEN + ch->in.len;
	return 0;
}

/* Copy the refusal's code and printable message into ch; returns -code. */
static int
hs_refusal(struct channel *ch, const struct schema_reply *e)
{
	int code = e->code < ERR_MAX ? (int)e->code : ERR_BUSY;

	/* SECURITY: the client prints this; no control bytes reach a tty. */
	(void)safetext_copy(ch->refused_msg, sizeof(ch->refused_msg), e->msg.p,
	    e->msg.len);
	ch->refused_code = code;
	return -code;
}

/*
 * Check the peer's hello payload (PROTOCOL.md 2) and copy its key, and a
 * server's advertised limits.  A client meeting an error reply instead
 * gets the refusal's code.
 */
static int
hs_hello_decode(struct channel *ch, const uint8_t *p, size_t len,
    uint8_t pk[crypto_kx_PUBLICKEYBYTES])
{
	struct schema_hello h;
	struct schema_reply e;

	if (ch->role == CHANNEL_CLIENT &&
	    schema_decode(SCHEMA_R_ERROR, p, len, &e, NULL) == 0)
		return hs_refusal(ch, &e);
	/* SECURITY: the decoder bounds every length before msgpack-c runs. */
	if (schema_decode(SCHEMA_HELLO, p, len, &h, NULL) != 0 ||
	    !schema_str_is(h.proto, "ftpd") || h.v != CHANNEL_PROTO_VERSION)
		return -ERR_PROTOCOL;
	memcpy(pk, h.pk.p, crypto_kx_PUBLICKEYBYTES);
	if (ch->role == CHANNEL_CLIENT && h.has.lim) {
		ch->peer_lim = h.lim;
		ch->has_peer_lim = 1;
	}
	return 0;
}

/*
 * Send our hello and read the peer's; both frames are kept in hs.  A client
 * whose hello could not be written still reads: a server that refused and
 * closed at once has left its refusal to be read.
 */
static int
hs_hello(struct channel *ch, struct hs *hs, const struct schema_lim *lim)
{
	int rc, wrc = 0, saved = 0;

	crypto_kx_keypair(hs->pk, hs->sk);
	if (channel_hello_encode(&ch->out, hs->pk, lim) != 0 ||
	    ch->out.len > FRAME_HANDSHAKE_MAX)
		return -ERR_INTERNAL;
	frame_put_len(hs->mine, (uint32_t)ch->out.len);
	memcpy(hs->mine + FRAME_HDR_LEN, ch->out.data, ch->out.len);
	hs->minelen = FRAME_HDR_LEN + ch->out.len;
	if (write_full(ch->fd, hs->mine, hs->minelen) == -1) {
		saved = errno;
		if ((wrc = hs_errno()) != 0 && ch->role == CHANNEL_SERVER)
			return wrc;
	} else
		ch->wire_out += hs->minelen;
	if ((rc = hs_read(ch, FRAME_HANDSHAKE_MAX)) == 0) {
		frame_put_len(hs->peer, (uint32_t)ch->in.len);
		memcpy(hs->peer + FRAME_HDR_LEN, ch->in.data, ch->in.len);
		hs->peerlen = FRAME_HDR_LEN + ch->in.len;
		rc = hs_hello_decode(ch, ch->in.data, ch->in.len, hs->peer_pk);
	}
	if (wrc != 0 && ch->refused_code == 0) {
		errno = saved; /* the write failure is the real story */
		return wrc;
	}
	return rc;
}

/* crypto_kx, transcript and session keys (PROTOCOL.md 2.1, 2.2). */
static int
hs_keys(const struct channel *ch, struct hs *hs,
    const uint8_t secret[CHANNEL_KEY_BYTES])
{
	int r;

	/* SECURITY: a low-order peer key (all-zero X25519 output) fails. */
	if (ch->role == CHANNEL_CLIENT) {
		r = crypto_kx_client_session_keys(hs->kx_s2c, hs->kx_c2s,
		    hs->pk, hs->sk, hs->peer_pk);
		channel_transcript(hs->mine, hs->minelen, hs->peer, hs->peerlen,
		    hs->t);
	} else {
		r = crypto_kx_server_session_keys(hs->kx_c2s, hs->kx_s2c,
		    hs->pk, hs->sk, hs->peer_pk);
		channel_transcript(hs->peer, hs->peerlen, hs->mine, hs->minelen,
		    hs->t);
	}
	if (r != 0)
		return -ERR_PROTOCOL;
	return channel_derive(secret, hs->kx_c2s, hs->kx_s2c, hs->t,
	    hs->key_c2s, hs->key_s2c);
}

/* Exchange the secretstream headers (PROTOCOL.md 2.3). */
static int
hs_streams(struct channel *ch, struct hs *hs)
{
	const uint8_t *tx_key, *rx_key;
	int	       rc;

	tx_key = ch->role == CHANNEL_CLIENT ? hs->key_c2s : hs->key_s2c;
	rx_key = ch->role == CHANNEL_CLIENT ? hs->key_s2c : hs->key_c2s;
	crypto_secretstream_xchacha20poly1305_init_push(&ch->tx, hs->header,
	    tx_key);
	if (frame_write(ch->fd, hs->header, SS_HEADERBYTES) == -1)
		return hs_errno();
	ch->wire_out += FRAME_HDR_LEN + SS_HEADERBYTES;
	if ((rc = hs_read(ch, SS_HEADERBYTES)) != 0)
		return rc;
	if (ch->in.len != SS_HEADERBYTES ||
	    crypto_secretstream_xchacha20poly1305_init_pull(&ch->rx,
		ch->in.data, rx_key) != 0)
		return -ERR_PROTOCOL;
	buf_reset(&ch->in);
	return 0;
}

int
channel_handshake(struct channel *ch, int fd, int role,
    const uint8_t secret[CHANNEL_KEY_BYTES], const struct schema_lim *lim)
{
	struct hs hs;
	int	  rc;

	memset(ch, 0, sizeof(*ch));
	ch->fd = fd;
	ch->role = role;
	buf_init(&ch->in, FRAME_MAX);
	buf_init(&ch->out, FRAME_HDR_LEN + FRAME_MAX);
	memset(&hs, 0, sizeof(hs));
	if (sodium_init() < 0 ||
	    (role != CHANNEL_CLIENT && role != CHANNEL_SERVER)) {
		rc = -ERR_INTERNAL;
		goto out;
	}
	if ((rc = hs_hello(ch, &hs, role == CHANNEL_SERVER ? lim : NULL)) != 0)
		goto out;
	if ((rc = hs_keys(ch, &hs, secret)) != 0)
		goto out;
	rc = hs_streams(ch, &hs);
out:
	sodium_memzero(&hs, sizeof(hs));
	if (rc != 0) /* leave nothing behind; channel_destroy stays safe */
		channel_destroy(ch);
	return rc;
}

/* One write that never blocks: the refusal is best effort by design. */
static int
refuse_write(int fd, const uint8_t *p, size_t len)
{
	ssize_t r;

	do {
		r = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r == -1 && errno == ENOTSOCK)
			r = write(fd, p, len);
	} while (r == -1 && errno == EINTR);
	if (r == -1)
		return -1;
	if ((size_t)r != len) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

int
channel_refuse(int fd, int code, const char *msg)
{
	struct schema_reply e;
	struct buf	    b;
	int		    r = -1;

	if (msg == NULL)
		msg = err_message(code);
	memset(&e, 0, sizeof(e));
	e.code = code;
	e.err = schema_cstr(err_name(code));
	e.msg = schema_cstr(msg);
	if (e.msg.len > REFUSE_MSG_MAX) { /* cut on a UTF-8 boundary */
		e.msg.len = REFUSE_MSG_MAX;
		while (
		    e.msg.len > 0 && ((uint8_t)msg[e.msg.len] & 0xc0) == 0x80)
			e.msg.len--;
	}
	buf_init(&b, FRAME_HANDSHAKE_MAX);
	if (schema_encode(SCHEMA_R_ERROR, &e, &b) == 0) {
		uint8_t frame[HELLO_FRAME_MAX];

		frame_put_len(frame, (uint32_t)b.len);
		memcpy(frame + FRAME_HDR_LEN, b.data, b.len);
		r = refuse_write(fd, frame, FRAME_HDR_LEN + b.len);
	} else
		errno = EMSGSIZE;
	buf_free(&b);
	return r;
}
