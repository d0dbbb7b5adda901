/*
 * fuzz_frame.c: libFuzzer target for the decoders of untrusted bytes in
 * common/frame.c and common/channel.c.  The first input byte picks a mode:
 *   0: the bytes are a raw stream read with frame_read until it stops;
 *   1: the bytes are read with channel_recv on a channel with fixed keys
 *      (almost every frame fails to decrypt: the MAC path);
 *   2: the bytes describe plaintexts ([type][tag][len u8][body]...) that
 *      are encrypted with the matching fixed keys first, so channel_recv's
 *      checks after decryption (type, empty plaintext, tag, FINAL) run;
 *   3, 4: the bytes are the peer's side of a client, server handshake.
 * Bytes go through a socketpair, as in the daemon.  Nothing here may crash,
 * leak or read out of bounds whatever the input; it must not touch files.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "common/atomicio.h"
#include "common/channel.h"
#include "common/frame.h"

#define FUZZ_INPUT_MAX (64 * 1024) /* fits a socketpair buffer */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fuzz_key[CHANNEL_KEY_BYTES] = { 0x42, 0x17 };
static const uint8_t
    fuzz_header[crypto_secretstream_xchacha20poly1305_HEADERBYTES] = { 0x24,
	    0x99 };

/* A socket whose peer has sent p[0..n) and then shut down writing. */
static int
fuzz_feed(const uint8_t *p, size_t n, int *other)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -1;
	if ((n > 0 && write_full(sv[1], p, n) == -1) ||
	    shutdown(sv[1], SHUT_WR) == -1) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	*other = sv[1];
	return sv[0];
}

static void
fuzz_frames(int fd)
{
	struct buf b;

	buf_init(&b, FRAME_MAX);
	while (frame_read(fd, &b, FRAME_MAX) == 1)
		;
	buf_free(&b);
}

/* A channel receiving with the fixed key and header, as after a handshake. */
static void
fuzz_channel_init(struct channel *ch, int fd)
{
	memset(ch, 0, sizeof(*ch));
	ch->fd = fd;
	buf_init(&ch->in, FRAME_MAX);
	buf_init(&ch->out, FRAME_HDR_LEN + FRAME_MAX);
	if (crypto_secretstream_xchacha20poly1305_init_pull(&ch->rx,
		fuzz_header, fuzz_key) != 0)
		__builtin_trap();
}

static void
fuzz_recv_all(int fd)
{
	struct channel ch;
	const uint8_t *body;
	size_t	       len;
	int	       type;

	fuzz_channel_init(&ch, fd);
	while (channel_recv(&ch, &type, &body, &len) == 1) {
		if (len > CHANNEL_BODY_MAX || body == NULL ||
		    (type != CHANNEL_MSG && type != CHANNEL_DATA))
			__builtin_trap(); /* the API's promises */
		if (len > 0 && (body[0] ^ body[len - 1]) == 0x100)
			__builtin_trap(); /* touch both ends for ASan */
	}
	channel_destroy(&ch);
}

/* Mode 2: encrypt the described plaintexts into frames, then receive. */
static size_t
fuzz_encrypt(const uint8_t *p, size_t n, uint8_t *out, size_t outmax)
{
	crypto_secretstream_xchacha20poly1305_state st;
	uint8_t					    pt[1 + 255];
	size_t off = 0, used = 0, blen, mlen, clen;

	if (crypto_secretstream_xchacha20poly1305_init_pull(&st, fuzz_header,
		fuzz_key) != 0)
		__builtin_trap();
	while (n - off >= 3) {
		pt[0] = p[off];
		blen = p[off + 2];
		if (blen > n - off - 3)
			blen = n - off - 3;
		memcpy(pt + 1, p + off + 3, blen);
		/* Flag 0x80: an empty plaintext, which must be refused. */
		mlen = (p[off + 1] & 0x80) ? 0 : 1 + blen;
		clen = mlen + crypto_secretstream_xchacha20poly1305_ABYTES;
		if (outmax - used < FRAME_HDR_LEN + clen)
			break;
		frame_put_len(out + used, (uint32_t)clen);
		crypto_secretstream_xchacha20poly1305_push(&st,
		    out + used + FRAME_HDR_LEN, NULL, pt, mlen, NULL, 0,
		    p[off + 1] & 0x03);
		used += FRAME_HDR_LEN + clen;
		off += 3 + blen;
	}
	sodium_memzero(&st, sizeof(st));
	return used;
}

static void
fuzz_handshake(int fd, int role)
{
	struct channel ch;
	const uint8_t *body;
	size_t	       len;
	int	       type;

	if (channel_handshake(&ch, fd, role, fuzz_key, NULL) != 0)
		return; /* it cleaned up after itself */
	while (channel_recv(&ch, &type, &body, &len) == 1)
		;
	channel_destroy(&ch);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frames[FUZZ_INPUT_MAX];
	const uint8_t *p = data + 1;
	size_t	       n = size - 1;
	int	       fd, other, mode;

	if (size < 1 || size > FUZZ_INPUT_MAX || sodium_init() < 0)
		return 0;
	mode = data[0] % 5;
	if (mode == 2) {
		n = fuzz_encrypt(p, n, frames, sizeof(frames));
		p = frames;
	}
	if ((fd = fuzz_feed(p, n, &other)) == -1)
		return 0;
	if (mode == 0)
		fuzz_frames(fd);
	else if (mode <= 2)
		fuzz_recv_all(fd);
	else
		fuzz_handshake(fd, mode == 3 ? CHANNEL_CLIENT : CHANNEL_SERVER);
	close(fd);
	close(other);
	return 0;
}
