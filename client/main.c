/*
 * main.c: ftpc's entry: the options before the command, the command and
 * its own options (args.c), the server and key (hosts.c), then one
 * connection for the command, the shell (no command on a terminal, or
 * "shell") or a batch (-b FILE); "keygen" alone needs no server.  Arguments are checked before anything is
 * connected, so a usage error (exit 2) never touches the network.  This
 * file must not speak the protocol itself.
 */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "client/ftpc.h"

/* The Makefile reads the package version from this line: keep it alone. */
#define FTPC_VERSION "1.0"

const char ftpc_version[] = FTPC_VERSION;

/* What to run once connected. */
enum mode { MODE_CMD, MODE_SHELL, MODE_BATCH };

/* init: the defaults, before any option. */
static void
init(struct ftpc *c)
{
	c->fd = -1;
	c->report = -1;
	c->connect_sec = FTPC_CONNECT_SEC;
	c->timeout_sec = FTPC_TIMEOUT_SEC;
	c->parallel = 1;
	c->digest = DIGEST_XXH3_128; /* PROTOCOL.md 4.10 */
}

/* urls: ftpc:// operands name the server (hosts_operand). */
static void
urls(const struct call *call, const char *fl[5])
{
	int i;

	for (i = 0; i < call->argc; i++)
		if (hosts_operand(call->argv[i], fl) != 0)
			usage_error(NULL);
}

/* pick_mode: what the arguments ask for; exits on a usage error. */
static enum mode
pick_mode(struct ftpc *c, int argc, char **argv, const char *fl[5],
    struct call *call)
{
	int i = args_front(c, argc, argv, fl);

	log_init(c->verbose, 1);
	if (i < argc && strcmp(argv[i], "keygen") == 0) { /* no server */
		if (sodium_init() < 0)
			errx(FTPC_EXIT_LOCAL, "cannot initialise libsodium");
		exit(auth_keygen(argc - i, argv + i));
	}
	if (fl[4] != NULL) {
		if (i < argc)
			usage_error("-b takes no command");
		return MODE_BATCH;
	}
	if (i >= argc || strcmp(argv[i], "shell") == 0) {
		if (i < argc - 1)
			usage_error("shell takes no arguments");
		if (!isatty(STDIN_FILENO) && i >= argc)
			usage_error("no command given");
		return MODE_SHELL;
	}
	if (args_parse(c, argc - i, argv + i, fl, call) != 0)
		usage_error(NULL);
	urls(call, fl);
	return MODE_CMD;
}

/* run: connect, run what was asked, say goodbye.  The exit status. */
static int
run(struct ftpc *c, enum mode mode, const struct call *call, const char *batch)
{
	FILE *in = NULL;
	int   r, st;

	if (mode == MODE_BATCH && strcmp(batch, "-") != 0 &&
	    (in = fopen(batch, "re")) == NULL)
		err(FTPC_EXIT_LOCAL, "%s", batch);
	if ((r = conn_connect(c)) != 0) {
		if (in != NULL)
			fclose(in);
		(void)conn_close(c);
		return ftpc_exit(r);
	}
	if (mode == MODE_CMD)
		st = ftpc_exit(ftpc_fail(c, args_exec(c, call)));
	else
		st = shell_run(c, in ? in : stdin,
		    mode == MODE_SHELL && isatty(STDIN_FILENO));
	/* A reply to every request came: whatever the server says while
	 * the session closes (it may be shutting down) changes nothing. */
	(void)conn_close(c);
	if (in != NULL)
		fclose(in);
	return st;
}

int
main(int argc, char **argv)
{
	static struct ftpc c;
	struct call	   call;
	const char	  *fl[5] = { NULL, NULL, NULL, NULL, NULL };
	enum mode	   mode;
	int		   st;

	signal(SIGPIPE, SIG_IGN);
	/* SECURITY: ftpc holds the shared secret: no core file, no ptrace. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	log_setprogname("ftpc");
	log_setrole("client");
	init(&c);
	memset(&call, 0, sizeof(call));
	mode = pick_mode(&c, argc, argv, fl, &call);
	if (sodium_init() < 0)
		errx(FTPC_EXIT_LOCAL, "cannot initialise libsodium");
	hosts_settings(&c, fl);
	c.umask = umask(0);
	umask(c.umask);
	c.progress = !c.quiet && isatty(STDERR_FILENO);
	c.g.recursive = 0;
	if ((c.iobuf = malloc(CHANNEL_DATA_CHUNK)) == NULL)
		errx(FTPC_EXIT_LOCAL, "%s", err_str(-ERR_NOMEM));
	partial_signals();
	st = run(&c, mode, &call, fl[4]);
	sodium_memzero(c.key, sizeof(c.key));
	auth_wipe(&c);
	free(c.iobuf);
	return st;
}
