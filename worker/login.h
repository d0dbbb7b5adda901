/*
 * login.h: handshake and authentication of a session (login.c).  Internal
 * to worker/; used by session.c.
 */
#ifndef FTPD_LOGIN_H
#define FTPD_LOGIN_H

#include "common/schema.h"
#include "worker/session.h"

/*
 * login_run: the handshake on s->fd, then the first request, which must be
 * an auth request with a method (auth.c), tried at most 3 times, all
 * within cfg->login_grace seconds.  Sets s->chan_up once the channel is
 * up, and s->user, s->method and the account on success.  Returns
 * 0 when the client is authenticated, -1 when the session ends (s->outcome
 * set; a FINAL error reply sent where the channel allows one).
 */
int login_run(struct session *s);

/*
 * login_again: a later auth request q: the same reply as the first for
 * the method that logged in, else code 16; the session goes on either way.  Returns
 * as session_reply.
 */
int login_again(struct session *s, const struct schema_req *q);

/*
 * login_socket_timeouts: SO_RCVTIMEO and SO_SNDTIMEO of seconds (0: none)
 * on socket fd; a failure is logged and otherwise ignored.
 */
void login_socket_timeouts(int fd, int seconds);

#endif
