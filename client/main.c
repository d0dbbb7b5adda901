/*
 * main.c: ftpc's command line (ftpc(1)): options, the settings from flags,
 * environment, configuration file and defaults (in that order of
 * precedence), the key, and the dispatch of one command over one
 * connection.  Arguments are checked before anything is connected, so a
 * usage error (exit 2) never touches the network.  This file must not
 * speak the protocol itself; conn.c, xfer.c and remote.c do.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "common/error.h"
#include "common/keyfile.h"
#include "common/log.h"
#include "common/xdg.h"
#include "client/ftpc.h"

#define FTPC_VERSION "1.0"

struct cmd {
	const char *name;
	int	    min, max; /* argument count, max -1: any */
	int (*fn)(struct ftpc *, int, char **);
};

static const struct cmd cmds[] = {
	{ "put", 1, -1, xfer_put },
	{ "get", 1, -1, get_files },
	{ "ls", 0, 1, remote_ls },
	{ "stat", 1, 1, remote_stat },
	{ "rm", 1, -1, remote_rm },
	{ "mkdir", 1, -1, remote_mkdir },
	{ "rmdir", 1, -1, remote_rmdir },
	{ "mv", 2, 2, remote_mv },
};

/* Settings read from the configuration file. */
struct cfgfile {
	const char *path;
	char	    host[256];
	char	    port[16];
	char	    key[PATH_MAX];
	char	    err[128]; /* why a line was refused */
};

static const char usage_text[] =
    "usage: ftpc [-Cqv] [-c config] [-H host] [-k keyfile] [-p port] "
    "command [arg ...]\n";

static const char help_text[] =
    "\n"
    "commands:\n"
    "  put LOCAL... [REMOTE]   upload; REMOTE may be a folder (existing, or\n"
    "                          ending in '/'), else the new name of one file\n"
    "  get REMOTE... [LOCAL]   download; LOCAL may be a folder (default: .)\n"
    "  ls [PATH]               list a remote folder\n"
    "  stat PATH               show type, size, mode and mtime of an entry\n"
    "                          (and with --digest, the content's digest)\n"
    "  rm PATH...              remove remote files\n"
    "  mkdir PATH...           create remote folders\n"
    "  rmdir PATH...           remove empty remote folders\n"
    "  mv FROM TO              rename; an existing TO is not replaced\n"
    "\n"
    "options:\n"
    "  -H host      server name or address (default 127.0.0.1)\n"
    "  -p port      server port (default 2121)\n"
    "  -k keyfile   shared secret (default $XDG_CONFIG_HOME/ftpc/secret.key)\n"
    "  -c config    configuration file (default $XDG_CONFIG_HOME/ftpc/config)\n"
    "  -C, --continue\n"
    "               get: keep a failed download in .NAME.ftpc-part beside\n"
    "               the target, and continue from such a file\n"
    "  --digest ALG whole-file digest of put, get and stat: xxh3-128\n"
    "               (default) or blake2b-256\n"
    "  -q           no progress bar\n"
    "  -v           debug messages\n"
    "  -h, --help   this text;  -V, --version  print the version\n"
    "\n"
    "The configuration file holds \"key = value\" lines with the keys host,\n"
    "port and key.  Environment: FTPC_HOST, FTPC_PORT, FTPC_KEY, FTPC_CONFIG;\n"
    "XDG_CONFIG_HOME defaults to ~/.config.  Flags win over the environment,\n"
    "which wins over the configuration file.  A leading '/' in a remote path\n"
    "is ignored.\n"
    "\n"
    "exit codes:\n"
    "  0  success\n"
    "  1  the server refused an operation (not found, exists, bad path...)\n"
    "  2  usage error\n"
    "  3  connection: cannot connect, connection lost, protocol error,\n"
    "     server busy\n"
    "  4  authentication failed (wrong key)\n"
    "  5  local input or output error\n"
    "  6  integrity: a whole-file digest did not match\n";

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

static void usage_error(const char *) __attribute__((noreturn));

static void
usage_error(const char *why)
{
	if (why != NULL)
		warnx("%s", why);
	fputs(usage_text, stderr);
	fputs("Try 'ftpc --help' for more.\n", stderr);
	exit(FTPC_EXIT_USAGE);
}

