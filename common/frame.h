/*
 * frame.h: length-prefixed frames (doc/PROTOCOL.md, "Frames"): a 4-byte
 * big-endian length, then that many payload bytes.  The length is checked
 * against the caller's maximum before any allocation.
 *
 * Return convention: frame_write and frame_read keep the older -1-and-errno
 * form instead of the project's 0-or-negative-ERR_* idiom (error.h),
 * because common/channel.c (not owned here) tests their result against -1
 * and uses frame_read's 1/0 distinction; move both at once when that file
 * moves to ERR_* codes.
 */
#ifndef FTPD_FRAME_H
#define FTPD_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define FRAME_HDR_LEN	    4
#define FRAME_MAX	    (1024 * 1024 + 64) /* largest payload, bytes */
#define FRAME_HANDSHAKE_MAX 256		       /* largest hello frame, bytes */

/*
 * frame_write: send len bytes of payload p as one frame (header and payload
 * in one writev).  len must be <= FRAME_MAX.  Returns 0, or -1 with errno
 * (EMSGSIZE for an over-long payload).
 */
__attribute__((warn_unused_result)) int frame_write(int fd, const void *p,
    size_t len);

/*
 * frame_read: read one frame into b (reset first).  max is the largest
 * payload accepted (<= FRAME_MAX).  Returns 1 with the payload in b; 0 on a
 * clean end of file before the first header byte; -1 with errno: EMSGSIZE
 * (length > max, nothing allocated), EPROTO (end of file inside a frame),
 * EAGAIN (receive timeout) or the read error.
 */
__attribute__((warn_unused_result)) int frame_read(int fd, struct buf *b,
    size_t max);

/*
 * frame_put_len / frame_get_len: the 32-bit big-endian length of a frame
 * header (FRAME_HDR_LEN bytes at out / in), via libbsd be32enc/be32dec.
 * They cannot fail.
 */
void	 frame_put_len(uint8_t out[FRAME_HDR_LEN], uint32_t len);
uint32_t frame_get_len(const uint8_t in[FRAME_HDR_LEN]);

#endif
