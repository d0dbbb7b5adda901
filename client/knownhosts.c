/*
 * knownhosts.c: the servers' host keys ftpc has met, pinned in
 * $XDG_CONFIG_HOME/ftpc/known_hosts (doc/PROTOCOL.md 2.6), and the
 * decision on the key a handshake brought: known and equal, new (ask on a
 * terminal, --accept-new, or refuse), or changed (a hard failure, like
 * OpenSSH's "REMOTE HOST IDENTIFICATION HAS CHANGED").  One line per key:
 * "HOST PORT KEY", KEY the standard base64 of the 32 Ed25519 key bytes (as
 * ftpc writes it) or the "SHA256:..." fingerprint `ftpd fingerprint`
 * prints (for an operator who hands users the fingerprint); '#' starts a
 * comment.  This file must not speak the protocol: the handshake already
 * verified the server's signature before anything here runs.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bsd/readpassphrase.h>
#include <bsd/string.h>

#include "common/error.h"
#include "common/log.h"
#include "client/ftpc.h"

#define KH_B64_LEN 45 /* base64 of 32 bytes with padding, and NUL */

int
knownhosts_path(char *out, size_t outlen)
{
	return ftpc_config_path("known_hosts", out, outlen) == 0 ? 0
								 : -ERR_SYSTEM;
}

/* kh_same: whether the KEY field f names the key pk. */
static int
kh_same(const char *f, const uint8_t pk[HOSTKEY_PK_BYTES])
{
	uint8_t bin[HOSTKEY_PK_BYTES + 1];
	char	fp[HOSTKEY_FP_LEN];
	size_t	n = 0;

	if (strncmp(f, "SHA256:", 7) == 0) {
		hostkey_fingerprint(pk, fp, sizeof(fp));
		return strcmp(f, fp) == 0;
	}
	if (sodium_base642bin(bin, sizeof(bin), f, strlen(f), NULL, &n, NULL,
		sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != HOSTKEY_PK_BYTES)
		return -1; /* not a key: the line is ignored */
	return memcmp(bin, pk, HOSTKEY_PK_BYTES) == 0;
}

/*
 * kh_line: one line (modified); sets *found for a line of host and port:
 * 1 for pk's, 2 for another key (old gets the line as written).
 */
static void
kh_line(char *line, const struct kh_query *q, int *found, char *old,
    size_t oldlen)
{
	char *h, *p, *k, *save = NULL, copy[512];
	int   same;

	line[strcspn(line, "#\r\n")] = '\0';
	strlcpy(copy, line, sizeof(copy));
	if ((h = strtok_r(line, " \t", &save)) == NULL ||
	    (p = strtok_r(NULL, " \t", &save)) == NULL ||
	    (k = strtok_r(NULL, " \t", &save)) == NULL)
		return;
	if (strcasecmp(h, q->host) != 0 || strcmp(p, q->port) != 0)
		return;
	if ((same = kh_same(k, q->pk)) == 1)
		*found = 1;
	else if (same == 0 && *found == 0) {
		*found = 2;
		strlcpy(old, copy, oldlen);
	}
}

int
knownhosts_lookup(const char *path, const struct kh_query *q, int *lineno,
    char *old, size_t oldlen)
{
	FILE  *f;
	char  *line = NULL;
	size_t cap = 0;
	int    found = 0, no = 0, was;

	*lineno = 0;
	old[0] = '\0';
	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? KH_UNKNOWN : -ERR_SYSTEM;
	while (found != 1 && getline(&line, &cap, f) != -1) {
		no++;
		was = found;
		kh_line(line, q, &found, old, oldlen);
		if (found == 2 && was == 0)
			*lineno = no;
	}
	free(line);
	if (ferror(f)) {
		fclose(f);
		return -ERR_SYSTEM;
	}
	fclose(f);
	return found == 1 ? KH_MATCH : found == 2 ? KH_CHANGED : KH_UNKNOWN;
}

/* kh_mkdir: the folder of path (mode 0700), one level, if missing. */
static int
kh_mkdir(const char *path)
{
	char  dir[PATH_MAX];
	char *slash;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -ERR_SYSTEM;
	return 0;
}

int
knownhosts_add(const char *path, const char *host, const char *port,
    const uint8_t pk[HOSTKEY_PK_BYTES])
{
	char b64[KH_B64_LEN], line[512];
	int  fd, n, r = 0;

	/* SECURITY: a host with blanks or '#' would forge another line. */
	if (host[strcspn(host, " \t\r\n#")] != '\0') {
		errno = EINVAL;
		return -ERR_SYSTEM;
	}
	sodium_bin2base64(b64, sizeof(b64), pk, HOSTKEY_PK_BYTES,
	    sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(line, sizeof(line), "%s %s %s\n", host, port, b64);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		errno = ENAMETOOLONG;
		return -ERR_SYSTEM;
	}
	if (kh_mkdir(path) != 0 ||
	    (fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		 0600)) == -1)
		return -ERR_SYSTEM;
	/* One write on O_APPEND: two ftpc adding at once do not mix. */
	if (write(fd, line, (size_t)n) != n)
		r = -ERR_SYSTEM;
	if (close(fd) == -1)
		r = -ERR_SYSTEM;
	return r;
}

