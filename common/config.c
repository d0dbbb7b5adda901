/*
 * config.c: the daemon's configuration file: "key = value" lines read with
 * inih, every value checked against a table of keys with types and ranges.
 * Errors read "FILE:LINE: reason".  The built-in defaults and where files
 * live are config_defaults.c's.  This file must not log, exit or touch
 * anything but the struct it fills: the daemon, `ftpd -t` and the unit
 * tests all call it.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <ini.h>

#include "common/config.h"
#include "common/digest.h"
#include "common/users.h"

#define CONFIG_WORKERS_MAX 1024		 /* server/pool.h POOL_MAX */
#define CONFIG_MEMORY_MIN  (16ULL << 20) /* below this a worker cannot run */

enum key_type {
	K_INT,
	K_U64,
	K_SIZE,
	K_BOOL,
	K_PATH,
	K_STR,
	K_LISTEN,
	K_DIGESTS,
	K_STARTUPS
};

struct key {
	const char *name;
	int	    type;
	size_t	    off;
	long long   min, max; /* K_INT, K_U64; K_SIZE: max 0 = none */
};

#define F(f) offsetof(struct config, f)

static const struct key keys[] = {
	{ "listen", K_LISTEN, F(listen), 0, 0 },
	{ "root", K_PATH, F(root), 0, 0 },
	{ "key_file", K_PATH, F(key_file), 0, 0 },
	{ "host_key", K_PATH, F(host_key), 0, 0 },
	{ "users_file", K_PATH, F(users_file), 0, 0 },
	{ "pidfile", K_PATH, F(pidfile), 0, 0 },
	{ "log_file", K_PATH, F(log_file), 0, 0 },
	{ "xferlog", K_PATH, F(xferlog), 0, 0 },
	{ "user", K_STR, F(user), 0, sizeof(((struct config *)0)->user) },
	{ "workers", K_INT, F(workers), 1, CONFIG_WORKERS_MAX },
	{ "max_workers", K_INT, F(max_workers), 1, CONFIG_WORKERS_MAX },
	{ "max_sessions", K_INT, F(max_sessions), 1, 1000000000 },
	{ "max_per_ip", K_INT, F(max_per_ip), 0, 100000 },
	{ "max_startups", K_STARTUPS, F(max_startups), 0, 0 },
	{ "max_startups_per_ip", K_INT, F(max_startups_per_ip), 0, 100000 },
	{ "penalty_authfail", K_INT, F(penalty_authfail), 0, 86400 },
	{ "penalty_noauth", K_INT, F(penalty_noauth), 0, 86400 },
	{ "penalty_grace", K_INT, F(penalty_grace), 0, 86400 },
	{ "penalty_min", K_INT, F(penalty_min), 0, 86400 },
	{ "penalty_max", K_INT, F(penalty_max), 0, 86400 },
	{ "queue_len", K_INT, F(queue_len), 0, 4096 },
	{ "queue_wait_ms", K_INT, F(queue_wait_ms), 0, 600000 },
	{ "shutdown_timeout", K_INT, F(shutdown_timeout), 0, 86400 },
	{ "login_grace", K_INT, F(login_grace), 1, 86400 },
	{ "idle_timeout", K_INT, F(idle_timeout), 1, 604800 },
	{ "stall_timeout", K_INT, F(stall_timeout), 1, 604800 },
	{ "frame_timeout", K_INT, F(frame_timeout), 1, 86400 },
	{ "min_rate", K_SIZE, F(min_rate), 0, 0 },
	{ "min_rate_window", K_INT, F(min_rate_window), 1, 86400 },
	{ "cpu_seconds", K_U64, F(cpu_seconds), 1, 31536000 },
	{ "memory_limit", K_SIZE, F(memory_limit), 0, 0 },
	{ "open_files", K_U64, F(open_files), 16, 1048576 },
	{ "file_size_limit", K_SIZE, F(file_size_limit), 0, 0 },
	{ "max_file_size", K_SIZE, F(max_file_size), 0, 0 },
	{ "overwrite", K_BOOL, F(overwrite), 0, 0 },
	{ "partial_ttl", K_INT, F(partial_ttl), 1, 31536000 },
	{ "digests", K_DIGESTS, F(digests), 0, 0 },
	{ "debug", K_BOOL, F(debug), 0, 0 },
	{ "anonymous", K_BOOL, F(anonymous), 0, 0 },
	{ "anonymous_dir", K_STR, F(anonymous_dir), 0,
	    sizeof(((struct config *)0)->anonymous_dir) },
	{ "pwhash_ops", K_U64, F(pwhash_ops), 1, 64 },
	{ "pwhash_mem", K_SIZE, F(pwhash_mem), 0, 0 },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* What the inih callbacks share while one file is read. */
struct parse {
	struct config *c;
	FILE	      *fp;
	char	       dir[PATH_MAX];  /* the file's folder, absolute */
	int	       line;	       /* current line, counted by the reader */
	int	       listen_seen;    /* the file replaced the default list */
	int	       line_of[NKEYS]; /* where each key was last set */
	char	      *err;
	size_t	       errlen;
	int	       failed;
	int	       fail_line; /* line of the error recorded */
};

static int
fits(char *dst, size_t len, const char *src)
{
	return strlcpy(dst, src, len) < len ? 0 : -1;
}

static int
parse_bool(const char *v, int *out)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0)
		*out = 1;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
