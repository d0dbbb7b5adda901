/*
 * test_log.c: unit tests of common/log.c and common/xferlog.c: the line
 * format, reopening after a rename (logrotate), the sink, log_warn's
 * strerror, control bytes, truncation, and one exact xferlog line.  Tests
 * run in order and share log.c's state; all files live in a temporary
 * folder removed at the end.  Nothing here may touch real log files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/safetext.h"
#include "common/xferlog.h"

static char tmpdir[] = "/tmp/test_log.XXXXXX";
static char path_main[PATH_MAX], path_xfer[PATH_MAX], path_old[PATH_MAX];

/* Captured by the sink. */
static int    sink_which = -1;
static char   sink_line[LOG_LINE_MAX + 1];
static size_t sink_len;

static void
sink(int which, const char *line, size_t len)
{
	sink_which = which;
	sink_len = len;
	assert_true(len <= LOG_LINE_MAX);
	memcpy(sink_line, line, len);
	sink_line[len] = '\0';
}

/* The whole file as a string (static buffer), "" when missing. */
static const char *
slurp(const char *path)
{
	static char buf[65536];
	ssize_t	    n;
	int	    fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) == -1)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int
matches(const char *text, const char *pattern)
{
	regex_t re;
	int	rc;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&re, text, 0, NULL, 0);
	regfree(&re);
	return rc == 0;
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path_main, sizeof(path_main), "%s/ftpd.log", tmpdir);
	snprintf(path_xfer, sizeof(path_xfer), "%s/xferlog", tmpdir);
	snprintf(path_old, sizeof(path_old), "%s/ftpd.log.1", tmpdir);
	setenv("TZ", "UTC", 1);
	tzset();
	umask(022);
	log_init(0, 0);
	log_setrole("worker");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	log_close();
	unlink(path_main);
	unlink(path_xfer);
	unlink(path_old);
	rmdir(tmpdir);
	return 0;
}

/* Before log_open, lines go to standard error so start-up errors show. */
static void
test_stderr_before_open(void **state)
{
	char path[PATH_MAX];
	int  fd, saved;

	(void)state;
	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	saved = dup(STDERR_FILENO);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_warnx("no config at %s", "/x");
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(fd);
	assert_true(matches(slurp(path), " worker warn: no config at /x\n$"));
	unlink(path);
}

