/*
 * main.c: ftpd's command line (doc: ftpd(8)): start, stop, restart,
 * status, keygen, -f (foreground) and -t (check the config).  It is the one
 * place that includes worker/worker.h: it hands worker_main to the master
 * as a callback, so server/ and worker/ never include each other.  The
 * commands print user-facing messages on stdout/stderr; once the master
 * runs, everything goes through common/log.h.  It must not start a daemon
 * before the config, the key and the pidfile lock are known to be good.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/libutil.h>
#include <bsd/string.h>
#include <sodium.h>

#include "common/config.h"
#include "common/keyfile.h"
#include "common/log.h"
#include "daemonize/daemonize.h"
#include "server/control.h"
#include "server/master.h"
#include "worker/worker.h"

#define EXIT_USAGE	  2
#define STOP_POLL_MS	  50
#define STOP_GRACE_S	  10 /* beyond shutdown_timeout */
#define STATUS_TIMEOUT_MS 5000
#define PIDFILE_MODE	  0644

/* LSB status codes (LSB 3.1, Init Script Actions). */
#define LSB_RUNNING 0
#define LSB_DEAD    1
#define LSB_STOPPED 3
#define LSB_UNKNOWN 4

static struct config cfg; /* large: not on the stack */

static void __attribute__((noreturn)) usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: ftpd [-d dir] [-c file] [-v] start|stop|restart|status\n"
	    "       ftpd [-d dir] [-c file] [-v] -f\n"
	    "       ftpd [-d dir] [-c file] -t\n"
	    "       ftpd [-d dir] [-c file] keygen [file]\n");
	exit(code);
}

