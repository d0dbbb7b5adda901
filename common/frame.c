/*
 * frame.c: length-prefixed frames (doc/PROTOCOL.md, section 1): a 4-byte
 * big-endian length and that many payload bytes.  The length is compared
 * with the caller's maximum before a single payload byte is allocated or
 * read.  This file must not look inside payloads; encryption is channel.c's.
 * The length is coded with libbsd's be32enc/be32dec, not by hand.
 * frame_write and frame_read keep their -1-and-errno convention (see
 * frame.h): common/channel.c tests their result against -1.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <bsd/sys/endian.h>

#include "common/atomicio.h"
#include "common/frame.h"

void
frame_put_len(uint8_t out[FRAME_HDR_LEN], uint32_t len)
{
	be32enc(out, len);
}

uint32_t
frame_get_len(const uint8_t in[FRAME_HDR_LEN])
{
	return be32dec(in);
}

/*
 * One gather write: sendmsg with MSG_NOSIGNAL on a socket (EPIPE instead of
 * SIGPIPE), writev on anything else.  *sock is cleared on ENOTSOCK.
 */
static ssize_t
frame_gather(int fd, struct iovec *iov, int iovcnt, int *sock)
{
	struct msghdr mh;
	ssize_t	      r;

	if (*sock) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)iovcnt;
		r = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (r != -1 || errno != ENOTSOCK)
			return r;
		*sock = 0;
	}
	return writev(fd, iov, iovcnt);
}

/* After a short write of r bytes: skip what went out, keep the rest. */
static void
frame_skip(struct iovec **vp, int *np, size_t r)
{
	struct iovec *v = *vp;
	int	      n = *np;

	while (n > 0 && r >= v->iov_len) {
		r -= v->iov_len;
		v++;
		n--;
	}
	if (n > 0) {
		v->iov_base = (uint8_t *)v->iov_base + r;
		v->iov_len -= r;
	}
	*vp = v;
	*np = n;
}

int
frame_write(int fd, const void *p, size_t len)
{
	uint8_t	     hdr[FRAME_HDR_LEN];
	struct iovec iov[2], *v = iov;
	int	     n = 2, sock = 1;
	ssize_t	     r;

	if (len > FRAME_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (len == 0) { /* never valid on the wire (PROTOCOL.md 1) */
		errno = EINVAL;
		return -1;
	}
	frame_put_len(hdr, (uint32_t)len);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)p;
	iov[1].iov_len = len;
	while (n > 0) {
		if ((r = frame_gather(fd, v, n, &sock)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) { /* no progress: never loop forever */
			errno = EIO;
			return -1;
		}
		frame_skip(&v, &n, (size_t)r);
	}
	return 0;
}

int
frame_read(int fd, struct buf *b, size_t max)
{
	uint8_t	 hdr[FRAME_HDR_LEN];
	uint8_t *room;
	uint32_t len;
	ssize_t	 r;

	buf_reset(b);
	if ((r = read_full(fd, hdr, sizeof(hdr))) == -1)
		return -1;
	if (r == 0)
		return 0; /* clean end of file between frames */
	if ((size_t)r < sizeof(hdr))
		goto truncated;
	len = frame_get_len(hdr);
	if (len == 0) {
		errno = EPROTO;
		return -1;
	}
	/* SECURITY: the peer's length is checked before any allocation. */
	if (max > FRAME_MAX)
		max = FRAME_MAX;
	if (len > max) {
		errno = EMSGSIZE;
		return -1;
	}
	if ((room = buf_reserve(b, len)) == NULL)
		return -1;
	if ((r = read_full(fd, room, len)) == -1)
		return -1;
	if ((size_t)r < len)
		goto truncated;
	buf_commit(b, len);
	return 1;
truncated:
	errno = EPROTO; /* end of file inside a frame */
	return -1;
}
