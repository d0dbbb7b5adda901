/*
 * auth.c: the four authentication methods (auth.h, PROTOCOL.md 4.4).  An
 * unknown name costs what a known one does (its password is verified
 * against the master's dummy hash, its signature checked all the same),
 * and every refusal looks the same to the client.  This file must not log
 * a password or a name that is not a valid account name, and must not
 * leave a password in memory once it is verified.
 */
#include <string.h>

#include <bsd/string.h>
#include <sodium.h>

#include "common/error.h"
#include "common/hostkey.h"
#include "common/log.h"
#include "worker/account.h"
#include "worker/auth.h"

#define SERVER_NAME "ftpd/1.0"

/* The account q names when the name is valid, else NULL. */
static const struct users_entry *
auth_user(const struct session *s, const struct schema_req *q)
{
	if (!q->has.user || users_name_ok(q->user.p, q->user.len) != 0)
		return NULL;
	return users_find(&s->cred->users, q->user.p, q->user.len);
}

/* Method password: argon2id verify, against the dummy hash when the
 * account is unknown or has no password.  Returns 0 or -ERR_AUTH. */
static int
auth_password(struct session *s, const struct schema_req *q,
    const struct users_entry **e)
{
	const char *hash = s->cred->dummy_hash;
	int	    ok;

	*e = auth_user(s, q);
	if (*e != NULL && (*e)->hash[0] != '\0')
		hash = (*e)->hash;
	/* SECURITY: one verify of the same cost whatever the name. */
	ok = q->has.password &&
	    crypto_pwhash_str_verify(hash, q->password.p, q->password.len) ==
		0 &&
	    hash != s->cred->dummy_hash;
	/* SECURITY: the password lies decrypted in s->ch.in, which this
	 * session owns and nothing reads again: wipe it there. */
	if (q->has.password)
		sodium_memzero((void *)(uintptr_t)q->password.p,
		    q->password.len);
	return ok && (*e)->enabled ? 0 : -ERR_AUTH;
}

/* Method publickey: an authorized key and its signature over T. */
static int
auth_publickey(struct session *s, const struct schema_req *q,
    const struct users_entry **e)
{
	static const uint8_t zero_pk[HOSTKEY_PK_BYTES];
	const uint8_t	    *pk = zero_pk;
	int		     i, known = 0, good;

	*e = auth_user(s, q);
	if (q->has.pk && q->pk.len == HOSTKEY_PK_BYTES)
		pk = q->pk.p;
	for (i = 0; *e != NULL && i < (*e)->nkeys; i++)
		known |=
		    sodium_memcmp((*e)->keys[i], pk, HOSTKEY_PK_BYTES) == 0;
	/* SECURITY: the signature covers this session's T: no replay. */
	good = q->has.sig && q->sig.len == HOSTKEY_SIG_BYTES &&
	    userkey_verify(pk, s->ch.t, q->user.p, q->user.len, q->sig.p) == 0;
	return *e != NULL && known && good && (*e)->enabled ? 0 : -ERR_AUTH;
}

/* Which method, and is it allowed here?  Returns 0 or -ERR_AUTH. */
static int
auth_check(struct session *s, const struct schema_req *q,
    const struct users_entry **e, int *anon)
{
	*e = NULL;
	*anon = 0;
	if (schema_str_is(q->method, "secret"))
		/* SECURITY: proven only when S entered the keys (2.2). */
		return s->ch.keyed ? 0 : -ERR_AUTH;
	if (schema_str_is(q->method, "password"))
		return auth_password(s, q, e);
	if (schema_str_is(q->method, "publickey"))
		return auth_publickey(s, q, e);
	if (schema_str_is(q->method, "anonymous")) {
		*anon = 1;
		return s->cfg->anonymous ? 0 : -ERR_AUTH;
	}
	return -ERR_AUTH;
}

/* v as a C string in out (USERS_NAME_MAX + 1 bytes) when it is a valid
 * account name (safe in a log line), else "-". */
static const char *
auth_shown(struct schema_str v, char *out)
{
	if (users_name_ok(v.p, v.len) != 0)
		return "-";
	memcpy(out, v.p, v.len);
	out[v.len] = '\0';
	return out;
}

static void
auth_log_fail(const struct session *s, const struct schema_req *q)
{
	char name[USERS_NAME_MAX + 1], method[USERS_NAME_MAX + 1];

	log_warnx("authentication failed from %s: user %s, method %s",
	    s->info.peer, q->has.user ? auth_shown(q->user, name) : "-",
	    auth_shown(q->method, method));
}

/* The name of the method that logged in (a known one). */
static const char *
auth_method_name(const struct schema_req *q, int anon,
    const struct users_entry *e)
{
	if (anon)
		return "anonymous";
	if (e == NULL)
		return "secret";
	return schema_str_is(q->method, "password") ? "password" : "publickey";
}

int
auth_try(struct session *s, const struct schema_req *q)
{
	const struct users_entry *e;
	int			  anon, r;

	if (auth_check(s, q, &e, &anon) != 0) {
		auth_log_fail(s, q);
		return -ERR_AUTH;
	}
	(void)strlcpy(s->method, auth_method_name(q, anon, e),
	    sizeof(s->method));
	if (e != NULL || anon) {
		if ((r = account_enter(s, e, anon)) != 0)
			return r;
		(void)strlcpy(s->user, anon ? "anonymous" : e->name,
		    sizeof(s->user));
	} else
		(void)strlcpy(s->user, "secret", sizeof(s->user));
	log_info("session %llu: %s logged in from %s (%s)",
	    (unsigned long long)s->info.seq, s->user, s->info.peer, s->method);
	return 0;
}

int
auth_reply(struct session *s)
{
	struct schema_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.server = schema_cstr(SERVER_NAME);
	rep.has.server = 1;
	if (s->acct != NULL || s->anonymous) {
		rep.user = schema_cstr(s->user);
		rep.has.user = 1;
	}
	return session_reply(s, SCHEMA_R_AUTH, &rep);
}