/* The master's callback: build the worker's parameters and enter it. */
static void
run_worker(const struct config *c, const uint8_t *secret, int ipc_fd,
    uint32_t generation)
{
	struct worker_params p;

	memset(&p, 0, sizeof(p));
	p.cfg = c;
	p.secret = secret;
	p.ipc_fd = ipc_fd;
	p.generation = generation;
	worker_main(&p);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
cmd_check(const struct master_opts *o)
{
	char file[PATH_MAX];

	if (cfg.file[0] != '\0') {
		printf("%s: ok\n", cfg.file);
		return 0;
	}
	if (config_default_file(o->base, file, sizeof(file)) == -1)
		(void)strlcpy(file, "ftpd.conf", sizeof(file));
	printf("%s: ok (no such file: built-in defaults)\n", file);
	return 0;
}

static int
cmd_keygen(const char *file)
{
	char err[512];

	if (file == NULL)
		file = cfg.key_file;
	if (master_make_parent(file) == -1) {
		fprintf(stderr, "ftpd: cannot create the folder of %s: %s\n",
		    file, strerror(errno));
		return 1;
	}
	if (keyfile_generate(file, err, sizeof(err)) == -1) {
		fprintf(stderr, "ftpd: %s\n", err);
		return 1;
	}
	printf("%s\n", file);
	return 0;
}

static int
cmd_start(const struct master_opts *o)
{
	static const struct master_worker worker = { run_worker };
	uint8_t				  secret[KEYFILE_BYTES];
	struct pidfh			 *pfh;
	pid_t				  other = -1;
	char				  err[1024];
	int				  keep, ready = -1;

	log_init(cfg.debug || o->verbose, o->foreground);
	if (master_prepare(&cfg, secret, err, sizeof(err)) == -1) {
		fprintf(stderr, "ftpd: %s\n", err);
		return 1;
	}
	/* Before forking, so that "already running" is said here. */
	if ((pfh = pidfile_open(cfg.pidfile, PIDFILE_MODE, &other)) == NULL) {
		if (errno == EEXIST && other > 0)
			fprintf(stderr, "ftpd: already running (pid %ld)\n",
			    (long)other);
		else if (errno == EEXIST || errno == EINVAL)
			fprintf(stderr,
			    "ftpd: already running (%s is locked)\n",
			    cfg.pidfile);
		else
			fprintf(stderr, "ftpd: cannot open pidfile %s: %s\n",
			    cfg.pidfile, strerror(errno));
		sodium_memzero(secret, sizeof(secret));
		return 1;
	}
	if (!o->foreground) {
		keep = pidfile_fileno(pfh);
		if (daemonize(&keep, 1, &ready) == -1) {
			fprintf(stderr, "ftpd: cannot daemonize: %s\n",
			    strerror(errno));
			pidfile_remove(pfh);
			sodium_memzero(secret, sizeof(secret));
			return 1;
		}
	}
	master_run(o, &cfg, secret, pfh, ready, &worker);
}

/* The running daemon's pid from a locked pidfile, waiting for a new one. */
static pid_t
locked_pid(pid_t pid)
{
	int i;

	for (i = 0; pid <= 0 && i < 40; i++) {
		sleep_ms(STOP_POLL_MS);
		if (daemon_check(cfg.pidfile, &pid) != DAEMON_RUNNING)
			return 0;
	}
	return pid;
}

/* Returns 0 stopped, 1 not running, 2 failure. */
static int
stop_daemon(int quiet)
{
	struct pidfh *pfh;
	pid_t	      pid = -1;
	char	      sock[PATH_MAX];
	long	      waited = 0, limit;

	if ((pfh = pidfile_open(cfg.pidfile, PIDFILE_MODE, &pid)) != NULL ||
	    errno == ENOENT) {
		/* Nobody holds the lock: any file left is stale. */
		pidfile_remove(pfh);
		if (pfh != NULL &&
		    control_path(cfg.pidfile, sock, sizeof(sock)) == 0)
			(void)unlink(sock);
		if (!quiet)
			fprintf(stderr, "ftpd: not running\n");
		return 1;
	}
	if (errno != EEXIST && errno != EINVAL) {
		fprintf(stderr, "ftpd: cannot open pidfile %s: %s\n",
		    cfg.pidfile, strerror(errno));
		return 2;
	}
	if ((pid = locked_pid(pid)) <= 0) {
		fprintf(stderr, "ftpd: %s holds no pid\n", cfg.pidfile);
		return 2;
	}
	if (kill(pid, SIGTERM) == -1 && errno != ESRCH) {
		fprintf(stderr, "ftpd: cannot signal pid %ld: %s\n", (long)pid,
		    strerror(errno));
		return 2;
	}
	limit = ((long)cfg.shutdown_timeout + STOP_GRACE_S) * 1000;
	while (daemon_alive(pid)) {
		if (waited >= limit) {
			fprintf(stderr,
			    "ftpd: pid %ld still running after %ld "
			    "s\n",
			    (long)pid, limit / 1000);
			return 2;
		}
		sleep_ms(STOP_POLL_MS);
		waited += STOP_POLL_MS;
	}
	return 0;
}

static int
cmd_status(void)
{
	char  sock[PATH_MAX], err[PATH_MAX + 128];
	pid_t pid;
	int   st;

	st = daemon_check(cfg.pidfile, &pid);
	if (st == -1) {
		fprintf(stderr, "ftpd: cannot read pidfile %s: %s\n",
		    cfg.pidfile, strerror(errno));
		return LSB_UNKNOWN;
	}
	if (st == DAEMON_NONE) {
		printf("ftpd is not running\n");
		return LSB_STOPPED;
	}
	if (st == DAEMON_STALE) {
		printf("ftpd is not running, but %s remains (pid %ld)\n",
		    cfg.pidfile, (long)pid);
		return LSB_DEAD;
	}
	if (pid <= 0 && (pid = locked_pid(pid)) <= 0) {
		printf("ftpd is not running\n"); /* it was starting, then not */
		return LSB_STOPPED;
	}
	printf("ftpd is running (pid %ld)\n", (long)pid);
	fflush(stdout);
	if (control_path(cfg.pidfile, sock, sizeof(sock)) == -1 ||
	    control_query(sock, "status\n", stdout, STATUS_TIMEOUT_MS, err,
		sizeof(err)) == -1)
		fprintf(stderr, "ftpd: %s\n", err);
	return LSB_RUNNING;
}

/* -d DIR as an absolute path: the daemon works from "/". */
static const char *
absolute_dir(const char *dir, char *buf, size_t size)
{
	char cwd[PATH_MAX];
	int  n;

	if (realpath(dir, buf) != NULL)
		return buf;
	if (dir[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return dir;
	n = snprintf(buf, size, "%s/%s", cwd, dir);
	return n < 0 || (size_t)n >= size ? dir : buf;
}

static int
run(const struct master_opts *o, const char *cmd, const char *arg)
{
	int r;

	if (cmd == NULL || strcmp(cmd, "start") == 0)
		return cmd_start(o);
	if (strcmp(cmd, "keygen") == 0)
		return cmd_keygen(arg);
	if (strcmp(cmd, "status") == 0)
		return cmd_status();
	if (strcmp(cmd, "stop") == 0)
		return stop_daemon(0) == 0 ? 0 : 1;
	/* restart */
	if ((r = stop_daemon(1)) == 2)
		return 1;
	return cmd_start(o);
}

static int
is_command(const char *cmd)
{
	return strcmp(cmd, "start") == 0 || strcmp(cmd, "stop") == 0 ||
	    strcmp(cmd, "restart") == 0 || strcmp(cmd, "status") == 0 ||
	    strcmp(cmd, "keygen") == 0;
}

/* The BRIEF's forms: a command, -f (optionally "start"), -t alone. */
static int
args_ok(const struct master_opts *o, int check, const char *cmd,
    const char *arg, int nargs)
{
	if (nargs > 2 || (cmd != NULL && !is_command(cmd)))
		return 0;
	if (arg != NULL && strcmp(cmd, "keygen") != 0)
		return 0;
	if (check)
		return cmd == NULL && !o->foreground;
	if (o->foreground)
		return cmd == NULL || strcmp(cmd, "start") == 0;
	return cmd != NULL;
}

int
main(int argc, char *argv[])
{
	struct master_opts o;
	char		   base[PATH_MAX], err[1024];
	const char	  *cmd = NULL, *arg = NULL;
	int		   ch, check = 0;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt(argc, argv, "c:d:fhtv")) != -1) {
		switch (ch) {
		case 'c':
			o.conf = optarg;
			break;
		case 'd':
			o.base = absolute_dir(optarg, base, sizeof(base));
			break;
		case 'f':
			o.foreground = 1;
			break;
		case 'h':
			usage(0);
		case 't':
			check = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0)
		cmd = argv[0];
	if (argc > 1)
		arg = argv[1];
	if (!args_ok(&o, check, cmd, arg, argc))
		usage(EXIT_USAGE);
	if (master_load(&o, &cfg, err, sizeof(err)) == -1) {
		/* -t prints the bare "FILE:LINE: reason" (ftpd(8)). */
		fprintf(stderr, "%s%s\n", check ? "" : "ftpd: ", err);
		return 1;
	}
	if (check)
		return cmd_check(&o);
	return run(&o, cmd, arg);
}
