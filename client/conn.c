/*
 * conn.c: ftpc's one connection to the server: connect (every address
 * getaddrinfo gives, in turn, with a bounded wait), the protocol v1
 * handshake and authentication (doc/PROTOCOL.md sections 2 and 4.3), the
 * request/reply helpers every command uses, and the closing "bye".
 * Failures become the exit codes of ftpc(1) here, with their message on
 * standard error.  This file must not know about files or commands, and
 * must not act on anything the server sent before it decrypted.
 */
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

#include <bsd/string.h>

#include "common/safetext.h"
#include "common/error.h"
#include "common/log.h"
#include "client/ftpc.h"

#define CONN_CONNECT_MS 15000 /* connect(2) wait per address */

/* conn_where: "HOST:PORT", or "[HOST]:PORT" for an IPv6 literal. */
static const char *
conn_where(const struct ftpc *c)
{
	static char where[300];

	snprintf(where, sizeof(where),
	    strchr(c->host, ':') ? "[%s]:%s" : "%s:%s", c->host, c->port);
	return where;
}

/* conn_wait: finish a non-blocking connect.  Returns 0 or an errno. */
static int
conn_wait(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t     len = sizeof(int);
	int	      r, err = 0;

	do
		r = poll(&pfd, 1, CONN_CONNECT_MS);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		return errno;
	if (r == 0)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return errno;
	return err;
}

/* conn_try: a blocking socket connected to ai, or -1 with *err set. */
static int
conn_try(const struct addrinfo *ai, int *err)
{
	struct timeval tv = { .tv_sec = FTPC_TIMEOUT_SEC };
	int	       fd, one = 1;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    ai->ai_protocol);
	if (fd == -1) {
		*err = errno;
		return -1;
	}
	*err = 0;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1)
		*err = errno == EINPROGRESS ? conn_wait(fd) : errno;
	if (*err == 0 && fcntl(fd, F_SETFL, 0) == -1)
		*err = errno;
	/* A stuck server must not hang the client forever. */
	if (*err == 0 &&
	    (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1))
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

static int
conn_connect(struct ftpc *c)
{
	struct addrinfo hints, *res = NULL, *ai;
	int		e, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	e = getaddrinfo(c->host, c->port, &hints, &res);
	if (e != 0) {
		fprintf(stderr, "ftpc: cannot connect to %s: %s\n",
		    conn_where(c), gai_strerror(e));
		return FTPC_EXIT_CONN;
	}
	for (ai = res; ai != NULL && c->fd == -1; ai = ai->ai_next) {
		c->fd = conn_try(ai, &err);
		if (c->fd == -1)
			log_debug("connect %s (family %d): %s", conn_where(c),
			    ai->ai_family, strerror(err));
	}
	freeaddrinfo(res);
	if (c->fd == -1) {
		fprintf(stderr, "ftpc: cannot connect to %s: %s\n",
		    conn_where(c), strerror(err));
		return FTPC_EXIT_CONN;
	}
	log_debug("connected to %s", conn_where(c));
	return 0;
}

/* conn_why: the words for an errno of channel_send or channel_recv. */
static const char *
conn_why(int err)
{
	static char why[128];

	switch (err) {
	case 0:
		return "connection closed by the server";
	case EAGAIN:
		return "server not responding (timed out)";
	case EPROTO:
		return "connection closed unexpectedly or protocol error";
	case EBADMSG:
		return "a frame failed authentication";
	case EMSGSIZE:
		return "over-long frame from the server";
	default:
		snprintf(why, sizeof(why), "connection lost: %s",
		    strerror(err));
		return why;
	}
}

static int
conn_lost(struct ftpc *c, int err)
{
	if (!c->dead)
		fprintf(stderr, "ftpc: %s: %s\n", conn_where(c), conn_why(err));
	c->dead = 1;
	return FTPC_EXIT_CONN;
}

/*
 * conn_send_failed: a send failed.  A server that ends a session (limit,
 * timeout) sends an error reply as its FINAL frame first: show that reason
 * if it is there, else the local one.
 */
