/*
 * main.c: ftpd's command line (doc: ftpd(8)): start, stop, restart,
 * status [--json], reload, reopen, keygen, fingerprint, user (usercmd.c),
 * -f (foreground) and -t (check the config); the commands for a running
 * daemon are in command.c, and
 * every command reads the config first, so that a reload of a broken file
 * is refused here, before the daemon hears of it.  It is the one
 * place that includes worker/worker.h: it hands worker_main to the master
 * as a callback, so server/ and worker/ never include each other.  The
 * commands print user-facing messages on stdout/stderr; once the master
 * runs, everything goes through common/log.h.  It must not start a daemon
 * before the config, the key and the pidfile lock are known to be good.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
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
#include "common/error.h"
#include "common/keyfile.h"
#include "common/log.h"
#include "daemonize/daemonize.h"
#include "server/command.h"
#include "server/master.h"
#include "worker/worker.h"

#define EXIT_USAGE   2
#define PIDFILE_MODE 0644

static struct config cfg;	 /* large: not on the stack */
static int	     from_stdin; /* --stdin: passwords on standard input */

static void __attribute__((noreturn)) usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: ftpd [-d dir] [-c file] [-v] start|stop|restart\n"
	    "       ftpd [-d dir] [-c file] status [--json]\n"
	    "       ftpd [-d dir] [-c file] reload|reopen\n"
	    "       ftpd [-d dir] [-c file] [-v] -f\n"
	    "       ftpd [-d dir] [-c file] -t\n"
	    "       ftpd [-d dir] [-c file] keygen [file]\n"
	    "       ftpd [-d dir] [-c file] fingerprint\n"
	    "       ftpd [-d dir] [-c file] [--stdin] user SUBCOMMAND ...\n"
	    "       ftpd [-d dir] [-c file] sandbox-test\n");
	exit(code);
}

/* The master's callback: build the worker's parameters and enter it. */
static void
run_worker(const struct config *c, const struct users_creds *cred, int ipc_fd,
    uint32_t generation)
{
	struct worker_params p;

	memset(&p, 0, sizeof(p));
	p.cfg = c;
	p.cred = cred;
	p.ipc_fd = ipc_fd;
	p.generation = generation;
	worker_main(&p);
}

static int
cmd_check(const struct master_opts *o)
{
	char file[PATH_MAX], err[1024];

	if (master_check(&cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err); /* -t: bare, as ftpd(8) says */
		return 1;
	}
	if (cfg.file[0] != '\0') {
		printf("%s: ok\n", cfg.file);
		return 0;
	}
	if (config_default_file(o->base, file, sizeof(file)) == -1)
		(void)strlcpy(file, "ftpd.conf", sizeof(file));
	printf("%s: ok (no such file: built-in defaults)\n", file);
	return 0;
}

/* Write a new key to file (refusing to overwrite); print its path. */
static int
keygen_one(const char *file)
{
	char err[512];

	if (master_make_parent(file) == -1) {
		warn("cannot create the folder of %s", file);
		return 1;
	}
	if (keyfile_generate(file, err, sizeof(err)) == -1) {
		warnx("%s", err);
		return 1;
	}
	printf("%s\n", file);
	return 0;
}

/*
 * keygen FILE: that shared secret.  keygen: the shared secret, and the
 * host key beside it when missing (either may exist already, not both).
 */
static int
cmd_keygen(const char *file)
{
	int have_secret = access(cfg.key_file, F_OK) == 0;

	if (file != NULL)
		return keygen_one(file);
	if (have_secret && access(cfg.host_key, F_OK) == 0)
		return keygen_one(cfg.key_file); /* says it exists */
	if (!have_secret && keygen_one(cfg.key_file) != 0)
		return 1;
	if (access(cfg.host_key, F_OK) == 0)
		return 0;
	return keygen_one(cfg.host_key);
}

static int
cmd_fingerprint(void)
{
	struct hostkey hk;
	char	       err[512], fp[HOSTKEY_FP_LEN];

	if (hostkey_load(cfg.host_key, &hk, err, sizeof(err)) != 0) {
		warnx("%s (run 'ftpd keygen')", err);
		return 1;
	}
	hostkey_fingerprint(hk.pk, fp, sizeof(fp));
	hostkey_wipe(&hk);
	printf("%s\n", fp);
	return 0;
}

