/*
 * handshake.c: the handshake of protocol v1 (doc/PROTOCOL.md section 2)
 * after the hellos (hello.c): crypto_kx, transcript, key derivation, the
 * secretstream headers or the AES-GCM keys, and the host key signature.
 * Every secret (ephemeral key, kx keys, session keys) lives in one scratch
 * struct that is wiped on every exit.  This file must not let a frame be
 * acted on before the channel is up.
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

#include "common/hostkey.h"
#include "common/hs.h"

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

/* Send our secretstream header (PROTOCOL.md 2.3). */
static int
hs_stream_out(struct channel *ch, struct hs *hs)
{
	const uint8_t *tx_key;

	tx_key = ch->role == CHANNEL_CLIENT ? hs->key_c2s : hs->key_s2c;
	crypto_secretstream_xchacha20poly1305_init_push(&ch->tx, hs->header,
	    tx_key);
	if (frame_write(ch->fd, hs->header, SS_HEADERBYTES) == -1)
		return hs_errno();
	ch->wire_out += FRAME_HDR_LEN + SS_HEADERBYTES;
	return 0;
}

/* Read the peer's secretstream header (PROTOCOL.md 2.3). */
static int
hs_stream_in(struct channel *ch, struct hs *hs)
{
	const uint8_t *rx_key;
	int	       rc;

	rx_key = ch->role == CHANNEL_CLIENT ? hs->key_s2c : hs->key_c2s;
	if ((rc = hs_read(ch, SS_HEADERBYTES)) != 0)
		return rc;
	if (ch->in.len != SS_HEADERBYTES ||
	    crypto_secretstream_xchacha20poly1305_init_pull(&ch->rx,
		ch->in.data, rx_key) != 0)
		return -ERR_PROTOCOL;
	buf_reset(&ch->in);
	return 0;
}

/* Server: the host key's signature of T as the first secure frame. */
static int
hs_hostsig_send(struct channel *ch, const struct hostkey *hk)
{
	struct schema_req q;
	uint8_t		  sig[HOSTKEY_SIG_BYTES];
	int		  r;

	hostkey_sign(hk, ch->t, sig);
	memset(&q, 0, sizeof(q));
	q.sig.p = sig;
	q.sig.len = sizeof(sig);
	if ((r = schema_encode(SCHEMA_HOSTSIG, &q, &ch->in)) != 0)
		return r;
	r = channel_send(ch, CHANNEL_MSG, ch->in.data, ch->in.len, 0);
	buf_reset(&ch->in);
	return r == 0 ? 0 : hs_errno();
}

/*
 * Client: the first secure frame must be the host key's valid signature
 * of T (PROTOCOL.md 2.6): before any credential leaves this side.
 */
static int
hs_hostsig_check(struct channel *ch)
{
	const uint8_t	 *body;
	size_t		  len;
	struct schema_req q;
	int		  type;

	if (channel_recv(ch, &type, &body, &len) != 1)
		return errno == EBADMSG ? -ERR_CRYPTO : hs_errno();
	if (type != CHANNEL_MSG ||
	    schema_request_decode(body, len, &q, NULL) != 0 ||
	    q.op != SCHEMA_HOSTSIG)
		return -ERR_PROTOCOL;
	/* SECURITY: the host key proves itself before we send anything. */
	if (hostkey_verify(ch->peer_hk, ch->t, q.sig.p) != 0)
		return -ERR_CRYPTO;
	return 0;
}

/* After the keys: streams or AES-GCM, and the host key's signature. */
static int
hs_secure(struct channel *ch, struct hs *hs, const struct channel_opts *opts)
{
	int xchacha = hs->suite != CHANNEL_SUITE_AESGCM, rc = 0;
	int server = ch->role == CHANNEL_SERVER;
	const struct hostkey *hk = opts != NULL ? opts->hostkey : NULL;

	ch->suite = hs->suite;
	memcpy(ch->t, hs->t, sizeof(ch->t));
	if (xchacha)
		rc = hs_stream_out(ch, hs);
	else
		rc = hs_gcm(ch, hs);
	/* The server signs at once: no round trip waits on the signature. */
	if (rc == 0 && server && hk != NULL && hs->peer_suites)
		rc = hs_hostsig_send(ch, hk);
	if (rc == 0 && xchacha)
		rc = hs_stream_in(ch, hs);
	if (rc == 0 && !server && ch->has_peer_hk)
		rc = hs_hostsig_check(ch);
	return rc;
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
	hs.offer = hs_suites_usable(opts != NULL ? opts->suites : 0);
	if (opts != NULL && (opts->suites & CHANNEL_SUITES_V1)) {
		hs.offer = 1u << CHANNEL_SUITE_XCHACHA;
		hs.bare = 1;
	}
	hs.suite = -1;
	hs.nosecret = opts != NULL && opts->nosecret && !hs.bare;
	if ((rc = hs_hello(ch, &hs, opts)) != 0)
		goto out;
	/* PROTOCOL.md 2.2: "nosecret" sessions derive keys without S. */
	ch->keyed = !hs.nosecret;
	if ((rc = hs_keys(ch, &hs, hs.nosecret ? NULL : secret)) != 0)
		goto out;
	/* A client without the secret must be able to check the server. */
	if (role == CHANNEL_CLIENT && hs.nosecret && !ch->has_peer_hk) {
		rc = -ERR_AUTH;
		goto out;
	}
	rc = hs_secure(ch, &hs, opts);
out:
	sodium_memzero(&hs, sizeof(hs));
	if (rc != 0) /* leave nothing behind; channel_destroy stays safe */
		channel_destroy(ch);
	return rc;
}
