/*
 * channel.c: the secure frames of protocol v1 (doc/PROTOCOL.md section 3):
 * after the handshake (handshake.c), one secretstream message per frame,
 * whose plaintext is a type byte and the body.  This file must not act on
 * a byte of a frame that failed to decrypt, must not allocate from a
 * peer's length before checking it, and knows nothing of requests or
 * files.
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

#include <sodium.h>

#include "common/atomicio.h"
#include "common/channel.h"
#include "common/frame.h"
#include "common/gcm.h"

#define SS_ABYTES      crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define SS_TAG_FINAL   crypto_secretstream_xchacha20poly1305_TAG_FINAL

/* Layout: length | tag byte or flag | type | body | MAC; see the top. */
#define BODY_OFF (FRAME_HDR_LEN + 2)

uint8_t *
channel_body_buf(struct channel *ch, size_t max)
{
	if (max > CHANNEL_BODY_MAX) {
		errno = EMSGSIZE;
		return NULL;
	}
	buf_reset(&ch->out);
	if (buf_reserve(&ch->out, FRAME_HDR_LEN + 1 + max + SS_ABYTES) == NULL)
		return NULL;
	return ch->out.data + BODY_OFF;
}

int
channel_send_body(struct channel *ch, int type, size_t len, int final)
{
	uint8_t *p = ch->out.data;
	size_t	 clen = 1 + len + SS_ABYTES;

	if (type != CHANNEL_MSG && type != CHANNEL_DATA) {
		errno = EINVAL;
		return -1;
	}
	if (ch->sent_final) { /* nothing may follow a FINAL frame */
		errno = EPIPE;
		return -1;
	}
	/* channel_body_buf reserved room for this (buf keeps cap). */
	if (p == NULL || ch->out.cap < FRAME_HDR_LEN + clen) {
		errno = EMSGSIZE;
		return -1;
	}
	frame_put_len(p, (uint32_t)clen);
	p[FRAME_HDR_LEN + 1] = (uint8_t)type;
	if (ch->suite == CHANNEL_SUITE_AESGCM) {
		/* flag in the clear, authenticated as the additional data */
		p[FRAME_HDR_LEN] = final ? SS_TAG_FINAL : SS_TAG_MESSAGE;
		gcm_seal(&ch->gtx, p + FRAME_HDR_LEN + 1, 1 + len,
		    p[FRAME_HDR_LEN]);
	} else
		crypto_secretstream_xchacha20poly1305_push(&ch->tx,
		    p + FRAME_HDR_LEN, NULL, p + FRAME_HDR_LEN + 1, 1 + len,
		    NULL, 0, final ? SS_TAG_FINAL : SS_TAG_MESSAGE);
	ch->out.len = FRAME_HDR_LEN + clen;
	if (send_full(ch->fd, p, FRAME_HDR_LEN + clen) == -1)
		return -1;
	ch->wire_out += FRAME_HDR_LEN + clen;
	if (final)
		ch->sent_final = 1;
	return 0;
}

int
channel_send(struct channel *ch, int type, const void *body, size_t len,
    int final)
{
	uint8_t *p;

	if (type != CHANNEL_MSG && type != CHANNEL_DATA) {
		errno = EINVAL;
		return -1;
	}
	if ((p = channel_body_buf(ch, len)) == NULL)
		return -1;
	if (len > 0)
		memcpy(p, body, len);
	return channel_send_body(ch, type, len, final);
}

/* Decrypt the frame in ch->in in place; 0 with the plaintext length. */
static int
channel_open(struct channel *ch, size_t *plen, unsigned char *tag)
{
	unsigned long long mlen;
	uint8_t		  *c = ch->in.data;

	/* SECURITY: nothing of a frame that fails here is delivered. */
	if (ch->suite == CHANNEL_SUITE_AESGCM) {
		*tag = c[0]; /* checked by the tag over it (the AD) */
		if (ch->in.len < 1 + GCM_ABYTES ||
		    gcm_open(&ch->grx, c + 1, ch->in.len - 1, c[0]) != 0) {
			errno = EBADMSG;
			return -1;
		}
		*plen = ch->in.len - 1 - GCM_ABYTES;
		return 0;
	}
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
	gcm_wipe(&ch->gtx);
	gcm_wipe(&ch->grx);
	buf_free(&ch->in);
	buf_free(&ch->out);
}
