/*
 * atomicio.h: full reads and writes over short counts and EINTR (after
 * OpenSSH atomicio.c).
 *
 * Return convention: read_full returns a byte count and write_full 0, both
 * -1 with errno on error, instead of 0 or -ERR_* (error.h): callers in
 * common/channel.c, worker/xfer.c, client/xfer.c, client/partial.c and
 * server/control.c compare with -1 or with the count asked for.
 */
#ifndef FTPD_ATOMICIO_H
#define FTPD_ATOMICIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * read_full: read exactly n bytes from fd into p.  Returns n; a short count
 * (0 <= ret < n) at end of file; -1 on error with errno (EAGAIN when a
 * SO_RCVTIMEO timeout expired).
 */
__attribute__((warn_unused_result)) ssize_t read_full(int fd, void *p,
    size_t n);

/*
 * pread_full: as read_full, from file offset off (>= 0) with pread(2),
 * leaving the file offset alone.
 */
__attribute__((warn_unused_result)) ssize_t pread_full(int fd, void *p,
    size_t n, off_t off);

/*
 * write_full: write exactly n bytes from p to fd (a file or pipe).
 * Returns 0, or -1 with errno.
 */
__attribute__((warn_unused_result)) int write_full(int fd, const void *p,
    size_t n);

/*
 * send_full: as write_full for a connected socket, with MSG_NOSIGNAL: a
 * closed peer gives -1 with errno EPIPE, never SIGPIPE.  Returns 0, or -1
 * with errno (EAGAIN when a SO_SNDTIMEO timeout expired).  A pipe or file
 * given instead (tests) is written with write(2) after one ENOTSOCK.
 */
__attribute__((warn_unused_result)) int send_full(int fd, const void *p,
    size_t n);

#endif
