/*
 * fstmp.c: the temporary file an upload is written to, in the target's
 * folder, and the commit that gives it its final name: O_TMPFILE linked in
 * through /proc/self/fd where the file system allows it, else a random
 * FSOPS_TMP_PREFIX name created O_EXCL | O_NOFOLLOW and renamed.  The commit
 * comes in three steps (fsync the file, give it its name, fsync the
 * folder) so that a batch of uploads can share the folder's fsync; the
 * caller answers an upload only after all three.  This file
 * must not open anything by path but beneath the folder descriptor it is
 * given (and /proc/self/fd), must not leave a named temporary behind on a
 * failure the caller discards, and must not depend on worker files other
 * than fsops.c.  A writer holds an flock on its temporary, so that the
 * sweep of those whose writer died (sweep.c) leaves it alone.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/error.h"
#include "common/log.h"
#include "common/safetext.h"
#include "worker/fsops.h"

/* FSOPS_TMP_PREFIX and 12 random characters (60 bits) into out. */
static void
tmp_name(char *out, size_t outlen)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char	  rnd[12];
	char		  suffix[sizeof(rnd) + 1];
	size_t		  i;

	randombytes_buf(rnd, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++)
		suffix[i] = abc[rnd[i] & 31];
	suffix[sizeof(rnd)] = '\0';
	(void)snprintf(out, outlen, "%s%s", FSOPS_TMP_PREFIX, suffix);
}

/*
 * SECURITY: the writer holds an flock on its temporary for its whole life
 * (a sweep removes only unlocked ones), and checks after locking that the
 * name is still its file: a sweep that came between the create and the
 * lock removed it, and the writer tries a new name.  Returns 0 (locked and
 * in place), 1 (try again) or a negative ERR_* code.
 */