check_listen(const char *v)
{
	char	    host[128], port[16];
	const char *errstr;

	if (strlen(v) >= sizeof(((struct config *)0)->listen[0]) ||
	    config_split_hostport(v, host, sizeof(host), port, sizeof(port)) ==
		-1)
		return -1;
	(void)strtonum(port, 1, 65535, &errstr);
	return errstr == NULL ? 0 : -1;
}

/* Record "FILE:LINE: reason" once; later errors keep the first. */
static int __attribute__((format(printf, 2, 3)))
fail(struct parse *p, const char *fmt, ...)
{
	char	msg[512];
	va_list ap;

	if (p->failed++)
		return 0;
	p->fail_line = p->line;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->c->file, p->line, msg);
	return 0;
}

static int
set_listen(struct parse *p, const char *v)
{
	struct config *c = p->c;

	if (check_listen(v) == -1)
		return fail(p,
		    "listen: '%s' is not ADDRESS:PORT, e.g. "
		    "127.0.0.1:2121 or [::1]:2121",
		    v);
	if (!p->listen_seen) {
		p->listen_seen = 1; /* the file's list replaces the default */
		c->nlisten = 0;
	}
	if (c->nlisten >= CONFIG_LISTEN_MAX)
		return fail(p, "listen: at most %d addresses",
		    CONFIG_LISTEN_MAX);
	(void)fits(c->listen[c->nlisten++], sizeof(c->listen[0]), v);
	return 1;
}

static int
set_path(struct parse *p, const struct key *k, const char *v)
{
	char *dst = (char *)p->c + k->off;
	int   r;

	if (v[0] == '/')
		r = fits(dst, PATH_MAX, v);
	else
		r = config_join(dst, PATH_MAX, p->dir, v);
	if (r == -1)
		return fail(p, "%s: path too long", k->name);
	return 1;
}

static int
set_number(struct parse *p, const struct key *k, const char *v)
{
	const char *errstr;
	long long   n;
	uint64_t    size;

	if (k->type == K_SIZE) {
		if (config_parse_size(v, &size) == -1)
			return fail(p,
			    "%s: '%s' is not a size (a number with "
			    "an optional K, M or G)",
			    k->name, v);
		if (k->off == F(pwhash_mem) &&
		    (size < (8ULL << 10) || size > (4ULL << 30)))
			return fail(p, "%s: '%s' is not from 8K to 4G", k->name,
			    v);
		if (k->off == F(memory_limit) && size != 0 &&
		    size < CONFIG_MEMORY_MIN)
			return fail(p, "%s: '%s' is below 16M (0 is no limit)",
			    k->name, v);
		*(uint64_t *)(void *)((char *)p->c + k->off) = size;
		return 1;
	}
	n = strtonum(v, k->min, k->max, &errstr);
	if (errstr != NULL)
		return fail(p, "%s: '%s' is not a number from %lld to %lld",
		    k->name, v, k->min, k->max);
	if (k->type == K_INT)
		*(int *)(void *)((char *)p->c + k->off) = (int)n;
	else
		*(uint64_t *)(void *)((char *)p->c + k->off) = (uint64_t)n;
	return 1;
}

static int
set_value(struct parse *p, const struct key *k, const char *v)
{
	int b;

	switch (k->type) {
	case K_LISTEN:
		return set_listen(p, v);
	case K_PATH:
		return set_path(p, k, v);
	case K_STR:
		if (fits((char *)p->c + k->off, (size_t)k->max, v) == -1)
			return fail(p, "%s: too long", k->name);
		if (k->off == F(anonymous_dir) && users_home_ok(v) != 0)
			return fail(p,
			    "%s: '%s' is not a relative path "
			    "without ..",
			    k->name, v);
		return 1;
	case K_STARTUPS:
		if (config_parse_startups(v, p->c->max_startups) == -1)
			return fail(p,
			    "%s: '%s' is not START or START:RATE:FULL "
			    "(RATE 1-100, 1 <= START <= FULL)",
			    k->name, v);
		return 1;
	case K_DIGESTS:
		if (digest_parse_list(v, &p->c->digests) != 0)
			return fail(p,
			    "%s: '%s' is not a list of xxh3-128 and "
			    "blake2b-256",
			    k->name, v);
		return 1;
	case K_BOOL:
		if (parse_bool(v, &b) == -1)
			return fail(p, "%s: '%s' is not yes or no", k->name, v);
		*(int *)(void *)((char *)p->c + k->off) = b;
		return 1;
	default:
		return set_number(p, k, v);
	}
}

