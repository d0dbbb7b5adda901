/*
 * xfer.c: ftpc's put and get (doc/PROTOCOL.md sections 4.7 and 4.8).  A put
 * streams a regular file in CHANNEL_DATA_CHUNK data frames, hashing as it
 * reads, and ends with the BLAKE2b-256 digest; a file that changes size
 * while it is read is aborted.  A get writes into a temporary file beside
 * the target (partial.c), and renames it into place only after the digest
 * of the whole file matched: an existing local file is never touched by a
 * failed download, and no temporary file is left behind (signals
 * included) unless -C asked to keep a partial one, whose size the next get
 * resumes from.  No copies of the data beyond read(2) into one buffer and
 * the channel's own encryption buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
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

/* xfer_base: the last component of path, trailing '/' ignored, into out. */
static int
xfer_base(const char *path, char *out, size_t outlen)
{
	char tmp[PATH_MAX];

	if (strlcpy(tmp, path, sizeof(tmp)) >= sizeof(tmp) ||
	    strlcpy(out, basename(tmp), outlen) >= outlen) {
		fprintf(stderr, "ftpc: %s: name too long\n", path);
		return -1;
	}
	return 0;
}

static int
xfer_local_err(const char *op, const char *name, const char *why)
{
	fprintf(stderr, "ftpc: %s %s: %s\n", op, name, why);
	return FTPC_EXIT_LOCAL;
}

static int
xfer_protocol(struct ftpc *c, const char *op, const char *name, const char *why)
{
	fprintf(stderr, "ftpc: %s %s: protocol error: %s\n", op, name, why);
	c->dead = 1;
	return FTPC_EXIT_CONN;
}

/* xfer_reply: read a reply; an error reply is reported for op NAME. */
static int
xfer_reply(struct ftpc *c, const char *op, const char *name, struct msg *m)
{
	int r;

	if ((r = conn_recv_msg(c, m)) != 0)
		return r;
	switch (conn_reply_ok(m)) {
	case 1:
		return 0;
	case 0:
		conn_report(op, name, m);
		return FTPC_EXIT_REMOTE;
	default:
		return xfer_protocol(c, op, name, "reply without \"ok\"");
	}
}

/*
 * put_stream: hash the whole file, send bytes from offset on, then "done"
 * with the digest (or "abort" on a local failure).  Returns an exit code.
 */
static int
put_stream(struct ftpc *c, int fd, const char *name, uint64_t size,
    uint64_t offset, struct progress *pg)
{
	crypto_generichash_state h;
	uint8_t			 digest[CHANNEL_HASH_BYTES];
	struct msgw		 w;
	struct stat		 st;
	uint64_t		 pos = 0, skip, dropped = 0;
	size_t			 want;
	ssize_t			 n = 0;
	int			 r = 0, err;

	crypto_generichash_init(&h, NULL, 0, sizeof(digest));
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (pos < size && r == 0) {
		want = size - pos < CHANNEL_DATA_CHUNK ? (size_t)(size - pos)
						       : CHANNEL_DATA_CHUNK;
		if ((n = read_full(fd, c->iobuf, want)) != (ssize_t)want)
			break;
		crypto_generichash_update(&h, c->iobuf, want);
		skip = offset > pos ? offset - pos : 0;
		if (skip < want)
			r = conn_send_data(c, c->iobuf + skip, want - skip);
		pos += want;
		dropbehind_note(fd, &dropped, pos);
		progress_add(pg, want);
	}
	if (r != 0)
		return r;
	if (pos < size || fstat(fd, &st) == -1 ||
	    (uint64_t)st.st_size != size) {
		err = errno;
		progress_end(pg, 0);
		if (n == -1)
			xfer_local_err("put", name, strerror(err));
		else
			xfer_local_err("put", name,
			    "file changed while being read");
		msgw_init(&w, 1);
		msgw_str(&w, "op", "abort");
		return conn_send(c, &w, 0) ? FTPC_EXIT_CONN : FTPC_EXIT_LOCAL;
	}
	crypto_generichash_final(&h, digest, sizeof(digest));
	msgw_init(&w, 2);
	msgw_str(&w, "op", "done");
	msgw_bin(&w, "digest", digest, sizeof(digest));
	return conn_send(c, &w, 0);
}

