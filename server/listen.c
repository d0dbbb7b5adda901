/*
 * listen.c: the listening sockets and the connections they yield.  Binds
 * every configured address (IPv4 and IPv6, SO_REUSEADDR, IPV6_V6ONLY),
 * accepts, applies max_per_ip, passes each connection to the pool or holds
 * it in a bounded queue for at most queue_wait_ms, and otherwise refuses it
 * with an explicit "server busy" frame followed by a lingering close, so
 * the client reads the refusal instead of a reset.  It must not read a
 * client byte except to discard it while lingering, and never drops a
 * connection without a word.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bsd/string.h>

#include "common/clock.h"
#include "common/channel.h"
#include "common/error.h"
#include "common/log.h"
#include "server/listen.h"
#include "server/pool.h"

#define LISTEN_FDS_MAX	(CONFIG_LISTEN_MAX * 4) /* a name may give several */
#define LISTEN_BACKLOG	511
#define QUEUE_MAX	4096 /* config.c's limit of queue_len */
#define LINGER_MAX	64
#define LINGER_MS	2000
#define ACCEPT_BURST	64
#define ACCEPT_PAUSE_MS 100

#define MSG_BUSY  "server busy, try again later"
#define MSG_PERIP "too many connections from your address"

struct listener {
	char name[128]; /* as configured */
	char shown[80]; /* numeric, e.g. "[::1]:2121" */
	int  fd;
};

struct lingerer {
	int	fd;
	int64_t deadline;
};

