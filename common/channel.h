/*
 * channel.h: the secure channel of protocol v1 (doc/PROTOCOL.md, sections
 * "Handshake", "Key derivation" and "Secure frames").
 *
 * Handshake: each side sends a hello frame (msgpack map: "proto" = "ftpd",
 * "v" = 1, "pk" = 32-byte ephemeral X25519 public key from crypto_kx).
 * T = BLAKE2b-256(client hello frame || server hello frame), frames with
 * their 4-byte length prefix.  Session keys:
 *   key_c2s = BLAKE2b-256(key = secret, "ftpd v1 c2s" || kx_c2s || T)
 *   key_s2c = BLAKE2b-256(key = secret, "ftpd v1 s2c" || kx_s2c || T)
 * where kx_c2s is crypto_kx's client tx (= server rx) key and kx_s2c the
 * client rx (= server tx) key.  Each side then sends one plain frame holding
 * its 24-byte crypto_secretstream_xchacha20poly1305 header, and every later
 * frame is one secretstream message whose plaintext is a 1-byte type
 * (CHANNEL_MSG or CHANNEL_DATA) followed by the body.
 */
#ifndef FTPD_CHANNEL_H
#define FTPD_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/frame.h"
#include "common/gcm.h"
#include "common/hostkey.h"
#include "common/schema.h"

#define CHANNEL_KEY_BYTES  32		 /* shared secret and session keys */
#define CHANNEL_HASH_BYTES 32		 /* transcript hash and file digests */
#define CHANNEL_DATA_CHUNK (1024 * 1024) /* data frame body senders use */
#define CHANNEL_BODY_MAX                                                       \
	(FRAME_MAX - 1 - crypto_secretstream_xchacha20poly1305_ABYTES)
#define CHANNEL_PROTO_VERSION 1

enum channel_type {
	CHANNEL_MSG = 1, /* body is one msgpack map */
	CHANNEL_DATA = 2 /* body is raw file bytes */
};

enum channel_role { CHANNEL_CLIENT = 0, CHANNEL_SERVER = 1 };

/* The AEAD suites (PROTOCOL.md 2.1); bit 1 << suite in an offer mask. */
enum channel_suite {
	CHANNEL_SUITE_XCHACHA = 0, /* "xchacha20poly1305" secretstream */
	CHANNEL_SUITE_AESGCM = 1,  /* "aes256gcm", where AES-NI exists */
	CHANNEL_SUITE_COUNT
};
#define CHANNEL_SUITES_ALL ((1u << CHANNEL_SUITE_COUNT) - 1)
/* Offer only xchacha20poly1305 in a hello without "suites", as a client
 * of the first protocol version did (test vectors, interop tests). */
#define CHANNEL_SUITES_V1 (1u << 31)

/* What a handshake offers beyond the defaults (NULL: the defaults). */
struct channel_opts {
	const struct schema_lim *lim; /* server: limits to advertise */
	unsigned digests; /* server: digest algorithms offered (digest.h) */
	unsigned suites;  /* suites to offer or accept; 0: all available */
	const struct hostkey *hostkey; /* server: signs the transcript */
	int nosecret; /* client: hold no shared secret (account logins) */
};

/* The fields of a hello (channel_hello_encode). */
struct channel_hello {
	const uint8_t		*pk;	   /* ephemeral X25519 key, 32 bytes */
	unsigned		 offer;	   /* client: suites offered; 0: none */
	int			 nosecret; /* client: "nosecret": true */
	int			 suite;	  /* server: the one chosen; -1: none */
	unsigned		 digests; /* server: digest.h mask; 0: none */
	const uint8_t		*hk;	  /* server: host key; NULL: none */
	const struct schema_lim *lim;	  /* server: limits; NULL: none */
};

struct channel {
	int					    fd;
	int					    role;
	int					    suite; /* CHANNEL_SUITE_* */
	crypto_secretstream_xchacha20poly1305_state tx;
	crypto_secretstream_xchacha20poly1305_state rx;
	struct gcm				    gtx; /* aes256gcm suite */
	struct gcm				    grx;
	struct buf in;	       /* last received frame, decrypted in place */
	struct buf out;	       /* frame being sent */
	uint64_t   wire_in;    /* bytes read from fd, headers included */
	uint64_t   wire_out;   /* bytes written to fd */
	int	   peer_final; /* the peer sent its FINAL frame */
	int	   sent_final; /* we sent our FINAL frame */
	/* Filled by a client handshake that met a refusal instead of a hello. */
	int  refused_code;     /* ERR_* from the refusal, 0 if none */
	char refused_msg[256]; /* its message */
	/* A client's copy of the limits the server advertised. */
	struct schema_lim peer_lim;
	int		  has_peer_lim; /* 0: the server sent none */
	unsigned	  peer_digests; /* mask the server offered; 0: unsaid */
	uint8_t		  peer_hk[32];	/* the server's verified host key */
	int		  has_peer_hk;	/* 0: the server has none (or is v1) */
	uint8_t		  t[32];	/* transcript hash T, for signatures */
	int		  keyed; /* the keys hold the shared secret (2.2) */
};

