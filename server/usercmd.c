/*
 * usercmd.c: `ftpd user ...` (ftpd(8), ACCOUNTS): add, del, passwd, set,
 * key add, key del, list, show and recount.  Each change reads the users
 * file under its lock (users_lock), edits the table and writes it back
 * whole (users_save), so a running daemon (which reads the file on start
 * and reload) sees the old file or the new one; then it offers a reload.
 * Passwords come from the terminal (readpassphrase, asked twice) or, with
 * --stdin, one line of standard input; never from the command line.  A
 * refused change leaves the file as it was.  This runs in the command's
 * process: it prints on stdout and stderr and never logs.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bsd/readpassphrase.h>
#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <sodium.h>

#include "common/error.h"
#include "common/users.h"
#include "server/command.h"

#define PW_MAX 1024 /* PROTOCOL.md 4.4: a password's bytes at most */

/* One line of standard input (without its newline) into pw. */
static int
pw_stdin(char *pw, size_t len)
{
	size_t n;

	if (fgets(pw, (int)len, stdin) == NULL) {
		warnx("no password on standard input");
		return -1;
	}
	n = strcspn(pw, "\r\n");
	if (pw[n] == '\0' && !feof(stdin)) {
		warnx("password longer than %d bytes", PW_MAX);
		return -1;
	}
	pw[n] = '\0';
	return 0;
}

/* The new password, asked twice on the terminal. */
static int
pw_tty(char *pw, size_t len)
{
	char again[PW_MAX + 2];
	int  r = -1;

	if (readpassphrase("New password: ", pw, len, RPP_REQUIRE_TTY) ==
		NULL ||
	    readpassphrase("Again: ", again, sizeof(again), RPP_REQUIRE_TTY) ==
		NULL)
		warnx("cannot read a password from the terminal (use --stdin)");
	else if (strcmp(pw, again) != 0)
		warnx("the two passwords differ");
	else
		r = 0;
	sodium_memzero(again, sizeof(again));
	return r;
}

/* Read a password and put its argon2id hash into e->hash. */
static int
set_password(const struct config *cfg, struct users_entry *e, int from_stdin)
{
	char pw[PW_MAX + 2];
	int  r;

	r = from_stdin ? pw_stdin(pw, sizeof(pw)) : pw_tty(pw, sizeof(pw));
	if (r == 0 && pw[0] == '\0') {
		warnx("empty password refused");
		r = -1;
	}
	if (r == 0 &&
	    crypto_pwhash_str(e->hash, pw, strlen(pw), cfg->pwhash_ops,
		(size_t)cfg->pwhash_mem) != 0) {
		warnx("cannot hash the password (out of memory?)");
		r = -1;
	}
	sodium_memzero(pw, sizeof(pw));
	return r;
}

/* One "key=value" setting of add and set into e. */
static int
opt_one(const char *arg, struct users_entry *e, int *nopw)
{
	const char *v = strchr(arg, '=');
	size_t	    k = v != NULL ? (size_t)(v - arg) : strlen(arg);

	v = v != NULL ? v + 1 : "";
	if (strcmp(arg, "nopassword") == 0)
		*nopw = 1;
	else if (k == 4 && strncmp(arg, "home", 4) == 0 &&
	    users_home_ok(v) == 0)
		(void)strlcpy(e->home, v, sizeof(e->home));
	else if (k == 5 && strncmp(arg, "perms", 5) == 0 &&
	    users_perms_parse(v, &e->perms) == 0)
		;
	else if (k == 5 && strncmp(arg, "quota", 5) == 0 &&
	    users_quota_parse(v, &e->quota_bytes, &e->quota_files) == 0)
		;
	else if (k == 7 && strncmp(arg, "enabled", 7) == 0 &&
	    (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0))
		e->enabled = strcmp(v, "yes") == 0;
	else {
		warnx("bad setting '%s' (home=DIR, perms=lrwdm, "
		      "quota=BYTES/FILES, enabled=yes|no, nopassword)",
		    arg);
		return -1;
	}
	return 0;
}

static int
opts_apply(int argc, char **argv, struct users_entry *e, int *nopw)
{
	int i;

	for (i = 0; i < argc; i++)
		if (opt_one(argv[i], e, nopw) == -1)
			return -1;
	return 0;
}

/* The account named by name in u, or NULL (said why). */
static struct users_entry *
find(struct users *u, const char *name)
{
	struct users_entry *e = users_find(u, name, strlen(name));

	if (e == NULL)
		warnx("no user '%s'", name);
	return e;
}

static int
cmd_add(const struct config *cfg, struct users *u, int argc, char **argv,
    int from_stdin)
{
	struct users_entry e;
	int		   nopw = 0, r = -1;

	memset(&e, 0, sizeof(e));
	if (users_name_ok(argv[0], strlen(argv[0])) != 0) {
		warnx("bad user name '%s' (1 to 32 of a-z 0-9 _ . -, starting "
		      "with a letter or digit)",
		    argv[0]);
		return -1;
	}
	if (users_find(u, argv[0], strlen(argv[0])) != NULL) {
		warnx("user '%s' exists", argv[0]);
		return -1;
	}
	(void)strlcpy(e.name, argv[0], sizeof(e.name));
	(void)strlcpy(e.home, argv[0], sizeof(e.home));
	e.enabled = 1;
	e.perms = USERS_ALL;
	if (opts_apply(argc - 1, argv + 1, &e, &nopw) == 0 &&
	    (nopw || set_password(cfg, &e, from_stdin) == 0)) {
		r = users_add(u, &e);
		if (r != 0)
			warnx("cannot add '%s': %s", e.name, err_str(r));
	}
	sodium_memzero(&e, sizeof(e));
	return r == 0 ? 0 : -1;
}