static int
conn_send_failed(struct ftpc *c, int err)
{
	const uint8_t *body;
	struct msg     m;
	size_t	       len;
	int	       type;

	if ((err == EPIPE || err == ECONNRESET) && !c->dead &&
	    channel_recv(&c->ch, &type, &body, &len) == 1 &&
	    type == CHANNEL_MSG && msg_parse(&m, body, len) == 0) {
		if (conn_reply_ok(&m) == 0) {
			conn_report("server ended the session", NULL, &m);
			c->dead = 1;
		}
		msg_free(&m);
	}
	return conn_lost(c, err);
}

static int
conn_handshake(struct ftpc *c, const uint8_t secret[CHANNEL_KEY_BYTES])
{
	int r;

	r = channel_handshake(&c->ch, c->fd, CHANNEL_CLIENT, secret, NULL);
	if (r == 0)
		return 0;
	c->dead = 1;
	if (c->ch.refused_code != 0) /* refused_msg is filtered already */
		fprintf(stderr, "ftpc: %s: %s (%s)\n", conn_where(c),
		    c->ch.refused_msg, err_name(c->ch.refused_code));
	else if (r == -ERR_PROTOCOL)
		fprintf(stderr, "ftpc: %s: protocol error in the handshake\n",
		    conn_where(c));
	else if (r == -ERR_TIMEOUT)
		fprintf(stderr, "ftpc: %s: handshake timed out\n",
		    conn_where(c));
	else
		fprintf(stderr, "ftpc: %s: handshake failed: %s\n",
		    conn_where(c), conn_why(errno));
	return FTPC_EXIT_CONN;
}

/*
 * conn_auth: method "secret".  SECURITY: the server proves it holds the
 * secret by a reply that decrypts; anything else is an authentication
 * failure, and nothing of a reply that failed to decrypt is used.
 */
static int
conn_auth(struct ftpc *c)
{
	struct msgw    w;
	struct msg     m;
	const uint8_t *body;
	size_t	       len;
	int	       type, r;

	msgw_init(&w, 2);
	msgw_str(&w, "op", "auth");
	msgw_str(&w, "method", "secret");
	if ((r = conn_send(c, &w, 0)) != 0)
		return r;
	if (channel_recv(&c->ch, &type, &body, &len) != 1) {
		if (errno == EAGAIN)
			return conn_lost(c, errno);
		c->dead = 1;
		fprintf(stderr, "ftpc: authentication failed (wrong key?)\n");
		return FTPC_EXIT_AUTH;
	}
	if (type != CHANNEL_MSG || msg_parse(&m, body, len) == -1)
		return conn_lost(c, EPROTO);
	r = conn_reply_ok(&m);
	if (r == 1) {
		log_debug("authenticated");
		r = 0;
	} else if (r == 0) {
		c->dead = 1;
		r = conn_report("authentication failed", NULL, &m) == ERR_AUTH
		    ? FTPC_EXIT_AUTH
		    : FTPC_EXIT_CONN;
	} else
		r = conn_lost(c, EPROTO);
	msg_free(&m);
	return r;
}

int
conn_open(struct ftpc *c, const uint8_t secret[CHANNEL_KEY_BYTES])
{
	int r;

	c->fd = -1;
	c->dead = 0;
	memset(&c->ch, 0, sizeof(c->ch));
	if ((r = conn_connect(c)) != 0)
		return r;
	if ((r = conn_handshake(c, secret)) != 0)
		return r;
	return conn_auth(c);
}

/* conn_bye_reply: the server's FINAL {"ok": true}. */
static int
conn_bye_reply(struct ftpc *c)
{
	struct msg     m;
	const uint8_t *body;
	size_t	       len;
	int	       type, r;

	if ((r = conn_recv(c, &type, &body, &len)) != 0)
		return r;
	if (type != CHANNEL_MSG || msg_parse(&m, body, len) == -1)
		return conn_lost(c, EPROTO);
	r = conn_reply_ok(&m);
	if (r == 0)
		conn_report("bye", NULL, &m);
	msg_free(&m);
	if (!c->ch.peer_final)
		log_debug("goodbye reply without FINAL tag");
	return r == 1 ? 0 : FTPC_EXIT_CONN;
}

