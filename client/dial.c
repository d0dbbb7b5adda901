/*
 * dial.c: ftpc's TCP connection to c->host:c->port: every address
 * getaddrinfo gives, in turn, each with a bounded connect wait, then a
 * blocking socket with send and receive timeouts and TCP_NODELAY.  This
 * file must not speak the protocol: conn.c runs the handshake on the
 * socket it gives.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "client/ftpc.h"

const char *
dial_where(const struct ftpc *c)
{
	static char where[300];

	snprintf(where, sizeof(where),
	    strchr(c->host, ':') ? "[%s]:%s" : "%s:%s", c->host, c->port);
	return where;
}

/* dial_wait: finish a non-blocking connect.  Returns 0 or an errno. */
static int
dial_wait(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t     len = sizeof(int);
	int	      r, err = 0;

	do
		r = poll(&pfd, 1, ms);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		return errno;
	if (r == 0)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return errno;
	return err;
}

int
dial_timeout(int fd, int sec)
{
	struct timeval tv = { .tv_sec = sec };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		return -1;
	return 0;
}

/*
 * dial_try: a blocking socket connected to ai within sec seconds, its
 * send and receive timeouts sec too (the handshake's; conn.c sets the
 * operations' after it), or -1 with *err set.
 */
static int
dial_try(const struct addrinfo *ai, int sec, int *err)
{
	int fd, one = 1;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    ai->ai_protocol);
	if (fd == -1) {
		*err = errno;
		return -1;
	}
	*err = 0;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1)
		*err = errno == EINPROGRESS ? dial_wait(fd, sec * 1000) : errno;
	if (*err == 0 && fcntl(fd, F_SETFL, 0) == -1)
		*err = errno;
	/* A stuck server must not hang the client forever. */
	if (*err == 0 && dial_timeout(fd, sec) == -1)
		*err = errno;
	if (*err != 0) {
		close(fd);
		return -1;
	}
	/* Each frame is one write: without this, Nagle holds the auth frame
	 * behind the stream header until the peer's delayed ACK (~40 ms). */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int
dial_connect(struct ftpc *c)
{
	struct addrinfo hints, *res = NULL, *ai;
	int		e, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	e = getaddrinfo(c->host, c->port, &hints, &res);
	if (e != 0) {
		warnx("cannot connect to %s: %s", dial_where(c),
		    gai_strerror(e));
		return -ERR_EOF;
	}
	for (ai = res; ai != NULL && c->fd == -1; ai = ai->ai_next) {
		c->fd = dial_try(ai, c->connect_sec, &err);
		if (c->fd == -1)
			log_debug("connect %s (family %d): %s", dial_where(c),
			    ai->ai_family, strerror(err));
	}
	freeaddrinfo(res);
	if (c->fd == -1) {
		warnx("cannot connect to %s: %s", dial_where(c), strerror(err));
		return err == ETIMEDOUT ? -ERR_TIMEOUT : -ERR_EOF;
	}
	log_debug("connected to %s", dial_where(c));
	return 0;
}
