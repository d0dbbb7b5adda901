/*
 * xfer.c: the two transfers of protocol v1 (doc/PROTOCOL.md 4.7 and 4.8).
 * put receives data frames into a temporary file in the target's folder,
 * hashes them as they come, and only after "done" with a matching digest
 * hands the file to the group commit (commit.c: fsync, rename, fsync of the
 * folder, shared by the uploads of a pipelined batch), which replies once
 * it is durable.  A refused put leaves the session discarding the data
 * frames the client may have pipelined behind it (session.c).  A put with
 * "resume" writes to a kept part instead (partial.c), kept when the session
 * breaks.  get reads the file with pread and sends it in CHANNEL_DATA_CHUNK
 * frames, then the digest of the whole file.  Each ends with one xferlog
 * line (xlog.c).  This file must not leave a temporary file behind on any
 * failure but a resumable put's part, must not touch the target before the
 * digest matched, and must not copy data frames: they are written from the
 * channel's buffer.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <sodium.h>

#include "common/atomicio.h"
#include "common/clock.h"
#include "common/digest.h"
#include "common/error.h"
#include "common/log.h"
#include "common/writeback.h"
#include "worker/account.h"
#include "worker/fsops.h"
#include "worker/partial.h"
#include "worker/session.h"
#include "worker/watchdog.h"

/* Disk reserved ahead of the data received, bytes (issue 8, item 4). */
#define XFER_RESERVE_STEP (8ULL << 20)
/* A folder's leftover temporaries are swept before a put, at most this
 * often per worker, seconds (issue 8, item 5). */
#define XFER_SWEEP_INTERVAL 60

/* One upload in progress. */
struct put {
	char		 path[FSOPS_PATH_MAX + 1];
	char		 name[FSOPS_NAME_MAX + 1];
	uint64_t	 size;	   /* announced bytes */
	uint64_t	 got;	   /* bytes received */
	uint64_t	 reserved; /* bytes allocated on disk from offset 0 */
	uint64_t	 mode;
	int64_t		 mtime;
	int		 overwrite;
	int		 parentfd; /* target's folder, O_PATH */
	struct fsops_tmp tmp;
	struct writeback wb; /* disk writeback overlapping the transfer */
	struct digest	 h;
	int		 alg;	 /* enum digest_alg of the "done" digest */
	int		 named;	 /* the request named alg: the replies do */
	int		 resume; /* write to the kept part, part */
	uint64_t	 kept;	 /* bytes of it kept before this put */
	uint8_t		 prefix[DIGEST_MAX]; /* their digest */
	char		 part[PARTIAL_NAME_LEN];
	uint8_t		 sum[DIGEST_MAX]; /* the digest, once done */
	int		 werr; /* first write error (ERR_*), 0 none */
	const char	*why;  /* message of a protocol error reply */
	int64_t		 start_ms;
};

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
	if ((r = xfer_alg(s, q, &p->alg)) != 0)
		return r;
	p->named = q->has.alg;
	p->resume = q->resume;
	/* usage.h: an account's part is charged to it; its name says so. */
	partial_name(s->user, s->acct != NULL ? s->acct->name : NULL, p->path,
	    p->size, p->part);
	if (!cfg->overwrite || !account_may_overwrite(s))
		p->overwrite = 0;
	/* SECURITY: the announced size is checked before any byte arrives. */
	if ((cfg->max_file_size != 0 && p->size > cfg->max_file_size) ||
	    (cfg->file_size_limit != 0 && p->size > cfg->file_size_limit) ||
	    p->size > (uint64_t)INT64_MAX)
		return -ERR_TOO_BIG;
	return 0;
}

/*
 * Reserve disk space up to XFER_RESERVE_STEP bytes past the end of the
 * next want bytes, never past the announced size.  SECURITY: a client that
 * announces a large size and sends little holds at most one step of disk,
 * not the whole size (issue 8, item 4).  Returns 0 or a negative ERR_*
 * code (no_space); a file system without fallocate is not an error.
 */
static int
put_reserve(struct put *p, uint64_t want)
{
	uint64_t end = p->got + want;

	if (end <= p->reserved && p->reserved > 0)
		return 0;
	end = p->size - end < XFER_RESERVE_STEP ? p->size
						: end + XFER_RESERVE_STEP;
	if (end <= p->reserved)
		return 0;
	if (fallocate(p->tmp.fd, FALLOC_FL_KEEP_SIZE, (off_t)p->reserved,
		(off_t)(end - p->reserved)) == -1 &&
	    errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)
		return -err_from_errno(errno);
	p->reserved = end;
	return 0;
}

