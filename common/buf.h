/*
 * buf.h: the one bounded buffer for untrusted bytes (after OpenSSH sshbuf).
 * A buffer has a hard maximum fixed at init; growth past it fails with
 * EMSGSIZE and leaves the contents as they were.  buf_reserve returns a
 * pointer (NULL and errno on failure); the int functions return 0 or a
 * negative ERR_* code (common/error.h).
 */
#ifndef FTPD_BUF_H
#define FTPD_BUF_H

#include <stddef.h>
#include <stdint.h>

#define BUF_MAX_LIMIT ((size_t)128 * 1024 * 1024) /* no buffer ever exceeds */

struct buf {
	uint8_t *data; /* NULL until the first reserve */
	size_t	 len;  /* bytes in use */
	size_t	 cap;  /* bytes allocated */
	size_t	 max;  /* hard maximum of cap, <= BUF_MAX_LIMIT */
};

/* buf_init: empty buffer that may grow to max bytes (clamped to BUF_MAX_LIMIT). */
void buf_init(struct buf *b, size_t max);

/* buf_free: wipe (explicit_bzero) and free the storage; b is empty after. */
void buf_free(struct buf *b);

/* buf_reset: len = 0, storage kept. */
void buf_reset(struct buf *b);

/*
 * buf_reserve: make room for n more bytes after len.  Returns a pointer to
 * that room (the caller then calls buf_commit), or NULL with errno
 * EMSGSIZE (len + n > max, overflow checked) or ENOMEM.
 */
uint8_t *buf_reserve(struct buf *b, size_t n)
    __attribute__((warn_unused_result));

/* buf_commit: len += n after writing n bytes into buf_reserve's room. */
void buf_commit(struct buf *b, size_t n);

/*
 * buf_append: copy n bytes of p to the end.  Returns 0; -ERR_SYSTEM with
 * errno EMSGSIZE when len + n would pass max (nothing changed); or
 * -ERR_NOMEM (errno ENOMEM).  Codes from common/error.h.
 */
__attribute__((warn_unused_result)) int buf_append(struct buf *b, const void *p,
    size_t n);

#endif
