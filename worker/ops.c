/*
 * ops.c: the simple operations of protocol v1 (doc/PROTOCOL.md 4.4 to
 * 4.6): stat, list (sorted, in parts of at most 1000 entries), delete,
 * mkdir, rmdir and rename, each one request and one reply (list: one or
 * more parts).  session.c dispatches to them.  This file must not touch a
 * client path other than through fsops.c, and must not end the session for
 * a bad request: only a failed send does that.
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/digest.h"
#include "common/error.h"
#include "common/log.h"
#include "worker/account.h"
#include "worker/fsops.h"
#include "worker/session.h"

/* A stat(2) result as the fields of a stat reply or list entry. */
static void
stat_fields(const struct stat *st, struct schema_str *type, uint64_t *size,
    uint64_t *mode, int64_t *mtime)
{
	*type = schema_cstr(fsops_type(st->st_mode));
	*size = (uint64_t)st->st_size;
	*mode = (uint64_t)st->st_mode & 07777;
	*mtime = (int64_t)st->st_mtime;
}

int
ops_stat(struct session *s, const struct schema_req *q)
{
	char		    path[FSOPS_PATH_MAX + 1];
	uint8_t		    sum[DIGEST_MAX];
	struct stat	    st;
	struct schema_reply rep;
	int		    r, alg;

	if ((r = session_path(q->path, path, sizeof(path))) == 0)
		r = fsops_stat(s->rootfd, path, &st);
	if (r == 0 && q->has.alg && xfer_alg(s, q, &alg) != 0)
		return session_error(s, ERR_PROTOCOL,
		    "digest algorithm not offered");
	if (r == 0 && q->has.alg)
		r = xfer_sum(s, path, alg, sum); /* PROTOCOL.md 4.6 */
	if (r != 0)
		return session_result(s, r);
	memset(&rep, 0, sizeof(rep));
	stat_fields(&st, &rep.type, &rep.size, &rep.mode, &rep.mtime);
	if (q->has.alg) {
		rep.alg = q->alg;
		rep.digest.p = sum;
		rep.digest.len = digest_len(alg);
		rep.has.alg = rep.has.digest = 1;
	}
	return session_reply(s, SCHEMA_R_STAT, &rep);
}

/*
 * Fill e (room for SESSION_LIST_PART) with the entries of d from *i on;
 * *n gets their count.  Returns 0 or a negative ERR_* code.
 */
static int
list_entries(const struct fsops_dir *d, size_t *i, struct schema_entry *e,
    size_t *n)
{
	struct stat st;
	int	    r;

	*n = 0;
	while (*i < d->count && *n < SESSION_LIST_PART) {
		if ((r = fsops_dir_stat(d, *i, &st)) < 0)
			return r;
		if (r == 0) {
			e[*n].name = schema_cstr(d->names[*i]);
			stat_fields(&st, &e[*n].type, &e[*n].size, &e[*n].mode,
			    &e[*n].mtime);
			(*n)++;
		}
		(*i)++;
	}
	return 0;
}

/*
 * Send the next part of up to SESSION_LIST_PART entries of d from *i on
 * (e: room for them).  Returns 0 when another part may follow, 1 after an
 * error reply, -1 when the session ends.  A part that runs out of memory
 * while being encoded is answered code 19 by session_reply, never sent cut.
 */
static int
list_part(struct session *s, const struct fsops_dir *d, size_t *i,
    struct schema_entry *e)
{
	struct schema_reply rep;
	int		    r;

	memset(&rep, 0, sizeof(rep));
	rep.entries = e;
	if ((r = list_entries(d, i, e, &rep.nentries)) != 0)
		return session_error(s, err_wire(r), NULL) == 0 ? 1 : -1;
	rep.more = *i < d->count;
	return session_reply(s, SCHEMA_R_LIST, &rep);
}

int
ops_list(struct session *s, const struct schema_req *q)
{
	char		     path[FSOPS_PATH_MAX + 1];
	struct fsops_dir     d;
	struct schema_entry *e;
	size_t		     i = 0;
	int		     r;

	if ((r = session_path(q->path, path, sizeof(path))) != 0)
		return session_result(s, r);
	if ((r = fsops_dir_open(s->rootfd, path, &d)) != 0)
		return session_result(s, r);
	if ((e = calloc(SESSION_LIST_PART, sizeof(*e))) == NULL) {
		fsops_dir_close(&d);
		return session_error(s, ERR_INTERNAL, "out of memory");
	}
	do {
		r = list_part(s, &d, &i, e);
		session_state(s, "list", path, i, d.count, 0);
	} while (r == 0 && i < d.count);
	free(e);
	fsops_dir_close(&d);
	return r == -1 ? -1 : 0;
}

/* The operations on one path: fsops call, log line, reply. */
static int
path_op(struct session *s, const struct schema_req	     *q,
    int (*fn)(struct session *, const char *, mode_t), mode_t mode,
    const char *what)
{
	char path[FSOPS_PATH_MAX + 1];
	int  r;

	if ((r = session_path(q->path, path, sizeof(path))) == 0 &&
	    (r = fn(s, path, mode)) == 0)
		log_info("session %llu: %s %s", (unsigned long long)s->info.seq,
		    what, s->path);
	return session_result(s, r);
}

static int
do_delete(struct session *s, const char *path, mode_t mode)
{
	(void)mode;
	return account_delete(s, path); /* gives the space back */
}

static int
do_mkdir(struct session *s, const char *path, mode_t mode)
{
	return fsops_mkdir(s->rootfd, path, mode);
}

static int
do_rmdir(struct session *s, const char *path, mode_t mode)
{
	(void)mode;
	return fsops_rmdir(s->rootfd, path);
}

int
ops_delete(struct session *s, const struct schema_req *q)
{
	return path_op(s, q, do_delete, 0, "delete");
}

int
ops_mkdir(struct session *s, const struct schema_req *q)
{
	return path_op(s, q, do_mkdir, (mode_t)(q->mode & 0777), "mkdir");
}

int
ops_rmdir(struct session *s, const struct schema_req *q)
{
	return path_op(s, q, do_rmdir, 0, "rmdir");
}

int
ops_rename(struct session *s, const struct schema_req *q)
{
	char	    from[FSOPS_PATH_MAX + 1], to[FSOPS_PATH_MAX + 1];
	char	    sf[sizeof(s->path)], st[sizeof(s->path)];
	const char *why = NULL;
	int	    r, overwrite = q->overwrite;

	if (!s->cfg->overwrite)
		overwrite = 0; /* overwrite = no holds for rename as for put */
	if ((r = session_path(q->from, from, sizeof(from))) == 0 &&
	    (r = session_path(q->to, to, sizeof(to))) == 0) {
		r = fsops_rename(s->rootfd, from, to, overwrite, &why);
		if (r == 0)
			log_info("session %llu: rename %s to %s",
			    (unsigned long long)s->info.seq,
			    session_shown(sf, sizeof(sf), from),
			    session_shown(st, sizeof(st), to));
	}
	return r == 0 ? session_ok(s) : session_error(s, -r, why);
}
