/*
 * test_vectors.c: the test vectors of doc/PROTOCOL.md section 6, byte for
 * byte, through common/channel.h and literal msgpack bytes: the handshake
 * building blocks (keys, hellos, transcript, session keys), both sides of
 * a handshake against a scripted peer, one data frame, one FINAL frame, a
 * whole short session (auth, stat, bye) in both roles, and a server hello
 * carrying the optional "lim" map.  Fixed ephemeral keys and stream headers
 * come from a randombytes implementation that serves fixed bytes while
 * armed.  It must not depend on anything but common/ and must not touch
 * the network; tests/e2e/test_vectors_session.py checks the same values
 * with PyNaCl.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sodium/randombytes_sysrandom.h>

#include "common/atomicio.h"
#include "common/channel.h"
#include "common/frame.h"
#include "tests/unit/unit.h"
#include "tests/unit/vectors.h"

/* ---- Vectors (doc/PROTOCOL.md section 6; hex, as published) ---- */

#define V_CLIENT_PK                                                            \
	"07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"
#define V_SERVER_PK                                                            \
	"64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d48466"
#define V_HELLO_PREFIX "83a570726f746fa466747064a17601a2706bc420"
#define V_CLIENT_HELLO V_HELLO_PREFIX V_CLIENT_PK
#define V_SERVER_HELLO V_HELLO_PREFIX V_SERVER_PK
#define V_T	       "c2b6a30548392118a299314e2057426be2e53572fd2d3f8aae5e2db8228293f4"
#define V_KX_C2S                                                               \
	"229fa5a19c7e27f6cb1564fb8a650150d237cc1eac962cf42344b5428138ee3f"
#define V_KX_S2C                                                               \
	"15dc283d949cc8b8ff3c5281f78f0480e4308815bfd070b8e733dd3277dcd5c1"
#define V_KEY_C2S                                                              \
	"704ec9df9530d054eaeb38002bf04e2cb5cce19b8a9b2f0ea04b0dbd8257ba5e"
#define V_KEY_S2C                                                              \
	"175c65d80dfeec799a90c9692c84992a0b81a43426abb705470b2a729a822c71"
#define V_CLIENT_HEADER "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7"
#define V_SERVER_HEADER "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7"
#define V_AUTH_MSG	"82a26f70a461757468a66d6574686f64a6736563726574"
#define V_AUTH_FRAME                                                           \
	"38e729cc7349e9b6bfc9ff6f2dacf8444d6299b7e05f640126ce2a019a24cacd55"   \
	"4e58b46381c89d02"
#define V_OK_MSG   "81a26f6bc3"
#define V_OK_FRAME "51cc7a2808b7f81e0d9647999753eb8ea73c633994ef08"
/* Section 6.3: from a fresh client push state. */
#define V_DATA_BODY  "68656c6c6f0a" /* "hello\n" */
#define V_DATA_FRAME "38e4c30b705522ddd9ed116ada353c3874d492745f1d24ca"
#define V_BYE_MSG    "81a26f70a3627965"
#define V_BYE_FINAL  "3be72acc7349eeb5b3d8bfbd0590065694cd0c726dbe5f039177"
/* Section 6.5: a server hello with "lim" (default limits). */
#define V_LIM_HELLO                                                            \
	"84a570726f746fa466747064a17601a2706bc420" V_SERVER_PK                 \
	"a36c696d87a56672616d65ce00100040a466696c6500a567726163651ea469646c65" \
	"cd012ca57374616c6c3ca3637075cd0258a46c697374cd03e8"

