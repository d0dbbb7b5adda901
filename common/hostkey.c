/*
 * hostkey.c: the server's Ed25519 host key (hostkey.h).  The signed message
 * is domain-separated by a fixed label so a signature made here can never
 * be taken for any other signature of the protocol (user keys sign with
 * their own label).  This file must not log or keep key material beyond
 * the caller's struct.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/error.h"
#include "common/hostkey.h"
#include "common/keyfile.h"

#define HOST_LABEL     "ftpd v1 host signature"
#define HOST_LABEL_LEN 22
#define HOST_MSG_LEN   (HOST_LABEL_LEN + 32)

int
hostkey_load(const char *path, struct hostkey *hk, char *err, size_t errlen)
{
	uint8_t seed[KEYFILE_BYTES];

	memset(hk, 0, sizeof(*hk));
	if (keyfile_read(path, seed, err, errlen) == -1)
		return -ERR_SYSTEM;
	crypto_sign_seed_keypair(hk->pk, hk->sk, seed);
	sodium_memzero(seed, sizeof(seed));
	return 0;
}

void
hostkey_wipe(struct hostkey *hk)
{
	sodium_memzero(hk, sizeof(*hk));
}

void
hostkey_fingerprint(const uint8_t pk[HOSTKEY_PK_BYTES], char *out,
    size_t outlen)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	char	b64[sodium_base64_ENCODED_LEN(sizeof(h),
	       sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];

	crypto_hash_sha256(h, pk, HOSTKEY_PK_BYTES);
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	if (outlen > 0 && snprintf(out, outlen, "SHA256:%s", b64) < 0)
		out[0] = '\0';
}

static void
host_message(const uint8_t t[32], uint8_t m[HOST_MSG_LEN])
{
	memcpy(m, HOST_LABEL, HOST_LABEL_LEN);
	memcpy(m + HOST_LABEL_LEN, t, 32);
}

void
hostkey_sign(const struct hostkey *hk, const uint8_t t[32],
    uint8_t sig[HOSTKEY_SIG_BYTES])
{
	uint8_t m[HOST_MSG_LEN];

	host_message(t, m);
	(void)crypto_sign_detached(sig, NULL, m, sizeof(m), hk->sk);
}

int
hostkey_verify(const uint8_t pk[HOSTKEY_PK_BYTES], const uint8_t t[32],
    const uint8_t sig[HOSTKEY_SIG_BYTES])
{
	uint8_t m[HOST_MSG_LEN];

	host_message(t, m);
	return crypto_sign_verify_detached(sig, m, sizeof(m), pk) == 0 ? 0 : -1;
}

#define USER_LABEL     "ftpd v1 user signature"
#define USER_LABEL_LEN 22
#define USER_NAME_MAX  32
#define USER_MSG_MAX   (USER_LABEL_LEN + 32 + USER_NAME_MAX)

/* label || t || user into m; its length, or 0 for a name too long. */
static size_t
user_message(const uint8_t t[32], const char *user, size_t ulen,
    uint8_t m[USER_MSG_MAX])
{
	if (ulen > USER_NAME_MAX)
		return 0;
	memcpy(m, USER_LABEL, USER_LABEL_LEN);
	memcpy(m + USER_LABEL_LEN, t, 32);
	memcpy(m + USER_LABEL_LEN + 32, user, ulen);
	return USER_LABEL_LEN + 32 + ulen;
}

void
userkey_sign(const uint8_t sk[crypto_sign_SECRETKEYBYTES], const uint8_t t[32],
    const char *user, size_t ulen, uint8_t sig[HOSTKEY_SIG_BYTES])
{
	uint8_t m[USER_MSG_MAX];
	size_t	n = user_message(t, user, ulen, m);

	(void)crypto_sign_detached(sig, NULL, m, n, sk);
}

int
userkey_verify(const uint8_t pk[HOSTKEY_PK_BYTES], const uint8_t t[32],
    const char *user, size_t ulen, const uint8_t sig[HOSTKEY_SIG_BYTES])
{
	uint8_t m[USER_MSG_MAX];
	size_t	n = user_message(t, user, ulen, m);

	if (n == 0)
		return -1;
	return crypto_sign_verify_detached(sig, m, n, pk) == 0 ? 0 : -1;
}
