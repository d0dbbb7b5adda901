/*
 * ipc.c: master <-> worker messages, one struct ipc_msg per datagram of a
 * SOCK_SEQPACKET socketpair, and the passing of the client socket with
 * SCM_RIGHTS (after smtpd's mproc.c and OpenSSH's monitor_fdpass.c).
 * Only the used part of the union travels; the receiver checks that the
 * size is exactly the one of the type.  This file must not log, block on
 * anything but the socket, or trust a byte it received: either end may be
 * a compromised process.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/error.h"
#include "common/ipc.h"

#define IPC_HDR_LEN offsetof(struct ipc_msg, u)

/* Bytes of a message of type carrying len log bytes; 0 if unknown. */
static size_t
ipc_size(uint32_t type, uint32_t len)
{
	switch (type) {
	case IPC_SESSION:
		return IPC_HDR_LEN + sizeof(struct ipc_session);
	case IPC_IDLE:
		return IPC_HDR_LEN + sizeof(struct ipc_idle);
	case IPC_LOG:
		if (len > LOG_LINE_MAX)
			return 0;
		return IPC_HDR_LEN + offsetof(struct ipc_log, text) + len;
	case IPC_STATE:
		return IPC_HDR_LEN + sizeof(struct ipc_state);
	case IPC_AUTH:
		return IPC_HDR_LEN + sizeof(struct ipc_auth);
	case IPC_SHUTDOWN:
	case IPC_PROBE:
		return IPC_HDR_LEN; /* the type says it all */
	default:
		return 0;
	}
}

int
ipc_send_datagram(int sock, const void *buf, size_t len, int fd)
{
	union {
		struct cmsghdr hdr;
		char	       buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct msghdr	msg;
	struct iovec	iov;
	struct cmsghdr *cmsg;
	ssize_t		n;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -ERR_SYSTEM;
	if ((size_t)n != len) {
		errno = EMSGSIZE; /* a datagram is all or nothing */
		return -ERR_SYSTEM;
	}
	return 0;
}

int
ipc_send(int sock, const struct ipc_msg *m, int fd)
{
	size_t len;

	if ((len = ipc_msg_len(m)) == 0) {
		errno = EINVAL; /* for a caller's log_warn */
		return -ERR_INTERNAL;
	}
	return ipc_send_datagram(sock, m, len, fd);
}

size_t
ipc_msg_len(const struct ipc_msg *m)
{
	return ipc_size(m->type, m->type == IPC_LOG ? m->u.log.len : 0);
}

int
ipc_send_many(int sock, const struct iovec *iov, size_t n)
{
	struct mmsghdr mm[IPC_SEND_MANY_MAX];
	size_t	       i, j;
	int	       sent;

	if (n > IPC_SEND_MANY_MAX) {
		errno = EINVAL;
		return -ERR_INTERNAL;
	}
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < n; i++) {
		mm[i].msg_hdr.msg_iov = (struct iovec *)(uintptr_t)&iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	/* sendmmsg(2) may stop early (a signal, a full socket buffer). */
	for (i = 0; i < n; i += (size_t)sent) {
		sent = sendmmsg(sock, mm + i, (unsigned)(n - i), MSG_NOSIGNAL);
		if (sent == -1 && errno == EINTR) {
			sent = 0;
			continue;
		}
		if (sent <= 0)
			return -ERR_SYSTEM;
		for (j = i; j < i + (size_t)sent; j++)
			if (mm[j].msg_len != iov[j].iov_len) {
				errno = EMSGSIZE; /* all or nothing */
				return -ERR_SYSTEM;
			}
	}
	return 0;
}

/*
 * Take the descriptors out of msg's control data: the first SCM_RIGHTS
 * one goes to *fd, every other one is closed.  Returns the number found.
 */
static int
take_fds(struct msghdr *msg, int *fd)
{
	struct cmsghdr *cmsg;
	size_t		i, nfd;
	int		found = 0, one;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg != NULL;
	     cmsg = CMSG_NXTHDR(msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS ||
		    cmsg->cmsg_len < CMSG_LEN(0))
			continue;
		nfd = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			memcpy(&one, CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(int));
			if (found++ == 0)
				*fd = one;
			else
				close(one);
		}
	}
	return found;
}

/*
 * SECURITY: every string from the other end is forced to end inside its
 * array, here and only here, so no receiver needs to.  (The log text is
 * not a C string: its length travels in u.log.len, checked by ipc_valid.)
 */
static void
terminate_strings(struct ipc_msg *m)
{
	if (m->type == IPC_SESSION)
		m->u.session.peer[sizeof(m->u.session.peer) - 1] = '\0';
	else if (m->type == IPC_STATE) {
		m->u.state.op[sizeof(m->u.state.op) - 1] = '\0';
		m->u.state.path[sizeof(m->u.state.path) - 1] = '\0';
		m->u.state.user[sizeof(m->u.state.user) - 1] = '\0';
	}
}

/* Is a datagram of n bytes with nfd descriptors a valid message? */
static int
ipc_valid(const struct ipc_msg *m, size_t n, int nfd)
{
	uint32_t len = 0;

	if (n < IPC_HDR_LEN)
		return 0;
	if (m->type == IPC_LOG) {
		if (n < IPC_HDR_LEN + offsetof(struct ipc_log, text))
			return 0;
		len = m->u.log.len;
		if (m->u.log.which != LOG_MAIN && m->u.log.which != LOG_XFER)
			return 0;
	}
	if (ipc_size(m->type, len) != n)
		return 0;
	if (m->type == IPC_AUTH &&
	    (m->u.auth.result < IPC_AUTH_OK ||
		m->u.auth.result > IPC_AUTH_GRACE))
		return 0;
	/* Exactly one descriptor with a session, none with anything else. */
	return nfd == (m->type == IPC_SESSION ? 1 : 0);
}

int
ipc_recv(int sock, struct ipc_msg *m, int *fd, int flags)
{
	union {
		struct cmsghdr hdr;
		char	       buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct msghdr msg;
	struct iovec  iov;
	ssize_t	      n;
	int	      nfd;

	*fd = -1;
	memset(m, 0, sizeof(*m));
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = m;
	iov.iov_len = sizeof(*m);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return n == 0 ? -ERR_EOF : -ERR_SYSTEM;
	nfd = take_fds(&msg, fd);
	if ((msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) != 0 ||
	    !ipc_valid(m, (size_t)n, nfd)) {
		if (*fd != -1)
			close(*fd);
		*fd = -1;
		return -ERR_PROTOCOL;
	}
	terminate_strings(m);
	return 0;
}
