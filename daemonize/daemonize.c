/*
 * daemonize.c: turn the caller into a daemon the classic way (Stevens,
 * APUE 13.3; OpenBSD daemon(3)): fork, setsid, fork again so the daemon
 * can never reacquire a terminal, umask 027, chdir "/", /dev/null as
 * stdio, close every descriptor the caller did not name.  The starting
 * process waits on a socketpair (a readiness pipe that cannot raise
 * SIGPIPE) for one status byte, so `ftpd start` returns only once the
 * daemon listens, or prints why it could not.  This file must not log
 * (the log files are not open yet) nor know about configs or sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/unistd.h>

#include "daemonize/daemonize.h"

#define STATUS_OK   0
#define STATUS_FAIL 1

/* Send status and reason (may be NULL) ending in '\n', and close *fd. */
static void
report(int *fd, int status, const char *reason)
{
	char	buf[1 + DAEMON_REASON_MAX + 1];
	size_t	len = 1, n;
	ssize_t r;

	if (*fd == -1)
		return;
	buf[0] = (char)status;
	if (reason != NULL) {
		n = strnlen(reason, DAEMON_REASON_MAX);
		memcpy(buf + 1, reason, n);
		buf[1 + n] = '\n';
		len += n + 1;
	}
	do
		r = send(*fd, buf, len, MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	close(*fd);
	*fd = -1;
}

void
daemon_ready(int *ready_fd)
{
	report(ready_fd, STATUS_OK, NULL);
}

void
daemon_fail(int *ready_fd, const char *reason)
{
	report(ready_fd, STATUS_FAIL, reason);
}

/*
 * The starting process: wait for the daemon's word (a status byte, then
 * for a failure a reason line), then exit with it.  A daemon that dies
 * first closes the pipe: that is a failure too.
 */
static void __attribute__((noreturn)) wait_ready(int fd, pid_t child)
{
	char	buf[1 + DAEMON_REASON_MAX + 2];
	size_t	len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (buf[0] == STATUS_OK || memchr(buf + 1, '\n', len - 1))
			break;
	}
	(void)waitpid(child, NULL, 0); /* the intermediate child, gone now */
	if (len >= 1 && buf[0] == STATUS_OK)
		exit(0);
	buf[len] = '\0';
	if (len <= 1)
		fprintf(stderr, "ftpd: the daemon exited during start-up\n");
	else
		fprintf(stderr, "ftpd: %.*s\n", (int)strcspn(buf + 1, "\n"),
		    buf + 1);
	exit(1);
}

static int
kept(int fd, const int *keep, size_t nkeep)
{
	size_t i;

	for (i = 0; i < nkeep; i++)
		if (keep[i] == fd)
			return 1;
	return 0;
}

/* Close every descriptor above 2 but the kept ones (closefrom(3) past them). */
static void
close_others(const int *keep, size_t nkeep)
{
	int    fd, top = 2;
	size_t i;

	for (i = 0; i < nkeep; i++)
		if (keep[i] > top)
			top = keep[i];
	for (fd = 3; fd < top; fd++)
		if (!kept(fd, keep, nkeep))
			(void)close(fd);
	closefrom(top + 1);
}

/* The daemon's own set-up after the second fork. */
static void
become_daemon(const int *keep, size_t nkeep, int ready)
{
	int  null, all[64];
	char why[DAEMON_REASON_MAX];

	if (nkeep >= sizeof(all) / sizeof(all[0]))
		nkeep = sizeof(all) / sizeof(all[0]) - 1;
	memcpy(all, keep, nkeep * sizeof(int));
	all[nkeep] = ready;
	close_others(all, nkeep + 1);
	umask(027);
	if (chdir("/") == -1 ||
	    (null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(why, sizeof(why), "cannot set up the daemon: %s",
		    strerror(errno));
		report(&ready, STATUS_FAIL, why);
		_exit(1);
	}
	(void)dup2(null, STDIN_FILENO);
	(void)dup2(null, STDOUT_FILENO);
	(void)dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);
}

int
daemonize(const int *keep, size_t nkeep, int *ready_fd)
{
	int   sv[2];
	pid_t pid;
	char  why[DAEMON_REASON_MAX];

	*ready_fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	fflush(NULL);
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid > 0) {
		close(sv[1]);
		wait_ready(sv[0], pid);
	}
	close(sv[0]);
	if (setsid() == -1 || (pid = fork()) == -1) {
		snprintf(why, sizeof(why), "cannot daemonize: %s",
		    strerror(errno));
		report(&sv[1], STATUS_FAIL, why);
		_exit(1);
	}
	if (pid > 0)
		_exit(0); /* the session leader goes: no terminal ever again */
	become_daemon(keep, nkeep, sv[1]);
	*ready_fd = sv[1];
	return 0;
}

/* The pid written in fd, 0 if none (yet). */
static pid_t
read_pid(int fd)
{
	char	    buf[32];
	ssize_t	    n;
	const char *errstr;
	long long   v;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	v = strtonum(buf, 1, INT32_MAX, &errstr);
	return errstr == NULL ? (pid_t)v : 0;
}

int
daemon_check(const char *path, pid_t *pid)
{
	int fd, state;

	*pid = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return errno == ENOENT ? DAEMON_NONE : -1;
	/* libbsd's pidfile_open holds flock(LOCK_EX) while the daemon runs. */
	if (flock(fd, LOCK_SH | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			close(fd);
			return -1;
		}
		state = DAEMON_RUNNING;
	} else
		state = DAEMON_STALE;
	*pid = read_pid(fd);
	close(fd); /* drops our shared lock too */
	return state;
}

int
daemon_alive(pid_t pid)
{
	char  path[64], buf[512], *p;
	FILE *fp;
	int   alive = 1;

	if (pid <= 0 || (kill(pid, 0) == -1 && errno == ESRCH))
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : 1;
	if (fgets(buf, sizeof(buf), fp) != NULL &&
	    (p = strrchr(buf, ')')) != NULL && p[1] == ' ' &&
	    (p[2] == 'Z' || p[2] == 'X'))
		alive = 0;
	fclose(fp);
	return alive;
}