/*
 * channel_handshake: run the handshake on connected socket fd as role with
 * the 32-byte shared secret.  opts (may be NULL) limits the suites offered
 * (client) or accepted (server) and gives a server the limits it
 * advertises in its hello; a client keeps what the server advertised in
 * ch->peer_lim (has_peer_lim set).  ch->suite says which suite runs.  A
 * server that shares no suite with the client refuses it (code 1).  On success ch is ready for channel_send and
 * channel_recv and owns nothing but memory (the caller keeps fd).  Returns 0;
 * -ERR_BUSY (or the refusal's code) when the server refused with an error
 * frame instead of a hello (message in ch->refused_msg); -ERR_PROTOCOL on a
 * malformed or wrong-version hello; -ERR_IO on a read or write failure or
 * end of file (errno kept); -ERR_TIMEOUT on a receive timeout.  A wrong
 * secret is not detected here: the first channel_recv fails instead.
 */
__attribute__((warn_unused_result)) int channel_handshake(struct channel *ch,
    int fd, int role, const uint8_t secret[CHANNEL_KEY_BYTES],
    const struct channel_opts *opts);

/*
 * channel_send: encrypt one frame of type with len body bytes (len <=
 * CHANNEL_BODY_MAX) and write it; final = 1 pushes TAG_FINAL (orderly close,
 * nothing may follow).  Returns 0 or -1 with errno.
 */
__attribute__((warn_unused_result)) int channel_send(struct channel *ch,
    int type, const void *body, size_t len, int final);

/*
 * channel_body_buf: room for a body of up to max bytes (<= CHANNEL_BODY_MAX)
 * inside the frame being built, so a caller can read file data straight
 * into it (no copy); then channel_send_body.  Returns the pointer (valid
 * until the next send), or NULL with errno (EMSGSIZE, ENOMEM).
 */
__attribute__((warn_unused_result)) uint8_t *
channel_body_buf(struct channel *ch, size_t max);

/*
 * channel_send_body: encrypt and send the len bytes (<= the max given to
 * channel_body_buf just before) at the pointer channel_body_buf returned,
 * as channel_send does.  Returns 0 or -1 with errno.
 */
__attribute__((warn_unused_result)) int channel_send_body(struct channel *ch,
    int type, size_t len, int final);

/*
 * channel_recv: read and decrypt one frame.  Returns 1 with *type and
 * *body, *len pointing into ch->in (valid until the next recv); 0 on end of
 * file after the peer's FINAL frame (orderly close); -1 on error with errno:
 * EBADMSG (decryption or authentication failed: wrong key, tampering),
 * EPROTO (end of file without FINAL, frame after FINAL, unknown type, empty
 * plaintext), EMSGSIZE (length prefix > FRAME_MAX), EAGAIN (timeout), other
 * read errors.  A failed frame delivers nothing.
 */
__attribute__((warn_unused_result)) int channel_recv(struct channel *ch,
    int *type, const uint8_t **body, size_t *len);

/* channel_destroy: wipe states and free buffers (fd is not closed). */
void channel_destroy(struct channel *ch);

/*
 * channel_hello_encode: the hello payload (no length prefix) of a into out
 * (reset first), keys in table order (PROTOCOL.md 2).  Returns 0 or a
 * negative ERR_* code (schema_encode).
 */
__attribute__((warn_unused_result)) int channel_hello_encode(struct buf *out,
    const struct channel_hello						*a);

/* channel_transcript: T = BLAKE2b-256(chello || shello), each a full frame. */
void channel_transcript(const uint8_t *chello, size_t clen,
    const uint8_t *shello, size_t slen, uint8_t t[CHANNEL_HASH_BYTES]);

/*
 * channel_derive: key_c2s and key_s2c from the secret, the two crypto_kx
 * session keys (kx_c2s = client tx, kx_s2c = client rx) and T.  Returns 0.
 */
int channel_derive(const uint8_t secret[CHANNEL_KEY_BYTES],
    const uint8_t		 kx_c2s[CHANNEL_KEY_BYTES],
    const uint8_t		 kx_s2c[CHANNEL_KEY_BYTES],
    const uint8_t t[CHANNEL_HASH_BYTES], uint8_t key_c2s[CHANNEL_KEY_BYTES],
    uint8_t key_s2c[CHANNEL_KEY_BYTES]);

/*
 * channel_refuse: before any handshake, write a plain error frame (msgpack
 * {"ok": false, "code": code, "err": err_name(code), "msg": msg}) to fd with
 * one non-blocking-safe write.  Used by the master for "server busy".
 * Returns 0 or -1.
 */
int channel_refuse(int fd, int code, const char *msg);

#endif
