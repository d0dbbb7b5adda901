/*
 * test_handshake.c: unit tests of the handshake of common/channel.c
 * against scripted peers: the "server busy" refusal (frame, message cut and
 * sanitised, read after our hello could not be written), malformed and
 * wrong-version hellos, a wrong stream header size, end of file, a
 * refusal-looking map sent to a server, the login timeout; and the names
 * of common/error.h.  It must not depend on anything but common/ and must
 * not touch the network.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <msgpack.h>
#include <sodium.h>

#include "common/channel.h"
#include "common/error.h"
#include "common/frame.h"
#include "common/schema.h"
#include "tests/unit/unit.h"

#define SS_HDR crypto_secretstream_xchacha20poly1305_HEADERBYTES

/* ---- Refusals and bad hellos, against scripted peers ---- */

static void
test_refusal(void **state)
{
	static const char *why = "server busy: 8 of 8 workers in use";
	struct channel	   ch;
	uint8_t		   s[32];
	int		   sv[2];

	(void)state;
	unit_setup(s, sv);
	assert_int_equal(channel_refuse(sv[1], ERR_BUSY, why), 0);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_CLIENT, s, NULL),
	    -ERR_BUSY);
	assert_int_equal(ch.refused_code, ERR_BUSY);
	assert_string_equal(ch.refused_msg, why);
	channel_destroy(&ch); /* safe after a failed handshake */
	close(sv[0]);
	close(sv[1]);

	/* Refused and closed before our hello went out: still recognised. */
	unit_pair(sv);
	assert_int_equal(channel_refuse(sv[1], ERR_TIMEOUT, NULL), 0);
	close(sv[1]);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_CLIENT, s, NULL),
	    -ERR_TIMEOUT);
	assert_string_equal(ch.refused_msg, err_message(ERR_TIMEOUT));
	close(sv[0]);
}

/* The refusal frame itself: a small map with the four keys. */
static void
test_refusal_frame(void **state)
{
	char		    longmsg[400];
	struct buf	    b;
	struct schema_reply rep;
	int		    sv[2];

	(void)state;
	memset(longmsg, 'a', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	longmsg[3] = '\n';
	unit_pair(sv);
	assert_int_equal(channel_refuse(sv[1], ERR_BUSY, longmsg), 0);
	buf_init(&b, FRAME_HANDSHAKE_MAX);
	assert_int_equal(frame_read(sv[0], &b, FRAME_HANDSHAKE_MAX), 1);
	assert_int_equal(schema_reply_decode(SCHEMA_R_OK, b.data, b.len, &rep,
			     NULL),
	    0);
	assert_false(rep.ok);
	assert_int_equal(rep.code, 15);
	assert_true(schema_str_is(rep.err, "server_busy"));
	assert_int_equal(rep.msg.len, 160); /* cut to keep the frame small */
	assert_null(memchr(rep.msg.p, '\0', rep.msg.len));
	schema_reply_free(&rep);
	buf_free(&b);
	close(sv[0]);
	close(sv[1]);
}

/* A client sees a control byte in a refusal replaced, never printed. */
static void
test_refusal_sanitised(void **state)
{
	struct channel ch;
	uint8_t	       s[32];
	int	       sv[2];

	(void)state;
	unit_setup(s, sv);
	assert_int_equal(channel_refuse(sv[1], 99, "a\033[2Jb"), 0);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_CLIENT, s, NULL),
	    -ERR_BUSY); /* unknown code: taken as busy */
	assert_string_equal(ch.refused_msg, "a?[2Jb");
	close(sv[0]);
	close(sv[1]);
}

/* Run a handshake as role against the scripted bytes in hello. */
static int
hs_against(int role, const void *hello, size_t n, size_t hdrlen)
{
	static const uint8_t hdr[SS_HDR] = { 1 };
	struct channel	     ch;
	uint8_t		     s[32];
	int		     sv[2], rc;

	unit_setup(s, sv);
	if (n > 0)
		unit_put_frame(sv[1], hello, n);
	if (hdrlen > 0)
		unit_put_frame(sv[1], hdr, hdrlen);
	shutdown(sv[1], SHUT_WR);
	rc = channel_handshake(&ch, sv[0], role, s, NULL);
	channel_destroy(&ch);
	close(sv[0]);
	close(sv[1]);
	return rc;
}

