/*
 * digest.c: the whole-file digests (digest.h).  XXH3-128 is not a
 * cryptographic hash: it names content and catches bugs, torn reads and
 * storage faults, while the AEAD of the channel already authenticates
 * every byte on the wire (doc/PROTOCOL.md 4.10 says what each guarantees).
 * This file must not allocate more than one XXH3 state per digest.
 */
#include <string.h>

#include "common/digest.h"
#include "common/error.h"

static const struct {
	const char *name;
	size_t	    len;
} algs[DIGEST_COUNT] = {
	[DIGEST_BLAKE2B_256] = { "blake2b-256", 32 },
	[DIGEST_XXH3_128] = { "xxh3-128", 16 },
};

const char *
digest_name(int alg)
{
	return alg >= 0 && alg < DIGEST_COUNT ? algs[alg].name : NULL;
}

int
digest_by_name(const char *name, size_t len)
{
	int i;

	for (i = 0; i < DIGEST_COUNT; i++)
		if (strlen(algs[i].name) == len &&
		    memcmp(algs[i].name, name, len) == 0)
			return i;
	return -1;
}

size_t
digest_len(int alg)
{
	return alg >= 0 && alg < DIGEST_COUNT ? algs[alg].len : 0;
}

int
digest_init(struct digest *d, int alg)
{
	memset(d, 0, sizeof(*d));
	d->alg = alg;
	if (alg == DIGEST_BLAKE2B_256) {
		crypto_generichash_init(&d->b2, NULL, 0, algs[alg].len);
		return 0;
	}
	if (alg != DIGEST_XXH3_128)
		return -ERR_PROTOCOL;
	if ((d->x3 = XXH3_createState()) == NULL)
		return -ERR_NOMEM;
	(void)XXH3_128bits_reset(d->x3);
	return 0;
}

void
digest_update(struct digest *d, const void *p, size_t len)
{
	if (d->alg == DIGEST_XXH3_128)
		(void)XXH3_128bits_update(d->x3, p, len);
	else
		crypto_generichash_update(&d->b2, p, len);
}

void
digest_final(struct digest *d, uint8_t out[DIGEST_MAX])
{
	XXH128_canonical_t c;

	if (d->alg == DIGEST_XXH3_128) {
		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(d->x3));
		memcpy(out, c.digest, sizeof(c.digest));
	} else
		crypto_generichash_final(&d->b2, out, algs[d->alg].len);
	digest_free(d);
}

void
digest_free(struct digest *d)
{
	if (d->x3 != NULL)
		XXH3_freeState(d->x3);
	d->x3 = NULL;
}

int
digest_parse_list(const char *s, unsigned *mask)
{
	size_t n;
	int    alg;

	*mask = 0;
	while (*s != '\0') {
		n = strcspn(s, " ,\t");
		if (n > 0) {
			if ((alg = digest_by_name(s, n)) < 0)
				return -ERR_PROTOCOL;
			*mask |= 1u << alg;
		}
		s += n;
		s += strspn(s, " ,\t");
	}
	return *mask != 0 ? 0 : -ERR_PROTOCOL;
}
