/*
 * bind.c: the listening sockets of listen.h: bind every configured
 * address (all a name resolves to; IPv4 and IPv6, SO_REUSEADDR,
 * IPV6_V6ONLY), rebind on reload keeping the sockets of addresses that
 * stay (a failure leaves the old set untouched), and name them for the
 * log and the status.  listen.c accepts on them.  It must not accept or
 * touch a client connection.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bsd/string.h>

#include "common/log.h"
#include "server/listen.h"

#define LISTEN_FDS_MAX (CONFIG_LISTEN_MAX * 4) /* a name may give several */
#define LISTEN_BACKLOG 511

struct listener {
	char name[128]; /* as configured */
	char shown[80]; /* numeric, e.g. "[::1]:2121" */
	int  fd;
};

static struct {
	struct listener l[LISTEN_FDS_MAX];
	int		nl;
} ls;

/* "127.0.0.1:2121" or "[::1]:2121" for a bound socket address. */
static void
show_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t size)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getnameinfo(sa, len, host, sizeof(host), port, sizeof(port),
		NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		(void)strlcpy(out, "?", size);
		return;
	}
	snprintf(out, size, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	    host, port);
}

static int
bind_one(const struct addrinfo *ai, const char *name, char *err, size_t errlen)
{
	int fd, on = 1;

	fd = socket(ai->ai_family,
	    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (ai->ai_family == AF_INET6 &&
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) ==
		    -1) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1) {
		snprintf(err, errlen, "cannot listen on %s: %s%s", name,
		    strerror(errno),
		    errno == EADDRINUSE ? " (port in use by another program?)"
					: "");
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* Open name's sockets into out[0..room).  Returns how many, or -1. */
static int
open_name(const char *name, struct listener *out, int room, char *err,
    size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	char		host[128], port[16];
	int		n = 0, r, fd;

	if (config_split_hostport(name, host, sizeof(host), port,
		sizeof(port)) == -1) {
		snprintf(err, errlen, "bad listen address %s", name);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	r = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, port, &hints,
	    &res);
	if (r != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", name,
		    gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL && n < room; ai = ai->ai_next) {
		if ((fd = bind_one(ai, name, err, errlen)) == -1) {
			while (n > 0)
				close(out[--n].fd);
			freeaddrinfo(res);
			return -1;
		}
		(void)strlcpy(out[n].name, name, sizeof(out[n].name));
		show_addr(ai->ai_addr, ai->ai_addrlen, out[n].shown,
		    sizeof(out[n].shown));
		out[n++].fd = fd;
	}
	freeaddrinfo(res);
	return n;
}

/*
 * Build the set for cfg in out, taking sockets of names already open from
 * ls.l (marked -1 there).  On failure the new sockets are closed and the
 * taken ones given back.
 */
static int
build_set(const struct config *cfg, struct listener *out, int *nout, char *err,
    size_t errlen)
{
	int i, j, n = 0, got, took;

	for (i = 0; i < cfg->nlisten; i++) {
		took = 0;
		for (j = 0; j < ls.nl && n < LISTEN_FDS_MAX; j++)
			if (ls.l[j].fd != -1 &&
			    strcmp(ls.l[j].name, cfg->listen[i]) == 0) {
				out[n++] = ls.l[j];
				ls.l[j].fd = -1;
				took = 1;
			}
		if (took)
			continue;
		got = open_name(cfg->listen[i], out + n, LISTEN_FDS_MAX - n,
		    err, errlen);
		if (got == -1)
			goto fail;
		n += got;
	}
	*nout = n;
	return 0;
fail:
	for (i = 0; i < n; i++) {
		for (j = 0; j < ls.nl; j++)
			if (ls.l[j].fd == -1 &&
			    strcmp(ls.l[j].name, out[i].name) == 0 &&
			    strcmp(ls.l[j].shown, out[i].shown) == 0) {
				ls.l[j].fd = out[i].fd; /* given back */
				break;
			}
		if (j == ls.nl)
			close(out[i].fd);
	}
	return -1;
}

int
listen_reload(const struct config *cfg, char *err, size_t errlen)
{
	struct listener nl[LISTEN_FDS_MAX];
	int		n, i;

	if (build_set(cfg, nl, &n, err, errlen) == -1)
		return -1;
	for (i = 0; i < ls.nl; i++)
		if (ls.l[i].fd != -1) {
			log_info("no longer listening on %s", ls.l[i].shown);
			close(ls.l[i].fd);
		}
	memcpy(ls.l, nl, sizeof(nl[0]) * (size_t)n);
	ls.nl = n;
	listen_configure(cfg); /* TCP_DEFER_ACCEPT on the new ones too */
	return 0;
}

int
listen_open(const struct config *cfg, char *err, size_t errlen)
{
	ls.nl = 0;
	listen_configure(cfg);
	return listen_reload(cfg, err, errlen);
}

void
listen_close(void)
{
	int i;

	for (i = 0; i < ls.nl; i++)
		if (ls.l[i].fd != -1)
			close(ls.l[i].fd);
	ls.nl = 0;
}

int
listen_fd(int i)
{
	return i >= 0 && i < ls.nl ? ls.l[i].fd : -1;
}

const char *
listen_shown(int i)
{
	return i >= 0 && i < ls.nl ? ls.l[i].shown : NULL;
}

void
listen_names(char *buf, size_t size)
{
	int i;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < ls.nl; i++) {
		if (i > 0)
			(void)strlcat(buf, ", ", size);
		(void)strlcat(buf, ls.l[i].shown, size);
	}
}
