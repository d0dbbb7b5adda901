/*
 * keyfile.h: the 32-byte shared secret on disk (doc/PROTOCOL.md,
 * "Authentication"): 64 lowercase hex digits and a newline, mode 0600.
 *
 * Return convention: both functions keep the older 0 / -1 form (errno set,
 * a reason in err) instead of 0 or -ERR_* (error.h), because their callers
 * in server/prepare.c, server/main.c and client/main.c test for -1.
 */
#ifndef FTPD_KEYFILE_H
#define FTPD_KEYFILE_H

#include <stdint.h>

#define KEYFILE_BYTES 32

/*
 * keyfile_read: read the key at path into key.  Refuses a file readable or
 * writable by group or others (as sshd does), a size other than 64 hex digits
 * plus optional newline, or non-hex digits.  Returns 0, or -1 with a reason
 * in err (errlen bytes, NUL terminated); key is wiped on failure.
 */
__attribute__((warn_unused_result)) int keyfile_read(const char *path,
    uint8_t key[KEYFILE_BYTES], char *err, size_t errlen);

/*
 * keyfile_generate: write a new random key to path with mode 0600, refusing
 * to overwrite (O_EXCL).  Returns 0, or -1 with a reason in err.
 */
__attribute__((warn_unused_result)) int keyfile_generate(const char *path,
    char *err, size_t errlen);

#endif
