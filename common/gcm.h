/*
 * gcm.h: one direction of the AES-256-GCM suite of protocol v1
 * (doc/PROTOCOL.md section 3.2): libsodium's crypto_aead_aes256gcm with a
 * 96-bit nonce of four zero bytes and a 64-bit big-endian frame counter,
 * the frame's flag byte (MESSAGE or FINAL) as additional data, and a rekey
 * (key' = BLAKE2b-256(key = key, "ftpd v1 rekey")) once GCM_REKEY_BYTES of
 * plaintext went under one key, well inside the AES-GCM usage limits of
 * RFC 8446 section 5.5.  Internal to common/ (channel.c, handshake.c).
 */
#ifndef FTPD_GCM_H
#define FTPD_GCM_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define GCM_ABYTES	crypto_aead_aes256gcm_ABYTES /* 16 */
#define GCM_REKEY_BYTES ((uint64_t)1 << 32)	     /* plaintext per key */

struct gcm {
	crypto_aead_aes256gcm_state st; /* expanded key (beforenm) */
	uint8_t			    key[crypto_aead_aes256gcm_KEYBYTES];
	uint64_t		    ctr;   /* next nonce counter */
	uint64_t		    bytes; /* plaintext under this key */
	uint64_t		    rekey; /* threshold, GCM_REKEY_BYTES */
};

/* gcm_init: start a direction with the 32-byte key; 0, or -ERR_CRYPTO. */
__attribute__((warn_unused_result)) int gcm_init(struct gcm *g,
    const uint8_t key[crypto_aead_aes256gcm_KEYBYTES]);

/*
 * gcm_seal: encrypt len bytes at m in place and write the 16-byte tag at
 * m + len, with the one byte ad as additional data.  Never fails.
 */
void gcm_seal(struct gcm *g, uint8_t *m, size_t len, uint8_t ad);

/*
 * gcm_open: check and decrypt clen bytes at c in place (clen counts the
 * 16-byte tag at its end; the plaintext is clen - 16 bytes at c).  Returns
 * 0, or -ERR_CRYPTO (too short, tampered, wrong key); then c may have been
 * overwritten and nothing of it may be used.
 */
__attribute__((warn_unused_result)) int gcm_open(struct gcm *g, uint8_t *c,
    size_t clen, uint8_t ad);

/* gcm_wipe: erase keys and state. */
void gcm_wipe(struct gcm *g);

#endif