/* put_request: the "put" request and its reply; *offset from the reply. */
static int
put_request(struct ftpc *c, const char *name, const char *path,
    const struct stat *st, uint64_t *offset)
{
	struct msgw w;
	struct msg  m;
	int	    r;

	msgw_init(&w, 6);
	msgw_str(&w, "op", "put");
	msgw_str(&w, "path", path);
	msgw_uint(&w, "size", (uint64_t)st->st_size);
	msgw_uint(&w, "mode", (uint64_t)st->st_mode & 07777);
	msgw_int(&w, "mtime", (int64_t)st->st_mtime);
	msgw_bool(&w, "overwrite", 1);
	r = conn_call(c, &w, &m);
	if (r == FTPC_EXIT_REMOTE)
		conn_report("put", name, &m);
	*offset = 0;
	if (r == 0 && msg_obj(&m, "offset") != NULL &&
	    (msg_uint(&m, "offset", offset) == -1 ||
		*offset > (uint64_t)st->st_size))
		r = xfer_protocol(c, "put", name, "bad offset");
	msg_free(&m);
	return r;
}

/* put_one: upload local file name to wire path path. */
static int
put_one(struct ftpc *c, const char *name, const char *path)
{
	struct progress pg = { 0 };
	struct stat	st;
	struct msg	m;
	uint64_t	offset;
	int		fd, r, rr;

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
	/* After "done" or "abort" the server has one reply. */
	rr = r == 0 ? xfer_reply(c, "put", name, &m) : conn_recv_msg(c, &m);
	msg_free(&m);
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
	int	     i, n = argc - 1, into = 1, r, code, first = 0;

	if (argc == 1) {
		strlcpy(dir, ".", sizeof(dir));
		n = 1;
	} else if (remote_path(target, dir, sizeof(dir)) == -1)
		return FTPC_EXIT_USAGE;
	else if (target[strlen(target) - 1] != '/' && strcmp(dir, ".") != 0) {
		r = remote_stat_get(c, dir, &st, &code, NULL);
		if (r == FTPC_EXIT_CONN)
			return r;
		into = r == 0 && strcmp(st.type, "dir") == 0;
		if (!into && n > 1) {
			fprintf(stderr, "ftpc: put: %s: not a remote folder\n",
			    target);
			return FTPC_EXIT_REMOTE;
		}
	}
	for (i = 0; i < n && !c->dead; i++) {
		if (!into)
			r = put_one(c, argv[i], dir);
		else if (xfer_base(argv[i], base, sizeof(base)) == -1 ||
		    remote_join(dir, base, path, sizeof(path)) == -1)
			r = FTPC_EXIT_USAGE;
		else
			r = put_one(c, argv[i], path);
		if (r != 0 && first == 0)
			first = r;
	}
	return first;
}

/* A get reply (PROTOCOL.md 4.8). */
struct getreply {
	uint64_t size;	 /* bytes of the whole file */
	uint64_t mode;	 /* permission bits */
	int64_t	 mtime;	 /* seconds since the epoch */
	uint64_t offset; /* first byte the server sends */
};

/*
 * get_header: the fields of a get reply.  The offset is the one asked for
 * (want), or 0 from a server that starts over.
 */
