/*
 * xfer.c: the two transfers of protocol v1 (doc/PROTOCOL.md 4.7 and 4.8).
 * put receives data frames into a temporary file in the target's folder,
 * hashes them with BLAKE2b-256 as they come, and only after "done" with a
 * matching digest gives the file its name (fsops_tmp_commit: fsync, rename,
 * fsync of the folder).  get reads the file with pread and sends it in
 * CHANNEL_DATA_CHUNK frames, then the digest of the whole file.  Each ends
 * with one xferlog line.  This file must not leave a temporary file behind
 * on any failure, must not touch the target before the digest matched, and
 * must not copy data frames: they are written from the channel's buffer.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/atomicio.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/writeback.h"
#include "common/xferlog.h"
#include "worker/fsops.h"
#include "worker/session.h"

#define XFER_USER "secret" /* xferlog user of the shared-secret method */

/* One upload in progress. */
struct put {
	char		 path[FSOPS_PATH_MAX + 1];
	char		 name[FSOPS_NAME_MAX + 1];
	uint64_t	 size; /* announced bytes */
	uint64_t	 got;  /* bytes received */
	uint64_t	 mode;
	int64_t		 mtime;
	int		 overwrite;
	int		 parentfd; /* target's folder, O_PATH */
	struct fsops_tmp tmp;
	struct writeback wb; /* disk writeback overlapping the transfer */
	crypto_generichash_state h;
	int			 werr; /* first write error (ERR_*), 0 none */
	const char		*why;  /* message of a protocol error reply */
	int64_t			 start_ms;
};

/* One xferlog(5) line for a finished or aborted transfer. */
static void
xfer_log(struct session *s, const char *path, uint64_t bytes, int incoming,
    int complete, int64_t start_ms)
{
	struct xfer_record x;
	char		   line[LOG_LINE_MAX], vpath[1024];
	int64_t		   ms = clock_mono_ms() - start_ms;

	/* A very long path is cut so that the line still fits. */
	(void)snprintf(vpath, sizeof(vpath), "/%s", path);
	memset(&x, 0, sizeof(x));
	x.end = time(NULL);
	x.seconds = ms > 0 ? (uint64_t)(ms + 999) / 1000 : 1;
	x.host = s->info.peer;
	x.bytes = bytes;
	x.path = vpath;
	x.incoming = incoming;
	x.user = XFER_USER;
	x.complete = complete;
	if (xferlog_format(&x, line, sizeof(line)) >= 0)
		log_xfer(line);
	log_info("session %llu: %s %s: %llu bytes in %lld ms%s",
	    (unsigned long long)s->info.seq, incoming ? "put" : "get", path,
	    (unsigned long long)bytes, (long long)ms,
	    complete ? "" : " (incomplete)");
}

/* The request's fields and the server's limits. */
static int
put_parse(struct session *s, const struct schema_req *q, struct put *p)
{
	const struct config *cfg = s->cfg;
	int		     r;

	if ((r = session_path(q->path, p->path, sizeof(p->path))) != 0)
		return r;
	/* PROTOCOL.md 4.7: size, mode and mtime are required (schema). */
	p->size = q->size;
	p->mode = q->mode;
	p->mtime = q->mtime;
	p->overwrite = q->overwrite;
	if (!cfg->overwrite)
		p->overwrite = 0;
	/* SECURITY: the announced size is checked before any byte arrives. */
	if ((cfg->max_file_size != 0 && p->size > cfg->max_file_size) ||
	    (cfg->file_size_limit != 0 && p->size > cfg->file_size_limit) ||
	    p->size > (uint64_t)INT64_MAX)
		return -ERR_TOO_BIG;
	return 0;
}

/* Open the target's folder, check the target, create the temporary file. */
static int
put_prepare(struct session *s, struct put *p)
{
	struct stat st;
	int	    r;

	p->parentfd =
	    fsops_open_parent(s->rootfd, p->path, p->name, sizeof(p->name));
	if (p->parentfd < 0)
		return p->parentfd;
	if (fstatat(p->parentfd, p->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode))
			return -ERR_IS_DIR;
		if (!p->overwrite)
			return -ERR_EXISTS;
	} else if (errno != ENOENT)
		return -err_from_errno(errno);
	if ((r = fsops_tmp_create(p->parentfd, &p->tmp)) != 0)
		return r;
	/* Reserve the space now: "no space" before the data, not after. */
	if (p->size > 0 && fallocate(p->tmp.fd, 0, 0, (off_t)p->size) == -1 &&
	    errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)
		return -err_from_errno(errno);
	writeback_init(&p->wb, p->tmp.fd);
	crypto_generichash_init(&p->h, NULL, 0, CHANNEL_HASH_BYTES);
	return 0;
}

