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

#define LIST_PART 1000 /* entries per list reply part */

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

/* One list entry map into e (a bare packer, no top-level map). */
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

/* Send the next part of up to LIST_PART entries of d from *i on. */
static int
list_part(struct session *s, const struct fsops_dir *d, size_t *i)
{
	struct msgw w, e;
	struct stat st;
	uint32_t    n = 0;
	int	    r = 0;

	msgpack_sbuffer_init(&e.sb);
	msgpack_packer_init(&e.pk, &e.sb, msgpack_sbuffer_write);
	while (*i < d->count && n < LIST_PART) {
		if ((r = fsops_dir_stat(d, *i, &st)) < 0)
			break;
		if (r == 0) {
			list_entry(&e, d->names[*i], &st);
			n++;
		}
		(*i)++;
	}
	if (r < 0) {
		msgw_free(&e);
		return session_error(s, -r, NULL) == 0 ? 1 : -1;
	}
	msgw_init(&w, 3);
	msgw_bool(&w, "ok", 1);
	msgw_key(&w, "entries");
	msgpack_pack_array(&w.pk, n);
	if (e.sb.size > 0 &&
	    msgpack_sbuffer_write(&w.sb, e.sb.data, e.sb.size) != 0)
		fatalx("list: out of memory");
	msgw_free(&e);
	msgw_bool(&w, "more", *i < d->count);
	return session_send(s, &w);
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
