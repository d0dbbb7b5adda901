/*
 * digest.h: the whole-file digests of protocol v1 (doc/PROTOCOL.md 4.10):
 * "xxh3-128" (XXH3 128-bit, libxxhash; the canonical big-endian form of
 * XXH128_canonicalFromHash, 16 bytes), the default of ftpc, as rsync 3.2
 * uses XXH3 for its checksums; and "blake2b-256" (RFC 7693 through
 * libsodium's crypto_generichash, 32 bytes, unkeyed), the default when a
 * request names none.  One streaming API for both; shared by worker and
 * ftpc.
 */
#ifndef FTPD_DIGEST_H
#define FTPD_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>
#include <xxhash.h>

#define DIGEST_MAX 32 /* bytes of the longest digest */

enum digest_alg {
	DIGEST_BLAKE2B_256 = 0, /* "blake2b-256", 32 bytes */
	DIGEST_XXH3_128 = 1,	/* "xxh3-128", 16 bytes */
	DIGEST_COUNT
};
#define DIGEST_ALL ((1u << DIGEST_COUNT) - 1) /* mask of every algorithm */

struct digest {
	int			 alg;
	crypto_generichash_state b2;
	XXH3_state_t		*x3; /* heap: XXH3 wants 64-byte alignment */
};

/* digest_name: the wire name of alg ("xxh3-128"), or NULL if unknown. */
const char *digest_name(int alg);

/* digest_by_name: the alg named by the len bytes at name, or -1. */
int digest_by_name(const char *name, size_t len);

/* digest_len: bytes of alg's digest (16 or 32), 0 if unknown. */
size_t digest_len(int alg);

/*
 * digest_init: start a digest of alg.  Returns 0, -ERR_PROTOCOL for an
 * unknown alg, -ERR_NOMEM.  Release with digest_final or digest_free.
 */
__attribute__((warn_unused_result)) int digest_init(struct digest *d, int alg);

/* digest_update: add len bytes at p. */
void digest_update(struct digest *d, const void *p, size_t len);

/*
 * digest_final: write the digest (digest_len(d->alg) bytes) to out (room
 * for DIGEST_MAX) and release d.
 */
void digest_final(struct digest *d, uint8_t out[DIGEST_MAX]);

/* digest_free: release d without a result; safe after digest_final. */
void digest_free(struct digest *d);

/*
 * digest_parse_list: a space- or comma-separated list of names ("xxh3-128
 * blake2b-256") into *mask (bit 1 << alg).  Returns 0, or -ERR_PROTOCOL
 * naming an unknown or no algorithm.
 */
__attribute__((warn_unused_result)) int digest_parse_list(const char *s,
    unsigned							     *mask);

#endif