/* default_path: the per-user file ftpc/FILE (common/xdg.h's rule). */
static int
default_path(const char *file, char *out, size_t outlen)
{
	char sub[64];
	int  n;

	n = snprintf(sub, sizeof(sub), "ftpc/%s", file);
	if (n < 0 || (size_t)n >= sizeof(sub))
		return -1;
	return xdg_dir(out, outlen, "XDG_CONFIG_HOME", ".config", sub);
}

/* check_port: 1..65535.  0 or -1. */
static int
check_port(const char *s)
{
	const char *e = NULL;

	(void)strtonum(s, 1, 65535, &e);
	return e == NULL ? 0 : -1;
}

/* config_key: a relative key path is taken from the config file's folder. */
static int
config_key(struct cfgfile *f, const char *value)
{
	char dir[PATH_MAX];
	int  n;

	if (value[0] == '/' || strchr(f->path, '/') == NULL)
		return strlcpy(f->key, value, sizeof(f->key)) < sizeof(f->key)
		    ? 1
		    : 0;
	strlcpy(dir, f->path, sizeof(dir));
	*strrchr(dir, '/') = '\0';
	n = snprintf(f->key, sizeof(f->key), "%s/%s", dir[0] ? dir : "/",
	    value);
	return n >= 0 && (size_t)n < sizeof(f->key);
}

/* config_line: inih handler.  Returns 1, or 0 with the reason in f->err. */
static int
config_line(void *user, const char *section, const char *name,
    const char *value)
{
	struct cfgfile *f = user;
	int		ok;

	(void)section;
	if (strcmp(name, "host") == 0)
		ok = value[0] != '\0' &&
		    strlcpy(f->host, value, sizeof(f->host)) < sizeof(f->host);
	else if (strcmp(name, "port") == 0)
		ok = check_port(value) == 0 &&
		    strlcpy(f->port, value, sizeof(f->port)) < sizeof(f->port);
	else if (strcmp(name, "key") == 0)
		ok = value[0] != '\0' && config_key(f, value);
	else {
		snprintf(f->err, sizeof(f->err), "unknown key \"%s\"", name);
		return 0;
	}
	if (!ok)
		snprintf(f->err, sizeof(f->err), "bad value for %s", name);
	return ok;
}

/*
 * config_read: read path into f.  A missing file is fine when it was not
 * named by the user (optional).  Exits 5 if it cannot be read, 2 on a bad
 * line.
 */
static void
config_read(struct cfgfile *f, const char *path, int optional)
{
	int r;

	f->path = path;
	errno = 0;
	r = ini_parse(path, config_line, f);
	if (r == -1 && optional && errno == ENOENT)
		return;
	if (r == -1)
		errx(FTPC_EXIT_LOCAL, "cannot read config %s: %s", path,
		    errno ? strerror(errno) : "open failed");
	if (r != 0)
		errx(FTPC_EXIT_USAGE, "%s:%d: %s", path, r,
		    f->err[0] ? f->err : "syntax error");
}

static const char *
pick(const char *flag, const char *env, const char *file, const char *def)
{
	const char *e = getenv(env);

	if (flag != NULL)
		return flag;
	if (e != NULL && e[0] != '\0')
		return e;
	return file[0] != '\0' ? file : def;
}

/*
 * settings: host, port and key path from flags (fl: NULL when not given),
 * environment, configuration file and defaults.  Exits on an error.
 */
static void
settings(struct ftpc *c, const char *fl[4], char *key, size_t keylen)
{
	static struct cfgfile f;
	char		      cfg[PATH_MAX], def[PATH_MAX];
	const char	     *k;

	if (pick(fl[3], "FTPC_CONFIG", "", NULL) != NULL)
		config_read(&f, pick(fl[3], "FTPC_CONFIG", "", NULL), 0);
	else if (default_path("config", cfg, sizeof(cfg)) == 0)
		config_read(&f, cfg, 1);
	if (strlcpy(c->host, pick(fl[0], "FTPC_HOST", f.host, "127.0.0.1"),
		sizeof(c->host)) >= sizeof(c->host))
		usage_error("host name too long");
	if (strlcpy(c->port, pick(fl[1], "FTPC_PORT", f.port, "2121"),
		sizeof(c->port)) >= sizeof(c->port) ||
	    check_port(c->port) == -1)
		usage_error("port must be a number from 1 to 65535");
	if (default_path("secret.key", def, sizeof(def)) == -1)
		def[0] = '\0';
	k = pick(fl[2], "FTPC_KEY", f.key, def);
	if (k[0] == '\0' || strlcpy(key, k, keylen) >= keylen)
		usage_error("no usable key file path");
}

