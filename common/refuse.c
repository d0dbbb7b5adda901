/*
 * refuse.c: the plain error frame a master (or a server without a common
 * cipher suite) sends instead of a hello (doc/PROTOCOL.md section 2.5):
 * an error reply of the schema, written once without blocking.  This file
 * must not block the master's loop.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/channel.h"
#include "common/error.h"
#include "common/frame.h"
#include "common/schema.h"

#define REFUSE_MSG_MAX	160 /* keeps a refusal frame under 256 bytes */
#define HELLO_FRAME_MAX (FRAME_HDR_LEN + FRAME_HANDSHAKE_MAX)

/* One write that never blocks: the refusal is best effort by design. */
static int
refuse_write(int fd, const uint8_t *p, size_t len)
{
	ssize_t r;

	do {
		r = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r == -1 && errno == ENOTSOCK)
			r = write(fd, p, len);
	} while (r == -1 && errno == EINTR);
	if (r == -1)
		return -1;
	if ((size_t)r != len) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

int
channel_refuse(int fd, int code, const char *msg)
{
	struct schema_reply e;
	struct buf	    b;
	int		    r = -1;

	if (msg == NULL)
		msg = err_message(code);
	memset(&e, 0, sizeof(e));
	e.code = code;
	e.err = schema_cstr(err_name(code));
	e.msg = schema_cstr(msg);
	if (e.msg.len > REFUSE_MSG_MAX) { /* cut on a UTF-8 boundary */
		e.msg.len = REFUSE_MSG_MAX;
		while (
		    e.msg.len > 0 && ((uint8_t)msg[e.msg.len] & 0xc0) == 0x80)
			e.msg.len--;
	}
	buf_init(&b, FRAME_HANDSHAKE_MAX);
	if (schema_encode(SCHEMA_R_ERROR, &e, &b) == 0) {
		uint8_t frame[HELLO_FRAME_MAX];

		frame_put_len(frame, (uint32_t)b.len);
		memcpy(frame + FRAME_HDR_LEN, b.data, b.len);
		r = refuse_write(fd, frame, FRAME_HDR_LEN + b.len);
	} else
		errno = EMSGSIZE;
	buf_free(&b);
	return r;
}
