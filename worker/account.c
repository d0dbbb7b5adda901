/*
 * account.c: an account's home, permissions and quota inside a session
 * (account.h).  Every check here is a trust decision on an authenticated
 * client: it must not widen what the account's line in the users file
 * grants, and must not let a refused put send data before its refusal.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/usage.h"
#include "worker/account.h"
#include "worker/fsops.h"

/* Open home beneath the served root, creating what is missing. */
static int
home_open(int servedfd, const char *home)
{
	char   part[USERS_HOME_MAX];
	size_t i, n = strlen(home);
	int    r;

	r = fsops_open(servedfd, home, O_PATH | O_DIRECTORY, 0);
	if (r != -ERR_NOT_FOUND)
		return r;
	for (i = 1; i <= n; i++) {
		if (home[i] != '/' && home[i] != '\0')
			continue;
		memcpy(part, home, i);
		part[i] = '\0';
		r = fsops_mkdir(servedfd, part, 0750);
		if (r != 0 && r != -ERR_EXISTS)
			return r;
	}
	return fsops_open(servedfd, home, O_PATH | O_DIRECTORY, 0);
}

int
account_enter(struct session *s, const struct users_entry *e, int anonymous)
{
	const char *home = anonymous ? s->cfg->anonymous_dir : e->home;
	int	    fd;

	/* SECURITY: the account's "/" is its home: every later path is
	 * resolved beneath this descriptor (RESOLVE_BENEATH). */
	if ((fd = home_open(s->servedfd, home)) < 0) {
		log_warnx("session %llu: cannot open the home %s: %s",
		    (unsigned long long)s->info.seq, home, err_str(fd));
		return fd;
	}
	s->rootfd = fd;
	s->acct = e;
	s->anonymous = anonymous;
	return 0;
}

void
account_leave(struct session *s)
{
	if (s->rootfd != s->servedfd && s->rootfd >= 0)
		close(s->rootfd);
	s->rootfd = s->servedfd;
	s->acct = NULL;
	s->anonymous = 0;
}

/* The permission bit request op needs; 0 for those always allowed. */
static unsigned
op_needs(const struct schema_req *q)
{
	switch (q->op) {
	case SCHEMA_STAT:
	case SCHEMA_LIST:
		return USERS_LIST;
	case SCHEMA_GET:
		return USERS_READ;
	case SCHEMA_PUT:
		return USERS_WRITE;
	case SCHEMA_DELETE:
		return USERS_DELETE;
	case SCHEMA_MKDIR:
	case SCHEMA_RMDIR:
		return USERS_MKDIR;
	case SCHEMA_RENAME: /* replacing a file deletes it */
		return USERS_MKDIR | (q->overwrite ? USERS_DELETE : 0);
	default:
		return 0;
	}
}

int
account_allow(const struct session *s, const struct schema_req *q)
{
	unsigned need = op_needs(q);

	if (need == 0 || (s->acct == NULL && !s->anonymous))
		return 0;
	/* SECURITY: the drop box only uploads: no list, read or delete. */
	if (s->anonymous)
		return q->op == SCHEMA_PUT ? 0 : -ERR_PERMISSION;
	return (s->acct->perms & need) == need ? 0 : -ERR_PERMISSION;
}

int
account_run(struct session *s, const struct schema_req *q,
    int (*op)(struct session *, const struct schema_req *))
{
	int r = account_allow(s, q);

	return r == 0 ? op(s, q) : session_error(s, -r, NULL);
}

int
account_may_overwrite(const struct session *s)
{
	return !s->anonymous;
}

int
account_put_reserve(struct session *s, int parentfd, const char *name,
    uint64_t size, int overwrite)
{
	const struct users_entry *e = s->acct;
	struct usage		  d = { (int64_t)size, 1 };
	struct stat		  st;
	int			  r;

	s->quota_bytes = s->quota_files = 0;
	s->quota_hit = 0;
	if (e == NULL)
		return 0;
	if (overwrite &&
	    fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode)) {
		d.bytes -= (int64_t)st.st_size; /* the old file goes */
		d.files = 0;
	}
	/* SECURITY: held before any data flows; given back if not kept. */
	r = usage_change(s->servedfd, e->name, &d, e->quota_bytes,
	    e->quota_files, NULL);
	if (r == 0) {
		s->quota_bytes = d.bytes;
		s->quota_files = d.files;
	} else if (r == -ERR_NO_SPACE)
		s->quota_hit = 1;
	else
		log_warnx("session %llu: usage of %s: %s",
		    (unsigned long long)s->info.seq, e->name, err_str(r));
	return r == -ERR_NO_SPACE ? r : 0;
}

/* Add d to the account's usage without a limit; failures are logged. */
static void
account_add(struct session *s, const struct usage *d)
{
	int r;

	if (s->acct != NULL && (d->bytes != 0 || d->files != 0) &&
	    (r = usage_change(s->servedfd, s->acct->name, d, 0, 0, NULL)) != 0)
		log_warnx("session %llu: cannot change the usage of %s: %s",
		    (unsigned long long)s->info.seq, s->acct->name, err_str(r));
}

void
account_part(struct session *s, uint64_t bytes, int charge)
{
	struct usage d = { (int64_t)bytes, 1 };

	if (bytes == 0 || bytes > INT64_MAX)
		return;
	if (!charge)
		d = (struct usage){ -(int64_t)bytes, -1 };
	account_add(s, &d);
}

const char *
account_why(const struct session *s, int r)
{
	return r == -ERR_NO_SPACE && s->quota_hit ? "quota exceeded" : NULL;
}

void
account_put_end(struct session *s, int committed)
{
	struct usage d = { -s->quota_bytes, -s->quota_files };

	if (!committed)
		account_add(s, &d);
	s->quota_bytes = s->quota_files = 0;
	s->quota_hit = 0;
}

int
account_delete(struct session *s, const char *path)
{
	struct usage d = { 0, 0 };
	struct stat  st;
	int	     r;

	if (s->acct != NULL && fsops_stat(s->rootfd, path, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		d.bytes = -(int64_t)st.st_size;
		d.files = -1;
	}
	if ((r = fsops_delete(s->rootfd, path)) == 0)
		account_add(s, &d);
	return r;
}
