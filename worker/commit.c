/*
 * commit.c: group commit of uploads and the queue of replies that waits
 * for it (doc/PROTOCOL.md section 4, "Pipelining" and "Durability and
 * group commit", and 4.10).  When a client pipelines puts, a verified
 * upload is not committed at once: its temporary file joins a batch, and
 * the replies that follow it in the session (put accepted, put refused)
 * queue behind it.  The batch is committed when nothing more is waiting in
 * the socket, when it is full (files, bytes, folders, queued replies, age),
 * or before any other reply: start writeback of every file, fsync each,
 * link each into place, fsync each folder once, and only then send the
 * queued replies in order.  One journal commit covers the data of the batch
 * and one its names, instead of two per file.  This file must not send a
 * put's success before its file and folder fsyncs returned, must not
 * reorder replies, and must not commit anything once the session ended
 * without a way to reply (commit_discard).
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "common/clock.h"
#include "common/digest.h"
#include "common/error.h"
#include "common/log.h"
#include "worker/fsops.h"
#include "worker/session.h"

#define COMMIT_FILES	32	      /* files in one batch at most */
#define COMMIT_BYTES	(64ULL << 20) /* their bytes */
#define COMMIT_MS	50	      /* age of the oldest file in the batch */
#define COMMIT_DIRS	8	      /* distinct folders in one batch */
#define COMMIT_REPLIES	(3 * COMMIT_FILES) /* queued replies */
#define COMMIT_FD_SPARE 32 /* descriptors left for the session itself */

/* A queued reply: a decided one, or the put done of a file to commit. */
struct centry {
	enum schema_kind    kind; /* SCHEMA_R_PUT, _R_ERROR or _R_PUT_DONE */
	struct schema_reply rep;  /* no pointer into the session's memory */
	uint8_t		    sum[DIGEST_MAX]; /* rep.digest for a put done */
	struct fsops_tmp    tmp;	     /* the file (kind put done) */
	int		    dir;	     /* its folder: index in dirs */
	int		    r; /* the commit's outcome, 0 or -ERR_* */
	int		    overwrite;
	char		    name[FSOPS_NAME_MAX + 1];
	char		    path[1024]; /* the client's path, cut, for logs */
	int64_t		    start_ms;	/* CLOCK_MONOTONIC ms the put began */
};

struct commit {
	struct centry q[COMMIT_REPLIES];
	size_t	      n, files, max_files;
	uint64_t      bytes;
	int64_t	      first_ms; /* the first file joined, CLOCK_MONOTONIC */
	struct {
		int   fd; /* O_PATH, owned */
		dev_t dev;
		ino_t ino;
	} dirs[COMMIT_DIRS];
	size_t ndirs;
	int    flushing;
};

/* Files a batch may hold open: COMMIT_FILES within RLIMIT_NOFILE. */
static size_t
commit_max_files(void)
{
	struct rlimit rl;
	rlim_t	      left;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return COMMIT_FILES;
	left = rl.rlim_cur > COMMIT_FD_SPARE + COMMIT_DIRS
	    ? rl.rlim_cur - COMMIT_FD_SPARE - COMMIT_DIRS
	    : 1;
	return left < COMMIT_FILES ? (size_t)left : COMMIT_FILES;
}

int
commit_pending(const struct session *s)
{
	return s->batch != NULL && s->batch->n > 0 && !s->batch->flushing;
}

