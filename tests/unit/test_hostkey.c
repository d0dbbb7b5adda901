/*
 * test_hostkey.c: unit tests of common/hostkey.c and of the host key in
 * the handshake: the fingerprint's form, sign and verify with the domain
 * label, a real handshake in which the client learns and checks the key,
 * and one whose signature was made by another key (the client refuses it
 * before sending anything).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/channel.h"
#include "common/error.h"
#include "common/hostkey.h"
#include "tests/unit/unit.h"

static void
make_key(struct hostkey *hk, uint8_t start)
{
	uint8_t seed[32];

	unit_fill(seed, sizeof(seed), start);
	crypto_sign_seed_keypair(hk->pk, hk->sk, seed);
}

static void
test_fingerprint(void **state)
{
	struct hostkey hk;
	char	       fp[HOSTKEY_FP_LEN];
	uint8_t	       h[32];
	char	       b64[64];

	(void)state;
	make_key(&hk, 1);
	hostkey_fingerprint(hk.pk, fp, sizeof(fp));
	crypto_hash_sha256(h, hk.pk, sizeof(hk.pk));
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	assert_int_equal(strncmp(fp, "SHA256:", 7), 0);
	assert_string_equal(fp + 7, b64);
	assert_int_equal(strlen(fp), 7 + 43);
}

static void
test_sign_verify(void **state)
{
	struct hostkey a, b;
	uint8_t	       t[32], sig[HOSTKEY_SIG_BYTES], plain[64];

	(void)state;
	make_key(&a, 1);
	make_key(&b, 2);
	unit_fill(t, sizeof(t), 0x30);
	hostkey_sign(&a, t, sig);
	assert_int_equal(hostkey_verify(a.pk, t, sig), 0);
	assert_int_equal(hostkey_verify(b.pk, t, sig), -1);
	t[0] ^= 1;
	assert_int_equal(hostkey_verify(a.pk, t, sig), -1);
	t[0] ^= 1;
	/* A bare signature of T (no label) is not a host signature. */
	crypto_sign_detached(plain, NULL, t, sizeof(t), a.sk);
	assert_int_equal(hostkey_verify(a.pk, t, plain), -1);
}

struct server {
	pthread_t	    thread;
	int		    fd, rc;
	struct channel_opts opts;
	struct hostkey	    hk;
	int		    nohk; /* run without a host key */
};

static void *
server_main(void *arg)
{
	struct server *s = arg;
	struct channel ch;
	uint8_t	       secret[32];

	unit_fill(secret, sizeof(secret), 0x80);
	s->opts.hostkey = s->nohk ? NULL : &s->hk;
	s->rc = channel_handshake(&ch, s->fd, CHANNEL_SERVER, secret, &s->opts);
	if (s->rc == 0)
		channel_destroy(&ch);
	close(s->fd);
	return NULL;
}

/* A handshake against a server whose key is hk; returns the client's rc. */
static int
handshake_with(struct server *s, struct channel *ch)
{
	uint8_t secret[32];
	int	sv[2], rc;

	unit_pair(sv);
	s->fd = sv[1];
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
	unit_fill(secret, sizeof(secret), 0x80);
	rc = channel_handshake(ch, sv[0], CHANNEL_CLIENT, secret, NULL);
	close(sv[0]);
	assert_int_equal(pthread_join(s->thread, NULL), 0);
	return rc;
}

static void
test_handshake_checks_host_key(void **state)
{
	struct server  s;
	struct channel ch;
	struct hostkey other;

	(void)state;
	memset(&s, 0, sizeof(s));
	make_key(&s.hk, 7);
	assert_int_equal(handshake_with(&s, &ch), 0);
	assert_true(ch.has_peer_hk);
	assert_memory_equal(ch.peer_hk, s.hk.pk, sizeof(s.hk.pk));
	channel_destroy(&ch);
	/* Advertise one key, sign with another: refused by the client. */
	make_key(&other, 8);
	memcpy(s.hk.sk, other.sk, sizeof(other.sk));
	assert_int_equal(handshake_with(&s, &ch), -ERR_CRYPTO);
}

/* A client without the secret: keys without S, checked by the host key. */
static void
test_nosecret(void **state)
{
	struct server	    s;
	struct channel	    ch;
	struct channel_opts o = { .nosecret = 1 };
	uint8_t		    secret[32];
	int		    sv[2], rc;

	(void)state;
	memset(&s, 0, sizeof(s));
	make_key(&s.hk, 7);
	unit_pair(sv);
	s.fd = sv[1];
	assert_int_equal(pthread_create(&s.thread, NULL, server_main, &s), 0);
	memset(secret, 0, sizeof(secret)); /* ignored: no secret is used */
	rc = channel_handshake(&ch, sv[0], CHANNEL_CLIENT, secret, &o);
	assert_int_equal(rc, 0);
	assert_false(ch.keyed);
	assert_true(ch.has_peer_hk);
	channel_destroy(&ch);
	close(sv[0]);
	assert_int_equal(pthread_join(s.thread, NULL), 0);
	assert_int_equal(s.rc, 0);
	/* A server without a host key refuses such a client. */
	s.nohk = 1;
	unit_pair(sv);
	s.fd = sv[1];
	assert_int_equal(pthread_create(&s.thread, NULL, server_main, &s), 0);
	rc = channel_handshake(&ch, sv[0], CHANNEL_CLIENT, secret, &o);
	assert_int_equal(rc, -ERR_AUTH);
	close(sv[0]);
	assert_int_equal(pthread_join(s.thread, NULL), 0);
	assert_int_equal(s.rc, -ERR_AUTH);
}

static void
test_user_signature(void **state)
{
	struct hostkey u;
	uint8_t	       t[32], sig[HOSTKEY_SIG_BYTES];

	(void)state;
	make_key(&u, 3);
	unit_fill(t, sizeof(t), 0x50);
	userkey_sign(u.sk, t, "alice", 5, sig);
	assert_int_equal(userkey_verify(u.pk, t, "alice", 5, sig), 0);
	assert_int_equal(userkey_verify(u.pk, t, "alicf", 5, sig), -1);
	t[3] ^= 1; /* another session's transcript: a replay fails */
	assert_int_equal(userkey_verify(u.pk, t, "alice", 5, sig), -1);
	t[3] ^= 1;
	/* Not a host signature either, and no name over 32 bytes. */
	assert_int_equal(hostkey_verify(u.pk, t, sig), -1);
	assert_int_equal(userkey_verify(u.pk, t,
			     "0123456789012345678901234567890123", 34, sig),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_handshake_checks_host_key),
		cmocka_unit_test(test_nosecret),
		cmocka_unit_test(test_user_signature),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
