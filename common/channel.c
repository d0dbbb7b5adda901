/*
 * channel.c: the secure channel of protocol v1 (doc/PROTOCOL.md, sections 2
 * and 3): hello exchange, crypto_kx, transcript, key derivation, secretstream
 * headers, then one secretstream message per frame.  Every secret (ephemeral
 * key, kx keys, session keys) lives in one handshake scratch struct that is
 * wiped on every exit.  This file must not act on a byte of a frame that
 * failed to decrypt, must not allocate from a peer's length before checking
 * it, and knows nothing of requests or files.
 *
 * In-place crypto, checked in libsodium's source
 * (crypto_secretstream/xchacha20poly1305/secretstream_xchacha20poly1305.c;
 * the docs are silent, jedisct1/libsodium#1393): pull verifies the MAC over
 * the ciphertext before it writes m, then XORs c into m, so m == in + 1 is
 * safe; push writes the tag byte to out[0], then XORs m into out + 1 and
 * MACs that, so m == out + 1 is safe.  A frame is thus built and opened in
 * one buffer with one copy of the body.  The round trips and the vectors in
 * tests/unit/test_channel.c check this on every build.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <msgpack.h>
#include <sodium.h>

#include "common/atomicio.h"
#include "common/channel.h"
#include "common/error.h"
#include "common/frame.h"
#include "common/msg.h"
#include "common/safetext.h"

#define SS_ABYTES	crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADERBYTES	crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define SS_TAG_MESSAGE	crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define SS_TAG_FINAL	crypto_secretstream_xchacha20poly1305_TAG_FINAL
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

/* msgpack packer callback appending to a struct buf. */
static int
pack_to_buf(void *data, const char *p, size_t len)
{
	return buf_append(data, p, len);
}

static int
pack_cstr(msgpack_packer *pk, const char *s, size_t len)
{
	if (msgpack_pack_str(pk, len) != 0)
		return -1;
	return len == 0 ? 0 : msgpack_pack_str_body(pk, s, len);
}

