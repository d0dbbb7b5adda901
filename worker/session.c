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

#include <bsd/string.h>
#include <bsd/unistd.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/safetext.h"
#include "worker/fsops.h"
#include "worker/login.h"
#include "worker/session.h"
#include "worker/signals.h"
#include "worker/watchdog.h"

#define STATE_INTERVAL_MS 250 /* IPC_STATE at most 4 times a second */

void
session_send_failed(struct session *s, const char *what)
{
	if (watchdog_fired() != WATCHDOG_NONE) {
		s->chan_up = 0; /* a frame was cut: send nothing more */
		(void)session_watchdog(s);
		return;
	}
	if (errno == EPIPE || errno == ECONNRESET)
		log_debug("session %llu: send %s: %s",
		    (unsigned long long)s->info.seq, what, strerror(errno));
	else
		log_warn("session %llu: send %s to %s",
		    (unsigned long long)s->info.seq, what, s->info.peer);
	if (s->outcome == ERR_OK)
		s->outcome = errno == EAGAIN ? ERR_TIMEOUT : ERR_IO;
	s->chan_up = 0; /* a frame may be cut: send nothing more */
	s->end = 1;
}

int
session_reply(struct session *s, enum schema_kind kind, const void *msg)
{
	int final = s->end || s->ch.peer_final, r;

	if (!s->chan_up || s->ch.sent_final)
		return -1; /* nothing may follow our FINAL frame */
	if ((r = schema_encode(kind, msg, &s->out)) != 0) {
		log_warnx("session %llu: %s reply: %s",
		    (unsigned long long)s->info.seq, s->op, err_str(r));
		if (kind == SCHEMA_R_ERROR)
			return session_fail_silent(s, ERR_INTERNAL);
		return session_error(s, err_wire(r), err_str(r));
	}
	if (channel_send(&s->ch, CHANNEL_MSG, s->out.data, s->out.len, final) ==
	    -1) {
		session_send_failed(s, "reply");
		return -1;
	}
	if (final)
		s->end = 1;
	return 0;
}

int
session_ok(struct session *s)
{
	struct schema_reply rep;

	memset(&rep, 0, sizeof(rep));
	return session_reply(s, SCHEMA_R_OK, &rep);
}

int
session_error(struct session *s, int code, const char *msg)
{
	struct schema_reply rep;

	if (code == ERR_NO_SPACE || code == ERR_IO || code == ERR_PERMISSION ||
	    code == ERR_INTERNAL)
		log_warnx("session %llu: %s %s: %s%s%s",
		    (unsigned long long)s->info.seq, s->op, s->path,
		    err_name(code), msg != NULL ? ": " : "",
		    msg != NULL ? msg : "");
	memset(&rep, 0, sizeof(rep));
	rep.code = code;
	rep.err = schema_cstr(err_name(code));
	rep.msg = schema_cstr(msg != NULL ? msg : err_message(code));
	return session_reply(s, SCHEMA_R_ERROR, &rep);
}

int
session_result(struct session *s, int r)
{
	return r == 0 ? session_ok(s) : session_error(s, err_wire(r), NULL);
}

int
session_fail(struct session *s, int code, const char *msg)
{
	if (s->outcome == ERR_OK)
		s->outcome = code;
	s->end = 1;
	if (s->chan_up && !s->ch.sent_final)
		(void)session_error(s, code, msg);
	return -1;
}

int
session_fail_silent(struct session *s, int code)
{
	if (s->outcome == ERR_OK)
		s->outcome = code;
	s->end = 1;
	s->chan_up = 0;
	return -1;
}

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

void
session_state(struct session *s, const char *op, const char *path,
    uint64_t done, uint64_t total, int force)
{
	struct ipc_msg m;
	int64_t	       now = clock_mono_ms();

	if (!force && now - s->state_ms < STATE_INTERVAL_MS)
		return;
	s->state_ms = now;
	if (force && strcmp(op, s->op) != 0)
		s->op_start_ms = *op != '\0' ? clock_wall_ms() : 0;
	memset(&m, 0, sizeof(m));
	m.type = IPC_STATE;
	(void)strlcpy(m.u.state.op, op, sizeof(m.u.state.op));
	/* SECURITY: the client's bytes never reach status or a log raw:
	 * status gets terminal-safe text, logs the encoding (s->path). */
	(void)safetext_copy(m.u.state.path, sizeof(m.u.state.path), path,
	    strlen(path));
	(void)strlcpy(m.u.state.user, s->user, sizeof(m.u.state.user));
	m.u.state.done = done;
	m.u.state.total = total;
	m.u.state.op_start_ms = s->op_start_ms;
	if (ipc_send(s->ipc_fd, &m, -1) != 0)
		log_debug("ipc_send IPC_STATE: %s", strerror(errno));
	if (!force)
		return;
	(void)strlcpy(s->op, op, sizeof(s->op));
	(void)session_shown(s->path, sizeof(s->path), path);
	if (*op != '\0')
		setproctitle("worker %s %s %s", s->info.peer, op,
		    m.u.state.path);
	else
		setproctitle("worker %s", s->info.peer);
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
		n = poll(pfd, 3, poll_ms(deadline));
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

/* Decode one request and run its operation. */
static void
session_request(struct session *s, const uint8_t *body, size_t len)
{
	struct schema_req q;
	char		  why[SCHEMA_WHY_LEN];
	int		  r;

	/* SECURITY: the schema decoder checks every field before use. */
	if ((r = schema_request_decode(body, len, &q, why)) != 0)
		(void)session_error(s, -r, why);
	else if (s->ch.peer_final && q.op != SCHEMA_BYE)
		/* Only bye may close: a FINAL get or list could not be answered
		 * in full, since our reply to a FINAL frame is FINAL too. */
		(void)session_error(s, ERR_PROTOCOL,
		    "only bye may be sent as the final frame");
	else {
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
		if (session_wait(s) == -1)
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
		if (type != CHANNEL_MSG)
			(void)session_error(s, ERR_PROTOCOL,
			    "data frame outside a transfer");
		else
			session_request(s, body, len);
		(void)session_stopping(s);
	}
out:
	channel_destroy(&s->ch);
	buf_free(&s->out);
	s->chan_up = 0;
}
