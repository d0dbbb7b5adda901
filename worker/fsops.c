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
 * depend on other worker files (tests/unit/test_fsops.c links it and
 * fstmp.c alone).  Upload temporaries are fstmp.c's.
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

#include "common/error.h"
#include "worker/fsops.h"

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

int
fsops_rename_noreplace(int fpfd, const char *fname, int tpfd, const char *tname,
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
		r = fsops_rename_noreplace(fpfd, fname, tpfd, tname, why);
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
