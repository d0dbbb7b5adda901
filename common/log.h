/*
 * log.h: the one logging API (after OpenBSD log.c).  A line is
 *   2026-11-22T05:34:26+00:00 ftpd[1234]: worker info: message
 * (ISO-8601 local time with zone, pid, role, level, message) and is written
 * with one write(2) on an O_APPEND descriptor, so lines never interleave and
 * tail -f shows them at once.  Processes that do not own the log files (the
 * workers) install a sink that forwards finished lines to the owner.
 */
#ifndef FTPD_LOG_H
#define FTPD_LOG_H

#include <stdarg.h>
#include <stddef.h>

#define LOG_LINE_MAX 2048 /* longest line in bytes, newline included */

enum log_file {
	LOG_MAIN = 0, /* ftpd.log */
	LOG_XFER = 1  /* xferlog */
};

/*
 * log_init: debug = 1 also emits log_debug lines; to_stderr = 1 copies every
 * line to standard error (foreground mode, client, tools).
 */
void log_init(int debug, int to_stderr);

/* log_setprogname: the name before "[pid]", "ftpd" unless set ("ftpc"). */
void log_setprogname(const char *prog);

/* log_setrole: "master", "worker", "ftpc"...; the string must stay valid. */
void log_setrole(const char *role);

/*
 * log_open: (re)open the two files with O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC,
 * mode 0640; either path may be NULL to keep that file closed.  On failure
 * the old descriptors stay in use and -1 is returned with errno.  Reopening
 * after a rename is how logrotate works with us.
 */
__attribute__((warn_unused_result)) int log_open(const char *main_path,
    const char						    *xfer_path);

/* log_close: close both files (children that must not hold them). */
void log_close(void);

/*
 * log_set_sink: send each line to fn instead of the files (a worker: the
 * master writes them).  For LOG_MAIN the line is "LEVEL: message\n" (LEVEL
 * "debug", "info", "warn" or "fatal"; the owner adds time, pid and role);
 * for LOG_XFER the whole xferlog line with its newline.  len is at most
 * LOG_LINE_MAX.  The full line still goes to stderr when log_init asked.
 * NULL restores the files.
 */
void log_set_sink(void (*fn)(int which, const char *line, size_t len));

/*
 * log_worker_line: the master writes a line a worker sent (which =
 * LOG_MAIN or LOG_XFER, line of len bytes as the sink gave it, untrusted)
 * to its file.  A LOG_MAIN line gets the master's own prefix: time, the
 * worker's pid (as the master knows it), role "worker" and the worker's
 * level when it is a known one (else "warn" and "malformed log line: ").
 * Controls and invalid UTF-8 become '?' (log_clean); the line is cut to LOG_LINE_MAX, so it
 * stays one line.  Anything else for which is dropped.
 */
void log_worker_line(long pid, int which, const char *line, size_t len);

/*
 * log_clean: append src[0..n) to dst at pos, stopping before
 * dst[size - 1] (not written: room for the caller's newline or NUL).
 * Each C0 control but tab, DEL and C1 control (raw 0x80-0x9f or UTF-8
 * U+0080-U+009F) becomes one '?', and so does each byte of a sequence
 * that is not well-formed UTF-8 (utf8_decode); valid UTF-8 passes, never
 * cut in half.  Cleaning twice changes nothing.  Returns the new pos.
 * The one scrubber for log text: every line the master writes (its own,
 * with peer strings, and the ones workers forward) goes through it.
 */
size_t log_clean(char *dst, size_t pos, size_t size, const char *src, size_t n);

/*
 * log_xfer: write one xferlog line (text without newline; see
 * xferlog_format in common/xferlog.h).
 */
void log_xfer(const char *text);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn: appends ": strerror(errno)". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fatal, fatalx: log at level "fatal" and exit(1). */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
