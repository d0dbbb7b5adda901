/*
 * log.c: the one logging API of ftpd and ftpc (after OpenBSD's log.c).
 * Each event becomes one line
 *   2026-11-22T05:34:26+00:00 ftpd[1234]: worker info: message
 * written with a single write(2) on an O_APPEND descriptor, so lines from
 * many processes never interleave.  Processes without the files (workers)
 * install a sink that forwards finished lines to the master, which writes
 * them with log_write_line.  This file must not change errno for its
 * callers, must not let a message span lines (control bytes become '?'),
 * and must not exit except in fatal/fatalx.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

#define LOG_MODE 0640

static struct {
	int	    debug;
	int	    to_stderr;
	const char *role;
	int	    fd[2]; /* LOG_MAIN, LOG_XFER; -1 when closed */
	void (*sink)(int which, const char *line, size_t len);
	const char *prog;
} log_state = { 0, 0, "main", { -1, -1 }, NULL, "ftpd" };

void
log_init(int debug, int to_stderr)
{
	log_state.debug = debug;
	log_state.to_stderr = to_stderr;
	tzset(); /* load the zone now: later we may be chrooted */
}

void
log_setrole(const char *role)
{
	log_state.role = role != NULL ? role : "main";
}

void
log_setprogname(const char *prog)
{
	log_state.prog = prog != NULL ? prog : "ftpd";
}

void
log_set_sink(void (*fn)(int which, const char *line, size_t len))
{
	log_state.sink = fn;
}

/* One write(2) of the whole line; a short count is retried for the rest. */
static void
write_line(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* nowhere left to report it */
		p += n;
		len -= (size_t)n;
	}
}

/* Where a finished line goes: sink or file, plus the stderr copy. */
static void
emit(int which, const char *line, size_t len)
{
	int fd = log_state.fd[which];
	int err = which == LOG_MAIN && log_state.to_stderr;

	if (log_state.sink != NULL)
		log_state.sink(which, line, len);
	else if (fd != -1)
		write_line(fd, line, len);
	else if (which == LOG_MAIN)
		err = 1; /* no file yet: start-up errors must show */
	if (err)
		write_line(STDERR_FILENO, line, len);
}

/*
 * Append src[0..n) to line at *pos, control bytes (but tab) as '?', keeping
 * room for the newline.
 */
static void
append_clean(char *line, size_t *pos, const char *src, size_t n)
{
	unsigned char c;
	size_t	      i;

	for (i = 0; i < n && *pos < LOG_LINE_MAX - 1; i++) {
		c = (unsigned char)src[i];
		line[(*pos)++] = (c < 0x20 && c != '\t') || c == 0x7f ? '?' : c;
	}
}

/* "2026-11-22T05:34:26+00:00" into buf (>= 32 bytes); strftime(3) %z. */
static void
timestamp(char *buf, size_t size)
{
	struct tm tm;
	time_t	  now = time(NULL);
	size_t	  n;

	if (localtime_r(&now, &tm) == NULL ||
	    (n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S%z", &tm)) < 5 ||
	    n + 2 > size) {
		snprintf(buf, size, "0000-00-00T00:00:00+00:00");
		return;
	}
	/* ISO 8601 wants +hh:mm where %z gives +hhmm. */
	memmove(buf + n - 1, buf + n - 2, 3);
	buf[n - 2] = ':';
}

static void __attribute__((format(printf, 3, 0)))
vlog(const char *level, int errnum, const char *fmt, va_list ap)
{
	char   line[LOG_LINE_MAX], msg[LOG_LINE_MAX], ts[40];
	size_t pos = 0;
	int    n;

	timestamp(ts, sizeof(ts));
	n = snprintf(line, sizeof(line), "%s %s[%ld]: %s %s: ", ts,
	    log_state.prog, (long)getpid(), log_state.role, level);
	if (n < 0)
		return;
	pos = (size_t)n < sizeof(line) - 1 ? (size_t)n : sizeof(line) - 1;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		n = snprintf(msg, sizeof(msg), "(bad log format)");
	append_clean(line, &pos, msg, strnlen(msg, sizeof(msg)));
	if (errnum != 0) {
		append_clean(line, &pos, ": ", 2);
		append_clean(line, &pos, strerror(errnum),
		    strlen(strerror(errnum)));
	}
	line[pos++] = '\n';
	emit(LOG_MAIN, line, pos);
}

void
log_info(const char *fmt, ...)
{
	int	saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("info", 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	int	saved = errno;
	va_list ap;

	if (!log_state.debug)
		return;
	va_start(ap, fmt);
	vlog("debug", 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	int	saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("warn", saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	int	saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("warn", 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	int	saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_xfer(const char *text)
{
	char   line[LOG_LINE_MAX];
	size_t pos = 0;
	int    saved = errno;

	append_clean(line, &pos, text, strlen(text));
	line[pos++] = '\n';
	emit(LOG_XFER, line, pos);
	errno = saved;
}

void
log_write_line(int which, const char *line, size_t len)
{
	char   buf[LOG_LINE_MAX];
	size_t pos = 0;
	int    saved = errno;

	/*
	 * SECURITY: the line comes from a worker, which may be compromised:
	 * it is re-cut to one bounded line before it reaches the file.
	 */
	if ((which != LOG_MAIN && which != LOG_XFER) || line == NULL)
		return;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	append_clean(buf, &pos, line, len);
	buf[pos++] = '\n';
	if (log_state.fd[which] != -1)
		write_line(log_state.fd[which], buf, pos);
	else if (which == LOG_MAIN && !log_state.to_stderr)
		write_line(STDERR_FILENO, buf, pos); /* as emit() does */
	errno = saved;
}

static int
open_one(const char *path)
{
	if (path == NULL)
		return -1;
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, LOG_MODE);
}

/* Put new in place of old, keeping old's number when there is one. */
static int
replace_fd(int old, int new)
{
	if (old == -1)
		return new;
	if (new == -1) {
		close(old);
		return -1;
	}
	if (dup3(new, old, O_CLOEXEC) == -1) {
		close(old);
		return new;
	}
	close(new);
	return old;
}

int
log_open(const char *main_path, const char *xfer_path)
{
	int fd_main, fd_xfer, saved = errno;

	/* Both new files first: on any failure the old ones stay. */
	if ((fd_main = open_one(main_path)) == -1 && main_path != NULL)
		return -1;
	if ((fd_xfer = open_one(xfer_path)) == -1 && xfer_path != NULL) {
		saved = errno;
		if (fd_main != -1)
			close(fd_main);
		errno = saved;
		return -1;
	}
	log_state.fd[LOG_MAIN] = replace_fd(log_state.fd[LOG_MAIN], fd_main);
	log_state.fd[LOG_XFER] = replace_fd(log_state.fd[LOG_XFER], fd_xfer);
	errno = saved;
	return 0;
}

void
log_close(void)
{
	int saved = errno, i;

	for (i = 0; i < 2; i++) {
		if (log_state.fd[i] != -1)
			close(log_state.fd[i]);
		log_state.fd[i] = -1;
	}
	errno = saved;
}
