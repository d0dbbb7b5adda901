/*
 * auth.c: ftpc's account logins (doc/PROTOCOL.md 4.4): the fields of the
 * "auth" request for method password (the password read once from the
 * terminal with readpassphrase(3), or from --password-file, never from the
 * command line) and method publickey (the user's Ed25519 signature over
 * the transcript hash and the name), and "ftpc keygen", which makes such a
 * key and prints the public line an operator adds to the server.  This file
 * must not send or receive frames (conn.c does) nor pick the method
 * (hosts.c does).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bsd/readpassphrase.h>
#include <bsd/string.h>

#include "common/error.h"
#include "common/keyfile.h"
#include "common/xdg.h"
#include "client/ftpc.h"

#define AUTH_PUB_PREFIX "ftpd-ed25519" /* the public line's first word */

int
auth_check_user(const char *name)
{
	size_t i, n = strlen(name);

	if (n < 1 || n > 32 || name[0] == '.' || name[0] == '_' ||
	    name[0] == '-')
		return -1;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
			(name[i] >= '0' && name[i] <= '9') ||
			strchr("_.-", name[i]) != NULL))
			return -1;
	return 0;
}

/*
 * auth_password_file: the first line of path (no newline) into pw (room
 * for FTPC_PASSWORD_MAX + 1 bytes).  SECURITY: like ssh's key files, a
 * file others may read or write is refused.  0 or -ERR_SYSTEM (printed).
 */
static int
auth_password_file(const char *path, char *pw)
{
	struct stat st;
	ssize_t	    n;
	int	    fd, r = -ERR_SYSTEM;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("--password-file %s", path);
		return r;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		warnx("--password-file %s: not a regular file", path);
	else if (st.st_mode & 077)
		warnx("--password-file %s: readable or writable by others "
		      "(chmod 600)",
		    path);
	else if ((n = read(fd, pw, FTPC_PASSWORD_MAX + 1)) == -1)
		warn("--password-file %s", path);
	else {
		pw[n] = '\0';
		pw[strcspn(pw, "\r\n")] = '\0';
		if (strlen(pw) > FTPC_PASSWORD_MAX)
			warnx("--password-file %s: longer than %d bytes", path,
			    FTPC_PASSWORD_MAX);
		else
			r = 0;
	}
	close(fd);
	return r;
}

/* auth_password: c->password, read the first time.  0 or an error. */
static int
auth_password(struct ftpc *c)
{
	char prompt[512];
	int  r = 0;

	if (c->password != NULL)
		return 0;
	if ((c->password = sodium_malloc(FTPC_PASSWORD_MAX + 2)) == NULL)
		return -ERR_NOMEM;
	if (c->password_file != NULL)
		r = auth_password_file(c->password_file, c->password);
	else {
		snprintf(prompt, sizeof(prompt), "%s@%s's password: ", c->user,
		    dial_where(c));
		if (readpassphrase(prompt, c->password, FTPC_PASSWORD_MAX + 1,
			RPP_REQUIRE_TTY) == NULL) {
			warnx("no terminal to read the password from: use "
			      "--password-file FILE");
			r = -FTPC_ERR_USAGE;
		}
	}
	if (r != 0) {
		sodium_free(c->password);
		c->password = NULL;
	}
	return r;
}

int
auth_fill(struct ftpc *c, struct schema_req *q, uint8_t sig[HOSTKEY_SIG_BYTES])
{
	int r;

	if (c->method == FTPC_AUTH_SECRET) {
		q->method = schema_cstr("secret");
		return 0;
	}
	q->user = schema_cstr(c->user);
	q->has.user = 1;
	if (c->method == FTPC_AUTH_PUBLICKEY) {
		q->method = schema_cstr("publickey");
		/* The signature covers T: it is worth nothing in another
		 * session (PROTOCOL.md 4.4). */
		userkey_sign(c->ident.sk, c->ch.t, c->user, strlen(c->user),
		    sig);
		q->pk = (struct schema_bin){ c->ident.pk, HOSTKEY_PK_BYTES };
		q->sig = (struct schema_bin){ sig, HOSTKEY_SIG_BYTES };
		q->has.pk = q->has.sig = 1;
		return 0;
	}
	/* SECURITY: a password goes only to a server that proved its host
	 * key or holds the shared secret (PROTOCOL.md 4.4). */
	if (!c->ch.keyed && !c->ch.has_peer_hk) {
		warnx("%s: the server proved nothing: no password sent",
		    dial_where(c));
		return -ERR_AUTH;
	}
	if ((r = auth_password(c)) != 0)
		return r;
	q->method = schema_cstr("password");
	q->password = schema_cstr(c->password);
	q->has.password = 1;
	return 0;
}

