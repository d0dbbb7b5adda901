/*
 * parallel.c: --parallel N for the files of a tree.  N child processes
 * each open their own connection (a session is one stream: requests on
 * one connection cannot overlap) and take the next file from a counter in
 * shared memory, so a large file does not hold up the small ones.  They
 * report bytes and each file's end on a pipe; their messages come through
 * another pipe, so the parent prints them above its one total line.
 * Processes, not threads: each child has its own signal handler state for
 * its partial download (partial.c) and nothing is shared but the counter.
 * This file must not decide what a job does: tree_job does.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "client/ftpc.h"
#include "client/progress.h"

/* What the parent follows while the children run. */
struct par {
	struct jobs	*js;
	struct progress *t;
	uint8_t		*seen; /* per job: its end was reported */
	uint8_t		 rbuf[64 * sizeof(struct progress_rec)];
	size_t		 rlen;
};

static void par_child(struct ftpc *c, struct jobs *js, int put,
    atomic_size_t *next, int rep, int nchild) __attribute__((noreturn));

/* par_child: one connection working through the shared job counter. */
static void
par_child(struct ftpc *c, struct jobs *js, int put, atomic_size_t *next,
    int rep, int nchild)
{
	struct progress_rec rec;
	size_t		    i;
	int		    r;
	ssize_t		    n;

	if (c->fd != -1)
		close(c->fd); /* the parent's session: not ours to use */
	c->fd = -1;
	c->report = rep;
	c->progress = 0;
	c->total = NULL;
	c->limit_rate /= (uint64_t)nchild;
	if (conn_connect(c) != 0)
		_exit(ftpc_exit(-ERR_EOF));
	while ((i = atomic_fetch_add(next, 1)) < js->n && !c->dead) {
		if (js->v[i].dir)
			continue;
		r = tree_job(c, &js->v[i], put);
		rec = (struct progress_rec){ r ? PROGRESS_FAIL : PROGRESS_DONE,
			(uint32_t)i, (uint64_t)-r };
		n = write(rep, &rec, sizeof(rec)); /* < PIPE_BUF: atomic */
		(void)n;
	}
	(void)conn_close(c);
	fflush(stderr);
	_exit(0);
}

/* par_records: the whole records in p->rbuf. */
static void
par_records(struct par *p)
{
	struct progress_rec rec;
	size_t		    off = 0;

	for (; p->rlen - off >= sizeof(rec); off += sizeof(rec)) {
		memcpy(&rec, p->rbuf + off, sizeof(rec));
		if (rec.kind == PROGRESS_BYTES) {
			progress_add(p->t, rec.n);
			continue;
		}
		if (rec.job >= p->js->n || p->seen[rec.job])
			continue; /* not ours to trust twice */
		p->seen[rec.job] = 1;
		progress_file(p->t, p->js->v[rec.job].src,
		    p->js->v[rec.job].size, rec.kind == PROGRESS_DONE);
		if (rec.kind == PROGRESS_FAIL)
			jobs_fail(p->js,
			    rec.n > 0 && rec.n < 1000 ? -(int)rec.n
						      : -ERR_INTERNAL);
	}
	memmove(p->rbuf, p->rbuf + off, p->rlen - off);
	p->rlen -= off;
}

/* par_read: one readable pipe: records (rep) or messages (err). */
static int
par_read(struct par *p, int fd, int is_err)
{
	char	msg[PIPE_BUF + 1];
	ssize_t n;

	if (is_err) {
		if ((n = read(fd, msg, sizeof(msg) - 1)) > 0) {
			msg[n] = '\0';
			progress_note(p->t, msg);
		}
		return n > 0 || (n == -1 && errno == EINTR);
	}
	n = read(fd, p->rbuf + p->rlen, sizeof(p->rbuf) - p->rlen);
	if (n > 0) {
		p->rlen += (size_t)n;
		par_records(p);
	}
	return n > 0 || (n == -1 && errno == EINTR);
}

/* par_collect: follow both pipes until every child closed them. */
static void
par_collect(struct par *p, int rep, int err)
{
	struct pollfd pf[2] = { { .fd = rep, .events = POLLIN },
		{ .fd = err, .events = POLLIN } };
	int	      i;

	while (pf[0].fd != -1 || pf[1].fd != -1) {
		if (poll(pf, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++)
			if (pf[i].fd != -1 && pf[i].revents != 0 &&
			    !par_read(p, pf[i].fd, i == 1))
				pf[i].fd = -1;
	}
}

/* par_spawn: nchild children; returns how many started. */
static int
par_spawn(struct ftpc *c, struct jobs *js, int put, atomic_size_t *next,
    const int rep[2], const int err[2], int nchild)
{
	pid_t pid;
	int   k;

	fflush(stdout);
	fflush(stderr);
	for (k = 0; k < nchild; k++) {
		if ((pid = fork()) == -1) {
			warn("fork");
			break;
		}
		if (pid == 0) {
			close(rep[0]);
			close(err[0]);
			if (dup2(err[1], STDERR_FILENO) == -1)
				_exit(FTPC_EXIT_LOCAL);
			par_child(c, js, put, next, rep[1], nchild);
		}
	}
	return k;
}

void
par_run(struct ftpc *c, struct jobs *js, int put, struct progress *t)
{
	struct par     p = { js, t, NULL, { 0 }, 0 };
	atomic_size_t *next;
	int	       rep[2], err[2], k, n, st;
	size_t	       i;

	n = c->parallel < (int)js->files ? c->parallel : (int)js->files;
	next = mmap(NULL, sizeof(*next), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (next == MAP_FAILED || (p.seen = calloc(js->n, 1)) == NULL ||
	    pipe2(rep, O_CLOEXEC) == -1) {
		warn("--parallel");
		goto out;
	}
	if (pipe2(err, O_CLOEXEC) == -1) {
		close(rep[0]);
		close(rep[1]);
		goto out;
	}
	atomic_init(next, 0);
	k = par_spawn(c, js, put, next, rep, err, n);
	close(rep[1]);
	close(err[1]);
	par_collect(&p, rep[0], err[0]);
	close(rep[0]);
	close(err[0]);
	while (k-- > 0)
		(void)wait(&st);
out:
	for (i = 0; i < js->n; i++) /* lost with a child, or never run */
		if (!js->v[i].dir && (p.seen == NULL || !p.seen[i]))
			jobs_fail(js, -ERR_EOF);
	free(p.seen);
	if (next != MAP_FAILED)
		munmap(next, sizeof(*next));
}
