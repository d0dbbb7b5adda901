/*
 * test_vectors_gcm.c: the aes256gcm test vectors of doc/PROTOCOL.md section
 * 6.6, byte for byte, through common/channel.h: both hellos, then a real
 * handshake and short session (auth, a data frame, bye) against a scripted
 * peer in each role, and the first rekey.  The vectors were computed with
 * PyNaCl and Python's cryptography package (AESGCM), independently of this
 * code; tests/e2e/test_vectors_session.py recomputes them.  It must not
 * touch the network; it skips itself where AES-GCM is not available.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/channel.h"
#include "common/gcm.h"
#include "tests/unit/unit.h"
#include "tests/unit/vectors.h"

#define G_CLIENT_PK                                                            \
	"07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"
#define G_SERVER_PK                                                            \
	"64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d48466"
#define G_CLIENT_HELLO                                                         \
	"84a570726f746fa466747064a17601a2706bc420" G_CLIENT_PK                 \
	"a673756974657392a961657332353667636db1786368616368613230706f6c793133" \
	"3035"
#define G_SERVER_HELLO                                                         \
	"84a570726f746fa466747064a17601a2706bc420" G_SERVER_PK                 \
	"a57375697465a961657332353667636d"
#define G_KEY_C2S                                                              \
	"15d3d399e8a06b49f15bbce10f46f0fb63be5553b46049c3c2bc9a2f1a197742"
#define G_REKEYED                                                              \
	"114d1defe07d86775db1cec832079499f5fc959238947d44539dc01aea30c832"

/* The session of section 6.6, frame by frame, in the order sent. */
static const struct {
	int	    client; /* sent by the client (else by the server) */
	int	    type;
	int	    final;
	const char *body;  /* hex */
	const char *frame; /* payload on the wire, hex */
} session[] = {
	{ 1, CHANNEL_MSG, 0, "82a26f70a461757468a66d6574686f64a6736563726574",
	    "00c4abb9d71c66d5858826a63a1ae76130539dd25ca67ea1a9a6200df62ed75b"
	    "c4f2121f2e8d48b086" },
	{ 0, CHANNEL_MSG, 0, "81a26f6bc3",
	    "0017e7a2ca89e65ef971378367fbd09f3e9a5574009671" },
	{ 1, CHANNEL_DATA, 0, "68656c6c6f",
	    "0020fa70b4b58092ae52ec18ee37825268e9fdb927fd58" },
	{ 1, CHANNEL_MSG, 1, "81a26f70a3627965",
	    "031cefc3a058953c80eb87f41324e61da8718554223103b6066a" },
	{ 0, CHANNEL_MSG, 1, "81a26f6bc3",
	    "039d09c565cb85ce6433f55c689182687016704433abd8" },
};

static void
test_gcm_hellos(void **state)
{
	uint8_t	   sk[32], cpk[32], spk[32];
	struct buf b;

	(void)state;
	unit_fill(sk, 32, 0x01);
	crypto_scalarmult_base(cpk, sk);
	unit_fill(sk, 32, 0x41);
	crypto_scalarmult_base(spk, sk);
	buf_init(&b, 256);
	assert_int_equal(channel_hello_encode(&b,
			     &(struct channel_hello){ .pk = cpk,
				 .offer = CHANNEL_SUITES_ALL,
				 .suite = -1 }),
	    0);
	assert_hex(b.data, b.len, G_CLIENT_HELLO);
	assert_int_equal(channel_hello_encode(&b,
			     &(struct channel_hello){ .pk = spk,
				 .suite = CHANNEL_SUITE_AESGCM }),
	    0);
	assert_hex(b.data, b.len, G_SERVER_HELLO);
	buf_free(&b);
}

/* Same-type data frames are not echoed by recv_expect: check by hand. */
static void
recv_data(struct channel *ch, int fd, const char *frame, const char *body)
{
	const uint8_t *got;
	size_t	       len;
	int	       type;

	put_hex_frame(fd, frame);
	assert_int_equal(channel_recv(ch, &type, &got, &len), 1);
	assert_int_equal(type, CHANNEL_DATA);
	assert_hex(got, len, body);
}

/* The handshake and session of role against the scripted other side. */
static void
run_session(int role)
{
	struct channel ch;
	int	       sv[2], client = role == CHANNEL_CLIENT;
	uint8_t	       s[32];
	size_t	       i;

	unit_setup(s, sv);
	put_hex_frame(sv[1], client ? G_SERVER_HELLO : G_CLIENT_HELLO);
	rng_arm_key(client ? 0x01 : 0x41);
	assert_int_equal(channel_handshake(&ch, sv[0], role, s, NULL), 0);
	rng_disarm();
	assert_int_equal(ch.suite, CHANNEL_SUITE_AESGCM);
	expect_frame(sv[1], client ? G_CLIENT_HELLO : G_SERVER_HELLO);
	for (i = 0; i < sizeof(session) / sizeof(session[0]); i++) {
		if (session[i].client == client)
			send_expect(&ch, sv[1], session[i].type,
			    session[i].body, session[i].frame,
			    session[i].final);
		else if (session[i].type == CHANNEL_DATA)
			recv_data(&ch, sv[1], session[i].frame,
			    session[i].body);
		else
			recv_expect(&ch, sv[1], session[i].frame,
			    session[i].body, session[i].final);
	}
	vector_down(&ch, sv);
}

static void
test_gcm_client(void **state)
{
	(void)state;
	run_session(CHANNEL_CLIENT);
}

static void
test_gcm_server(void **state)
{
	(void)state;
	run_session(CHANNEL_SERVER);
}

/* key' = BLAKE2b-256(key = key_c2s, "ftpd v1 rekey"). */
static void
test_gcm_rekey(void **state)
{
	struct gcm g;
	uint8_t	  *key, m[1 + GCM_ABYTES];
	size_t	   n;

	(void)state;
	key = unhex(G_KEY_C2S, &n);
	assert_int_equal(gcm_init(&g, key), 0);
	g.rekey = 1;
	gcm_seal(&g, m, 1, 0);
	assert_hex(g.key, sizeof(g.key), G_REKEYED);
	assert_int_equal(g.ctr, 0);
	gcm_wipe(&g);
	free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcm_hellos),
		cmocka_unit_test(test_gcm_client),
		cmocka_unit_test(test_gcm_server),
		cmocka_unit_test(test_gcm_rekey),
	};

	/* Before sodium_init, as randombytes_set_implementation requires. */
	if (randombytes_set_implementation(&rng_test) != 0 || sodium_init() < 0)
		return 1;
	if (!crypto_aead_aes256gcm_is_available()) {
		print_message("aes256gcm not available on this CPU: skipped\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
