/*
 * progress.c: ftpc's progress bar on standard error.  It is drawn only when
 * the caller says so (stderr is a terminal and -q was not given), redrawn at
 * most ten times a second on one line with '\r', and fitted to the
 * terminal's width (TIOCGWINSZ, 80 columns by default).  It must not write
 * anything to standard output nor slow the transfer: a call that does not
 * redraw costs one clock_mono_ms.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <bsd/libutil.h>
#include <bsd/string.h>

#include "client/ftpc.h"
#include "client/progress.h"
#include "common/clock.h"
#include "common/safetext.h"

#define PROGRESS_REDRAW 100  /* milliseconds between two redraws */
#define PROGRESS_WINDOW 1000 /* milliseconds of the rate window */

/* rate: bytes per second of bytes moved in ms milliseconds (0 if none). */
static double
rate(uint64_t bytes, int64_t ms)
{
	return ms > 0 ? (double)bytes * 1000.0 / (double)ms : 0;
}

static int
progress_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

volatile sig_atomic_t progress_line_open;

void
progress_human(char out[8], uint64_t bytes)
{
	int64_t v = bytes > INT64_MAX ? INT64_MAX : (int64_t)bytes;

	if (humanize_number(out, 5, v, "", HN_AUTOSCALE,
		HN_DECIMAL | HN_NOSPACE | HN_B) == -1)
		strlcpy(out, "?", 8);
}

/* hms: seconds as "MM:SS" or "H:MM:SS" into out. */
static void
hms(char *out, size_t outlen, double secs)
{
	unsigned long s;

	if (secs < 0 || secs > 99 * 3600.0) {
		snprintf(out, outlen, "--:--");
		return;
	}
	s = (unsigned long)(secs + 0.5);
	if (s >= 3600)
		snprintf(out, outlen, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60,
		    s % 60);
	else
		snprintf(out, outlen, "%02lu:%02lu", s / 60, s % 60);
}

/*
 * progress_draw: "\rNAME  BYTES  PCT%  RATE/s  ETA T" with the name cut to
 * what the width leaves; tail is the text after the rate.
 */
static void
progress_draw(struct progress *p, double rate, const char *tail)
{
	char b[8], r[8], right[96];
	int  pct, n, namew;

	pct = p->total ? (int)(p->done * 100 / p->total) : 100;
	progress_human(b, p->done);
	progress_human(r, (uint64_t)rate);
	n = snprintf(right, sizeof(right), "  %6s  %3d%%  %6s/s  %s", b, pct, r,
	    tail);
	if (n < 0 || (size_t)n >= sizeof(right))
		return;
	namew = progress_width() - 1 - n;
	if (namew < 1)
		namew = 1;
	fprintf(stderr, "\r%-*.*s%s", namew, namew, p->name, right);
	fflush(stderr);
	p->shown = 1;
	progress_line_open = 1;
}

void
progress_start(struct progress *p, const struct ftpc *c, const char *name,
    uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = c->progress && c->total == NULL;
	p->up = c->total;
	p->report = c->report;
	(void)safetext_copy(p->name, sizeof(p->name), name, strlen(name));
	p->total = total;
	p->start = p->drawn = p->win_t = clock_mono_ms();
	if (p->on)
		progress_draw(p, 0, "ETA --:--");
}

/* progress_send: a --parallel child's bytes to its parent. */
static void
progress_send(struct progress *p, int force)
{
	struct progress_rec rec = { PROGRESS_BYTES, 0, p->unsent };
	ssize_t		    n;

	if (p->report < 0 || p->unsent == 0 ||
	    (!force && p->unsent < (1u << 20)))
		return;
	n = write(p->report, &rec, sizeof(rec)); /* < PIPE_BUF: atomic */
	(void)n;
	p->unsent = 0;
}

void
progress_skip(struct progress *p, uint64_t n)
{
	p->done += n;
	p->base = p->win_bytes = p->done;
	if (p->up != NULL) { /* resumed bytes count as done, not in rate */
		p->up->done += n;
		p->up->base += n;
		p->up->win_bytes += n;
	}
	if (p->on && n > 0)
		progress_draw(p, 0, "ETA --:--");
}

void
progress_add(struct progress *p, uint64_t n)
{
	char	 tail[48], eta[24];
	int64_t	 now;
	double	 r;
	uint64_t left;

	p->done += n;
	if (p->up != NULL)
		progress_add(p->up, n);
	if (p->report >= 0) {
		p->unsent += n;
		progress_send(p, 0);
	}
	if (!p->on)
		return;
	now = clock_mono_ms();
	if (now - p->drawn < PROGRESS_REDRAW)
		return;
	p->drawn = now;
	if (now - p->win_t >= PROGRESS_WINDOW) {
		p->rate = rate(p->done - p->win_bytes, now - p->win_t);
		p->win_t = now;
		p->win_bytes = p->done;
	}
	r = p->rate > 0 ? p->rate : rate(p->done - p->base, now - p->start);
	left = p->total > p->done ? p->total - p->done : 0;
	hms(eta, sizeof(eta), r > 0 ? (double)left / r : -1);
	snprintf(tail, sizeof(tail), "ETA %s", eta);
	progress_draw(p, r, tail);
}

void
progress_end(struct progress *p, int ok)
{
	char	tail[48], t[24];
	int64_t ms;

	if (p->report >= 0)
		progress_send(p, 1);
	if (!p->on)
		return;
	if (ok) {
		ms = clock_mono_ms() - p->start;
		hms(t, sizeof(t), (double)ms / 1000.0);
		snprintf(tail, sizeof(tail), "in %s   ", t);
		progress_draw(p, rate(p->done - p->base, ms), tail);
	}
	if (p->shown)
		fputc('\n', stderr);
	progress_line_open = 0;
	p->on = 0;
}

void
progress_tree(struct progress *t, int on, uint64_t files, uint64_t bytes)
{
	memset(t, 0, sizeof(*t));
	t->on = on;
	t->report = -1;
	t->files = files;
	t->total = bytes;
	snprintf(t->name, sizeof(t->name), "[0/%llu files]",
	    (unsigned long long)files);
	t->start = t->drawn = t->win_t = clock_mono_ms();
	if (on)
		progress_draw(t, 0, "ETA --:--");
}

void
progress_note(struct progress *t, const char *line)
{
	if (t->on && t->shown)
		fputs("\r\033[K", stderr);
	fputs(line, stderr);
	if (t->on) {
		t->drawn = 0; /* redraw at the next progress_add */
		progress_draw(t, t->rate, "");
	}
}

void
progress_file(struct progress *t, const char *name, uint64_t size, int ok)
{
	char line[PATH_MAX + 32], safe[PATH_MAX], h[8];

	t->files_done++;
	snprintf(t->name, sizeof(t->name), "[%llu/%llu files]",
	    (unsigned long long)t->files_done, (unsigned long long)t->files);
	if (!t->on || !ok)
		return;
	(void)safetext_copy(safe, sizeof(safe), name, strlen(name));
	progress_human(h, size);
	snprintf(line, sizeof(line), "%s  %s\n", safe, h);
	progress_note(t, line);
}
