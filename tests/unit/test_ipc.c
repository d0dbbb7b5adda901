/*
 * test_ipc.c: unit tests of common/ipc.c over a real SOCK_SEQPACKET
 * socketpair: the round trip of every message type (the session with its
 * descriptor), and what the receiver (the master, for a worker's messages)
 * does with a truncated, oversized, unterminated or wrong-typed datagram,
 * or a descriptor where none belongs.  Nothing here may leave a
 * descriptor open: each test checks the lowest free number at its end.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "common/ipc.h"

#define HDR offsetof(struct ipc_msg, u)

static int sv[2] = { -1, -1 };

static int
lowest_free(void)
{
	int fd = dup(0), r = fd;

	if (fd != -1)
		close(fd);
	return r;
}

static int
setup(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

static int
teardown(void **state)
{
	(void)state;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

/* Send len raw bytes of m (and fd when >= 0) as one datagram. */
static void
send_raw(const void *m, size_t len, int fd)
{
	assert_int_equal(ipc_send_datagram(sv[1], m, len, fd), 0);
}

/* The next datagram must be refused as malformed and leave no fd. */
static void
expect_refused(void)
{
	struct ipc_msg m;
	int	       fd = 12345, before = lowest_free();

	assert_int_equal(ipc_recv(sv[0], &m, &fd, MSG_DONTWAIT), -ERR_PROTOCOL);
	assert_int_equal(fd, -1);
	assert_int_equal(lowest_free(), before);
}

static void
test_round_trip(void **state)
{
	struct ipc_msg out, in;
	int	       fd, base = lowest_free();

	(void)state;
	memset(&out, 0, sizeof(out));
	out.type = IPC_STATE;
	(void)snprintf(out.u.state.op, sizeof(out.u.state.op), "put");
	(void)snprintf(out.u.state.path, sizeof(out.u.state.path), "a/b");
	(void)snprintf(out.u.state.user, sizeof(out.u.state.user), "secret");
	out.u.state.done = 5;
	out.u.state.total = 9;
	out.u.state.op_start_ms = 1234;
	assert_int_equal(ipc_send(sv[1], &out, -1), 0);
	assert_int_equal(ipc_recv(sv[0], &in, &fd, 0), 0);
	assert_int_equal(fd, -1);
	assert_memory_equal(&in, &out, sizeof(out));

	memset(&out, 0, sizeof(out));
	out.type = IPC_LOG;
	out.u.log.which = LOG_XFER;
	out.u.log.len = 3;
	memcpy(out.u.log.text, "ab\n", 3);
	assert_int_equal(ipc_send(sv[1], &out, -1), 0);
	assert_int_equal(ipc_recv(sv[0], &in, &fd, 0), 0);
	assert_int_equal(in.type, IPC_LOG);
	assert_int_equal(in.u.log.which, LOG_XFER);
	assert_int_equal(in.u.log.len, 3);
	assert_memory_equal(in.u.log.text, "ab\n", 3);

	memset(&out, 0, sizeof(out));
	out.type = IPC_IDLE;
	out.u.idle.seq = 7;
	out.u.idle.bytes_in = 100;
	out.u.idle.outcome = 14;
	assert_int_equal(ipc_send(sv[1], &out, -1), 0);
	assert_int_equal(ipc_recv(sv[0], &in, &fd, 0), 0);
	assert_memory_equal(&in.u.idle, &out.u.idle, sizeof(out.u.idle));

	out.type = IPC_PROBE;
	assert_int_equal(ipc_send(sv[1], &out, -1), 0);
	assert_int_equal(ipc_recv(sv[0], &in, &fd, 0), 0);
	assert_int_equal(in.type, IPC_PROBE);
	assert_int_equal(lowest_free(), base);
}

