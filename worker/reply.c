/*
 * reply.c: the replies every operation of a session sends (doc/PROTOCOL.md
 * 4.2 and 4.3): success, error, and the FINAL error that ends a session.
 * Replies go out in request order: a reply sent while uploads wait for
 * their group commit (commit.c) first commits them and sends theirs.
 * This file must not send anything after the session's FINAL frame, nor a
 * reply on a channel whose last frame may have been cut.
 */
#include <errno.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "worker/session.h"
#include "worker/watchdog.h"

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
session_send(struct session *s, enum schema_kind kind, const void *msg,
    int final)
{
	struct schema_reply rep;
	int		    r;

	if (!s->chan_up || s->ch.sent_final)
		return -1; /* nothing may follow our FINAL frame */
	if ((r = schema_encode(kind, msg, &s->out)) != 0) {
		log_warnx("session %llu: %s reply: %s",
		    (unsigned long long)s->info.seq, s->op, err_str(r));
		if (kind == SCHEMA_R_ERROR)
			return session_fail_silent(s, ERR_INTERNAL);
		session_error_rep(s, err_wire(r), err_str(r), &rep);
		return session_send(s, SCHEMA_R_ERROR, &rep, final);
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
session_reply(struct session *s, enum schema_kind kind, const void *msg)
{
	/* Replies in request order: the uploads waiting for their group
	 * commit are committed and answered first. */
	if (commit_pending(s))
		commit_flush(s);
	return session_send(s, kind, msg, s->end || s->ch.peer_final);
}

int
session_ok(struct session *s)
{
	struct schema_reply rep;

	memset(&rep, 0, sizeof(rep));
	return session_reply(s, SCHEMA_R_OK, &rep);
}

void
session_error_rep(struct session *s, int code, const char *msg,
    struct schema_reply *rep)
{
	if (code == ERR_NO_SPACE || code == ERR_IO || code == ERR_PERMISSION ||
	    code == ERR_INTERNAL)
		log_warnx("session %llu: %s %s: %s%s%s",
		    (unsigned long long)s->info.seq, s->op, s->path,
		    err_name(code), msg != NULL ? ": " : "",
		    msg != NULL ? msg : "");
	memset(rep, 0, sizeof(*rep));
	rep->code = code;
	rep->err = schema_cstr(err_name(code));
	rep->msg = schema_cstr(msg != NULL ? msg : err_message(code));
}

int
session_error(struct session *s, int code, const char *msg)
{
	struct schema_reply rep;

	session_error_rep(s, code, msg, &rep);
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
