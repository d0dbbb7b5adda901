/*
 * partial.h: the kept part of a broken upload, for a resume (doc/PROTOCOL.md
 * 4.10, "resume").
 */
#ifndef WORKER_PARTIAL_H
#define WORKER_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/digest.h"
#include "common/usage.h"
#include "common/users.h"
#include "worker/fsops.h"

/* Names of kept parts: hidden like every FSOPS_TMP_PREFIX name. */
#define PARTIAL_PREFIX USAGE_PART_PREFIX
/* PARTIAL_PREFIX, 16 hex characters, ".", an account name and the NUL. */
#define PARTIAL_NAME_LEN (sizeof(PARTIAL_PREFIX) + 16 + 1 + USERS_NAME_MAX)

/*
 * partial_name: the kept part's name (at most PARTIAL_NAME_LEN bytes with
 * the NUL) of user (the session's s->user: "secret" for the shared
 * secret) uploading size bytes to path (beneath the root): an 8-byte
 * BLAKE2b of the three, so a different user, path or size never meets
 * it.  owner (NULL: none, for the shared secret and the drop box) is the
 * account the part is charged to (common/usage.h), appended after a ".".
 */
void partial_name(const char *user, const char *owner, const char *path,
    uint64_t size, char out[PARTIAL_NAME_LEN]);

/*
 * partial_open: open (creating it, empty, when missing) the kept part name
 * in folder parentfd as t (named, flocked, read-write, positioned at its
 * end).  *held gets the bytes it held when opened, before anything else:
 * what its owner was charged for (set on failure too, when the part was
 * then removed; 0 when it was not opened).  A part longer than size, or
 * whose last write is older than ttl_s seconds, is emptied.  Its bytes,
 * *len of them, are hashed into h (started with alg) and, separately,
 * into prefix (the digest of the *len bytes, digest_len(alg) bytes).
 * Returns 0, -ERR_BUSY when another upload holds it, or another negative
 * ERR_* code (t discarded then, which removes the part).
 */
__attribute__((warn_unused_result)) int partial_open(int parentfd,
    const char *name, uint64_t size, int64_t ttl_s, struct fsops_tmp *t,
    struct digest *h, uint8_t prefix[DIGEST_MAX], uint64_t *len,
    uint64_t *held);

/*
 * partial_keep: keep the broken upload t as the part name in parentfd
 * (linking an unnamed temporary in, renaming a random one) after
 * fdatasync, and close it.  Returns 0, or a negative ERR_* code (logged;
 * t is left for fsops_tmp_discard).
 */
int partial_keep(int parentfd, struct fsops_tmp *t, const char *name);

#endif
