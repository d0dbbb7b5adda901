/*
 * ls.c: ftpc's ls (doc/PROTOCOL.md 4.5) and the listing every other part
 * of the client builds on (remote globs, trees): rlist_fetch reads all the
 * parts of one "list" reply into memory.  ls prints a folder's entries, or
 * a file's own, in the long form (the default and -l), with human sizes
 * (-h), names only (-1) or as one JSON array (--json).  Names from the
 * server are untrusted: printed with control bytes replaced, written to
 * JSON through json_str.  This file must not touch local files.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <bsd/string.h>

#include "common/error.h"
#include "common/json.h"
#include "common/safetext.h"
#include "client/ftpc.h"
#include "client/progress.h"

void
rlist_free(struct rlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* rlist_add: a copy of entry e.  0, or -ERR_NOMEM. */
static int
rlist_add(struct rlist *l, const struct schema_entry *e)
{
	struct rent *v;
	size_t	     cap;

	/* SECURITY: a name with '/' or NUL is no entry of this folder. */
	if (e->name.len == 0 || memchr(e->name.p, '/', e->name.len) ||
	    memchr(e->name.p, '\0', e->name.len))
		return 0;
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL)
			return -ERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	v = &l->v[l->n];
	if ((v->name = strndup(e->name.p, e->name.len)) == NULL)
		return -ERR_NOMEM;
	rstat_set(&v->st, e->type, e->size, e->mode, e->mtime);
	l->n++;
	return 0;
}

static int
rent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rent *)a)->name,
	    ((const struct rent *)b)->name);
}

int
rlist_fetch(struct ftpc *c, const char *path, const char *op, const char *uname,
    struct rlist *l)
{
	struct schema_req   q;
	struct schema_reply rep;
	size_t		    i;
	int		    r, more = 1;

	memset(l, 0, sizeof(*l));
	conn_req(&q, SCHEMA_LIST);
	q.path = schema_cstr(path);
	if ((r = conn_send(c, &q, 0)) != 0)
		return r;
	while (more && r == 0) {
		r = conn_reply(c, SCHEMA_R_LIST, &rep, op, uname);
		more = r == 0 && rep.more;
		for (i = 0; r == 0 && i < rep.nentries; i++)
			r = rlist_add(l, &rep.entries[i]);
		schema_reply_free(&rep);
	}
	if (r == -ERR_NOMEM) { /* the rest of the reply is unread */
		warnx("%s: %s", op ? op : "list", err_str(r));
		c->dead = 1;
	}
	/* An empty folder leaves l->v NULL, which qsort must not get even
	 * with 0 entries (C11 7.22.5p1; glibc marks it nonnull). */
	if (r == 0 && l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), rent_cmp);
	if (r != 0)
		rlist_free(l);
	return r;
}

/* ls_mode: "drwxr-xr-x" (10 characters and NUL) for an entry. */
static void
ls_mode(const struct rstat *st, char out[12])
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

/* ls_size: the size column: bytes, or human (-h). */
static void
ls_size(const struct ftpc *c, uint64_t size, char *out, size_t outlen)
{
	char h[8];

	if (c->o.ls & LS_HUMAN) {
		progress_human(h, size);
		strlcpy(out, h, outlen);
	} else
		snprintf(out, outlen, "%llu", (unsigned long long)size);
}

