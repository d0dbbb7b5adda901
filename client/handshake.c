/*
 * handshake.c: ftpc's side of the handshake (doc/PROTOCOL.md 2): the
 * options it offers (a session without the shared secret for account
 * logins), the failures in words and exit codes, and the pin of the
 * server's host key (knownhosts.c) once its signature verified.  This file
 * must not authenticate the user (conn.c, auth.c) nor send requests.
 */
#include <err.h>
#include <errno.h>

#include "common/error.h"
#include "client/ftpc.h"

/*
 * conn_hs_failed: a handshake that failed with r (errno as it left it).
 * A host signature that does not verify is the hard failure of
 * knownhosts_badsig; a first frame that does not decrypt on a session
 * keyed with S is a wrong secret (channel_handshake says ERR_CRYPTO for
 * both, errno EBADMSG only for the second).
 */
static int
conn_hs_failed(struct ftpc *c, int r)
{
	int e = errno;

	if (r == -ERR_CRYPTO && e == EBADMSG && c->ch.keyed) {
		warnx("authentication failed (wrong key?)");
		return -ERR_AUTH;
	}
	if (r == -ERR_CRYPTO && c->ch.has_peer_hk)
		return knownhosts_badsig(dial_where(c), c->ch.peer_hk);
	if (r == -ERR_AUTH) { /* nosecret and no host key: PROTOCOL.md 2.2 */
		warnx("%s: the server has no host key: an account login needs "
		      "one, or the shared secret (-k)",
		    dial_where(c));
		return r;
	}
	if (r == -ERR_PROTOCOL)
		warnx("%s: protocol error in the handshake", dial_where(c));
	else if (r == -ERR_TIMEOUT)
		warnx("%s: handshake timed out", dial_where(c));
	else
		warnx("%s: handshake failed: %s", dial_where(c), conn_why(e));
	return r == -ERR_PROTOCOL || r == -ERR_TIMEOUT ? r : -ERR_EOF;
}

int
handshake_run(struct ftpc *c, const uint8_t secret[CHANNEL_KEY_BYTES])
{
	struct channel_opts o = { .nosecret = c->nosecret };
	struct kh_query	    q;
	int		    r;

	errno = 0;
	r = channel_handshake(&c->ch, c->fd, CHANNEL_CLIENT,
	    c->nosecret ? NULL : secret, &o);
	if (r == 0 && !c->ch.has_peer_hk)
		return 0;
	c->dead = r != 0;
	if (r == 0) { /* SECURITY: the signature verified; now the pin. */
		q = (struct kh_query){ c->host, c->port, dial_where(c),
			c->ch.peer_hk };
		if ((r = knownhosts_verify(&q, c->ch.keyed, c->accept_new)))
			c->dead = 1;
		return r;
	}
	if (c->ch.refused_code != 0) { /* refused_msg is filtered already */
		warnx("%s: %s (%s)", dial_where(c), c->ch.refused_msg,
		    err_name(c->ch.refused_code));
		return c->ch.refused_code == ERR_BUSY ? -ERR_BUSY
		    : c->ch.refused_code == ERR_AUTH  ? -ERR_AUTH
						      : -ERR_EOF;
	}
	return conn_hs_failed(c, r);
}
