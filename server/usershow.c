/*
 * usershow.c: the `ftpd user` commands that read (list, show), the
 * recount that repairs an account's usage record from what its home holds
 * (common/usage.h), and the offer to reload a running daemon after a
 * change.  It must not print a password hash, and the recount must not
 * follow a link out of the home: the walk is physical (FTW_PHYS) and
 * counts regular files only, without the server's own ".ftpd-put." names
 * but for the kept parts of broken uploads charged to the account
 * (usage_part_owner), which count as the workers count them.
 */
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "common/error.h"
#include "common/usage.h"
#include "common/users.h"
#include "daemonize/daemonize.h"
#include "server/command.h"

#define WALK_FDS 32 /* descriptors nftw may hold */

int
command_user_usage(void)
{
	fprintf(stderr,
	    "usage: ftpd user add NAME [home=DIR] [perms=lrwdm] "
	    "[quota=BYTES/FILES] [nopassword]\n"
	    "       ftpd user set NAME [home=DIR] [perms=lrwdm] "
	    "[quota=BYTES/FILES] [enabled=yes|no] [nopassword]\n"
	    "       ftpd user del|passwd|show NAME\n"
	    "       ftpd user key add|del NAME KEY\n"
	    "       ftpd user list\n"
	    "       ftpd user recount [NAME]\n"
	    "(passwords are read from the terminal, or with --stdin one line "
	    "of standard input)\n");
	return -1;
}

/* Load the users file (no lock: it is replaced whole). */
static int
load(const struct config *cfg, struct users *u)
{
	char err[1024];

	if (users_load(cfg->users_file, u, err, sizeof(err)) != 0) {
		warnx("%s", err);
		return -1;
	}
	return 0;
}

int
command_user_list(const struct config *cfg)
{
	struct users u;
	char	     perms[8];
	size_t	     i;

	if (load(cfg, &u) == -1)
		return 1;
	for (i = 0; i < u.n; i++) {
		users_perms_format(u.u[i].perms, perms, sizeof(perms));
		printf("%s %s %s /%s\n", u.u[i].name,
		    u.u[i].enabled ? "enabled" : "disabled", perms,
		    strcmp(u.u[i].home, ".") == 0 ? "" : u.u[i].home);
	}
	users_free(&u);
	return 0;
}

/* The usage of name, or -1 (said why) when the root cannot be read. */
static int
usage_of(const struct config *cfg, const char *name, struct usage *now)
{
	int fd = open(cfg->root, O_PATH | O_DIRECTORY | O_CLOEXEC), r;

	if (fd == -1) {
		warn("%s", cfg->root);
		return -1;
	}
	r = usage_get(fd, name, now);
	close(fd);
	if (r != 0)
		warnx("usage of %s: %s", name, err_str(r));
	return r == 0 ? 0 : -1;
}

static void
show(const struct users_entry *e, const struct usage *now)
{
	char perms[8], key[48];
	int  i;

	users_perms_format(e->perms, perms, sizeof(perms));
	printf("user %s\nenabled %s\npermissions %s\nhome /%s\n", e->name,
	    e->enabled ? "yes" : "no", perms,
	    strcmp(e->home, ".") == 0 ? "" : e->home);
	printf("password %s\n", e->hash[0] != '\0' ? "set" : "none");
	for (i = 0; i < e->nkeys; i++) {
		users_key_format(e->keys[i], key, sizeof(key));
		printf("key %s\n", key);
	}
	printf("quota bytes %" PRIu64 "%s\nquota files %" PRIu64 "%s\n",
	    e->quota_bytes, e->quota_bytes == 0 ? " (none)" : "",
	    e->quota_files, e->quota_files == 0 ? " (none)" : "");
	printf("used bytes %" PRId64 "\nused files %" PRId64 "\n", now->bytes,
	    now->files);
}

