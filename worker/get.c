/*
 * get.c: the download of protocol v1 (doc/PROTOCOL.md 4.11) and the
 * content digest of stat (4.6): the file is read with pread in
 * CHANNEL_DATA_CHUNK pieces, hashed with the requested algorithm from byte
 * 0, sent from the requested offset, and ended with "done" and the digest
 * of the whole file.  This file must not touch a client path other than
 * through fsops.c and must not copy data between buffers: the chunk read
 * is the chunk sent.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "common/atomicio.h"
#include "common/clock.h"
#include "common/digest.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mapread.h"

#include "worker/fsops.h"
#include "worker/session.h"
#include "worker/watchdog.h"

/* A read that came short (n == 0) or failed: an error reply. */
static int
get_read_failed(struct session *s, ssize_t n)
{
	if (n == -1)
		log_warn("session %llu: get %s: read",
		    (unsigned long long)s->info.seq, s->path);
	return session_error(s, n == 0 ? ERR_IO : err_from_errno(errno),
	    n == 0 ? "file shrank during the transfer" : NULL);
}

/*
 * Send bytes offset..size of fd, hashing 0..size into h, reading through
 * a mapping (mapread.c) straight into each frame's body: no copy before
  * encryption but the one from the page cache.  Returns 1 when all went,
 * 0 after an error reply (the session goes on), -1 when it is over.
 */
static int
get_frames(struct session *s, struct mapread *mr, const char *path,
    uint64_t size, uint64_t offset, struct digest *h, uint64_t *sent)
{
	uint64_t pos = 0, want;
	uint8_t *p;
	ssize_t	 n;

	while (pos < size) {
		if (session_stopping(s) == -1)
			return -1;
		want = size - pos < CHANNEL_DATA_CHUNK ? size - pos
						       : CHANNEL_DATA_CHUNK;
		if (pos < offset && offset - pos < want)
			want = offset - pos; /* no frame straddles offset */
		if ((p = channel_body_buf(&s->ch, (size_t)want)) == NULL)
			return session_error(s, ERR_INTERNAL, NULL);
		if ((n = mapread_copy(mr, p, (size_t)want, (off_t)pos)) <= 0)
			return get_read_failed(s, n);
		digest_update(h, p, (size_t)n);
		if (pos >= offset &&
		    channel_send_body(&s->ch, CHANNEL_DATA, (size_t)n, 0) ==
			-1) {
			session_send_failed(s, "get");
			return -1;
		}
		pos += (uint64_t)n;
		*sent = pos > offset ? pos - offset : 0;
		watchdog_progress(*sent);
		session_state(s, "get", path, *sent, size - offset, 0);
	}
	return 1;
}

/* Send bytes offset..size of fd, hashing 0..size into h; then "done". */
static int
get_send(struct session *s, int fd, const char *path, uint64_t size,
    uint64_t offset, struct digest *h, uint64_t *sent)
{
	uint8_t		  sum[DIGEST_MAX];
	struct schema_req done;
	struct mapread	  mr;
	struct stat	  st;
	int		  r;

	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	mapread_init(&mr, fd);
	r = get_frames(s, &mr, path, size, offset, h, sent);
	mapread_end(&mr);
	if (r != 1)
		return r;
	/* A file cut inside a mapped page reads as zeros there, no SIGBUS
	 * (mmap(2)): a shorter file now means those bytes were not its. */
	if (fstat(fd, &st) == -1 || (uint64_t)st.st_size < size)
		return get_read_failed(s, 0);
	memset(&done, 0, sizeof(done));
	done.digest.len = digest_len(h->alg);
	digest_final(h, sum);
	done.digest.p = sum;
	return session_reply(s, SCHEMA_DONE, &done) == 0 ? 1 : -1;
}

static int
get_accepted(struct session *s, const struct stat *st, uint64_t offset, int alg,
    int named)
{
	struct schema_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.size = (uint64_t)st->st_size;
	rep.mode = (uint64_t)st->st_mode & 07777;
	rep.mtime = (int64_t)st->st_mtime;
	rep.offset = offset;
	rep.alg = schema_cstr(digest_name(alg));
	rep.has.alg = named; /* a first-version client gets what it knew */
	return session_reply(s, SCHEMA_R_GET, &rep);
}

int
xfer_get(struct session *s, const struct schema_req *q)
{
	char	      path[FSOPS_PATH_MAX + 1];
	struct stat   st;
	struct digest h;
	uint64_t      offset = q->offset, sent = 0;
	int64_t	      start = clock_mono_ms();
	int	      fd, r, alg;

	if ((r = session_path(q->path, path, sizeof(path))) != 0)
		return session_error(s, -r, NULL);
	if (xfer_alg(s, q, &alg) != 0)
		return session_error(s, ERR_PROTOCOL,
		    "digest algorithm not offered");
	if ((fd = fsops_open_read(s->rootfd, path, &st)) < 0)
		return session_error(s, -fd, NULL);
	if (offset > (uint64_t)st.st_size || digest_init(&h, alg) != 0) {
		close(fd);
		return session_error(s, ERR_PROTOCOL, "offset beyond the end");
	}
	session_state(s, "get", path, 0, (uint64_t)st.st_size - offset, 1);
	/* SECURITY: a reader must keep a minimum rate (issue 8, item 3). */
	watchdog_rate(s->fd, 1, s->cfg->min_rate, s->cfg->min_rate_window);
	if ((r = get_accepted(s, &st, offset, alg, q->has.alg)) == 0)
		r = get_send(s, fd, path, (uint64_t)st.st_size, offset, &h,
		    &sent);
	watchdog_off();
	digest_free(&h);
	close(fd);
	xfer_log(s, path, sent, 0, r == 1, start);
	return r == -1 ? -1 : 0;
}

int
xfer_sum(struct session *s, const char *path, int alg, uint8_t *out)
{
	struct stat   st;
	struct digest h;
	uint64_t      pos = 0;
	ssize_t	      n;
	int	      fd, r;

	if ((fd = fsops_open_read(s->rootfd, path, &st)) < 0)
		return fd;
	if ((r = digest_init(&h, alg)) != 0)
		goto out;
	while (pos < (uint64_t)st.st_size) {
		n = pread_full(fd, s->iobuf, CHANNEL_DATA_CHUNK, (off_t)pos);
		if (n <= 0) {
			r = n == 0 ? -ERR_IO : -err_from_errno(errno);
			digest_free(&h);
			goto out;
		}
		digest_update(&h, s->iobuf, (size_t)n);
		pos += (uint64_t)n;
	}
	digest_final(&h, out);
out:
	close(fd);
	return r;
}
