/*
 * pool.h: the table of workers: spawning (with a spawn rate that doubles
 * while every worker is busy, as Apache's prefork does), the hand-off of a
 * connection to the least recently used idle worker, the messages workers
 * send, reaping with the cause of each death, and crash-loop throttling.
 */
#ifndef FTPD_POOL_H
#define FTPD_POOL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/config.h"
#include "common/ipc.h"
#include "server/spawn.h"

#define POOL_MAX 1024 /* most worker processes; config.c's limit too */

/* An accepted connection on its way to a worker. */
struct conn {
	int	 fd;	   /* non-blocking until handed over */
	uint64_t seq;	   /* connection number */
	char	 peer[64]; /* numeric address */
	uint16_t port;
	int64_t	 accept_ms; /* CLOCK_REALTIME ms */
	int64_t	 deadline;  /* clock_mono_ms() ms when queued wait ends */
};

/* pool_init: remember the worker entry point and signal mask (copied). */
void pool_init(const struct worker_entry *entry);

/*
 * pool_configure: the config, credentials and generation that workers spawned
 * from now on get.  The pointers must stay valid (the master's own copies).
 */
void pool_configure(const struct config *cfg, const struct users_creds *cred,
    uint32_t generation);

/* pool_spawn: start n workers.  Returns how many were started. */
int pool_spawn(int n);

/*
 * pool_grow: every worker is busy: spawn the next round (1, 2, 4 ... up to
 * 32 at once) within max_workers and the crash throttle.  Returns the
 * number started (0 at the cap).
 */
int pool_grow(void);

/*
 * pool_assign: pass c to the least recently used idle worker and close our
 * copy (c->fd becomes -1).  Returns 0, or -1 when no idle worker took it
 * (c unchanged).
 */
int pool_assign(struct conn *c);

/* pool_peer_count: busy workers serving peer. */
int pool_peer_count(const char *peer);

/*
 * pool_unauth_count: busy workers whose session from peer (NULL: any) has
 * not authenticated yet (no IPC_AUTH ok).
 */
int pool_unauth_count(const char *peer);

/*
 * pool_ready_count: live workers that are up and waiting or serving (they
 * read their IPC_PROBE; see ready.c).  0 means the daemon is degraded.
 */
int pool_ready_count(void);

/*
 * pool_wait_ready: wait, serving the workers' messages and reaping, until
 * a worker of generation is ready.  Returns 0; or -1 when every worker of
 * generation died (the reason, a worker's last fatal line when it said
 * one, in err) or timeout_ms passed.  Blocks the master at most timeout_ms:
 * only at start and reload.
 */
__attribute__((warn_unused_result)) int pool_wait_ready(uint32_t generation,
    int timeout_ms, char *err, size_t errlen);

/*
 * pool_prove: a reload's proof: start one worker of generation with cfg
 * and cred (not yet the pool's) and pool_wait_ready for it.  On success
 * it stays as the first worker of the new generation; on failure it is
 * gone.  Returns as pool_wait_ready.
 */
__attribute__((warn_unused_result)) int pool_prove(const struct config *cfg,
    const struct users_creds *cred, uint32_t generation, int timeout_ms,
    char *err, size_t errlen);

/* pool_retire_generation: retire every worker of generation (a reload
 * that failed after its proof). */
void pool_retire_generation(uint32_t generation);

/* pool_pollfds: fill up to room entries; returns how many. */
size_t pool_pollfds(struct pollfd *pfd, size_t room);

/* pool_events: handle the entries pool_pollfds filled (after poll). */
void pool_events(const struct pollfd *pfd, size_t n);

/* pool_reap: collect every exited worker (waitpid WNOHANG) and log why. */
void pool_reap(void);

/*
 * pool_maintain: keep `workers` workers (respawn, throttled), retire idle
 * extras after a while.  Returns the clock_mono_ms() ms by which it wants to
 * run again, or INT64_MAX.
 */
int64_t pool_maintain(int64_t now);

/* pool_retire_old: after a reload, shut down idle workers of older
 * generations now (busy ones get IPC_SHUTDOWN after their session). */
void pool_retire_old(void);

/* pool_shutdown: IPC_SHUTDOWN to every worker; no more respawns. */
void pool_shutdown(void);

/* pool_kill: SIGKILL every worker left, then reap them all (blocking). */
void pool_kill(void);

/* pool_size: worker processes not yet reaped. */
int pool_size(void);

/* pool_counts: workers busy, idle and exiting (told to finish). */
void pool_counts(int *busy, int *idle, int *exiting);

/* One worker as the status shows it. */
struct pool_row {
	long		 pid;
	uint32_t	 generation; /* config generation it was started with */
	const char	*state;	     /* "idle", "busy", "exiting" */
	int		 sessions;   /* sessions served so far */
	char		 peer[64];   /* numeric address, "" when idle */
	uint16_t	 port;
	struct ipc_state st;	   /* last report, strings terminated */
	int64_t		 since_ms; /* wall ms: the operation's start, else the
				      session's accept, else idle/start */
};

/*
 * pool_row: copy worker i (0 <= i < pool_size()) into r.  The strings in
 * r->st come from the worker: escape them before showing them.  Returns 0,
 * or -1 past the end (r zeroed).
 */
int pool_row(int i, struct pool_row *r);

#endif
