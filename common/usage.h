/*
 * usage.h: what an account stores (bytes and files, for its quota), kept
 * beside the data so that every worker and every host serving the same
 * root sees one figure: the file ".ftpd-put.usage/NAME" beneath the served
 * root, one fixed-width record "BYTES FILES\n" read and rewritten under an
 * fcntl lock (F_OFD_SETLKW) on the whole file.  The folder's name starts
 * with the upload temporaries' prefix, which fsops never lets a client
 * name, list or reach, and which the sweep of temporaries leaves alone
 * (it removes regular files only).  Functions return 0 or a negative
 * ERR_* code (error.h).
 */
#ifndef FTPD_USAGE_H
#define FTPD_USAGE_H

#include <stdint.h>

#define USAGE_DIR ".ftpd-put.usage"
/* The kept part of a broken upload (worker/partial.h) of an account is
 * charged to it while it exists: USAGE_PART_PREFIX, 16 hex digits, ".",
 * the account's name. */
#define USAGE_PART_PREFIX ".ftpd-put.part."

struct usage {
	int64_t bytes;
	int64_t files;
};

/*
 * usage_change: add d (may be negative; results below 0 become 0) to the
 * usage of account name beneath rootfd (a folder descriptor, O_PATH
 * allowed), creating the record (mode 0600) when missing.  When
 * limit_bytes or limit_files (0: none) would be passed by a positive part
 * of d, nothing changes and -ERR_NO_SPACE is returned.  *now (may be
 * NULL) gets the usage after the change (or the one that refused it).
 */
__attribute__((warn_unused_result)) int usage_change(int rootfd,
    const char *name, const struct usage *d, uint64_t limit_bytes,
    uint64_t limit_files, struct usage *now);

/*
 * usage_release: subtract d (bytes and files >= 0) from the usage of
 * account name beneath rootfd (results below 0 become 0), only when its
 * record exists: a release never creates one (the sweep gives back the
 * parts of accounts that may be gone).  Returns 0, -ERR_NOT_FOUND when
 * there is no record (nothing changed), or another negative ERR_* code.
 */
__attribute__((warn_unused_result)) int usage_release(int rootfd,
    const char *name, const struct usage *d);

/*
 * usage_part_owner: the account the file name (NUL-terminated) of a kept
 * part is charged to: a pointer into name at the account's name when name
 * is USAGE_PART_PREFIX, 16 lowercase hex digits, "." and a valid account
 * name (users_name_ok), else NULL (any other name, or the part of a
 * session without an account, which nobody is charged for).
 */
const char *usage_part_owner(const char *name);

/* usage_get: the usage of name (0, 0 when it has no record). */
__attribute__((warn_unused_result)) int usage_get(int rootfd, const char *name,
    struct usage *now);

/* usage_set: replace the usage of name with u (the recount). */
__attribute__((warn_unused_result)) int usage_set(int rootfd, const char *name,
    const struct usage *u);

#endif
