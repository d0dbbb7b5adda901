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
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "worker/fsops.h"
#include "worker/session.h"

/* Reply with the error code from a negative ERR_* result r. */
static int
reply_result(struct session *s, int r)
{
	return r == 0 ? session_ok(s) : session_error(s, -r, NULL);
}

int
ops_stat(struct session *s, const struct msg *m)
{
	char	    path[FSOPS_PATH_MAX + 1];
	struct stat st;
	struct msgw w;
	int	    r;

	if ((r = session_path(m, "path", path, sizeof(path))) == 0)
		r = fsops_stat(s->rootfd, path, &st);
	if (r != 0)
		return reply_result(s, r);
	msgw_init(&w, 5);
	msgw_bool(&w, "ok", 1);
	msgw_str(&w, "type", fsops_type(st.st_mode));
	msgw_uint(&w, "size", (uint64_t)st.st_size);
	msgw_uint(&w, "mode", (uint64_t)st.st_mode & 07777);
	msgw_int(&w, "mtime", (int64_t)st.st_mtime);
	return session_send(s, &w);
}

/*
 * A list reply being built.  Unlike msgw_init's buffer (fatal when memory
 * runs out, fine for small messages), a part of up to SESSION_LIST_PART entries
 * can be large: running out of memory is recorded here and answered with
 * an error reply, never sent as a cut message.
 */
struct list_out {
	struct msgw w;
	int	    failed; /* a write did not fit: w is incomplete */
};

/* Packer callback: append to o->w.sb, or record the failure. */
static int
list_write(void *data, const char *buf, size_t len)
{
	struct list_out *o = data;

	if (o->failed || msgpack_sbuffer_write(&o->w.sb, buf, len) != 0) {
		o->failed = 1;
		return -1;
	}
	return 0;
}

static void
list_out_init(struct list_out *o)
{
	msgpack_sbuffer_init(&o->w.sb);
	msgpack_packer_init(&o->w.pk, o, list_write);
	o->failed = 0;
}

/* One list entry map into e (no top-level map). */
static void
list_entry(struct msgw *e, const char *name, const struct stat *st)
{
	msgpack_pack_map(&e->pk, 5);
	msgw_str(e, "name", name);
	msgw_str(e, "type", fsops_type(st->st_mode));
	msgw_uint(e, "size", (uint64_t)st->st_size);
	msgw_uint(e, "mode", (uint64_t)st->st_mode & 07777);
	msgw_int(e, "mtime", (int64_t)st->st_mtime);
}

/*
 * Pack the entries of d from *i on, up to SESSION_LIST_PART, into e; *n gets their
 * count.  Returns 0, -ERR_NOMEM when e ran out of memory, or another
 * negative ERR_* code.
 */
static int
list_entries(const struct fsops_dir *d, size_t *i, struct list_out *e,
    uint32_t *n)
{
	struct stat st;
	int	    r;

	*n = 0;
	while (*i < d->count && *n < SESSION_LIST_PART) {
		if ((r = fsops_dir_stat(d, *i, &st)) < 0)
			return r;
		if (r == 0) {
			list_entry(&e->w, d->names[*i], &st);
			(*n)++;
		}
		(*i)++;
	}
	return e->failed ? -ERR_NOMEM : 0;
}

/*
 * Send the next part of up to SESSION_LIST_PART entries of d from *i on.  Returns
 * 0 when another part follows, 1 after an error reply, -1 when the session
 * ends.
 */
static int
list_part(struct session *s, const struct fsops_dir *d, size_t *i)
{
	struct list_out w, e;
	uint32_t	n;
	int		r;

	list_out_init(&e);
	list_out_init(&w);
	if ((r = list_entries(d, i, &e, &n)) == 0) {
		msgpack_pack_map(&w.w.pk, 3);
		msgw_bool(&w.w, "ok", 1);
		msgw_key(&w.w, "entries");
		msgpack_pack_array(&w.w.pk, n);
		if (e.w.sb.size > 0)
			(void)list_write(&w, e.w.sb.data, e.w.sb.size);
		msgw_bool(&w.w, "more", *i < d->count);
		if (w.failed)
			r = -ERR_NOMEM;
	}
	msgw_free(&e.w);
	if (r == 0)
		return session_send(s, &w.w);
	msgw_free(&w.w);
	/* err_wire: ERR_NOMEM is answered as code 19 (internal). */
	r = session_error(s, err_wire(r),
	    r == -ERR_NOMEM ? "out of memory building the listing" : NULL);
	return r == 0 ? 1 : -1;
}

int
ops_list(struct session *s, const struct msg *m)
{
	char		 path[FSOPS_PATH_MAX + 1];
	struct fsops_dir d;
	size_t		 i = 0;
	int		 r;

	if ((r = session_path(m, "path", path, sizeof(path))) != 0)
		return reply_result(s, r);
	if ((r = fsops_dir_open(s->rootfd, path, &d)) != 0)
		return reply_result(s, r);
	do {
		r = list_part(s, &d, &i);
		session_state(s, "list", path, i, d.count, 0);
	} while (r == 0 && i < d.count);
	fsops_dir_close(&d);
	return r == -1 ? -1 : 0;
}

int
ops_delete(struct session *s, const struct msg *m)
{
	char path[FSOPS_PATH_MAX + 1];
	int  r;

	if ((r = session_path(m, "path", path, sizeof(path))) == 0) {
		if ((r = fsops_delete(s->rootfd, path)) == 0)
			log_info("session %llu: delete %s",
			    (unsigned long long)s->info.seq, path);
	}
	return reply_result(s, r);
}

int
ops_mkdir(struct session *s, const struct msg *m)
{
	char	 path[FSOPS_PATH_MAX + 1];
	uint64_t mode;
	int	 r;

	if ((r = session_path(m, "path", path, sizeof(path))) == 0 &&
	    session_opt_uint(m, "mode", 0755, &mode) == -1)
		r = -ERR_PROTOCOL;
	if (r == 0) {
		if ((r = fsops_mkdir(s->rootfd, path, mode & 0777)) == 0)
			log_info("session %llu: mkdir %s",
			    (unsigned long long)s->info.seq, path);
	}
	return reply_result(s, r);
}

int
ops_rmdir(struct session *s, const struct msg *m)
{
	char path[FSOPS_PATH_MAX + 1];
	int  r;

	if ((r = session_path(m, "path", path, sizeof(path))) == 0) {
		if ((r = fsops_rmdir(s->rootfd, path)) == 0)
			log_info("session %llu: rmdir %s",
			    (unsigned long long)s->info.seq, path);
	}
	return reply_result(s, r);
}

int
ops_rename(struct session *s, const struct msg *m)
{
	char	    from[FSOPS_PATH_MAX + 1], to[FSOPS_PATH_MAX + 1];
	const char *why = NULL;
	int	    r, overwrite;

	if ((r = session_path(m, "from", from, sizeof(from))) == 0 &&
	    (r = session_path(m, "to", to, sizeof(to))) == 0 &&
	    session_opt_bool(m, "overwrite", 0, &overwrite) == -1)
		r = -ERR_PROTOCOL;
	if (!s->cfg->overwrite)
		overwrite = 0; /* overwrite = no holds for rename as for put */
	if (r == 0) {
		r = fsops_rename(s->rootfd, from, to, overwrite, &why);
		if (r == 0)
			log_info("session %llu: rename %s to %s",
			    (unsigned long long)s->info.seq, from, to);
	}
	return r == 0 ? session_ok(s) : session_error(s, -r, why);
}
