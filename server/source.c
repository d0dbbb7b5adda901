/*
 * source.c: per-address admission state in the master (after OpenSSH's
 * srclimit.c).  Each failed authentication, close before authentication
 * or login grace run out adds its penalty (penalty_authfail, _noauth,
 * _grace seconds) to the address's, capped at penalty_max; once what is
 * left exceeds penalty_min the address is refused until it runs out, so
 * repeats make it longer.  Refusals are logged once, then summed up per
 * address every SOURCE_LOG_INTERVAL_MS, so a flood cannot flood the log.
 * The table is bounded (SOURCE_MAX; the stalest entry goes).  It must not
 * touch a socket or trust a worker beyond the outcome of its own session.
 */
#include <stdint.h>
#include <string.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "common/clock.h"
#include "common/ipc.h"
#include "common/log.h"
#include "server/source.h"

#define SOURCE_MAX 1024

struct source {
	char	 peer[64];
	int64_t	 expiry;     /* clock_mono_ms(): the penalty ends */
	int	 refusing;   /* penalty beyond penalty_min: refused */
	int64_t	 last_seen;  /* clock_mono_ms() */
	int64_t	 summary_at; /* next refusal line allowed, clock_mono_ms() */
	unsigned pending;    /* refusals not logged yet */
	char	 why[64];    /* the last refusal's reason */
	unsigned fails, noauth, graces;
	uint64_t refused;
};

static struct {
	struct source	     s[SOURCE_MAX];
	int		     n;
	const struct config *cfg;
} src;

void
source_configure(const struct config *cfg)
{
	src.cfg = cfg;
}

/* peer's entry, made (evicting the stalest) when missing. */
static struct source *
source_get(const char *peer, int64_t now)
{
	struct source *e, *stalest = NULL;
	int	       i;

	for (i = 0; i < src.n; i++) {
		e = &src.s[i];
		if (strcmp(e->peer, peer) == 0) {
			e->last_seen = now;
			return e;
		}
		if (stalest == NULL || e->last_seen < stalest->last_seen)
			stalest = e;
	}
	e = src.n < SOURCE_MAX ? &src.s[src.n++] : stalest;
	memset(e, 0, sizeof(*e));
	(void)strlcpy(e->peer, peer, sizeof(e->peer));
	e->last_seen = now;
	return e;
}

static void
penalise(struct source *e, int secs, const char *what, int64_t now)
{
	int64_t max = (int64_t)src.cfg->penalty_max * 1000;

	if (secs <= 0 || max <= 0)
		return;
	if (e->expiry < now)
		e->expiry = now;
	e->expiry += (int64_t)secs * 1000;
	if (e->expiry - now > max)
		e->expiry = now + max;
	if (!e->refusing &&
	    e->expiry - now > (int64_t)src.cfg->penalty_min * 1000) {
		e->refusing = 1;
		log_info("%s refused for %lld s after %s (%u failed, %u "
			 "closed, %u timed out before authentication)",
		    e->peer, (long long)(e->expiry - now + 999) / 1000, what,
		    e->fails, e->noauth, e->graces);
	}
}

void
source_auth(const char *peer, int result)
{
	int64_t	       now = clock_mono_ms();
	struct source *e;

	if (result == IPC_AUTH_OK || src.cfg == NULL)
		return;
	e = source_get(peer, now);
	if (result == IPC_AUTH_FAIL) {
		e->fails++;
		penalise(e, src.cfg->penalty_authfail, "a failed login", now);
	} else if (result == IPC_AUTH_GRACE) {
		e->graces++;
		penalise(e, src.cfg->penalty_grace, "a login grace timeout",
		    now);
	} else {
		e->noauth++;
		penalise(e, src.cfg->penalty_noauth,
		    "a close before authentication", now);
	}
}

int
source_penalized(const char *peer, int64_t now, int *left_s)
{
	int i;

	*left_s = 0;
	for (i = 0; i < src.n; i++)
		if (strcmp(src.s[i].peer, peer) == 0) {
			if (!src.s[i].refusing || src.s[i].expiry <= now)
				return 0;
			*left_s = (int)((src.s[i].expiry - now + 999) / 1000);
			return 1;
		}
	return 0;
}

int
source_startups_drop(const int ms[3], int unauth)
{
	uint32_t p;

	if (unauth < ms[0])
		return 0;
	if (unauth >= ms[2])
		return 1;
	/* sshd's drop(): rate% at start, rising linearly to 100% at full. */
	p = (uint32_t)(ms[1] +
	    (100 - ms[1]) * (unauth - ms[0]) / (ms[2] - ms[0]));
	return arc4random_uniform(100) < p;
}

void
source_refused(const char *peer, unsigned long long seq, const char *why)
{
	int64_t	       now = clock_mono_ms();
	struct source *e = source_get(peer, now);

	e->refused++;
	(void)strlcpy(e->why, why, sizeof(e->why));
	if (now >= e->summary_at) {
		log_info("connection %llu from %s refused: %s", seq, peer, why);
		e->summary_at = now + SOURCE_LOG_INTERVAL_MS;
		return;
	}
	e->pending++;
}

/* Nothing left to remember of e (its penalty over, its lines written)? */
static int
forgotten(const struct source *e, int64_t now)
{
	return e->expiry <= now && e->pending == 0 &&
	    now - e->last_seen > SOURCE_LOG_INTERVAL_MS;
}

int64_t
source_tick(int64_t now)
{
	struct source *e;
	int64_t	       next = INT64_MAX;
	int	       i, j = 0;

	for (i = 0; i < src.n; i++) {
		e = &src.s[i];
		if (e->pending > 0 && now >= e->summary_at) {
			log_info("%s: %u more connections refused in the last "
				 "%d s (last: %s)",
			    e->peer, e->pending, SOURCE_LOG_INTERVAL_MS / 1000,
			    e->why);
			e->pending = 0;
			e->summary_at = now + SOURCE_LOG_INTERVAL_MS;
		}
		if (e->refusing && e->expiry <= now)
			e->refusing = 0;
		if (forgotten(e, now))
			continue;
		if (e->pending > 0 && e->summary_at < next)
			next = e->summary_at;
		src.s[j++] = *e;
	}
	src.n = j;
	return src.n > 0 && next == INT64_MAX ? now + SOURCE_LOG_INTERVAL_MS
					      : next;
}

int
source_row(int i, int64_t now, struct source_row *r)
{
	const struct source *e;

	memset(r, 0, sizeof(*r));
	if (i < 0 || i >= src.n)
		return -1;
	e = &src.s[i];
	(void)strlcpy(r->peer, e->peer, sizeof(r->peer));
	r->penalty_s =
	    e->expiry > now ? (int)((e->expiry - now + 999) / 1000) : 0;
	r->refusing = e->refusing && e->expiry > now;
	r->fails = e->fails;
	r->noauth = e->noauth;
	r->graces = e->graces;
	r->refused = e->refused;
	return 0;
}