static int
get_header(struct ftpc *c, const char *name, const struct msg *m, uint64_t want,
    struct getreply *g)
{
	g->offset = 0;
	if (msg_uint(m, "size", &g->size) == -1 ||
	    msg_uint(m, "mode", &g->mode) == -1 ||
	    msg_int(m, "mtime", &g->mtime) == -1 ||
	    (msg_obj(m, "offset") != NULL &&
		msg_uint(m, "offset", &g->offset) == -1))
		return xfer_protocol(c, "get", name, "malformed reply");
	if ((g->offset != 0 && g->offset != want) || g->offset > g->size)
		return xfer_protocol(c, "get", name, "offset not requested");
	return 0;
}

/* get_request: "get" (from byte want when > 0) and its reply into g. */
static int
get_request(struct ftpc *c, const char *path, const char *name, uint64_t want,
    struct getreply *g)
{
	struct msgw w;
	struct msg  m;
	int	    r;

	msgw_init(&w, want > 0 ? 3 : 2);
	msgw_str(&w, "op", "get");
	msgw_str(&w, "path", path);
	if (want > 0)
		msgw_uint(&w, "offset", want);
	r = conn_call(c, &w, &m);
	if (r == FTPC_EXIT_REMOTE)
		conn_report("get", name, &m);
	else if (r == 0)
		r = get_header(c, name, &m, want, g);
	msg_free(&m);
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
    struct partial *p, crypto_generichash_state *h)
{
	struct rstat st;
	int	     r, code;

	if (p->have == 0)
		return 0;
	r = remote_stat_get(c, path, &st, &code, NULL);
	if (r == FTPC_EXIT_CONN)
		return r;
	if (r != 0 || strcmp(st.type, "file") != 0) {
		p->have = 0;
		return 0;
	}
	return partial_prefix(p, name, st.size, st.mtime, h, c->iobuf,
	    CHANNEL_DATA_CHUNK);
}

/*
 * get_done: the message ending a download: an error reply, or "done" with
 * the digest of all got == size bytes, checked against the one computed.
 */
static int
get_done(struct ftpc *c, const char *name, const struct msg *m, int complete,
    const uint8_t mine[CHANNEL_HASH_BYTES])
{
	const uint8_t *d;
	const char    *op;
	size_t	       len;

	if (conn_reply_ok(m) == 0) {
		conn_report("get", name, m);
		return FTPC_EXIT_REMOTE;
	}
	if (msg_str(m, "op", &op, &len) == -1 || len != 4 ||
	    memcmp(op, "done", 4) != 0 ||
	    msg_bin(m, "digest", &d, &len) == -1 || len != CHANNEL_HASH_BYTES)
		return xfer_protocol(c, "get", name, "unexpected message");
	if (!complete)
		return xfer_protocol(c, "get", name,
		    "\"done\" before all data");
	if (sodium_memcmp(d, mine, CHANNEL_HASH_BYTES) != 0) {
		fprintf(stderr,
		    "ftpc: get %s: integrity check failed "
		    "(digest mismatch)\n",
		    name);
		return FTPC_EXIT_INTEGRITY;
	}
	return 0;
}

/*
 * get_data: receive bytes g->offset..g->size into fd (already positioned;
 * h holds the hash of the bytes before), then the closing message.  A
 * local write error keeps reading (the stream must stay in step) and is
 * reported at the end.  Returns an exit code.
 */
static int
get_data(struct ftpc *c, int fd, const char *name, const struct getreply *g,
    crypto_generichash_state *h, struct progress *pg)
{
	struct writeback wb;
	uint8_t		 digest[CHANNEL_HASH_BYTES];
	const uint8_t	*body;
	struct msg	 m;
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
		crypto_generichash_update(h, body, len);
		got += len;
		if (werr == 0)
			writeback_note(&wb, got);
		progress_add(pg, len);
	}
	if (r != 0 || (r = conn_parse(c, body, len, &m)) != 0)
		return r;
	crypto_generichash_final(h, digest, sizeof(digest));
	r = get_done(c, name, &m, got == g->size, digest);
	msg_free(&m);
	if (r == 0 && werr != 0)
		r = xfer_local_err("get", name, strerror(werr));
	return r;
}

