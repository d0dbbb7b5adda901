/*
 * progress.h: the transfer progress bar of ftpc on standard error: one line
 * redrawn with '\r' at most ten times a second (name, bytes, percent, rate,
 * ETA), and a closing line with the total and the average rate.
 */
#ifndef FTPC_PROGRESS_H
#define FTPC_PROGRESS_H

#include <stdint.h>

struct progress {
	int	 on;	    /* draw at all (stderr is a terminal, no -q) */
	char	 name[256]; /* printable copy of the file name */
	uint64_t total;	    /* bytes expected */
	uint64_t done;	    /* bytes so far */
	uint64_t base;	    /* bytes there before the transfer (resumed) */
	int64_t	 start;	    /* clock_mono_ms() at progress_start */
	int64_t	 drawn;	    /* when the line was last drawn, ms */
	int64_t	 win_t;	    /* start of the current rate window, ms */
	uint64_t win_bytes; /* done at win_t */
	double	 rate;	    /* bytes/s over the last full window, 0 = none */
	int	 shown;	    /* a line is on the screen */
};

/*
 * progress_start: begin a bar for name (any bytes; control bytes shown as
 * '?') of total bytes; on = 0 makes every call a no-op.
 */
void progress_start(struct progress *p, int on, const char *name,
    uint64_t total);

/*
 * progress_skip: n bytes were there before the transfer (a resumed
 * download): counted in the bytes and percent, not in the rate.
 */
void progress_skip(struct progress *p, uint64_t n);

/* progress_add: n more bytes moved; redraws if 100 ms have passed. */
void progress_add(struct progress *p, uint64_t n);

/*
 * progress_end: ok = 1 draws the final line (total, average rate, time)
 * and a newline; ok = 0 just ends the line so an error message follows on
 * its own line.
 */
void progress_end(struct progress *p, int ok);

#endif
