/*
 * tree.c: whole trees: put -r (a local walk with fts(3): symbolic links
 * are skipped unless -L, devices and sockets always), get -r (a remote
 * walk with "list"), rm -r (depth first: files, then each folder).  A
 * tree is first scanned into a list of jobs (folders, then files in walk
 * order) so that a total line can show files, bytes, rate and ETA; each
 * file is then sent as a single put or get would (xfer.c, get.c), on this
 * connection or on --parallel ones (parallel.c).  A failing file is
 * reported and counted and the rest goes on; the first error decides the
 * exit status.  This file must not build protocol messages itself.
 */
#include <err.h>
#include <errno.h>
#include <fts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "common/error.h"
#include "common/log.h"
#include "client/ftpc.h"
#include "client/progress.h"

#define TREE_DEPTH_MAX 256 /* folder levels of a remote walk */

void
jobs_free(struct jobs *js)
{
	size_t i;

	for (i = 0; i < js->n; i++) {
		free(js->v[i].src);
		free(js->v[i].dst);
	}
	free(js->v);
	memset(js, 0, sizeof(*js));
}

/* jobs_add: a folder (dir) or a file of size bytes.  0 or -ERR_NOMEM. */
static int
jobs_add(struct jobs *js, const char *src, const char *dst, uint64_t size,
    int dir)
{
	struct job *v;
	size_t	    cap;

	if (js->n == js->cap) {
		cap = js->cap ? js->cap * 2 : 64;
		if ((v = reallocarray(js->v, cap, sizeof(*v))) == NULL)
			return -ERR_NOMEM;
		js->v = v;
		js->cap = cap;
	}
	v = &js->v[js->n];
	memset(v, 0, sizeof(*v));
	v->src = strdup(src);
	v->dst = strdup(dst);
	if (v->src == NULL || v->dst == NULL) {
		free(v->src);
		free(v->dst);
		return -ERR_NOMEM;
	}
	v->size = size;
	v->dir = dir;
	js->n++;
	js->files += !dir;
	js->bytes += dir ? 0 : size;
	return 0;
}

void
jobs_fail(struct jobs *js, int r)
{
	js->failed++;
	if (js->first == 0)
		js->first = r;
}

/* tree_local_entry: one fts entry of a put -r walk below dst. */
static int
tree_local_entry(struct ftpc *c, FTSENT *e, size_t rootlen, const char *dst,
    struct jobs *js)
{
	char path[PATH_MAX];
	int  r = 0;

	if (e->fts_info == FTS_DP)
		return 0;
	if (e->fts_pathlen <= rootlen)
		r = strlcpy(path, dst, sizeof(path)) >= sizeof(path);
	else
		r = remote_join(dst, e->fts_path + rootlen + 1, path,
		    sizeof(path));
	if (r != 0)
		return -ERR_NAME_TOO_LONG;
	switch (e->fts_info) {
	case FTS_D:
		return jobs_add(js, e->fts_path, path, 0, 1);
	case FTS_F:
		return jobs_add(js, e->fts_path, path,
		    (uint64_t)e->fts_statp->st_size, 0);
	case FTS_SL:
	case FTS_SLNONE:
		warnx("put %s: a symbolic link, skipped (-L follows)",
		    e->fts_path);
		return 0;
	case FTS_DNR:
	case FTS_ERR:
	case FTS_NS:
	case FTS_DC:
		warnx("put %s: %s", e->fts_path,
		    e->fts_info == FTS_DC ? "a folder cycle, skipped"
					  : strerror(e->fts_errno));
		return -ERR_SYSTEM;
	default:
		warnx("put %s: not a regular file, skipped", e->fts_path);
		(void)c;
		return 0;
	}
}

/* tree_scan_local: the jobs of the local tree root (to wire path dst). */
static int
tree_scan_local(struct ftpc *c, const char *root, const char *dst,
    struct jobs *js)
{
	char	root2[PATH_MAX];
	char   *paths[2] = { root2, NULL };
	size_t	len;
	FTS    *f;
	FTSENT *e;
	int	r = 0;

