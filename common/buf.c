/*
 * buf.c: the one bounded buffer for untrusted bytes (after OpenSSH sshbuf).
 * Every size is checked against the buffer's hard maximum, with overflow
 * checks, before anything is allocated; storage that is given up is wiped
 * first, since buffers hold decrypted plaintext.  This file must not know
 * about frames, sockets or keys.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"

#define BUF_MIN_CAP 256 /* first allocation, bytes */

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max > BUF_MAX_LIMIT ? BUF_MAX_LIMIT : max;
}

void
buf_free(struct buf *b)
{
	if (b->data != NULL) {
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
}

/*
 * Move the contents to new storage of newcap bytes, wiping the old one.
 * 0, or -ERR_NOMEM with errno ENOMEM and the contents untouched.
 */
static int
buf_grow(struct buf *b, size_t newcap)
{
	uint8_t *p;

	if ((p = malloc(newcap)) == NULL)
		return -ERR_NOMEM; /* errno ENOMEM */
	if (b->data != NULL) {
		if (b->len > 0)
			memcpy(p, b->data, b->len);
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = newcap;
	return 0;
}

uint8_t *
buf_reserve(struct buf *b, size_t n)
{
	size_t need, newcap;

	/* SECURITY: len <= max always holds, so max - len cannot wrap. */
	if (b->len > b->max || n > b->max - b->len) {
		errno = EMSGSIZE;
		return NULL;
	}
	need = b->len + n;
	if (need > b->cap || b->data == NULL) {
		newcap = b->cap < BUF_MIN_CAP ? BUF_MIN_CAP : b->cap;
		while (newcap < need) /* need <= BUF_MAX_LIMIT: no overflow */
			newcap *= 2;
		if (newcap > b->max) /* still >= need, as need <= max */
			newcap = b->max;
		if (newcap == 0) /* max 0, n 0: keep the promise of a pointer */
			newcap = 1;
		if (buf_grow(b, newcap) != 0)
			return NULL;
	}
	return b->data + b->len;
}

void
buf_commit(struct buf *b, size_t n)
{
	/* A commit past the reserved room is a bug, not peer input. */
	if (n > b->cap - b->len)
		fatalx("buf_commit: %zu bytes past the reserved room", n);
	b->len += n;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	uint8_t *room;

	if ((room = buf_reserve(b, n)) == NULL)
		return errno == ENOMEM ? -ERR_NOMEM : -ERR_SYSTEM;
	if (n > 0)
		memcpy(room, p, n);
	buf_commit(b, n);
	return 0;
}
