/*
 * status.h: the master's state as the control socket shows it (requests
 * "status" and "status json", see control.h): lines of text for people,
 * one JSON object for scripts.  Both read the pool's and the listeners'
 * tables and change nothing.
 */
#ifndef FTPD_STATUS_H
#define FTPD_STATUS_H

#include <stdint.h>
#include <stdio.h>

/* What the master knows of itself.  The pid line is the caller's (`ftpd
 * status` prints "ftpd is running (pid N)" from the pidfile). */
struct status_head {
	long	    pid;
	int64_t	    started_ms; /* CLOCK_REALTIME ms of the start */
	int64_t	    uptime_s;
	const char *config; /* the file read, "" for built-in defaults */
	uint32_t    generation;
	int	    stopping; /* TERM received: finishing sessions */
	int	    ready;   /* workers ready (pool_ready_count); 0: degraded */
	const char *hostkey; /* "SHA256:..." of the host key, "" for none */
	int	    accounts; /* accounts in the users file */
};

/*
 * status_text: "uptime ... (started ISO-TIME)", "config FILE", "generation
 * N", one "listen ADDR" per socket, "host key SHA256:..." (or "host key
 * none"), "accounts N", "workers: N (B busy, I idle)", then a
 * table with one row per worker (pid, generation, state, peer, user,
 * operation, bytes, rate, since, path).  Worker-supplied strings are
 * escaped with strnvis(3) (VIS_WHITE | VIS_CSTYLE): one row stays one line.
 */
void status_text(FILE *fp, const struct status_head *h);

/*
 * status_json: the same as one JSON object (RFC 8259) and a newline; the
 * keys are listed in ftpd(8).  Strings go through json_str (json.h), so a
 * path with any bytes keeps the document valid.
 */
void status_json(FILE *fp, const struct status_head *h);

#endif
