/*
 * remote.c: ftpc's commands that move no file data: ls, stat, rm, mkdir,
 * rmdir and mv (doc/PROTOCOL.md sections 4.4 to 4.6), and the helpers for
 * remote paths.  Everything the server sends is untrusted: names and
 * messages are printed with control bytes replaced, and a reply of the
 * wrong shape is a protocol error, never a crash.  This file must not touch
 * local files.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <bsd/string.h>

#include "common/clock.h"
#include "common/safetext.h"
#include "common/error.h"
#include "client/ftpc.h"

/* One listed entry. */
struct rent {
	char	    *name; /* printable copy */
	struct rstat st;
};

struct rlist {
	struct rent *v;
	size_t	     n, cap;
};

int
remote_path(const char *in, char *out, size_t outlen)
{
	size_t len;

	while (*in == '/')
		in++;
	len = strlen(in);
	while (len > 0 && in[len - 1] == '/')
		len--;
	if (len == 0)
		in = ".", len = 1;
	if (len >= outlen) {
		warnx("%s: remote path too long", in);
		return -ERR_NAME_TOO_LONG;
	}
	memcpy(out, in, len);
	out[len] = '\0';
	return 0;
}

int
remote_join(const char *dir, const char *name, char *out, size_t outlen)
{
	int n;

	if (strcmp(dir, ".") == 0)
		n = snprintf(out, outlen, "%s", name);
	else
		n = snprintf(out, outlen, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= outlen) {
		warnx("%s/%s: path too long", dir, name);
		return -ERR_NAME_TOO_LONG;
	}
	return 0;
}

/* rmap_get: the value of key in msgpack map o, or NULL. */
static const msgpack_object *
rmap_get(const msgpack_object *o, const char *key)
{
	size_t	 klen = strlen(key);
	uint32_t i;

	if (o == NULL || o->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key;

		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == klen &&
		    memcmp(k->via.str.ptr, key, klen) == 0)
			return &o->via.map.ptr[i].val;
	}
	return NULL;
}

