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
#include "common/digest.h"
#include "common/error.h"
#include "common/frame.h"
#include "common/gcm.h"
#include "common/safetext.h"
#include "common/schema.h"

#define SS_HEADERBYTES	crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define HELLO_FRAME_MAX (FRAME_HDR_LEN + FRAME_HANDSHAKE_MAX)

/* Handshake scratch: all secrets of a handshake, wiped on every exit. */
struct hs {
	uint8_t	 pk[crypto_kx_PUBLICKEYBYTES];
	uint8_t	 sk[crypto_kx_SECRETKEYBYTES];
	uint8_t	 peer_pk[crypto_kx_PUBLICKEYBYTES];
	uint8_t	 mine[HELLO_FRAME_MAX]; /* our hello frame, prefix included */
	size_t	 minelen;
	uint8_t	 peer[HELLO_FRAME_MAX]; /* the peer's hello frame */
	size_t	 peerlen;
	uint8_t	 kx_c2s[crypto_kx_SESSIONKEYBYTES];
	uint8_t	 kx_s2c[crypto_kx_SESSIONKEYBYTES];
	uint8_t	 t[CHANNEL_HASH_BYTES];
	uint8_t	 key_c2s[CHANNEL_KEY_BYTES];
	uint8_t	 key_s2c[CHANNEL_KEY_BYTES];
	uint8_t	 header[SS_HEADERBYTES];
	unsigned offer;	      /* suites we offer (client) or accept (server) */
	int	 bare;	      /* client: a hello without "suites" (v1) */
	unsigned peer_offer;  /* suites the client's hello named */
	int	 peer_suites; /* the client's hello had "suites" */
	int	 suite;	      /* the suite the server chose, or -1 */
};

/* Wire names of the suites, in the server's order of preference. */
static const char *const suite_names[CHANNEL_SUITE_COUNT] = {
	[CHANNEL_SUITE_XCHACHA] = "xchacha20poly1305",
	[CHANNEL_SUITE_AESGCM] = "aes256gcm",
};
static const int suite_pref[CHANNEL_SUITE_COUNT] = { CHANNEL_SUITE_AESGCM,
	CHANNEL_SUITE_XCHACHA };

/* The suites of mask (0: all) this machine can run. */
static unsigned
suites_usable(unsigned mask)
{
	if (mask == 0)
		mask = CHANNEL_SUITES_ALL;
	/* SECURITY: AES-GCM without AES-NI would be slow and leak timing. */
	if (!crypto_aead_aes256gcm_is_available())
		mask &= ~(1u << CHANNEL_SUITE_AESGCM);
	return mask & CHANNEL_SUITES_ALL;
}

/* The suite named s, or -1. */
static int
suite_by_name(struct schema_str s)
{
	int i;

	for (i = 0; i < CHANNEL_SUITE_COUNT; i++)
		if (schema_str_is(s, suite_names[i]))
			return i;
	return -1;
}

