/*
 * hosts.c: which server ftpc talks to, and with which key.  A server is
 * named by -H (or FTPC_HOST) as an alias of a "Host" block of the
 * configuration file, a name or address, HOST:PORT, [V6ADDR]:PORT, or a
 * URL ftpc://[USER@]HOST[:PORT][/PATH]; an operand may be such a URL too.
 * The configuration file reads like ssh_config(5): "keyword value" or
 * "keyword = value" lines (host, port, key, user, identity, accept_new),
 * the ones before the
 * first "Host PATTERN..." line for every server, a block's for the
 * aliases its patterns match (fnmatch(3); the first value found wins).
 * Precedence: flags, then the environment, then the matching block, then
 * the lines before any block, then defaults.  This file must not connect.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "common/error.h"
#include "common/hostkey.h"
#include "common/keyfile.h"
#include "client/ftpc.h"

/* One server's settings, from a spec or from configuration lines. */
struct hostcfg {
	char host[256];
	char port[16];
	char user[64];
	char key[PATH_MAX];
	char path[PATH_MAX];  /* a URL's path: the first remote folder */
	char ident[PATH_MAX]; /* "identity": the user's Ed25519 key */
	char accept[8];	      /* "accept_new": "yes" or "no" */
};

/* What a configuration file is read for. */
struct cfgread {
	const char    *file;
	const char    *alias; /* the -H name to match Host blocks against */
	int	       state; /* 0 before any Host, 1 matching, 2 not */
	struct hostcfg top, blk;
};

/* check_port: 1..65535.  0 or -1. */
static int
check_port(const char *s)
{
	const char *e = NULL;

	(void)strtonum(s, 1, 65535, &e);
	return e == NULL ? 0 : -1;
}

/* set: value into an empty field (the first one found wins).  0 or -1. */
static int
set(char *field, size_t len, const char *value)
{
	if (field[0] != '\0')
		return 0;
	return strlcpy(field, value, len) < len ? 0 : -1;
}

/* hosts_hostport: "HOST", "HOST:PORT" or "[V6]:PORT" (or "[V6]"). */
static int
hosts_hostport(const char *s, size_t n, struct hostcfg *h)
{
	const char *colon, *end = s + n;
	char	    port[16];

	if (n > 0 && s[0] == '[') {
		colon = memchr(s, ']', n);
		if (colon == NULL || colon - s - 1 >= (int)sizeof(h->host))
			return -1;
		memcpy(h->host, s + 1, (size_t)(colon - s - 1));
		h->host[colon - s - 1] = '\0';
		s = colon + 1;
		colon = s < end && *s == ':' ? s : NULL;
		if (s < end && colon == NULL)
			return -1;
	} else {
		colon = memchr(s, ':', n);
		if (colon != NULL && memchr(colon + 1, ':', end - colon - 1))
			colon = NULL; /* a bare IPv6 address */
		n = colon ? (size_t)(colon - s) : n;
		if (n == 0 || n >= sizeof(h->host))
			return -1;
		memcpy(h->host, s, n);
		h->host[n] = '\0';
	}
	if (colon == NULL)
		return 0;
	n = (size_t)(end - colon - 1);
	if (n == 0 || n >= sizeof(port))
		return -1;
	memcpy(port, colon + 1, n);
	port[n] = '\0';
	return check_port(port) == 0 ? set(h->port, sizeof(h->port), port) : -1;
}

/* hosts_spec: a -H value or URL into h.  0, or -1 if malformed. */
static int
hosts_spec(const char *spec, struct hostcfg *h)
{
	const char *s = spec, *at, *slash;
	size_t	    n;

	memset(h, 0, sizeof(*h));
	if (strncmp(s, "ftpc://", 7) != 0)
		return hosts_hostport(s, strlen(s), h);
	s += 7;
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if ((at = memchr(s, '@', n)) != NULL) {
		if (at == s || at - s >= (int)sizeof(h->user))
			return -1;
		memcpy(h->user, s, (size_t)(at - s));
		n -= (size_t)(at - s) + 1;
		s = at + 1;
	}
	if (slash != NULL &&
	    strlcpy(h->path, slash, sizeof(h->path)) >= sizeof(h->path))
		return -1;
	return hosts_hostport(s, n, h);
}

