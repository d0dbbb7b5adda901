/*
 * pool_impl.h: the worker table shared by pool.c (spawning, hand-off,
 * messages, rows) and reap.c (deaths, respawns, idle retirement).  Only
 * those two files include it; everything else uses pool.h.
 */
#ifndef FTPD_POOL_IMPL_H
#define FTPD_POOL_IMPL_H

#include <stdint.h>
#include <sys/types.h>

#include "common/config.h"
#include "common/ipc.h"
#include "server/pool.h"
#include "server/spawn.h"

#define SPAWN_RATE_MAX 32    /* Apache's MAX_SPAWN_RATE */
#define DEATHS_MAX     10    /* this many abnormal deaths ... */
#define DEATHS_SPAN_MS 10000 /* ... within this span throttle respawns */
#define THROTTLE_MS    1000
#define IDLE_RETIRE_MS 30000 /* an extra worker idle this long goes */
#define IPC_BURST      64    /* messages read from one worker per round */
#define IPC_REAP_MAX   4096  /* messages read from a dead worker, at most */

enum worker_state { W_IDLE, W_BUSY, W_EXITING };

struct worker {
	pid_t	 pid;
	int	 fd; /* our end of the socketpair, -1 once closed */
	int	 state;
	uint32_t generation;
	int	 sessions, max_sessions;
	int64_t	 last_used; /* clock_mono_ms() of the last hand-off/idle */
	int64_t	 since_ms;  /* wall ms: started, accepted or idle */
	uint64_t seq;	    /* current session */
	char	 peer[64];
	uint16_t port;
	struct ipc_state st;
	int		 ready;	 /* it read its IPC_PROBE: up and waiting */
	int		 authed; /* this session authenticated (IPC_AUTH) */
};

struct pool_table {
	struct worker		  w[POOL_MAX];
	int			  n;
	int			  map[POOL_MAX]; /* pollfd slot -> row */
	const struct config	 *cfg;
	const struct users_creds *cred;
	uint32_t		  generation;
	struct worker_entry	  entry;
	int			  spawn_rate;
	int64_t			  deaths[DEATHS_MAX]; /* ring of death times */
	int			  ndeaths;
	int64_t			  respawn_after; /* clock_mono_ms() */
	int64_t			  last_retire;
	int			  throttling; /* crash loop seen */
	int			  stopping;
	char last_words[256]; /* a worker's last fatal line */
};

extern struct pool_table pool; /* pool.c */

/*
 * pool_spawn_one: start one worker of generation with cfg and cred (the
 * child's copies; the pointers need not outlive the call) and send it its
 * IPC_PROBE.  Returns 0, or -1 (logged).
 */
int pool_spawn_one(const struct config *cfg, const struct users_creds *cred,
    uint32_t generation);

/* pool_count: workers in state (enum worker_state). */
int pool_count(int state);

/* pool_lru_idle: the idle worker that has waited longest, or NULL. */
struct worker *pool_lru_idle(void);

/* pool_retire: tell w to finish and exit (IPC_SHUTDOWN); no more sessions. */
void pool_retire(struct worker *w);

/*
 * pool_drain: read and act on at most burst messages from w; at end of
 * file or an error our end is closed (w->fd -1) and w is W_EXITING.
 */
void pool_drain(struct worker *w, int burst);

#endif
