/*
 * partial.c: the received part of a broken upload, kept under a hidden
 * PARTIAL_PREFIX name in the target's folder so that a later put with
 * "resume" continues it after the client checked its digest (PROTOCOL.md
 * 4.10).  The name is derived from the account, the path and the size, so
 * one account's part is never offered to another or for another file, and
 * ends with the account charged for it (common/usage.h), so that the
 * sweep and a recount know whose quota it counts in.  A
 * writer holds an flock on the part as on every upload temporary; the
 * sweep (sweep.c) removes a part only when no writer holds it and its last
 * write is older than partial_ttl.  This file must not open anything but
 * beneath the folder descriptor it is given, and must never give a part
 * the target's name (the commit does, after the whole file's digest).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/error.h"
#include "common/log.h"
#include "worker/partial.h"

_Static_assert(PARTIAL_NAME_LEN <= sizeof(((struct fsops_tmp *)0)->name),
    "struct fsops_tmp holds a part's name");

void
partial_name(const char *user, const char *owner, const char *path,
    uint64_t size, char out[PARTIAL_NAME_LEN])
{
	crypto_generichash_state st;
	uint8_t			 h[8], sz[8];
	char			 hex[2 * sizeof(h) + 1];
	int			 i;

	for (i = 0; i < 8; i++)
		sz[i] = (uint8_t)(size >> (8 * i));
	(void)crypto_generichash_init(&st, NULL, 0, sizeof(h));
	(void)crypto_generichash_update(&st, (const uint8_t *)user,
	    strlen(user) + 1);
	(void)crypto_generichash_update(&st, (const uint8_t *)path,
	    strlen(path) + 1);
	(void)crypto_generichash_update(&st, sz, sizeof(sz));
	(void)crypto_generichash_final(&st, h, sizeof(h));
	(void)sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	(void)snprintf(out, PARTIAL_NAME_LEN, "%s%s%s%s", PARTIAL_PREFIX, hex,
	    owner != NULL ? "." : "", owner != NULL ? owner : "");
}

/* Hash the first len bytes of fd into h and prefix (alg of h). */
static int
partial_hash(int fd, uint64_t len, int alg, struct digest *h,
    uint8_t prefix[DIGEST_MAX])
{
	struct digest p;
	uint8_t	      buf[32768];
	uint64_t      pos = 0;
	ssize_t	      n;
	int	      r;

	if ((r = digest_init(&p, alg)) != 0)
		return r;
	while (pos < len) {
		n = pread(fd, buf,
		    len - pos < sizeof(buf) ? (size_t)(len - pos) : sizeof(buf),
		    (off_t)pos);
		if (n <= 0) {
			digest_free(&p);
			return n == 0 ? -ERR_IO : -err_from_errno(errno);
		}
		digest_update(h, buf, (size_t)n);
		digest_update(&p, buf, (size_t)n);
		pos += (uint64_t)n;
	}
	digest_final(&p, prefix);
	return 0;
}

/* Open name in parentfd as t, flocked; 0, -ERR_BUSY or -ERR_*. */
static int
partial_lock(int parentfd, const char *name, struct fsops_tmp *t)
{
	struct stat a, b;

	memset(t, 0, sizeof(*t));
	t->fd = openat(parentfd, name,
	    O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (t->fd == -1)
		return -err_from_errno(errno);
	(void)snprintf(t->name, sizeof(t->name), "%s", name);
	if (flock(t->fd, LOCK_EX | LOCK_NB) == -1) {
		close(t->fd);
		t->fd = -1;
		return errno == EWOULDBLOCK ? -ERR_BUSY
					    : -err_from_errno(errno);
	}
	t->named = 1;
	/* SECURITY: a sweep between the open and the lock removed it. */
	if (fstat(t->fd, &a) == -1 || !S_ISREG(a.st_mode) ||
	    fstatat(parentfd, name, &b, AT_SYMLINK_NOFOLLOW) == -1 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		t->named = 0;
		close(t->fd);
		t->fd = -1;
		return -ERR_BUSY;
	}
	return 0;
}

int
partial_open(int parentfd, const char *name, uint64_t size, int64_t ttl_s,
    struct fsops_tmp *t, struct digest *h, uint8_t prefix[DIGEST_MAX],
    uint64_t *len, uint64_t *held)
{
	struct stat st;
	int	    r;

	*len = *held = 0;
	if ((r = partial_lock(parentfd, name, t)) != 0)
		return r;
	if (fstat(t->fd, &st) == -1) {
		r = -err_from_errno(errno);
		goto out;
	}
	*held = (uint64_t)st.st_size;
	if ((uint64_t)st.st_size > size || st.st_mtime + ttl_s < time(NULL)) {
		if (ftruncate(t->fd, 0) == -1) {
			r = -err_from_errno(errno);
			goto out;
		}
		st.st_size = 0;
	}
	*len = (uint64_t)st.st_size;
	if ((r = partial_hash(t->fd, *len, h->alg, h, prefix)) == 0 &&
	    lseek(t->fd, st.st_size, SEEK_SET) == -1)
		r = -err_from_errno(errno);
out:
	if (r != 0)
		fsops_tmp_discard(parentfd, t);
	return r;
}

int
partial_keep(int parentfd, struct fsops_tmp *t, const char *name)
{
	int r = 0;

	if (t->fd < 0)
		return -ERR_INTERNAL;
	if (fdatasync(t->fd) == -1)
		r = -err_from_errno(errno);
	else if (!t->named || strcmp(t->name, name) != 0)
		r = fsops_tmp_link(parentfd, t, name, 1);
	else {
		t->named = 0; /* kept: discard must not remove it */
		close(t->fd);
		t->fd = -1;
	}
	if (r != 0)
		log_warnx("cannot keep the part of a broken upload: %s",
		    err_str(r));
	return r;
}
