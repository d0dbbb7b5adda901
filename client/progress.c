/*
 * progress.c: ftpc's progress bar on standard error.  It is drawn only when
 * the caller says so (stderr is a terminal and -q was not given), redrawn at
 * most ten times a second on one line with '\r', and fitted to the
 * terminal's width (TIOCGWINSZ, 80 columns by default).  It must not write
 * anything to standard output nor slow the transfer: a call that does not
 * redraw costs one clock_mono_ms.
 */
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

/* human: bytes as "512B", "1.5M", "115G" into out (8 bytes). */
static void
human(char out[8], uint64_t bytes)
{
	int64_t v = bytes > INT64_MAX ? INT64_MAX : (int64_t)bytes;

	if (humanize_number(out, 6, v, "", HN_AUTOSCALE,
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
	human(b, p->done);
	human(r, (uint64_t)rate);
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
}

void
progress_start(struct progress *p, int on, const char *name, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = on;
	if (!on)
		return;
	(void)safetext_copy(p->name, sizeof(p->name), name, strlen(name));
	p->total = total;
	p->start = p->drawn = p->win_t = clock_mono_ms();
	progress_draw(p, 0, "ETA --:--");
}

void
progress_skip(struct progress *p, uint64_t n)
{
	p->done += n;
	p->base = p->win_bytes = p->done;
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
	p->on = 0;
}