	len = strlcpy(root2, root, sizeof(root2));
	while (len > 1 && root2[len - 1] == '/')
		root2[--len] = '\0';
	f = fts_open(paths,
	    FTS_NOCHDIR |
		(c->o.follow ? FTS_LOGICAL : FTS_PHYSICAL | FTS_COMFOLLOW),
	    NULL);
	if (f == NULL)
		return xfer_local_err("put", root, strerror(errno));
	while ((e = fts_read(f)) != NULL) {
		r = tree_local_entry(c, e, len, dst, js);
		if (r == -ERR_NOMEM || r == -ERR_NAME_TOO_LONG) {
			warnx("put %s: %s", e->fts_path, err_str(r));
			if (r == -ERR_NOMEM)
				break;
		}
		if (r != 0)
			jobs_fail(js, r);
	}
	fts_close(f);
	return r == -ERR_NOMEM ? r : 0;
}

/* tree_scan_remote: the jobs of the remote folder path (to local dst). */
static int
tree_scan_remote(struct ftpc *c, const char *path, const char *dst,
    struct jobs *js, int depth)
{
	char	    *sub = NULL, *loc = NULL;
	struct rlist l;
	size_t	     i;
	int	     r;

	if ((r = jobs_add(js, path, dst, 0, 1)) != 0)
		return r;
	if (depth > TREE_DEPTH_MAX ||
	    (r = rlist_fetch(c, path, NULL, NULL, &l)) != 0) {
		if (!c->dead && r != -ERR_NOMEM)
			warnx("get %s: %s", path,
			    r ? err_message(-r) : "too deep, skipped");
		jobs_fail(js, r ? r : -ERR_NAME_TOO_LONG);
		return c->dead || r == -ERR_NOMEM ? r : 0;
	}
	for (i = 0; i < l.n && r == 0; i++) {
		if (asprintf(&sub, "%s/%s", path, l.v[i].name) == -1 ||
		    asprintf(&loc, "%s/%s", dst, l.v[i].name) == -1)
			r = -ERR_NOMEM;
		else if (strcmp(l.v[i].st.type, "dir") == 0)
			r = tree_scan_remote(c, sub, loc, js, depth + 1);
		else if (strcmp(l.v[i].st.type, "file") == 0)
			r = jobs_add(js, sub, loc, l.v[i].st.size, 0);
		else
			warnx("get %s: not a regular file, skipped", sub);
		free(sub);
		free(loc);
		sub = loc = NULL;
	}
	rlist_free(&l);
	return r;
}

/* tree_dirs: create the folders of js (remote for put, local for get). */
static void
tree_dirs(struct ftpc *c, struct jobs *js, int put)
{
	struct stat st;
	size_t	    i;
	int	    r;

	for (i = 0; i < js->n && !c->dead; i++) {
		if (!js->v[i].dir)
			continue;
		if (put)
			r = remote_mkdir_step(c, js->v[i].dst, js->v[i].src);
		else if (mkdir(js->v[i].dst, 0777) == 0 ||
		    (errno == EEXIST && stat(js->v[i].dst, &st) == 0 &&
			S_ISDIR(st.st_mode)))
			r = 0;
		else
			r = xfer_local_err("get", js->v[i].dst,
			    strerror(errno));
		if (r != 0)
			jobs_fail(js, r);
	}
}

int
tree_job(struct ftpc *c, const struct job *j, int put)
{
	if (put)
		return xfer_put_one(c, j->src, j->dst);
	return get_one(c, j->src, j->src, j->dst);
}

/* A tree's files and total line, for tree_result. */
struct tree_ctx {
	struct jobs	*js;
	struct progress *t;
};

