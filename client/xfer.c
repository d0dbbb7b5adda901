/*
 * xfer.c: one file's put on the wire (doc/PROTOCOL.md section 4.7; the
 * put command's operands are put.c's) and the helpers put and get (get.c)
 * share.  A put streams a regular file in CHANNEL_DATA_CHUNK
 * data frames, hashing as it reads, and ends with the whole file's digest;
 * a file that changes while it is read is aborted.  The data is copied
 * once, from a mapping of the file (common/mapread.c) into the channel's
 * send buffer, where it is encrypted in place.  This file must not write
 * local files.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <sodium.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mapread.h"
#include "client/ftpc.h"
#include "client/progress.h"

int
xfer_base(const char *path, char *out, size_t outlen)
{
	char tmp[PATH_MAX];

	if (strlcpy(tmp, path, sizeof(tmp)) >= sizeof(tmp) ||
	    strlcpy(out, basename(tmp), outlen) >= outlen) {
		warnx("%s: name too long", path);
		return -ERR_NAME_TOO_LONG;
	}
	return 0;
}

int
xfer_local_err(const char *op, const char *name, const char *why)
{
	warnx("%s %s: %s", op, name, why);
	return -ERR_SYSTEM;
}

int
xfer_protocol(struct ftpc *c, const char *op, const char *name, const char *why)
{
	warnx("%s %s: protocol error: %s", op, name, why);
	c->dead = 1;
	return -ERR_PROTOCOL;
}

void
xfer_throttle(struct ftpc *c, size_t n)
{
	struct timespec ts;
	int64_t		now, due;

	if (c->limit_rate == 0)
		return;
	now = clock_mono_ms();
	due = c->rate_t0 + (int64_t)(c->rate_bytes * 1000 / c->limit_rate);
	if (c->rate_t0 == 0 || now > due + 1000) { /* idle: a new window */
		c->rate_t0 = now;
		c->rate_bytes = 0;
	}
	c->rate_bytes += n;
	due = c->rate_t0 + (int64_t)(c->rate_bytes * 1000 / c->limit_rate);
	if (due <= now)
		return;
	ts.tv_sec = (due - now) / 1000;
	ts.tv_nsec = (long)((due - now) % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * put_same: whether the file read through fd (and still at name) is the
 * one st0 described before the read: same inode, size, mtime and ctime.
 * A file rewritten in place or replaced while it was read would be sent
 * as a torn copy (issue 8).
 */
static int
put_same(int fd, const char *name, const struct stat *st0)
{
	struct stat a, b;

	if (fstat(fd, &a) == -1 || stat(name, &b) == -1)
		return 0;
	return a.st_dev == st0->st_dev && a.st_ino == st0->st_ino &&
	    b.st_dev == st0->st_dev && b.st_ino == st0->st_ino &&
	    a.st_size == st0->st_size &&
	    a.st_mtim.tv_sec == st0->st_mtim.tv_sec &&
	    a.st_mtim.tv_nsec == st0->st_mtim.tv_nsec &&
	    a.st_ctim.tv_sec == st0->st_ctim.tv_sec &&
	    a.st_ctim.tv_nsec == st0->st_ctim.tv_nsec;
}

/*
 * put_send: read the st0->st_size bytes of fd into the channel's send
 * buffer (conn_data_buf: no copy between read and encryption), hash them
 * all into h and send those from offset on.  A read error or a file that
 * changed while it was read is printed (after the bar's line) and gives
 * -ERR_SYSTEM; otherwise 0 or a connection error.
 */
static int
put_send(struct ftpc *c, int fd, const char *name, const struct stat *st0,
    uint64_t offset, struct digest *h, struct progress *pg)
{
	uint64_t       pos = 0, skip, size = (uint64_t)st0->st_size;
	struct mapread mr;
	uint8_t	      *p;
	size_t	       want;
	ssize_t	       n = 0;
	int	       r = 0, err;

	mapread_init(&mr, fd);

	while (pos < size && r == 0) {
		want = size - pos < CHANNEL_DATA_CHUNK ? (size_t)(size - pos)
						       : CHANNEL_DATA_CHUNK;
		if ((p = conn_data_buf(c, want)) == NULL) {
			n = -1;
			break;
		}
		if ((n = mapread_copy(&mr, p, want, (off_t)pos)) !=
		    (ssize_t)want)
			break;
		digest_update(h, p, want);
		skip = offset > pos ? offset - pos : 0;
		if (skip > 0 && skip < want)
			memmove(p, p + skip,
			    want - skip); /* resume: the rest */
		if (skip < want)
			r = conn_send_data_buf(c, want - skip);
		pos += want;
		progress_add(pg, want);
		xfer_throttle(c, want);
	}
	mapread_end(&mr);
	if (r != 0 || (pos == size && put_same(fd, name, st0)))
		return r;
	err = errno;
	progress_end(pg, 0);
	return xfer_local_err("put", name,
	    n == -1 ? strerror(err)
		    : "file changed while being read; upload aborted");
}

int
xfer_put_stream(struct ftpc *c, int fd, const char *name, const struct stat *st,
    uint64_t offset, struct progress *pg)
{
	struct digest	  h;
	uint8_t		  sum[DIGEST_MAX];
	struct schema_req q;
	int		  r, sr;

	if ((r = digest_init(&h, c->digest)) != 0)
		return r;
	r = put_send(c, fd, name, st, offset, &h, pg);
	if (r != 0) {
		digest_free(&h);
		if (c->dead)
			return r;
		conn_req(&q, SCHEMA_ABORT);
		return (sr = conn_send(c, &q, 0)) != 0 ? sr : r;
	}
	digest_final(&h, sum);
	conn_req(&q, SCHEMA_DONE);
	q.digest.p = sum;
	q.digest.len = digest_len(c->digest);
	return conn_send(c, &q, 0);
}

/*
 * put_fits: refuse before sending a file larger than the server's
 * advertised limit (hello "lim.file", 0 = none), with the words and code
 * of the server's own too_big answer.  Returns 0 or -ERR_TOO_BIG.
 */
static int
put_fits(const struct ftpc *c, const char *name, const struct stat *st)
{
	uint64_t max = c->ch.has_peer_lim ? c->ch.peer_lim.file : 0;

	if (max == 0 || (uint64_t)st->st_size <= max)
		return 0;
	warnx("put %s: %s (%s)", name, err_message(ERR_TOO_BIG),
	    err_name(ERR_TOO_BIG));
	return -ERR_TOO_BIG;
}

int
xfer_put_req(struct ftpc *c, const char *name, const char *path,
    const struct stat *st, struct schema_req *q)
{
	int r;

	conn_req(q, SCHEMA_PUT);
	if ((r = put_fits(c, name, st)) != 0)
		return r;
	q->path = schema_cstr(path);
	q->size = (uint64_t)st->st_size;
	/* Without -p the upload's mtime is now, as scp and rsync do; the
	 * mode bits always travel (the server masks them with its umask). */
	q->mode = (uint64_t)st->st_mode & 07777;
	q->mtime = c->o.preserve ? (int64_t)st->st_mtime : (int64_t)time(NULL);
	q->overwrite = !c->o.noclobber;
	q->has.overwrite = 1;
	q->alg = schema_cstr(digest_name(c->digest));
	q->has.alg = 1;
	return 0;
}

int
xfer_put_refused(struct ftpc *c, const char *name, int r)
{
	if (r == -ERR_EXISTS && c->o.noclobber && !c->dead) {
		log_debug("put %s: exists, skipped (--no-clobber)", name);
		return XFER_SKIPPED;
	}
	if (r != 0 && c->o.noclobber && !c->dead)
		warnx("put %s: %s (%s)", name, err_message(-r), err_name(-r));
	return r;
}

/*
 * put_prefix: 1 when the first len bytes of fd have the digest the server
 * kept for them (PROTOCOL.md 4.10, "resume"), 0 when they differ, or a
 * negative ERR_* code (printed).
 */
static int
put_prefix(struct ftpc *c, int fd, const char *name, uint64_t len,
    const struct schema_reply *rep)
{
	struct digest h;
	uint8_t	      sum[DIGEST_MAX];
	uint64_t      pos = 0;
	ssize_t	      n;
	int	      r;

	if (!rep->has.digest || rep->digest.len != digest_len(c->digest))
		return xfer_protocol(c, "put", name, "resume without a digest");
	if ((r = digest_init(&h, c->digest)) != 0)
		return r;
	for (; pos < len; pos += (uint64_t)n) {
		n = pread(fd, c->iobuf,
		    len - pos < CHANNEL_DATA_CHUNK ? (size_t)(len - pos)
						   : CHANNEL_DATA_CHUNK,
		    (off_t)pos);
		if (n <= 0) {
			digest_free(&h);
			return xfer_local_err("put", name,
			    n == 0 ? "file shrank" : strerror(errno));
		}
		digest_update(&h, c->iobuf, (size_t)n);
	}
	digest_final(&h, sum);
	return sodium_memcmp(sum, rep->digest.p, rep->digest.len) == 0;
}

/* put_restart: abort the resumed put (its part is dropped), read the reply. */
static int
put_restart(struct ftpc *c, const char *name)
{
	struct schema_req   q;
	struct schema_reply rep;
	int		    r;

	log_info("put %s: the server's part differs; sending it all", name);
	conn_req(&q, SCHEMA_ABORT);
	if ((r = conn_send(c, &q, 0)) != 0)
		return r;
	(void)conn_reply(c, SCHEMA_R_PUT_DONE, &rep, NULL, name);
	schema_reply_free(&rep);
	return c->dead ? -ERR_EOF : 0;
}

/*
 * put_request: the "put" request and its reply; *offset from the reply.
 * With -C, a kept part whose digest differs from the local file's first
 * bytes is aborted and the put asked again (then from 0).
 */
static int
put_request(struct ftpc *c, int fd, const char *name, const char *path,
    const struct stat *st, uint64_t *offset)
{
	struct schema_req   q;
	struct schema_reply rep;
	int		    r, tries;

	for (tries = 0; tries < 2; tries++) {
		*offset = 0;
		if ((r = xfer_put_req(c, name, path, st, &q)) != 0)
			return r;
		q.resume = q.has.resume = c->o.resume != 0;
		r = conn_call(c, &q, SCHEMA_R_PUT, &rep,
		    c->o.noclobber ? NULL : "put", name);
		r = xfer_put_refused(c, name, r);
		if (r == 0 && rep.offset > (uint64_t)st->st_size)
			r = xfer_protocol(c, "put", name, "bad offset");
		else if (r == 0 && rep.offset > 0) /* 1: same, 0: differs */
			r = put_prefix(c, fd, name, rep.offset, &rep);
		else if (r == 0)
			r = 1;
		if (r == 1)
			*offset = rep.offset;
		schema_reply_free(&rep);
		if (r != 0)
			return r == 1 ? 0 : r;
		if ((r = put_restart(c, name)) != 0)
			return r;
	}
	return xfer_protocol(c, "put", name, "resume offered twice");
}

int
xfer_put_open(const char *name, struct stat *st, int *r)
{
	int fd;

	if ((fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		*r = xfer_local_err("put", name, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1)
		*r = xfer_local_err("put", name, strerror(errno));
	else if (S_ISDIR(st->st_mode))
		*r = xfer_local_err("put", name, "is a directory (use -r)");
	else if (!S_ISREG(st->st_mode))
		*r = xfer_local_err("put", name, "not a regular file");
	else
		return fd;
	close(fd);
	return -1;
}

int
xfer_put_one(struct ftpc *c, const char *name, const char *path)
{
	struct progress	    pg = { 0 };
	struct stat	    st;
	struct schema_reply rep;
	uint64_t	    offset;
	int		    fd, r = 0, rr;

	if ((fd = xfer_put_open(name, &st, &r)) == -1)
		return r;
	if ((r = put_request(c, fd, name, path, &st, &offset)) != 0)
		goto out;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	log_debug("put %s -> %s: %lld bytes", name, path,
	    (long long)st.st_size);
	progress_start(&pg, c, name, (uint64_t)st.st_size);
	r = xfer_put_stream(c, fd, name, &st, offset, &pg);
	if (c->dead)
		goto out;
	/* After "done" or "abort" the server has one reply (after an abort,
	 * its error is no news: not printed). */
	rr =
	    conn_reply(c, SCHEMA_R_PUT_DONE, &rep, r == 0 ? "put" : NULL, name);
	schema_reply_free(&rep);
	if (r == 0 && (r = rr) == 0)
		progress_end(&pg, 1);
out:
	progress_end(&pg, 0);
	close(fd);
	return r == XFER_SKIPPED ? 0 : r;
}
