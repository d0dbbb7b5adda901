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

/* The shell's remote folder (cd), as a wire path; "." is the root. */
static char remote_cwd[PATH_MAX] = ".";

const char *
remote_getcwd(void)
{
	return remote_cwd;
}

int
remote_setcwd(const char *path)
{
	if (strlcpy(remote_cwd, path, sizeof(remote_cwd)) >= sizeof(remote_cwd))
		return -ERR_NAME_TOO_LONG;
	return 0;
}

int
remote_path(const char *in, char *out, size_t outlen)
{
	char   tmp[PATH_MAX];
	size_t len;

	if (*in != '/' && strcmp(remote_cwd, ".") != 0) {
		if (snprintf(tmp, sizeof(tmp), "%s/%s", remote_cwd, in) >=
		    (int)sizeof(tmp)) {
			warnx("%s: remote path too long", in);
			return -ERR_NAME_TOO_LONG;
		}
		in = tmp;
	}
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
	memmove(out, in, len);
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

void
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
 * remote_op: send a request of op on the wire path path; an error reply
 * is reported as "CMD NAME: ..." (nothing when cmd is NULL).  Returns 0
 * or an error.
 */
int
remote_op(struct ftpc *c, enum schema_kind op, const char *path,
    const char *cmd, const char *name)
{
	struct schema_req   q;
	struct schema_reply rep;
	int		    r;

	conn_req(&q, op);
	q.path = schema_cstr(path);
	r = conn_call(c, &q, SCHEMA_R_OK, &rep, cmd, name);
	schema_reply_free(&rep);
	return r;
}

/* remote_rm_one: rm of one operand (-r: a tree; -f: missing is fine). */
static int
remote_rm_one(struct ftpc *c, const char *arg)
{
	char	     path[PATH_MAX];
	struct rstat st;
	int	     r;

	if ((r = remote_path(arg, path, sizeof(path))) != 0)
		return r;
	if (c->o.ignore || c->o.recursive) {
		r = remote_stat_op(c, path, &st, NULL, NULL);
		if (r == -ERR_NOT_FOUND && c->o.ignore)
			return 0;
		if (r == 0 && strcmp(st.type, "dir") == 0 && c->o.recursive)
			return tree_rm(c, path, arg);
	}
	return remote_op(c, SCHEMA_DELETE, path, "rm", arg);
}

int
remote_mkdir_step(struct ftpc *c, const char *path, const char *arg)
{
	struct rstat st;
	int	     r;

	r = remote_op(c, SCHEMA_MKDIR, path, NULL, NULL);
	if (r != -ERR_EXISTS) {
		if (r > -ERR_MAX && r < 0 && !c->dead)
			warnx("mkdir %s: %s (%s)", arg, err_message(-r),
			    err_name(-r));
		return r;
	}
	if ((r = remote_stat_op(c, path, &st, "mkdir", arg)) != 0)
		return r;
	if (strcmp(st.type, "dir") == 0)
		return 0;
	warnx("mkdir %s: /%s exists and is not a folder", arg, path);
	return -ERR_NOT_DIR;
}

/* remote_mkdir_one: mkdir of one operand; -p: parents, existing is ok. */
static int
remote_mkdir_one(struct ftpc *c, const char *arg)
{
	char  path[PATH_MAX];
	char *slash;
	int   r;

	if ((r = remote_path(arg, path, sizeof(path))) != 0)
		return r;
	if (!c->o.parents)
		return remote_op(c, SCHEMA_MKDIR, path, "mkdir", arg);
	slash = path;
	do {
		if ((slash = strchr(slash + 1, '/')) != NULL)
			*slash = '\0';
		r = remote_mkdir_step(c, path, arg);
		if (slash != NULL)
			*slash = '/';
	} while (r == 0 && slash != NULL);
	return r;
}

/* remote_each: fn for every argument, keeping the first error. */
static int
remote_each(struct ftpc *c, int (*fn)(struct ftpc *, const char *), int argc,
    char **argv)
{
	int i, r, first = 0;

	for (i = 0; i < argc && !c->dead; i++) {
		r = fn(c, argv[i]);
		if (r != 0 && first == 0)
			first = r;
	}
	return first;
}

int
remote_rm(struct ftpc *c, int argc, char **argv)
{
	return remote_each(c, remote_rm_one, argc, argv);
}

int
remote_mkdir(struct ftpc *c, int argc, char **argv)
{
	return remote_each(c, remote_mkdir_one, argc, argv);
}

static int
remote_rmdir_one(struct ftpc *c, const char *arg)
{
	char path[PATH_MAX];
	int  r;

	if ((r = remote_path(arg, path, sizeof(path))) != 0)
		return r;
	return remote_op(c, SCHEMA_RMDIR, path, "rmdir", arg);
}

int
remote_rmdir(struct ftpc *c, int argc, char **argv)
{
	return remote_each(c, remote_rmdir_one, argc, argv);
}

/* remote_rename: from -> to (wire paths); errors name both. */
static int
remote_rename(struct ftpc *c, const char *from, const char *to,
    const char *ufrom)
{
	char		    name[2 * PATH_MAX + 8];
	struct schema_req   q;
	struct schema_reply rep;
	int		    r;

	conn_req(&q, SCHEMA_RENAME);
	q.from = schema_cstr(from);
	q.to = schema_cstr(to);
	q.overwrite = 0;
	q.has.overwrite = 1;
	snprintf(name, sizeof(name), "%s to /%s", ufrom, to);
	r = conn_call(c, &q, SCHEMA_R_OK, &rep, "mv", name);
	schema_reply_free(&rep);
	return r;
}

int
remote_mv(struct ftpc *c, int argc, char **argv)
{
	char	     from[PATH_MAX], to[PATH_MAX], dest[PATH_MAX], b[PATH_MAX];
	const char  *target = argv[argc - 1];
	struct rstat st;
	int	     i, r, into, first = 0;

	if ((r = remote_path(target, to, sizeof(to))) != 0)
		return r;
	r = remote_stat_op(c, to, &st, NULL, NULL);
	if (c->dead)
		return r;
	into = (r == 0 && strcmp(st.type, "dir") == 0);
	if (!into && (argc > 2 || target[strlen(target) - 1] == '/')) {
		warnx("mv: %s: not a remote folder", target);
		return -ERR_NOT_DIR;
	}
	for (i = 0; i < argc - 1 && !c->dead; i++) {
		if ((r = remote_path(argv[i], from, sizeof(from))) == 0 &&
		    into && (r = xfer_base(from, b, sizeof(b))) == 0)
			r = remote_join(to, b, dest, sizeof(dest));
		if (r == 0)
			r = remote_rename(c, from, into ? dest : to, argv[i]);
		if (r != 0 && first == 0)
			first = r;
	}
	return first;
}

int
remote_stat_op(struct ftpc *c, const char *path, struct rstat *st,
    const char *op, const char *name)
{
	struct schema_req   q;
	struct schema_reply rep;
	int		    r;

	memset(st, 0, sizeof(*st));
	conn_req(&q, SCHEMA_STAT);
	q.path = schema_cstr(path);
	if (c->digest_set && op != NULL && strcmp(op, "stat") == 0) {
		q.alg = schema_cstr(digest_name(c->digest)); /* PROTOCOL 4.6 */
		q.has.alg = 1;
	}
	r = conn_call(c, &q, SCHEMA_R_STAT, &rep, op, name);
	if (r == 0)
		rstat_set(st, rep.type, rep.size, rep.mode, rep.mtime);
	if (r == 0 && q.has.alg && rep.has.digest &&
	    rep.digest.len == digest_len(c->digest))
		sodium_bin2hex(st->digest, sizeof(st->digest), rep.digest.p,
		    rep.digest.len);
	schema_reply_free(&rep);
	return r;
}

int
remote_stat_get(struct ftpc *c, const char *path, struct rstat *st,
    const char *report)
{
	return remote_stat_op(c, path, st, report ? "stat" : NULL, report);
}

/* remote_stat_one: print one operand's entry. */
static int
remote_stat_one(struct ftpc *c, const char *arg, int gap)
{
	char	     path[PATH_MAX], when[CLOCK_ISO8601_LEN], name[PATH_MAX];
	struct rstat st;
	int	     r;

	if ((r = remote_path(arg, path, sizeof(path))) != 0 ||
	    (r = remote_stat_get(c, path, &st, arg)) != 0)
		return r;
	if (clock_iso8601(when, sizeof(when), (time_t)st.mtime) == -1)
		strlcpy(when, "?", sizeof(when));
	(void)safetext_copy(name, sizeof(name), path, strlen(path));
	printf("%sname: %s\ntype: %s\nsize: %llu\nmode: %04llo\nmtime: %s\n",
	    gap ? "\n" : "", name, st.type, (unsigned long long)st.size,
	    (unsigned long long)st.mode, when);
	if (st.digest[0] != '\0')
		printf("digest: %s:%s\n", digest_name(c->digest), st.digest);
	return 0;
}

int
remote_stat(struct ftpc *c, int argc, char **argv)
{
	int i, r, first = 0;

	for (i = 0; i < argc && !c->dead; i++) {
		r = remote_stat_one(c, argv[i], i > 0);
		if (r != 0 && first == 0)
			first = r;
	}
	return first;
}
