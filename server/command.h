/*
 * command.h: the ftpd commands that act on a running daemon (ftpd(8)):
 * stop (SIGTERM), status, reload and reopen (the control socket, see
 * control.h, with a signal as the fallback).  They run in the command's
 * own process and print user-facing messages on stdout and stderr.
 */
#ifndef FTPD_COMMAND_H
#define FTPD_COMMAND_H

#include "common/config.h"

/* LSB status codes (LSB 3.1, Init Script Actions). */
#define LSB_RUNNING 0
#define LSB_DEAD    1
#define LSB_STOPPED 3
#define LSB_UNKNOWN 4
/* Running, but no worker ready to serve (LSB 150-199: for applications). */
#define STATUS_DEGRADED 150

/*
 * command_stop: SIGTERM to the daemon of cfg->pidfile, then wait (at most
 * shutdown_timeout + 10 s) for it to exit; a stale pidfile and control
 * socket are removed.  quiet: no "not running" message.  Returns 0
 * stopped, 1 not running, 2 failure (said on stderr).
 */
int command_stop(const struct config *cfg, int quiet);

/*
 * command_status: "ftpd is running (pid N)" and the master's answer to
 * "status"; with json, only the answer to "status json" (one JSON object,
 * or {"running":false...} when not running).  Returns an LSB code:
 * 0 running, 1 pidfile left by a dead daemon, 3 not running, 4 unknown,
 * STATUS_DEGRADED (150) running but no worker ready to serve.
 */
int command_status(const struct config *cfg, int json);

/*
 * command_reload: ask the daemon to re-read its config (the caller has
 * already checked it, as -t does) and print "reloaded (generation N)";
 * when the control socket cannot be reached, send SIGHUP and say so.
 * Returns 0, or 1 (not running, refused: the reason on stderr).
 */
int command_reload(const struct config *cfg);

/*
 * command_reopen: ask the daemon to reopen its log files (SIGUSR1 when
 * the control socket cannot be reached) and confirm.  Returns 0, or 1
 * (not running, failed: the reason on stderr).
 */
int command_reopen(const struct config *cfg);

/*
 * command_user: `ftpd user SUB ...` (usercmd.c): argv[0] is the
 * subcommand (add, del, passwd, set, key, list, show, recount).
 * from_stdin: passwords are one line of standard input (--stdin), else
 * asked on the terminal.  Returns the exit status: 0, 1 (refused or
 * failed, said on stderr; the users file unchanged), 2 (usage).
 */
int command_user(const struct config *cfg, int argc, char **argv,
    int from_stdin);

/* command_user_usage: the user commands' usage on stderr.  Returns -1. */
int command_user_usage(void);

/*
 * command_user_list: one line per account ("NAME enabled|disabled PERMS
 * /HOME"); command_user_show: an account's fields (never its hash) and its
 * usage; command_user_recount: rewrite the usage record of name (NULL:
 * every account) from the regular files beneath its home and print it.
 * In usershow.c.  Each returns the exit status, 0 or 1.
 */
int command_user_list(const struct config *cfg);
int command_user_show(const struct config *cfg, const char *name);
int command_user_recount(const struct config *cfg, const char *name);

/*
 * command_user_reload: after a change, when the daemon runs: with ask and
 * a terminal, offer to reload it (command_reload); else say how to.
 */
void command_user_reload(const struct config *cfg, int ask);

#endif
