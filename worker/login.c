/*
 * login.c: the start of a session (doc/PROTOCOL.md 2 and 4.3): the
 * handshake (signed with the host key when the server has one) and the
 * authentication within the login grace time, at most LOGIN_TRIES
 * attempts (the methods are auth.c's), and the answer to a later auth
 * request.  A peer that cannot decrypt gets
 * no reply; once the channel is up, a refused or late login gets its error
 * reply as our FINAL frame.  This file must not log key material and must
 * not act on a frame that failed to decrypt.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <bsd/string.h>

#include "common/error.h"
#include "common/frame.h"
#include "common/ipc.h"
#include "common/log.h"
#include "worker/auth.h"
#include "worker/ipcq.h"
#include "worker/login.h"
#include "worker/session.h"
#include "worker/signals.h"

/* Bytes a client sends up to its first secure frame: hello and stream
 * header (PROTOCOL.md 2), each at most 256 bytes plus the length. */
#define HS_IN_MAX   520
#define LOGIN_TRIES 3 /* auth attempts per connection (PROTOCOL.md 4.4) */

/* SO_RCVTIMEO and SO_SNDTIMEO of seconds (0: none) on the client socket. */
void
login_socket_timeouts(int fd, int seconds)
{
	struct timeval tv;

	tv.tv_sec = seconds > 0 ? seconds : 0;
	tv.tv_usec = 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		log_warn("setsockopt SO_RCVTIMEO/SO_SNDTIMEO");
}

/* Tell the master how authentication ended (its per-source penalties). */
static void
login_report(struct session *s, int result)
{
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.type = IPC_AUTH;
	m.u.auth.seq = s->info.seq;
	m.u.auth.result = result;
	/* At once: the master's admission counts unauthenticated sessions
	 * (MaxStartups) and its penalties need the result now. */
	ipcq_put(&m);
	ipcq_flush();
}

/*
 * No first frame: a wrong key (no reply), the login grace time over (code
 * 20 as our FINAL frame, PROTOCOL.md 4.2), or the peer gone.  Returns -1.
 */
static int
auth_lost(struct session *s, int r)
{
	if (r == -1 && errno == EBADMSG) {
		log_warnx("authentication failed from %s: wrong key",
		    s->info.peer);
		s->outcome = ERR_AUTH;
		login_report(s, IPC_AUTH_FAIL);
		return -1; /* SECURITY: no reply to a peer without the key */
	}
	if (signals_login_expired() || (r == -1 && errno == EAGAIN)) {
		log_warnx("login grace time over for %s", s->info.peer);
		login_report(s, IPC_AUTH_GRACE);
		return session_fail(s, ERR_TIMEOUT, "login grace time over");
	}
	/* A client holding S reads our host signature before it sends a
	 * thing: one that cannot decrypt it (a wrong S) just closes. */
	if (s->ch.keyed && s->cred->has_hostkey && s->ch.wire_in <= HS_IN_MAX &&
	    r == -1 && errno == EPROTO) {
		log_warnx("authentication failed from %s: closed after the "
			  "host signature (a wrong key, or the host key "
			  "refused)",
		    s->info.peer);
		s->outcome = ERR_AUTH;
		login_report(s, IPC_AUTH_FAIL);
		return -1;
	}
	log_info("%s closed before authentication", s->info.peer);
	login_report(s, IPC_AUTH_NOAUTH);
	s->outcome = ERR_AUTH;
	return -1;
}

/*
 * The first frame must decrypt and be an auth request with a method; a
 * failed method may be tried again up to LOGIN_TRIES attempts in all.
 */
static int
session_auth(struct session *s)
{
	const uint8_t	 *body;
	size_t		  len;
	struct schema_req q;
	int		  type, r, tries;

	for (tries = 1;; tries++) {
		if ((r = channel_recv(&s->ch, &type, &body, &len)) != 1)
			return auth_lost(s, r);
		if (type != CHANNEL_MSG ||
		    schema_request_decode(body, len, &q, NULL) != 0 ||
		    q.op != SCHEMA_AUTH || q.method.len == 0) {
			log_warnx("authentication failed from %s: not an auth "
				  "request with a method",
			    s->info.peer);
			login_report(s, IPC_AUTH_FAIL);
			return session_fail(s, ERR_AUTH, NULL);
		}
		if ((r = auth_try(s, &q)) == 0) {
			login_report(s, IPC_AUTH_OK);
			return auth_reply(s);
		}
		if (r != -ERR_AUTH) { /* our fault (the home): no penalty */
			login_report(s, IPC_AUTH_NOAUTH);
			return session_fail(s, ERR_INTERNAL,
			    "cannot open the home folder");
		}
		login_report(s, IPC_AUTH_FAIL); /* a per-source penalty */
		/* SECURITY: a bounded number of attempts per connection. */
		if (tries >= LOGIN_TRIES)
			return session_fail(s, ERR_AUTH, AUTH_FAILED);
		if (session_error(s, ERR_AUTH, AUTH_FAILED) == -1)
			return -1;
	}
}

/* The limits this worker enforces, advertised in the hello (PROTOCOL.md 5). */
static void
login_limits(const struct config *cfg, struct schema_lim *l)
{
	uint64_t a = cfg->max_file_size, b = cfg->file_size_limit;

	memset(l, 0, sizeof(*l));
	l->frame = FRAME_MAX;
	l->file = a == 0 || (b != 0 && b < a) ? b : a; /* smaller nonzero */
	l->grace = (uint64_t)cfg->login_grace;
	l->idle = (uint64_t)cfg->idle_timeout;
	l->stall = (uint64_t)cfg->stall_timeout;
	l->cpu = cfg->cpu_seconds;
	l->list = SESSION_LIST_PART;
	memset(&l->has, 1, sizeof(l->has));
}

int
login_run(struct session *s)
{
	struct schema_lim   lim;
	struct channel_opts opts = { .lim = &lim, .digests = s->cfg->digests };
	int		    r;

	if (s->cred->has_hostkey)
		opts.hostkey = &s->cred->hostkey; /* signs T (2.6) */

	login_socket_timeouts(s->fd, s->cfg->login_grace);
	signals_login_timer(s->fd, (unsigned)s->cfg->login_grace);
	login_limits(s->cfg, &lim);
	session_report_idle(s); /* "connection from" while the hello is due */
	r = channel_handshake(&s->ch, s->fd, CHANNEL_SERVER, s->secret, &opts);
	if (r != 0) {
		log_warnx("handshake with %s failed: %s%s", s->info.peer,
		    err_name(-r),
		    signals_login_expired() ? " (login grace time over)" : "");
		s->outcome = -r == ERR_TIMEOUT || signals_login_expired()
		    ? ERR_TIMEOUT
		    : ERR_PROTOCOL;
		login_report(s,
		    s->outcome == ERR_TIMEOUT ? IPC_AUTH_GRACE
					      : IPC_AUTH_NOAUTH);
		signals_login_timer(-1, 0);
		return -1;
	}
	s->chan_up = 1;
	r = session_auth(s);
	signals_login_timer(-1, 0);
	return r;
}

int
login_again(struct session *s, const struct schema_req *q)
{
	/* PROTOCOL.md 4.3: the method that logged in gets the same reply
	 * again and changes nothing; any other is refused. */
	if (!schema_str_is(q->method, s->method))
		return session_error(s, ERR_AUTH, NULL);
	return auth_reply(s);
}
