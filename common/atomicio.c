/*
 * atomicio.c: full reads and writes that survive short counts and EINTR
 * (after OpenSSH atomicio.c).  Sockets are written with send_full, whose
 * MSG_NOSIGNAL makes a closed peer give EPIPE instead of killing the
 * process; files and pipes with write_full.  This file must
 * not interpret the bytes it moves, nor retry on EAGAIN: that is a receive
 * or send timeout (SO_RCVTIMEO/SO_SNDTIMEO) and the caller's decision.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/atomicio.h"

/* read_full's and pread_full's loop: read(2) when off < 0, else pread(2). */
static ssize_t
full(int fd, void *p, size_t n, off_t off)
{
	unsigned char *q = p;
	size_t	       got = 0;
	ssize_t	       r;

	while (got < n) {
		r = off < 0 ? read(fd, q + got, n - got)
			    : pread(fd, q + got, n - got, off + (off_t)got);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break; /* end of file: short count */
		got += (size_t)r;
	}
	return (ssize_t)got;
}

ssize_t
read_full(int fd, void *p, size_t n)
{
	return full(fd, p, n, -1);
}

ssize_t
pread_full(int fd, void *p, size_t n, off_t off)
{
	return full(fd, p, n, off < 0 ? 0 : off);
}

/* The loop of write_full and send_full: one call of put at a time. */
static int
put_full(int fd, const unsigned char *q, size_t n, int sock)
{
	size_t	done = 0;
	ssize_t r;

	while (done < n) {
		if (sock)
			r = send(fd, q + done, n - done, MSG_NOSIGNAL);
		else
			r = write(fd, q + done, n - done);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			if (sock && errno == ENOTSOCK) {
				sock = 0; /* a pipe given for a socket */
				continue;
			}
			return -1;
		}
		if (r == 0) { /* no progress on n > 0: never loop forever */
			errno = EIO;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

int
write_full(int fd, const void *p, size_t n)
{
	return put_full(fd, p, n, 0);
}

int
send_full(int fd, const void *p, size_t n)
{
	return put_full(fd, p, n, 1);
}