/* cfg_match: whether alias matches one of the Host line's patterns. */
static int
cfg_match(char *pats, const char *alias)
{
	char *p, *save = NULL;

	if (alias == NULL)
		return 0;
	for (p = strtok_r(pats, " \t", &save); p != NULL;
	     p = strtok_r(NULL, " \t", &save))
		if (fnmatch(p, alias, 0) == 0)
			return 1;
	return 0;
}

/* cfg_key: one "keyword value" into h.  0, or -1 with why set. */
static int
cfg_key(struct hostcfg *h, const char *kw, const char *v, const char **why)
{
	*why = "bad value";
	if (strcasecmp(kw, "host") == 0 || strcasecmp(kw, "hostname") == 0)
		return v[0] ? set(h->host, sizeof(h->host), v) : -1;
	if (strcasecmp(kw, "port") == 0)
		return check_port(v) == 0 ? set(h->port, sizeof(h->port), v)
					  : -1;
	if (strcasecmp(kw, "user") == 0)
		return v[0] ? set(h->user, sizeof(h->user), v) : -1;
	if (strcasecmp(kw, "key") == 0 || strcasecmp(kw, "identityfile") == 0)
		return v[0] ? set(h->key, sizeof(h->key), v) : -1;
	if (strcasecmp(kw, "identity") == 0)
		return v[0] ? set(h->ident, sizeof(h->ident), v) : -1;
	if (strcasecmp(kw, "accept_new") == 0) {
		*why = "accept_new: yes or no";
		return strcmp(v, "yes") == 0 || strcmp(v, "no") == 0
		    ? set(h->accept, sizeof(h->accept), v)
		    : -1;
	}
	*why = "unknown keyword";
	return -1;
}

/* cfg_line: one line of the file (modified in place). */
static int
cfg_line(struct cfgread *r, char *line, const char **why)
{
	char  *kw, *v, *e;
	size_t n;

	line[strcspn(line, "#;\r\n")] = '\0';
	kw = line + strspn(line, " \t");
	if (*kw == '\0')
		return 0;
	n = strcspn(kw, " \t=");
	v = kw + n + strspn(kw + n, " \t");
	if (*v == '=') /* "host = NAME" names the server, as before */
		v++;
	else if (n == 4 && strncasecmp(kw, "host", 4) == 0) {
		r->state = cfg_match(v, r->alias) ? 1 : 2; /* "Host ALIAS" */
		return 0;
	}
	kw[n] = '\0';
	v += strspn(v, " \t");
	for (e = v + strlen(v); e > v && isspace((unsigned char)e[-1]);)
		*--e = '\0';
	if (r->state == 2) { /* another server's block: checked only */
		struct hostcfg skip = { 0 };
		return cfg_key(&skip, kw, v, why);
	}
	return cfg_key(r->state ? &r->blk : &r->top, kw, v, why);
}

/*
 * cfg_read: the file path (missing is fine when optional).  Exits 5 if
 * it cannot be read, 2 on a bad line.
 */
static void
cfg_read(struct cfgread *r, const char *path, int optional)
{
	FILE	   *f;
	char	   *line = NULL;
	size_t	    cap = 0;
	int	    no = 0;
	const char *why = NULL;

	r->file = path;
	if ((f = fopen(path, "re")) == NULL) {
		if (optional && errno == ENOENT)
			return;
		errx(FTPC_EXIT_LOCAL, "cannot read config %s: %s", path,
		    strerror(errno));
	}
	while (getline(&line, &cap, f) != -1) {
		no++;
		if (cfg_line(r, line, &why) != 0)
			errx(FTPC_EXIT_USAGE, "%s:%d: %s", path, no, why);
	}
	if (ferror(f))
		errx(FTPC_EXIT_LOCAL, "cannot read config %s", path);
	free(line);
	fclose(f);
}