/* Section 6.4: one session, frame by frame, in the order sent. */
static const struct {
	int	    client; /* sent by the client (else by the server) */
	int	    final;  /* TAG_FINAL */
	const char *body;   /* msgpack, hex */
	const char *frame;  /* payload on the wire, hex */
} session[] = {
	{ 1, 0, V_AUTH_MSG, V_AUTH_FRAME },
	{ 0, 0, "82a26f6bc3a6736572766572a8667470642f312e30",
	    "51cc792808b7f8ed9fa0c282666599cd5565306519c5b934f51f8fb0a1c37265"
	    "79c4b17adb634f" },
	{ 1, 0, "82a26f70a473746174a470617468a5612e747874",
	    "1104242db76fb40f062e6b5e22d3b28cb3954a19a884d379cf66aa4dac63d911"
	    "9fd5240f5972" },
	{ 0, 0,
	    "85a26f6bc3a474797065a466696c65a473697a6505a46d6f6465cd01a4a56d74"
	    "696d65ce6553f100",
	    "0e37940c091eabb005ac369b36b19fe29d126c5cbf2d2f089dbe5cfc71c52318"
	    "b7298c49c2bdc1529c01a5c43ecb617e3907f246c627d4492488" },
	{ 1, 1, V_BYE_MSG,
	    "3ad0d6edf0374d0a37f05b25216a1a3553ab7a4c12bfd8bd2171" },
	{ 0, 1, V_OK_MSG, "6bd9692a783f22541dbe35edef766721dfaed974c10605" },
};

/*
 * Run the handshake of role on sv[0] with the section 6 keys and headers
 * against a scripted peer on sv[1] that sent peer_hello; check our hello
 * and header on the wire.
 */
static void
vector_up(struct channel *ch, int sv[2], int role, const char *peer_hello)
{
	struct channel_opts v1 = { .suites = CHANNEL_SUITES_V1 };
	int		    client = role == CHANNEL_CLIENT;
	uint8_t		    s[32];

	unit_setup(s, sv);
	put_hex_frame(sv[1], peer_hello);
	put_hex_frame(sv[1], client ? V_SERVER_HEADER : V_CLIENT_HEADER);
	rng_arm(client ? 0x01 : 0x41, client ? 0xa0 : 0xc0);
	assert_int_equal(channel_handshake(ch, sv[0], role, s, &v1), 0);
	rng_disarm();
	expect_frame(sv[1], client ? V_CLIENT_HELLO : V_SERVER_HELLO);
	expect_frame(sv[1], client ? V_CLIENT_HEADER : V_SERVER_HEADER);
}

/* ---- Tests ---- */

static void
test_vector_blocks(void **state)
{
	uint8_t	   csk[32], ssk[32], cpk[32], spk[32], s[32], t[32];
	uint8_t	   rx[32], tx[32], srx[32], stx[32], kc[32], ks[32];
	uint8_t	  *cf, *sf;
	size_t	   cn, sn;
	struct buf b;

	(void)state;
	unit_fill(csk, 32, 0x01);
	unit_fill(ssk, 32, 0x41);
	unit_fill(s, 32, 0x80);
	assert_int_equal(crypto_scalarmult_base(cpk, csk), 0);
	assert_int_equal(crypto_scalarmult_base(spk, ssk), 0);
	assert_hex(cpk, 32, V_CLIENT_PK);
	assert_hex(spk, 32, V_SERVER_PK);
	buf_init(&b, FRAME_HANDSHAKE_MAX);
	assert_int_equal(channel_hello_encode(&b,
			     &(struct channel_hello){ .pk = cpk, .suite = -1 }),
	    0);
	assert_int_equal(b.len, 52);
	assert_hex(b.data, b.len, V_CLIENT_HELLO);
	assert_int_equal(channel_hello_encode(&b,
			     &(struct channel_hello){ .pk = spk, .suite = -1 }),
	    0);
	assert_hex(b.data, b.len, V_SERVER_HELLO);
	buf_free(&b);
	cf = unhex_frame(V_CLIENT_HELLO, &cn);
	sf = unhex_frame(V_SERVER_HELLO, &sn);
	channel_transcript(cf, cn, sf, sn, t);
	assert_hex(t, 32, V_T);
	assert_int_equal(crypto_kx_client_session_keys(rx, tx, cpk, csk, spk),
	    0);
	assert_int_equal(crypto_kx_server_session_keys(srx, stx, spk, ssk, cpk),
	    0);
	assert_hex(tx, 32, V_KX_C2S);
	assert_hex(srx, 32, V_KX_C2S);
	assert_hex(rx, 32, V_KX_S2C);
	assert_hex(stx, 32, V_KX_S2C);
	assert_int_equal(channel_derive(s, tx, rx, t, kc, ks), 0);
	assert_hex(kc, 32, V_KEY_C2S);
	assert_hex(ks, 32, V_KEY_S2C);
	free(cf);
	free(sf);
}

