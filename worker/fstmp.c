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
 * than fsops.c.  The sweep of temporaries whose writer died (killed
 * between link and rename, or on a file system without O_TMPFILE) lives
 * here too: a writer holds an flock on its temporary, and a sweep removes
 * only those whose lock is free.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/safetext.h"
#include "common/usage.h"
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

/*
 * Remove name in folder dfd when it is a regular file no live writer holds
 * (its flock is free) and the name is still that file; a part charged to
 * an account is given back to it.  where is the folder's path beneath the
 * root for the log ("" for the root), how as fsops_tmp_sweep.  Returns 1
 * when removed, else 0.
 */
static int
sweep_one(int dfd, const char *name, const char *where,
    const struct fsops_sweep *how)
{
	struct stat  a, b;
	struct usage d = { 0, 1 };
	char	     w[1024], n[4 * FSOPS_NAME_MAX + 1];
	const char  *owner;
	int	     fd, r, gone = 0;

	fd = openat(dfd, name,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return 0;
	/* SECURITY: only a file whose writer is gone, under that name. */
	if (fstat(fd, &a) == 0 && S_ISREG(a.st_mode) &&
	    (strncmp(name, USAGE_PART_PREFIX, sizeof(USAGE_PART_PREFIX) - 1) !=
		    0 ||
		a.st_mtime + how->partial_ttl < time(NULL)) &&
	    flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    fstatat(dfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
	    unlinkat(dfd, name, 0) == 0)
		gone = 1;
	close(fd);
	if (!gone)
		return 0;
	(void)safetext_vis(w, sizeof(w), where, strlen(where));
	(void)safetext_vis(n, sizeof(n), name, strlen(name));
	log_info("removed leftover upload temporary %s%s%s (%lld bytes; its "
		 "writer is gone)",
	    w, *w != '\0' ? "/" : "", n, (long long)a.st_size);
	/* usage.h: a part is charged to its account while it exists. */
	d.bytes = (int64_t)a.st_size;
	if (how->usagefd < 0 || (owner = usage_part_owner(name)) == NULL ||
	    d.bytes == 0 ||
	    (r = usage_release(how->usagefd, owner, &d)) == -ERR_NOT_FOUND)
		return 1; /* nothing charged, or no record to give it back to */
	log_info("%s %lld bytes and 1 file back to the usage of %s%s%s",
	    r == 0 ? "gave" : "could not give", (long long)d.bytes, owner,
	    r == 0 ? "" : ": ", r == 0 ? "" : err_str(r));
	return 1;
}

/* Folders still to sweep, as paths beneath the root. */
struct sweep_queue {
	char **path;
	size_t n, cap, max; /* max: folders queued at most */
};

/* Queue where/name (where "" for the root); 0, or -1 when it cannot. */
static int
sweep_push(struct sweep_queue *q, const char *where, const char *name)
{
	char   p[FSOPS_PATH_MAX + 1], **np;
	size_t cap;
	int    len;

	len = snprintf(p, sizeof(p), "%s%s%s", where, *where ? "/" : "", name);
	if (len < 0 || (size_t)len >= sizeof(p) || q->n >= q->max)
		return 0; /* too deep or too many: left for a put there */
	if (q->n == q->cap) {
		cap = q->cap == 0 ? 64 : q->cap * 2;
		if ((np = reallocarray(q->path, cap, sizeof(*np))) == NULL)
			return -1;
		q->path = np;
		q->cap = cap;
	}
	if ((q->path[q->n] = strdup(p)) == NULL)
		return -1;
	q->n++;
	return 0;
}

/*
 * Sweep the open folder dfd (O_RDONLY; taken over and closed), queueing
 * its subfolders on q when q is not NULL.  Returns the files removed.
 */
static int
sweep_dir(int dfd, const char *where, struct sweep_queue *q,
    const struct fsops_sweep *how)
{
	struct dirent *de;
	DIR	      *d;
	int	       removed = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (fsops_is_tmp_name(de->d_name, strlen(de->d_name)))
			removed += sweep_one(dirfd(d), de->d_name, where, how);
		else if (q != NULL && de->d_type == DT_DIR &&
		    strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    sweep_push(q, where, de->d_name) == -1)
			break; /* out of memory: what is queued still goes */
	}
	closedir(d);
	return removed;
}

/* Was the folder st swept less than interval_s ago (then 1), else note it. */
static int
sweep_recent(const struct stat *st, int interval_s)
{
	static struct {
		dev_t	dev;
		ino_t	ino;
		int64_t ms;
	} seen[16];
	static unsigned next;
	int64_t		now = clock_mono_ms();
	unsigned	i;

	for (i = 0; i < sizeof(seen) / sizeof(seen[0]); i++)
		if (seen[i].ms != 0 && seen[i].dev == st->st_dev &&
		    seen[i].ino == st->st_ino) {
			if (now - seen[i].ms < (int64_t)interval_s * 1000)
				return 1;
			seen[i].ms = now;
			return 0;
		}
	i = next++ % (sizeof(seen) / sizeof(seen[0]));
	seen[i].dev = st->st_dev;
	seen[i].ino = st->st_ino;
	seen[i].ms = now;
	return 0;
}

int
fsops_tmp_sweep(int parentfd, const char *where, int interval_s,
    const struct fsops_sweep *how)
{
	struct stat st;
	int	    fd;

	fd = openat(parentfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return 0; /* no read access: nothing we could have left */
	if (interval_s > 0 && fstat(fd, &st) == 0 &&
	    sweep_recent(&st, interval_s)) {
		close(fd);
		return 0;
	}
	return sweep_dir(fd, where, NULL, how);
}

int
fsops_tmp_sweep_tree(int rootfd, size_t max_dirs, const struct fsops_sweep *how)
{
	struct sweep_queue q;
	size_t		   i;
	int		   fd, removed = 0;

	memset(&q, 0, sizeof(q));
	q.max = max_dirs;
	fd = fsops_open(rootfd, ".", O_RDONLY | O_DIRECTORY, 0);
	if (fd >= 0)
		removed = sweep_dir(fd, "", &q, how);
	for (i = 0; i < q.n; i++) {
		fd = fsops_open(rootfd, q.path[i],
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
		if (fd >= 0)
			removed += sweep_dir(fd, q.path[i], &q, how);
		free(q.path[i]);
	}
	free(q.path);
	return removed;
}
