/*
 * partial.h: the kept part of a broken upload, for a resume (doc/PROTOCOL.md
 * 4.10, "resume").
 */
#ifndef WORKER_PARTIAL_H
#define WORKER_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/digest.h"
#include "worker/fsops.h"

/* Names of kept parts: hidden like every FSOPS_TMP_PREFIX name. */
#define PARTIAL_PREFIX FSOPS_TMP_PREFIX "part."
/* PARTIAL_PREFIX, 16 hex characters and the NUL. */
#define PARTIAL_NAME_LEN (sizeof(PARTIAL_PREFIX) + 16)

/*
 * partial_name: the kept part's name (PARTIAL_NAME_LEN bytes with the
 * NUL) of account user ("" for the shared secret) uploading size
 * bytes to path (beneath the root): an 8-byte BLAKE2b of the three, so a
 * different account, path or size never meets it.
 */
void partial_name(const char *user, const char *path, uint64_t size,
    char out[PARTIAL_NAME_LEN]);

/*
 * partial_open: open (creating it, empty, when missing) the kept part name
 * in folder parentfd as t (named, flocked, read-write, positioned at its
 * end).  A part longer than size, not a regular file, or whose last write
 * is older than ttl_s seconds is emptied.  Its bytes, *len of them, are
 * hashed into h (started with alg) and, separately, into prefix (the
 * digest of the *len bytes, digest_len(alg) bytes).  Returns 0, -ERR_BUSY
 * when another upload holds it, or another negative ERR_* code (t
 * discarded then).
 */
__attribute__((warn_unused_result)) int partial_open(int parentfd,
    const char *name, uint64_t size, int64_t ttl_s, struct fsops_tmp *t,
    struct digest *h, uint8_t prefix[DIGEST_MAX], uint64_t *len);

/*
 * partial_keep: keep the broken upload t as the part name in parentfd
 * (linking an unnamed temporary in, renaming a random one) after
 * fdatasync, and close it.  Failures are logged; t is left for
 * fsops_tmp_discard.
 */
void partial_keep(int parentfd, struct fsops_tmp *t, const char *name);

#endif
