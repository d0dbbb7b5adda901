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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/utf8.h"

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

/* SECURITY: C0 controls but tab, DEL and C1 controls steer a terminal. */
static int
log_is_control(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f);
}

size_t
log_clean(char *dst, size_t pos, size_t size, const char *src, size_t n)
{
	const uint8_t *s = (const uint8_t *)src;
	size_t	       i = 0;
	uint32_t       cp;
	int	       len;

	while (i < n && pos + 1 < size) {
		len = utf8_decode(s + i, n - i, &cp);
		if (len < 0 || log_is_control(cp)) {
			/* One '?' per malformed byte or per control, so a
			 * line cleaned twice (worker, then master) stays. */
			dst[pos++] = '?';
			i += len < 0 ? 1 : (size_t)len;
			continue;
		}
		if (pos + (size_t)len >= size)
			break; /* never cut a character in half */
		while (len-- > 0)
			dst[pos++] = (char)s[i++];
	}
	return pos;
}

/*
 * Append src[0..n) to line at *pos, control bytes (but tab) as '?', keeping
 * room for the newline.
 */
static void
append_clean(char *line, size_t *pos, const char *src, size_t n)
{
	*pos = log_clean(line, *pos, LOG_LINE_MAX, src, n);
}

/*
 * "TS PROG[pid]: ROLE LEVEL: " into line (LOG_LINE_MAX bytes); returns its
 * length.  TS is clock_iso8601 of now, or a fixed dummy if that fails.
 */
static size_t
prefix(char *line, long pid, const char *role, const char *level)
{
	char ts[CLOCK_ISO8601_LEN];
	int  n;

	if (clock_iso8601(ts, sizeof(ts), time(NULL)) != 0)
		(void)snprintf(ts, sizeof(ts), "0000-00-00T00:00:00+00:00");
	n = snprintf(line, LOG_LINE_MAX, "%s %s[%ld]: %s %s: ", ts,
	    log_state.prog, pid, role, level);
	if (n < 0)
		return 0;
	return (size_t)n < LOG_LINE_MAX - 1 ? (size_t)n : LOG_LINE_MAX - 1;
}

/*
 * A finished message (body, bodylen bytes, already clean) at level: to the
 * sink as "LEVEL: body\n" (the master adds time, pid and role), or as a
 * whole line to the file; plus the whole line on stderr when asked.
 */
static void
emit_main(const char *level, const char *body, size_t bodylen)
{
	char   line[LOG_LINE_MAX];
	size_t pos;
	int    n;

	if (log_state.sink != NULL) {
		n = snprintf(line, sizeof(line), "%s: ", level);
		pos = n > 0 ? (size_t)n : 0;
		append_clean(line, &pos, body, bodylen);
		line[pos++] = '\n';
		log_state.sink(LOG_MAIN, line, pos);
		if (!log_state.to_stderr)
			return;
	}
	pos = prefix(line, (long)getpid(), log_state.role, level);
	append_clean(line, &pos, body, bodylen);
	line[pos++] = '\n';
	if (log_state.sink == NULL && log_state.fd[LOG_MAIN] != -1)
		write_line(log_state.fd[LOG_MAIN], line, pos);
	if (log_state.to_stderr ||
	    (log_state.sink == NULL && log_state.fd[LOG_MAIN] == -1))
		write_line(STDERR_FILENO, line, pos); /* start-up errors show */
}

static void __attribute__((format(printf, 3, 0)))
vlog(const char *level, int errnum, const char *fmt, va_list ap)
{
	char   body[LOG_LINE_MAX], msg[LOG_LINE_MAX];
	size_t pos = 0;
	int    n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		(void)snprintf(msg, sizeof(msg), "(bad log format)");
	append_clean(body, &pos, msg, strnlen(msg, sizeof(msg)));
	if (errnum != 0) {
		append_clean(body, &pos, ": ", 2);
		append_clean(body, &pos, strerror(errnum),
		    strlen(strerror(errnum)));
	}
	emit_main(level, body, pos);
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
	if (log_state.sink != NULL)
		log_state.sink(LOG_XFER, line, pos);
	else if (log_state.fd[LOG_XFER] != -1)
		write_line(log_state.fd[LOG_XFER], line, pos);
	errno = saved;
}

/*
 * The level a worker's line starts with ("info: ..."): the static name,
 * with *skip the bytes of "LEVEL: ", or NULL if it names none.
 */
static const char *
worker_level(const char *line, size_t len, size_t *skip)
{
	static const char *const levels[] = { "debug", "info", "warn",
		"fatal" };
	size_t			 i, n;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		n = strlen(levels[i]);
		if (len >= n + 2 && memcmp(line, levels[i], n) == 0 &&
		    line[n] == ':' && line[n + 1] == ' ') {
			*skip = n + 2;
			return levels[i];
		}
	}
	return NULL;
}

/* The master's copy of a line to file which (stderr when it has none). */
static void
write_master(int which, const char *buf, size_t len)
{
	if (log_state.fd[which] != -1)
		write_line(log_state.fd[which], buf, len);
	else if (which == LOG_MAIN && !log_state.to_stderr)
		write_line(STDERR_FILENO, buf, len); /* as vlog does */
}

void
log_worker_line(long pid, int which, const char *line, size_t len)
{
	char	    buf[LOG_LINE_MAX];
	const char *level;
	size_t	    pos = 0, skip = 0;
	int	    saved = errno;

	/*
	 * SECURITY: the line comes from a worker, which may be compromised:
	 * the master writes the prefix (time, the pid it knows, role
	 * "worker"), takes only a known level from the worker, and re-cuts
	 * the text to one bounded line, so no line can pass for the master's.
	 */
	if ((which != LOG_MAIN && which != LOG_XFER) || line == NULL)
		return;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (which == LOG_MAIN) {
		if ((level = worker_level(line, len, &skip)) == NULL)
			level = "warn";
		pos = prefix(buf, pid, "worker", level);
		if (skip == 0)
			append_clean(buf, &pos, "malformed log line: ", 20);
	}
	append_clean(buf, &pos, line + skip, len - skip);
	buf[pos++] = '\n';
	write_master(which, buf, pos);
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
