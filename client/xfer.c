/*
 * xfer.c: ftpc's put (doc/PROTOCOL.md section 4.7) and the helpers put and
 * get (get.c) share.  A put streams a regular file in CHANNEL_DATA_CHUNK
 * data frames, hashing as it reads, and ends with the BLAKE2b-256 digest;
 * a file that changes size while it is read is aborted.  No copies of the
 * data beyond read(2) into one buffer and the channel's own encryption
 * buffer.  This file must not write local files.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bsd/string.h>

#include "common/atomicio.h"
#include "common/error.h"
#include "common/log.h"
#include "common/writeback.h"
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

/*
 * put_send: read the size bytes of fd through c->iobuf, hash them all into
 * h and send those from offset on.  A read error or a file that changed
 * size is printed (after the bar's line) and gives -ERR_SYSTEM; otherwise
 * 0 or a connection error.
 */
static int
put_send(struct ftpc *c, int fd, const char *name, uint64_t size,
    uint64_t offset, struct digest *h, struct progress *pg)
{
	struct stat st;
	uint64_t    pos = 0, skip, dropped = 0;
	size_t	    want;
	ssize_t	    n = 0;
	int	    r = 0, err;

	while (pos < size && r == 0) {
		want = size - pos < CHANNEL_DATA_CHUNK ? (size_t)(size - pos)
						       : CHANNEL_DATA_CHUNK;
		if ((n = read_full(fd, c->iobuf, want)) != (ssize_t)want)
			break;
		digest_update(h, c->iobuf, want);
		skip = offset > pos ? offset - pos : 0;
		if (skip < want)
			r = conn_send_data(c, c->iobuf + skip, want - skip);
		pos += want;
		dropbehind_note(fd, &dropped, pos);
		progress_add(pg, want);
	}
	if (r != 0 ||
	    (pos == size && fstat(fd, &st) == 0 &&
		(uint64_t)st.st_size == size))
		return r;
	err = errno;
	progress_end(pg, 0);
	return xfer_local_err("put", name,
	    n == -1 ? strerror(err) : "file changed while being read");
}

/*
 * put_stream: send the file (put_send), then "done" with the digest of the
 * whole file, or "abort" after a local failure.  Returns 0 or an error.
 */
static int
put_stream(struct ftpc *c, int fd, const char *name, uint64_t size,
    uint64_t offset, struct progress *pg)
{
	struct digest	  h;
	uint8_t		  sum[DIGEST_MAX];
	struct schema_req q;
	int		  r, sr;

	if ((r = digest_init(&h, c->digest)) != 0)
		return r;
	r = put_send(c, fd, name, size, offset, &h, pg);
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

/* put_request: the "put" request and its reply; *offset from the reply. */
static int
put_request(struct ftpc *c, const char *name, const char *path,
    const struct stat *st, uint64_t *offset)
{
	struct schema_req   q;
	struct schema_reply rep;
	int		    r;

	*offset = 0;
	if ((r = put_fits(c, name, st)) != 0)
		return r;
	conn_req(&q, SCHEMA_PUT);
	q.path = schema_cstr(path);
	q.size = (uint64_t)st->st_size;
	q.mode = (uint64_t)st->st_mode & 07777;
	q.mtime = (int64_t)st->st_mtime;
	q.overwrite = 1;
	q.has.overwrite = 1;
	q.alg = schema_cstr(digest_name(c->digest));
	q.has.alg = 1;
	r = conn_call(c, &q, SCHEMA_R_PUT, &rep, "put", name);
	if (r == 0 && rep.offset > (uint64_t)st->st_size)
		r = xfer_protocol(c, "put", name, "bad offset");
	else if (r == 0)
		*offset = rep.offset;
	schema_reply_free(&rep);
	return r;
}

/* put_one: upload local file name to wire path path. */
static int
put_one(struct ftpc *c, const char *name, const char *path)
{
	struct progress	    pg = { 0 };
	struct stat	    st;
	struct schema_reply rep;
	uint64_t	    offset;
	int		    fd, r, rr;

	if ((fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return xfer_local_err("put", name, strerror(errno));
	if (fstat(fd, &st) == -1)
		r = xfer_local_err("put", name, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		r = xfer_local_err("put", name, "is a directory");
	else if (!S_ISREG(st.st_mode))
		r = xfer_local_err("put", name, "not a regular file");
	else
		r = put_request(c, name, path, &st, &offset);
	if (r != 0)
		goto out;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	log_debug("put %s -> %s: %lld bytes", name, path,
	    (long long)st.st_size);
	progress_start(&pg, c->progress, name, (uint64_t)st.st_size);
	r = put_stream(c, fd, name, (uint64_t)st.st_size, offset, &pg);
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
	return r;
}

int
xfer_put(struct ftpc *c, int argc, char **argv)
{
	char	     dir[PATH_MAX], path[PATH_MAX], base[PATH_MAX];
	const char  *target = argv[argc - 1];
	struct rstat st;
	int	     i, n = argc - 1, into = 1, r, first = 0;

	if (argc == 1) {
		strlcpy(dir, ".", sizeof(dir));
		n = 1;
	} else if ((r = remote_path(target, dir, sizeof(dir))) != 0)
		return r;
	else if (target[strlen(target) - 1] != '/' && strcmp(dir, ".") != 0) {
		r = remote_stat_get(c, dir, &st, NULL);
		if (c->dead)
			return r;
		into = r == 0 && strcmp(st.type, "dir") == 0;
		if (!into && n > 1) {
			warnx("put: %s: not a remote folder", target);
			return -ERR_NOT_DIR;
		}
	}
	for (i = 0; i < n && !c->dead; i++) {
		if (!into)
			r = put_one(c, argv[i], dir);
		else if ((r = xfer_base(argv[i], base, sizeof(base))) == 0 &&
		    (r = remote_join(dir, base, path, sizeof(path))) == 0)
			r = put_one(c, argv[i], path);
		if (r != 0 && first == 0)
			first = r;
	}
	return first;
}