/* get_commit: mode, times, fsync and the rename into place. */
static int
get_commit(struct ftpc *c, const struct partial *p, const char *dest,
    const struct getreply *g)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_NOW },
		{ .tv_sec = (time_t)g->mtime } };

	if (fchmod(p->fd, (mode_t)g->mode & 0777 & ~c->umask) == -1 ||
	    futimens(p->fd, ts) == -1 || fsync(p->fd) == -1 ||
	    rename(p->path, dest) == -1)
		return xfer_local_err("get", dest, strerror(errno));
	return 0;
}

/*
 * get_body: position the file at the reply's offset (0: start over, cut
 * the file and the hash), receive the rest and commit.
 */
static int
get_body(struct ftpc *c, struct partial *p, const char *name, const char *dest,
    const struct getreply *g, crypto_generichash_state *h)
{
	struct progress pg = { 0 };
	int		r;

	if (g->offset == 0)
		crypto_generichash_init(h, NULL, 0, CHANNEL_HASH_BYTES);
	if (partial_seek(p, g->offset) == -1)
		return xfer_local_err("get", p->path, strerror(errno));
	log_debug("get %s -> %s: %llu bytes from %llu", name, dest,
	    (unsigned long long)g->size, (unsigned long long)g->offset);
	progress_start(&pg, c->progress, name, g->size);
	progress_skip(&pg, g->offset);
	r = get_data(c, p->fd, name, g, h, &pg);
	if (r == 0 && (r = get_commit(c, p, dest, g)) == 0)
		progress_end(&pg, 1);
	progress_end(&pg, 0);
	return r;
}

/* get_one: download wire path path (the user's name) to local dest. */
static int
get_one(struct ftpc *c, const char *path, const char *name, const char *dest)
{
	crypto_generichash_state h;
	struct partial		 p;
	struct getreply		 g = { 0 };
	int			 r;

	if ((r = partial_open(c, dest, name, &p)) != 0)
		return r;
	crypto_generichash_init(&h, NULL, 0, CHANNEL_HASH_BYTES);
	if ((r = get_resume(c, path, name, &p, &h)) == 0 &&
	    (r = get_request(c, path, name, p.have, &g)) == 0)
		r = get_body(c, &p, name, dest, &g, &h);
	if (r == FTPC_EXIT_INTEGRITY && g.offset > 0)
		fprintf(stderr,
		    "ftpc: get %s: the partial file's first %llu bytes were "
		    "probably stale; removed it: run the get again\n",
		    name, (unsigned long long)g.offset);
	partial_close(&p, r);
	return r;
}

int
xfer_get(struct ftpc *c, int argc, char **argv)
{
	char	    path[PATH_MAX], base[PATH_MAX], dest[PATH_MAX];
	const char *target = argc > 1 ? argv[argc - 1] : ".";
	struct stat st;
	int	    i, n = argc > 1 ? argc - 1 : 1, into, r, first = 0;

	into = target[strlen(target) - 1] == '/' ||
	    (stat(target, &st) == 0 && S_ISDIR(st.st_mode));
	if (!into && n > 1) {
		fprintf(stderr, "ftpc: get: %s: not a folder\n", target);
		return FTPC_EXIT_LOCAL;
	}
	for (i = 0; i < n && !c->dead; i++) {
		if (remote_path(argv[i], path, sizeof(path)) == -1 ||
		    xfer_base(path, base, sizeof(base)) == -1)
			r = FTPC_EXIT_USAGE;
		else if (into &&
		    snprintf(dest, sizeof(dest), "%s/%s", target, base) >=
			(int)sizeof(dest))
			r = xfer_local_err("get", argv[i], "name too long");
		else
			r = get_one(c, path, argv[i], into ? dest : target);
		if (r != 0 && first == 0)
			first = r;
	}
	return first;
}
