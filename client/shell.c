/*
 * shell.c: ftpc's interactive session and batch mode on one connection.
 * Interactive: libedit's readline interface, history kept in
 * $XDG_STATE_HOME/ftpc/history, completion of command names, of remote
 * paths (from "list") and of local ones for put and lcd.  Batch (-b FILE,
 * or commands on a standard input that is no terminal): one command a
 * line, and the first failing one ends the run unless its line begins
 * with '-', as sftp(1) does.  Every command line is split into words here
 * (quotes and backslashes as a shell would, no expansion) and run by
 * args.c.  Also the shell's own commands: cd, pwd, lcd, lpwd, help.  This
 * file must not speak the protocol.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <editline/readline.h>

#include <bsd/string.h>

#include "common/error.h"
#include "common/safetext.h"
#include "common/xdg.h"
#include "client/ftpc.h"

#define SHELL_WORDS   256  /* words of one command line */
#define SHELL_HISTORY 1000 /* lines of history kept */

static struct ftpc *shell_c; /* the session, for completion */

/* shell_split: line into words (in place).  Returns the count, or -1 on
 * an unterminated quote or too many words. */
static int
shell_split(char *line, char **argv)
{
	char *in = line, *out = line;
	int   n = 0, q;

	for (;;) {
		while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
			in++;
		if (*in == '\0')
			break;
		if (n == SHELL_WORDS - 1)
			return -1;
		argv[n++] = out;
		for (q = 0; *in != '\0' && (q || !strchr(" \t\r\n", *in));
		     in++) {
			if (!q && (*in == '\'' || *in == '"'))
				q = *in;
			else if (q && *in == q)
				q = 0;
			else if (*in == '\\' && q != '\'' && in[1] != '\0')
				*out++ = *++in;
			else
				*out++ = *in;
		}
		if (q)
			return -1;
		if (*in != '\0')
			in++;
		*out++ = '\0';
	}
	argv[n] = NULL;
	return n;
}

/* shell_norm: path (relative to the remote folder unless it begins with
 * '/') with ".", ".." and repeated '/' resolved, as a wire path. */
static int
shell_norm(const char *path, char *out, size_t outlen)
{
	char  buf[2 * PATH_MAX], *p, *save = NULL;
	char *parts[PATH_MAX / 2];
	int   n = 0, i;

	snprintf(buf, sizeof(buf), "%s/%s",
	    path[0] == '/' ? "" : remote_getcwd(), path);
	for (p = strtok_r(buf, "/", &save); p != NULL;
	     p = strtok_r(NULL, "/", &save)) {
		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0)
			n -= n > 0;
		else if (n < (int)(sizeof(parts) / sizeof(parts[0])))
			parts[n++] = p;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		if ((i && strlcat(out, "/", outlen) >= outlen) ||
		    strlcat(out, parts[i], outlen) >= outlen)
			return -ERR_NAME_TOO_LONG;
	if (n == 0)
		strlcpy(out, ".", outlen);
	return 0;
}

int
shell_cd(struct ftpc *c, int argc, char **argv)
{
	char	     path[PATH_MAX];
	struct rstat st;
	int	     r;

	if ((r = shell_norm(argc ? argv[0] : "/", path, sizeof(path))) != 0) {
		warnx("cd: path too long");
		return r;
	}
	if ((r = remote_stat_op(c, path, &st, "cd", argv[0])) != 0)
		return r;
	if (strcmp(st.type, "dir") != 0) {
		warnx("cd %s: not a remote folder", argv[0]);
		return -ERR_NOT_DIR;
	}
	return remote_setcwd(path);
}

int
shell_pwd(struct ftpc *c, int argc, char **argv)
{
	char safe[PATH_MAX];

	(void)c, (void)argc, (void)argv;
	(void)safetext_copy(safe, sizeof(safe), remote_getcwd(),
	    strlen(remote_getcwd()));
	printf("/%s\n", strcmp(safe, ".") == 0 ? "" : safe);
	return 0;
}

int
shell_lcd(struct ftpc *c, int argc, char **argv)
{
	const char *dir = argc ? argv[0] : getenv("HOME");

	(void)c;
	if (dir == NULL || chdir(dir) == -1)
		return xfer_local_err("lcd", dir ? dir : "~",
		    dir ? strerror(errno) : "HOME is not set");
	return 0;
}

int
shell_lpwd(struct ftpc *c, int argc, char **argv)
{
	char cwd[PATH_MAX];

	(void)c, (void)argc, (void)argv;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return xfer_local_err("lpwd", ".", strerror(errno));
	puts(cwd);
	return 0;
}

int
shell_help(struct ftpc *c, int argc, char **argv)
{
	(void)c, (void)argc, (void)argv;
	usage_help();
	return 0;
}

/* shell_bang: "!COMMAND" through sh -c; a bare "!" starts $SHELL. */
static int
shell_bang(const char *cmd)
{
	const char *sh = getenv("SHELL");
	int	    st;

	fflush(stdout);
	st = system(cmd[0] ? cmd : (sh && sh[0] ? sh : "/bin/sh"));
	if (st == 0)
		return 0;
	warnx("!%s: failed (status %d)", cmd, st);
	return -ERR_SYSTEM;
}

