/*
 * hostkey.h: the server's long-term Ed25519 identity (doc/PROTOCOL.md
 * 2.6): a 32-byte seed kept like the shared secret (keyfile.h: 64 hex
 * digits, mode 0600), the keys crypto_sign_seed_keypair makes of it, the
 * signature over the transcript hash, and the fingerprint users compare
 * ("SHA256:" and the unpadded base64 of SHA-256 of the 32-byte public key,
 * the form OpenSSH prints, over the raw key instead of an SSH key blob).
 */
#ifndef FTPD_HOSTKEY_H
#define FTPD_HOSTKEY_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define HOSTKEY_PK_BYTES  crypto_sign_PUBLICKEYBYTES /* 32 */
#define HOSTKEY_SIG_BYTES crypto_sign_BYTES	     /* 64 */
#define HOSTKEY_FP_LEN	  52 /* "SHA256:" + 43 base64 + NUL, rounded */

struct hostkey {
	uint8_t pk[HOSTKEY_PK_BYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
};

/*
 * hostkey_load: read the seed file at path (keyfile_read rules) into hk.
 * Returns 0, or -ERR_SYSTEM with a reason in err (errlen bytes).
 */
__attribute__((warn_unused_result)) int hostkey_load(const char *path,
    struct hostkey *hk, char *err, size_t errlen);

/* hostkey_wipe: erase hk. */
void hostkey_wipe(struct hostkey *hk);

/*
 * hostkey_fingerprint: "SHA256:..." of the public key pk into out (at least
 * HOSTKEY_FP_LEN bytes).
 */
void hostkey_fingerprint(const uint8_t pk[HOSTKEY_PK_BYTES], char *out,
    size_t outlen);

/*
 * hostkey_sign: sig = Ed25519 of "ftpd v1 host signature" || t, the
 * 32-byte transcript hash (PROTOCOL.md 2.6).
 */
void hostkey_sign(const struct hostkey *hk, const uint8_t t[32],
    uint8_t sig[HOSTKEY_SIG_BYTES]);

/* hostkey_verify: 0 when sig is pk's signature of t as above, else -1. */
__attribute__((warn_unused_result)) int
hostkey_verify(const uint8_t pk[HOSTKEY_PK_BYTES], const uint8_t t[32],
    const uint8_t sig[HOSTKEY_SIG_BYTES]);

/*
 * userkey_sign: a user's Ed25519 signature for the "publickey" login
 * (PROTOCOL.md 4.4): sig = Ed25519(sk, "ftpd v1 user signature" || t ||
 * user), t the 32-byte transcript hash, user the ulen bytes of the name
 * (<= 32).  userkey_verify: 0 when sig is pk's such signature, else -1.
 */
void userkey_sign(const uint8_t sk[crypto_sign_SECRETKEYBYTES],
    const uint8_t t[32], const char *user, size_t ulen,
    uint8_t sig[HOSTKEY_SIG_BYTES]);
__attribute__((warn_unused_result)) int
userkey_verify(const uint8_t pk[HOSTKEY_PK_BYTES], const uint8_t t[32],
    const char *user, size_t ulen, const uint8_t sig[HOSTKEY_SIG_BYTES]);

#endif
