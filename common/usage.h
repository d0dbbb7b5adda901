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

/* usage_get: the usage of name (0, 0 when it has no record). */
__attribute__((warn_unused_result)) int usage_get(int rootfd, const char *name,
    struct usage *now);

/* usage_set: replace the usage of name with u (the recount). */
__attribute__((warn_unused_result)) int usage_set(int rootfd, const char *name,
    const struct usage *u);

#endif
