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

#define STATE_INTERVAL_MS 250 /* IPC_STATE at most 4 times a second */

void
session_send_failed(struct session *s, const char *what)
{
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
session_send(struct session *s, struct msgw *w)
{
	int final = s->end || s->ch.peer_final, r = 0;

	if (!s->chan_up || s->ch.sent_final) {
		msgw_free(w);
		return -1; /* nothing may follow our FINAL frame */
	}
	if (channel_send(&s->ch, CHANNEL_MSG, w->sb.data, w->sb.size, final) ==
	    -1) {
		session_send_failed(s, "reply");
		r = -1;
	}
	if (final)
		s->end = 1;
	msgw_free(w);
	return r;
}

int
session_ok(struct session *s)
{
	struct msgw w;

	msgw_init(&w, 1);
	msgw_bool(&w, "ok", 1);
	return session_send(s, &w);
}

int
session_error(struct session *s, int code, const char *msg)
{
	struct msgw w;

	if (code == ERR_NO_SPACE || code == ERR_IO || code == ERR_PERMISSION ||
	    code == ERR_INTERNAL)
		log_warnx("session %llu: %s %s: %s%s%s",
		    (unsigned long long)s->info.seq, s->op, s->path,
		    err_name(code), msg != NULL ? ": " : "",
		    msg != NULL ? msg : "");
	msgw_init(&w, 4);
	msgw_bool(&w, "ok", 0);
	msgw_int(&w, "code", code);
	msgw_str(&w, "err", err_name(code));
	msgw_str(&w, "msg", msg != NULL ? msg : err_message(code));
	return session_send(s, &w);
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
session_path(const struct msg *m, const char *key, char *out, size_t outlen)
{
	const char *p;
	size_t	    len;

	if (outlen > 0)
		out[0] = '\0';
	if (msg_str(m, key, &p, &len) == -1)
		return -ERR_PROTOCOL;
	return fsops_check_path(p, len, out, outlen);
}

int
session_opt_uint(const struct msg *m, const char *key, uint64_t def,
    uint64_t *v)
{
	*v = def;
	return msg_obj(m, key) == NULL ? 0 : msg_uint(m, key, v);
}

int
session_opt_int(const struct msg *m, const char *key, int64_t def, int64_t *v)
{
	*v = def;
	return msg_obj(m, key) == NULL ? 0 : msg_int(m, key, v);
}

int
session_opt_bool(const struct msg *m, const char *key, int def, int *v)
{
	*v = def;
	return msg_obj(m, key) == NULL ? 0 : msg_bool(m, key, v);
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
	(void)safetext_copy(m.u.state.path, sizeof(m.u.state.path), path,
	    strlen(path));
	(void)strlcpy(m.u.state.user, s->user, sizeof(m.u.state.user));
	m.u.state.done = done;
	m.u.state.total = total;
	m.u.state.op_start_ms = s->op_start_ms;
	if (ipc_send(s->ipc_fd, &m, -1) == -1)
		log_debug("ipc_send IPC_STATE: %s", strerror(errno));
	if (!force)
		return;
	(void)strlcpy(s->op, op, sizeof(s->op));
	(void)strlcpy(s->path, m.u.state.path, sizeof(s->path));
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
	if (r == 0 || (r == -1 && errno != EAGAIN && errno != EPROTO)) {
		s->master_gone = 1;
		s->shutdown = 1;
		return;
	}
	if (r == 1 && fd != -1)
		close(fd); /* a session while busy: not ours to serve */
	if (r == 1 && m.type == IPC_SHUTDOWN)
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
op_bye(struct session *s, const struct msg *m)
{
	(void)m;
	s->end = 1; /* the reply goes out as our FINAL frame */
	return session_ok(s);
}

/* noop: a keep-alive that does nothing (issue 6; spec text to come). */
static int
op_noop(struct session *s, const struct msg *m)
{
	(void)m;
	return session_ok(s);
}

static int
op_no_transfer(struct session *s, const struct msg *m)
{
	(void)m;
	return session_error(s, ERR_PROTOCOL, "no transfer in progress");
}

static const struct {
	const char *name;
	int (*fn)(struct session *, const struct msg *);
} session_ops[] = {
	{ "stat", ops_stat },
	{ "list", ops_list },
	{ "get", xfer_get },
	{ "put", xfer_put },
	{ "delete", ops_delete },
	{ "mkdir", ops_mkdir },
	{ "rmdir", ops_rmdir },
	{ "rename", ops_rename },
	{ "bye", op_bye },
	{ "noop", op_noop },
	{ "auth", login_again },
	{ "done", op_no_transfer },
	{ "abort", op_no_transfer },
};

/* Report op and the request's path (or "from") as the current state. */
static void
request_state(struct session *s, const char *op, const struct msg *m)
{
	char	    shown[sizeof(s->path)];
	const char *p;
	size_t	    len;

	if (msg_str(m, "path", &p, &len) == -1 &&
	    msg_str(m, "from", &p, &len) == -1) {
		p = "";
		len = 0;
	}
	(void)safetext_copy(shown, sizeof(shown), p, len);
	session_state(s, op, shown, 0, 0, 1);
}

/* Parse one request and run its operation. */
static void
session_request(struct session *s, const uint8_t *body, size_t len)
{
	struct msg  m;
	const char *op;
	size_t	    oplen, i;

	memset(&m, 0, sizeof(m));
	if (msg_parse(&m, body, len) == -1 ||
	    msg_str(&m, "op", &op, &oplen) == -1) {
		msg_free(&m);
		(void)session_error(s, ERR_PROTOCOL, "malformed request");
		return;
	}
	for (i = 0; i < sizeof(session_ops) / sizeof(session_ops[0]); i++) {
		if (strlen(session_ops[i].name) == oplen &&
		    memcmp(session_ops[i].name, op, oplen) == 0)
			break;
	}
	if (i == sizeof(session_ops) / sizeof(session_ops[0]))
		(void)session_error(s, ERR_UNKNOWN_OP, NULL);
	else if (s->ch.peer_final && strcmp(session_ops[i].name, "bye") != 0)
		/* Only bye may close: a FINAL get or list could not be answered
		 * in full, since our reply to a FINAL frame is FINAL too. */
		(void)session_error(s, ERR_PROTOCOL,
		    "only bye may be sent as the final frame");
	else {
		request_state(s, session_ops[i].name, &m);
		(void)session_ops[i].fn(s, &m);
	}
	msg_free(&m);
	if (!s->end)
		session_state(s, "", "", 0, 0, 1);
}

void
session_lost(struct session *s, int r)
{
	unsigned long long seq = (unsigned long long)s->info.seq;

	s->end = 1;
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
		if ((r = channel_recv(&s->ch, &type, &body, &len)) != 1) {
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
	s->chan_up = 0;
}
