/*
 * hello.c: the hellos of protocol v1 (doc/PROTOCOL.md section 2): their
 * encoding through the schema, the cipher suite offer and choice, the
 * server's advertised limits, digests and host key, and a refusal read in
 * place of a hello.  This file must not allocate from a peer's length
 * before checking it and must not let a byte of the peer's refusal reach
 * a terminal unfiltered.
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

/* Wire names of the suites, in the server's order of preference. */
static const char *const suite_names[CHANNEL_SUITE_COUNT] = {
	[CHANNEL_SUITE_XCHACHA] = "xchacha20poly1305",
	[CHANNEL_SUITE_AESGCM] = "aes256gcm",
};
static const int suite_pref[CHANNEL_SUITE_COUNT] = { CHANNEL_SUITE_AESGCM,
	CHANNEL_SUITE_XCHACHA };

/* The suites of mask (0: all) this machine can run. */
unsigned
hs_suites_usable(unsigned mask)
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
channel_hello_encode(struct buf *out, const struct channel_hello *a)
{
	struct schema_hello h;
	int		    i;

	/* Shortest forms, in table order (PROTOCOL.md 2): 52 bytes bare. */
	memset(&h, 0, sizeof(h));
	h.proto = schema_cstr("ftpd");
	h.v = CHANNEL_PROTO_VERSION;
	h.pk.p = a->pk;
	h.pk.len = crypto_kx_PUBLICKEYBYTES;
	for (i = 0; i < CHANNEL_SUITE_COUNT; i++)
		if (a->offer & (1u << suite_pref[i]))
			h.suites.v[h.suites.n++] =
			    schema_cstr(suite_names[suite_pref[i]]);
	h.has.suites = h.suites.n > 0;
	h.nosecret = a->nosecret != 0;
	h.has.nosecret = a->nosecret != 0;
	if (a->suite >= 0 && a->suite < CHANNEL_SUITE_COUNT) {
		h.suite = schema_cstr(suite_names[a->suite]);
		h.has.suite = 1;
	}
	for (i = 0; i < DIGEST_COUNT; i++)
		if (a->digests & (1u << i))
			h.digests.v[h.digests.n++] =
			    schema_cstr(digest_name(i));
	h.has.digests = h.digests.n > 0;
	if (a->hk != NULL) {
		h.hk.p = a->hk;
		h.hk.len = HOSTKEY_PK_BYTES;
		h.has.hk = 1;
	}
	if (a->lim != NULL) {
		h.lim = *a->lim;
		h.has.lim = 1;
	}
	return schema_encode(SCHEMA_HELLO, &h, out);
}

/* Handshake I/O failure (errno set) to the ERR_* code channel.h promises. */
int
hs_errno(void)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return -ERR_TIMEOUT;
	if (errno == EMSGSIZE || errno == EPROTO)
		return -ERR_PROTOCOL;
	return -ERR_IO;
}

/* Read one handshake frame of at most max bytes into ch->in. */
int
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
		hs->nosecret = h.has.suites && h.nosecret;
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
	if (h.has.hk) {
		memcpy(ch->peer_hk, h.hk.p, HOSTKEY_PK_BYTES);
		ch->has_peer_hk = 1;
	}
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
	struct channel_hello a = { .pk = hs->pk, .suite = -1 };
	int		     r;

	/* A first-version client (no "suites") gets the first version's. */
	if (ch->role == CHANNEL_CLIENT) {
		a.offer = hs->bare ? 0 : hs->offer;
		a.nosecret = hs->nosecret;
	} else if (opts != NULL) {
		a.lim = opts->lim;
		if (hs->peer_suites) {
			a.suite = hs->suite;
			a.digests = opts->digests;
			a.hk = opts->hostkey != NULL ? opts->hostkey->pk : NULL;
		}
	} else if (hs->peer_suites)
		a.suite = hs->suite;
	r = channel_hello_encode(&ch->out, &a);
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
int
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
		/* SECURITY: without the secret only the host key proves us. */
		if (hs->nosecret && (opts == NULL || opts->hostkey == NULL)) {
			(void)channel_refuse(ch->fd, ERR_AUTH,
			    "this server has no host key: use the shared "
			    "secret");
			return -ERR_AUTH;
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