/* kh_ask: "yes" typed on the terminal.  1 yes, 0 no (or no answer). */
static int
kh_ask(const char *where, const char *fp)
{
	char prompt[512], ans[16];
	int  i;

	snprintf(prompt, sizeof(prompt),
	    "The authenticity of %s cannot be established.\n"
	    "Its Ed25519 host key fingerprint is %s.\n"
	    "Compare it with the one the server's operator gave you "
	    "(ftpd fingerprint).\n"
	    "Are you sure you want to continue connecting (yes/no)? ",
	    where, fp);
	for (i = 0; i < 3; i++) {
		if (readpassphrase(prompt, ans, sizeof(ans), RPP_ECHO_ON) ==
		    NULL)
			return 0;
		if (strcasecmp(ans, "yes") == 0)
			return 1;
		if (strcasecmp(ans, "no") == 0)
			return 0;
		strlcpy(prompt, "Please type 'yes' or 'no': ", sizeof(prompt));
	}
	return 0;
}

/* kh_changed: the hard failure, with both fingerprints and the line. */
static int
kh_changed(const struct kh_query *q, const char *path, int lineno,
    const char *old)
{
	char	fp[HOSTKEY_FP_LEN], oldfp[HOSTKEY_FP_LEN], k[64];
	uint8_t bin[HOSTKEY_PK_BYTES];
	size_t	n = 0;

	hostkey_fingerprint(q->pk, fp, sizeof(fp));
	/* The third field of the old line, as a fingerprint. */
	if (sscanf(old, "%*s %*s %63s", k) != 1)
		k[0] = '\0';
	if (strncmp(k, "SHA256:", 7) == 0)
		strlcpy(oldfp, k, sizeof(oldfp));
	else if (sodium_base642bin(bin, sizeof(bin), k, strlen(k), NULL, &n,
		     NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    n == sizeof(bin))
		hostkey_fingerprint(bin, oldfp, sizeof(oldfp));
	else
		strlcpy(oldfp, "?", sizeof(oldfp));
	warnx("WARNING: the host key of %s has CHANGED!", q->where);
	warnx("someone may be intercepting the connection (a man in the "
	      "middle), or the server's key was replaced");
	warnx("known key:  %s (%s line %d)", oldfp, path, lineno);
	warnx("server key: %s", fp);
	warnx("if the server's operator confirms the new key, remove line %d "
	      "of %s:",
	    lineno, path);
	fprintf(stderr, "  %s\n", old);
	return -FTPC_ERR_HOSTKEY;
}

/* kh_new: a key met for the first time.  0 (recorded) or a refusal. */
static int
kh_new(const struct kh_query *q, const char *path, int keyed, int accept)
{
	char fp[HOSTKEY_FP_LEN];
	int  tty = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);

	hostkey_fingerprint(q->pk, fp, sizeof(fp));
	/* SECURITY: with the shared secret in the keys the server proved it
	 * holds S, so its key is recorded without asking (trust by S, not on
	 * first use).  Without S the user decides, or --accept-new. */
	if (!keyed && !accept && !tty) {
		warnx("%s: unknown host key %s", q->where, fp);
		warnx("no terminal to ask: check the fingerprint and run "
		      "again with --accept-new, or add it to %s",
		    path);
		return -FTPC_ERR_UNKNOWN_HOST;
	}
	if (!keyed && !accept && !kh_ask(q->where, fp)) {
		warnx("%s: host key not accepted", q->where);
		return -FTPC_ERR_UNKNOWN_HOST;
	}
	if (knownhosts_add(path, q->host, q->port, q->pk) != 0)
		warn("cannot add the host key to %s", path);
	else if (keyed)
		log_debug("added the host key %s of %s to %s", fp, q->where,
		    path);
	else
		warnx("added the host key %s of %s to %s", fp, q->where, path);
	return 0;
}

int
knownhosts_verify(const struct kh_query *q, int keyed, int accept)
{
	char path[PATH_MAX], old[512];
	int  r, lineno;

	if (knownhosts_path(path, sizeof(path)) != 0) {
		warnx("no home folder for known_hosts");
		return -ERR_SYSTEM;
	}
	r = knownhosts_lookup(path, q, &lineno, old, sizeof(old));
	if (r == KH_MATCH) {
		log_debug("%s: host key known (%s)", q->where, path);
		return 0;
	}
	if (r == KH_CHANGED)
		return kh_changed(q, path, lineno, old);
	if (r < 0) {
		warn("cannot read %s", path);
		return r;
	}
	return kh_new(q, path, keyed, accept);
}

int
knownhosts_badsig(const char *where, const uint8_t pk[HOSTKEY_PK_BYTES])
{
	char fp[HOSTKEY_FP_LEN];

	hostkey_fingerprint(pk, fp, sizeof(fp));
	warnx("WARNING: %s: the host key's signature did not verify!", where);
	warnx("the server claims the key %s but cannot prove it holds it: "
	      "someone may be intercepting the connection",
	    fp);
	return -FTPC_ERR_HOSTKEY;
}