static int
tmp_lock(int parentfd, struct fsops_tmp *t)
{
	struct stat a, b;

	if (flock(t->fd, LOCK_EX | LOCK_NB) == -1)
		return errno == EWOULDBLOCK ? 1 : -err_from_errno(errno);
	if (!t->named)
		return 0;
	if (fstat(t->fd, &a) == -1)
		return -err_from_errno(errno);
	if (fstatat(parentfd, t->name, &b, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 1 : -err_from_errno(errno);
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino ? 0 : 1;
}

/* O_TMPFILE is used only when /proc can link the file in later. */
static int
tmp_unnamed_ok(void)
{
	static int ok = -1;

	if (ok == -1)
		ok = faccessat(AT_FDCWD, "/proc/self/fd", X_OK, 0) == 0;
	return ok;
}

int
fsops_tmp_create(int parentfd, struct fsops_tmp *t)
{
	int fd, tries, r;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (tmp_unnamed_ok()) {
		fd = openat(parentfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
		    0600);
		if (fd >= 0) {
			t->fd = fd;
			if ((r = tmp_lock(parentfd, t)) == 0)
				return 0;
			fsops_tmp_discard(parentfd, t);
			return r < 0 ? r : -ERR_IO;
		}
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			return -err_from_errno(errno);
	}
	for (tries = 0; tries < FSOPS_RETRIES; tries++) {
		tmp_name(t->name, sizeof(t->name));
		fd = openat(parentfd, t->name,
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			t->fd = fd;
			t->named = 1;
			if ((r = tmp_lock(parentfd, t)) == 0)
				return 0;
			if (r == 1) { /* swept meanwhile: never unlink it */
				t->named = 0;
				r = 0;
			}
			fsops_tmp_discard(parentfd, t);
			if (r < 0)
				return r;
			continue;
		}
		if (errno != EEXIST)
			return -err_from_errno(errno);
	}
	return -ERR_IO;
}

/* Give the named temporary file its final name. */
static int
commit_named(int parentfd, struct fsops_tmp *t, const char *name, int overwrite)
{
	const char *why; /* unused: a file is never moved beneath itself */
	int	    r;

	if (overwrite) {
		if (renameat(parentfd, t->name, parentfd, name) == -1)
			return -err_from_errno(errno);
	} else if ((r = fsops_rename_noreplace(parentfd, t->name, parentfd,
			name, &why)) != 0)
		return r;
	t->named = 0;
	return 0;
}

/*
 * Give the O_TMPFILE file a name: linkat through /proc/self/fd (open(2),
 * O_TMPFILE; AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH).  The link
 * itself takes a free name and refuses an existing one; with overwrite, an
 * existing name is replaced by linking to a temporary name and renaming
 * that over the target.
 */
static int
commit_unnamed(int parentfd, struct fsops_tmp *t, const char *name,
    int overwrite)
{
	char proc[64];
	int  tries;

	if (snprintf(proc, sizeof(proc), "/proc/self/fd/%d", t->fd) < 0)
		return -ERR_INTERNAL;
	/* A free name (the usual case) takes the link itself, overwrite or
	 * not: one directory operation instead of a link and a rename. */
	if (linkat(AT_FDCWD, proc, parentfd, name, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != EEXIST || !overwrite)
		return -err_from_errno(errno);
	for (tries = 0;; tries++) {
		tmp_name(t->name, sizeof(t->name));
		if (linkat(AT_FDCWD, proc, parentfd, t->name,
			AT_SYMLINK_FOLLOW) == 0)
			break;
		if (errno != EEXIST || tries + 1 >= FSOPS_RETRIES)
			return -err_from_errno(errno);
	}
	t->named = 1; /* from here fsops_tmp_discard removes the name */
	if (renameat(parentfd, t->name, parentfd, name) == -1)
		return -err_from_errno(errno);
	t->named = 0;
	return 0;
}

int
fsops_sync_dir(int parentfd)
{
	int fd, r = 0;

	fd = openat(parentfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return 0; /* no read access to the folder: nothing to sync with */
	if (fsync(fd) == -1 && errno != EINVAL)
		r = -err_from_errno(errno);
	close(fd);
	return r;
}

void
fsops_tmp_start(const struct fsops_tmp *t)
{
	/* Advice only: the fsync that follows decides (writeback.h). */
	if (t->fd >= 0)
		(void)sync_file_range(t->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

int
fsops_tmp_sync(const struct fsops_tmp *t)
{
	if (t->fd < 0)
		return -ERR_INTERNAL;
	if (fsync(t->fd) == -1)
		return -err_from_errno(errno);
	return 0;
}

int
fsops_tmp_link(int parentfd, struct fsops_tmp *t, const char *name,
    int overwrite)
{
	int r;

	if (t->fd < 0)
		return -ERR_INTERNAL;
	if (t->named)
		r = commit_named(parentfd, t, name, overwrite);
	else
		r = commit_unnamed(parentfd, t, name, overwrite);
	if (r != 0)
		return r;
	close(t->fd);
	t->fd = -1;
	return 0;
}

int
fsops_tmp_commit(int parentfd, struct fsops_tmp *t, const char *name,
    int overwrite)
{
	char shown[4 * FSOPS_NAME_MAX + 1];
	int  r;

	if ((r = fsops_tmp_sync(t)) != 0 ||
	    (r = fsops_tmp_link(parentfd, t, name, overwrite)) != 0)
		return r;
	/* The new name is in place but not known durable: the caller must
	 * not report the upload stored (PROTOCOL.md 4.10). */
	if ((r = fsops_sync_dir(parentfd)) != 0) {
		(void)safetext_vis(shown, sizeof(shown), name, strlen(name));
		log_warnx("fsync of the folder of %s failed: %s", shown,
		    err_message(-r));
	}
	return r;
}

void
fsops_tmp_discard(int parentfd, struct fsops_tmp *t)
{
	int saved = errno;

	if (t->named && parentfd >= 0)
		(void)unlinkat(parentfd, t->name, 0);
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->named = 0;
	errno = saved;
}