/* pick: the first of a, b, c, d that is set and not empty. */
static const char *
pick(const char *a, const char *b, const char *c, const char *d)
{
	if (a != NULL && a[0] != '\0')
		return a;
	if (b != NULL && b[0] != '\0')
		return b;
	return c != NULL && c[0] != '\0' ? c : d;
}

/* cfg_keypath: "~/" is $HOME; another relative key path is taken from
 * the configuration file's folder. */
static void
cfg_keypath(const char *file, const char *key, char *out, size_t outlen)
{
	char	    dir[PATH_MAX];
	const char *home = getenv("HOME");

	if (strncmp(key, "~/", 2) == 0 && home != NULL && home[0] == '/') {
		if (snprintf(out, outlen, "%s/%s", home, key + 2) >=
		    (int)outlen)
			usage_error("key file path too long");
		return;
	}
	if (key[0] == '/' || file == NULL || strchr(file, '/') == NULL) {
		if (strlcpy(out, key, outlen) >= outlen)
			usage_error("key file path too long");
		return;
	}
	strlcpy(dir, file, sizeof(dir));
	*strrchr(dir, '/') = '\0';
	if (snprintf(out, outlen, "%s/%s", dir[0] ? dir : "", key) >=
	    (int)outlen)
		usage_error("key file path too long");
}

/*
 * hosts_method: how to log in.  An identity (-i, "identity") is method
 * publickey; -u, or a user from a URL or the configuration without a key
 * of its own (USER.key) or a key named (-k, FTPC_KEY, "key"), is method
 * password; else the shared secret alone, as before accounts.  Sets
 * c->method, loads the identity; exits 2 or 5 on an error.
 */
static void
hosts_method(struct ftpc *c, const struct cfgread *r, int named, int userkey)
{
	const char *id = pick(r->blk.ident, r->top.ident, NULL, NULL);
	char	    path[PATH_MAX], err[256];

	if (c->flag_ident != NULL || id != NULL)
		c->method = FTPC_AUTH_PUBLICKEY;
	else if (c->flag_user != NULL || (c->user[0] && !named && !userkey))
		c->method = FTPC_AUTH_PASSWORD;
	else {
		c->method = FTPC_AUTH_SECRET;
		return;
	}
	if (c->user[0] == '\0')
		usage_error("-i: no user name: give -u USER");
	if (auth_check_user(c->user) != 0)
		usage_error("user: an account name is 1 to 32 of a-z, 0-9, "
			    "'_', '.', '-', starting with a letter or digit");
	if (c->method != FTPC_AUTH_PUBLICKEY)
		return;
	if (c->flag_ident != NULL)
		strlcpy(path, c->flag_ident, sizeof(path));
	else
		cfg_keypath(r->file, id, path, sizeof(path));
	if (hostkey_load(path, &c->ident, err, sizeof(err)) != 0)
		errx(FTPC_EXIT_LOCAL, "cannot read identity: %s", err);
}

/*
 * hosts_key: the shared secret (flags, env, block, top, USER.key, the
 * default secret.key), read into c->key.  An account login uses only a
 * secret named or of its user: without one its session is "nosecret".
 */
static void
hosts_key(struct ftpc *c, const char *flag, const struct cfgread *r)
{
	char	    path[PATH_MAX], def[PATH_MAX], file[80], err[256];
	const char *k;
	int	    userkey;

	k = pick(flag, getenv("FTPC_KEY"), NULL, NULL);
	if (k == NULL && pick(r->blk.key, r->top.key, NULL, NULL) != NULL)
		cfg_keypath(r->file, pick(r->blk.key, r->top.key, NULL, NULL),
		    path, sizeof(path));
	else if (strlcpy(path, k ? k : "", sizeof(path)) >= sizeof(path))
		usage_error("key file path too long");
	snprintf(file, sizeof(file), "%s.key", c->user);
	userkey = c->user[0] != '\0' &&
	    ftpc_config_path(file, def, sizeof(def)) == 0 &&
	    access(def, F_OK) == 0;
	hosts_method(c, r, path[0] != '\0', userkey);
	if (path[0] == '\0' && userkey)
		strlcpy(path, def, sizeof(path));
	if (path[0] == '\0' && c->method != FTPC_AUTH_SECRET) {
		c->nosecret = 1; /* PROTOCOL.md 2.2: the host key vouches */
		return;
	}
	if (path[0] == '\0' &&
	    ftpc_config_path("secret.key", path, sizeof(path)))
		usage_error("no usable key file path");
	if (keyfile_read(path, c->key, err, sizeof(err)) == -1)
		errx(FTPC_EXIT_LOCAL, "cannot read key: %s", err);
}