static void
test_format(void **state)
{
	char	    pattern[256];
	struct stat st;

	(void)state;
	assert_int_equal(log_open(path_main, path_xfer), 0);
	errno = EBADF;
	log_info("hello %d", 5);
	assert_int_equal(errno, EBADF); /* logging leaves errno alone */
	snprintf(pattern, sizeof(pattern),
	    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
	    "\\+00:00 ftpd\\[%ld\\]: worker info: hello 5\n$",
	    (long)getpid());
	assert_true(matches(slurp(path_main), pattern));
	assert_int_equal(stat(path_main, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	log_debug("hidden");
	assert_false(matches(slurp(path_main), "hidden"));
	log_init(1, 0);
	log_debug("shown");
	log_init(0, 0);
	assert_true(matches(slurp(path_main), " worker debug: shown\n$"));
}

/* TZ with a non-zero offset: %z's +0530 must become +05:30. */
static void
test_zone_colon(void **state)
{
	(void)state;
	setenv("TZ", "IST-5:30", 1);
	tzset();
	log_info("zone");
	setenv("TZ", "UTC", 1);
	tzset();
	assert_true(matches(slurp(path_main),
	    "T[0-9]{2}:[0-9]{2}:[0-9]{2}\\+05:30 ftpd\\[[0-9]+\\]: worker "
	    "info: zone\n$"));
}

static void
test_warn_strerror(void **state)
{
	(void)state;
	errno = ENOENT;
	log_warn("open %s", "a.bin");
	assert_int_equal(errno, ENOENT);
	assert_true(matches(slurp(path_main),
	    " worker warn: open a.bin: No such file or directory\n$"));
}

static void
test_control_chars(void **state)
{
	(void)state;
	log_info("a\nb\rc\td\x1b"
		 "e\x7f");
	assert_true(
	    matches(slurp(path_main), " worker info: a\\?b\\?c\td\\?e\\?\n$"));
}

/* C1 controls (raw and UTF-8 encoded) and invalid UTF-8 are encoded too;
 * valid UTF-8 passes, and a worker's cleaned line is not cleaned again. */
static void
test_c1_and_bad_utf8(void **state)
{
	static const char hostile[] =
	    "csi\x9b"
	    "2J c1\xc2\x9b"
	    "x bad\xff\xc0\xaf ok\xc3\xa9 cut\xe2\x82";
	char   out[64];
	size_t n;

	(void)state;
	log_info("%s", hostile);
	assert_true(matches(slurp(path_main),
	    " worker info: csi\\?2J c1\\?x bad\\?\\?\\? ok\xc3\xa9 "
	    "cut\\?\\?\n$"));
	log_worker_line(9, LOG_MAIN, "info: p\x85q\n", 10);
	assert_true(matches(slurp(path_main), "worker info: p\\?q\n$"));
	n = log_clean(out, 0, sizeof(out), "a?\xc3\xa9", 4);
	assert_int_equal(n, 4);
	assert_int_equal(log_clean(out, 0, sizeof(out), out, n), 4);
	assert_memory_equal(out, "a?\xc3\xa9", 4);
	/* A character that does not fit whole is left out. */
	assert_int_equal(log_clean(out, 0, 3, "a\xc3\xa9", 3), 1);
}

static void
test_truncation(void **state)
{
	char	    big[LOG_LINE_MAX * 2];
	const char *text;
	const char *last;
	size_t	    n;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
	text = slurp(path_main);
	n = strlen(text);
	assert_true(n > 0 && text[n - 1] == '\n');
	last = text + n - 1;
	while (last > text && last[-1] != '\n')
		last--;
	assert_int_equal(strlen(last), LOG_LINE_MAX);
}

/* logrotate: rename, old fd keeps writing, reopen moves to the new file. */
static void
test_reopen(void **state)
{
	(void)state;
	log_info("before rename");
	assert_int_equal(rename(path_main, path_old), 0);
	log_info("after rename");
	assert_int_equal(log_open(path_main, path_xfer), 0);
	log_info("after reopen");
	assert_true(
	    matches(slurp(path_old), "before rename\n.*after rename\n$"));
	assert_false(matches(slurp(path_old), "after reopen"));
	assert_true(matches(slurp(path_main),
	    "^[^\n]* worker info: after "
	    "reopen\n$"));
	/* A failed reopen keeps the files in use. */
	errno = 0;
	assert_int_equal(log_open(path_main, "/nonexistent/dir/xferlog"), -1);
	assert_int_equal(errno, ENOENT);
	log_info("still here");
	assert_true(matches(slurp(path_main), "after reopen\n.*still here\n$"));
}

static void
test_sink(void **state)
{
	(void)state;
	log_set_sink(sink);
	log_warnx("to the %s", "master");
	assert_int_equal(sink_which, LOG_MAIN);
	assert_int_equal(sink_len, strlen(sink_line));
	/* The worker sends only level and text: the master adds the rest. */
	assert_string_equal(sink_line, "warn: to the master\n");
	log_xfer("a b c");
	assert_int_equal(sink_which, LOG_XFER);
	assert_string_equal(sink_line, "a b c\n");
	log_set_sink(NULL);
	assert_false(matches(slurp(path_main), "to the master"));
	assert_string_equal(slurp(path_xfer), "");
}

/* The master re-cuts a worker's line: one line, one newline. */
static void
test_write_line(void **state)
{
	(void)state;
	log_worker_line(4321, LOG_MAIN, "info: forged\nline\n", 18);
	assert_true(matches(slurp(path_main),
	    "\n[0-9T:+-]+ ftpd\\[4321\\]: worker info: forged\\?line\n$"));
	log_worker_line(4321, 7, "bad which\n", 10);
	assert_false(matches(slurp(path_main), "bad which"));
	log_xfer("x\ty\nz");
	assert_string_equal(slurp(path_xfer), "x\ty?z\n");
}

/*
 * A worker cannot make a line look like the master's: the prefix (time,
 * pid, role) is the master's own; an unknown level is said to be one.
 */
static void
test_worker_forgery(void **state)
{
	static const char forged[] = "2026-11-22T05:34:26+00:00 ftpd[1]: "
				     "master info: ftpd stopped\n";
	char		  big[LOG_LINE_MAX];
	const char	 *text;

	(void)state;
	log_worker_line(77, LOG_MAIN, forged, strlen(forged));
	text = slurp(path_main);
	assert_true(matches(text,
	    "\n[0-9T:+-]+ ftpd\\[77\\]: worker warn: malformed log line: "
	    "2026-11-22T05:34:26\\+00:00 ftpd\\[1\\]: master info: ftpd "
	    "stopped\n$"));
	assert_false(
	    matches(text, "\n2026-11-22T05:34:26\\+00:00 ftpd\\[1\\]"));
	/* "info:" without its space is no level either. */
	log_worker_line(77, LOG_MAIN, "info:x", 6);
	assert_true(matches(slurp(path_main),
	    "worker warn: malformed log line: info:x\n$"));
	/* A carriage return, an escape and an oversized line stay one line. */
	log_worker_line(77, LOG_MAIN, "debug: a\rb\033[2Jc",
	    strlen("debug: a\rb\033[2Jc"));
	assert_true(
	    matches(slurp(path_main), "worker debug: a\\?b\\?\\[2Jc\n$"));
	memset(big, 'y', sizeof(big));
	memcpy(big, "fatal: ", 7);
	log_worker_line(77, LOG_MAIN, big, sizeof(big));
	text = slurp(path_main);
	assert_true(matches(text, "worker fatal: y+\n$"));
	assert_true(strlen(strrchr(text, ']')) < LOG_LINE_MAX);
}

static void
test_xferlog_format(void **state)
{
	struct xfer_record r = { .end = 1795325666, /* 2026-11-22 05:34:26Z */
		.seconds = 1,
		.host = "127.0.0.1",
		.bytes = 1048577,
		.path = "/a.bin",
		.incoming = 1,
		.user = "secret",
		.complete = 1 };
	char		   out[256];
	const char *want = "Sun Nov 22 05:34:26 2026 1 127.0.0.1 1048577 "
			   "/a.bin b _ i r secret ftp 0 * c";

	(void)state;
	assert_int_equal(xferlog_format(&r, out, sizeof(out)),
	    (int)strlen(want));
	assert_string_equal(out, want);
	/* Exactly enough room, then one byte short. */
	assert_int_equal(xferlog_format(&r, out, strlen(want) + 1),
	    (int)strlen(want));
	assert_int_equal(xferlog_format(&r, out, strlen(want)), -1);
	assert_string_equal(out, "");
	/* A single-digit day is space-padded as in ctime(3). */
	r.end = 1793597666; /* 2026-11-02 05:34:26Z */
	r.path = "/my file\n.txt";
	r.incoming = 0;
	r.complete = 0;
	r.seconds = 0;
	assert_true(xferlog_format(&r, out, sizeof(out)) > 0);
	assert_string_equal(out,
	    "Mon Nov  2 05:34:26 2026 1 127.0.0.1 "
	    "1048577 /my_file\\x0a.txt b _ o r secret ftp 0 "
	    "* i");
	assert_int_equal(xferlog_format(&r, out, 20), -1);
	assert_string_equal(out, "");
}

/* Hostile bytes in a client's name are encoded, never written raw. */
static void
test_xferlog_hostile_names(void **state)
{
	struct xfer_record r = { .end = 1795325666,
		.seconds = 1,
		.host = "127.0.0.1",
		.bytes = 1,
		.path = "/a\x9b[2J\xc2\x9b\xff\\ \xc3\xa9\xe2\x80\xa8.txt",
		.incoming = 1,
		.user = "secret",
		.complete = 1 };
	char		   out[256];
	const char	  *want = "Sun Nov 22 05:34:26 2026 1 127.0.0.1 1 "
				  "/a\\x9b[2J\\xc2\\x9b\\xff\\\\_\xc3\xa9"
				  "\\xe2\\x80\\xa8.txt b _ i r secret ftp 0 * c";
	size_t		   i;

	(void)state;
	assert_int_equal(xferlog_format(&r, out, sizeof(out)),
	    (int)strlen(want));
	assert_string_equal(out, want);
	for (i = 0; out[i] != '\0'; i++) /* C0 and raw C1 never pass */
		assert_false((unsigned char)out[i] < 0x20 ||
		    ((unsigned char)out[i] >= 0x7f &&
			(unsigned char)out[i] <= 0x9f &&
			(i == 0 || (unsigned char)out[i - 1] != 0xc2)));
	/* The encoding of a field is never cut: the line fails whole. */
	assert_int_equal(xferlog_format(&r, out, 48), -1);
	assert_string_equal(out, "");
}

/* safetext_vis returns the whole encoding's length, as snprintf does. */
static void
test_safetext_vis_cut(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(safetext_vis(out, sizeof(out),
			     "ab\x01"
			     "cd",
			     5),
	    8);
	assert_string_equal(out, "ab\\x01c");
	assert_int_equal(safetext_vis(out, 6,
			     "ab\x01"
			     "cd",
			     5),
	    8);
	assert_string_equal(out, "ab"); /* no half escape */
	assert_int_equal(safetext_vis(out, 0, "x", 1), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stderr_before_open),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_zone_colon),
		cmocka_unit_test(test_warn_strerror),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_c1_and_bad_utf8),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_sink),
		cmocka_unit_test(test_write_line),
		cmocka_unit_test(test_worker_forgery),
		cmocka_unit_test(test_xferlog_format),
		cmocka_unit_test(test_xferlog_hostile_names),
		cmocka_unit_test(test_safetext_vis_cut),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
