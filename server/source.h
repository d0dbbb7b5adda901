/*
 * source.h: what the master remembers of each client address (after sshd's
 * srclimit.c and PerSourcePenalties): a penalty that grows with every
 * failed authentication, close before authentication or login grace run
 * out, refusal while it lasts, MaxStartups' random early drop, and log
 * lines about refused connections kept to one summary per address and
 * interval.  Counted in the master only: a worker reports outcomes
 * (IPC_AUTH), it decides nothing.
 */
#ifndef FTPD_SOURCE_H
#define FTPD_SOURCE_H

#include <stdint.h>

#include "common/config.h"

#define SOURCE_LOG_INTERVAL_MS 60000 /* one summary line per address */

/* source_configure: the penalty keys to apply from now on (cfg kept). */
void source_configure(const struct config *cfg);

/*
 * source_auth: peer's session ended its authentication with result (enum
 * ipc_auth_result); anything but IPC_AUTH_OK adds its penalty.
 */
void source_auth(const char *peer, int result);

/*
 * source_penalized: is peer refused for its penalty now?  Returns 1 with
 * the seconds left in *left_s, else 0.
 */
int source_penalized(const char *peer, int64_t now, int *left_s);

/*
 * source_startups_drop: MaxStartups' random early drop (sshd_config(5)):
 * with unauth connections not yet authenticated, past start refuse with
 * probability rate% rising linearly to 100% at full (ms[3] = start, rate,
 * full).  Returns 1 to refuse.
 */
int source_startups_drop(const int ms[3], int unauth);

/*
 * source_refused: a connection from peer was refused for why: logged at
 * once the first time in SOURCE_LOG_INTERVAL_MS, later ones counted and
 * summed up in one line by source_tick.  seq is the connection number.
 */
void source_refused(const char *peer, unsigned long long seq, const char *why);

/*
 * source_tick: write the summary lines that are due and forget addresses
 * with nothing left to remember.  Returns the next clock_mono_ms() deadline
 * or INT64_MAX.
 */
int64_t source_tick(int64_t now);

/* One penalised or refused address as the status shows it. */
struct source_row {
	char	 peer[64];
	int	 penalty_s; /* seconds of penalty left, 0 none */
	int	 refusing;  /* the penalty is past penalty_min: refused */
	unsigned fails, noauth, graces; /* outcomes since it was first seen */
	uint64_t refused;		/* connections refused in all */
};

/* source_row: address i into r; returns 0, or -1 past the last. */
int source_row(int i, int64_t now, struct source_row *r);

#endif
