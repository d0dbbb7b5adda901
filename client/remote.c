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

/* rstat_set: an entry's fields as the server sent them, type filtered. */
static void
rstat_set(struct rstat *st, struct schema_str type, uint64_t size,
    uint64_t mode, int64_t mtime)
{
	memset(st, 0, sizeof(*st));
	(void)safetext_copy(st->type, sizeof(st->type), type.p, type.len);
	st->size = size;
	st->mode = mode & 07777;
	st->mtime = mtime;
}

/*
 * remote_simple: send a request of op with the user's path upath; an
 * error reply is reported as "CMD UPATH: ...".  Returns 0 or an error.
 */
static int
remote_simple(struct ftpc *c, const char *cmd, enum schema_kind op,
    const char *upath)
{
	char		    path[PATH_MAX];
	struct schema_req   q;
	struct schema_reply rep;
	int		    r;

	if ((r = remote_path(upath, path, sizeof(path))) != 0)
		return r;
	conn_req(&q, op);
	q.path = schema_cstr(path);
	r = conn_call(c, &q, SCHEMA_R_OK, &rep, cmd, upath);
	schema_reply_free(&rep);
	return r;
}

/* remote_each: remote_simple for every argument, keeping the first error. */
static int
remote_each(struct ftpc *c, const char *cmd, enum schema_kind op, int argc,
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
	return remote_each(c, "rm", SCHEMA_DELETE, argc, argv);
}

int
remote_mkdir(struct ftpc *c, int argc, char **argv)
{
	return remote_each(c, "mkdir", SCHEMA_MKDIR, argc, argv);
}

int
remote_rmdir(struct ftpc *c, int argc, char **argv)
{
	return remote_each(c, "rmdir", SCHEMA_RMDIR, argc, argv);
}

int
remote_mv(struct ftpc *c, int argc, char **argv)
{
	char		    from[PATH_MAX], to[PATH_MAX];
	struct schema_req   q;
	struct schema_reply rep;
	int		    r;

	(void)argc;
	if ((r = remote_path(argv[0], from, sizeof(from))) != 0 ||
	    (r = remote_path(argv[1], to, sizeof(to))) != 0)
		return r;
	conn_req(&q, SCHEMA_RENAME);
	q.from = schema_cstr(from);
	q.to = schema_cstr(to);
	q.overwrite = 0;
	q.has.overwrite = 1;
	r = conn_call(c, &q, SCHEMA_R_OK, &rep, "mv", argv[0]);
	schema_reply_free(&rep);
	return r;
}

int
remote_stat_get(struct ftpc *c, const char *path, struct rstat *st,
    const char *report)
{
	struct schema_req   q;
	struct schema_reply rep;
	int		    r;

	memset(st, 0, sizeof(*st));
	conn_req(&q, SCHEMA_STAT);
	q.path = schema_cstr(path);
	if (c->digest_set && report != NULL) { /* PROTOCOL.md 4.6 */
		q.alg = schema_cstr(digest_name(c->digest));
		q.has.alg = 1;
	}
	r = conn_call(c, &q, SCHEMA_R_STAT, &rep,
	    report != NULL ? "stat" : NULL, report);
	if (r == 0)
		rstat_set(st, rep.type, rep.size, rep.mode, rep.mtime);
	if (r == 0 && q.has.alg && rep.has.digest &&
	    rep.digest.len == digest_len(c->digest))
		sodium_bin2hex(st->digest, sizeof(st->digest), rep.digest.p,
		    rep.digest.len);
	schema_reply_free(&rep);
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
	if (st.digest[0] != '\0')
		printf("digest: %s:%s\n", digest_name(c->digest), st.digest);
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

/* rlist_add: a copy of entry e (name filtered).  0 or -ERR_NOMEM. */
static int
rlist_add(struct rlist *l, const struct schema_entry *e)
{
	struct rent *v;
	size_t	     cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		v = reallocarray(l->v, cap, sizeof(*v));
		if (v == NULL)
			return -ERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	v = &l->v[l->n];
	if ((v->name = malloc(e->name.len + 1)) == NULL)
		return -ERR_NOMEM;
	(void)safetext_copy(v->name, e->name.len + 1, e->name.p, e->name.len);
	rstat_set(&v->st, e->type, e->size, e->mode, e->mtime);
	l->n++;
	return 0;
}

/*
 * rlist_part: add the entries of one reply part.  Returns 0, or
 * -ERR_NOMEM (printed; the connection is out of step: dead).
 */
static int
rlist_part(struct ftpc *c, struct rlist *l, const struct schema_reply *rep)
{
	size_t i;
	int    r = 0;

	for (i = 0; i < rep->nentries && r == 0; i++)
		r = rlist_add(l, &rep->entries[i]);
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
	const char	   *name = argc > 0 ? argv[0] : ".";
	char		    path[PATH_MAX];
	struct rlist	    l = { 0 };
	struct schema_req   q;
	struct schema_reply rep;
	int		    r, more = 1;

	if ((r = remote_path(name, path, sizeof(path))) != 0)
		return r;
	conn_req(&q, SCHEMA_LIST);
	q.path = schema_cstr(path);
	if ((r = conn_send(c, &q, 0)) != 0)
		return r;
	while (more && r == 0) {
		r = conn_reply(c, SCHEMA_R_LIST, &rep, "ls", name);
		if (r == 0) {
			more = rep.more;
			r = rlist_part(c, &l, &rep);
		}
		schema_reply_free(&rep);
	}
	if (r == 0)
		rlist_print(&l);
	rlist_free(&l);
	return r;
}
