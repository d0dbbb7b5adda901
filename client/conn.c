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
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/safetext.h"
#include "client/ftpc.h"

const char *
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
	if (!c->dead && !c->closing)
		warnx("%s: %s", dial_where(c), conn_why(err));
	c->dead = 1;
	return conn_code(err);
}

/*
 * conn_err_code: the code of the error reply rep, negated; -ERR_INTERNAL
 * for a code this ftpc does not know.
 */
static int
conn_err_code(const struct schema_reply *rep)
{
	return rep->code > 0 && rep->code < ERR_MAX ? -(int)rep->code
						    : -ERR_INTERNAL;
}

/*
 * conn_report: print "OP NAME: msg (err)" for the error reply rep (no NAME
 * when NULL).  Bytes of the server's strings that are not printable are
 * shown as '?'.  Returns conn_err_code(rep).
 */
static int
conn_report(const char *op, const char *name, const struct schema_reply *rep)
{
	char text[512], err[64];

	if (safetext_copy(text, sizeof(text), rep->msg.p, rep->msg.len) == 0)
		strlcpy(text, "error", sizeof(text));
	if (safetext_copy(err, sizeof(err), rep->err.p, rep->err.len) == 0)
		strlcpy(err, "unknown", sizeof(err));
	if (name != NULL)
		warnx("%s %s: %s (%s)", op, name, text, err);
	else
		warnx("%s: %s (%s)", op, text, err);
	return conn_err_code(rep);
}

/*
 * conn_ended: the server ended the session with the error reply rep (its
 * FINAL frame, or the frame waiting after a failed send): print it.
 */
static int
conn_ended(struct ftpc *c, const struct schema_reply *rep)
{
	if (!c->closing)
		(void)conn_report("server ended the session", NULL, rep);
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
	struct schema_reply rep;
	const uint8_t	   *body;
	size_t		    len;
	int		    type;

	if ((err == EPIPE || err == ECONNRESET) && !c->dead &&
	    channel_recv(&c->ch, &type, &body, &len) == 1 &&
	    type == CHANNEL_MSG) {
		if (schema_reply_decode(SCHEMA_R_OK, body, len, &rep, NULL) ==
			0 &&
		    !rep.ok)
			(void)conn_ended(c, &rep);
		schema_reply_free(&rep);
	}
	return conn_lost(c, err);
}

/*
 * conn_parse: decode body as a reply of kind into rep (schema_reply_decode).
 * Returns 0 (check rep->ok), or -ERR_PROTOCOL for a malformed reply or
 * -ERR_NOMEM (printed for op, else for the server; c dead).
 */
static int
conn_parse(struct ftpc *c, enum schema_kind kind, const uint8_t *body,
    size_t len, struct schema_reply *rep, const char *op)
{
	char why[SCHEMA_WHY_LEN];
	int  r;

	/* SECURITY: the schema decoder checks every field before use. */
	if ((r = schema_reply_decode(kind, body, len, rep, why)) == 0)
		return 0;
	if (r == -ERR_NOMEM)
		warnx("%s: %s", op != NULL ? op : dial_where(c), err_str(r));
	else
		warnx("%s: malformed reply from the server: %s",
		    op != NULL ? op : dial_where(c), why);
	c->dead = 1;
	return r == -ERR_NOMEM ? r : -ERR_PROTOCOL;
}

/* conn_check: 0 for a success reply; an error reply's code (printed). */
static int
conn_check(const struct schema_reply *rep, const char *op, const char *name)
{
	if (rep->ok)
		return 0;
	return op != NULL ? conn_report(op, name, rep) : conn_err_code(rep);
}

/* conn_req: a request of op with no fields set (the caller adds them). */
void
conn_req(struct schema_req *q, enum schema_kind op)
{
	memset(q, 0, sizeof(*q));
	q->op = op;
}

/*
 * conn_auth: the auth request of c->method (auth.c fills it).  SECURITY:
 * with method "secret" the server proves it holds the secret by a reply
 * that decrypts; anything else is an authentication failure, and nothing
 * of a reply that failed to decrypt is used.
 */
static int
conn_auth(struct ftpc *c)
{
	struct schema_req   q;
	struct schema_reply rep;
	const uint8_t	   *body;
	uint8_t		    sig[HOSTKEY_SIG_BYTES];
	size_t		    len;
	int		    type, r;

	conn_req(&q, SCHEMA_AUTH);
	if ((r = auth_fill(c, &q, sig)) != 0) {
		c->dead = 1;
		return r;
	}
	r = conn_send(c, &q, 0);
	buf_free(&c->out); /* wipes the password; the next send grows it */
	buf_init(&c->out, CONN_REQUEST_MAX);
	if (r != 0)
		return r;
	if (channel_recv(&c->ch, &type, &body, &len) != 1) {
		if (errno == EAGAIN)
			return conn_lost(c, errno);
		c->dead = 1;
		warnx("authentication failed (wrong key?)");
		return -ERR_AUTH;
	}
	if (type != CHANNEL_MSG)
		return conn_lost(c, EPROTO);
	r = conn_parse(c, SCHEMA_R_AUTH, body, len, &rep,
	    "authentication failed");
	if (r == 0)
		r = conn_check(&rep, "authentication failed", NULL);
	schema_reply_free(&rep);
	if (r == 0)
		log_debug("authenticated");
	else if (!c->dead) {
		c->dead = 1;
		r = r == -ERR_AUTH ? r : -ERR_EOF;
	}
	return r;
}