/* shell_line: run one line.  Returns 0, an error, or 1 for "exit". */
static int
shell_line(struct ftpc *c, char *line)
{
	char	   *argv[SHELL_WORDS];
	struct call call;
	int	    argc, r;

	line += strspn(line, " \t");
	if (line[0] == '!')
		return shell_bang(line + 1);
	if ((argc = shell_split(line, argv)) < 0)
		return usage_msg("unterminated quote or too many words");
	if (argc == 0 || argv[0][0] == '#')
		return 0;
	if (strcmp(argv[0], "exit") == 0 || strcmp(argv[0], "quit") == 0 ||
	    strcmp(argv[0], "bye") == 0)
		return 1;
	if ((r = args_parse(c, argc, argv, NULL, &call)) != 0)
		return r;
	if (c->dead && !(call.cmd->flags & CMD_LOCAL)) {
		warnx("%s: the connection is closed", argv[0]);
		return -ERR_EOF;
	}
	fflush(stdout);
	r = args_exec(c, &call);
	fflush(stdout);
	return r;
}

/* shell_batch: lines of in; the first failure ends it (unless '-'). */
static int
shell_batch(struct ftpc *c, FILE *in)
{
	char  *line = NULL;
	size_t cap = 0;
	int    r = 0, soft;

	while (getline(&line, &cap, in) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		soft = line[strspn(line, " \t")] == '-';
		r = shell_line(c, line + strspn(line, " \t") + soft);
		if (r == 1) {
			r = 0;
			break;
		}
		if (r != 0 && !soft)
			break;
		r = 0;
	}
	free(line);
	return r;
}

/* shell_complete_remote: readline generator of remote names for text. */
static char *
shell_complete_remote(const char *text, int state)
{
	static struct rlist l;
	static size_t	    i;
	static char	    dir[PATH_MAX];
	const char	   *slash = strrchr(text, '/'), *base;
	char		    path[PATH_MAX], *m;

	base = slash ? slash + 1 : text;
	if (state == 0) {
		rlist_free(&l);
		i = 0;
		snprintf(dir, sizeof(dir), "%.*s",
		    slash ? (int)(slash - text + 1) : 0, text);
		if (shell_c->dead ||
		    remote_path(dir[0] ? dir : ".", path, sizeof(path)) != 0 ||
		    rlist_fetch(shell_c, path, NULL, NULL, &l) != 0)
			return NULL;
	}
	for (; i < l.n; i++) {
		if (strncmp(l.v[i].name, base, strlen(base)) != 0)
			continue;
		if (asprintf(&m, "%s%s%s", dir, l.v[i].name,
			strcmp(l.v[i].st.type, "dir") == 0 ? "/" : "") == -1)
			return NULL;
		i++;
		return m;
	}
	return NULL;
}

/* shell_complete_cmd: readline generator of command names. */
static char *
shell_complete_cmd(const char *text, int state)
{
	static size_t i;
	const char   *n;

	if (state == 0)
		i = 0;
	while ((n = args_cmd_name(i++)) != NULL)
		if (strncmp(n, text, strlen(text)) == 0 && strcmp(n, "shell"))
			return strdup(n);
	return NULL;
}

/* shell_complete: the first word is a command; put and lcd take local
 * names (readline's own completion), the others remote ones. */
static char **
shell_complete(const char *text, int start, int end)
{
	size_t lead = strspn(rl_line_buffer, " \t");

	(void)end;
	rl_attempted_completion_over = 1;
	if ((size_t)start <= lead)
		return rl_completion_matches(text, shell_complete_cmd);
	if (strncmp(rl_line_buffer + lead, "put ", 4) == 0 ||
	    strncmp(rl_line_buffer + lead, "lcd ", 4) == 0)
		return rl_completion_matches(text,
		    rl_filename_completion_function);
	rl_completion_append_character = '\0';
	return rl_completion_matches(text, shell_complete_remote);
}

/* shell_history: the history file's path (its folders created), or NULL. */
static const char *
shell_history(void)
{
	static char path[PATH_MAX];
	char	   *p;

	if (xdg_dir(path, sizeof(path), "XDG_STATE_HOME", ".local/state",
		"ftpc/history") != 0)
		return NULL;
	for (p = strchr(path + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			*p = '/';
			return NULL;
		}
		*p = '/';
	}
	return path;
}

/* shell_interactive: the libedit loop.  Returns 0 or the session's end. */
static int
shell_interactive(struct ftpc *c)
{
	const char *hist = shell_history();
	char	    prompt[PATH_MAX + 16], safe[PATH_MAX], *line;
	int	    r = 0;

	rl_readline_name = "ftpc";
	rl_attempted_completion_function = shell_complete;
	stifle_history(SHELL_HISTORY);
	if (hist != NULL)
		(void)read_history(hist);
	for (;;) {
		(void)safetext_copy(safe, sizeof(safe), remote_getcwd(),
		    strlen(remote_getcwd()));
		snprintf(prompt, sizeof(prompt), "ftpc:/%s> ",
		    strcmp(safe, ".") == 0 ? "" : safe);
		if ((line = readline(prompt)) == NULL) {
			putchar('\n');
			break;
		}
		if (line[strspn(line, " \t")] != '\0') {
			add_history(line);
			if (hist != NULL)
				(void)write_history(hist);
		}
		r = shell_line(c, line);
		free(line);
		if (r == 1 || c->dead)
			break;
	}
	return c->dead ? -ERR_EOF : 0;
}

int
shell_run(struct ftpc *c, FILE *in, int interactive)
{
	int r;

	shell_c = c;
	c->shell = 1;
	r = interactive ? shell_interactive(c) : shell_batch(c, in);
	return ftpc_exit(r);
}
