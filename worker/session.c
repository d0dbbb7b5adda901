/*
 * session.c: one client session of protocol v1 inside a worker
 * (doc/PROTOCOL.md sections 3 to 5) after login.c has brought the channel
 * up and authenticated the client: the request loop with its idle timeout,
 * the dispatch of requests (the operations live in ops.c and xfer.c), and
 * the replies and helpers every operation uses.  A bad request gets an
 * error reply and never ends the session; only a broken channel, a
 * timeout, a limit or a shutdown does.  This file must not touch a client
 * path other than through fsops.c and must not act on a frame that failed
 * to decrypt.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/safetext.h"
#include "worker/fsops.h"
#include "worker/login.h"
#include "worker/session.h"
#include "worker/signals.h"
#include "worker/watchdog.h"

int
session_path(struct schema_str p, char *out, size_t outlen)
{
	if (outlen > 0)
		out[0] = '\0';
	return fsops_check_path(p.p, p.len, out, outlen);
}

const char *
session_shown(char *out, size_t outlen, const char *raw)
{
	(void)safetext_vis(out, outlen, raw, strlen(raw));
	return out;
}

int
session_stopping(struct session *s)
{
	int code = signals_stop_code();

	if (code == 0 || s->end)
		return s->end ? -1 : 0;
	if (code == ERR_LIMIT) {
		log_warnx("session %llu: %s: CPU time limit reached",
		    (unsigned long long)s->info.seq, s->info.peer);
		return session_fail(s, ERR_LIMIT, "CPU time limit reached");
	}
	log_info("session %llu: %s: ending, the worker was told to stop",
	    (unsigned long long)s->info.seq, s->info.peer);
	return session_fail(s, ERR_ABORTED, "server shutting down");
}

/* One message from the master while a session runs. */
static void
session_ipc(struct session *s)
{
	struct ipc_msg m;
	int	       fd, r;

	r = ipc_recv(s->ipc_fd, &m, &fd, MSG_DONTWAIT);
	if (r == -ERR_EOF || (r == -ERR_SYSTEM && errno != EAGAIN)) {
		s->master_gone = 1;
		s->shutdown = 1;
		return;
	}
	if (r == 0 && fd != -1)
		close(fd); /* a session while busy: not ours to serve */
	if (r == 0 && m.type == IPC_SHUTDOWN)
		s->shutdown = 1;
}

/* Milliseconds for poll from now to deadline (-1: none). */
static int
poll_ms(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - clock_mono_ms();
	return left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
}

/*
 * poll(2) pfd (3 entries) until the idle deadline (-1: none), sending the
 * report when it is due meanwhile.  Returns poll's result: 0 only when
 * the idle deadline passed.
 */
static int
wait_reporting(struct session *s, struct pollfd *pfd, int64_t deadline)
{
	int64_t due;
	int	n;

	for (;;) {
		if ((due = session_report_due(s)) >= 0 &&
		    due <= clock_mono_ms()) {
			session_report_flush(s);
			due = -1;
		}
		if (due < 0 || (deadline >= 0 && deadline <= due))
			return poll(pfd, 3, poll_ms(deadline));
		if ((n = poll(pfd, 3, poll_ms(due))) != 0)
			return n;
	}
}

/*
 * Wait for the next request within the idle timeout, watching the master
 * (IPC_SHUTDOWN) and the signal pipe.  Returns 0 when a frame is waiting,
 * -1 when the session ends.
 */
static int
session_wait(struct session *s)
{
	struct pollfd pfd[3];
	int64_t	      deadline = -1;
	int	      n;

	if (s->cfg->idle_timeout > 0)
		deadline =
		    clock_mono_ms() + (int64_t)s->cfg->idle_timeout * 1000;
	for (;;) {
		if (session_stopping(s) == -1)
			return -1;
		if (s->shutdown)
			return session_fail(s, ERR_BUSY,
			    "server shutting down");
		pfd[0] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = s->ipc_fd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = signals_wake_fd(),
			.events = POLLIN };
		n = wait_reporting(s, pfd, deadline);
		if (n == -1 && errno != EINTR)
			return session_fail(s, ERR_INTERNAL, NULL);
		if (n == 0) {
			log_info("session %llu: %s: idle timeout",
			    (unsigned long long)s->info.seq, s->info.peer);
			return session_fail(s, ERR_TIMEOUT, "idle timeout");
		}
		if (n > 0 && pfd[2].revents != 0)
			signals_wake_drain();
		if (n > 0 && pfd[1].revents != 0)
			session_ipc(s);
		else if (n > 0 && pfd[0].revents != 0)
			return 0;
	}
}