/* The session carries its socket, received close-on-exec. */
static void
test_session_fd(void **state)
{
	struct ipc_msg out, in;
	int	       fd, passed, base = lowest_free();

	(void)state;
	memset(&out, 0, sizeof(out));
	out.type = IPC_SESSION;
	out.u.session.seq = 3;
	(void)snprintf(out.u.session.peer, sizeof(out.u.session.peer), "::1");
	out.u.session.peer_port = 2121;
	passed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(passed >= 0);
	assert_int_equal(ipc_send(sv[0], &out, passed), 0);
	close(passed);
	assert_int_equal(ipc_recv(sv[1], &in, &fd, 0), 0);
	assert_true(fd >= 0);
	assert_true((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	assert_memory_equal(&in.u.session, &out.u.session,
	    sizeof(out.u.session));
	close(fd);

	/* Nothing waiting; then the peer's end of file. */
	assert_int_equal(ipc_recv(sv[0], &in, &fd, MSG_DONTWAIT), -ERR_SYSTEM);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(lowest_free(), base);
}

/* ipc_send refuses what it cannot frame. */
static void
test_send_refuses(void **state)
{
	struct ipc_msg m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = 99;
	assert_int_equal(ipc_send(sv[1], &m, -1), -ERR_INTERNAL);
	assert_int_equal(errno, EINVAL);
	m.type = IPC_LOG;
	m.u.log.len = LOG_LINE_MAX + 1;
	assert_int_equal(ipc_send(sv[1], &m, -1), -ERR_INTERNAL);
	assert_int_equal(errno, EINVAL);
}

/* Every string of a received message ends inside its array. */
static void
test_unterminated(void **state)
{
	struct ipc_msg m, in;
	int	       fd;

	(void)state;
	memset(&m, 'A', sizeof(m));
	m.type = IPC_STATE;
	m.pad = 0;
	send_raw(&m, HDR + sizeof(struct ipc_state), -1);
	assert_int_equal(ipc_recv(sv[0], &in, &fd, 0), 0);
	assert_int_equal(strlen(in.u.state.op), sizeof(in.u.state.op) - 1);
	assert_int_equal(strlen(in.u.state.path), sizeof(in.u.state.path) - 1);
	assert_int_equal(strlen(in.u.state.user), sizeof(in.u.state.user) - 1);

	memset(&m, 'B', sizeof(m));
	m.type = IPC_SESSION;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	send_raw(&m, HDR + sizeof(struct ipc_session), fd);
	close(fd);
	assert_int_equal(ipc_recv(sv[0], &in, &fd, 0), 0);
	assert_int_equal(strlen(in.u.session.peer),
	    sizeof(in.u.session.peer) - 1);
	close(fd);
}

/* Truncated, oversized and length-mismatched datagrams are refused. */
static void
test_sizes(void **state)
{
	struct ipc_msg m;
	char	       big[sizeof(m) + 64];

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = IPC_STATE;
	send_raw(&m, 2, -1); /* shorter than the header */
	expect_refused();
	send_raw(&m, HDR + sizeof(struct ipc_state) - 1, -1);
	expect_refused();
	send_raw(&m, HDR + sizeof(struct ipc_state) + 1, -1);
	expect_refused();
	m.type = IPC_PROBE;
	send_raw(&m, HDR + 1, -1);
	expect_refused();
	memset(big, 0, sizeof(big));
	memcpy(big, &m, HDR);
	send_raw(big, sizeof(big), -1); /* larger than any message */
	expect_refused();

	m.type = IPC_LOG;
	m.u.log.which = LOG_MAIN;
	m.u.log.len = 10;
	send_raw(&m, HDR + offsetof(struct ipc_log, text) + 9, -1);
	expect_refused();
	send_raw(&m, HDR + offsetof(struct ipc_log, text) - 1, -1);
	expect_refused();
	m.u.log.len = LOG_LINE_MAX + 1;
	send_raw(&m, sizeof(m), -1);
	expect_refused();
	m.u.log.len = UINT32_MAX;
	send_raw(&m, HDR + offsetof(struct ipc_log, text), -1);
	expect_refused();
}

/* Unknown types, a bad log file, descriptors where none belong. */
static void
test_wrong_types(void **state)
{
	struct ipc_msg m;
	int	       fd;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = 0;
	send_raw(&m, HDR, -1);
	expect_refused();
	m.type = 99;
	send_raw(&m, HDR, -1);
	expect_refused();
	m.type = IPC_LOG;
	m.u.log.which = 2;
	m.u.log.len = 0;
	send_raw(&m, HDR + offsetof(struct ipc_log, text), -1);
	expect_refused();
	m.u.log.which = -1;
	send_raw(&m, HDR + offsetof(struct ipc_log, text), -1);
	expect_refused();
	/* A worker's message with a descriptor: refused, the fd closed. */
	m.type = IPC_PROBE;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	send_raw(&m, HDR, fd);
	close(fd);
	expect_refused();
	/* A session without its socket. */
	m.type = IPC_SESSION;
	send_raw(&m, HDR + sizeof(struct ipc_session), -1);
	expect_refused();
}

/* IPC_AUTH carries a result in range; IPC_PROBE is a bare header. */
static void
test_auth_probe(void **state)
{
	struct ipc_msg out, in;
	int	       fd;

	(void)state;
	memset(&out, 0, sizeof(out));
	out.type = IPC_AUTH;
	out.u.auth.seq = 42;
	out.u.auth.result = IPC_AUTH_GRACE;
	assert_int_equal(ipc_send(sv[1], &out, -1), 0);
	assert_int_equal(ipc_recv(sv[0], &in, &fd, 0), 0);
	assert_int_equal(in.u.auth.seq, 42);
	assert_int_equal(in.u.auth.result, IPC_AUTH_GRACE);
	out.u.auth.result = IPC_AUTH_GRACE + 1;
	send_raw(&out, HDR + sizeof(struct ipc_auth), -1);
	expect_refused();
	out.u.auth.result = -1;
	send_raw(&out, HDR + sizeof(struct ipc_auth), -1);
	expect_refused();
	send_raw(&out, HDR + sizeof(struct ipc_auth) - 1, -1);
	expect_refused();
	memset(&out, 0, sizeof(out));
	out.type = IPC_PROBE;
	assert_int_equal(ipc_send(sv[1], &out, -1), 0);
	assert_int_equal(ipc_recv(sv[0], &in, &fd, 0), 0);
	assert_int_equal(in.type, IPC_PROBE);
}

/* End of file from the peer is -ERR_EOF, and hands out no descriptor. */
static void
test_eof(void **state)
{
	struct ipc_msg m;
	int	       p[2], fd;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, p), 0);
	close(p[1]);
	assert_int_equal(ipc_recv(p[0], &m, &fd, 0), -ERR_EOF);
	assert_int_equal(fd, -1);
	close(p[0]);
}