/* A raw msgpack map being built (a scripted peer's own bytes). */
struct rawmap {
	msgpack_sbuffer sb;
	msgpack_packer	pk;
};

static void
raw_init(struct rawmap *w, uint32_t n)
{
	msgpack_sbuffer_init(&w->sb);
	msgpack_packer_init(&w->pk, &w->sb, msgpack_sbuffer_write);
	msgpack_pack_map(&w->pk, n);
}

static void
raw_str(struct rawmap *w, const char *key, const char *val)
{
	msgpack_pack_str_with_body(&w->pk, key, strlen(key));
	msgpack_pack_str_with_body(&w->pk, val, strlen(val));
}

static void
raw_uint(struct rawmap *w, const char *key, uint64_t val)
{
	msgpack_pack_str_with_body(&w->pk, key, strlen(key));
	msgpack_pack_uint64(&w->pk, val);
}

static void
raw_bin(struct rawmap *w, const char *key, const void *p, size_t len)
{
	msgpack_pack_str_with_body(&w->pk, key, strlen(key));
	msgpack_pack_bin_with_body(&w->pk, p, len);
}

/*
 * A hello of proto, v, pk of pklen bytes filled with pkbyte: raw bytes, as
 * the schema's encoder refuses the out-of-range ones on purpose.
 */
static void
hello_build(struct rawmap *w, const char *proto, uint64_t v, size_t pklen,
    uint8_t pkbyte)
{
	uint8_t pk[64];

	memset(pk, pkbyte, sizeof(pk));
	raw_init(w, 3);
	raw_str(w, "proto", proto);
	raw_uint(w, "v", v);
	raw_bin(w, "pk", pk, pklen);
}

static int
hs_hello(int role, const char *proto, uint64_t v, size_t pklen, uint8_t pkbyte)
{
	struct rawmap w;
	int	      rc;

	hello_build(&w, proto, v, pklen, pkbyte);
	rc = hs_against(role, w.sb.data, w.sb.size, SS_HDR);
	msgpack_sbuffer_destroy(&w.sb);
	return rc;
}

/* Hellos with a wrong version, protocol name or key. */
static void
test_bad_hellos(void **state)
{
	(void)state;
	/* A valid peer key (a point of order > 8): the handshake passes. */
	assert_int_equal(hs_hello(CHANNEL_CLIENT, "ftpd", 1, 32, 9), 0);
	assert_int_equal(hs_hello(CHANNEL_SERVER, "ftpd", 1, 32, 9), 0);
	assert_int_equal(hs_hello(CHANNEL_CLIENT, "ftpd", 2, 32, 9),
	    -ERR_PROTOCOL);
	assert_int_equal(hs_hello(CHANNEL_CLIENT, "ftpx", 1, 32, 9),
	    -ERR_PROTOCOL);
	assert_int_equal(hs_hello(CHANNEL_SERVER, "ftpd", 1, 31, 9),
	    -ERR_PROTOCOL);
	assert_int_equal(hs_hello(CHANNEL_SERVER, "ftpd", 1, 33, 9),
	    -ERR_PROTOCOL);
	/* All-zero key: crypto_kx refuses the zero shared secret. */
	assert_int_equal(hs_hello(CHANNEL_CLIENT, "ftpd", 1, 32, 0),
	    -ERR_PROTOCOL);
}

/* Lenient: other order, extra keys. */
static void
test_hello_lenient(void **state)
{
	uint8_t	      pk[32];
	struct rawmap w;

	(void)state;
	memset(pk, 9, sizeof(pk));
	raw_init(&w, 4);
	raw_str(&w, "extra", "ignored");
	raw_bin(&w, "pk", pk, sizeof(pk));
	raw_uint(&w, "v", 1);
	raw_str(&w, "proto", "ftpd");
	assert_int_equal(hs_against(CHANNEL_CLIENT, w.sb.data, w.sb.size,
			     SS_HDR),
	    0);
	msgpack_sbuffer_destroy(&w.sb);
}