static int
op_bye(struct session *s, const struct schema_req *q)
{
	(void)q;
	s->end = 1; /* the reply goes out as our FINAL frame */
	return session_ok(s);
}

/* noop: a keep-alive that does nothing (PROTOCOL.md 4.5). */
static int
op_noop(struct session *s, const struct schema_req *q)
{
	(void)q;
	return session_ok(s);
}

static int
op_no_transfer(struct session *s, const struct schema_req *q)
{
	(void)q;
	return session_error(s, ERR_PROTOCOL, "no transfer in progress");
}

/* The operation of each request kind (schema.h). */
static int (*const session_ops[SCHEMA_OP_COUNT])(struct session *,
    const struct schema_req *) = {
	[SCHEMA_AUTH] = login_again,
	[SCHEMA_STAT] = ops_stat,
	[SCHEMA_LIST] = ops_list,
	[SCHEMA_DELETE] = ops_delete,
	[SCHEMA_MKDIR] = ops_mkdir,
	[SCHEMA_RMDIR] = ops_rmdir,
	[SCHEMA_RENAME] = ops_rename,
	[SCHEMA_PUT] = xfer_put,
	[SCHEMA_GET] = xfer_get,
	[SCHEMA_BYE] = op_bye,
	[SCHEMA_NOOP] = op_noop,
	[SCHEMA_DONE] = op_no_transfer,
	[SCHEMA_ABORT] = op_no_transfer,
	[SCHEMA_HOSTSIG] =
	    op_no_transfer, /* a server message, never a request */
};

/* Report the request's op and its path (or "from") as the current state. */
static void
request_state(struct session *s, const struct schema_req *q)
{
	char		  raw[sizeof(s->path)];
	struct schema_str p = q->path.len > 0 ? q->path : q->from;
	size_t		  n = p.len < sizeof(raw) - 1 ? p.len : sizeof(raw) - 1;

	if (n > 0) /* a NUL inside ends it: bad_path anyway */
		memcpy(raw, p.p, n);
	raw[n] = '\0';
	session_state(s, schema_op_name(q->op), raw, 0, 0, 1);
}

/*
 * After a refused put (PROTOCOL.md 4.10): its data frames, and the done or
 * abort that ends them, may already be on their way; they are dropped
 * without a reply.  Any other message ends the discarding and is served.
 * Returns 1 when the frame was dropped, 0 to serve it.
 */
static int
session_discarded(struct session *s, int type, const uint8_t *body, size_t len)
{
	struct schema_req q;
	int		  r;

	if (s->ch.peer_final) { /* only bye may be FINAL: answered as such */
		s->discard = 0;
		return 0;
	}
	if (type != CHANNEL_MSG)
		return 1;
	s->discard = 0;
	r = schema_request_decode(body, len, &q, NULL);
	(void)r; /* the op is enough: a malformed done is dropped too */
	return q.op == SCHEMA_DONE || q.op == SCHEMA_ABORT;
}

/* Decode one request and run its operation. */
static void
session_request(struct session *s, const uint8_t *body, size_t len)
{
	struct schema_req q;
	char		  why[SCHEMA_WHY_LEN];
	int		  r;

	/* SECURITY: the schema decoder checks every field before use. */
	if ((r = schema_request_decode(body, len, &q, why)) != 0) {
		s->discard = q.op == SCHEMA_PUT; /* its data may follow */
		(void)session_error(s, -r, why);
	} else if (s->ch.peer_final && q.op != SCHEMA_BYE)
		/* Only bye may close: a FINAL get or list could not be answered
		 * in full, since our reply to a FINAL frame is FINAL too. */
		(void)session_error(s, ERR_PROTOCOL,
		    "only bye may be sent as the final frame");
	else {
		/* Every request but a put sees the uploads before it in place
		 * (and is answered after them): commit the batch first. */
		if (q.op != SCHEMA_PUT)
			commit_flush(s);
		request_state(s, &q);
		(void)account_run(s, &q, session_ops[q.op]);
	}
	if (!s->end)
		session_state(s, "", "", 0, 0, 1);
}

