/*
 * usage.c: what ftpc says about its own use: the usage line, the --help
 * text (also the shell's "help"), and the one mapping from an error code
 * to an exit status (ftpc.h has the table).  This file must not parse
 * arguments nor speak the protocol.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/error.h"
#include "client/ftpc.h"

static const char usage_text[] =
    "usage: ftpc [-Cqv] [-c config] [-H host] [-k keyfile] [-p port] "
    "[-b batchfile]\n"
    "            [-u user [-i identity]] [--password-file file] "
    "[--accept-new]\n"
    "            [command [option ...] [arg ...]]\n"
    "       ftpc keygen [file]\n";

static const char help_commands[] =
    "\n"
    "commands (options may come before or after the operands; -- ends "
    "them):\n"
    "  put [-rLpn] LOCAL... [REMOTE]  upload; REMOTE may be a folder\n"
    "               (existing, or ending in '/'), else the new name of "
    "one file\n"
    "  get [-rpfnC] REMOTE... [LOCAL] download; LOCAL may be a folder "
    "(default .)\n"
    "  ls [-lh1] [--json] [PATH...] list folders, files or glob matches\n"
    "  stat PATH...              type, size, mode and mtime of entries\n"
    "  rm [-rf] PATH...          remove files (-r: trees)\n"
    "  mkdir [-p] PATH...        create folders (-p: parents, no error if "
    "there)\n"
    "  rmdir PATH...             remove empty folders\n"
    "  mv FROM TO                rename; into TO if it is a folder or ends "
    "in '/'\n"
    "  shell                     interactive session (the default on a "
    "terminal)\n"
    "  keygen [FILE]             make an Ed25519 identity for -i (default\n"
    "                            $XDG_CONFIG_HOME/ftpc/id_ed25519)\n"
    "  shell only: cd, pwd, lcd, lpwd, !COMMAND, help, exit\n"
    "\n"
    "command options:\n"
    "  -r, --recursive   whole trees (put, get, rm)\n"
    "  -L, --dereference put: follow symbolic links in local trees\n"
    "  -p, --preserve    put, get: keep mtimes and modes (mkdir: "
    "--parents)\n"
    "  -f, --force       get: replace existing local files (rm: ignore "
    "missing)\n"
    "  -n, --no-clobber  never replace an existing file (put, get)\n"
    "  -l, -h, -1, --json  ls: long (default), human sizes, names only, "
    "JSON\n"
    "  Quoted remote patterns (*, ?, [...]) in the last component are\n"
    "  matched by ftpc against the folder's listing.\n";

static const char help_options[] =
    "\n"
    "options:\n"
    "  -H, --host HOST  alias, name, HOST:PORT or ftpc://[USER@]HOST[:PORT]"
    "/PATH\n"
    "  -p, --port PORT  server port (default 2121; --port after a "
    "command)\n"
    "  -k, --key FILE   shared secret (default $XDG_CONFIG_HOME/ftpc/"
    "secret.key)\n"
    "  -u, --user USER  log in to the account USER (password from the "
    "terminal)\n"
    "  -i, --identity FILE  log in with this Ed25519 key (ftpc keygen)\n"
    "  --password-file FILE  read the password from FILE's first line\n"
    "  --accept-new     record a server's new host key without asking\n"
    "  -c, --config FILE  configuration file (default "
    "$XDG_CONFIG_HOME/ftpc/config)\n"
    "  -b, --batch FILE run the commands in FILE ('-': stdin)\n"
    "  -C, --continue   get: keep a failed download in .NAME.ftpc-part "
    "and resume\n"
    "  --digest ALG     xxh3-128 (default) or blake2b-256\n"
    "  --connect-timeout S  connect and handshake (default 10)\n"
    "  --timeout S      each network read or write (default 60)\n"
    "  --retry N        N more connection attempts, with backoff\n"
    "  --limit-rate R   bytes per second (suffix K, M, G)\n"
    "  --parallel N     connections for tree transfers (default 1)\n"
    "  -q, --quiet      no progress;  -v, --verbose  debug messages\n"
    "  --help           this text;  -V, --version  print the version\n";

static const char help_exit[] =
    "\n"
    "Settings: flags, then FTPC_HOST, FTPC_PORT, FTPC_KEY, FTPC_CONFIG, "
    "then the\n"
    "configuration file (key = value lines, and [Host ALIAS] blocks with "
    "host,\n"
    "port, key, user, identity, accept_new), then defaults.\n"
    "\n"
    "exit codes:\n"
    "  0  success\n"
    "  1  the server refused an operation (not found, exists, bad "
    "path...)\n"
    "  2  usage error\n"
    "  3  connection: cannot connect, connection lost, protocol error,\n"
    "     server busy\n"
    "  4  authentication failed (wrong key, user or password)\n"
    "  5  local input or output error\n"
    "  6  integrity: a whole-file digest did not match\n"
    "  7  the server's host key changed (or its signature is bad)\n"
    "  8  a new host key was not accepted (no terminal: --accept-new)\n"
    "  130  interrupted (Ctrl-C)\n";

int
ftpc_exit(int err)
{
	switch (-err) {
	case 0:
		return FTPC_EXIT_OK;
	case ERR_EOF:
	case ERR_TIMEOUT:
	case ERR_CRYPTO:
	case ERR_PROTOCOL:
	case ERR_BUSY:
		return FTPC_EXIT_CONN;
	case ERR_AUTH:
		return FTPC_EXIT_AUTH;
	case ERR_SYSTEM:
	case ERR_NOMEM:
		return FTPC_EXIT_LOCAL;
	case ERR_DIGEST:
		return FTPC_EXIT_INTEGRITY;
	case FTPC_ERR_USAGE:
		return FTPC_EXIT_USAGE;
	case FTPC_ERR_INTR:
		return FTPC_EXIT_INTR;
	case FTPC_ERR_HOSTKEY:
		return FTPC_EXIT_HOSTKEY;
	case FTPC_ERR_UNKNOWN_HOST:
		return FTPC_EXIT_UNKNOWN_HOST;
	default:
		return FTPC_EXIT_REMOTE;
	}
}

int
ftpc_fail(struct ftpc *c, int err)
{
	if (c->status == 0)
		c->status = err;
	return err;
}

int
usage_msg(const char *why)
{
	if (why != NULL)
		warnx("%s", why);
	fputs(usage_text, stderr);
	return -FTPC_ERR_USAGE;
}

void
usage_error(const char *why)
{
	if (why != NULL) /* NULL: usage_msg said it already */
		(void)usage_msg(why);
	fputs("Try 'ftpc --help' for more.\n", stderr);
	exit(FTPC_EXIT_USAGE);
}

void
usage_help(void)
{
	fputs(usage_text, stdout);
	fputs(help_commands, stdout);
	fputs(help_options, stdout);
	fputs(help_exit, stdout);
}