/* Whether a frame (or end of file) is already waiting in the socket. */
static int
commit_input_waiting(const struct session *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

/* The batch must go now: nothing more is coming, or it is full or old. */
static int
commit_due(const struct session *s)
{
	const struct commit *b = s->batch;

	return b->n + 3 > COMMIT_REPLIES || b->files >= b->max_files ||
	    b->bytes >= COMMIT_BYTES || b->ndirs >= COMMIT_DIRS ||
	    (b->files > 0 && clock_mono_ms() - b->first_ms >= COMMIT_MS) ||
	    !commit_input_waiting(s);
}

void
commit_poll(struct session *s)
{
	if (commit_pending(s) && commit_due(s))
		commit_flush(s);
}

int
commit_room(struct session *s)
{
	if (s->batch == NULL) {
		if ((s->batch = calloc(1, sizeof(*s->batch))) == NULL)
			return -ERR_NOMEM;
		s->batch->max_files = commit_max_files();
	}
	commit_poll(s);
	return 0;
}

int
commit_reply(struct session *s, enum schema_kind kind,
    const struct schema_reply *rep)
{
	struct centry *e;

	if (!commit_pending(s) || s->batch->n >= COMMIT_REPLIES)
		return session_reply(s, kind, rep); /* flushes first */
	e = &s->batch->q[s->batch->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->rep = *rep;
	e->tmp.fd = -1;
	return 0;
}

/* The index of folder fd in the batch (taking it over), or -1 if full. */
static int
commit_dir(struct commit *b, int fd)
{
	struct stat st;
	size_t	    i;

	if (fstat(fd, &st) == -1)
		return -1;
	for (i = 0; i < b->ndirs; i++)
		if (b->dirs[i].dev == st.st_dev &&
		    b->dirs[i].ino == st.st_ino) {
			close(fd);
			return (int)i;
		}
	if (b->ndirs >= COMMIT_DIRS)
		return -1;
	b->dirs[b->ndirs].fd = fd;
	b->dirs[b->ndirs].dev = st.st_dev;
	b->dirs[b->ndirs].ino = st.st_ino;
	return (int)b->ndirs++;
}

/* The process umask (027 in a daemon), applied to uploads as mkdir(2) does. */
static mode_t
commit_umask(void)
{
	mode_t u = umask(077);

	(void)umask(u);
	return u;
}

/* The client's permission bits (execute ones too, within the umask) and
 * mtime of the verified file, before its fsync. */
static int
commit_meta(int fd, uint64_t mode, int64_t mtime)
{
	struct timespec ts[2];

	if (fchmod(fd, (mode_t)(mode & 0777) & ~commit_umask()) == -1)
		return -err_from_errno(errno);
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_sec = (time_t)mtime;
	ts[1].tv_nsec = 0;
	if (futimens(fd, ts) == -1)
		return -err_from_errno(errno);
	return 0;
}

int
commit_add(struct session *s, const struct commit_file *f)
{
	struct commit *b = s->batch;
	struct centry *e;
	int	       d, r;

	if (b == NULL || b->n >= COMMIT_REPLIES)
		return -ERR_INTERNAL; /* commit_room was not called */
	if ((r = commit_meta(f->tmp->fd, f->mode, f->mtime)) != 0)
		return r;
	if ((d = commit_dir(b, *f->parentfd)) < 0)
		return -ERR_INTERNAL;
	*f->parentfd = -1; /* the batch's now */
	e = &b->q[b->n++];
	memset(e, 0, sizeof(*e));
	e->kind = SCHEMA_R_PUT_DONE;
	e->rep = *f->rep;
	memcpy(e->sum, f->sum, sizeof(e->sum));
	e->tmp = *f->tmp;
	f->tmp->fd = -1; /* so is the file */
	f->tmp->named = 0;
	e->dir = d;
	e->overwrite = f->overwrite;
	(void)strlcpy(e->name, f->name, sizeof(e->name));
	(void)strlcpy(e->path, f->path, sizeof(e->path));
	e->start_ms = f->start_ms;
	if (b->files++ == 0)
		b->first_ms = clock_mono_ms();
	b->bytes += f->rep->size;
	return 0;
}

/* The durable point of every file in the batch; outcomes in e->r. */
static void
commit_files(struct commit *b)
{
	int    dir_err[COMMIT_DIRS] = { 0 }, used[COMMIT_DIRS] = { 0 };
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->q[i].kind == SCHEMA_R_PUT_DONE)
			fsops_tmp_start(&b->q[i].tmp);
	for (i = 0; i < b->n; i++)
		if (b->q[i].kind == SCHEMA_R_PUT_DONE)
			b->q[i].r = fsops_tmp_sync(&b->q[i].tmp);
	for (i = 0; i < b->n; i++) {
		struct centry *e = &b->q[i];

		if (e->kind != SCHEMA_R_PUT_DONE || e->r != 0)
			continue;
		e->r = fsops_tmp_link(b->dirs[e->dir].fd, &e->tmp, e->name,
		    e->overwrite);
		used[e->dir] |= e->r == 0;
	}
	for (i = 0; i < b->ndirs; i++)
		if (used[i] &&
		    (dir_err[i] = fsops_sync_dir(b->dirs[i].fd)) != 0)
			log_warnx("fsync of an upload folder failed: %s",
			    err_message(-dir_err[i]));
	/* A failed folder fsync fails every file linked in that folder: the
	 * names may be in place, but none is known durable. */
	for (i = 0; i < b->n; i++)
		if (b->q[i].kind == SCHEMA_R_PUT_DONE && b->q[i].r == 0)
			b->q[i].r = dir_err[b->q[i].dir];
}

/* Send entry e's reply (not FINAL: a FINAL one comes after the batch). */
static int
commit_send(struct session *s, struct centry *e)
{
	struct schema_reply rep;

	if (e->kind != SCHEMA_R_PUT_DONE)
		return session_send(s, e->kind, &e->rep, 0);
	xfer_log(s, e->path, e->rep.size, 1, e->r == 0, e->start_ms);
	if (e->r == 0) {
		if (e->rep.has.digest)
			e->rep.digest.p = e->sum;
		return session_send(s, SCHEMA_R_PUT_DONE, &e->rep, 0);
	}
	session_error_rep(s, err_wire(e->r), NULL, &rep);
	return session_send(s, SCHEMA_R_ERROR, &rep, 0);
}

/* Empty the batch: files released, folders closed. */
static void
commit_clear(struct commit *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->q[i].kind ==
		    SCHEMA_R_PUT_DONE) /* removed unless linked */
			fsops_tmp_discard(b->dirs[b->q[i].dir].fd,
			    &b->q[i].tmp);
	for (i = 0; i < b->ndirs; i++)
		close(b->dirs[i].fd);
	b->n = b->files = b->ndirs = 0;
	b->bytes = 0;
}

void
commit_flush(struct session *s)
{
	struct commit *b = s->batch;
	size_t	       i;
	int	       ok = 1;

	if (b == NULL || b->n == 0 || b->flushing)
		return;
	b->flushing = 1;
	if (b->files > 0)
		commit_files(b);
	s->group = b->files;
	for (i = 0; i < b->n; i++)
		if (ok && commit_send(s, &b->q[i]) == -1)
			ok = 0; /* the session ends: the rest gets no reply */
	s->group = 0;
	commit_clear(b);
	b->flushing = 0;
}

void
commit_discard(struct session *s)
{
	if (s->batch == NULL)
		return;
	if (s->batch->files > 0)
		log_info("session %llu: %zu verified uploads not committed: "
			 "the session ended before their replies",
		    (unsigned long long)s->info.seq, s->batch->files);
	commit_clear(s->batch);
	free(s->batch);
	s->batch = NULL;
}
