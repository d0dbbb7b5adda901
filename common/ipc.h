/*
 * ipc.h: master <-> worker messages over a SOCK_SEQPACKET socketpair, and the
 * passing of the client socket with SCM_RIGHTS (after smtpd's mproc.c and
 * OpenSSH monitor_fdpass.c).  One message per datagram; both ends are the
 * same binary, so messages are fixed C structs whose size is checked.
 */
#ifndef FTPD_IPC_H
#define FTPD_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "common/log.h"

enum ipc_type {
	IPC_SESSION = 1, /* master -> worker, with the client socket */
	/* 2 was IPC_BUSY: the master marks a worker busy as it hands over */

	IPC_IDLE = 3,	  /* worker -> master: session over, figures */
	IPC_LOG = 4,	  /* worker -> master: one finished log line */
	IPC_STATE = 5,	  /* worker -> master: current operation */
	IPC_SHUTDOWN = 6, /* master -> worker: finish the session, then exit */
	IPC_PROBE = 7,	  /* master -> worker: no work; once the worker has
			     read it, it is up and waiting (server/ready.c) */
	IPC_AUTH = 8	  /* worker -> master: how authentication ended */
};

/* IPC_AUTH results: what the master's per-source penalties count. */
enum ipc_auth_result {
	IPC_AUTH_OK = 0,     /* authenticated */
	IPC_AUTH_FAIL = 1,   /* wrong key or a refused auth request */
	IPC_AUTH_NOAUTH = 2, /* closed or broke the protocol before auth */
	IPC_AUTH_GRACE = 3   /* login_grace ran out */
};

struct ipc_auth {
	uint64_t seq;	 /* the session's connection number */
	int32_t	 result; /* enum ipc_auth_result, checked by ipc_recv */
	int32_t	 pad;
};

struct ipc_session {
	uint64_t seq;	   /* connection number since the master started */
	char	 peer[64]; /* "127.0.0.1" or "::1" */
	uint16_t peer_port;
	int64_t	 accept_ms; /* CLOCK_REALTIME of accept, milliseconds */
};

struct ipc_idle {
	uint64_t seq;
	uint64_t bytes_in, bytes_out; /* wire bytes */
	int64_t	 duration_ms;
	int32_t	 outcome; /* ERR_OK or the code that ended the session */
};

struct ipc_log {
	int32_t	 which;		     /* LOG_MAIN or LOG_XFER */
	uint32_t len;		     /* bytes in text, <= LOG_LINE_MAX */
	char	 text[LOG_LINE_MAX]; /* the sink's line (log_set_sink): for
					LOG_MAIN only "LEVEL: message\n" */
};

/*
 * The worker's current state, sent when it changes and during transfers.
 * The strings are NUL-terminated by the worker; ipc_recv terminates them
 * again on receipt (a worker is not trusted), as it does session.peer.
 */
struct ipc_state {
	char	 op[16];      /* "put", "get", "list", "" */
	char	 path[256];   /* truncated path, control bytes as '?' */
	char	 user[32];    /* authenticated name ("secret"), "" before */
	uint64_t done;	      /* bytes moved in this operation */
	uint64_t total;	      /* expected bytes, 0 if unknown */
	int64_t	 op_start_ms; /* CLOCK_REALTIME ms the op began, 0: none */
};

struct ipc_msg {
	uint32_t type;
	uint32_t pad;
	union {
		struct ipc_session session;
		struct ipc_idle	   idle;
		struct ipc_log	   log;
		struct ipc_state   state;
		struct ipc_auth	   auth;
	} u;
};

/*
 * ipc_send: send m as one datagram, with fd attached by SCM_RIGHTS when
 * fd >= 0.  Only the used part of the union is sent.  Returns 0;
 * -ERR_INTERNAL (errno EINVAL) for an unknown type or a log text over
 * LOG_LINE_MAX; -ERR_SYSTEM with errno (EPIPE: the peer is gone).
 */
__attribute__((warn_unused_result)) int ipc_send(int sock,
    const struct ipc_msg *m, int fd);

/*
 * ipc_msg_len: the bytes of m that travel (the header and the used part
 * of the union, ipc_send's length), or 0 for an unknown type or a log
 * text over LOG_LINE_MAX.
 */
size_t ipc_msg_len(const struct ipc_msg *m);

/*
 * ipc_send_many: send each of the n buffers at iov (n <=
 * IPC_SEND_MANY_MAX; each the first ipc_msg_len bytes of a message) as one
 * datagram, none with a descriptor, in as few sendmmsg(2) calls as the
 * socket allows (one, unless interrupted or full), so the peer wakes once
 * for the batch.  Returns 0; -ERR_INTERNAL (errno EINVAL) when n is too
 * large, nothing sent; -ERR_SYSTEM with errno (EPIPE: the peer is gone)
 * when some may have gone.
 */
#define IPC_SEND_MANY_MAX 16
__attribute__((warn_unused_result)) int ipc_send_many(int sock,
    const struct iovec *iov, size_t n);

/*
 * ipc_send_datagram: send len bytes of buf as one datagram, with fd
 * attached by SCM_RIGHTS when fd >= 0, unchecked (ipc_send's transport;
 * tests use it to forge messages).  Returns 0, or -ERR_SYSTEM with errno
 * (EMSGSIZE when the datagram went out short).
 */
__attribute__((warn_unused_result)) int ipc_send_datagram(int sock,
    const void *buf, size_t len, int fd);

/*
 * ipc_recv: receive one datagram into m; *fd gets a passed descriptor
 * (received with MSG_CMSG_CLOEXEC) or -1.  flags: 0 or MSG_DONTWAIT.
 * Returns 0 with a message; -ERR_EOF when the peer closed; -ERR_SYSTEM
 * with errno (EAGAIN: nothing waiting with MSG_DONTWAIT); -ERR_PROTOCOL
 * for a malformed datagram (unknown type, wrong size, an IPC_AUTH result
 * out of range, MSG_CTRUNC or a descriptor where none belongs; any received descriptor is closed).
 * Every string field of a received message ends inside its array.
 */
__attribute__((warn_unused_result)) int ipc_recv(int sock, struct ipc_msg *m,
    int *fd, int flags);

#endif
