/*
 * pool.c: the master's table of workers.  It starts them (spawn.c forks
 * each with its own SOCK_SEQPACKET socketpair), passes each connection to
 * the least recently used idle one, reads what they report (BUSY, IDLE,
 * LOG, STATE) and shows their rows; reap.c collects them when they die and
 * keeps `workers` of them alive.  It must not read a client socket, block
 * on a worker (our ends are non-blocking) or trust a worker's words beyond
 * logging them and updating its own row.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bsd/string.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/ipc.h"
#include "common/log.h"
#include "server/pool_impl.h"
#include "server/source.h"

struct pool_table pool = { .spawn_rate = 1 };

void
pool_init(const struct worker_entry *entry)
{
	pool.entry = *entry;
}

void
pool_configure(const struct config *cfg, const struct users_creds *cred,
    uint32_t generation)
{
	pool.cfg = cfg;
	pool.cred = cred;
	pool.generation = generation;
}

int
pool_spawn_one(const struct config *cfg, const struct users_creds *cred,
    uint32_t generation)
{
	struct worker *w;
	struct ipc_msg m;
	pid_t	       pid;
	int	       fd;

	if (pool.n >= POOL_MAX)
		return -1;
	if (spawn_worker(&pool.entry, cfg, cred, generation, &pid, &fd) != 0) {
		log_warn("cannot spawn a worker");
		return -1;
	}
	w = &pool.w[pool.n++];
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->fd = fd;
	w->state = W_IDLE;
	w->generation = generation;
	w->max_sessions = cfg->max_sessions;
	w->last_used = clock_mono_ms();
	w->since_ms = clock_wall_ms();
	/* Read once the worker waits for sessions: see ready.c. */
	memset(&m, 0, sizeof(m));
	m.type = IPC_PROBE;
	if (ipc_send(fd, &m, -1) != 0)
		log_warn("worker %ld: cannot send its probe", (long)pid);
	log_info("worker %ld started", (long)pid);
	return 0;
}

int
pool_spawn(int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pool_spawn_one(pool.cfg, pool.cred, pool.generation) ==
		    -1) {
			pool.respawn_after = clock_mono_ms() + THROTTLE_MS;
			break;
		}
	return i;
}

int
pool_count(int state)
{
	int i, c = 0;

	for (i = 0; i < pool.n; i++)
		c += pool.w[i].state == state;
	return c;
}

int
pool_grow(void)
{
	int room, n, started;

	if (pool.stopping || clock_mono_ms() < pool.respawn_after)
		return 0;
	room = pool.cfg->max_workers - pool.n;
	if (room <= 0)
		return 0;
	n = pool.spawn_rate < room ? pool.spawn_rate : room;
	started = pool_spawn(n);
	if (started > 0) {
		log_info("all workers busy: %d more started (%d in all)",
		    started, pool.n);
		if (pool.spawn_rate < SPAWN_RATE_MAX)
			pool.spawn_rate *= 2;
	}
	return started;
}

/* The idle worker that has waited longest. */
struct worker *
pool_lru_idle(void)
{
	struct worker *best = NULL;
	int	       i;

	for (i = 0; i < pool.n; i++)
		if (pool.w[i].state == W_IDLE &&
		    (best == NULL || pool.w[i].last_used < best->last_used))
			best = &pool.w[i];
	return best;
}

/* Tell w to finish and exit; it takes no more sessions. */
void
pool_retire(struct worker *w)
{
	struct ipc_msg m;

	w->state = W_EXITING;
	if (w->fd == -1)
		return;
	memset(&m, 0, sizeof(m));
	m.type = IPC_SHUTDOWN;
	if (ipc_send(w->fd, &m, -1) != 0 && errno != EPIPE)
		log_warn("worker %ld: cannot send shutdown", (long)w->pid);
}

static int
hand_over(struct worker *w, struct conn *c)
{
	struct ipc_msg m;
	int	       fl;

	memset(&m, 0, sizeof(m));
	m.type = IPC_SESSION;
	m.u.session.seq = c->seq;
	(void)strlcpy(m.u.session.peer, c->peer, sizeof(m.u.session.peer));
	m.u.session.peer_port = c->port;
	m.u.session.accept_ms = c->accept_ms;
	/* The worker serves the socket blocking, with its own timeouts. */
	fl = fcntl(c->fd, F_GETFL);
	if (fl == -1 || fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK) == -1 ||
	    ipc_send(w->fd, &m, c->fd) != 0) {
		log_warn("worker %ld: cannot pass connection %llu",
		    (long)w->pid, (unsigned long long)c->seq);
		if (fl != -1)
			(void)fcntl(c->fd, F_SETFL, fl);
		return -1;
	}
	close(c->fd);
	c->fd = -1;
	w->state = W_BUSY; /* the worker does not confirm it */
	w->sessions++;
	w->last_used = clock_mono_ms();
	w->seq = c->seq;
	(void)strlcpy(w->peer, c->peer, sizeof(w->peer));
	w->port = c->port;
	w->since_ms = c->accept_ms;
	w->authed = 0;
	memset(&w->st, 0, sizeof(w->st));
	log_debug("connection %llu from %s port %u to worker %ld",
	    (unsigned long long)c->seq, c->peer, c->port, (long)w->pid);
	return 0;
}

int
pool_assign(struct conn *c)
{
	struct worker *w;

	if (pool.stopping)
		return -1;
	while ((w = pool_lru_idle()) != NULL) {
		if (hand_over(w, c) == 0) {
			if (pool_count(W_IDLE) > 0)
				pool.spawn_rate = 1; /* no longer short */
			return 0;
		}
		pool_retire(w); /* broken: let it go, try the next */
	}
	return -1;
}

