/*
 * args.c: ftpc's commands and their options, for the command line and the
 * shell alike.  One table of options says which command takes which
 * (getopt_long with GNU permutation: options before and after operands,
 * "--" ends them), and global options are accepted after the command too
 * unless the command uses the same letter (put -p is --preserve, the port
 * is then --port).  Arguments are checked here, before anything is sent.
 * This file must not speak the protocol: the commands' files do.
 */
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/libutil.h>
#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "common/error.h"
#include "common/log.h"
#include "client/ftpc.h"

/* Long-only options. */
enum {
	OPT_DIGEST = 256,
	OPT_CONNECT_TIMEOUT,
	OPT_TIMEOUT,
	OPT_RETRY,
	OPT_LIMIT_RATE,
	OPT_PARALLEL,
	OPT_JSON,
	OPT_PASSWORD_FILE,
	OPT_ACCEPT_NEW,
	OPT_SHADOW = 0x1000 /* + a global letter the command took */
};

/* One option: cmds NULL for a global one, else the commands taking it. */
struct optdef {
	const char *lname; /* long name, NULL for none */
	int	    arg;   /* no_argument or required_argument */
	int	    ch;	   /* short letter, or an OPT_* value */
	const char *cmds;  /* " put get " (spaces around each name) */
};

static const struct optdef optdefs[] = {
	{ "recursive", no_argument, 'r', " put get rm " },
	{ "dereference", no_argument, 'L', " put " },
	{ "preserve", no_argument, 'p', " put get " },
	{ "parents", no_argument, 'p', " mkdir " },
	{ "force", no_argument, 'f', " get rm " },
	{ "no-clobber", no_argument, 'n', " put get " },
	{ "continue", no_argument, 'C', " put get " },
	{ "long", no_argument, 'l', " ls " },
	{ "human-readable", no_argument, 'h', " ls " },
	{ NULL, no_argument, '1', " ls " },
	{ "json", no_argument, OPT_JSON, " ls " },
	{ "host", required_argument, 'H', NULL },
	{ "port", required_argument, 'p', NULL },
	{ "key", required_argument, 'k', NULL },
	{ "config", required_argument, 'c', NULL },
	{ "user", required_argument, 'u', NULL },
	{ "identity", required_argument, 'i', NULL },
	{ "password-file", required_argument, OPT_PASSWORD_FILE, NULL },
	{ "accept-new", no_argument, OPT_ACCEPT_NEW, NULL },
	{ "batch", required_argument, 'b', NULL },
	{ "continue", no_argument, 'C', NULL },
	{ "quiet", no_argument, 'q', NULL },
	{ "verbose", no_argument, 'v', NULL },
	{ "help", no_argument, 'h', NULL },
	{ "version", no_argument, 'V', NULL },
	{ "digest", required_argument, OPT_DIGEST, NULL },
	{ "connect-timeout", required_argument, OPT_CONNECT_TIMEOUT, NULL },
	{ "timeout", required_argument, OPT_TIMEOUT, NULL },
	{ "retry", required_argument, OPT_RETRY, NULL },
	{ "limit-rate", required_argument, OPT_LIMIT_RATE, NULL },
	{ "parallel", required_argument, OPT_PARALLEL, NULL },
};
#define NOPTDEFS (sizeof(optdefs) / sizeof(optdefs[0]))

/* The option set of one command (or of none: the global options). */
struct optset {
	char	      shorts[64];
	struct option longs[NOPTDEFS + 1];
	const char   *mine; /* the command's short letters */
	char	      cmdch[NOPTDEFS + 1];
};

const char *
args_cmd_name(size_t i)
{
	return i < cmds_count ? cmds[i].name : NULL;
}

static int
takes(const struct optdef *d, const char *cmd)
{
	char pat[32];

	if (d->cmds == NULL || cmd == NULL)
		return 0;
	snprintf(pat, sizeof(pat), " %s ", cmd);
	return strstr(d->cmds, pat) != NULL;
}

/* optset_add: d into s unless its letter or long name is taken. */
static void
optset_add(struct optset *s, const struct optdef *d, size_t *nl, int own)
{
	size_t i, n = strlen(s->shorts);
	int    dup = 0, val = d->ch;

	for (i = 0; i < *nl && d->lname != NULL; i++)
		dup |= strcmp(s->longs[i].name, d->lname) == 0;
	/* The command's own letter wins; the global long name stays. */
	if (d->ch < 256 && strchr(s->cmdch, d->ch) != NULL)
		val = OPT_SHADOW + d->ch;
	else if (d->ch < 256 && n + 2 < sizeof(s->shorts)) {
		s->shorts[n++] = (char)d->ch;
		if (d->arg == required_argument)
			s->shorts[n++] = ':';
		s->shorts[n] = '\0';
	}
	if (d->lname != NULL && !dup)
		s->longs[(*nl)++] =
		    (struct option){ d->lname, d->arg, NULL, val };
	if (own && strlen(s->cmdch) < NOPTDEFS && d->ch < 256)
		s->cmdch[strlen(s->cmdch)] = (char)d->ch;
}

