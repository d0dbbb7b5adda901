/*
 * check.c: can a worker run this config?  The master asks before it
 * answers `ftpd -t`, `start` and `reload` (issue 8 item 1): the listen
 * addresses resolve, the workers' user exists (as root) and is not uid 0,
 * the key file reads, and the served root is a folder that the workers'
 * user can open and search, tried for real in a child that drops to that
 * user as a worker does (worker.c drop_privileges).  It must not create,
 * change or keep anything: `-t` runs it on a live system.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "common/keyfile.h"
#include "server/master.h"

/* Every listen address resolves to something we could bind. */
static int
check_listen(const struct config *cfg, char *err, size_t errlen)
{
	struct addrinfo hints, *res;
	char		host[128], port[32];
	int		i, r;

	for (i = 0; i < cfg->nlisten; i++) {
		if (config_split_hostport(cfg->listen[i], host, sizeof(host),
			port, sizeof(port)) == -1) {
			snprintf(err, errlen, "listen %s: not host:port",
			    cfg->listen[i]);
			return -1;
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
		if ((r = getaddrinfo(host[0] != '\0' ? host : NULL, port,
			 &hints, &res)) != 0) {
			snprintf(err, errlen, "listen %s: %s", cfg->listen[i],
			    gai_strerror(r));
			return -1;
		}
		freeaddrinfo(res);
	}
	return 0;
}

/*
 * In a child: open the root as a worker does (O_PATH while still
 * ourselves), drop to pw, then open it for reading.  Exits with 0 or the
 * errno that stopped it (255 for a failed drop).
 */
static void __attribute__((noreturn))
try_root(const char *root, const struct passwd *pw)
{
	int fd, dfd;

	if ((fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		_exit(errno & 0xff);
	if (pw != NULL &&
	    (setgroups(1, &pw->pw_gid) == -1 ||
		setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
		setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1))
		_exit(255);
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_exit(dfd == -1 ? errno & 0xff : 0);
}

/* The root is a folder the workers' user (pw, NULL: ourselves) can open. */
static int
check_root(const char *root, const struct passwd *pw, char *err, size_t errlen)
{
	struct stat st;
	pid_t	    pid;
	int	    status;

	if (stat(root, &st) == -1) {
		if (errno == ENOENT)
			return 0; /* start makes it (prepare.c), for the user */
		snprintf(err, errlen, "root %s: %s", root, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "root %s is not a folder", root);
		return -1;
	}
	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		try_root(root, pw);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(err, errlen,
	    "root %s: the workers' user %s cannot open it: %s", root,
	    pw != NULL ? pw->pw_name : "(ourselves)",
	    !WIFEXITED(status)		     ? "check failed"
		: WEXITSTATUS(status) == 255 ? "cannot switch to that user"
					     : strerror(WEXITSTATUS(status)));
	return -1;
}

/* The workers' user: known as root, never uid 0.  *pw NULL: ourselves. */
static int
check_user(const struct config *cfg, struct passwd **pw, char *err,
    size_t errlen)
{
	*pw = getpwnam(cfg->user);
	/* SECURITY: a worker parses client bytes: it must never be root. */
	if (*pw != NULL && (*pw)->pw_uid == 0) {
		snprintf(err, errlen,
		    "user '%s' is uid 0: workers must not run as root",
		    cfg->user);
		return -1;
	}
	if (geteuid() != 0) {
		*pw = NULL; /* workers stay who we are */
		return 0;
	}
	if (*pw == NULL) {
		snprintf(err, errlen,
		    "no user '%s' (config key 'user'): workers cannot drop "
		    "root",
		    cfg->user);
		return -1;
	}
	return 0;
}

int
master_check(const struct config *cfg, char *err, size_t errlen)
{
	struct passwd pwcopy, *pw;
	uint8_t	      key[KEYFILE_BYTES];
	char	      why[256];
	int	      r;

	if (check_listen(cfg, err, errlen) == -1 ||
	    check_user(cfg, &pw, err, errlen) == -1)
		return -1;
	if (pw != NULL) {
		pwcopy = *pw; /* getpwnam's buffer: only the ids are used */
		pw = &pwcopy;
	}
	if (check_root(cfg->root, pw, err, errlen) == -1)
		return -1;
	r = keyfile_read(cfg->key_file, key, why, sizeof(why));
	sodium_memzero(key, sizeof(key));
	if (r == -1) {
		snprintf(err, errlen, "%s%s", why,
		    access(cfg->key_file, F_OK) == -1 && errno == ENOENT
			? " (run 'ftpd keygen')"
			: "");
		return -1;
	}
	return 0;
}