/* Not a map, too long, zero length, wrong header size, EOF. */
static void
test_hello_framing(void **state)
{
	uint8_t	      junk[FRAME_HANDSHAKE_MAX + 1];
	struct rawmap h;

	(void)state;
	memset(junk, 9, sizeof(junk));
	assert_int_equal(hs_against(CHANNEL_SERVER, "\x93\x01\x02\x03", 4, 0),
	    -ERR_PROTOCOL);
	assert_int_equal(hs_against(CHANNEL_SERVER, junk, sizeof(junk), 0),
	    -ERR_PROTOCOL);
	hello_build(&h, "ftpd", 1, 32, 9);
	assert_int_equal(hs_against(CHANNEL_CLIENT, h.sb.data, h.sb.size, 23),
	    -ERR_PROTOCOL);
	assert_int_equal(hs_against(CHANNEL_CLIENT, h.sb.data, h.sb.size, 0),
	    -ERR_IO);
	msgpack_sbuffer_destroy(&h.sb);
	assert_int_equal(hs_against(CHANNEL_SERVER, NULL, 0, 0), -ERR_IO);
}

/* A refusal-looking map is no hello for a server. */
static void
test_server_ignores_refusal(void **state)
{
	struct channel ch;
	uint8_t	       s[32];
	int	       sv[2];

	(void)state;
	unit_setup(s, sv);
	assert_int_equal(channel_refuse(sv[1], ERR_BUSY, "busy"), 0);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_SERVER, s, NULL),
	    -ERR_PROTOCOL);
	close(sv[0]);
	close(sv[1]);
}

static void
test_handshake_timeout(void **state)
{
	struct timeval tv = { 0, 50000 };
	struct channel ch;
	uint8_t	       s[32];
	int	       sv[2];

	(void)state;
	unit_setup(s, sv);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv,
			     sizeof(tv)),
	    0);
	assert_int_equal(channel_handshake(&ch, sv[0], CHANNEL_SERVER, s, NULL),
	    -ERR_TIMEOUT);
	close(sv[0]);
	close(sv[1]);
}

static void
test_error_names(void **state)
{
	(void)state;
	assert_string_equal(err_name(ERR_PROTOCOL), "protocol");
	assert_string_equal(err_name(ERR_UNKNOWN_OP), "unknown_op");
	assert_string_equal(err_name(ERR_NAME_TOO_LONG), "name_too_long");
	assert_string_equal(err_name(ERR_BUSY), "server_busy");
	assert_string_equal(err_name(ERR_AUTH), "auth_failed");
	assert_string_equal(err_name(ERR_TIMEOUT), "timeout");
	assert_string_equal(err_name(-1), "unknown");
	assert_string_equal(err_name(ERR_MAX), "unknown");
	assert_string_equal(err_message(ERR_MAX), "unknown error");
	assert_int_equal(err_from_errno(ENOENT), ERR_NOT_FOUND);
	assert_int_equal(err_from_errno(EXDEV), ERR_BAD_PATH);
	assert_int_equal(err_from_errno(ELOOP), ERR_BAD_PATH);
	assert_int_equal(err_from_errno(EDQUOT), ERR_NO_SPACE);
	assert_int_equal(err_from_errno(EPERM), ERR_PERMISSION);
	assert_int_equal(err_from_errno(ENAMETOOLONG), ERR_NAME_TOO_LONG);
	assert_int_equal(err_from_errno(EIO), ERR_IO);
	assert_int_equal(err_from_errno(0), ERR_IO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusal),
		cmocka_unit_test(test_refusal_frame),
		cmocka_unit_test(test_refusal_sanitised),
		cmocka_unit_test(test_bad_hellos),
		cmocka_unit_test(test_hello_lenient),
		cmocka_unit_test(test_hello_framing),
		cmocka_unit_test(test_server_ignores_refusal),
		cmocka_unit_test(test_handshake_timeout),
		cmocka_unit_test(test_error_names),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