/* optset_make: the options of cmd (NULL: global only, stopping at the
 * first operand). */
static void
optset_make(struct optset *s, const char *cmd)
{
	size_t i, nl = 0;

	memset(s, 0, sizeof(*s));
	strlcpy(s->shorts, cmd == NULL ? "+:" : ":", sizeof(s->shorts));
	for (i = 0; i < NOPTDEFS; i++)
		if (takes(&optdefs[i], cmd))
			optset_add(s, &optdefs[i], &nl, 1);
	for (i = 0; i < NOPTDEFS; i++)
		if (optdefs[i].cmds == NULL)
			optset_add(s, &optdefs[i], &nl, 0);
}

/* num_arg: a whole number min..max for option name.  0 or usage error. */
static int
num_arg(const char *name, const char *arg, long long min, long long max,
    long long *out)
{
	const char *e = NULL;
	char	    why[128];

	*out = strtonum(arg, min, max, &e);
	if (e == NULL)
		return 0;
	snprintf(why, sizeof(why), "--%s: a number from %lld to %lld", name,
	    min, max);
	return usage_msg(why);
}

/* args_tuning: the long-only numeric options.  0, 1 or a usage error. */
static int
args_tuning(struct ftpc *c, int ch, const char *arg)
{
	long long v = 0;
	uint64_t  rate;
	int	  r = 0;

	switch (ch) {
	case OPT_CONNECT_TIMEOUT:
		if ((r = num_arg("connect-timeout", arg, 1, 3600, &v)) == 0)
			c->connect_sec = (int)v;
		return r;
	case OPT_TIMEOUT:
		if ((r = num_arg("timeout", arg, 1, 86400, &v)) == 0)
			c->timeout_sec = (int)v;
		return r;
	case OPT_RETRY:
		if ((r = num_arg("retry", arg, 0, 100, &v)) == 0)
			c->retries = (int)v;
		return r;
	case OPT_PARALLEL:
		if ((r = num_arg("parallel", arg, 1, 64, &v)) == 0)
			c->parallel = (int)v;
		return r;
	case OPT_LIMIT_RATE:
		if (expand_number(arg, &rate) == -1 || rate < 1024)
			return usage_msg("--limit-rate: bytes per second, at "
					 "least 1K (suffix K, M, G)");
		c->limit_rate = rate;
		return 0;
	}
	return 1;
}

/* args_flag: the global flags without an argument.  0 or 1 (not one). */
static int
args_flag(struct ftpc *c, int ch)
{
	switch (ch) {
	case 'C':
		c->g.resume = c->o.resume = 1;
		return 0;
	case 'q':
		c->quiet = 1;
		return 0;
	case 'v':
		c->verbose = 1;
		log_init(1, 1);
		return 0;
	case 'h':
		usage_help();
		if (!c->shell)
			exit(0);
		return 0;
	case 'V':
		printf("ftpc %s\n", ftpc_version);
		if (!c->shell)
			exit(0);
		return 0;
	}
	return 1;
}

/* args_login: -u, -i, --password-file, --accept-new (hosts.c uses them). */
static int
args_login(struct ftpc *c, int ch, const char *arg, const char *fl[5])
{
	if (fl == NULL)
		return usage_msg("connection options cannot change in a "
				 "session");
	if (ch == 'u' && auth_check_user(arg) != 0)
		return usage_msg("-u: an account name is 1 to 32 of a-z, 0-9, "
				 "'_', '.', '-', starting with a letter or "
				 "digit");
	if (ch == 'u')
		c->flag_user = arg;
	else if (ch == 'i')
		c->flag_ident = arg;
	else if (ch == OPT_PASSWORD_FILE)
		c->password_file = arg;
	else
		c->accept_new = 1;
	return 0;
}

