/*
 * fsops.c: every file operation a client can cause, confined beneath the
 * served root (doc/PROTOCOL.md 4.1, DESIGN.md "Storage rules").  Paths are
 * checked for shape first (empty, absolute, NUL, lengths), then resolved by
 * the kernel with openat2(2) RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, so
 * "..", absolute links and links leading out fail with EXDEV instead of
 * reaching a file outside.  A final component is never resolved by path:
 * its folder is opened beneath the root and the *at calls work on that
 * descriptor.  This file must not open anything by a path relative to the
 * current folder or absolute (but /proc/self/fd for O_TMPFILE links), must
 * not follow a final link when it creates, deletes or renames, and must not
 * depend on other worker files (tests/unit/test_fsops.c links it alone).
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <sodium.h>

#include "common/error.h"
#include "common/log.h"
#include "worker/fsops.h"

#define FSOPS_RETRIES 8 /* openat2 EAGAIN (racing rename) and name clashes */

int
fsops_is_tmp_name(const char *name, size_t len)
{
	size_t plen = sizeof(FSOPS_TMP_PREFIX) - 1;

	return len >= plen && memcmp(name, FSOPS_TMP_PREFIX, plen) == 0;
}

int
fsops_check_path(const char *p, size_t len, char *out, size_t outlen)
{
	size_t i, comp = 0;

	if (outlen > 0)
		out[0] = '\0';
	/* SECURITY: shape checks on the untrusted path before any syscall. */
	if (len == 0 || p[0] == '/' || memchr(p, '\0', len) != NULL)
		return -ERR_BAD_PATH;
	if (len > FSOPS_PATH_MAX)
		return -ERR_NAME_TOO_LONG;
	for (i = 0; i < len; i++) {
		if (p[i] == '/')
			comp = 0;
		else if (++comp > FSOPS_NAME_MAX)
			return -ERR_NAME_TOO_LONG;
		/* SECURITY: uploads in flight (named temporaries) are not
		 * addressable: no one may publish, fetch or replace them. */
		else if (comp == 1 && fsops_is_tmp_name(p + i, len - i))
			return -ERR_BAD_PATH;
	}
	if (len >= outlen)
		return -ERR_NAME_TOO_LONG;
	memcpy(out, p, len);
	out[len] = '\0';
	return 0;
}

int
fsops_open(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how;
	long		fd;
	int		tries = 0;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	if ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE)
		how.mode = mode;
	/* SECURITY: the kernel keeps the whole walk beneath rootfd. */
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	do {
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	} while (fd == -1 && (errno == EINTR || errno == EAGAIN) &&
	    ++tries < FSOPS_RETRIES);
	if (fd == -1)
		return -err_from_errno(errno);
	return (int)fd;
}

int
fsops_open_parent(int rootfd, const char *path, char *name, size_t namelen)
{
	char	    dir[FSOPS_PATH_MAX + 1];
	const char *slash = strrchr(path, '/');
	const char *last = slash != NULL ? slash + 1 : path;
	size_t	    dlen;

	if (namelen > 0)
		name[0] = '\0';
	/* SECURITY: the name used with the *at calls is one plain entry. */
	if (*last == '\0' || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
		return -ERR_BAD_PATH;
	if (strlcpy(name, last, namelen) >= namelen)
		return -ERR_NAME_TOO_LONG;
	if (slash == NULL)
		return fsops_open(rootfd, ".", O_PATH | O_DIRECTORY, 0);
	dlen = (size_t)(slash - path);
	if (dlen == 0)
		return -ERR_BAD_PATH; /* absolute: fsops_check_path refuses */
	if (dlen >= sizeof(dir))
		return -ERR_NAME_TOO_LONG;
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	return fsops_open(rootfd, dir, O_PATH | O_DIRECTORY, 0);
}

int
fsops_stat(int rootfd, const char *path, struct stat *st)
{
	int fd, r = 0;

	memset(st, 0, sizeof(*st));
	fd = fsops_open(rootfd, path, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, st) == -1)
		r = -err_from_errno(errno);
	close(fd);
	return r;
}

const char *
fsops_type(mode_t mode)
{
	if (S_ISREG(mode))
		return "file";
	if (S_ISDIR(mode))
		return "dir";
	if (S_ISLNK(mode))
		return "link";
	return "other";
}

int
fsops_open_read(int rootfd, const char *path, struct stat *st)
{
	int fd, r = 0;

	memset(st, 0, sizeof(*st));
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = fsops_open(rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, st) == -1)
		r = -err_from_errno(errno);
	else if (S_ISDIR(st->st_mode))
		r = -ERR_IS_DIR;
	else if (!S_ISREG(st->st_mode))
		r = -ERR_IO;
	else if (fcntl(fd, F_SETFL, 0) == -1)
		r = -err_from_errno(errno);
	if (r != 0) {
		close(fd);
		return r;
	}
	return fd;
}

int
fsops_delete(int rootfd, const char *path)
{
	char name[FSOPS_NAME_MAX + 1];
	int  pfd, r = 0;

	if ((pfd = fsops_open_parent(rootfd, path, name, sizeof(name))) < 0)
		return pfd;
	if (unlinkat(pfd, name, 0) == -1) /* EISDIR for a folder on Linux */
		r = -err_from_errno(errno);
	close(pfd);
	return r;
}

