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

struct worker_params {
	const struct config *cfg; /* the master's config, inherited by fork */
	const uint8_t	    *secret; /* CHANNEL_KEY_BYTES, read by the master */
	int		     ipc_fd; /* this worker's end of its socketpair */
	uint32_t	     generation; /* config generation it serves */
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

#endif