static struct {
	struct listener	     l[LISTEN_FDS_MAX];
	int		     nl;
	struct conn	     q[QUEUE_MAX]; /* ring */
	int		     qhead, qlen;
	struct lingerer	     lg[LINGER_MAX];
	int		     nlg;
	size_t		     polled_lg, polled_l; /* as pollfds filled them */
	const struct config *cfg;
	uint64_t	     seq;
	int64_t		     paused_until; /* after EMFILE */
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
listen_configure(const struct config *cfg)
{
	ls.cfg = cfg;
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

/*
 * Write the refusal, then linger: shut our side, discard what the client
 * still sends for a moment, so that closing does not reset the connection
 * before the client has read the frame.
 */
static void
refuse(struct conn *c, const char *msg)
{
	if (channel_refuse(c->fd, ERR_BUSY, msg) == -1)
		log_debug("connection %llu: refusal not sent",
		    (unsigned long long)c->seq);
	(void)shutdown(c->fd, SHUT_WR);
	if (ls.nlg < LINGER_MAX) {
		ls.lg[ls.nlg].fd = c->fd;
		ls.lg[ls.nlg++].deadline = clock_mono_ms() + LINGER_MS;
	} else
		close(c->fd);
	c->fd = -1;
}

static int
queued_from(const char *peer)
{
	int i, n = 0;

	for (i = 0; i < ls.qlen; i++)
		n += strcmp(ls.q[(ls.qhead + i) % QUEUE_MAX].peer, peer) == 0;
	return n;
}

static void
admit(struct conn *c)
{
	int max = ls.cfg->max_per_ip;

	if (max > 0 && pool_peer_count(c->peer) + queued_from(c->peer) >= max) {
		log_info("connection %llu from %s refused: %d connections "
			 "from that address (max_per_ip)",
		    (unsigned long long)c->seq, c->peer, max);
		refuse(c, MSG_PERIP);
		return;
	}
	if (ls.qlen == 0 && pool_assign(c) == 0)
		return;
	/* A worker forked now does not keep a copy of c->fd (spawn.c closes
	 * all it is not handed), so the client sees its session's end. */
	if (ls.qlen == 0 && pool_grow() > 0 && pool_assign(c) == 0)
		return;
	if (ls.qlen < ls.cfg->queue_len && ls.qlen < QUEUE_MAX) {
		c->deadline = clock_mono_ms() + ls.cfg->queue_wait_ms;
		ls.q[(ls.qhead + ls.qlen++) % QUEUE_MAX] = *c;
		log_debug("connection %llu from %s queued (%d waiting)",
		    (unsigned long long)c->seq, c->peer, ls.qlen);
		return;
	}
	log_warnx("connection %llu from %s refused: server busy (%d workers, "
		  "queue full)",
	    (unsigned long long)c->seq, c->peer, pool_size());
	refuse(c, MSG_BUSY);
}

static void
accept_one(const struct listener *l, int fd, const struct sockaddr *sa,
    socklen_t len)
{
	struct conn c;
	char	    host[NI_MAXHOST], port[NI_MAXSERV];

	memset(&c, 0, sizeof(c));
	c.fd = fd;
	c.seq = ++ls.seq;
	c.accept_ms = clock_wall_ms();
	if (getnameinfo(sa, len, host, sizeof(host), port, sizeof(port),
		NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
		(void)strlcpy(c.peer, host, sizeof(c.peer));
		c.port = (uint16_t)strtoul(port, NULL, 10);
	} else
		(void)strlcpy(c.peer, "?", sizeof(c.peer));
	log_debug("connection %llu from %s port %u on %s",
	    (unsigned long long)c.seq, c.peer, c.port, l->shown);
	admit(&c);
}

static void
accept_burst(const struct listener *l)
{
	struct sockaddr_storage ss;
	socklen_t		len;
	int			i, fd;

	for (i = 0; i < ACCEPT_BURST; i++) {
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd != -1) {
			accept_one(l, fd, (struct sockaddr *)&ss, len);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		log_warn("accept on %s", l->shown);
		/* EMFILE and friends: stop polling a moment, don't spin. */
		ls.paused_until = clock_mono_ms() + ACCEPT_PAUSE_MS;
		return;
	}
}

size_t
listen_pollfds(struct pollfd *pfd, size_t room, int64_t now)
{
	size_t n = 0;
	int    i;

	for (i = 0; i < ls.nlg && n < room; i++) {
		pfd[n].fd = ls.lg[i].fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	ls.polled_lg = n;
	for (i = 0; i < ls.nl && n < room && now >= ls.paused_until; i++) {
		pfd[n].fd = ls.l[i].fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	ls.polled_l = n - ls.polled_lg;
	return n;
}

/* Discard what a refused client sends; close at its end of file. */
static void
linger_read(struct lingerer *lg)
{
	char	junk[4096];
	ssize_t r;

	/* SECURITY: these bytes are dropped unread, never parsed. */
	r = recv(lg->fd, junk, sizeof(junk), MSG_DONTWAIT);
	if (r == 0 || (r == -1 && errno != EAGAIN && errno != EINTR)) {
		close(lg->fd);
		lg->fd = -1;
	}
}

static void
linger_compact(int64_t now)
{
	int i, j = 0;

	for (i = 0; i < ls.nlg; i++) {
		if (ls.lg[i].fd != -1 && now >= ls.lg[i].deadline) {
			close(ls.lg[i].fd);
			ls.lg[i].fd = -1;
		}
		if (ls.lg[i].fd != -1)
			ls.lg[j++] = ls.lg[i];
	}
	ls.nlg = j;
}

void
listen_events(const struct pollfd *pfd, size_t n)
{
	size_t i;
	int    j;

	for (i = 0; i < ls.polled_lg && i < n; i++)
		if (pfd[i].revents != 0 && ls.lg[i].fd == pfd[i].fd)
			linger_read(&ls.lg[i]);
	for (; i < ls.polled_lg + ls.polled_l && i < n; i++) {
		if ((pfd[i].revents & POLLIN) == 0)
			continue;
		for (j = 0; j < ls.nl; j++)
			if (ls.l[j].fd == pfd[i].fd)
				accept_burst(&ls.l[j]);
	}
}

/* Refuse queued connections whose wait is over. */
static void
expire_queue(int64_t now)
{
	struct conn *c;
	int	     i, kept = 0;

	for (i = 0; i < ls.qlen; i++) {
		c = &ls.q[(ls.qhead + i) % QUEUE_MAX];
		if (now >= c->deadline) {
			log_warnx("connection %llu from %s refused: no worker "
				  "free within %d ms",
			    (unsigned long long)c->seq, c->peer,
			    ls.cfg->queue_wait_ms);
			refuse(c, MSG_BUSY);
			continue;
		}
		ls.q[(ls.qhead + kept++) % QUEUE_MAX] = *c;
	}
	ls.qlen = kept;
}

int64_t
listen_dispatch(int64_t now)
{
	int64_t next = INT64_MAX;
	int	i;

	expire_queue(now);
	while (ls.qlen > 0) {
		if (pool_assign(&ls.q[ls.qhead]) == 0) {
			ls.qhead = (ls.qhead + 1) % QUEUE_MAX;
			ls.qlen--;
		} else if (pool_grow() == 0)
			break;
	}
	linger_compact(now);
	for (i = 0; i < ls.qlen; i++)
		if (ls.q[(ls.qhead + i) % QUEUE_MAX].deadline < next)
			next = ls.q[(ls.qhead + i) % QUEUE_MAX].deadline;
	for (i = 0; i < ls.nlg; i++)
		if (ls.lg[i].deadline < next)
			next = ls.lg[i].deadline;
	if (ls.paused_until > now && ls.paused_until < next)
		next = ls.paused_until;
	return next;
}

void
listen_refuse_all(const char *msg)
{
	while (ls.qlen > 0) {
		refuse(&ls.q[ls.qhead], msg);
		ls.qhead = (ls.qhead + 1) % QUEUE_MAX;
		ls.qlen--;
	}
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