int
conn_close(struct ftpc *c)
{
	struct msgw w;
	int	    r = 0;

	if (c->fd == -1)
		return 0;
	if (!c->dead) {
		msgw_init(&w, 1);
		msgw_str(&w, "op", "bye");
		r = conn_send(c, &w, 1);
		if (r == 0)
			r = conn_bye_reply(c);
	}
	channel_destroy(&c->ch);
	close(c->fd);
	c->fd = -1;
	c->dead = 1;
	return r;
}

int
conn_send(struct ftpc *c, struct msgw *w, int final)
{
	int r, err;

	r = channel_send(&c->ch, CHANNEL_MSG, w->sb.data, w->sb.size, final);
	err = errno;
	msgw_free(w);
	return r == 0 ? 0 : conn_send_failed(c, err);
}

int
conn_send_data(struct ftpc *c, const void *p, size_t len)
{
	if (channel_send(&c->ch, CHANNEL_DATA, p, len, 0) == -1)
		return conn_send_failed(c, errno);
	return 0;
}

int
conn_recv(struct ftpc *c, int *type, const uint8_t **body, size_t *len)
{
	int r;

	r = channel_recv(&c->ch, type, body, len);
	if (r == 1)
		return 0;
	return conn_lost(c, r == 0 ? 0 : errno);
}

int
conn_parse(struct ftpc *c, const uint8_t *body, size_t len, struct msg *m)
{
	memset(m, 0, sizeof(*m));
	if (msg_parse(m, body, len) == -1) {
		fprintf(stderr, "ftpc: %s: malformed message from the server\n",
		    conn_where(c));
		c->dead = 1;
		return FTPC_EXIT_CONN;
	}
	if (c->ch.peer_final && conn_reply_ok(m) != 1) {
		conn_report("server ended the session", NULL, m);
		msg_free(m);
		memset(m, 0, sizeof(*m));
		c->dead = 1;
		return FTPC_EXIT_CONN;
	}
	return 0;
}

int
conn_recv_msg(struct ftpc *c, struct msg *m)
{
	const uint8_t *body;
	size_t	       len;
	int	       type, r;

	memset(m, 0, sizeof(*m));
	if ((r = conn_recv(c, &type, &body, &len)) != 0)
		return r;
	if (type != CHANNEL_MSG)
		return conn_lost(c, EPROTO);
	return conn_parse(c, body, len, m);
}

int
conn_reply_ok(const struct msg *m)
{
	int ok;

	if (msg_bool(m, "ok", &ok) == -1)
		return -1;
	return ok ? 1 : 0;
}

int
conn_call(struct ftpc *c, struct msgw *w, struct msg *m)
{
	int r;

	memset(m, 0, sizeof(*m));
	if ((r = conn_send(c, w, 0)) != 0)
		return r;
	if ((r = conn_recv_msg(c, m)) != 0)
		return r;
	switch (conn_reply_ok(m)) {
	case 1:
		return 0;
	case 0:
		return FTPC_EXIT_REMOTE;
	default:
		msg_free(m);
		memset(m, 0, sizeof(*m));
		return conn_lost(c, EPROTO);
	}
}

int
conn_report(const char *op, const char *name, const struct msg *m)
{
	const char *s;
	size_t	    len;
	char	    text[512], err[64];
	int64_t	    code = 0;
	uint64_t    ucode;

	if (msg_str(m, "msg", &s, &len) == 0)
		(void)safetext_copy(text, sizeof(text), s, len);
	else
		strlcpy(text, "error", sizeof(text));
	if (msg_str(m, "err", &s, &len) == 0)
		(void)safetext_copy(err, sizeof(err), s, len);
	else
		strlcpy(err, "unknown", sizeof(err));
	if (msg_int(m, "code", &code) == -1 && msg_uint(m, "code", &ucode) == 0)
		code = ucode < ERR_MAX ? (int64_t)ucode : 0;
	if (code < 0 || code >= ERR_MAX)
		code = 0;
	if (name != NULL)
		fprintf(stderr, "ftpc: %s %s: %s (%s)\n", op, name, text, err);
	else
		fprintf(stderr, "ftpc: %s: %s (%s)\n", op, text, err);
	return (int)code;
}
