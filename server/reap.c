/*
 * reap.c: the end of workers: collecting each exited one (waitpid) with
 * the cause of its death in the log, noticing a crash loop and throttling
 * respawns then, keeping `workers` of them alive, retiring idle extras,
 * and the final SIGKILL at shutdown.  It shares the table with pool.c
 * (pool_impl.h).  It must not block except in pool_kill, and must not
 * respawn once the pool is stopping.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "server/pool_impl.h"

/* Remember an abnormal death (a ring of the last DEATHS_MAX). */
static void
note_death(int64_t now)
{
	pool.deaths[pool.ndeaths++ % DEATHS_MAX] = now;
}

/* Did DEATHS_MAX workers die within DEATHS_SPAN_MS?  Logged once a spell. */
static int
crash_loop(int64_t now)
{
	int64_t oldest = pool.deaths[pool.ndeaths % DEATHS_MAX];
	int	loop;

	loop = pool.ndeaths >= DEATHS_MAX && now - oldest < DEATHS_SPAN_MS;
	if (loop && !pool.throttling)
		log_warnx("%d workers died within %d s: respawning one a "
			  "second",
		    DEATHS_MAX, DEATHS_SPAN_MS / 1000);
	else if (!loop && pool.throttling)
		log_info("workers stable again: respawning at full speed");
	pool.throttling = loop;
	return loop;
}

static const char *
signal_cause(int sig)
{
	switch (sig) {
	case SIGXCPU:
		return " (SIGXCPU = CPU limit)";
	case SIGXFSZ:
		return " (SIGXFSZ = file size limit)";
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGABRT:
	case SIGSYS:
		return " (crash)";
	default:
		return "";
	}
}

static void
log_death(const struct worker *w, int status)
{
	char	    during[128] = "";
	const char *abbrev;
	int	    sig;

	if (w->state == W_BUSY && w->peer[0] != '\0')
		snprintf(during, sizeof(during), " during session %llu from %s",
		    (unsigned long long)w->seq, w->peer);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_info("worker %ld exited: status 0", (long)w->pid);
		return;
	}
	if (WIFEXITED(status)) {
		log_warnx("worker %ld exited: status %d%s", (long)w->pid,
		    WEXITSTATUS(status), during);
		return;
	}
	sig = WTERMSIG(status);
	abbrev = sigabbrev_np(sig);
	if (pool.stopping && sig == SIGKILL)
		log_info("worker %ld killed by signal SIGKILL at shutdown",
		    (long)w->pid);
	else
		log_warnx("worker %ld killed by signal SIG%s%s%s", (long)w->pid,
		    abbrev != NULL ? abbrev : "?", signal_cause(sig), during);
}

static void
reaped(int i, int status)
{
	struct worker *w = &pool.w[i];

	pool_drain(w, IPC_REAP_MAX); /* its last log lines, before we close */
	log_death(w, status);
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) && !pool.stopping)
		note_death(clock_mono_ms());
	if (w->fd != -1)
		close(w->fd);
	pool.w[i] = pool.w[--pool.n];
}

static int
find(pid_t pid)
{
	int i;

	for (i = 0; i < pool.n; i++)
		if (pool.w[i].pid == pid)
			return i;
	return -1;
}

void
pool_reap(void)
{
	pid_t pid;
	int   status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((i = find(pid)) == -1)
			log_debug("reaped unknown child %ld", (long)pid);
		else
			reaped(i, status);
	}
}

/* An extra worker idle for long goes, one per second (Apache's idle kill). */
static void
retire_extra(int64_t now)
{
	struct worker *w;

	if (pool.n - pool_count(W_EXITING) <= pool.cfg->workers ||
	    now - pool.last_retire < 1000)
		return;
	if ((w = pool_lru_idle()) == NULL ||
	    now - w->last_used < IDLE_RETIRE_MS)
		return;
	pool.last_retire = now;
	log_info("worker %ld idle for %lld s: retired", (long)w->pid,
	    (long long)(now - w->last_used) / 1000);
	pool_retire(w);
}

int64_t
pool_maintain(int64_t now)
{
	int live, need, loop;

	if (pool.stopping)
		return INT64_MAX;
	loop = crash_loop(now);
	live = pool.n - pool_count(W_EXITING);
	need = pool.cfg->workers - live;
	if (need > pool.cfg->max_workers - pool.n)
		need = pool.cfg->max_workers - pool.n;
	if (need > 0) {
		if (now < pool.respawn_after)
			return pool.respawn_after;
		if (loop) {
			need = 1;
			pool.respawn_after = now + THROTTLE_MS;
		}
		pool_spawn(need);
	}
	retire_extra(now);
	if (pool.n - pool_count(W_EXITING) > pool.cfg->workers)
		return now + 1000;
	return pool.respawn_after > now ? pool.respawn_after : INT64_MAX;
}

void
pool_kill(void)
{
	int status, i;

	for (i = 0; i < pool.n; i++)
		(void)kill(pool.w[i].pid, SIGKILL);
	while (pool.n > 0) {
		if (waitpid(pool.w[0].pid, &status, 0) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("waitpid %ld", (long)pool.w[0].pid);
			status = 0;
		}
		reaped(0, status);
	}
}