/* Section 6.2, the client side, with the wire byte counts. */
static void
test_vector_client(void **state)
{
	struct channel ch;
	int	       sv[2];

	(void)state;
	vector_up(&ch, sv, CHANNEL_CLIENT, V_SERVER_HELLO);
	send_expect(&ch, sv[1], CHANNEL_MSG, V_AUTH_MSG, V_AUTH_FRAME, 0);
	recv_expect(&ch, sv[1], V_OK_FRAME, V_OK_MSG, 0);
	assert_int_equal(ch.wire_out, 56 + 28 + 45);
	assert_int_equal(ch.wire_in, 56 + 28 + 27);
	vector_down(&ch, sv);
}

/* Section 6.2, the server side. */
static void
test_vector_server(void **state)
{
	struct channel ch;
	int	       sv[2];

	(void)state;
	vector_up(&ch, sv, CHANNEL_SERVER, V_CLIENT_HELLO);
	recv_expect(&ch, sv[1], V_AUTH_FRAME, V_AUTH_MSG, 0);
	send_expect(&ch, sv[1], CHANNEL_MSG, V_OK_MSG, V_OK_FRAME, 0);
	vector_down(&ch, sv);
}

/* Section 6.3: a data frame and a FINAL frame, each from a fresh state. */
static void
test_vector_frames(void **state)
{
	struct channel ch;
	int	       sv[2];

	(void)state;
	vector_up(&ch, sv, CHANNEL_CLIENT, V_SERVER_HELLO);
	send_expect(&ch, sv[1], CHANNEL_DATA, V_DATA_BODY, V_DATA_FRAME, 0);
	vector_down(&ch, sv);
	vector_up(&ch, sv, CHANNEL_CLIENT, V_SERVER_HELLO);
	send_expect(&ch, sv[1], CHANNEL_MSG, V_BYE_MSG, V_BYE_FINAL, 1);
	assert_true(ch.sent_final);
	vector_down(&ch, sv);
}

/* Section 6.4 as role: send our frames, open the peer's. */
static void
session_as(int role)
{
	struct channel ch;
	const uint8_t *body;
	size_t	       i, len;
	int	       sv[2], type, mine;

	vector_up(&ch, sv, role,
	    role == CHANNEL_CLIENT ? V_SERVER_HELLO : V_CLIENT_HELLO);
	for (i = 0; i < sizeof(session) / sizeof(session[0]); i++) {
		mine = session[i].client == (role == CHANNEL_CLIENT);
		if (mine)
			send_expect(&ch, sv[1], CHANNEL_MSG, session[i].body,
			    session[i].frame, session[i].final);
		else
			recv_expect(&ch, sv[1], session[i].frame,
			    session[i].body, session[i].final);
	}
	assert_true(ch.sent_final && ch.peer_final);
	shutdown(sv[1], SHUT_WR); /* end of file after FINAL: orderly */
	assert_int_equal(channel_recv(&ch, &type, &body, &len), 0);
	vector_down(&ch, sv);
}

static void
test_vector_session(void **state)
{
	(void)state;
	session_as(CHANNEL_CLIENT);
	session_as(CHANNEL_SERVER);
}

/* Section 6.5: a hello with "lim" (111 bytes) is a valid server hello. */
static void
test_vector_lim_hello(void **state)
{
	struct channel ch;
	uint8_t	       s[32];
	int	       sv[2];

	(void)state;
	unit_setup(s, sv);
	put_hex_frame(sv[1], V_LIM_HELLO);
	put_hex_frame(sv[1], V_SERVER_HEADER);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_CLIENT, s, NULL),
	    0);
	assert_int_equal(ch.wire_in, 4 + 111 + 4 + 24);
	vector_down(&ch, sv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_blocks),
		cmocka_unit_test(test_vector_client),
		cmocka_unit_test(test_vector_server),
		cmocka_unit_test(test_vector_frames),
		cmocka_unit_test(test_vector_session),
		cmocka_unit_test(test_vector_lim_hello),
	};

	/* Before sodium_init, as randombytes_set_implementation requires. */
	if (randombytes_set_implementation(&rng_test) != 0 || sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