/* ls_json_one: one entry as a JSON object (dir: its folder, or NULL). */
static void
ls_json_one(const char *dir, const struct rent *e, int first)
{
	char path[PATH_MAX];

	if (dir == NULL || strcmp(dir, ".") == 0)
		strlcpy(path, e->name, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s/%s", dir, e->name);
	fputs(first ? "\n  {\"path\": " : ",\n  {\"path\": ", stdout);
	(void)json_cstr(stdout, path);
	fputs(", \"name\": ", stdout);
	(void)json_cstr(stdout, e->name);
	printf(", \"type\": \"%s\", \"size\": %llu, \"mode\": %llu, "
	       "\"mtime\": %lld}",
	    e->st.type, (unsigned long long)e->st.size,
	    (unsigned long long)e->st.mode, (long long)e->st.mtime);
}

/* ls_print: the entries of l (dir: their folder's wire path, or NULL). */
static void
ls_print(const struct ftpc *c, const char *dir, const struct rlist *l,
    int *nout)
{
	char   mode[12], when[32], size[24], name[PATH_MAX];
	int    w = 1, n;
	size_t i;
	time_t tt;

	for (i = 0; i < l->n && (c->o.ls & LS_JSON); i++)
		ls_json_one(dir, &l->v[i], (*nout)++ == 0);
	for (i = 0; i < l->n && !(c->o.ls & LS_JSON); i++) {
		ls_size(c, l->v[i].st.size, size, sizeof(size));
		if ((n = (int)strlen(size)) > w)
			w = n;
	}
	for (i = 0; i < l->n && !(c->o.ls & LS_JSON); i++) {
		(void)safetext_copy(name, sizeof(name), l->v[i].name,
		    strlen(l->v[i].name));
		if (c->o.ls & LS_NAMES) {
			puts(name);
			continue;
		}
		ls_mode(&l->v[i].st, mode);
		tt = (time_t)l->v[i].st.mtime;
		if (strftime(when, sizeof(when), "%Y-%m-%d %H:%M",
			localtime(&tt)) == 0)
			strlcpy(when, "?", sizeof(when));
		ls_size(c, l->v[i].st.size, size, sizeof(size));
		printf("%s %*s %s %s\n", mode, w, size, when, name);
	}
}

/* ls_entry: print the entry e of operand arg itself. */
static void
ls_entry(const struct ftpc *c, const char *arg, struct rent *e, int *nout)
{
	struct rlist l = { 0 };

	e->name = (char *)arg;
	l.v = e;
	l.n = 1;
	ls_print(c, NULL, &l, nout);
}

/* ls_one: list one operand: a folder's entries or the entry itself (a
 * symbolic link: its folder's entries if it leads to one). */
static int
ls_one(struct ftpc *c, const char *arg, int many, int *nout)
{
	char	     path[PATH_MAX], safe[PATH_MAX];
	struct rlist l = { 0 };
	struct rent  e;
	int	     r, link;

	if ((r = remote_path(arg, path, sizeof(path))) != 0 ||
	    (r = remote_stat_op(c, path, &e.st, "ls", arg)) != 0)
		return r;
	link = strcmp(e.st.type, "link") == 0;
	if (!link && strcmp(e.st.type, "dir") != 0) {
		ls_entry(c, arg, &e, nout);
		return 0;
	}
	r = rlist_fetch(c, path, link ? NULL : "ls", arg, &l);
	if (link && r == -ERR_NOT_DIR) {
		ls_entry(c, arg, &e, nout);
		return 0;
	}
	if (link && r != 0 && !c->dead)
		warnx("ls %s: %s (%s)", arg, err_message(-r), err_name(-r));
	if (r != 0)
		return r;
	if (many && !(c->o.ls & LS_JSON)) {
		(void)safetext_copy(safe, sizeof(safe), arg, strlen(arg));
		printf("%s%s:\n", *nout ? "\n" : "", safe);
		(*nout)++;
	}
	ls_print(c, path, &l, nout);
	rlist_free(&l);
	return 0;
}

int
remote_ls(struct ftpc *c, int argc, char **argv)
{
	static char dot[] = ".";
	char	   *def[1] = { dot };
	int	    i, r, first = 0, nout = 0;

	if (argc == 0) {
		argc = 1;
		argv = def;
	}
	if (c->o.ls & LS_JSON)
		fputs("[", stdout);
	for (i = 0; i < argc && !c->dead; i++) {
		r = ls_one(c, argv[i], argc > 1, &nout);
		if (r != 0 && first == 0)
			first = r;
	}
	if (c->o.ls & LS_JSON)
		fputs(nout ? "\n]\n" : "]\n", stdout);
	return first;
}