void
auth_wipe(struct ftpc *c)
{
	if (c->password != NULL)
		sodium_free(c->password); /* wipes */
	c->password = NULL;
	hostkey_wipe(&c->ident);
}

/* keygen_path: FILE, or the default (its folders made, mode 0700). */
static int
keygen_path(const char *arg, char *path, size_t len)
{
	char dir[PATH_MAX];

	if (arg != NULL)
		return strlcpy(path, arg, len) < len ? 0 : -1;
	if (xdg_dir(dir, sizeof(dir), "XDG_CONFIG_HOME", ".config", "") != 0 ||
	    (mkdir(dir, 0700) == -1 && errno != EEXIST) ||
	    ftpc_config_path("", dir, sizeof(dir)) != 0 ||
	    (mkdir(dir, 0700) == -1 && errno != EEXIST))
		return -1;
	return ftpc_config_path("id_ed25519", path, len);
}

/* keygen_line: "ftpd-ed25519 BASE64 USER@HOST" of pk into out. */
static void
keygen_line(const uint8_t pk[HOSTKEY_PK_BYTES], char *out, size_t outlen)
{
	char	       b64[sodium_base64_ENCODED_LEN(HOSTKEY_PK_BYTES,
		      sodium_base64_VARIANT_ORIGINAL)];
	char	       host[256] = "localhost";
	struct passwd *pw = getpwuid(getuid());

	sodium_bin2base64(b64, sizeof(b64), pk, HOSTKEY_PK_BYTES,
	    sodium_base64_VARIANT_ORIGINAL);
	if (gethostname(host, sizeof(host) - 1) == -1)
		strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(out, outlen, "%s %s %s@%s", AUTH_PUB_PREFIX, b64,
	    pw != NULL ? pw->pw_name : "user", host);
}

/* keygen_pub: the line into path.pub (mode 0644, replaced). */
static void
keygen_pub(const char *path, const char *line)
{
	char  pub[PATH_MAX];
	FILE *f;
	int   fd;

	if (snprintf(pub, sizeof(pub), "%s.pub", path) >= (int)sizeof(pub) ||
	    (fd = open(pub, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) ==
		-1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		warnx("cannot write %s.pub (the line above is all it holds)",
		    path);
		return;
	}
	fprintf(f, "%s\n", line);
	if (fclose(f) != 0)
		warn("%s", pub);
}

int
auth_keygen(int argc, char **argv)
{
	struct hostkey hk;
	char	       path[PATH_MAX], err[256], line[512];
	char	       fp[HOSTKEY_FP_LEN];

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		(void)usage_msg("keygen takes at most one FILE");
		return FTPC_EXIT_USAGE;
	}
	if (keygen_path(argc == 2 ? argv[1] : NULL, path, sizeof(path)) != 0) {
		warnx("keygen: no usable path for the key");
		return FTPC_EXIT_LOCAL;
	}
	if (keyfile_generate(path, err, sizeof(err)) == -1) {
		warnx("keygen: %s", err);
		return FTPC_EXIT_LOCAL;
	}
	if (hostkey_load(path, &hk, err, sizeof(err)) != 0) {
		warnx("keygen: %s", err);
		return FTPC_EXIT_LOCAL;
	}
	keygen_line(hk.pk, line, sizeof(line));
	hostkey_fingerprint(hk.pk, fp, sizeof(fp));
	hostkey_wipe(&hk);
	keygen_pub(path, line);
	fprintf(stderr,
	    "ftpc: new identity %s (%s); give the server's operator this "
	    "line:\n",
	    path, fp);
	printf("%s\n", line);
	return FTPC_EXIT_OK;
}
