/*
 * get.c: ftpc's get (doc/PROTOCOL.md section 4.8).  A get writes into a
 * temporary file beside the target (partial.c), and renames it into place
 * only after the digest of the whole file matched: an existing local file
 * is never touched by a failed download, and no temporary file is left
 * behind (signals included) unless -C asked to keep a partial one, whose
 * size the next get resumes from.  Data frames are written from the
 * channel's buffer, with no copy.  This file must not trust a byte count
 * or an offset the server did not announce.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomicio.h"
#include "common/error.h"
#include "common/log.h"
#include "common/writeback.h"
#include "client/ftpc.h"
#include "client/progress.h"

/*
 * get_exists: the refusal to replace an existing local file: ftpc's
 * default unless -f (-n: skipped quietly, see get_one).  -ERR_EXISTS.
 */
static int
get_exists(const char *dest)
{
	warnx("get: %s: local file exists (-f replaces it, -n skips it)", dest);
	return -ERR_EXISTS;
}

/* A get reply (PROTOCOL.md 4.8). */
struct getreply {
	uint64_t size;	 /* bytes of the whole file */
	uint64_t mode;	 /* permission bits */
	int64_t	 mtime;	 /* seconds since the epoch */
	uint64_t offset; /* first byte the server sends */
};

/*
 * get_request: "get" (from byte want when > 0) and its reply into g.  The
 * offset is the one asked for (want), or 0 from a server that starts over.
 */
static int
get_request(struct ftpc *c, const char *path, const char *name, uint64_t want,
    struct getreply *g)
{
	struct schema_req   q;
	struct schema_reply rep;
	int		    r;

	conn_req(&q, SCHEMA_GET);
	q.path = schema_cstr(path);
	q.offset = want;
	q.has.offset = want > 0;
	q.alg = schema_cstr(digest_name(c->digest));
	q.has.alg = 1;
	if ((r = conn_call(c, &q, SCHEMA_R_GET, &rep, "get", name)) == 0) {
		g->size = rep.size;
		g->mode = rep.mode;
		g->mtime = rep.mtime;
		g->offset = rep.offset;
		if ((g->offset != 0 && g->offset != want) ||
		    g->offset > g->size)
			r = xfer_protocol(c, "get", name,
			    "offset not requested");
	}
	schema_reply_free(&rep);
	return r;
}

/*
 * get_resume: where a -C partial file lets the download start (p->have,
 * its first bytes hashed into h): only a remote regular file at least as
 * large and not newer qualifies; any other case starts from 0 and leaves
 * the errors to the get itself.
 */
static int
get_resume(struct ftpc *c, const char *path, const char *name,
    struct partial *p, struct digest *h)
{
	struct rstat st;
	int	     r;

	if (p->have == 0)
		return 0;
	r = remote_stat_get(c, path, &st, NULL);
	if (c->dead)
		return r;
	if (r != 0 || strcmp(st.type, "file") != 0) {
		p->have = 0;
		return 0;
	}
	return partial_prefix(p, name, st.size, st.mtime, h, c->iobuf,
	    CHANNEL_DATA_CHUNK);
}

/*
 * get_done: the message body (len bytes) ending a download: an error
 * reply, or "done" with the digest of all got == size bytes (complete),
 * checked against the one computed (mine).
 */
static int
get_done(struct ftpc *c, const char *name, const uint8_t *body, size_t len,
    int complete, const uint8_t *mine, size_t minelen)
{
	struct schema_req   q;
	struct schema_reply rep;
	int		    r;

	/* SECURITY: the schema decoder checks every field before use. */
	r = schema_request_decode(body, len, &q, NULL);
	if (q.op == SCHEMA_OP_COUNT) { /* no request: an error reply? */
		r = conn_decode(c, SCHEMA_R_OK, body, len, &rep, "get", name);
		schema_reply_free(&rep);
		if (r != 0)
			return r;
	}
	if (r != 0 || q.op != SCHEMA_DONE)
		return xfer_protocol(c, "get", name, "unexpected message");
	if (!complete)
		return xfer_protocol(c, "get", name,
		    "\"done\" before all data");
	if (q.digest.len != minelen ||
	    sodium_memcmp(q.digest.p, mine, minelen) != 0) {
		warnx("get %s: integrity check failed (digest mismatch)", name);
		return -ERR_DIGEST;
	}
	return 0;
}

/*
 * get_data: receive bytes g->offset..g->size into fd (already positioned;
 * h holds the hash of the bytes before), then the closing message.  A
 * local write error keeps reading (the stream must stay in step) and is
 * reported at the end.  Returns 0 or an error.
 */
static int
get_data(struct ftpc *c, int fd, const char *name, const struct getreply *g,
    struct digest *h, struct progress *pg)
{
	struct writeback wb;
	uint8_t		 sum[DIGEST_MAX];
	size_t		 sumlen = digest_len(h->alg);
	const uint8_t	*body;
	uint64_t	 got = g->offset;
	size_t		 len;
	int		 type, r, werr = 0;

	writeback_init(&wb, fd);
	/* The bytes before the offset are on disk from an earlier run. */
	wb.started = got - got % WRITEBACK_WINDOW;
	while ((r = conn_recv(c, &type, &body, &len)) == 0 &&
	    type == CHANNEL_DATA) {
		if (len > g->size - got)
			return xfer_protocol(c, "get", name,
			    "more data than announced");
		if (werr == 0 && write_full(fd, body, len) == -1)
			werr = errno;
		digest_update(h, body, len);
		got += len;
		if (werr == 0)
			writeback_note(&wb, got);
		progress_add(pg, len);
		xfer_throttle(c, len);
	}
	if (r != 0)
		return r;
	digest_final(h, sum);
	r = get_done(c, name, body, len, got == g->size, sum, sumlen);
	if (r == 0 && werr != 0)
		r = xfer_local_err("get", name, strerror(werr));
	return r;
}