static int
cmd_start(const struct master_opts *o)
{
	static struct worker_entry worker = { .run = run_worker };
	struct users_creds	   cred;
	struct pidfh		  *pfh;
	pid_t			   other = -1;
	char			   err[1024];
	int			   keep, ready = -1, r;

	log_init(cfg.debug || o->verbose, o->foreground);
	if (master_prepare(&cfg, &cred, err, sizeof(err)) == -1) {
		warnx("%s", err);
		return 1;
	}
	if ((r = worker_prepare()) != 0) {
		warnx("cannot build the workers' seccomp program: %s",
		    err_str(r));
		master_creds_free(&cred);
		return 1;
	}
	/* Before forking, so that "already running" is said here. */
	if ((pfh = pidfile_open(cfg.pidfile, PIDFILE_MODE, &other)) == NULL) {
		if (errno == EEXIST && other > 0)
			warnx("already running (pid %ld)", (long)other);
		else if (errno == EEXIST || errno == EINVAL)
			warnx("already running (%s is locked)", cfg.pidfile);
		else
			warn("cannot open pidfile %s", cfg.pidfile);
		master_creds_free(&cred);
		return 1;
	}
	if (!o->foreground) {
		keep = pidfile_fileno(pfh);
		if (daemonize(&keep, 1, &ready) == -1) {
			warn("cannot daemonize");
			pidfile_remove(pfh);
			master_creds_free(&cred);
			return 1;
		}
	}
	master_run(o, &cfg, &cred, pfh, ready, &worker);
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
run(const struct master_opts *o, const char *cmd, const char *arg, int json)
{
	if (cmd == NULL || strcmp(cmd, "start") == 0)
		return cmd_start(o);
	if (strcmp(cmd, "keygen") == 0)
		return cmd_keygen(arg);
	if (strcmp(cmd, "fingerprint") == 0)
		return cmd_fingerprint();
	if (strcmp(cmd, "sandbox-test") == 0)
		return worker_sandbox_test(&cfg);
	if (strcmp(cmd, "status") == 0)
		return command_status(&cfg, json);
	if (strcmp(cmd, "reload") == 0)
		return command_reload(&cfg); /* cfg checked like -t: main */
	if (strcmp(cmd, "reopen") == 0)
		return command_reopen(&cfg);
	if (strcmp(cmd, "stop") == 0)
		return command_stop(&cfg, 0) == 0 ? 0 : 1;
	/* restart */
	if (command_stop(&cfg, 1) == 2)
		return 1;
	return cmd_start(o);
}

static int
is_command(const char *cmd)
{
	static const char *const cmds[] = { "start", "stop", "restart",
		"status", "reload", "reopen", "keygen", "sandbox-test",
		"fingerprint" };
	size_t			 i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			return 1;
	return 0;
}

/* The forms of ftpd(8): a command, -f (optionally "start"), -t alone. */
static int
args_ok(const struct master_opts *o, int check, const char *cmd,
    const char *arg, int nargs, int json)
{
	if (nargs > 2 || (cmd != NULL && !is_command(cmd)))
		return 0;
	if (arg != NULL && strcmp(cmd, "keygen") != 0)
		return 0;
	if (json && (cmd == NULL || strcmp(cmd, "status") != 0))
		return 0;
	if (check)
		return cmd == NULL && !o->foreground;
	if (o->foreground)
		return cmd == NULL || strcmp(cmd, "start") == 0;
	return cmd != NULL;
}

/*
 * The config file does not load (err: "FILE:LINE: reason").  status, stop
 * and reopen go on with the defaults' pidfile, so that a daemon still
 * running on its old config can be seen and stopped; the rest stop here
 * (restart too: it must not stop a daemon it cannot start again).
 * Returns 0 to go on, -1 to exit 1.
 */
static int
bad_config(int check, const char *cmd, const char *err)
{
	if (check) {
		fprintf(stderr, "%s\n", err); /* -t: bare, as ftpd(8) says */
		return -1;
	}
	if (cmd != NULL &&
	    (strcmp(cmd, "status") == 0 || strcmp(cmd, "stop") == 0 ||
		strcmp(cmd, "reopen") == 0)) {
		warnx("%s (using the default pidfile %s)", err, cfg.pidfile);
		return 0;
	}
	warnx("%s%s", err,
	    cmd != NULL && strcmp(cmd, "reload") == 0
		? " (not reloaded: the daemon keeps its configuration)"
		: "");
	return -1;
}

/* "status --json" (getopt_long permutes it in front of "status"). */
static const struct option longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "stdin", no_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Make sure descriptors 0, 1 and 2 are open (on /dev/null if need be), so
 * no file we open later (the pidfile, a log) takes their place and is then
 * written to by accident or replaced by daemonize (after OpenSSH misc.c).
 */
static void
sanitise_stdfd(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1 && fd <= 2)
		(void)fcntl(fd, F_SETFD, 0); /* stdio stays open across exec */
	if (fd > 2)
		close(fd);
}

/*
 * The options into o, *check (-t) and *json (--json); base holds -d's
 * absolute form (PATH_MAX bytes).  Returns optind; exits on a bad option.
 */
static int
parse_options(int argc, char *argv[], struct master_opts *o, int *check,
    int *json, char *base)
{
	int ch;

	while (
	    (ch = getopt_long(argc, argv, "c:d:fhtv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			*json = 1;
			break;
		case 's':
			from_stdin = 1;
			break;
		case 'c':
			o->conf = optarg;
			break;
		case 'd':
			o->base = absolute_dir(optarg, base, PATH_MAX);
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'h':
			usage(0);
		case 't':
			*check = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		default:
			usage(EXIT_USAGE);
		}
	}
	return optind;
}

int
main(int argc, char *argv[])
{
	struct master_opts o;
	char		   base[PATH_MAX], err[1024];
	const char	  *cmd = NULL, *arg = NULL;
	int		   n, check = 0, json = 0;

	sanitise_stdfd();
	memset(&o, 0, sizeof(o));
	n = parse_options(argc, argv, &o, &check, &json, base);
	argc -= n;
	argv += n;
	if (argc > 0)
		cmd = argv[0];
	if (argc > 1)
		arg = argv[1];
	if (cmd != NULL && strcmp(cmd, "user") == 0 && !check && !json &&
	    !o.foreground) {
		if (master_load(&o, &cfg, err, sizeof(err)) == -1)
			errx(1, "%s", err);
		return command_user(&cfg, argc - 1, argv + 1, from_stdin);
	}
	if (from_stdin || !args_ok(&o, check, cmd, arg, argc, json))
		usage(EXIT_USAGE);
	if (master_load(&o, &cfg, err, sizeof(err)) == -1 &&
	    bad_config(check, cmd, err) == -1)
		return 1;
	if (check)
		return cmd_check(&o);
	return run(&o, cmd, arg, json);
}
