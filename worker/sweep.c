/*
 * sweep.c: the sweep of upload temporaries whose writer died (killed
 * between link and rename, or on a file system without O_TMPFILE; fstmp.c
 * makes them) and of kept parts of broken uploads past partial_ttl
 * (partial.c).  A writer holds an flock on its temporary, and a sweep
 * removes only those whose lock is free; a part's bytes go back to the
 * usage of the account its name carries (common/usage.h).  This file must
 * not open anything by path but beneath the folder descriptor it is given,
 * must not follow a link, and must not remove a file a live writer holds.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/safetext.h"
#include "common/usage.h"
#include "worker/fsops.h"

/*
 * Whether name, open as fd in dfd, may go: a regular file, a part only
 * past partial_ttl, whose writer is gone (its flock free: taken here),
 * still under that name.  *a gets its state as seen under the lock.
 */
static int
sweep_may_go(int dfd, int fd, const char *name, const struct fsops_sweep *how,
    struct stat *a)
{
	struct stat b;
	int	    i,
	    part = strncmp(name, USAGE_PART_PREFIX,
		       sizeof(USAGE_PART_PREFIX) - 1) == 0;

	/* SECURITY: looked at again once locked: a resume may have written
	 * (and been charged for) the part between the first look and the
	 * lock.  Only a file whose writer is gone, under that name. */
	for (i = 0; i < 2; i++)
		if (fstat(fd, a) != 0 || !S_ISREG(a->st_mode) ||
		    (part && a->st_mtime + how->partial_ttl >= time(NULL)) ||
		    (i == 0 && flock(fd, LOCK_EX | LOCK_NB) != 0))
			return 0;
	return fstatat(dfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    a->st_dev == b.st_dev && a->st_ino == b.st_ino;
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
	struct stat  a;
	struct usage d = { 0, 1 };
	char	     w[1024], n[4 * FSOPS_NAME_MAX + 1];
	const char  *owner;
	int	     fd, r, gone = 0;

	fd = openat(dfd, name,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return 0;
	if (sweep_may_go(dfd, fd, name, how, &a) && unlinkat(dfd, name, 0) == 0)
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
