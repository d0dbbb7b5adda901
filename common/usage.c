/*
 * usage.c: the per-account usage record beside the data (usage.h).  The
 * record is read and rewritten in place with pread and pwrite under an
 * open file description lock, so two workers (or two hosts on a file
 * system with fcntl locks) never both pass a quota.  It must not log and
 * must not follow a link: the names are fixed, opened O_NOFOLLOW beneath
 * the root descriptor.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/usage.h"
#include "common/users.h"

#define REC_LEN 42 /* "%20" PRId64 " %20" PRId64 "\n" */

/* Open (creating it and its folder) the record of name; -ERR_* on error. */
static int
rec_open(int rootfd, const char *name, int create)
{
	char path[sizeof(USAGE_DIR) + 64];
	int  fd, flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC;

	if (snprintf(path, sizeof(path), "%s/%s", USAGE_DIR, name) >=
	    (int)sizeof(path))
		return -ERR_NAME_TOO_LONG;
	if (create && mkdirat(rootfd, USAGE_DIR, 0700) == -1 && errno != EEXIST)
		return -err_from_errno(errno);
	fd = openat(rootfd, path, flags | (create ? O_CREAT : 0), 0600);
	if (fd == -1)
		return -err_from_errno(errno);
	return fd;
}

/* Lock (type F_WRLCK) or unlock (F_UNLCK) the whole record. */
static int
rec_lock(int fd, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_OFD_SETLKW, &fl) == -1)
		if (errno != EINTR)
			return -err_from_errno(errno);
	return 0;
}

static void
rec_read(int fd, struct usage *u)
{
	char	buf[REC_LEN + 1];
	ssize_t n = pread(fd, buf, REC_LEN, 0);

	u->bytes = u->files = 0;
	if (n <= 0)
		return; /* a new record */
	buf[n] = '\0';
	if (sscanf(buf, "%" SCNd64 " %" SCNd64, &u->bytes, &u->files) != 2)
		u->bytes = u->files = 0; /* damaged: a recount repairs it */
	if (u->bytes < 0)
		u->bytes = 0;
	if (u->files < 0)
		u->files = 0;
}

static int
rec_write(int fd, const struct usage *u)
{
	char buf[REC_LEN + 1];

	(void)snprintf(buf, sizeof(buf), "%20" PRId64 " %20" PRId64 "\n",
	    u->bytes, u->files);
	if (pwrite(fd, buf, REC_LEN, 0) != REC_LEN)
		return -err_from_errno(errno != 0 ? errno : EIO);
	return 0;
}

/* Would n pass a limit where d adds? */
static int
over(const struct usage *n, const struct usage *d, uint64_t lb, uint64_t lf)
{
	return (d->bytes > 0 && lb != 0 && (uint64_t)n->bytes > lb) ||
	    (d->files > 0 && lf != 0 && (uint64_t)n->files > lf);
}

/* Add d to the record fd (closed here), within the limits (0: none). */
static int
rec_change(int fd, const struct usage *d, uint64_t limit_bytes,
    uint64_t limit_files, struct usage *now)
{
	struct usage u, n;
	int	     r;

	if ((r = rec_lock(fd, F_WRLCK)) != 0)
		goto out;
	rec_read(fd, &u);
	n.bytes = u.bytes + d->bytes < 0 ? 0 : u.bytes + d->bytes;
	n.files = u.files + d->files < 0 ? 0 : u.files + d->files;
	/* SECURITY: the check and the update under one lock: two sessions
	 * of one account in two workers never both pass the quota. */
	if (over(&n, d, limit_bytes, limit_files)) {
		r = -ERR_NO_SPACE;
		n = u;
	} else
		r = rec_write(fd, &n);
	if (now != NULL)
		*now = n;
	(void)rec_lock(fd, F_UNLCK);
out:
	close(fd);
	return r;
}

int
usage_change(int rootfd, const char *name, const struct usage *d,
    uint64_t limit_bytes, uint64_t limit_files, struct usage *now)
{
	int fd;

	if ((fd = rec_open(rootfd, name, 1)) < 0)
		return fd;
	return rec_change(fd, d, limit_bytes, limit_files, now);
}

int
usage_release(int rootfd, const char *name, const struct usage *d)
{
	struct usage neg = { -d->bytes, -d->files };
	int	     fd;

	if ((fd = rec_open(rootfd, name, 0)) < 0)
		return fd;
	return rec_change(fd, &neg, 0, 0, NULL);
}

const char *
usage_part_owner(const char *name)
{
	size_t i, n = sizeof(USAGE_PART_PREFIX) - 1;

	if (strncmp(name, USAGE_PART_PREFIX, n) != 0)
		return NULL;
	for (i = n; i < n + 16; i++)
		if (!isdigit((unsigned char)name[i]) &&
		    (name[i] < 'a' || name[i] > 'f'))
			return NULL;
	if (name[i] != '.' ||
	    users_name_ok(name + i + 1, strlen(name + i + 1)) != 0)
		return NULL;
	return name + i + 1;
}

int
usage_get(int rootfd, const char *name, struct usage *now)
{
	int fd, r;

	now->bytes = now->files = 0;
	if ((fd = rec_open(rootfd, name, 0)) < 0)
		return fd == -ERR_NOT_FOUND ? 0 : fd;
	if ((r = rec_lock(fd, F_WRLCK)) == 0) {
		rec_read(fd, now);
		(void)rec_lock(fd, F_UNLCK);
	}
	close(fd);
	return r;
}

int
usage_set(int rootfd, const char *name, const struct usage *u)
{
	int fd, r;

	if ((fd = rec_open(rootfd, name, 1)) < 0)
		return fd;
	if ((r = rec_lock(fd, F_WRLCK)) == 0) {
		r = rec_write(fd, u);
		(void)rec_lock(fd, F_UNLCK);
	}
	close(fd);
	return r;
}