/* hosts_finish: the chosen host, port and user into c. */
static void
hosts_finish(struct ftpc *c, const char *portflag, const struct hostcfg *s,
    const struct cfgread *r, int aliased)
{
	const char *h = aliased ? pick(r->blk.host, s->host, NULL, NULL)
				: pick(s->host, r->top.host, NULL, NULL);
	const char *p = pick(portflag, s->port, getenv("FTPC_PORT"),
	    pick(r->blk.port, r->top.port, "2121", NULL));

	if (strlcpy(c->host, pick(h, NULL, NULL, "127.0.0.1"),
		sizeof(c->host)) >= sizeof(c->host))
		usage_error("host name too long");
	if (strlcpy(c->port, p, sizeof(c->port)) >= sizeof(c->port) ||
	    check_port(c->port) == -1)
		usage_error("port must be a number from 1 to 65535");
	strlcpy(c->user,
	    pick(c->flag_user, s->user,
		pick(r->blk.user, r->top.user, NULL, NULL), ""),
	    sizeof(c->user));
	if (strcmp(pick(r->blk.accept, r->top.accept, NULL, "no"), "yes") == 0)
		c->accept_new = 1;
	if (s->path[0] != '\0' &&
	    remote_setcwd(s->path[1] ? s->path + 1 : ".") != 0)
		usage_error("URL path too long");
}

void
hosts_settings(struct ftpc *c, const char *fl[5])
{
	static struct cfgread r;
	struct hostcfg	      s;
	char		      cfg[PATH_MAX];
	const char *spec = pick(fl[0], getenv("FTPC_HOST"), NULL, NULL);

	if (spec != NULL && hosts_spec(spec, &s) != 0)
		usage_error("-H: HOST, HOST:PORT, [ADDRESS]:PORT or "
			    "ftpc://[USER@]HOST[:PORT]/PATH");
	if (spec == NULL)
		memset(&s, 0, sizeof(s));
	r.alias = s.host[0] ? s.host : NULL;
	if (pick(fl[3], getenv("FTPC_CONFIG"), NULL, NULL) != NULL)
		cfg_read(&r, pick(fl[3], getenv("FTPC_CONFIG"), NULL, NULL), 0);
	else if (ftpc_config_path("config", cfg, sizeof(cfg)) == 0)
		cfg_read(&r, cfg, 1);
	hosts_finish(c, fl[1], &s, &r, r.blk.host[0] != '\0');
	hosts_key(c, fl[2], &r);
}

int
hosts_operand(char *arg, const char *fl[5])
{
	static char   *server;
	struct hostcfg h;
	const char    *slash;
	size_t	       n;

	if (strncmp(arg, "ftpc://", 7) != 0)
		return 0;
	if (hosts_spec(arg, &h) != 0)
		return usage_msg("malformed ftpc:// URL");
	slash = strchr(arg + 7, '/');
	n = slash ? (size_t)(slash - arg) : strlen(arg);
	if (server != NULL && (strlen(server) != n || memcmp(server, arg, n)))
		return usage_msg("every URL must name the same server");
	if (server == NULL && (server = strndup(arg, n)) == NULL)
		return usage_msg("out of memory");
	fl[0] = server;
	memmove(arg, h.path[0] ? h.path : "/",
	    strlen(h.path[0] ? h.path : "/") + 1);
	return 0;
}