/* tree_result: file job of the tree ended with r: counted, shown. */
static void
tree_result(void *arg, size_t job, const char *name, uint64_t size, int r)
{
	struct tree_ctx *x = arg;

	(void)name;
	(void)size;
	progress_file(x->t, x->js->v[job].src, x->js->v[job].size, r == 0);
	if (r != 0)
		jobs_fail(x->js, r);
}

/* tree_files: the files of js on c: uploads pipelined, downloads in turn. */
static void
tree_files(struct ftpc *c, struct jobs *js, int put, struct progress *t)
{
	struct tree_ctx x = { js, t };
	struct pipe	pp;
	size_t		i;

	pipe_init(&pp, c, tree_result, &x);
	for (i = 0; i < js->n; i++) {
		if (js->v[i].dir)
			continue;
		if (put)
			pipe_put(&pp, js->v[i].src, js->v[i].dst, i);
		else
			tree_result(&x, i, NULL, 0,
			    c->dead ? -ERR_EOF : tree_job(c, &js->v[i], 0));
	}
	pipe_drain(&pp);
}

/* tree_run: folders, then files (--parallel: on N connections). */
static int
tree_run(struct ftpc *c, struct jobs *js, int put)
{
	struct progress t;

	tree_dirs(c, js, put);
	progress_tree(&t, c->progress, js->files, js->bytes);
	c->total = &t;
	if (c->parallel > 1 && js->files > 1 && !c->dead)
		par_run(c, js, put, &t);
	else
		tree_files(c, js, put, &t);
	c->total = NULL;
	progress_end(&t, js->failed == 0);
	if (js->failed > 0)
		warnx("%s: %d of %llu files or folders failed",
		    put ? "put" : "get", js->failed,
		    (unsigned long long)(js->n));
	return js->first;
}

int
tree_put(struct ftpc *c, const char *root, const char *dst)
{
	struct jobs js = { 0 };
	int	    r;

	if ((r = tree_scan_local(c, root, dst, &js)) == 0)
		r = tree_run(c, &js, 1);
	jobs_free(&js);
	return r;
}

int
tree_get(struct ftpc *c, const char *path, const char *uname, const char *dst)
{
	struct jobs js = { 0 };
	int	    r;

	(void)uname;
	if ((r = tree_scan_remote(c, path, dst, &js, 0)) == 0)
		r = tree_run(c, &js, 0);
	jobs_free(&js);
	return r;
}

/* tree_rm_dir: remove the folder path and everything in it. */
static int
tree_rm_dir(struct ftpc *c, const char *path, struct jobs *js, int depth)
{
	struct rlist l;
	char	    *sub;
	size_t	     i;
	int	     r;

	if (depth > TREE_DEPTH_MAX)
		return -ERR_NAME_TOO_LONG;
	if ((r = rlist_fetch(c, path, "rm", path, &l)) != 0)
		return r;
	for (i = 0; i < l.n && !c->dead; i++) {
		if (asprintf(&sub, "%s/%s", path, l.v[i].name) == -1) {
			r = -ERR_NOMEM;
			break;
		}
		if (strcmp(l.v[i].st.type, "dir") == 0)
			r = tree_rm_dir(c, sub, js, depth + 1);
		else
			r = remote_op(c, SCHEMA_DELETE, sub, "rm", sub);
		if (r != 0)
			jobs_fail(js, r);
		free(sub);
	}
	rlist_free(&l);
	if (r == -ERR_NOMEM || c->dead)
		return r;
	return remote_op(c, SCHEMA_RMDIR, path, "rm", path);
}

int
tree_rm(struct ftpc *c, const char *path, const char *uname)
{
	struct jobs js = { 0 };
	int	    r;

	(void)uname;
	r = tree_rm_dir(c, path, &js, 0);
	if (js.failed > 0)
		warnx("rm %s: %d entries could not be removed", uname,
		    js.failed);
	return js.first != 0 ? js.first : r;
}