/* rmap_int: an integer of either sign class.  0 or -ERR_PROTOCOL. */
static int
rmap_int(const msgpack_object *o, const char *key, int64_t *v)
{
	const msgpack_object *x = rmap_get(o, key);

	if (x != NULL && x->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
	    x->via.u64 <= INT64_MAX)
		*v = (int64_t)x->via.u64;
	else if (x != NULL && x->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		*v = x->via.i64;
	else
		return -ERR_PROTOCOL;
	return 0;
}

/* rstat_from: the stat fields of map o into st.  0 or -ERR_PROTOCOL. */
static int
rstat_from(const msgpack_object *o, struct rstat *st)
{
	const msgpack_object *t = rmap_get(o, "type");
	int64_t		      size, mode;

	memset(st, 0, sizeof(*st));
	if (t == NULL || t->type != MSGPACK_OBJECT_STR ||
	    rmap_int(o, "size", &size) != 0 || size < 0 ||
	    rmap_int(o, "mode", &mode) != 0 || mode < 0 ||
	    rmap_int(o, "mtime", &st->mtime) != 0)
		return -ERR_PROTOCOL;
	(void)safetext_copy(st->type, sizeof(st->type), t->via.str.ptr,
	    t->via.str.size);
	st->size = (uint64_t)size;
	st->mode = (uint64_t)mode & 07777;
	return 0;
}

static int
remote_malformed(struct ftpc *c, const char *op)
{
	warnx("%s: malformed reply from the server", op);
	c->dead = 1;
	return -ERR_PROTOCOL;
}

/*
 * remote_simple: send {"op": op, key: path} for the user's path upath; an
 * error reply is reported as "CMD UPATH: ...".  Returns 0 or an error.
 */
static int
remote_simple(struct ftpc *c, const char *cmd, const char *op,
    const char *upath)
{
	char	    path[PATH_MAX];
	struct msgw w;
	struct msg  m;
	int	    r;

	if ((r = remote_path(upath, path, sizeof(path))) != 0)
		return r;
	msgw_init(&w, 2);
	msgw_str(&w, "op", op);
	msgw_str(&w, "path", path);
	r = conn_call(c, &w, &m, cmd, upath);
	msg_free(&m);
	return r;
}

/* remote_each: remote_simple for every argument, keeping the first error. */
static int
remote_each(struct ftpc *c, const char *cmd, const char *op, int argc,
    char **argv)
{
	int i, r, first = 0;

	for (i = 0; i < argc && !c->dead; i++) {
		r = remote_simple(c, cmd, op, argv[i]);
		if (r != 0 && first == 0)
			first = r;
	}
	return first;
}

int
remote_rm(struct ftpc *c, int argc, char **argv)
{
	return remote_each(c, "rm", "delete", argc, argv);
}

int
remote_mkdir(struct ftpc *c, int argc, char **argv)
{
	return remote_each(c, "mkdir", "mkdir", argc, argv);
}

int
remote_rmdir(struct ftpc *c, int argc, char **argv)
{
	return remote_each(c, "rmdir", "rmdir", argc, argv);
}

int
remote_mv(struct ftpc *c, int argc, char **argv)
{
	char	    from[PATH_MAX], to[PATH_MAX];
	struct msgw w;
	struct msg  m;
	int	    r;

	(void)argc;
	if ((r = remote_path(argv[0], from, sizeof(from))) != 0 ||
	    (r = remote_path(argv[1], to, sizeof(to))) != 0)
		return r;
	msgw_init(&w, 4);
	msgw_str(&w, "op", "rename");
	msgw_str(&w, "from", from);
	msgw_str(&w, "to", to);
	msgw_bool(&w, "overwrite", 0);
	r = conn_call(c, &w, &m, "mv", argv[0]);
	msg_free(&m);
	return r;
}

int
remote_stat_get(struct ftpc *c, const char *path, struct rstat *st,
    const char *report)
{
	struct msgw w;
	struct msg  m;
	int	    r;

	msgw_init(&w, 2);
	msgw_str(&w, "op", "stat");
	msgw_str(&w, "path", path);
	r = conn_call(c, &w, &m, report != NULL ? "stat" : NULL, report);
	if (r == 0 && rstat_from(m.map, st) != 0)
		r = remote_malformed(c, "stat");
	msg_free(&m);
	return r;
}

/* remote_mode: "drwxr-xr-x" (10 characters and NUL) for an entry. */
static void
remote_mode(const struct rstat *st, char out[12])
{
	mode_t fmt = S_IFREG;

	if (strcmp(st->type, "dir") == 0)
		fmt = S_IFDIR;
	else if (strcmp(st->type, "link") == 0)
		fmt = S_IFLNK;
	else if (strcmp(st->type, "other") == 0)
		fmt = S_IFIFO;
	strmode(fmt | (mode_t)st->mode, out); /* "drwxr-xr-x " */
	if (fmt == S_IFIFO)
		out[0] = '?';
	out[10] = '\0';
}

/* remote_time: local time t as "YYYY-MM-DD HH:MM" ("?" if impossible). */
static void
remote_time(int64_t t, char *out, size_t outlen)
{
	time_t	  tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(out, outlen, "%Y-%m-%d %H:%M", &tm) == 0)
		strlcpy(out, "?", outlen);
}

int
remote_stat(struct ftpc *c, int argc, char **argv)
{
	char	     path[PATH_MAX], when[CLOCK_ISO8601_LEN], name[PATH_MAX];
	struct rstat st;
	int	     r;

	(void)argc;
	if ((r = remote_path(argv[0], path, sizeof(path))) != 0 ||
	    (r = remote_stat_get(c, path, &st, argv[0])) != 0)
		return r;
	if (clock_iso8601(when, sizeof(when), (time_t)st.mtime) == -1)
		strlcpy(when, "?", sizeof(when));
	(void)safetext_copy(name, sizeof(name), path, strlen(path));
	printf("name: %s\ntype: %s\nsize: %llu\nmode: %04llo\nmtime: %s\n",
	    name, st.type, (unsigned long long)st.size,
	    (unsigned long long)st.mode, when);
	return 0;
}