/* Hash and write one data frame; after a write error only count. */
static void
put_write(struct session *s, struct put *p, const uint8_t *body, size_t len)
{
	if (p->werr != 0)
		return;
	crypto_generichash_update(&p->h, body, len);
	if (write_full(p->tmp.fd, body, len) == -1) {
		p->werr = err_from_errno(errno);
		log_warn("session %llu: put %s: write",
		    (unsigned long long)s->info.seq, p->path);
		return;
	}
	writeback_note(&p->wb, p->got + len);
}

/*
 * The message that ends the data: "done" with the digest, or "abort".
 * Returns 0 (commit), an ERR_* code to reply, or -1 (session over).
 */
static int
put_message(struct session *s, struct put *p, const uint8_t *body, size_t len)
{
	struct schema_req q;
	uint8_t		  mine[CHANNEL_HASH_BYTES];
	int		  r;

	/* SECURITY: the schema checks the digest is a 32-byte bin. */
	r = schema_request_decode(body, len, &q, NULL);
	if (q.op == SCHEMA_ABORT)
		r = ERR_ABORTED;
	else if (q.op != SCHEMA_DONE)
		r = -1;
	else if (r != 0) {
		p->why = "done without a 32-byte digest";
		r = ERR_PROTOCOL;
	} else if (p->got != p->size) {
		p->why = "fewer bytes than announced";
		r = ERR_PROTOCOL;
	} else if (p->werr != 0)
		r = p->werr;
	else {
		crypto_generichash_final(&p->h, mine, sizeof(mine));
		r = sodium_memcmp(mine, q.digest.p, sizeof(mine)) == 0
		    ? 0
		    : ERR_DIGEST;
	}
	if (r == -1)
		return session_fail(s, ERR_PROTOCOL,
		    "expected data, done or abort");
	return r;
}

/*
 * Receive data frames up to "done" or "abort".  Returns as put_message;
 * -1 also when the channel breaks, a signal ends the session or more data
 * than announced arrives.
 */
static int
put_receive(struct session *s, struct put *p)
{
	const uint8_t *body;
	size_t	       len;
	int	       type, r;

	for (;;) {
		if (session_stopping(s) == -1)
			return -1;
		if ((r = channel_recv(&s->ch, &type, &body, &len)) != 1) {
			session_lost(s, r);
			return -1;
		}
		/* PROTOCOL.md 4.9: only bye may be FINAL.  A FINAL done is not
		 * committed, and after FINAL data no done can come: end now. */
		if (s->ch.peer_final)
			return session_fail(s, ERR_PROTOCOL,
			    "only bye may be sent as the final frame");
		if (type == CHANNEL_MSG)
			return put_message(s, p, body, len);
		/* SECURITY: never more bytes than announced (and checked). */
		if (len > p->size - p->got) {
			log_warnx("session %llu: put %s: more data than "
				  "announced",
			    (unsigned long long)s->info.seq, p->path);
			return session_fail(s, ERR_PROTOCOL,
			    "more data than announced");
		}
		put_write(s, p, body, len);
		p->got += len;
		session_state(s, "put", p->path, p->got, p->size, 0);
	}
}

/* The process umask (027 in a daemon), applied to uploads as mkdir(2) does. */
static mode_t
put_umask(void)
{
	mode_t u = umask(077);

	(void)umask(u);
	return u;
}

/* Mode, mtime, then fsync, rename into place, fsync the folder. */
static int
put_commit(struct put *p)
{
	struct timespec ts[2];

	if (fchmod(p->tmp.fd, (mode_t)(p->mode & 0666) & ~put_umask()) == -1)
		return -err_from_errno(errno);
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_sec = (time_t)p->mtime;
	ts[1].tv_nsec = 0;
	if (futimens(p->tmp.fd, ts) == -1)
		return -err_from_errno(errno);
	return fsops_tmp_commit(p->parentfd, &p->tmp, p->name, p->overwrite);
}

/* A reply of kind carrying size (put done) or offset (put accepted). */
static int
put_reply(struct session *s, enum schema_kind kind, uint64_t n)
{
	struct schema_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.size = n;
	rep.offset = n;
	return session_reply(s, kind, &rep);
}

/*
 * After the data: commit on r == 0 and reply with the size, else reply
 * with error r.  *complete is set when the file is in place.  Returns as
 * session_send.
 */
static int
put_finish(struct session *s, struct put *p, int r, int *complete)
{
	int64_t data_ms = clock_mono_ms();

	if (r == 0 && (r = -put_commit(p)) == 0) {
		log_debug("session %llu: put %s: data %lld ms, commit %lld ms",
		    (unsigned long long)s->info.seq, p->path,
		    (long long)(data_ms - p->start_ms),
		    (long long)(clock_mono_ms() - data_ms));
		*complete = 1;
		return put_reply(s, SCHEMA_R_PUT_DONE, p->size);
	}
	if (r == ERR_ABORTED)
		log_info("session %llu: put %s aborted by the client",
		    (unsigned long long)s->info.seq, p->path);
	else if (r == ERR_DIGEST || r == ERR_PROTOCOL)
		log_warnx("session %llu: put %s failed: %s",
		    (unsigned long long)s->info.seq, p->path, err_name(r));
	return session_error(s, r, p->why);
}

