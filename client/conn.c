/*
 * conn.c: ftpc's one connection to the server: connect (dial.c), the
 * protocol v1 handshake and authentication (doc/PROTOCOL.md sections 2 and
 * 4.3), the request/reply helpers every command uses, and the closing
 * "bye".  Every failure is printed here (warnx) and returned as a negative
 * ERR_* code: connection failures as ERR_EOF, ERR_TIMEOUT, ERR_CRYPTO or
 * ERR_PROTOCOL, a server's error reply as its code.  This file must not
 * know about files or commands, and must not act on anything the server
 * sent before it decrypted.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/safetext.h"
#include "client/ftpc.h"

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

/* conn_code: the ERR_* code (negative) for an errno of the channel. */
static int
conn_code(int err)
{
	switch (err) {
	case EAGAIN:
		return -ERR_TIMEOUT;
	case EBADMSG:
		return -ERR_CRYPTO;
	case EPROTO:
	case EMSGSIZE:
		return -ERR_PROTOCOL;
	default:
		return -ERR_EOF;
	}
}

/* conn_lost: the connection is unusable (errno err); said once. */
static int
conn_lost(struct ftpc *c, int err)
{
	if (!c->dead)
		warnx("%s: %s", dial_where(c), conn_why(err));
	c->dead = 1;
	return conn_code(err);
}

/* conn_is: m has "ok" and it equals want (1: an ok reply, 0: an error). */
static int
conn_is(const struct msg *m, int want)
{
	int ok;

	return msg_bool(m, "ok", &ok) == 0 && !ok == !want;
}

/* conn_err_code: the code of the error reply m, negated; -ERR_INTERNAL. */
static int
conn_err_code(const struct msg *m)
{
	int64_t	 code = 0;
	uint64_t ucode;

	if (msg_int(m, "code", &code) == -1 && msg_uint(m, "code", &ucode) == 0)
		code = ucode < ERR_MAX ? (int64_t)ucode : 0;
	return code > 0 && code < ERR_MAX ? -(int)code : -ERR_INTERNAL;
}

/*
 * conn_report: print "OP NAME: msg (err)" for the error reply m (no NAME
 * when NULL).  Bytes of the server's strings that are not printable are
 * shown as '?'.  Returns conn_err_code(m).
 */
static int
conn_report(const char *op, const char *name, const struct msg *m)
{
	const char *s;
	size_t	    len;
	char	    text[512], err[64];

	if (msg_str(m, "msg", &s, &len) == 0)
		(void)safetext_copy(text, sizeof(text), s, len);
	else
		strlcpy(text, "error", sizeof(text));
	if (msg_str(m, "err", &s, &len) == 0)
		(void)safetext_copy(err, sizeof(err), s, len);
	else
		strlcpy(err, "unknown", sizeof(err));
	if (name != NULL)
		warnx("%s %s: %s (%s)", op, name, text, err);
	else
		warnx("%s: %s (%s)", op, text, err);
	return conn_err_code(m);
}

/*
 * conn_ended: the server ended the session with the error reply m (its
 * FINAL frame, or the frame waiting after a failed send): print it.
 */
static int
conn_ended(struct ftpc *c, const struct msg *m)
{
	(void)conn_report("server ended the session", NULL, m);
	c->dead = 1;
	return -ERR_EOF;
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
		if (conn_is(&m, 0))
			(void)conn_ended(c, &m);
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
	if (c->ch.refused_code != 0) { /* refused_msg is filtered already */
		warnx("%s: %s (%s)", dial_where(c), c->ch.refused_msg,
		    err_name(c->ch.refused_code));
		return c->ch.refused_code == ERR_BUSY ? -ERR_BUSY : -ERR_EOF;
	}
	if (r == -ERR_PROTOCOL)
		warnx("%s: protocol error in the handshake", dial_where(c));
	else if (r == -ERR_TIMEOUT)
		warnx("%s: handshake timed out", dial_where(c));
	else
		warnx("%s: handshake failed: %s", dial_where(c),
		    conn_why(errno));
	return r == -ERR_PROTOCOL || r == -ERR_TIMEOUT ? r : -ERR_EOF;
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
		warnx("authentication failed (wrong key?)");
		return -ERR_AUTH;
	}
	if (type != CHANNEL_MSG || msg_parse(&m, body, len) == -1)
		return conn_lost(c, EPROTO);
	r = conn_reply(c, &m, "authentication failed", NULL);
	if (r == 0)
		log_debug("authenticated");
	else if (!c->dead) {
		c->dead = 1;
		r = r == -ERR_AUTH ? r : -ERR_EOF;
	}
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
	if ((r = dial_connect(c)) != 0)
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
	if ((r = conn_reply(c, &m, "bye", NULL)) != 0 && !c->dead)
		r = -ERR_EOF; /* the server refused to close in order */
	msg_free(&m);
	if (!c->ch.peer_final)
		log_debug("goodbye reply without FINAL tag");
	return r;
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
	int r;

	memset(m, 0, sizeof(*m));
	if (msg_parse(m, body, len) == -1) {
		warnx("%s: malformed message from the server", dial_where(c));
		c->dead = 1;
		return -ERR_PROTOCOL;
	}
	if (c->ch.peer_final && !conn_is(m, 1)) {
		r = conn_ended(c, m);
		msg_free(m);
		memset(m, 0, sizeof(*m));
		return r;
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
conn_reply(struct ftpc *c, const struct msg *m, const char *op,
    const char *name)
{
	int ok;

	if (msg_bool(m, "ok", &ok) == -1) {
		warnx("%s: malformed reply from the server",
		    op != NULL ? op : dial_where(c));
		c->dead = 1;
		return -ERR_PROTOCOL;
	}
	if (ok)
		return 0;
	return op != NULL ? conn_report(op, name, m) : conn_err_code(m);
}

int
conn_call(struct ftpc *c, struct msgw *w, struct msg *m, const char *op,
    const char *name)
{
	int r;

	memset(m, 0, sizeof(*m));
	if ((r = conn_send(c, w, 0)) != 0)
		return r;
	if ((r = conn_recv_msg(c, m)) != 0)
		return r;
	return conn_reply(c, m, op, name);
}
