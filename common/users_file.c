/*
 * users_file.c: the users file as a whole (users.h): load it into a table,
 * write the table back atomically, the lock the writers take, and the
 * table's lookups and edits.  One line is users.c's.  This file must not
 * log or exit, and must not leave a half-written users file: a reader (the
 * master on reload) sees the old file or the new one.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <sodium.h>

#include "common/atomicio.h"
#include "common/error.h"
#include "common/users.h"

struct users_entry *
users_find(const struct users *u, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (strlen(u->u[i].name) == len &&
		    memcmp(u->u[i].name, name, len) == 0)
			return &u->u[i];
	return NULL;
}

int
users_add(struct users *u, const struct users_entry *e)
{
	struct users_entry *n;
	size_t		    cap;

	if (users_find(u, e->name, strlen(e->name)) != NULL)
		return -ERR_EXISTS;
	if (u->n >= USERS_MAX)
		return -ERR_LIMIT;
	if (u->n == u->cap) {
		cap = u->cap == 0 ? 16 : u->cap * 2;
		if ((n = reallocarray(NULL, cap, sizeof(*n))) == NULL)
			return -ERR_NOMEM;
		/* Copy, then wipe the old: entries hold password hashes. */
		if (u->n > 0)
			memcpy(n, u->u, u->n * sizeof(*n));
		if (u->u != NULL)
			sodium_memzero(u->u, u->cap * sizeof(*n));
		free(u->u);
		u->u = n;
		u->cap = cap;
	}
	u->u[u->n++] = *e;
	return 0;
}

int
users_del(struct users *u, const char *name)
{
	struct users_entry *e = users_find(u, name, strlen(name));
	size_t		    i;

	if (e == NULL)
		return -ERR_NOT_FOUND;
	i = (size_t)(e - u->u);
	memmove(e, e + 1, (u->n - i - 1) * sizeof(*e));
	u->n--;
	sodium_memzero(&u->u[u->n], sizeof(*e));
	return 0;
}

void
users_free(struct users *u)
{
	if (u->u != NULL)
		sodium_memzero(u->u, u->cap * sizeof(*u->u));
	free(u->u);
	memset(u, 0, sizeof(*u));
}

/* Read the lines of fp into u; "FILE:LINE: reason" on failure. */
static int
load_lines(FILE *fp, const char *path, struct users *u, char *err,
    size_t errlen)
{
	struct users_entry e;
	char		   line[USERS_LINE_MAX + 2], why[256];
	size_t		   n;
	int		   lineno = 0, r = 0;

	while (r == 0 && fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(fp)) {
			snprintf(err, errlen, "%s:%d: line too long", path,
			    lineno);
			r = -ERR_PROTOCOL;
			break;
		}
		if (n == 0 || line[0] == '#')
			continue;
		if ((r = users_parse_line(line, &e, why, sizeof(why))) != 0)
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
		else if ((r = users_add(u, &e)) == -ERR_EXISTS) {
			snprintf(err, errlen, "%s:%d: the name is there twice",
			    path, lineno);
			r = -ERR_PROTOCOL;
		} else if (r != 0)
			snprintf(err, errlen, "%s:%d: %s", path, lineno,
			    err_str(r));
	}
	sodium_memzero(&e, sizeof(e));
	sodium_memzero(line, sizeof(line));
	if (r == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		r = -ERR_IO;
	}
	return r;
}

int
users_load(const char *path, struct users *u, char *err, size_t errlen)
{
	struct stat st;
	FILE	   *fp;
	int	    r;

	memset(u, 0, sizeof(*u));
	if ((fp = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -ERR_SYSTEM;
	}
	/* SECURITY: whoever may write the file may log in as anyone. */
	if (fstat(fileno(fp), &st) == -1 || (st.st_mode & 022) != 0) {
		snprintf(err, errlen,
		    "%s: writable by group or others (chmod 600)", path);
		fclose(fp);
		return -ERR_PERMISSION;
	}
	r = load_lines(fp, path, u, err, errlen);
	fclose(fp);
	if (r != 0)
		users_free(u);
	return r;
}

/* Write every line of u to fd. */
static int
save_lines(int fd, const struct users *u)
{
	static const char head[] = "# ftpd users file: change it with "
				   "'ftpd user' (ftpd(8), ACCOUNTS)\n";
	char		  line[USERS_LINE_MAX + 2];
	size_t		  i;
	int		  r = 0;

	if (write_full(fd, head, sizeof(head) - 1) == -1)
		return -ERR_SYSTEM;
	for (i = 0; i < u->n && r == 0; i++) {
		if ((r = users_format_line(&u->u[i], line, sizeof(line))) ==
			0 &&
		    write_full(fd, line, strlen(line)) == -1)
			r = -ERR_SYSTEM;
	}
	sodium_memzero(line, sizeof(line));
	return r;
}

/* fsync the folder holding path (the rename's durability). */
static void
sync_dir(const char *path)
{
	char dir[PATH_MAX], *slash;
	int  fd;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return;
	if ((slash = strrchr(dir, '/')) == NULL)
		(void)strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
}

int
users_save(const char *path, const struct users *u, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	int  fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ERR_NAME_TOO_LONG;
	}
	(void)unlink(tmp); /* a leftover of a writer that died (we hold
			      the lock) */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -ERR_SYSTEM;
	}
	r = save_lines(fd, u);
	if (r == 0 && fsync(fd) == -1)
		r = -ERR_SYSTEM;
	if (close(fd) == -1 && r == 0)
		r = -ERR_SYSTEM;
	if (r == 0 && rename(tmp, path) == -1)
		r = -ERR_SYSTEM;
	if (r != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    r == -ERR_SYSTEM ? strerror(errno) : err_str(r));
		(void)unlink(tmp);
		return r;
	}
	sync_dir(path);
	return 0;
}

int
users_lock(const char *path)
{
	char lock[PATH_MAX];
	int  fd;

	if (snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock))
		return -ERR_NAME_TOO_LONG;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		return -ERR_SYSTEM;
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			close(fd);
			return -ERR_SYSTEM;
		}
	return fd;
}