int
xfer_put(struct session *s, const struct schema_req *q)
{
	struct put p;
	int	   r, ret, complete = 0;

	memset(&p, 0, sizeof(p));
	p.parentfd = -1;
	p.tmp.fd = -1;
	p.start_ms = clock_mono_ms();
	if ((r = put_parse(s, q, &p)) == 0) {
		session_state(s, "put", p.path, 0, p.size, 1);
		r = put_prepare(s, &p);
	}
	if (r != 0) {
		ret = session_error(s, -r, NULL);
		goto out;
	}
	if (put_reply(s, SCHEMA_R_PUT, 0) == -1 || /* v1: offset 0 */
	    (r = put_receive(s, &p)) == -1)
		ret = -1;
	else
		ret = put_finish(s, &p, r, &complete);
	xfer_log(s, p.path, p.got, 1, complete, p.start_ms);
out:
	fsops_tmp_discard(p.parentfd, &p.tmp); /* SECURITY: no half file */
	if (p.parentfd >= 0)
		close(p.parentfd);
	return ret;
}

/* Send bytes offset..size of fd, hashing 0..size; then "done". */
static int
get_send(struct session *s, int fd, const char *path, uint64_t size,
    uint64_t offset, uint64_t *sent)
{
	crypto_generichash_state h;
	uint8_t			 digest[CHANNEL_HASH_BYTES];
	struct schema_req	 done;
	uint64_t		 pos = 0, want, dropped = 0;
	ssize_t			 n;

	crypto_generichash_init(&h, NULL, 0, sizeof(digest));
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (pos < size) {
		if (session_stopping(s) == -1)
			return -1;
		want = size - pos < CHANNEL_DATA_CHUNK ? size - pos
						       : CHANNEL_DATA_CHUNK;
		if (pos < offset && offset - pos < want)
			want = offset - pos; /* no frame straddles offset */
		do
			n = pread(fd, s->iobuf, (size_t)want, (off_t)pos);
		while (n == -1 && errno == EINTR);
		if (n <= 0) {
			if (n == -1)
				log_warn("session %llu: get %s: read",
				    (unsigned long long)s->info.seq, path);
			return session_error(s,
			    n == 0 ? ERR_IO : err_from_errno(errno),
			    n == 0 ? "file shrank during the transfer" : NULL);
		}
		crypto_generichash_update(&h, s->iobuf, (size_t)n);
		if (pos >= offset &&
		    channel_send(&s->ch, CHANNEL_DATA, s->iobuf, (size_t)n,
			0) == -1) {
			session_send_failed(s, "get");
			return -1;
		}
		pos += (uint64_t)n;
		dropbehind_note(fd, &dropped, pos);
		*sent = pos > offset ? pos - offset : 0;
		session_state(s, "get", path, *sent, size - offset, 0);
	}
	crypto_generichash_final(&h, digest, sizeof(digest));
	memset(&done, 0, sizeof(done));
	done.digest.p = digest;
	done.digest.len = sizeof(digest);
	return session_reply(s, SCHEMA_DONE, &done) == 0 ? 1 : -1;
}

static int
get_accepted(struct session *s, const struct stat *st, uint64_t offset)
{
	struct schema_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.size = (uint64_t)st->st_size;
	rep.mode = (uint64_t)st->st_mode & 07777;
	rep.mtime = (int64_t)st->st_mtime;
	rep.offset = offset;
	return session_reply(s, SCHEMA_R_GET, &rep);
}

int
xfer_get(struct session *s, const struct schema_req *q)
{
	char	    path[FSOPS_PATH_MAX + 1];
	struct stat st;
	uint64_t    offset = q->offset, sent = 0;
	int64_t	    start = clock_mono_ms();
	int	    fd, r;

	if ((r = session_path(q->path, path, sizeof(path))) != 0)
		return session_error(s, -r, NULL);
	if ((fd = fsops_open_read(s->rootfd, path, &st)) < 0)
		return session_error(s, -fd, NULL);
	if (offset > (uint64_t)st.st_size) {
		close(fd);
		return session_error(s, ERR_PROTOCOL, "offset beyond the end");
	}
	session_state(s, "get", path, 0, (uint64_t)st.st_size - offset, 1);
	if ((r = get_accepted(s, &st, offset)) == 0)
		r = get_send(s, fd, path, (uint64_t)st.st_size, offset, &sent);
	close(fd);
	xfer_log(s, path, sent, 0, r == 1, start);
	return r == -1 ? -1 : 0;
}
