/*
 * worker.h: the worker role's entry point.  The master forks and calls
 * worker_main in the child; from then on the two talk only through the IPC
 * messages of common/ipc.h.  server/main.c is the one place that hands this
 * function to the master (as a callback), so server/ never includes worker/.
 */
#ifndef FTPD_WORKER_H
#define FTPD_WORKER_H

#include <stdint.h>

#include "common/channel.h"
#include "common/config.h"
#include "common/users.h"

struct worker_params {
	const struct config *cfg; /* the master's config, inherited by fork */
	const struct users_creds *cred; /* secret, host key, accounts: the
					   master's, inherited by fork */
	int	 ipc_fd;     /* this worker's end of its socketpair */
	uint32_t generation; /* config generation it serves */
};

/*
 * worker_main: apply rlimits, drop privileges (as root: to cfg->user, after
 * opening the served root), then serve one session per IPC_SESSION until
 * cfg->max_sessions, IPC_SHUTDOWN or the master's end closes.  Called in a
 * freshly forked child whose descriptors other than ipc_fd and standard
 * input, output and error the master has already closed.  Never returns;
 * exits 0 on an orderly end, 1 on a start-up failure (logged).
 */
void worker_main(const struct worker_params *p) __attribute__((noreturn));

/*
 * worker_prepare: in the master, before the first worker is forked: build
 * what every worker would otherwise build for itself (the seccomp program,
 * worker/sandbox.c), so the workers share it copy-on-write.  Returns 0, or
 * a negative ERR_* code (sandbox_prepare's).
 */
__attribute__((warn_unused_result)) int worker_prepare(void);

/*
 * worker_sandbox_test: `ftpd sandbox-test` (ftpd(8)): for each forbidden
 * call (open outside the served root, execve, socket, ptrace) fork a child
 * that confines itself as a worker does under cfg and tries it; print one
 * line per call on standard output, "WHAT: blocked (HOW)" or "WHAT: NOT
 * blocked".  Returns the exit status: 0 when every call was blocked, else 1.
 */
int worker_sandbox_test(const struct config *cfg);

#endif
