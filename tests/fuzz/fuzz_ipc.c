/*
 * fuzz_ipc.c: libFuzzer target for the master's side of common/ipc.c: the
 * input is one datagram from an untrusted worker (the first byte chooses
 * whether a descriptor rides along).  ipc_recv must refuse or accept it
 * without reading out of bounds or leaking a descriptor; an accepted
 * message has every string terminated, and its log line goes through
 * log_worker_line (to /dev/null) as the master would write it.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/ipc.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sv[2] = { -1, -1 };

static void
init(void)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		abort();
	log_init(1, 0);
	if (log_open("/dev/null", "/dev/null") != 0)
		abort();
}

/* One datagram of the input, with a descriptor when with_fd. */
static void
send_datagram(const uint8_t *data, size_t size, int with_fd)
{
	int fd = -1;

	if (with_fd)
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	(void)ipc_send_datagram(sv[1], data, size, fd);
	if (fd != -1)
		close(fd);
}

static void
check(const struct ipc_msg *m)
{
	if (m->type == IPC_STATE &&
	    (memchr(m->u.state.op, 0, sizeof(m->u.state.op)) == NULL ||
		memchr(m->u.state.path, 0, sizeof(m->u.state.path)) == NULL ||
		memchr(m->u.state.user, 0, sizeof(m->u.state.user)) == NULL))
		abort();
	if (m->type == IPC_SESSION &&
	    memchr(m->u.session.peer, 0, sizeof(m->u.session.peer)) == NULL)
		abort();
	if (m->type == IPC_LOG) {
		if (m->u.log.len > LOG_LINE_MAX)
			abort();
		log_worker_line(42, m->u.log.which, m->u.log.text,
		    m->u.log.len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_msg m;
	int	       fd, r;

	if (sv[0] == -1)
		init();
	if (size < 1 || size > sizeof(m) + 16)
		return 0;
	send_datagram(data + 1, size - 1, data[0] & 1);
	r = ipc_recv(sv[0], &m, &fd, MSG_DONTWAIT);
	if (r == 0) {
		check(&m);
		if (fd != -1)
			close(fd);
	} else if (fd != -1)
		abort(); /* a refused message must not hand out a descriptor */
	return 0;
}