/* Remove what dead writers left in the target's folder (fsops_tmp_sweep). */
static void
put_sweep(const struct session *s, const struct put *p)
{
	struct fsops_sweep how = { s->cfg->partial_ttl, s->servedfd };
	char		   where[FSOPS_PATH_MAX + 1];
	char		  *slash;

	(void)strlcpy(where, p->path, sizeof(where));
	if ((slash = strrchr(where, '/')) != NULL)
		*slash = '\0';
	else
		where[0] = '\0';
	(void)fsops_tmp_sweep(p->parentfd, where, XFER_SWEEP_INTERVAL, &how);
}

/* Open the target's folder, check the target, create the temporary file. */
static int
put_prepare(struct session *s, struct put *p)
{
	struct stat st;
	uint64_t    held;
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
	put_sweep(s, p);
	if ((r = digest_init(&p->h, p->alg)) != 0)
		return r;
	/* PROTOCOL.md 4.10: a resume writes to the kept part, from its end.
	 * The part stops being charged before the put is (usage.h); from
	 * here a failure keeps it (put_end), charged again. */
	if (p->resume) {
		r = partial_open(p->parentfd, p->part, p->size,
		    s->cfg->partial_ttl, &p->tmp, &p->h, p->prefix, &p->kept,
		    &held);
		account_part(s, held, 0);
		if (r != 0)
			return r;
		p->got = p->kept;
	}
	if ((r = account_put_reserve(s, p->parentfd, p->name, p->size,
		 p->overwrite)) != 0)
		return r; /* quota: before any data */
	if (!p->resume && (r = fsops_tmp_create(p->parentfd, &p->tmp)) != 0)
		return r;
	p->got = p->reserved = p->kept;
	/* The first step now: "no space" before the data, not after. */
	if ((r = put_reserve(p, 0)) != 0)
		return r;
	writeback_init(&p->wb, p->tmp.fd);
	return 0;
}

/* Hash and write one data frame; after a write error only count. */
static void
put_write(struct session *s, struct put *p, const uint8_t *body, size_t len)
{
	int r;

	if (p->werr != 0)
		return;
	digest_update(&p->h, body, len);
	if ((r = put_reserve(p, len)) != 0) {
		p->werr = -r;
		log_warnx("session %llu: put %s: reserve: %s",
		    (unsigned long long)s->info.seq, s->path, err_name(-r));
		return;
	}
	if (write_full(p->tmp.fd, body, len) == -1) {
		p->werr = err_from_errno(errno);
		log_warn("session %llu: put %s: write",
		    (unsigned long long)s->info.seq, s->path);
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
	int		  r;

	/* SECURITY: the schema checks the digest is a 16..32-byte bin. */
	r = schema_request_decode(body, len, &q, NULL);
	if (q.op == SCHEMA_ABORT)
		r = ERR_ABORTED;
	else if (q.op != SCHEMA_DONE)
		r = -1;
	else if (r != 0 || q.digest.len != digest_len(p->alg)) {
		p->why = "done without a digest of the announced algorithm";
		r = ERR_PROTOCOL;
	} else if (p->got != p->size) {
		p->why = "fewer bytes than announced";
		r = ERR_PROTOCOL;
	} else if (p->werr != 0)
		r = p->werr;
	else {
		digest_final(&p->h, p->sum);
		r = sodium_memcmp(p->sum, q.digest.p, q.digest.len) == 0
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
		/* A client that waits for this put's reply before its data
		 * must get it: the batch goes when nothing is waiting. */
		commit_poll(s);
		session_report_idle(s); /* a stalled upload shows up */
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
			    (unsigned long long)s->info.seq, s->path);
			return session_fail(s, ERR_PROTOCOL,
			    "more data than announced");
		}
		put_write(s, p, body, len);
		p->got += len;
		watchdog_progress(p->got);
		session_state(s, "put", p->path, p->got, p->size, 0);
	}
}

/*
 * The put done reply (the size and, when the put named alg, the digest
 * of the file, pointing into p) or, for kind SCHEMA_R_PUT, put accepted
 * (the offset, and the digest of the bytes kept before it) into rep.
 */
static void
put_rep(enum schema_kind kind, const struct put *p, struct schema_reply *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->size = p->size;
	rep->alg = schema_cstr(digest_name(p->alg));
	rep->has.alg = p->named; /* a first-version client gets what it knew */
	rep->offset = kind == SCHEMA_R_PUT ? p->kept : 0;
	if (kind == SCHEMA_R_PUT && p->kept > 0) {
		rep->has.alg = rep->has.digest = 1;
		rep->digest.p = p->prefix;
		rep->digest.len = digest_len(p->alg);
	} else if (kind == SCHEMA_R_PUT_DONE && p->named) {
		rep->digest.p = p->sum;
		rep->digest.len = digest_len(p->alg);
		rep->has.digest = 1;
	}
}

/* An error reply for the put, queued behind a pending batch. */
static int
put_error(struct session *s, int code, const char *msg)
{
	struct schema_reply rep;

	session_error_rep(s, code, msg, &rep);
	return commit_reply(s, SCHEMA_R_ERROR, &rep);
}

