/*
 * listen.c: the connections the listening sockets (bind.c) yield: it
 * accepts, applies admission (penalties, max_startups_per_ip, max_startups,
 * max_per_ip; source.c), passes each connection to the pool or holds
 * it in a bounded queue for at most queue_wait_ms, and otherwise refuses it
 * with an explicit "server busy" frame followed by a lingering close, so
 * the client reads the refusal instead of a reset.  It must not read a
 * client byte except to discard it while lingering, and never drops a
 * connection without a word.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
#include "server/source.h"

#define QUEUE_MAX	4096 /* config.c's limit of queue_len */
#define LINGER_MAX	64
#define LINGER_MS	2000
#define ACCEPT_BURST	64
#define ACCEPT_PAUSE_MS 100

#define MSG_BUSY    "server busy, try again later"
#define MSG_PERIP   "too many connections from your address"
#define MSG_PENALTY "too many failed logins from your address, try again later"

struct lingerer {
	int	fd;
	int64_t deadline;
};

static struct {
	struct conn	     q[QUEUE_MAX]; /* ring */
	int		     qhead, qlen;
	struct lingerer	     lg[LINGER_MAX];
	int		     nlg;
	size_t		     polled_lg, polled_l; /* as pollfds filled them */
	const struct config *cfg;
	uint64_t	     seq;
	int64_t		     paused_until; /* after EMFILE */
} ls;

void
listen_configure(const struct config *cfg)
{
	int i, secs = cfg->login_grace;

	ls.cfg = cfg;
	/* SECURITY: the client speaks first (its hello), so a connection
	 * that sends nothing stays in the kernel for up to login_grace
	 * instead of holding a worker (TCP_DEFER_ACCEPT, tcp(7)). */
	for (i = 0; listen_fd(i) != -1; i++)
		if (setsockopt(listen_fd(i), IPPROTO_TCP, TCP_DEFER_ACCEPT,
			&secs, sizeof(secs)) == -1)
			log_warn("TCP_DEFER_ACCEPT on %s", listen_shown(i));
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

/*
 * SECURITY: admission before a worker sees a byte (after sshd's
 * MaxStartups, PerSourceMaxStartups and PerSourcePenalties): a penalised
 * address, one with max_startups_per_ip connections not yet
 * authenticated, or a random early drop past max_startups (of addresses
 * that already have an unauthenticated connection) is refused, so that
 * idle connections cannot hold every worker.  Returns 0 to go on, or
 * -1 with the refusal's words in *msg and the log's in why.
 */
static int
admission(const struct conn *c, const char **msg, char *why, size_t len)
{
	const struct config *cfg = ls.cfg;
	int		     left, from, all;

	if (source_penalized(c->peer, clock_mono_ms(), &left)) {
		*msg = MSG_PENALTY;
		snprintf(why, len, "penalised for %d s more", left);
		return -1;
	}
	from = pool_unauth_count(c->peer) + queued_from(c->peer);
	if (cfg->max_startups_per_ip > 0 && from >= cfg->max_startups_per_ip) {
		*msg = MSG_PERIP;
		snprintf(why, len, "%d unauthenticated (max_startups_per_ip)",
		    from);
		return -1;
	}
	/* An address with no connection in that state is not dropped: a
	 * flood from other addresses must not lock it out (all get the
	 * drop at full, as in sshd). */
	all = pool_unauth_count(NULL) + ls.qlen;
	if ((from > 0 || all >= cfg->max_startups[2]) &&
	    source_startups_drop(cfg->max_startups, all)) {
		*msg = MSG_BUSY;
		snprintf(why, len, "%d unauthenticated (max_startups)", all);
		return -1;
	}
	from = pool_peer_count(c->peer) + queued_from(c->peer);
	if (cfg->max_per_ip > 0 && from >= cfg->max_per_ip) {
		*msg = MSG_PERIP;
		snprintf(why, len, "%d connections (max_per_ip)", from);
		return -1;
	}
	return 0;
}

static void
admit(struct conn *c)
{
	const char *msg;
	char	    why[96];

	if (admission(c, &msg, why, sizeof(why)) == -1) {
		source_refused(c->peer, (unsigned long long)c->seq, why);
		refuse(c, msg);
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
	snprintf(why, sizeof(why), "server busy (%d workers, queue full)",
	    pool_size());
	source_refused(c->peer, (unsigned long long)c->seq, why);
	refuse(c, MSG_BUSY);
}

static void
accept_one(const char *shown, int fd, const struct sockaddr *sa, socklen_t len)
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
	    (unsigned long long)c.seq, c.peer, c.port, shown);
	admit(&c);
}

static void
accept_burst(int lfd, const char *shown)
{
	struct sockaddr_storage ss;
	socklen_t		len;
	int			i, fd;

	for (i = 0; i < ACCEPT_BURST; i++) {
		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd != -1) {
			accept_one(shown, fd, (struct sockaddr *)&ss, len);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		log_warn("accept on %s", shown);
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
	for (i = 0; listen_fd(i) != -1 && n < room && now >= ls.paused_until;
	     i++) {
		pfd[n].fd = listen_fd(i);
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
		for (j = 0; listen_fd(j) != -1; j++)
			if (listen_fd(j) == pfd[i].fd)
				accept_burst(pfd[i].fd, listen_shown(j));
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
			source_refused(c->peer, (unsigned long long)c->seq,
			    "no worker free within queue_wait_ms");
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