int
fsops_mkdir(int rootfd, const char *path, mode_t mode)
{
	char name[FSOPS_NAME_MAX + 1];
	int  pfd, r = 0;

	if ((pfd = fsops_open_parent(rootfd, path, name, sizeof(name))) < 0)
		return pfd;
	if (mkdirat(pfd, name, mode & 0777) == -1)
		r = -err_from_errno(errno);
	close(pfd);
	return r;
}

int
fsops_rmdir(int rootfd, const char *path)
{
	char name[FSOPS_NAME_MAX + 1];
	int  pfd, r = 0;

	if ((pfd = fsops_open_parent(rootfd, path, name, sizeof(name))) < 0)
		return pfd;
	if (unlinkat(pfd, name, AT_REMOVEDIR) == -1)
		r = errno == EEXIST ? -ERR_NOT_EMPTY : -err_from_errno(errno);
	close(pfd);
	return r;
}

/*
 * A failed rename's errno as a negative ERR_* code.  EINVAL from a rename
 * of an entry other than "." or ".." (fsops_open_parent refuses those)
 * means a folder moved beneath itself: a bad path, the client's doing.
 */
static int
rename_err(int e, const char **why)
{
	if (e != EINVAL)
		return -err_from_errno(e);
	*why = FSOPS_BENEATH_ITSELF;
	return -ERR_BAD_PATH;
}

/* renameat2 RENAME_NOREPLACE, or a check first where the fs lacks it. */
static int
rename_noreplace(int fpfd, const char *fname, int tpfd, const char *tname,
    const char **why)
{
	struct stat st;

	if (renameat2(fpfd, fname, tpfd, tname, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL) /* EINVAL: no RENAME_NOREPLACE, or beneath */
		return -err_from_errno(errno);
	/* Not atomic, but only on file systems without RENAME_NOREPLACE. */
	if (fstatat(tpfd, tname, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -ERR_EXISTS;
	if (renameat(fpfd, fname, tpfd, tname) == -1)
		return rename_err(errno, why);
	return 0;
}

int
fsops_rename(int rootfd, const char *from, const char *to, int overwrite,
    const char **why)
{
	char fname[FSOPS_NAME_MAX + 1], tname[FSOPS_NAME_MAX + 1];
	int  fpfd, tpfd = -1, r = 0;

	*why = NULL;
	fpfd = fsops_open_parent(rootfd, from, fname, sizeof(fname));
	if (fpfd < 0)
		return fpfd;
	tpfd = fsops_open_parent(rootfd, to, tname, sizeof(tname));
	if (tpfd < 0) {
		r = tpfd;
		goto out;
	}
	if (!overwrite)
		r = rename_noreplace(fpfd, fname, tpfd, tname, why);
	else if (renameat(fpfd, fname, tpfd, tname) == -1)
		r = rename_err(errno, why);
out:
	close(fpfd);
	if (tpfd >= 0)
		close(tpfd);
	return r;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append every name but "." and ".." of d->dir to d->names. */
static int
dir_read_names(struct fsops_dir *d)
{
	struct dirent *de;
	size_t	       cap = 0;
	char	     **n;

	for (;;) {
		errno = 0;
		if ((de = readdir(d->dir)) == NULL)
			return errno != 0 ? -err_from_errno(errno) : 0;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    fsops_is_tmp_name(de->d_name, strlen(de->d_name)))
			continue;
		if (d->count == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			n = reallocarray(d->names, cap, sizeof(*n));
			if (n == NULL)
				return -ERR_INTERNAL;
			d->names = n;
		}
		if ((d->names[d->count] = strdup(de->d_name)) == NULL)
			return -ERR_INTERNAL;
		d->count++;
	}
}

int
fsops_dir_open(int rootfd, const char *path, struct fsops_dir *d)
{
	int fd, r;

	memset(d, 0, sizeof(*d));
	fd = fsops_open(rootfd, path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	if ((d->dir = fdopendir(fd)) == NULL) {
		r = -err_from_errno(errno);
		close(fd);
		return r;
	}
	if ((r = dir_read_names(d)) != 0) {
		fsops_dir_close(d);
		return r;
	}
	if (d->count > 1)
		qsort(d->names, d->count, sizeof(*d->names), name_cmp);
	return 0;
}

int
fsops_dir_stat(const struct fsops_dir *d, size_t i, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	if (i >= d->count || d->dir == NULL)
		return -ERR_INTERNAL;
	if (fstatat(dirfd(d->dir), d->names[i], st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	return errno == ENOENT ? 1 : -err_from_errno(errno);
}

void
fsops_dir_close(struct fsops_dir *d)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		free(d->names[i]);
	free(d->names);
	if (d->dir != NULL)
		closedir(d->dir);
	memset(d, 0, sizeof(*d));
}

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
	} else if ((r = rename_noreplace(parentfd, t->name, parentfd, name,
			&why)) != 0)
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
	int r;

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
	if ((r = sync_dir(parentfd)) != 0)
		log_warnx("fsync of the folder of %s failed: %s", name,
		    err_message(-r));
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
