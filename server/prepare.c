/*
 * prepare.c: what the master checks and creates before it uses a config,
 * at start and on every reload: loading the config file (or the built-in
 * defaults), the key file, the workers' user, and the folders of the
 * served root, the logs and the pidfile.  It must not start anything,
 * hold a descriptor or keep a copy of the key: the caller owns both.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <bsd/string.h>
#include <sodium.h>

#include "common/keyfile.h"
#include "server/master.h"

#define DIR_MODE 0750

int
master_load(const struct master_opts *o, struct config *cfg, char *err,
    size_t errlen)
{
	char file[PATH_MAX];

	if (config_defaults(cfg, o->base) == -1) {
		snprintf(err, errlen, "default paths do not fit in PATH_MAX");
		return -1;
	}
	if (o->conf != NULL)
		return config_load(cfg, o->conf, err, errlen);
	if (config_default_file(o->base, file, sizeof(file)) == -1) {
		snprintf(err, errlen, "default config path too long");
		return -1;
	}
	if (access(file, F_OK) == -1 && errno == ENOENT)
		return 0; /* no file: the defaults stand */
	return config_load(cfg, file, err, errlen);
}

/* mkdir -p path with DIR_MODE; returns 1 if the last one was created. */
static int
make_dirs(const char *path)
{
	char   p[PATH_MAX];
	size_t i;
	int    created = 0;

	if (strlcpy(p, path, sizeof(p)) >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 1; p[i - 1] != '\0'; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		created = mkdir(p, DIR_MODE) == 0;
		if (!created && errno != EEXIST)
			return -1;
		p[i] = path[i];
	}
	return created;
}

int
master_make_parent(const char *file)
{
	char  dir[PATH_MAX];
	char *slash;

	if (strlcpy(dir, file, sizeof(dir)) >= sizeof(dir))
		return -1;
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	return make_dirs(dir) == -1 ? -1 : 0;
}

static int
prepare_dirs(const struct config *cfg, const struct passwd *pw, char *err,
    size_t errlen)
{
	const char *files[] = { cfg->log_file, cfg->xferlog, cfg->pidfile };
	size_t	    i;
	int	    r;

	if ((r = make_dirs(cfg->root)) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", cfg->root,
		    strerror(errno));
		return -1;
	}
	/* SECURITY: a root we just made belongs to the workers' user. */
	if (r == 1 && pw != NULL &&
	    chown(cfg->root, pw->pw_uid, pw->pw_gid) == -1) {
		snprintf(err, errlen, "cannot chown %s: %s", cfg->root,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (master_make_parent(files[i]) == -1) {
			snprintf(err, errlen,
			    "cannot create the folder of %s: %s", files[i],
			    strerror(errno));
			return -1;
		}
	return 0;
}

int
master_prepare(const struct config *cfg, struct users_creds *cred, char *err,
    size_t errlen)
{
	struct passwd *pw = NULL;
	struct stat    st;

	if (geteuid() == 0 && (pw = getpwnam(cfg->user)) == NULL) {
		snprintf(err, errlen,
		    "no user '%s' (config key 'user'): "
		    "workers cannot drop root",
		    cfg->user);
		return -1;
	}
	if (stat(cfg->key_file, &st) == -1 && errno == ENOENT) {
		snprintf(err, errlen, "no key file at %s: run 'ftpd keygen'",
		    cfg->key_file);
		return -1;
	}
	if (master_creds_load(cfg, cred, err, errlen) == -1)
		return -1;
	if (prepare_dirs(cfg, pw, err, errlen) == -1 ||
	    master_check(cfg, err, errlen) == -1) {
		master_creds_free(cred);
		return -1;
	}
	return 0;
}
