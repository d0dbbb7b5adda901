/*
 * hs.h: what the two halves of the handshake share (hello.c: the hellos
 * and the suite choice; handshake.c: keys, stream set-up, host key
 * signature and channel_handshake).  Internal to common/: nothing else
 * includes it.
 */
#ifndef FTPD_HS_H
#define FTPD_HS_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "common/channel.h"
#include "common/frame.h"

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
	int	 nosecret;    /* keys without the shared secret (2.2) */
	int	 suite;	      /* the suite the server chose, or -1 */
};
/* hs_errno: a handshake I/O failure (errno set) as the ERR_* code. */
int hs_errno(void);

/* hs_read: one handshake frame of at most max bytes into ch->in. */
int hs_read(struct channel *ch, size_t max);

/* hs_suites_usable: the suites of mask (0: all) this machine can run. */
unsigned hs_suites_usable(unsigned mask);

/*
 * hs_hello: the hello exchange of either role (PROTOCOL.md 2, 2.5): fills
 * hs (both hello frames, the peer's key, the suite) and ch (the server's
 * limits, digests and host key as a client sees them).  0 or -ERR_*.
 */
int hs_hello(struct channel *ch, struct hs *hs,
    const struct channel_opts *opts);

#endif