static int
cmd_key(struct users *u, int argc, char **argv)
{
	struct users_entry *e;
	uint8_t		    pk[HOSTKEY_PK_BYTES];
	char		    line[USERS_LINE_MAX] = "";
	int		    i, del = strcmp(argv[0], "del") == 0;

	if (argc < 3 || (!del && strcmp(argv[0], "add") != 0))
		return command_user_usage();
	if ((e = find(u, argv[1])) == NULL)
		return -1;
	for (i = 2; i < argc; i++) /* the line ftpc keygen printed */
		if (strlcat(line, argv[i], sizeof(line)) >= sizeof(line) ||
		    strlcat(line, " ", sizeof(line)) >= sizeof(line))
			break;
	if (users_key_parse(line, pk) != 0) {
		warnx("'%s' is not an Ed25519 public key (base64 of 32 bytes)",
		    argv[2]);
		return -1;
	}
	for (i = 0; i < e->nkeys; i++)
		if (memcmp(e->keys[i], pk, sizeof(pk)) == 0)
			break;
	if (del && i == e->nkeys) {
		warnx("%s has no such key", e->name);
		return -1;
	}
	if (del) {
		memmove(e->keys[i], e->keys[i + 1],
		    (size_t)(e->nkeys - i - 1) * sizeof(pk));
		e->nkeys--;
		return 0;
	}
	if (i < e->nkeys) {
		warnx("%s has this key already", e->name);
		return -1;
	}
	if (e->nkeys == USERS_KEYS_MAX) {
		warnx("%s has %d keys: delete one first", e->name,
		    USERS_KEYS_MAX);
		return -1;
	}
	memcpy(e->keys[e->nkeys++], pk, sizeof(pk));
	return 0;
}

/* A change of the table by sub: 0 changed (save), -1 refused. */
static int
edit(const struct config *cfg, const char *sub, int argc, char **argv,
    int from_stdin, struct users *u)
{
	struct users_entry *e;
	int		    nopw = 0;

	if (strcmp(sub, "add") == 0 && argc >= 1)
		return cmd_add(cfg, u, argc, argv, from_stdin);
	if (strcmp(sub, "key") == 0 && argc >= 1)
		return cmd_key(u, argc, argv);
	if (argc < 1)
		return command_user_usage();
	if ((e = find(u, argv[0])) == NULL)
		return -1;
	if (strcmp(sub, "del") == 0 && argc == 1)
		return users_del(u, argv[0]) == 0 ? 0 : -1;
	if (strcmp(sub, "passwd") == 0 && argc == 1)
		return set_password(cfg, e, from_stdin);
	if (strcmp(sub, "set") == 0 && argc >= 2) {
		if (opts_apply(argc - 1, argv + 1, e, &nopw) == -1)
			return -1;
		if (nopw)
			e->hash[0] = '\0';
		return 0;
	}
	return command_user_usage();
}

/* Lock, load, edit, save: the file changes whole or not at all. */
static int
change(const struct config *cfg, const char *sub, int argc, char **argv,
    int from_stdin)
{
	struct users u;
	char	     err[1024];
	int	     lock, r;

	if ((lock = users_lock(cfg->users_file)) < 0) {
		warn("cannot lock %s.lock", cfg->users_file);
		return 1;
	}
	r = users_load(cfg->users_file, &u, err, sizeof(err));
	if (r != 0)
		warnx("%s", err);
	else if ((r = edit(cfg, sub, argc, argv, from_stdin, &u)) == 0 &&
	    (r = users_save(cfg->users_file, &u, err, sizeof(err))) != 0)
		warnx("%s", err);
	users_free(&u);
	close(lock);
	if (r != 0)
		return 1;
	command_user_reload(cfg, !from_stdin);
	return 0;
}

int
command_user(const struct config *cfg, int argc, char **argv, int from_stdin)
{
	if (argc < 1)
		return command_user_usage() == 0 ? 0 : 2;
	if (strcmp(argv[0], "list") == 0 && argc == 1)
		return command_user_list(cfg);
	if (strcmp(argv[0], "show") == 0 && argc == 2)
		return command_user_show(cfg, argv[1]);
	if (strcmp(argv[0], "recount") == 0 && argc <= 2)
		return command_user_recount(cfg, argc == 2 ? argv[1] : NULL);
	if (strcmp(argv[0], "add") == 0 || strcmp(argv[0], "del") == 0 ||
	    strcmp(argv[0], "passwd") == 0 || strcmp(argv[0], "set") == 0 ||
	    strcmp(argv[0], "key") == 0)
		return change(cfg, argv[0], argc - 1, argv + 1, from_stdin);
	(void)command_user_usage();
	return 2;
}
