/*
 * cmds.c: the table of ftpc's commands (name, operand count, function,
 * which operands are remote patterns, where the command may run) and the
 * one place a parsed command is run: remote patterns expanded (glob.c),
 * then the command's function.  This file must not parse options (args.c)
 * nor speak the protocol.
 */
#include <err.h>
#include <string.h>

#include "common/error.h"
#include "client/ftpc.h"

const struct cmd cmds[] = {
	{ "put", 1, -1, xfer_put, GLOB_NONE, 0 },
	{ "get", 1, -1, get_files, GLOB_SOURCES, 0 },
	{ "ls", 0, -1, remote_ls, GLOB_ALL, 0 },
	{ "stat", 1, -1, remote_stat, GLOB_ALL, 0 },
	{ "rm", 1, -1, remote_rm, GLOB_ALL, 0 },
	{ "mkdir", 1, -1, remote_mkdir, GLOB_NONE, 0 },
	{ "rmdir", 1, -1, remote_rmdir, GLOB_ALL, 0 },
	{ "mv", 2, -1, remote_mv, GLOB_SOURCES, 0 },
	{ "shell", 0, 0, NULL, GLOB_NONE, CMD_ONCE },
	{ "cd", 0, 1, shell_cd, GLOB_NONE, CMD_SHELL },
	{ "pwd", 0, 0, shell_pwd, GLOB_NONE, CMD_SHELL },
	{ "lcd", 0, 1, shell_lcd, GLOB_NONE, CMD_SHELL | CMD_LOCAL },
	{ "lpwd", 0, 0, shell_lpwd, GLOB_NONE, CMD_SHELL | CMD_LOCAL },
	{ "help", 0, 0, shell_help, GLOB_NONE, CMD_SHELL | CMD_LOCAL },
};
const size_t cmds_count = sizeof(cmds) / sizeof(cmds[0]);

const struct cmd *
cmds_find(const char *name, int shell)
{
	size_t i;

	for (i = 0; i < cmds_count; i++)
		if (strcmp(cmds[i].name, name) == 0)
			break;
	if (i == cmds_count) {
		(void)usage_msg("unknown command");
		return NULL;
	}
	if (shell && (cmds[i].flags & CMD_ONCE)) {
		warnx("%s: already in a session", name);
		return NULL;
	}
	if (!shell && (cmds[i].flags & CMD_SHELL)) {
		warnx("%s: only in the shell (ftpc shell)", name);
		(void)usage_msg(NULL);
		return NULL;
	}
	return &cmds[i];
}

int
args_exec(struct ftpc *c, const struct call *call)
{
	struct strv v;
	int	    r;

	if (call->cmd->glob == GLOB_NONE || (call->cmd->flags & CMD_LOCAL))
		return call->cmd->fn(c, call->argc, call->argv);
	if ((r = glob_args(c, call, &v)) == 0)
		r = call->cmd->fn(c, v.n, v.v);
	strv_free(&v);
	return r;
}
