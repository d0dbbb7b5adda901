/*
 * put.c: ftpc's put command: where its operands go (a folder to put them
 * into, or a new name for a single source), each file on the pipe
 * (pipe.c, pipelined) or, with -r, a folder's tree (tree.c), and the exit
 * code from the first failure.  The bytes on the wire are xfer.c's.  This
 * file must not build requests itself.
 */
#include <err.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "client/ftpc.h"

/*
 * put_target: where the sources go: the wire path dir and whether it is
 * a folder to put them into (into).  n sources; a missing target is a
 * new name for a single source (a file, or with -r a tree).
 */
static int
put_target(struct ftpc *c, const char *target, int n, char *dir, size_t dirlen,
    int *into)
{
	struct rstat st;
	int	     r, slash = target[strlen(target) - 1] == '/';

	*into = 1;
	if ((r = remote_path(target, dir, dirlen)) != 0 ||
	    strcmp(dir, ".") == 0)
		return r;
	r = remote_stat_op(c, dir, &st, NULL, NULL);
	if (c->dead)
		return r;
	*into = r == 0 && strcmp(st.type, "dir") == 0;
	if (*into || (n == 1 && !slash)) /* the put reports the rest */
		return 0;
	if (r == -ERR_NOT_FOUND && slash) {
		warnx("put: %s: no such remote folder", target);
		return r;
	}
	warnx("put: %s: not a remote folder", target);
	return r == 0 ? -ERR_NOT_DIR : r;
}

/* put_result: a file of put's operands ended with r (first: the first). */
static void
put_result(void *arg, size_t job, const char *name, uint64_t size, int r)
{
	int *first = arg;

	(void)job;
	(void)name;
	(void)size;
	if (r != 0 && *first == 0)
		*first = r;
}

/*
 * put_arg: one LOCAL operand: a file (on the pipe pp), or with -r a
 * folder's tree (after the files before it are answered).
 */
static int
put_arg(struct ftpc *c, struct pipe *pp, const char *src, const char *dir,
    int into)
{
	char	    path[PATH_MAX], base[PATH_MAX];
	struct stat st;
	int	    r;

	if (into &&
	    ((r = xfer_base(src, base, sizeof(base))) != 0 ||
		(r = remote_join(dir, base, path, sizeof(path))) != 0))
		return r;
	if (c->o.recursive && stat(src, &st) == 0 && S_ISDIR(st.st_mode)) {
		pipe_drain(pp);
		return c->dead ? -ERR_EOF : tree_put(c, src, into ? path : dir);
	}
	pipe_put(pp, src, into ? path : dir, 0);
	return 0;
}

int
xfer_put(struct ftpc *c, int argc, char **argv)
{
	char	    dir[PATH_MAX];
	struct pipe pp;
	int	    i, n = argc > 1 ? argc - 1 : 1, into, r, first = 0;

	if ((r = put_target(c, argc > 1 ? argv[argc - 1] : ".", n, dir,
		 sizeof(dir), &into)) != 0)
		return r;
	pipe_init(&pp, c, put_result, &first);
	for (i = 0; i < n && !c->dead; i++) {
		r = put_arg(c, &pp, argv[i], dir, into);
		if (r != 0 && first == 0)
			first = r;
	}
	pipe_drain(&pp);
	return first;
}