/*
 * A batch (ipc_send_many) arrives as separate datagrams, in order, each
 * checked by ipc_recv as if sent alone; too many are refused unsent.
 */
static void
test_send_many(void **state)
{
	struct ipc_msg out[3], in;
	struct iovec   iov[IPC_SEND_MANY_MAX + 1];
	int	       p[2], fd, i;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, p), 0);
	memset(out, 0, sizeof(out));
	out[0].type = IPC_LOG;
	out[0].u.log.which = LOG_MAIN;
	out[0].u.log.len = 5;
	memcpy(out[0].u.log.text, "info\n", 5);
	out[1].type = IPC_AUTH;
	out[1].u.auth.seq = 9;
	out[1].u.auth.result = IPC_AUTH_FAIL;
	out[2].type = IPC_IDLE;
	out[2].u.idle.seq = 9;
	for (i = 0; i < 3; i++) {
		iov[i].iov_base = &out[i];
		iov[i].iov_len = ipc_msg_len(&out[i]);
		assert_true(iov[i].iov_len > 0);
	}
	assert_int_equal(ipc_send_many(p[1], iov, 3), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ipc_recv(p[0], &in, &fd, MSG_DONTWAIT), 0);
		assert_int_equal(in.type, out[i].type);
	}
	assert_int_equal(in.u.idle.seq, 9);
	assert_int_equal(ipc_recv(p[0], &in, &fd, MSG_DONTWAIT), -ERR_SYSTEM);
	assert_int_equal(errno, EAGAIN);
	for (i = 0; i <= IPC_SEND_MANY_MAX; i++)
		iov[i] = iov[0];
	assert_int_equal(ipc_send_many(p[1], iov, IPC_SEND_MANY_MAX + 1),
	    -ERR_INTERNAL);
	assert_int_equal(ipc_recv(p[0], &in, &fd, MSG_DONTWAIT), -ERR_SYSTEM);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_session_fd),
		cmocka_unit_test(test_send_refuses),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_auth_probe),
		cmocka_unit_test(test_eof),
		cmocka_unit_test(test_send_many),

	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
