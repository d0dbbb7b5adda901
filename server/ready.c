/*
 * ready.c: what the rest of the master reads of the worker table (counts,
 * status rows, unauthenticated sessions for admission) and whether workers
 * can serve.  A worker is ready once it has read the IPC_PROBE the master
 * sent right after forking it: it reads messages only in its wait for
 * sessions, after the privilege drop and its limits, so a consumed probe
 * (our socket's SIOCOUTQ back to 0: the kernel frees a datagram's memory
 * when the receiver takes it) proves it got that far.  start and reload
 * wait for one such worker of their generation (issue 8 item 1).  It must
 * not block but in pool_wait_ready, bounded, and only at start and reload.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/sockios.h>

#include <bsd/string.h>

#include "common/clock.h"
#include "common/log.h"
#include "server/pool_impl.h"

#define READY_POLL_MS 10

static const char *const state_name[] = { "idle", "busy", "exiting" };

/* Has w read its probe?  Remembered once true. */
static int
is_ready(struct worker *w)
{
	int queued = -1;

	if (w->ready || w->state == W_BUSY)
		return w->ready = 1;
	if (w->fd == -1 || w->state == W_EXITING)
		return 0;
	if (ioctl(w->fd, SIOCOUTQ, &queued) == 0 && queued == 0)
		w->ready = 1;
	return w->ready;
}

int
pool_ready_count(void)
{
	int i, c = 0;

	for (i = 0; i < pool.n; i++)
		c += pool.w[i].state != W_EXITING && is_ready(&pool.w[i]);
	return c;
}

int
pool_unauth_count(const char *peer)
{
	const struct worker *w;
	int		     i, c = 0;

	for (i = 0; i < pool.n; i++) {
		w = &pool.w[i];
		c += w->state != W_IDLE && w->peer[0] != '\0' && !w->authed &&
		    (peer == NULL || strcmp(w->peer, peer) == 0);
	}
	return c;
}

/* Workers of generation still alive; *ready set when one is ready. */
static int
live_of(uint32_t generation, int *ready)
{
	int i, c = 0;

	*ready = 0;
	for (i = 0; i < pool.n; i++) {
		if (pool.w[i].generation != generation || pool.w[i].fd == -1 ||
		    pool.w[i].state == W_EXITING)
			continue;
		c++;
		if (is_ready(&pool.w[i]))
			*ready = 1;
	}
	return c;
}

/* One short round: read what workers say, collect the dead. */
static void
serve_round(void)
{
	struct pollfd pfd[POOL_MAX];
	size_t	      n;

	n = pool_pollfds(pfd, POOL_MAX);
	if (poll(pfd, n, READY_POLL_MS) > 0)
		pool_events(pfd, n);
	pool_reap();
}

int
pool_wait_ready(uint32_t generation, int timeout_ms, char *err, size_t errlen)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;
	int	ready;

	pool.last_words[0] = '\0';
	for (;;) {
		if (live_of(generation, &ready) > 0 && ready)
			return 0;
		if (live_of(generation, &ready) == 0) {
			snprintf(err, errlen, "the worker died at start%s%s",
			    pool.last_words[0] != '\0' ? ": " : "",
			    pool.last_words);
			return -1;
		}
		if (clock_mono_ms() >= deadline) {
			snprintf(err, errlen, "no worker ready within %d ms",
			    timeout_ms);
			return -1;
		}
		serve_round();
	}
}

int
pool_prove(const struct config *cfg, const struct users_creds *cred,
    uint32_t generation, int timeout_ms, char *err, size_t errlen)
{
	if (pool_spawn_one(cfg, cred, generation) == -1) {
		snprintf(err, errlen, "cannot start a worker: %s",
		    strerror(errno));
		return -1;
	}
	if (pool_wait_ready(generation, timeout_ms, err, errlen) == 0)
		return 0;
	pool_retire_generation(generation);
	return -1;
}

void
pool_retire_generation(uint32_t generation)
{
	int i;

	for (i = 0; i < pool.n; i++)
		if (pool.w[i].generation == generation &&
		    pool.w[i].state != W_EXITING)
			pool_retire(&pool.w[i]);
}

int
pool_peer_count(const char *peer)
{
	int i, c = 0;

	for (i = 0; i < pool.n; i++)
		c += pool.w[i].state != W_IDLE && pool.w[i].peer[0] != '\0' &&
		    strcmp(pool.w[i].peer, peer) == 0;
	return c;
}

int
pool_size(void)
{
	return pool.n;
}

void
pool_counts(int *busy, int *idle, int *exiting)
{
	*busy = pool_count(W_BUSY);
	*idle = pool_count(W_IDLE);
	*exiting = pool_count(W_EXITING);
}

int
pool_row(int i, struct pool_row *r)
{
	const struct worker *w;

	memset(r, 0, sizeof(*r));
	if (i < 0 || i >= pool.n)
		return -1;
	w = &pool.w[i];
	r->pid = (long)w->pid;
	r->generation = w->generation;
	r->state = state_name[w->state];
	r->sessions = w->sessions;
	(void)strlcpy(r->peer, w->peer, sizeof(r->peer));
	r->port = w->port;
	r->st = w->st;
	r->since_ms = w->st.op[0] != '\0' && w->st.op_start_ms > 0
	    ? w->st.op_start_ms
	    : w->since_ms;
	return 0;
}
