/*
 * pipe.c: many uploads on one connection without a round trip each
 * (doc/PROTOCOL.md section 4, "Pipelining").  Each small file's put, data
 * and done go out at once; a bounded number of files (PIPE_FILES, and
 * PIPE_BYTES of them) stay unanswered, and their replies are read in
 * order: the put's own reply, then, when it was accepted, the final one.
 * A refused file is printed and counted and the rest go on; a connection
 * failure ends the pipe, and every file still in flight counts as failed.
 * A file larger than PIPE_SMALL waits for the replies before it and goes
 * as xfer_put_one does, so a refusal does not waste its data; so does
 * every file of a resume (-C), which checks the kept part first.  This file
 * must not build requests itself (xfer.c does) or draw per-file bars.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "client/ftpc.h"
#include "client/progress.h"

void
pipe_init(struct pipe *pp, struct ftpc *c, pipe_fn *done, void *arg)
{
	memset(pp, 0, sizeof(*pp));
	pp->c = c;
	pp->done = done;
	pp->arg = arg;
}

/* pipe_pop: the oldest file in flight got its result r. */
static void
pipe_pop(struct pipe *pp, int r)
{
	struct pipe_ent *e = &pp->v[pp->head];

	pp->done(pp->arg, e->job, e->name, e->size, r == XFER_SKIPPED ? 0 : r);
	free(e->name);
	e->name = NULL;
	pp->bytes -= e->size;
	pp->head = (pp->head + 1) % PIPE_FILES;
	pp->n--;
}

/*
 * pipe_reap: the replies of the oldest file in flight: the put's (a
 * refusal is the only one), then the final one.  After an abort (a local
 * failure, already printed) the server's "aborted" is no news.
 */
static void
pipe_reap(struct pipe *pp)
{
	struct ftpc	   *c = pp->c;
	struct pipe_ent	   *e = &pp->v[pp->head];
	struct schema_reply rep;
	int		    r, rr;

	r = conn_reply(c, SCHEMA_R_PUT, &rep, c->o.noclobber ? NULL : "put",
	    e->name);
	if (r == 0 && rep.offset != 0) /* we sent the data from byte 0 */
		r = xfer_protocol(c, "put", e->name, "bad offset");
	schema_reply_free(&rep);
	if (r == 0) {
		rr = conn_reply(c, SCHEMA_R_PUT_DONE, &rep,
		    e->local ? NULL : "put", e->name);
		schema_reply_free(&rep);
		r = e->local != 0 && !c->dead ? e->local : rr;
	} else
		r = xfer_put_refused(c, e->name, r);
	pipe_pop(pp, r);
}

void
pipe_drain(struct pipe *pp)
{
	while (pp->n > 0) {
		if (pp->c->dead)
			pipe_pop(pp, -ERR_EOF); /* no reply will come */
		else
			pipe_reap(pp);
	}
}

/* pipe_send: put, data, done of the open file fd; in flight on success. */
static int
pipe_send(struct pipe *pp, int fd, const char *name, const char *path,
    const struct stat *st, size_t job)
{
	struct ftpc	 *c = pp->c;
	struct schema_req q;
	struct progress	  pg;
	struct pipe_ent	 *e;
	char		 *copy;
	int		  r;

	if ((copy = strdup(name)) == NULL)
		return -ERR_NOMEM;
	if ((r = xfer_put_req(c, name, path, st, &q)) != 0 ||
	    (r = conn_send(c, &q, 0)) != 0) {
		free(copy);
		return r;
	}
	progress_start(&pg, c, name, (uint64_t)st->st_size); /* no bar */
	r = xfer_put_stream(c, fd, name, st, 0, &pg);
	progress_end(&pg, 0);
	e = &pp->v[(pp->head + pp->n) % PIPE_FILES];
	e->name = copy;
	e->size = (uint64_t)st->st_size;
	e->job = job;
	e->local = r;
	pp->bytes += e->size;
	pp->n++;
	return 0; /* even after a local failure: its replies come */
}

void
pipe_put(struct pipe *pp, const char *name, const char *path, size_t job)
{
	struct ftpc *c = pp->c;
	struct stat  st;
	int	     fd, r = 0;

	if (c->dead) {
		pp->done(pp->arg, job, name, 0, -ERR_EOF);
		return;
	}
	if ((fd = xfer_put_open(name, &st, &r)) == -1) {
		pp->done(pp->arg, job, name, 0, r);
		return;
	}
	/* A large file, or one with its own bar, waits for the replies
	 * before it and goes alone. */
	if ((uint64_t)st.st_size > PIPE_SMALL || c->o.resume ||
	    (c->progress && c->total == NULL)) {
		close(fd);
		pipe_drain(pp);
		r = c->dead ? -ERR_EOF : xfer_put_one(c, name, path);
		pp->done(pp->arg, job, name, (uint64_t)st.st_size, r);
		return;
	}
	while (pp->n > 0 && !c->dead &&
	    (pp->n >= PIPE_FILES ||
		pp->bytes + (uint64_t)st.st_size > PIPE_BYTES))
		pipe_reap(pp);
	r = c->dead ? -ERR_EOF : pipe_send(pp, fd, name, path, &st, job);
	close(fd);
	if (r != 0)
		pp->done(pp->arg, job, name, (uint64_t)st.st_size, r);
	if (c->dead)
		pipe_drain(pp);
}
