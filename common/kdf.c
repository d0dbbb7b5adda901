/*
 * kdf.c: the transcript hash and the session key derivation of protocol v1
 * (doc/PROTOCOL.md sections 2.2 and 2.3): BLAKE2b (RFC 7693) through
 * libsodium's crypto_generichash.  Pure functions of their inputs; this
 * file must not keep any secret beyond a call.
 */
#include <sodium.h>

#include "common/channel.h"

#define LABEL_LEN 11 /* "ftpd v1 c2s", no terminator */

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

/*
 * key = BLAKE2b-256(key = secret, label || kx || t) (PROTOCOL.md 2.2);
 * unkeyed when secret is NULL (a "nosecret" session).
 */
static void
derive_one(const uint8_t secret[CHANNEL_KEY_BYTES], const char *label,
    const uint8_t kx[CHANNEL_KEY_BYTES], const uint8_t t[CHANNEL_HASH_BYTES],
    uint8_t key[CHANNEL_KEY_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, secret,
	    secret != NULL ? CHANNEL_KEY_BYTES : 0, CHANNEL_KEY_BYTES);
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