size_t
pool_pollfds(struct pollfd *pfd, size_t room)
{
	size_t n = 0;
	int    i;

	for (i = 0; i < pool.n && n < room; i++) {
		if (pool.w[i].fd == -1)
			continue;
		pfd[n].fd = pool.w[i].fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		pool.map[n++] = i;
	}
	return n;
}

static void
on_idle(struct worker *w, const struct ipc_idle *idle)
{
	log_debug("worker %ld: session %llu over: %llu bytes in, %llu out, "
		  "%lld ms, %s",
	    (long)w->pid, (unsigned long long)idle->seq,
	    (unsigned long long)idle->bytes_in,
	    (unsigned long long)idle->bytes_out, (long long)idle->duration_ms,
	    err_name(idle->outcome));
	w->peer[0] = '\0';
	w->port = 0;
	w->seq = 0;
	memset(&w->st, 0, sizeof(w->st));
	w->last_used = clock_mono_ms();
	w->since_ms = clock_wall_ms();
	if (w->state == W_EXITING)
		return;
	if (w->max_sessions > 0 && w->sessions >= w->max_sessions) {
		/* Used up: it exits by itself (worker_main), ordinary
		 * recycling.  No IPC_SHUTDOWN: one it never reads would
		 * turn its exit into a reset on our end. */
		log_info("worker %ld: %d sessions served (max_sessions): "
			 "replaced",
		    (long)w->pid, w->sessions);
		w->state = W_EXITING;
	} else if (pool.stopping || w->generation != pool.generation)
		pool_retire(w); /* old config: no more sessions */
	else
		w->state = W_IDLE;
}

/* SECURITY: ipc_recv terminated the worker's strings; status escapes them. */
static void
on_state(struct worker *w, const struct ipc_state *st)
{
	if (w->peer[0] == '\0')
		return; /* not in a session: nothing to show */
	w->st = *st;
}

/* A worker's fatal line, kept as the reason a start or reload fails. */
static void
last_words(const struct ipc_log *l)
{
	size_t n;

	if (l->which != LOG_MAIN || l->len < 7 ||
	    memcmp(l->text, "fatal: ", 7) != 0)
		return;
	n = log_clean(pool.last_words, 0, sizeof(pool.last_words), l->text + 7,
	    l->len - 7);
	pool.last_words[n] = '\0';
}

/*
 * SECURITY: a worker's word on authentication only moves its own row
 * and penalises the peer the master gave it, never another address.
 */
static void
on_auth(struct worker *w, const struct ipc_auth *a)
{
	if (w->peer[0] == '\0' || a->seq != w->seq)
		return;
	w->authed = a->result == IPC_AUTH_OK;
	source_auth(w->peer, a->result);
}

static void
handle(struct worker *w, const struct ipc_msg *m)
{
	switch (m->type) {
	case IPC_IDLE:
		on_idle(w, &m->u.idle);
		break;
	case IPC_LOG:
		log_worker_line((long)w->pid, m->u.log.which, m->u.log.text,
		    m->u.log.len);
		last_words(&m->u.log);
		break;
	case IPC_AUTH:
		on_auth(w, &m->u.auth);
		break;
	case IPC_STATE:
		on_state(w, &m->u.state);
		break;
	default:
		log_warnx("worker %ld: unexpected message type %u",
		    (long)w->pid, m->type);
		break;
	}
}

/* Read what w has sent; on end of file or error close our end. */
void
pool_drain(struct worker *w, int burst)
{
	struct ipc_msg m;
	int	       i, r, fd;

	for (i = 0; i < burst && w->fd != -1; i++) {
		r = ipc_recv(w->fd, &m, &fd, MSG_DONTWAIT);
		/* SECURITY: workers never pass descriptors to the master; one
		 * that tries must not make us leak (and run out of) fds. */
		if (r == 0 && fd != -1)
			close(fd);
		if (r == 0) {
			handle(w, &m);
			continue;
		}
		if (r == -ERR_SYSTEM &&
		    (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r == -ERR_PROTOCOL) {
			/* SECURITY: a malformed message is dropped, not used. */
			log_warnx("worker %ld: malformed message dropped",
			    (long)w->pid);
			continue;
		}
		/* A worker told to exit may close with our IPC_SHUTDOWN
		 * unread: a reset then is its ordinary end, not trouble. */
		if (r == -ERR_SYSTEM &&
		    !(errno == ECONNRESET && w->state == W_EXITING))
			log_warn("worker %ld: socketpair", (long)w->pid);
		close(w->fd);
		w->fd = -1;
		w->state = W_EXITING;
		return;
	}
}

void
pool_events(const struct pollfd *pfd, size_t n)
{
	struct worker *w;
	size_t	       j;

	for (j = 0; j < n; j++) {
		if (pfd[j].revents == 0 || pool.map[j] >= pool.n)
			continue;
		w = &pool.w[pool.map[j]];
		if (w->fd == pfd[j].fd)
			pool_drain(w, IPC_BURST);
	}
}

void
pool_retire_old(void)
{
	int i;

	for (i = 0; i < pool.n; i++)
		if (pool.w[i].state == W_IDLE &&
		    pool.w[i].generation != pool.generation)
			pool_retire(&pool.w[i]);
}

void
pool_shutdown(void)
{
	int i;

	pool.stopping = 1;
	for (i = 0; i < pool.n; i++) {
		/* A session not past authentication has nothing to finish: its
		 * worker must not hold the stop for shutdown_timeout (SIGTERM
		 * shuts its socket down; IPC is read only between requests). */
		if (pool.w[i].state == W_BUSY && pool.w[i].st.user[0] == '\0')
			(void)kill(pool.w[i].pid, SIGTERM);
		pool_retire(&pool.w[i]);
	}
}