static const struct cmd *
find_cmd(const char *name, int nargs, char **args)
{
	size_t i;
	int    j;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0)
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		usage_error("unknown command");
	if (nargs < cmds[i].min || (cmds[i].max >= 0 && nargs > cmds[i].max))
		usage_error("wrong number of arguments");
	for (j = 0; j < nargs; j++) {
		if (args[j][0] == '\0')
			usage_error("empty argument");
		if (strlen(args[j]) >= PATH_MAX)
			usage_error("argument too long");
	}
	return &cmds[i];
}

/* --digest ALG: the whole-file digest of transfers and stat. */
static void
set_digest(struct ftpc *c, const char *alg)
{
	if ((c->digest = digest_by_name(alg, strlen(alg))) < 0)
		usage_error("--digest: xxh3-128 or blake2b-256");
	c->digest_set = 1;
}

/* parse_flags: getopt; fl[] gets -H -p -k -c.  Returns optind. */
static int
parse_flags(int argc, char **argv, struct ftpc *c, const char *fl[4],
    int *verbose)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "continue", no_argument, NULL, 'C' },
		{ "digest", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	static const char slots[] = "Hpkc"; /* fl[] in this order */
	const char	 *slot;
	int		  ch;

	while ((ch = getopt_long(argc, argv, "+H:p:k:c:CqvhV", longopts,
		    NULL)) != -1) {
		if ((slot = strchr(slots, ch)) != NULL) {
			fl[slot - slots] = optarg;
			continue;
		}
		switch (ch) {
		case 'C':
			c->resume = 1;
			break;
		case 'd':
			set_digest(c, optarg);
			break;
		case 'q':
			c->quiet = 1;
			break;
		case 'v':
			*verbose = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			exit(0);
		case 'V':
			puts("ftpc " FTPC_VERSION);
			exit(0);
		default:
			usage_error(NULL);
		}
	}
	return optind;
}

/* run: connect, run cmd, say goodbye.  Returns the exit status. */
static int
run(struct ftpc *c, const struct cmd *cmd, int nargs, char **args,
    uint8_t key[KEYFILE_BYTES])
{
	int r;

	r = conn_open(c, key);
	sodium_memzero(key, KEYFILE_BYTES);
	/* PROTOCOL.md 4.10: the default digest only if the server offers it. */
	if (!c->digest_set && c->ch.peer_digests != 0 &&
	    !(c->ch.peer_digests & (1u << c->digest)))
		c->digest = DIGEST_BLAKE2B_256;
	if (r == 0)
		ftpc_fail(c, cmd->fn(c, nargs, args));
	else
		ftpc_fail(c, r);
	ftpc_fail(c, conn_close(c));
	return ftpc_exit(c->status);
}

int
main(int argc, char **argv)
{
	static struct ftpc c;
	const struct cmd  *cmd;
	const char	  *fl[4] = { NULL, NULL, NULL, NULL };
	char		   keypath[PATH_MAX], err[256];
	uint8_t		   key[KEYFILE_BYTES];
	int		   i, verbose = 0;

	signal(SIGPIPE, SIG_IGN);
	/* SECURITY: ftpc holds the shared secret: no core file, no ptrace. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	i = parse_flags(argc, argv, &c, fl, &verbose);
	log_init(verbose, 1);
	log_setprogname("ftpc");
	log_setrole("client");
	if (i >= argc)
		usage_error("no command given");
	cmd = find_cmd(argv[i], argc - i - 1, argv + i + 1);
	settings(&c, fl, keypath, sizeof(keypath));
	if (sodium_init() < 0)
		errx(FTPC_EXIT_LOCAL, "cannot initialise libsodium");
	if (keyfile_read(keypath, key, err, sizeof(err)) == -1)
		errx(FTPC_EXIT_LOCAL, "cannot read key: %s", err);
	c.umask = umask(0);
	umask(c.umask);
	c.progress = !c.quiet && isatty(STDERR_FILENO);
	c.fd = -1;
	if (!c.digest_set)
		c.digest = DIGEST_XXH3_128; /* PROTOCOL.md 4.10 */
	if ((c.iobuf = malloc(CHANNEL_DATA_CHUNK)) == NULL)
		errx(FTPC_EXIT_LOCAL, "%s", err_str(-ERR_NOMEM));
	partial_signals();
	i = run(&c, cmd, argc - i - 1, argv + i + 1, key);
	free(c.iobuf);
	return i;
}
