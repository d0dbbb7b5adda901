/*
 * ipcq.c: the worker's queue of messages for the master.  Each log line,
 * authentication result and state change of a session would otherwise be
 * a datagram of its own that wakes the master: about fifteen per short
 * session.  While a session runs they are queued here and leave together
 * (sendmmsg(2)) when the queue is full or IPCQ_AGE_MS old, when the
 * session ends, with the authentication result (login.c), and before
 * the worker blocks on a handshake or a stalled upload or a second into a
 * wait for the next request (report.c), so the master wakes a few times
 * per session.  The master still gets each message as its own
 * datagram, checked as before (common/ipc.c).  This file must not log
 * (the log sink calls it) and must keep messages in their order.
 */
#include <string.h>

#include "common/clock.h"
#include "common/ipc.h"
#include "worker/ipcq.h"

static struct {
	int	     fd;
	int	     hold;
	size_t	     used;   /* bytes of buf in use */
	size_t	     n;	     /* messages queued */
	int64_t	     oldest; /* clock_mono_ms of the first, 0: none */
	struct iovec iov[IPC_SEND_MANY_MAX];
	/* Each message starts 8-byte aligned: struct ipc_msg's alignment. */
	uint64_t buf[IPCQ_BYTES / sizeof(uint64_t)];
} q = { .fd = -1 };

void
ipcq_init(int fd)
{
	q.fd = fd;
}

void
ipcq_flush(void)
{
	if (q.n > 0 && q.fd >= 0 && ipc_send_many(q.fd, q.iov, q.n) != 0) {
		/* EPIPE: see ipcq.h; nothing else can fail: sizes checked */
	}
	q.n = q.used = 0;
	q.oldest = 0;
}

void
ipcq_hold(int on)
{
	q.hold = on;
	if (!on)
		ipcq_flush();
}

void
ipcq_put(const struct ipc_msg *m)
{
	size_t len = ipc_msg_len(m), room = (len + 7) & ~(size_t)7;

	if (len == 0 || room > sizeof(q.buf))
		return;
	if (q.n == IPC_SEND_MANY_MAX || sizeof(q.buf) - q.used < room)
		ipcq_flush();
	memcpy((uint8_t *)q.buf + q.used, m, len);
	q.iov[q.n].iov_base = (uint8_t *)q.buf + q.used;
	q.iov[q.n].iov_len = len;
	if (q.n++ == 0)
		q.oldest = clock_mono_ms();
	q.used += room;
	if (!q.hold || clock_mono_ms() - q.oldest >= IPCQ_AGE_MS)
		ipcq_flush();
}

int64_t
ipcq_oldest_ms(void)
{
	return q.oldest;
}
