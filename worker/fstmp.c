/*
 * fstmp.c: the temporary file an upload is written to, in the target's
 * folder, and the commit that gives it its final name: O_TMPFILE linked in
 * through /proc/self/fd where the file system allows it, else a random
 * FSOPS_TMP_PREFIX name created O_EXCL | O_NOFOLLOW and renamed.  The file
 * and then its folder are fsynced before the upload is answered.  This file
 * must not open anything by path but beneath the folder descriptor it is
 * given (and /proc/self/fd), must not leave a named temporary behind on a
 * failure the caller discards, and must not depend on worker files other
 * than fsops.c.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
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
	int fd, tries;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (tmp_unnamed_ok()) {
		fd = openat(parentfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
		    0600);
		if (fd >= 0) {
			t->fd = fd;
			return 0;
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
			return 0;
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
 * O_TMPFILE; AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH).  Without
 * overwrite the link itself refuses an existing name; with it, link to a
 * temporary name and rename that over the target.
 */
static int
commit_unnamed(int parentfd, struct fsops_tmp *t, const char *name,
    int overwrite)
{
	char proc[64];
	int  tries;

	if (snprintf(proc, sizeof(proc), "/proc/self/fd/%d", t->fd) < 0)
		return -ERR_INTERNAL;
	if (!overwrite) {
		if (linkat(AT_FDCWD, proc, parentfd, name, AT_SYMLINK_FOLLOW) ==
		    -1)
			return -err_from_errno(errno);
		return 0;
	}
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

/* fsync the folder so the new name survives a crash (fsync(2)). */
static int
sync_dir(int parentfd)
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

int
fsops_tmp_commit(int parentfd, struct fsops_tmp *t, const char *name,
    int overwrite)
{
	char shown[4 * FSOPS_NAME_MAX + 1];
	int  r;

	if (t->fd < 0)
		return -ERR_INTERNAL;
	if (fsync(t->fd) == -1)
		return -err_from_errno(errno);
	if (t->named)
		r = commit_named(parentfd, t, name, overwrite);
	else
		r = commit_unnamed(parentfd, t, name, overwrite);
	if (r != 0)
		return r;
	close(t->fd);
	t->fd = -1;
	/* The new version is in place now: a failed folder fsync is logged,
	 * never answered as a failure of an upload that did replace the file. */
	if ((r = sync_dir(parentfd)) != 0) {
		(void)safetext_vis(shown, sizeof(shown), name, strlen(name));
		log_warnx("fsync of the folder of %s failed: %s", shown,
		    err_message(-r));
	}
	return 0;
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
