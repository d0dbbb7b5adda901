/*
 * progress.h: the transfer progress bar of ftpc on standard error: one line
 * redrawn with '\r' at most ten times a second (name, bytes, percent, rate,
 * ETA), and a closing line with the total and the average rate.
 */
#ifndef FTPC_PROGRESS_H
#define FTPC_PROGRESS_H

#include <signal.h>
#include <stdint.h>

struct ftpc;

struct progress {
	int		 on; /* draw at all (stderr is a terminal, no -q) */
	char		 name[256]; /* printable copy of the file name */
	uint64_t	 total;	    /* bytes expected */
	uint64_t	 done;	    /* bytes so far */
	uint64_t	 base;	/* bytes there before the transfer (resumed) */
	int64_t		 start; /* clock_mono_ms() at progress_start */
	int64_t		 drawn; /* when the line was last drawn, ms */
	int64_t		 win_t; /* start of the current rate window, ms */
	uint64_t	 win_bytes; /* done at win_t */
	double		 rate; /* bytes/s over the last full window, 0 = none */
	int		 shown;	 /* a line is on the screen */
	struct progress *up;	 /* a tree's total line this file counts in */
	int		 report; /* --parallel child: pipe to the parent */
	uint64_t	 unsent; /* bytes not yet reported */
	uint64_t	 files;	 /* total line: files in the tree */
	uint64_t	 files_done; /* total line: files finished */
};

/* A bar's line is on the screen without its newline (signal handlers). */
extern volatile sig_atomic_t progress_line_open;

/* A --parallel child's report to its parent (progress_report). */
struct progress_rec {
	uint32_t kind; /* PROGRESS_BYTES, PROGRESS_DONE, PROGRESS_FAIL */
	uint32_t job;  /* the job's index */
	uint64_t n;    /* bytes moved (PROGRESS_BYTES) */
};
enum { PROGRESS_BYTES, PROGRESS_DONE, PROGRESS_FAIL };

/* progress_human: bytes as "512B", "1.5M", "115G" into out (8 bytes). */
void progress_human(char out[8], uint64_t bytes);

/*
 * progress_start: begin a bar for name (any bytes; control bytes shown as
 * '?') of total bytes: drawn when c->progress and no tree total is
 * running; counted in c->total (a tree) or reported on c->report (a
 * --parallel child) otherwise.
 */
void progress_start(struct progress *p, const struct ftpc *c, const char *name,
    uint64_t total);

/*
 * progress_tree: begin a tree's total line (on: draw it) of files files
 * and bytes bytes: "[DONE/FILES files] BYTES PCT RATE ETA".
 */
void progress_tree(struct progress *t, int on, uint64_t files, uint64_t bytes);

/*
 * progress_file: a file of the tree t ended (ok: 1 done, 0 failed); a
 * done one gets its own line "NAME SIZE" above the total line.
 */
void progress_file(struct progress *t, const char *name, uint64_t size, int ok);

/* progress_note: print line (with its '\n') above the total line. */
void progress_note(struct progress *t, const char *line);

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
