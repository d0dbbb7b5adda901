/*
 * glob.c: remote patterns.  The protocol has no glob: ftpc lists the
 * folder of a pattern (its part before the last '/') and matches each name
 * with fnmatch(3) (FNM_PERIOD: a leading '.' must be matched by a '.').
 * Only the last component may hold *, ? or [...]; an operand with none of
 * them is taken as it is, but for its backslashes ("\*" is a literal
 * '*').  A pattern that matches nothing is an error (not_found), as in
 * sftp.  Also the growing string vectors the commands
 * use for their operands.  This file must not touch local files.
 */
#include <err.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>

#include "common/error.h"
#include "client/ftpc.h"

int
strv_add(struct strv *s, const char *p)
{
	char **v;
	int    cap;

	if (s->n + 1 >= s->cap) {
		cap = s->cap ? s->cap * 2 : 16;
		if ((v = reallocarray(s->v, (size_t)cap, sizeof(*v))) == NULL)
			return -ERR_NOMEM;
		s->v = v;
		s->cap = cap;
	}
	if ((s->v[s->n] = strdup(p)) == NULL)
		return -ERR_NOMEM;
	s->v[++s->n] = NULL;
	return 0;
}

void
strv_free(struct strv *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int
glob_has(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '*' || *s == '?' || *s == '[')
			return 1;
	}
	return 0;
}

/* glob_split: arg's folder part (as typed, with its '/') into dir, the
 * pattern's offset into *pat. */
static void
glob_split(const char *arg, char *dir, size_t dirlen, const char **pat)
{
	const char *slash = strrchr(arg, '/');
	size_t	    n = slash ? (size_t)(slash - arg) + 1 : 0;

	if (n >= dirlen)
		n = dirlen - 1;
	memcpy(dir, arg, n);
	dir[n] = '\0';
	*pat = arg + n;
}

/* glob_literal: arg with its backslash escapes removed, added to out. */
static int
glob_literal(const char *arg, struct strv *out)
{
	char   buf[PATH_MAX];
	size_t n = 0;

	for (; *arg != '\0' && n < sizeof(buf) - 1; arg++) {
		if (*arg == '\\' && arg[1] != '\0')
			arg++;
		buf[n++] = *arg;
	}
	buf[n] = '\0';
	return strv_add(out, buf);
}

/* glob_expand: the names matching arg, added to out in sorted order. */
static int
glob_expand(struct ftpc *c, const char *cmd, const char *arg, struct strv *out)
{
	char	     dir[PATH_MAX], path[PATH_MAX], m[PATH_MAX];
	const char  *pat;
	struct rlist l;
	size_t	     i;
	int	     r, n = 0;

	if (!glob_has(arg))
		return glob_literal(arg, out);
	glob_split(arg, dir, sizeof(dir), &pat);
	if (glob_has(dir) || *pat == '\0') {
		warnx("%s %s: a pattern only in the last component", cmd, arg);
		return -FTPC_ERR_USAGE;
	}
	if ((r = remote_path(dir[0] ? dir : ".", path, sizeof(path))) != 0 ||
	    (r = rlist_fetch(c, path, NULL, NULL, &l)) != 0) {
		if (!c->dead && r != -ERR_NAME_TOO_LONG)
			warnx("%s %s: %s (%s)", cmd, arg, err_message(-r),
			    err_name(-r));
		return r;
	}
	for (i = 0; i < l.n && r == 0; i++) {
		if (fnmatch(pat, l.v[i].name, FNM_PERIOD) != 0)
			continue;
		n++;
		if (snprintf(m, sizeof(m), "%s%s", dir, l.v[i].name) >=
		    (int)sizeof(m))
			r = -ERR_NAME_TOO_LONG;
		else
			r = strv_add(out, m);
	}
	rlist_free(&l);
	if (r == 0 && n == 0) {
		warnx("%s %s: no match", cmd, arg);
		r = -ERR_NOT_FOUND;
	}
	return r;
}

/* glob_want: whether operand i of call is a remote pattern to expand. */
static int
glob_want(const struct call *call, int i)
{
	switch (call->cmd->glob) {
	case GLOB_ALL:
		break;
	case GLOB_SOURCES:
		if (call->argc > 1 && i == call->argc - 1)
			return 0;
		break;
	default:
		return 0;
	}
	return strpbrk(call->argv[i], "*?[\\") != NULL;
}

int
glob_args(struct ftpc *c, const struct call *call, struct strv *out)
{
	int i, r = 0, first = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < call->argc && !c->dead; i++) {
		if (glob_want(call, i))
			r = glob_expand(c, call->cmd->name, call->argv[i], out);
		else
			r = strv_add(out, call->argv[i]);
		if (r == -ERR_NOMEM)
			return r;
		if (r != 0 && first == 0)
			first = r;
	}
	/* "get PATTERN": the sources, then the default target. */
	if (first == 0 && call->cmd->glob == GLOB_SOURCES && call->argc == 1 &&
	    out->n > 1)
		first = strv_add(out, ".");
	return c->dead && first == 0 ? -ERR_EOF : first;
}