/* get_place: rename from to to; unless force, never over an existing to.
 * 0, or -1 with errno set. */
static int
get_place(const char *from, const char *to, int force)
{
	if (force)
		return rename(from, to);
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS) /* else no such flag here */
		return -1;
	if (link(from, to) == -1)
		return -1;
	(void)unlink(from);
	return 0;
}

/*
 * get_commit: mode (-p: the server's bits, else masked with the umask),
 * mtime (-p: the server's, else now), fsync and the rename into place
 * (unless -f, never over an existing file).
 */
static int
get_commit(struct ftpc *c, const struct partial *p, const char *dest,
    const struct getreply *g)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_NOW },
		{ .tv_sec = (time_t)g->mtime } };
	mode_t		mode = (mode_t)g->mode & 0777;

	if (!c->o.preserve) {
		mode &= ~c->umask;
		ts[1].tv_nsec = UTIME_NOW;
	}
	if (fchmod(p->fd, mode) == -1 || futimens(p->fd, ts) == -1 ||
	    fsync(p->fd) == -1)
		return xfer_local_err("get", dest, strerror(errno));
	if (get_place(p->path, dest, c->o.force) == -1)
		return errno == EEXIST
		    ? get_exists(dest)
		    : xfer_local_err("get", dest, strerror(errno));
	return 0;
}

/*
 * get_body: position the file at the reply's offset (0: start over, cut
 * the file and the hash), receive the rest and commit.
 */
static int
get_body(struct ftpc *c, struct partial *p, const char *name, const char *dest,
    const struct getreply *g, struct digest *h)
{
	struct progress pg = { 0 };
	int		r;

	if (g->offset == 0) {
		digest_free(h);
		if ((r = digest_init(h, c->digest)) != 0)
			return r;
	}
	if (partial_seek(p, g->offset) != 0)
		return xfer_local_err("get", p->path, strerror(errno));
	log_debug("get %s -> %s: %llu bytes from %llu", name, dest,
	    (unsigned long long)g->size, (unsigned long long)g->offset);
	progress_start(&pg, c, name, g->size);
	progress_skip(&pg, g->offset);
	r = get_data(c, p->fd, name, g, h, &pg);
	if (r == 0 && (r = get_commit(c, p, dest, g)) == 0)
		progress_end(&pg, 1);
	progress_end(&pg, 0);
	return r;
}

int
get_one(struct ftpc *c, const char *path, const char *name, const char *dest)
{
	struct digest	h;
	struct partial	p;
	struct getreply g = { 0 };
	struct stat	st;
	int		r;

	if (!c->o.force && lstat(dest, &st) == 0)
		return c->o.noclobber ? 0 : get_exists(dest);
	if ((r = partial_open(c, dest, name, &p)) != 0)
		return r;
	if ((r = digest_init(&h, c->digest)) != 0) {
		partial_close(&p, r);
		return r;
	}
	if ((r = get_resume(c, path, name, &p, &h)) == 0 &&
	    (r = get_request(c, path, name, p.have, &g)) == 0)
		r = get_body(c, &p, name, dest, &g, &h);
	if (r == -ERR_DIGEST && g.offset > 0)
		warnx("get %s: the partial file's first %llu bytes were "
		      "probably stale; removed it: run the get again",
		    name, (unsigned long long)g.offset);
	digest_free(&h);
	partial_close(&p, r);
	return r;
}

/* get_arg: one REMOTE argument of get, into the folder target or as it. */
static int
get_arg(struct ftpc *c, const char *arg, const char *target, int into)
{
	char path[PATH_MAX], base[PATH_MAX], dest[PATH_MAX];
	int  r, n;

	struct rstat st;

	if ((r = remote_path(arg, path, sizeof(path))) != 0 ||
	    (r = xfer_base(path, base, sizeof(base))) != 0)
		return r;
	n = snprintf(dest, sizeof(dest), "%s/%s", target, base);
	if (n < 0 || (size_t)n >= sizeof(dest))
		return xfer_local_err("get", arg, "name too long");
	if (c->o.recursive) {
		r = remote_stat_op(c, path, &st, "get", arg);
		if (r == 0 && strcmp(st.type, "dir") == 0)
			return tree_get(c, path, arg, into ? dest : target);
		if (r != 0)
			return r;
	}
	return get_one(c, path, arg, into ? dest : target);
}

int
get_files(struct ftpc *c, int argc, char **argv)
{
	const char *target = argc > 1 ? argv[argc - 1] : ".";
	struct stat st;
	int	    i, n = argc > 1 ? argc - 1 : 1, into, r, first = 0;

	into = target[strlen(target) - 1] == '/' ||
	    (stat(target, &st) == 0 && S_ISDIR(st.st_mode));
	if (!into && n > 1) {
		errno = ENOTDIR;
		return xfer_local_err("get:", target, "not a folder");
	}
	for (i = 0; i < n && !c->dead; i++) {
		r = get_arg(c, argv[i], target, into);
		if (r != 0 && first == 0)
			first = r;
	}
	return first;
}