/* inih handler: one "name = value" line.  Returns 1 to go on, 0 on error. */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	size_t	      i;

	if (section[0] != '\0')
		return fail(p, "sections ([%s]) are not used", section);
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			break;
	if (i == NKEYS)
		return fail(p, "unknown key '%s'", name);
	if (value == NULL || value[0] == '\0')
		return fail(p, "%s: empty value", name);
	p->line_of[i] = p->line;
	return set_value(p, &keys[i], value);
}

/*
 * inih reader: one line per call, so p->line is the line being handled.
 * A line longer than inih's buffer is an error rather than two lines.
 */
static char *
reader(char *str, int num, void *user)
{
	struct parse *p = user;
	size_t	      n, lead;

	if (p->failed || fgets(str, num, p->fp) == NULL)
		return NULL;
	p->line++;
	n = strlen(str);
	if (n > 0 && str[n - 1] != '\n' && !feof(p->fp)) {
		fail(p, "line longer than %d bytes", num - 3);
		return NULL;
	}
	/* Debian's inih joins an indented line to the previous value; an
	 * indented "key = value" is meant as a line of its own. */
	lead = strspn(str, " \t");
	if (lead > 0)
		memmove(str, str + lead, n - lead + 1);
	return str;
}

static size_t
key_index(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS && strcmp(keys[i].name, name) != 0; i++)
		;
	return i;
}

/* SECURITY: a worker must be able to verify a password (argon2id
 * allocates pwhash_mem at once), or every login would fail. */
static int
memory_check(struct parse *p)
{
	int	 lm = p->line_of[key_index("memory_limit")];
	int	 lp = p->line_of[key_index("pwhash_mem")];
	uint64_t need = p->c->pwhash_mem + CONFIG_WORKER_BASE_MEM;

	if (p->c->memory_limit != 0 && p->c->memory_limit < need) {
		p->line = lm > lp ? lm : lp;
		return fail(p,
		    "memory_limit (%lluM) is below pwhash_mem plus %lluM "
		    "(%lluM): a worker could not verify a password",
		    (unsigned long long)(p->c->memory_limit >> 20),
		    CONFIG_WORKER_BASE_MEM >> 20,
		    (unsigned long long)(need >> 20));
	}
	return 1;
}

/* Checks across keys, once the whole file is read. */
static int
cross_check(struct parse *p)
{
	int lw = p->line_of[key_index("workers")];
	int lm = p->line_of[key_index("max_workers")];

	if (p->c->workers > p->c->max_workers) {
		p->line = lw > lm ? lw : lm;
		return fail(p, "workers (%d) is more than max_workers (%d)",
		    p->c->workers, p->c->max_workers);
	}
	return memory_check(p);
}

/* p->c->file = absolute path, p->dir = its folder. */
static int
set_file(struct parse *p, const char *path)
{
	char *slash;

	if (config_absolute(p->c->file, sizeof(p->c->file), path) == -1 ||
	    fits(p->dir, sizeof(p->dir), p->c->file) == -1) {
		snprintf(p->err, p->errlen, "%s: path too long", path);
		return -1;
	}
	slash = strrchr(p->dir, '/');
	if (slash == p->dir)
		slash[1] = '\0'; /* a file in "/" */
	else
		*slash = '\0';
	return 0;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	struct parse *p;
	int	      r, ret = -1;

	if ((p = calloc(1, sizeof(*p) + sizeof(*c))) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Read into a copy: c changes only when the whole file is good. */
	p->c = (struct config *)(void *)(p + 1);
	memcpy(p->c, c, sizeof(*c));
	p->err = err;
	p->errlen = errlen;
	if (set_file(p, path) == -1)
		goto out;
	if ((p->fp = fopen(p->c->file, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", p->c->file, strerror(errno));
		goto out;
	}
	r = ini_parse_stream(reader, p, handler, p);
	/* inih reports a line without '=' only in its result. */
	if (r > 0 && (!p->failed || r < p->fail_line)) {
		p->failed = 0;
		p->line = r;
		fail(p, "expected 'key = value'");
	} else if (r < 0 && !p->failed)
		fail(p, "cannot parse (%d)", r);
	if (!p->failed && ferror(p->fp))
		fail(p, "read error");
	if (!p->failed)
		cross_check(p);
	if (!p->failed) {
		memcpy(c, p->c, sizeof(*c));
		ret = 0;
	}
out:
	if (p->fp != NULL)
		fclose(p->fp);
	free(p);
	return ret;
}
