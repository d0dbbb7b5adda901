/*
 * spawn.h: the birth of a worker process: a SOCK_SEQPACKET socketpair,
 * fork(2), and in the child a clean slate (only standard input, output,
 * error and its end of the socketpair stay open) before the worker's
 * entry point runs.
 */
#ifndef FTPD_SPAWN_H
#define FTPD_SPAWN_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/config.h"
#include "common/users.h"

#define SPAWN_IPC_FD 3 /* the worker's end of its socketpair */

/*
 * The worker entry point, handed in by server/main.c so that server/ never
 * includes worker/: called in a freshly forked child with the master's
 * config, the credentials (shared secret, host key, accounts), the child's end of its socketpair
 * (SPAWN_IPC_FD) and the config generation.  Must not return.  mask is
 * the signal mask the worker starts with (the one the master had before
 * it blocked its own signals).
 */
struct worker_entry {
	void (*run)(const struct config *cfg, const struct users_creds *cred,
	    int ipc_fd, uint32_t generation);
	sigset_t mask;
};

/*
 * spawn_worker: fork a worker that runs e->run(cfg, cred, SPAWN_IPC_FD,
 * generation).  The child closes the log files, restores e->mask and the
 * default SIGPIPE, and closes every descriptor but 0, 1, 2 and its end of
 * the socketpair, so it holds nothing of the master's (listeners, queued
 * or refused clients, control socket, signalfd, pidfile, logs, other
 * workers' socketpairs).  In the master, *pid gets the child's pid and
 * *fd our end of the socketpair (non-blocking, close-on-exec).  Returns
 * 0, or ERR_SYSTEM (errno set; *pid -1 and *fd -1).
 */
__attribute__((warn_unused_result)) int
spawn_worker(const struct worker_entry *e, const struct config *cfg,
    const struct users_creds *cred, uint32_t generation, pid_t *pid, int *fd);

#endif
