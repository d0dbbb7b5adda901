/*
 * command.c: the commands that act on a running daemon: stop (SIGTERM and
 * a bounded wait), status (text or JSON), reload and reopen.  The last
 * three ask the master over the control socket, which answers with the
 * outcome; a signal is the fallback when the socket cannot be reached.
 * This runs in the command's process: it prints on stdout and stderr,
 * never logs, and must not wait without a bound.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/libutil.h>
#include <bsd/string.h>

#include "common/json.h"
#include "daemonize/daemonize.h"
#include "server/command.h"
#include "server/control.h"

#define STOP_POLL_MS	  50
#define STOP_GRACE_S	  10 /* beyond shutdown_timeout */
#define STATUS_TIMEOUT_MS 5000
#define RELOAD_TIMEOUT_MS 30000 /* a reload resolves and binds addresses */
#define PIDFILE_MODE	  0644
#define FELL_BACK	  2 /* control_command: the signal was sent */

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The running daemon's pid from a locked pidfile, waiting for a new one. */
static pid_t
locked_pid(const char *pidfile, pid_t pid)
{
	int i;

	for (i = 0; pid <= 0 && i < 40; i++) {
		sleep_ms(STOP_POLL_MS);
		if (daemon_check(pidfile, &pid) != DAEMON_RUNNING)
			return 0;
	}
	return pid;
}

/* SIGTERM, then wait for pid to go.  Returns 0, or 2 (said why). */
static int
term_and_wait(const struct config *cfg, pid_t pid)
{
	long waited = 0, limit;

	if (kill(pid, SIGTERM) == -1 && errno != ESRCH) {
		warn("cannot signal pid %ld", (long)pid);
		return 2;
	}
	limit = ((long)cfg->shutdown_timeout + STOP_GRACE_S) * 1000;
	while (daemon_alive(pid)) {
		if (waited >= limit) {
			warnx("pid %ld still running after %ld s", (long)pid,
			    limit / 1000);
			return 2;
		}
		sleep_ms(STOP_POLL_MS);
		waited += STOP_POLL_MS;
	}
	return 0;
}

int
command_stop(const struct config *cfg, int quiet)
{
	struct pidfh *pfh;
	pid_t	      pid = -1;
	char	      sock[PATH_MAX];

	if ((pfh = pidfile_open(cfg->pidfile, PIDFILE_MODE, &pid)) != NULL ||
	    errno == ENOENT) {
		/* Nobody holds the lock: any file left is stale. */
		pidfile_remove(pfh);
		if (pfh != NULL &&
		    control_path(cfg->pidfile, sock, sizeof(sock)) == 0)
			(void)unlink(sock);
		if (!quiet)
			warnx("not running");
		return 1;
	}
	if (errno != EEXIST && errno != EINVAL) {
		warn("cannot open pidfile %s", cfg->pidfile);
		return 2;
	}
	if ((pid = locked_pid(cfg->pidfile, pid)) <= 0) {
		warnx("%s holds no pid", cfg->pidfile);
		return 2;
	}
	return term_and_wait(cfg, pid);
}

/*
 * The daemon's state: an LSB code, with *pid set when it runs (or the
 * stale pid).  Messages only for LSB_UNKNOWN.
 */
static int
daemon_state(const struct config *cfg, pid_t *pid)
{
	int st = daemon_check(cfg->pidfile, pid);

	if (st == -1) {
		warn("cannot read pidfile %s", cfg->pidfile);
		return LSB_UNKNOWN;
	}
	if (st == DAEMON_NONE)
		return LSB_STOPPED;
	if (st == DAEMON_STALE)
		return LSB_DEAD;
	if (*pid <= 0 && (*pid = locked_pid(cfg->pidfile, *pid)) <= 0)
		return LSB_STOPPED; /* it was starting, then not */
	return LSB_RUNNING;
}

/*
 * Send request over the control socket; *answer gets the reply (malloc'd,
 * NUL-terminated).  Returns 0, or -1 with the reason in err.
 */