/*
 * After the data: on r == 0 hand the verified file to the group commit
 * (commit.c), which replies and logs once it is durable (*complete set);
 * else reply with error r.  Returns as session_reply.
 */
static int
put_finish(struct session *s, struct put *p, int r, int *complete)
{
	struct schema_reply rep;
	struct commit_file  f;

	if (r == 0) {
		put_rep(SCHEMA_R_PUT_DONE, p, &rep);
		f = (struct commit_file){ p->path, p->name, &p->parentfd,
			&p->tmp, &rep, p->sum, p->mode, p->mtime, p->overwrite,
			p->start_ms };
		if ((r = -commit_add(s, &f)) == 0) {
			*complete = 1;
			return 0;
		}
	}
	if (r == ERR_ABORTED)
		log_info("session %llu: put %s aborted by the client",
		    (unsigned long long)s->info.seq, s->path);
	else if (r == ERR_DIGEST || r == ERR_PROTOCOL)
		log_warnx("session %llu: put %s failed: %s",
		    (unsigned long long)s->info.seq, s->path, err_name(r));
	/* A client that sees the failure may count on the space at once:
	 * another session of the account can already be asking for it. */
	account_put_end(s, 0);
	return put_error(s, r, p->why);
}

/*
 * After an accepted put (or a refused one, accepted 0: not logged): a
 * broken resumable upload (broken 1: the session or the preparation
 * failed, not an abort or a failed check) keeps its part for the next
 * resume, hidden (PROTOCOL.md 4.10), let go before the log says it ended,
 * and charged to the account (usage.h) while still locked: no sweep can
 * give it back before.
 */
static void
put_end(struct session *s, struct put *p, int broken, int accepted,
    int complete)
{
	struct stat st;
	uint64_t    len;

	if (p->resume && broken && p->got > 0 && p->tmp.fd >= 0) {
		len = fstat(p->tmp.fd, &st) == 0 ? (uint64_t)st.st_size : 0;
		account_part(s, len, 1);
		if (partial_keep(p->parentfd, &p->tmp, p->part) != 0)
			account_part(s, len, 0); /* discarded below */
	}
	if (accepted && !complete)
		xfer_log(s, p->path, p->got - p->kept, 1, 0, p->start_ms);
}

int
xfer_put(struct session *s, const struct schema_req *q)
{
	struct schema_reply rep;
	struct put	    p;
	const char	   *why;
	int		    r, ret, complete = 0, accepted = 0;

	memset(&p, 0, sizeof(p));
	p.parentfd = -1;
	p.tmp.fd = -1;
	p.start_ms = clock_mono_ms();
	if ((r = commit_room(s)) == 0 && (r = put_parse(s, q, &p)) == 0) {
		session_state(s, "put", p.path, 0, p.size, 1);
		r = put_prepare(s, &p);
	}
	if (r != 0) {
		s->discard = 1; /* PROTOCOL.md 4.10: its data may follow */
		why = r == -ERR_PROTOCOL ? "digest algorithm not offered"
					 : account_why(s, r);
		account_put_end(s, 0); /* the space is back before the reply */
		ret = put_error(s, -r, why);
		goto out;
	}
	accepted = 1;
	/* SECURITY: the data must keep a minimum rate (issue 8, item 3). */
	watchdog_rate(s->fd, 0, s->cfg->min_rate, s->cfg->min_rate_window);
	put_rep(SCHEMA_R_PUT, &p, &rep);
	if (p.kept > 0)
		log_info("session %llu: put %s: resuming at %llu of %llu bytes",
		    (unsigned long long)s->info.seq, s->path,
		    (unsigned long long)p.kept, (unsigned long long)p.size);
	if (commit_reply(s, SCHEMA_R_PUT, &rep) == -1 ||
	    (r = put_receive(s, &p)) == -1) {
		watchdog_off();
		ret = -1;
	} else {
		watchdog_off();
		ret = put_finish(s, &p, r, &complete);
	}
out:
	put_end(s, &p, ret == -1 || r < 0, accepted, complete);
	digest_free(&p.h);
	account_put_end(s, complete);
	fsops_tmp_discard(p.parentfd, &p.tmp); /* SECURITY: no half file */
	if (p.parentfd >= 0)
		close(p.parentfd);
	return ret;
}

int
xfer_alg(const struct session *s, const struct schema_req *q, int *alg)
{
	/* PROTOCOL.md 4.10: no "alg" is the first version's blake2b-256. */
	*alg = q->has.alg ? digest_by_name(q->alg.p, q->alg.len)
			  : DIGEST_BLAKE2B_256;
	if (*alg < 0 || !(s->cfg->digests & (1u << *alg)))
		return -ERR_PROTOCOL;
	return 0;
}