int
channel_hello_encode(struct buf *out,
    const uint8_t		 pk[crypto_kx_PUBLICKEYBYTES])
{
	msgpack_packer mp;
	int	       r = 0;

	buf_reset(out);
	msgpack_packer_init(&mp, out, pack_to_buf);
	/* Shortest forms, in this order (PROTOCOL.md 2): 52 bytes. */
	r |= msgpack_pack_map(&mp, 3);
	r |= pack_cstr(&mp, "proto", 5);
	r |= pack_cstr(&mp, "ftpd", 4);
	r |= pack_cstr(&mp, "v", 1);
	r |= msgpack_pack_uint8(&mp, CHANNEL_PROTO_VERSION);
	r |= pack_cstr(&mp, "pk", 2);
	r |= msgpack_pack_bin(&mp, crypto_kx_PUBLICKEYBYTES);
	r |= msgpack_pack_bin_body(&mp, pk, crypto_kx_PUBLICKEYBYTES);
	return r == 0 ? 0 : -1;
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
hs_refusal(struct channel *ch, const struct msg *m)
{
	const char *s;
	size_t	    len;
	int64_t	    code;

	if (msg_int(m, "code", &code) == -1 || code <= 0 || code >= ERR_MAX)
		code = ERR_BUSY;
	if (msg_str(m, "msg", &s, &len) == -1) {
		s = err_message((int)code);
		len = strlen(s);
	}
	/* SECURITY: the client prints this; no control bytes reach a tty. */
	(void)safetext_copy(ch->refused_msg, sizeof(ch->refused_msg), s, len);
	ch->refused_code = (int)code;
	return -(int)code;
}

/*
 * Check the peer's hello payload (PROTOCOL.md 2) and copy its key.  A client
 * meeting a map with "ok" = false instead gets the refusal's code.
 */
static int
hs_hello_decode(struct channel *ch, const uint8_t *p, size_t len,
    uint8_t pk[crypto_kx_PUBLICKEYBYTES])
{
	struct msg     m;
	const char    *s;
	const uint8_t *b;
	size_t	       slen;
	uint64_t       v;
	int	       ok, rc = -ERR_PROTOCOL;

	/* SECURITY: msg_parse bounds every length before msgpack-c runs. */
	if (msg_parse(&m, p, len) == -1)
		goto out;
	if (ch->role == CHANNEL_CLIENT && msg_bool(&m, "ok", &ok) == 0 && !ok) {
		rc = hs_refusal(ch, &m);
		goto out;
	}
	if (msg_str(&m, "proto", &s, &slen) == -1 || slen != 4 ||
	    memcmp(s, "ftpd", 4) != 0)
		goto out;
	if (msg_uint(&m, "v", &v) == -1 || v != CHANNEL_PROTO_VERSION)
		goto out;
	if (msg_bin(&m, "pk", &b, &slen) == -1 ||
	    slen != crypto_kx_PUBLICKEYBYTES)
		goto out;
	memcpy(pk, b, crypto_kx_PUBLICKEYBYTES);
	rc = 0;
out:
	msg_free(&m);
	return rc;
}

/*
 * Send our hello and read the peer's; both frames are kept in hs.  A client
 * whose hello could not be written still reads: a server that refused and
 * closed at once has left its refusal to be read.
 */
static int
hs_hello(struct channel *ch, struct hs *hs)
{
	int rc, wrc = 0, saved = 0;

	crypto_kx_keypair(hs->pk, hs->sk);
	if (channel_hello_encode(&ch->out, hs->pk) == -1 ||
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
    const uint8_t secret[CHANNEL_KEY_BYTES])
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
	if ((rc = hs_hello(ch, &hs)) != 0)
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

int
channel_send(struct channel *ch, int type, const void *body, size_t len,
    int final)
{
	uint8_t *p;
	size_t	 clen;

	if (type != CHANNEL_MSG && type != CHANNEL_DATA) {
		errno = EINVAL;
		return -1;
	}
	if (len > CHANNEL_BODY_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (ch->sent_final) { /* nothing may follow a FINAL frame */
		errno = EPIPE;
		return -1;
	}
	/* Layout: length | tag byte | type | body | MAC; see the top. */
	clen = 1 + len + SS_ABYTES;
	buf_reset(&ch->out);
	if ((p = buf_reserve(&ch->out, FRAME_HDR_LEN + clen)) == NULL)
		return -1;
	frame_put_len(p, (uint32_t)clen);
	p[FRAME_HDR_LEN + 1] = (uint8_t)type;
	if (len > 0)
		memcpy(p + FRAME_HDR_LEN + 2, body, len);
	crypto_secretstream_xchacha20poly1305_push(&ch->tx, p + FRAME_HDR_LEN,
	    NULL, p + FRAME_HDR_LEN + 1, 1 + len, NULL, 0,
	    final ? SS_TAG_FINAL : SS_TAG_MESSAGE);
	buf_commit(&ch->out, FRAME_HDR_LEN + clen);
	if (write_full(ch->fd, p, FRAME_HDR_LEN + clen) == -1)
		return -1;
	ch->wire_out += FRAME_HDR_LEN + clen;
	if (final)
		ch->sent_final = 1;
	return 0;
}

/* Decrypt the frame in ch->in in place; 0 with the plaintext length. */
static int
channel_open(struct channel *ch, size_t *plen, unsigned char *tag)
{
	unsigned long long mlen;
	uint8_t		  *c = ch->in.data;

	/* SECURITY: nothing of a frame that fails here is delivered. */
	if (ch->in.len < SS_ABYTES ||
	    crypto_secretstream_xchacha20poly1305_pull(&ch->rx, c + 1, &mlen,
		tag, c, ch->in.len, NULL, 0) != 0) {
		errno = EBADMSG;
		return -1;
	}
	*plen = (size_t)mlen;
	return 0;
}

int
channel_recv(struct channel *ch, int *type, const uint8_t **body, size_t *len)
{
	unsigned char tag;
	size_t	      plen;
	uint8_t	     *pt;
	int	      r;

	*type = 0;
	*body = NULL;
	*len = 0;
	if ((r = frame_read(ch->fd, &ch->in, FRAME_MAX)) == -1)
		return -1;
	if (r == 0) {
		if (ch->peer_final)
			return 0;
		errno = EPROTO; /* truncated: end of file without FINAL */
		return -1;
	}
	ch->wire_in += FRAME_HDR_LEN + ch->in.len;
	if (ch->peer_final) { /* nothing may follow a FINAL frame */
		errno = EPROTO;
		return -1;
	}
	if (channel_open(ch, &plen, &tag) == -1)
		return -1;
	pt = ch->in.data + 1;
	if (plen == 0 || (tag != SS_TAG_MESSAGE && tag != SS_TAG_FINAL) ||
	    (pt[0] != CHANNEL_MSG && pt[0] != CHANNEL_DATA)) {
		sodium_memzero(pt, plen);
		errno = EPROTO;
		return -1;
	}
	if (tag == SS_TAG_FINAL)
		ch->peer_final = 1;
	*type = pt[0];
	*body = pt + 1;
	*len = plen - 1;
	return 1;
}

void
channel_destroy(struct channel *ch)
{
	sodium_memzero(&ch->tx, sizeof(ch->tx));
	sodium_memzero(&ch->rx, sizeof(ch->rx));
	buf_free(&ch->in);
	buf_free(&ch->out);
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
	const char    *name = err_name(code);
	msgpack_packer mp;
	struct buf     b;
	size_t	       mlen;
	int	       r = 0;

	if (msg == NULL)
		msg = err_message(code);
	mlen = strlen(msg);
	if (mlen > REFUSE_MSG_MAX) { /* cut on a UTF-8 character boundary */
		mlen = REFUSE_MSG_MAX;
		while (mlen > 0 && ((uint8_t)msg[mlen] & 0xc0) == 0x80)
			mlen--;
	}
	buf_init(&b, HELLO_FRAME_MAX);
	r |= buf_append(&b, "\0\0\0\0", FRAME_HDR_LEN);
	msgpack_packer_init(&mp, &b, pack_to_buf);
	r |= msgpack_pack_map(&mp, 4);
	r |= pack_cstr(&mp, "ok", 2);
	r |= msgpack_pack_false(&mp);
	r |= pack_cstr(&mp, "code", 4);
	r |= msgpack_pack_int(&mp, code);
	r |= pack_cstr(&mp, "err", 3);
	r |= pack_cstr(&mp, name, strlen(name));
	r |= pack_cstr(&mp, "msg", 3);
	r |= pack_cstr(&mp, msg, mlen);
	if (r == 0) {
		frame_put_len(b.data, (uint32_t)(b.len - FRAME_HDR_LEN));
		r = refuse_write(fd, b.data, b.len);
	} else
		errno = EMSGSIZE;
	buf_free(&b);
	return r == 0 ? 0 : -1;
}
