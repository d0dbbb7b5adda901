/*
 * gcm.c: the AES-256-GCM direction of the secure channel (gcm.h).  The
 * nonce is a counter, so it never repeats under one key; each direction
 * has its own key from the handshake, and the counter restarts only with a
 * new key.  libsodium's AES-GCM needs AES-NI and PCLMUL: the handshake
 * offers this suite only where crypto_aead_aes256gcm_is_available().
 * In place: the detached calls read each block before they write it
 * (libsodium aead_aes256gcm_aesni.c); a failed decryption may have
 * overwritten the buffer (libsodium clears what it wrote), which is fine
 * since nothing of a frame that failed is used: the session ends.
 * test_gcm.c checks in-place sealing and opening on every build.  This
 * file must not reuse a nonce and must not report success for a frame
 * that failed to verify.
 */
#include <string.h>

#include <bsd/sys/endian.h>
#include <sodium.h>

#include "common/error.h"
#include "common/gcm.h"

#define REKEY_LABEL	"ftpd v1 rekey"
#define REKEY_LABEL_LEN 13

int
gcm_init(struct gcm *g, const uint8_t key[crypto_aead_aes256gcm_KEYBYTES])
{
	memset(g, 0, sizeof(*g));
	memcpy(g->key, key, sizeof(g->key));
	g->rekey = GCM_REKEY_BYTES;
	if (crypto_aead_aes256gcm_beforenm(&g->st, g->key) != 0)
		return -ERR_CRYPTO;
	return 0;
}

/* key' = BLAKE2b-256(key = key, "ftpd v1 rekey"); counter from 0. */
static void
gcm_rekey(struct gcm *g)
{
	uint8_t next[sizeof(g->key)];

	crypto_generichash(next, sizeof(next), (const uint8_t *)REKEY_LABEL,
	    REKEY_LABEL_LEN, g->key, sizeof(g->key));
	memcpy(g->key, next, sizeof(g->key));
	sodium_memzero(next, sizeof(next));
	(void)crypto_aead_aes256gcm_beforenm(&g->st, g->key);
	g->ctr = 0;
	g->bytes = 0;
}

/* Count len bytes under the key; rekey after the frame that crossed. */
static void
gcm_count(struct gcm *g, size_t len)
{
	g->ctr++;
	g->bytes += len;
	if (g->bytes >= g->rekey)
		gcm_rekey(g);
}

static void
gcm_nonce(const struct gcm *g, uint8_t n[crypto_aead_aes256gcm_NPUBBYTES])
{
	memset(n, 0, crypto_aead_aes256gcm_NPUBBYTES);
	be64enc(n + 4, g->ctr);
}

void
gcm_seal(struct gcm *g, uint8_t *m, size_t len, uint8_t ad)
{
	uint8_t n[crypto_aead_aes256gcm_NPUBBYTES];

	gcm_nonce(g, n);
	(void)crypto_aead_aes256gcm_encrypt_detached_afternm(m, m + len, NULL,
	    m, len, &ad, 1, NULL, n, &g->st);
	gcm_count(g, len);
}

int
gcm_open(struct gcm *g, uint8_t *c, size_t clen, uint8_t ad)
{
	uint8_t n[crypto_aead_aes256gcm_NPUBBYTES];
	size_t	len;

	if (clen < GCM_ABYTES)
		return -ERR_CRYPTO;
	len = clen - GCM_ABYTES;
	gcm_nonce(g, n);
	/* SECURITY: on failure nothing of c may be used. */
	if (crypto_aead_aes256gcm_decrypt_detached_afternm(c, NULL, c, len,
		c + len, &ad, 1, n, &g->st) != 0)
		return -ERR_CRYPTO;
	gcm_count(g, len);
	return 0;
}

void
gcm_wipe(struct gcm *g)
{
	sodium_memzero(g, sizeof(*g));
}