int
command_user_show(const struct config *cfg, const char *name)
{
	struct users	    u;
	struct users_entry *e;
	struct usage	    now;
	int		    r = 1;

	if (load(cfg, &u) == -1)
		return 1;
	if ((e = users_find(&u, name, strlen(name))) == NULL)
		warnx("no user '%s'", name);
	else if (usage_of(cfg, e->name, &now) == 0) {
		show(e, &now);
		r = 0;
	}
	users_free(&u);
	return r;
}

/* nftw has no user pointer: the sum and the account it is for. */
static struct usage walk_sum;
static const char  *walk_name;

static int
walk_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	const char *base = path + f->base, *owner = usage_part_owner(base);

	if (strncmp(base, ".ftpd-put.", 10) == 0 &&
	    (owner == NULL || strcmp(owner, walk_name) != 0 ||
		st->st_size == 0))
		return type == FTW_D ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
	if (type == FTW_F && S_ISREG(st->st_mode)) {
		walk_sum.bytes += (int64_t)st->st_size;
		walk_sum.files++;
	}
	return FTW_CONTINUE;
}

/* The record belongs to the workers' user, who updates it. */
static void
give_record(const struct config *cfg, int rootfd, const char *name)
{
	struct passwd *pw;
	char	       rec[sizeof(USAGE_DIR) + USERS_NAME_MAX + 2];

	if (geteuid() != 0 || (pw = getpwnam(cfg->user)) == NULL)
		return;
	(void)snprintf(rec, sizeof(rec), "%s/%s", USAGE_DIR, name);
	if (fchownat(rootfd, USAGE_DIR, pw->pw_uid, pw->pw_gid,
		AT_SYMLINK_NOFOLLOW) == -1 ||
	    fchownat(rootfd, rec, pw->pw_uid, pw->pw_gid,
		AT_SYMLINK_NOFOLLOW) == -1)
		warn("chown %s/%s", cfg->root, rec);
}

/* Recount one account: walk its home, write the record. */
static int
recount(const struct config *cfg, int rootfd, const struct users_entry *e)
{
	char path[PATH_MAX];
	int  r;

	memset(&walk_sum, 0, sizeof(walk_sum));
	walk_name = e->name;
	if (snprintf(path, sizeof(path), "%s/%s", cfg->root, e->home) >=
	    (int)sizeof(path))
		return -1;
	if (access(path, F_OK) == 0 &&
	    nftw(path, walk_one, WALK_FDS, FTW_PHYS | FTW_ACTIONRETVAL) != 0) {
		warn("cannot walk %s", path);
		return -1;
	}
	if ((r = usage_set(rootfd, e->name, &walk_sum)) != 0) {
		warnx("usage of %s: %s", e->name, err_str(r));
		return -1;
	}
	give_record(cfg, rootfd, e->name);
	printf("%s: %" PRId64 " bytes in %" PRId64 " files\n", e->name,
	    walk_sum.bytes, walk_sum.files);
	return 0;
}

int
command_user_recount(const struct config *cfg, const char *name)
{
	struct users u;
	size_t	     i;
	int	     rootfd, r = 0, found = 0;

	if (load(cfg, &u) == -1)
		return 1;
	if ((rootfd = open(cfg->root, O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		warn("%s", cfg->root);
		users_free(&u);
		return 1;
	}
	for (i = 0; i < u.n; i++)
		if (name == NULL || strcmp(u.u[i].name, name) == 0) {
			found = 1;
			if (recount(cfg, rootfd, &u.u[i]) == -1)
				r = 1;
		}
	if (name != NULL && !found) {
		warnx("no user '%s'", name);
		r = 1;
	}
	close(rootfd);
	users_free(&u);
	return r;
}

void
command_user_reload(const struct config *cfg, int ask)
{
	char  line[16];
	pid_t pid;

	if (daemon_check(cfg->pidfile, &pid) != DAEMON_RUNNING)
		return;
	if (!ask || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		printf("ftpd is running (pid %ld): 'ftpd reload' applies the "
		       "change\n",
		    (long)pid);
		return;
	}
	printf("Reload the running ftpd (pid %ld) now? [y/N] ", (long)pid);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) != NULL &&
	    (line[0] == 'y' || line[0] == 'Y'))
		(void)command_reload(cfg);
}