/* The watchdog cut the connection: log why, end with code 20. */
int
session_watchdog(struct session *s)
{
	unsigned long long seq = (unsigned long long)s->info.seq;
	int		   why = watchdog_fired();

	if (why == WATCHDOG_FRAME) {
		log_info("session %llu: %s: a request did not arrive whole "
			 "within %d s",
		    seq, s->info.peer, s->cfg->frame_timeout);
		(void)session_fail(s, ERR_TIMEOUT, "request too slow");
	} else if (why == WATCHDOG_RATE) {
		log_info("session %llu: %s: %s %s below %llu bytes/s over %d s",
		    seq, s->info.peer, s->op, s->path,
		    (unsigned long long)s->cfg->min_rate,
		    s->cfg->min_rate_window);
		(void)session_fail(s, ERR_TIMEOUT, "transfer too slow");
	} else
		return 0;
	return 1;
}

void
session_lost(struct session *s, int r)
{
	unsigned long long seq = (unsigned long long)s->info.seq;

	s->end = 1;
	if (session_watchdog(s))
		return;
	if (r == 0)
		return; /* the peer's FINAL, then end of file: orderly */
	if (errno == EAGAIN) {
		log_info("session %llu: %s: stall timeout", seq, s->info.peer);
		(void)session_fail(s, ERR_TIMEOUT, "stall timeout");
	} else if (errno == EBADMSG) {
		log_warnx("session %llu: %s: a frame failed to decrypt", seq,
		    s->info.peer);
		s->outcome = ERR_PROTOCOL;
	} else if (errno == EMSGSIZE) {
		log_warnx("session %llu: %s: frame too large", seq,
		    s->info.peer);
		(void)session_fail(s, ERR_PROTOCOL, "frame too large");
	} else {
		log_info("session %llu: %s: connection lost: %s", seq,
		    s->info.peer, strerror(errno));
		s->outcome = errno == EPROTO ? ERR_PROTOCOL : ERR_IO;
	}
}

void
session_run(struct session *s)
{
	const uint8_t *body;
	size_t	       len;
	int	       type, r, one = 1;

	s->outcome = ERR_OK;
	buf_init(&s->out, CHANNEL_BODY_MAX);
	/* Replies are small single writes: do not let Nagle hold them. */
	if (setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ==
		-1 &&
	    errno != EOPNOTSUPP)
		log_debug("setsockopt TCP_NODELAY: %s", strerror(errno));
	if (login_run(s) == -1)
		goto out;
	login_socket_timeouts(s->fd, s->cfg->stall_timeout);
	session_state(s, "", "", 0, 0, 1);
	while (!s->end) {
		/* Pipelined uploads share a durable point while requests keep
		 * coming; their replies go out before the server waits. */
		commit_poll(s);
		if (s->end || session_wait(s) == -1)
			break;
		/* SECURITY: the request must arrive whole in time, not just
		 * one byte per stall_timeout (issue 8, item 3). */
		watchdog_deadline(s->fd, WATCHDOG_FRAME,
		    (int64_t)s->cfg->frame_timeout * 1000);
		r = channel_recv(&s->ch, &type, &body, &len);
		watchdog_off();
		if (r != 1) {
			session_lost(s, r);
			break;
		}
		if (s->discard && session_discarded(s, type, body, len))
			; /* the rest of a refused put: no reply */
		else if (type != CHANNEL_MSG)
			(void)session_error(s, ERR_PROTOCOL,
			    "data frame outside a transfer");
		else
			session_request(s, body, len);
		(void)session_stopping(s);
	}
out:
	commit_discard(s); /* SECURITY: nothing unanswered is committed */
	channel_destroy(&s->ch);
	buf_free(&s->out);
	s->chan_up = 0;
}