static int
ask(const struct config *cfg, const char *request, int timeout_ms,
    char **answer, char *err, size_t errlen)
{
	char   sock[PATH_MAX];
	size_t len = 0;
	FILE  *fp;
	int    r;

	*answer = NULL;
	if (control_path(cfg->pidfile, sock, sizeof(sock)) == -1) {
		snprintf(err, errlen, "control socket path too long");
		return -1;
	}
	if ((fp = open_memstream(answer, &len)) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	r = control_query(sock, request, fp, timeout_ms, err, errlen);
	if (fclose(fp) != 0 && r == 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		r = -1;
	}
	if (r == -1) {
		free(*answer);
		*answer = NULL;
	}
	return r;
}

/* Not running, as JSON for scripts. */
static void
json_not_running(const struct config *cfg, int code, pid_t pid)
{
	fputs("{\"running\":false,\"pidfile\":", stdout);
	(void)json_cstr(stdout, cfg->pidfile);
	if (code == LSB_DEAD)
		printf(",\"stale_pid\":%ld", (long)pid);
	fputs("}\n", stdout);
}

static int
status_json(const struct config *cfg, int code, pid_t pid)
{
	char  err[PATH_MAX + 128];
	char *ans;

	if (code != LSB_RUNNING) {
		if (code != LSB_UNKNOWN)
			json_not_running(cfg, code, pid);
		return code;
	}
	if (ask(cfg, "status json\n", STATUS_TIMEOUT_MS, &ans, err,
		sizeof(err)) == -1) {
		warnx("%s", err);
		printf("{\"running\":true,\"pid\":%ld,\"error\":", (long)pid);
		(void)json_cstr(stdout, err);
		fputs("}\n", stdout);
		return LSB_RUNNING;
	}
	fputs(ans, stdout);
	code = strstr(ans, "\"degraded\":true") != NULL ? STATUS_DEGRADED
							: LSB_RUNNING;
	free(ans);
	return code;
}

int
command_status(const struct config *cfg, int json)
{
	char  err[PATH_MAX + 128];
	char *ans;
	pid_t pid = 0;
	int   code = daemon_state(cfg, &pid);

	if (json)
		return status_json(cfg, code, pid);
	if (code == LSB_STOPPED)
		printf("ftpd is not running\n");
	if (code == LSB_DEAD)
		printf("ftpd is not running, but %s remains (pid %ld)\n",
		    cfg->pidfile, (long)pid);
	if (code != LSB_RUNNING)
		return code;
	printf("ftpd is running (pid %ld)\n", (long)pid);
	if (ask(cfg, "status\n", STATUS_TIMEOUT_MS, &ans, err, sizeof(err)) ==
	    -1) {
		warnx("%s", err);
		return LSB_RUNNING;
	}
	fputs(ans, stdout);
	code = strncmp(ans, "degraded:", 9) == 0 ||
		strstr(ans, "\ndegraded:") != NULL
	    ? STATUS_DEGRADED
	    : LSB_RUNNING;
	free(ans);
	return code;
}

/* The control socket is out of reach: signal instead, and say so. */
static int
fall_back(pid_t pid, int sig, const char *what, const char *why)
{
	if (kill(pid, sig) == -1) {
		warn("%s; cannot send SIG%s to pid %ld", why, sigabbrev_np(sig),
		    (long)pid);
		return 1;
	}
	warnx("%s; sent SIG%s to pid %ld instead: the log says whether "
	      "the %s worked",
	    why, sigabbrev_np(sig), (long)pid, what);
	return FELL_BACK;
}

/*
 * Ask the running daemon for request.  Returns 0 on "ok" (what follows
 * "ok " into rest), FELL_BACK when sig was sent instead, or 1 (not
 * running, "error REASON", no answer: said on stderr).
 */
static int
control_command(const struct config *cfg, const char *request, int sig,
    const char *what, char *rest, size_t restlen)
{
	char  err[PATH_MAX + 128], *ans, *nl;
	pid_t pid = 0;
	int   code = daemon_state(cfg, &pid), r = 1;

	if (code != LSB_RUNNING) {
		if (code != LSB_UNKNOWN)
			warnx("not running");
		return 1;
	}
	if (ask(cfg, request, RELOAD_TIMEOUT_MS, &ans, err, sizeof(err)) == -1)
		return fall_back(pid, sig, what, err);
	if ((nl = strchr(ans, '\n')) != NULL)
		*nl = '\0';
	if (strcmp(ans, "ok") == 0 || strncmp(ans, "ok ", 3) == 0) {
		(void)strlcpy(rest, ans[2] != '\0' ? ans + 3 : "", restlen);
		r = 0;
	} else if (strncmp(ans, "error ", 6) == 0)
		warnx("%s refused: %s", what, ans + 6);
	else
		warnx("%s: unexpected answer \"%s\"", what, ans);
	free(ans);
	return r;
}

int
command_reload(const struct config *cfg)
{
	char rest[64];
	int  r;

	r = control_command(cfg, "reload\n", SIGHUP, "reload", rest,
	    sizeof(rest));
	if (r == 0 && strncmp(rest, "generation ", 11) == 0)
		printf("reloaded (generation %s)\n", rest + 11);
	else if (r == 0)
		printf("reloaded\n");
	return r == FELL_BACK ? 0 : r;
}

int
command_reopen(const struct config *cfg)
{
	char rest[64];
	int  r;

	r = control_command(cfg, "reopen\n", SIGUSR1, "log reopen", rest,
	    sizeof(rest));
	if (r == 0)
		printf("log files reopened\n");
	return r == FELL_BACK ? 0 : r;
}