static void
rlist_free(struct rlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * rlist_add: one entry map of a list reply.  Returns 0, -ERR_PROTOCOL
 * (malformed) or -ERR_NOMEM.
 */
static int
rlist_add(struct rlist *l, const msgpack_object *o)
{
	const msgpack_object *n = rmap_get(o, "name");
	struct rent	     *e;
	size_t		      cap;

	if (n == NULL || n->type != MSGPACK_OBJECT_STR)
		return -ERR_PROTOCOL;
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		e = reallocarray(l->v, cap, sizeof(*e));
		if (e == NULL)
			return -ERR_NOMEM;
		l->v = e;
		l->cap = cap;
	}
	e = &l->v[l->n];
	if (rstat_from(o, &e->st) != 0)
		return -ERR_PROTOCOL;
	if ((e->name = malloc((size_t)n->via.str.size + 1)) == NULL)
		return -ERR_NOMEM;
	(void)safetext_copy(e->name, (size_t)n->via.str.size + 1,
	    n->via.str.ptr, n->via.str.size);
	l->n++;
	return 0;
}

/*
 * rlist_part: add the entries of one reply part; *more as the server says.
 * Returns 0, or an error (printed; the connection is out of step: dead).
 */
static int
rlist_part(struct ftpc *c, struct rlist *l, const struct msg *m, int *more)
{
	const msgpack_object *a = msg_obj(m, "entries");
	uint32_t	      i;
	int		      r = 0;

	if (a == NULL || a->type != MSGPACK_OBJECT_ARRAY ||
	    msg_bool(m, "more", more) == -1)
		return remote_malformed(c, "ls");
	for (i = 0; i < a->via.array.size && r == 0; i++)
		r = rlist_add(l, &a->via.array.ptr[i]);
	if (r == -ERR_PROTOCOL)
		return remote_malformed(c, "ls");
	if (r != 0) {
		warnx("ls: %s", err_str(r));
		c->dead = 1;
	}
	return r;
}

static int
rent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rent *)a)->name,
	    ((const struct rent *)b)->name);
}

static void
rlist_print(struct rlist *l)
{
	char   mode[12], when[32], size[24];
	int    w = 1, n;
	size_t i;

	/* An empty folder leaves l->v NULL, which qsort must not get even
	 * with 0 entries (C11 7.22.5p1; glibc marks it nonnull). */
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), rent_cmp);
	for (i = 0; i < l->n; i++) {
		n = snprintf(size, sizeof(size), "%llu",
		    (unsigned long long)l->v[i].st.size);
		if (n > w)
			w = n;
	}
	for (i = 0; i < l->n; i++) {
		remote_mode(&l->v[i].st, mode);
		remote_time(l->v[i].st.mtime, when, sizeof(when));
		printf("%s %*llu %s %s\n", mode, w,
		    (unsigned long long)l->v[i].st.size, when, l->v[i].name);
	}
}

int
remote_ls(struct ftpc *c, int argc, char **argv)
{
	const char  *name = argc > 0 ? argv[0] : ".";
	char	     path[PATH_MAX];
	struct rlist l = { 0 };
	struct msgw  w;
	struct msg   m;
	int	     r, more = 1;

	if ((r = remote_path(name, path, sizeof(path))) != 0)
		return r;
	msgw_init(&w, 2);
	msgw_str(&w, "op", "list");
	msgw_str(&w, "path", path);
	if ((r = conn_send(c, &w, 0)) != 0)
		return r;
	while (more && r == 0) {
		if ((r = conn_recv_msg(c, &m)) != 0)
			break;
		if ((r = conn_reply(c, &m, "ls", name)) == 0)
			r = rlist_part(c, &l, &m, &more);
		msg_free(&m);
	}
	if (r == 0)
		rlist_print(&l);
	rlist_free(&l);
	return r;
}