int
channel_hello_encode(struct buf *out,
    const uint8_t pk[crypto_kx_PUBLICKEYBYTES], const struct schema_lim *lim,
    unsigned offer, int suite, unsigned digests)
{
	struct schema_hello h;
	int		    i;

	/* Shortest forms, in table order (PROTOCOL.md 2): 52 bytes bare. */
	memset(&h, 0, sizeof(h));
	h.proto = schema_cstr("ftpd");
	h.v = CHANNEL_PROTO_VERSION;
	h.pk.p = pk;
	h.pk.len = crypto_kx_PUBLICKEYBYTES;
	for (i = 0; i < CHANNEL_SUITE_COUNT; i++)
		if (offer & (1u << suite_pref[i]))
			h.suites.v[h.suites.n++] =
			    schema_cstr(suite_names[suite_pref[i]]);
	h.has.suites = h.suites.n > 0;
	if (suite >= 0 && suite < CHANNEL_SUITE_COUNT) {
		h.suite = schema_cstr(suite_names[suite]);
		h.has.suite = 1;
	}
	for (i = 0; i < DIGEST_COUNT; i++)
		if (digests & (1u << i))
			h.digests.v[h.digests.n++] =
			    schema_cstr(digest_name(i));
	h.has.digests = h.digests.n > 0;
	if (lim != NULL) {
		h.lim = *lim;
		h.has.lim = 1;
	}
	return schema_encode(SCHEMA_HELLO, &h, out);
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
hs_hello_decode(struct channel *ch, struct hs *hs, const uint8_t *p, size_t len)
{
	struct schema_hello h;
	struct schema_reply e;
	size_t		    i;
	int		    k;

	if (ch->role == CHANNEL_CLIENT &&
	    schema_decode(SCHEMA_R_ERROR, p, len, &e, NULL) == 0)
		return hs_refusal(ch, &e);
	/* SECURITY: the decoder bounds every length before msgpack-c runs. */
	if (schema_decode(SCHEMA_HELLO, p, len, &h, NULL) != 0 ||
	    !schema_str_is(h.proto, "ftpd") || h.v != CHANNEL_PROTO_VERSION)
		return -ERR_PROTOCOL;
	memcpy(hs->peer_pk, h.pk.p, crypto_kx_PUBLICKEYBYTES);
	if (ch->role == CHANNEL_SERVER) {
		hs->peer_suites = h.has.suites;
		for (i = 0; i < h.suites.n; i++)
			if ((k = suite_by_name(h.suites.v[i])) >= 0)
				hs->peer_offer |= 1u << k;
		return 0;
	}
	if (h.has.lim) {
		ch->peer_lim = h.lim;
		ch->has_peer_lim = 1;
	}
	for (i = 0; i < h.digests.n; i++)
		if ((k = digest_by_name(h.digests.v[i].p,
			 h.digests.v[i].len)) >= 0)
			ch->peer_digests |= 1u << k;
	/* A hello without "suite" is a server of the first version. */
	hs->suite =
	    h.has.suite ? suite_by_name(h.suite) : CHANNEL_SUITE_XCHACHA;
	/* SECURITY: only a suite we offered; the transcript binds both. */
	if (hs->suite < 0 || !(hs->offer & (1u << hs->suite)))
		return -ERR_PROTOCOL;
	return 0;
}

/*
 * The server's choice: its first preference among what the client named
 * (a client without "suites" is of the first version: xchacha20poly1305).
 * -1 when there is none.
 */
static int
hs_choose(const struct hs *hs)
{
	unsigned both;
	int	 i;

	both = hs->offer &
	    (hs->peer_suites ? hs->peer_offer : 1u << CHANNEL_SUITE_XCHACHA);
	for (i = 0; i < CHANNEL_SUITE_COUNT; i++)
		if (both & (1u << suite_pref[i]))
			return suite_pref[i];
	return -1;
}

/* Encode and write our hello (kept in hs->mine).  0 or -ERR_*. */
static int
hs_write_hello(struct channel *ch, struct hs *hs,
    const struct channel_opts *opts)
{
	int r;

	/* A first-version client (no "suites") gets the first version's. */
	if (ch->role == CHANNEL_CLIENT)
		r = channel_hello_encode(&ch->out, hs->pk, NULL,
		    hs->bare ? 0 : hs->offer, -1, 0);
	else
		r = channel_hello_encode(&ch->out, hs->pk,
		    opts != NULL ? opts->lim : NULL, 0,
		    hs->peer_suites ? hs->suite : -1,
		    hs->peer_suites && opts != NULL ? opts->digests : 0);
	if (r != 0 || ch->out.len > FRAME_HANDSHAKE_MAX)
		return -ERR_INTERNAL;
	frame_put_len(hs->mine, (uint32_t)ch->out.len);
	memcpy(hs->mine + FRAME_HDR_LEN, ch->out.data, ch->out.len);
	hs->minelen = FRAME_HDR_LEN + ch->out.len;
	if (send_full(ch->fd, hs->mine, hs->minelen) == -1)
		return hs_errno();
	ch->wire_out += hs->minelen;
	return 0;
}

/* Read and check the peer's hello (kept in hs->peer).  0 or -ERR_*. */
static int
hs_read_hello(struct channel *ch, struct hs *hs)
{
	int rc;

	if ((rc = hs_read(ch, FRAME_HANDSHAKE_MAX)) != 0)
		return rc;
	frame_put_len(hs->peer, (uint32_t)ch->in.len);
	memcpy(hs->peer + FRAME_HDR_LEN, ch->in.data, ch->in.len);
	hs->peerlen = FRAME_HDR_LEN + ch->in.len;
	return hs_hello_decode(ch, hs, ch->in.data, ch->in.len);
}

/*
 * The hellos.  A client writes first and reads even when its write failed:
 * a server that refused and closed at once has left its refusal to be
 * read.  A server reads the client's hello first, to choose the suite
 * from its offer, and refuses (code 1) when there is no common one.
 */
static int
hs_hello(struct channel *ch, struct hs *hs, const struct channel_opts *opts)
{
	int rc, wrc, saved;

	crypto_kx_keypair(hs->pk, hs->sk);
	if (ch->role == CHANNEL_SERVER) {
		if ((rc = hs_read_hello(ch, hs)) != 0)
			return rc;
		if ((hs->suite = hs_choose(hs)) < 0) {
			(void)channel_refuse(ch->fd, ERR_PROTOCOL,
			    "no cipher suite in common");
			return -ERR_PROTOCOL;
		}
		return hs_write_hello(ch, hs, opts);
	}
	wrc = hs_write_hello(ch, hs, NULL);
	saved = errno;
	rc = hs_read_hello(ch, hs);
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

/* The AES-256-GCM directions from the session keys (PROTOCOL.md 3.2). */
static int
hs_gcm(struct channel *ch, const struct hs *hs)
{
	int client = ch->role == CHANNEL_CLIENT;

	if (gcm_init(&ch->gtx, client ? hs->key_c2s : hs->key_s2c) != 0 ||
	    gcm_init(&ch->grx, client ? hs->key_s2c : hs->key_c2s) != 0)
		return -ERR_CRYPTO;
	return 0;
}

int
channel_handshake(struct channel *ch, int fd, int role,
    const uint8_t secret[CHANNEL_KEY_BYTES], const struct channel_opts *opts)
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
	hs.offer = suites_usable(opts != NULL ? opts->suites : 0);
	if (opts != NULL && (opts->suites & CHANNEL_SUITES_V1)) {
		hs.offer = 1u << CHANNEL_SUITE_XCHACHA;
		hs.bare = 1;
	}
	hs.suite = -1;
	if ((rc = hs_hello(ch, &hs, opts)) != 0)
		goto out;
	if ((rc = hs_keys(ch, &hs, secret)) != 0)
		goto out;
	ch->suite = hs.suite;
	if (hs.suite == CHANNEL_SUITE_AESGCM)
		rc = hs_gcm(ch, &hs);
	else
		rc = hs_streams(ch, &hs);
out:
	sodium_memzero(&hs, sizeof(hs));
	if (rc != 0) /* leave nothing behind; channel_destroy stays safe */
		channel_destroy(ch);
	return rc;
}