int
args_global(struct ftpc *c, int ch, const char *arg, const char *fl[5])
{
	static const char slots[] = "Hpkcb"; /* fl[] in this order */
	const char	 *slot;

	if (ch < 256 && (slot = strchr(slots, ch)) != NULL) {
		if (fl == NULL)
			return usage_msg("connection options cannot change "
					 "in a session");
		fl[slot - slots] = arg;
		return 0;
	}
	if (ch == 'u' || ch == 'i' || ch == OPT_PASSWORD_FILE ||
	    ch == OPT_ACCEPT_NEW)
		return args_login(c, ch, arg, fl);
	if (ch == OPT_DIGEST) {
		if ((c->digest = digest_by_name(arg, strlen(arg))) < 0)
			return usage_msg("--digest: xxh3-128 or blake2b-256");
		c->digest_set = 1;
		return 0;
	}
	if (args_flag(c, ch) == 0)
		return 0;
	return args_tuning(c, ch, arg);
}

/* args_bad: getopt's complaint about argv (the option at optind - 1). */
static int
args_bad(const char *cmd, int ch, char **argv)
{
	char why[160];

	if (ch == ':')
		snprintf(why, sizeof(why), "%s%soption %s needs an argument",
		    cmd ? cmd : "", cmd ? ": " : "", argv[optind - 1]);
	else if (optopt != 0)
		snprintf(why, sizeof(why), "%s%sunknown option -%c",
		    cmd ? cmd : "", cmd ? ": " : "", optopt);
	else
		snprintf(why, sizeof(why), "%s%sunknown option %s",
		    cmd ? cmd : "", cmd ? ": " : "", argv[optind - 1]);
	return usage_msg(why);
}

int
args_front(struct ftpc *c, int argc, char **argv, const char *fl[5])
{
	static struct optset s;
	int		     ch, r;

	optset_make(&s, NULL);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, s.shorts, s.longs, NULL)) != -1) {
		if (ch == '?' || ch == ':')
			exit(ftpc_exit(args_bad(NULL, ch, argv)));
		if ((r = args_global(c, ch, optarg, fl)) != 0)
			exit(ftpc_exit(r < 0 ? r : usage_msg(NULL)));
	}
	return optind;
}

/* cmd_opt: one option of the command itself into c->o. */
static void
cmd_opt(struct ftpc *c, const struct cmd *cmd, int ch)
{
	switch (ch) {
	case 'r':
		c->o.recursive = 1;
		break;
	case 'L':
		c->o.follow = 1;
		break;
	case 'p':
		*(strcmp(cmd->name, "mkdir") == 0 ? &c->o.parents
						  : &c->o.preserve) = 1;
		break;
	case 'f':
		*(strcmp(cmd->name, "rm") == 0 ? &c->o.ignore : &c->o.force) =
		    1;
		break;
	case 'n':
		c->o.noclobber = 1;
		break;
	case 'C':
		c->o.resume = 1;
		break;
	default:
		c->o.ls |= ch == 'l' ? LS_LONG
		    : ch == 'h'	     ? LS_HUMAN
		    : ch == '1'	     ? LS_NAMES
				     : LS_JSON;
	}
}

/* args_operands: the operand count and each operand's length. */
static int
args_operands(struct ftpc *c, const struct call *call)
{
	const struct cmd *cmd = call->cmd;
	int		  j;

	if (call->argc < cmd->min || (cmd->max >= 0 && call->argc > cmd->max))
		return usage_msg("wrong number of arguments");
	for (j = 0; j < call->argc; j++) {
		if (call->argv[j][0] == '\0')
			return usage_msg("empty argument");
		if (strlen(call->argv[j]) >= PATH_MAX)
			return usage_msg("argument too long");
	}
	if (c->o.force && c->o.noclobber)
		return usage_msg("-f and -n (--no-clobber) exclude each other");
	return 0;
}

int
args_parse(struct ftpc *c, int argc, char **argv, const char *fl[5],
    struct call *call)
{
	static struct optset s;
	int		     ch, r;

	memset(call, 0, sizeof(*call));
	if ((call->cmd = cmds_find(argv[0], c->shell)) == NULL)
		return -FTPC_ERR_USAGE;
	c->o = c->g;
	optset_make(&s, call->cmd->name);
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, s.shorts, s.longs, NULL)) != -1) {
		if (ch == '?' || ch == ':')
			return args_bad(call->cmd->name, ch, argv);
		if (ch == OPT_JSON || (ch < 256 && strchr(s.cmdch, ch)))
			cmd_opt(c, call->cmd, ch);
		else if (ch >= OPT_SHADOW && ch < OPT_SHADOW + 256 &&
		    (r = args_global(c, ch - OPT_SHADOW, optarg, fl)) != 0)
			return r < 0 ? r : usage_msg(NULL);
		else if (ch >= OPT_SHADOW)
			continue;
		else if ((r = args_global(c, ch, optarg, fl)) != 0)
			return r < 0 ? r : usage_msg(NULL);
	}
	call->argc = argc - optind;
	call->argv = argv + optind;
	return args_operands(c, call);
}
