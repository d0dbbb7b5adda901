/*
 * config_defaults.c: the daemon's built-in configuration: the numbers,
 * the listen address, and where files live (a -d folder, the system
 * locations as root, the XDG folders otherwise, through common/xdg.h),
 * plus the value parsers (sizes, host:port, max_startups) and path
 * helpers config.c shares.  This file must not read a
 * configuration file (config.c does), log, exit or create folders.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <sodium.h>

#include "common/config.h"
#include "common/digest.h"
#include "common/xdg.h"

int
config_join(char *dst, size_t len, const char *a, const char *b)
{
	int n;

	n = snprintf(dst, len, "%s%s%s", a,
	    a[0] != '\0' && a[strlen(a) - 1] == '/' ? "" : "/", b);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
config_absolute(char *dst, size_t len, const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return strlcpy(dst, path, len) < len ? 0 : -1;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	return config_join(dst, len, cwd, path);
}

int
config_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char		  *end;
	unsigned	   shift = 0;

	*out = 0;
	if (s[0] < '0' || s[0] > '9')
		return -1; /* strtoull would take "-1" and " 1" */
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int
config_split_hostport(const char *s, char *host, size_t hostlen, char *port,
    size_t portlen)
{
	const char *colon, *close;
	size_t	    n;

	if (s[0] == '[') {
		if ((close = strchr(s, ']')) == NULL || close[1] != ':')
			return -1;
		n = (size_t)(close - s - 1);
		colon = close + 1;
		s++;
	} else {
		if ((colon = strchr(s, ':')) == NULL ||
		    strchr(colon + 1, ':') != NULL)
			return -1; /* none, or an IPv6 address without [] */
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= hostlen || colon[1] == '\0')
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	return strlcpy(port, colon + 1, portlen) < portlen ? 0 : -1;
}

int
config_parse_startups(const char *s, int out[3])
{
	long long   v[3];
	const char *errstr;
	char	    buf[64], *p = buf, *field;
	int	    n = 0;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return -1;
	while ((field = strsep(&p, ":")) != NULL) {
		if (n == 3)
			return -1;
		v[n++] = strtonum(field, 1, 100000, &errstr);
		if (errstr != NULL)
			return -1;
	}
	if (n == 1) {
		v[1] = 100; /* sshd: a single number refuses all beyond it */
		v[2] = v[0];
	}
	if (n == 2 || v[1] > 100 || v[0] > v[2])
		return -1;
	out[0] = (int)v[0];
	out[1] = (int)v[1];
	out[2] = (int)v[2];
	return 0;
}

static int
defaults_paths(struct config *c, const char *conf, const char *data,
    const char *state, const char *logs)
{
	if (strlcpy(c->root, data, sizeof(c->root)) >= sizeof(c->root) ||
	    config_join(c->key_file, sizeof(c->key_file), conf, "secret.key") ==
		-1 ||
	    config_join(c->host_key, sizeof(c->host_key), conf, "host.key") ==
		-1 ||
	    config_join(c->users_file, sizeof(c->users_file), conf, "users") ==
		-1 ||
	    config_join(c->pidfile, sizeof(c->pidfile), state, "ftpd.pid") ==
		-1 ||
	    config_join(c->log_file, sizeof(c->log_file), logs, "ftpd.log") ==
		-1 ||
	    config_join(c->xferlog, sizeof(c->xferlog), logs, "xferlog") == -1)
		return -1;
	return 0;
}

static void
defaults_numbers(struct config *c)
{
	c->workers = 4;
	c->max_workers = 32;
	c->max_sessions = 100;
	c->max_per_ip = 0;
	c->max_startups[0] = 10; /* sshd's MaxStartups 10:30:100 */
	c->max_startups[1] = 30;
	c->max_startups[2] = 100;
	c->max_startups_per_ip = 10;
	c->penalty_authfail = 5; /* sshd's PerSourcePenalties defaults */
	c->penalty_noauth = 1;
	c->penalty_grace = 10;
	c->penalty_min = 15;
	c->penalty_max = 600;
	c->queue_len = 16;
	c->queue_wait_ms = 2000;
	c->shutdown_timeout = 30;
	c->login_grace = 10;
	c->idle_timeout = 300;
	c->stall_timeout = 60;
	c->frame_timeout = 30;
	c->min_rate = 1024;
	c->min_rate_window = 60;
	c->cpu_seconds = 600;
	c->memory_limit = 256ULL << 20;
	c->open_files = 64;
	c->file_size_limit = 0;
	c->max_file_size = 0;
	c->overwrite = 1;
	c->partial_ttl = 86400;
	c->digests = DIGEST_ALL;
	c->debug = 0;
	c->anonymous = 0;
	(void)strlcpy(c->anonymous_dir, "incoming", sizeof(c->anonymous_dir));
	c->pwhash_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE; /* 2 */
	c->pwhash_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE; /* 64 MiB */
}

int
config_defaults(struct config *c, const char *base)
{
	char abs[PATH_MAX], files[PATH_MAX], conf[PATH_MAX], data[PATH_MAX];
	char state[PATH_MAX];

	memset(c, 0, sizeof(*c));
	defaults_numbers(c);
	(void)strlcpy(c->listen[0], "127.0.0.1:2121", sizeof(c->listen[0]));
	c->nlisten = 1;
	(void)strlcpy(c->user, "ftpd", sizeof(c->user));
	if (base != NULL) {
		if (config_absolute(abs, sizeof(abs), base) == -1 ||
		    config_join(files, sizeof(files), abs, "files") == -1)
			return -1;
		return defaults_paths(c, abs, files, abs, abs);
	}
	if (geteuid() == 0)
		return defaults_paths(c, "/etc/ftpd", "/srv/ftpd", "/run/ftpd",
		    "/var/log/ftpd");
	if (xdg_dir(conf, sizeof(conf), "XDG_CONFIG_HOME", ".config", "ftpd") ==
		-1 ||
	    xdg_dir(data, sizeof(data), "XDG_DATA_HOME", ".local/share",
		"ftpd/files") == -1 ||
	    xdg_dir(state, sizeof(state), "XDG_STATE_HOME", ".local/state",
		"ftpd") == -1)
		return -1;
	return defaults_paths(c, conf, data, state, state);
}

int
config_default_file(const char *base, char *out, size_t outlen)
{
	char dir[PATH_MAX];

	if (base != NULL) {
		if (config_absolute(dir, sizeof(dir), base) == -1)
			return -1;
		return config_join(out, outlen, dir, "ftpd.conf");
	}
	if (geteuid() == 0)
		return strlcpy(out, "/etc/ftpd/ftpd.conf", outlen) < outlen
		    ? 0
		    : -1;
	return xdg_dir(out, outlen, "XDG_CONFIG_HOME", ".config",
	    "ftpd/ftpd.conf");
}
