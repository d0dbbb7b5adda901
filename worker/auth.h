/*
 * auth.h: the authentication methods of doc/PROTOCOL.md 4.4 (secret,
 * password, publickey, anonymous) as the worker checks them.  Internal to
 * worker/; used by login.c.
 */
#ifndef FTPD_AUTH_H
#define FTPD_AUTH_H

#include "common/schema.h"
#include "worker/session.h"

#define AUTH_FAILED "authentication failed" /* the one failure message */

/*
 * auth_try: check the auth request q (op auth, a method).  On success
 * sets s->user, s->method and the account (account_enter: its home
 * becomes s->rootfd) and returns 0.  Every refused credential (unknown
 * method or user, wrong password, key not authorized, bad signature,
 * disabled account, method secret without the secret, anonymous off)
 * returns -ERR_AUTH after the same work; a home that cannot be opened
 * another negative ERR_* code.  The password bytes in the channel's
 * receive buffer are wiped before it returns.
 */
int auth_try(struct session *s, const struct schema_req *q);

/*
 * auth_reply: the success reply of s->method: {"ok": true, "server":
 * ...}, with "user" for the account methods and anonymous.  Returns as
 * session_reply.
 */
int auth_reply(struct session *s);

#endif