int
conn_open(struct ftpc *c, const uint8_t secret[CHANNEL_KEY_BYTES])
{
	int r;

	c->fd = -1;
	c->dead = 0;
	c->closing = 0;
	memset(&c->ch, 0, sizeof(c->ch));
	buf_init(&c->out, CONN_REQUEST_MAX);
	if ((r = dial_connect(c)) != 0)
		return r;
	if ((r = handshake_run(c, secret)) != 0)
		return r;
	if ((r = conn_auth(c)) == 0 && dial_timeout(c->fd, c->timeout_sec)) {
		warn("%s: setsockopt", dial_where(c));
		c->dead = 1;
		r = -ERR_EOF;
	}
	return r;
}

/* conn_retryable: a failure another attempt may cure (not a wrong key). */
static int
conn_retryable(int r)
{
	return r == -ERR_EOF || r == -ERR_TIMEOUT || r == -ERR_BUSY;
}

int
conn_connect(struct ftpc *c)
{
	struct timespec ts;
	int		r, i, wait = 1;

	for (i = 0;; i++) {
		if ((r = conn_open(c, c->key)) == 0 || !conn_retryable(r) ||
		    i >= c->retries)
			break;
		(void)conn_close(c);
		warnx("retrying in %d s (%d of %d)", wait, i + 1, c->retries);
		ts = (struct timespec){ .tv_sec = wait };
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		wait = wait < 32 ? wait * 2 : 60;
	}
	/* PROTOCOL.md 4.10: the default digest only if the server offers it. */
	if (r == 0 && !c->digest_set && c->ch.peer_digests != 0 &&
	    !(c->ch.peer_digests & (1u << c->digest)))
		c->digest = DIGEST_BLAKE2B_256;
	return r;
}

/* conn_bye_reply: the server's FINAL {"ok": true}. */
static int
conn_bye_reply(struct ftpc *c)
{
	struct schema_reply rep;
	const uint8_t	   *body;
	size_t		    len;
	int		    type, r;

	if ((r = conn_recv(c, &type, &body, &len)) != 0)
		return r;
	if (type != CHANNEL_MSG)
		return conn_lost(c, EPROTO);
	if ((r = conn_parse(c, SCHEMA_R_OK, body, len, &rep, "bye")) == 0 &&
	    (r = conn_check(&rep, NULL, NULL)) != 0) {
		log_debug("bye refused: code %d", -r);
		r = -ERR_EOF; /* the server refused to close in order */
	}
	schema_reply_free(&rep);
	if (!c->ch.peer_final)
		log_debug("goodbye reply without FINAL tag");
	return r;
}

int
conn_close(struct ftpc *c)
{
	struct schema_req q;
	int		  r = 0;

	c->closing = 1; /* the work is done: what follows is no news */
	if (c->fd != -1 && !c->dead) {
		conn_req(&q, SCHEMA_BYE);
		r = conn_send(c, &q, 1);
		if (r == 0)
			r = conn_bye_reply(c);
	}
	buf_free(&c->out);
	if (c->fd != -1) {
		channel_destroy(&c->ch);
		close(c->fd);
		c->fd = -1;
	}
	c->dead = 1;
	return r;
}

int
conn_send(struct ftpc *c, const struct schema_req *q, int final)
{
	int r;

	if ((r = schema_encode(q->op, q, &c->out)) != 0) {
		/* Our own request broke the table's limits: nothing sent. */
		warnx("%s: cannot send this request: %s", schema_op_name(q->op),
		    err_str(r));
		return r;
	}
	if (channel_send(&c->ch, CHANNEL_MSG, c->out.data, c->out.len, final) ==
	    -1)
		return conn_send_failed(c, errno);
	return 0;
}

uint8_t *
conn_data_buf(struct ftpc *c, size_t max)
{
	return channel_body_buf(&c->ch, max);
}

int
conn_send_data_buf(struct ftpc *c, size_t len)
{
	if (channel_send_body(&c->ch, CHANNEL_DATA, len, 0) == -1)
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
conn_decode(struct ftpc *c, enum schema_kind kind, const uint8_t *body,
    size_t len, struct schema_reply *rep, const char *op, const char *name)
{
	int r;

	if ((r = conn_parse(c, kind, body, len, rep, op)) != 0)
		return r;
	if (c->ch.peer_final && !rep->ok)
		return conn_ended(c, rep);
	return conn_check(rep, op, name);
}

int
conn_reply(struct ftpc *c, enum schema_kind kind, struct schema_reply *rep,
    const char *op, const char *name)
{
	const uint8_t *body;
	size_t	       len;
	int	       type, r;

	memset(rep, 0, sizeof(*rep));
	if ((r = conn_recv(c, &type, &body, &len)) != 0)
		return r;
	if (type != CHANNEL_MSG)
		return conn_lost(c, EPROTO);
	return conn_decode(c, kind, body, len, rep, op, name);
}

int
conn_call(struct ftpc *c, const struct schema_req *q, enum schema_kind kind,
    struct schema_reply *rep, const char *op, const char *name)
{
	int r;

	memset(rep, 0, sizeof(*rep));
	if ((r = conn_send(c, q, 0)) != 0)
		return r;
	return conn_reply(c, kind, rep, op, name);
}
