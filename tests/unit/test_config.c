/*
 * test_config.c: unit tests of common/config.c: every key of the file,
 * bad values and unknown keys with their line numbers, relative paths,
 * sizes, booleans, the listen list, a missing file, and that a failed load
 * leaves the config as it was (the defaults: test_config_defaults.c).
 * Files live in a temporary folder removed at the end; nothing here reads
 * a real configuration.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/config.h"

static char tmpdir[] = "/tmp/test_config.XXXXXX";
static char conf_path[PATH_MAX];
static char err[1024];

/* Write text to tmpdir/ftpd.conf. */
static void
write_conf(const char *text)
{
	FILE *fp;

	snprintf(conf_path, sizeof(conf_path), "%s/ftpd.conf", tmpdir);
	assert_non_null(fp = fopen(conf_path, "w"));
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Load text over the defaults of tmpdir; returns config_load's result. */
static int
load(struct config *c, const char *text)
{
	assert_int_equal(config_defaults(c, tmpdir), 0);
	write_conf(text);
	err[0] = '\0';
	return config_load(c, conf_path, err, sizeof(err));
}

/* err must be "CONF:line: ..." and mention what. */
static void
assert_error(int line, const char *what)
{
	char prefix[PATH_MAX + 32];

	snprintf(prefix, sizeof(prefix), "%s:%d: ", conf_path, line);
	if (strncmp(err, prefix, strlen(prefix)) != 0 ||
	    strstr(err, what) == NULL)
		fail_msg("error \"%s\", wanted \"%s...%s\"", err, prefix, what);
}

/* A file that sets every key to something other than its default. */
static const char every_key[] = "# every key\n"
				"listen = 10.0.0.5:2121\n"
				"listen = [::1]:3000\n"
				"root = /srv/x\n"
				"key_file = /etc/x.key\n"
				"pidfile = /run/x.pid\n"
				"log_file = /var/log/x.log\n"
				"xferlog = /var/log/x.xfer\n"
				"user = nobody\n"
				"workers = 8\n"
				"max_workers = 64\n"
				"max_sessions = 7\n"
				"max_per_ip = 3\n"
				"queue_len = 5\n"
				"queue_wait_ms = 150\n"
				"shutdown_timeout = 9\n"
				"login_grace = 11\n"
				"idle_timeout = 12\n"
				"stall_timeout = 13\n"
				"cpu_seconds = 3600\n"
				"memory_limit = 1G\n"
				"open_files = 128\n"
				"file_size_limit = 100M\n"
				"max_file_size = 4G\n"
				"overwrite = no\n"
				"debug = yes\n";

static void
test_every_key(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(load(&c, every_key), 0);
	assert_string_equal(c.file, conf_path);
	assert_int_equal(c.nlisten, 2);
	assert_string_equal(c.listen[0], "10.0.0.5:2121");
	assert_string_equal(c.listen[1], "[::1]:3000");
	assert_string_equal(c.root, "/srv/x");
	assert_string_equal(c.key_file, "/etc/x.key");
	assert_string_equal(c.pidfile, "/run/x.pid");
	assert_string_equal(c.log_file, "/var/log/x.log");
	assert_string_equal(c.xferlog, "/var/log/x.xfer");
	assert_string_equal(c.user, "nobody");
	assert_int_equal(c.workers, 8);
	assert_int_equal(c.max_workers, 64);
	assert_int_equal(c.max_sessions, 7);
	assert_int_equal(c.max_per_ip, 3);
	assert_int_equal(c.queue_len, 5);
	assert_int_equal(c.queue_wait_ms, 150);
	assert_int_equal(c.shutdown_timeout, 9);
	assert_int_equal(c.login_grace, 11);
	assert_int_equal(c.idle_timeout, 12);
	assert_int_equal(c.stall_timeout, 13);
	assert_int_equal(c.cpu_seconds, 3600);
	assert_int_equal(c.memory_limit, 1ULL << 30);
	assert_int_equal(c.open_files, 128);
	assert_int_equal(c.file_size_limit, 100ULL << 20);
	assert_int_equal(c.max_file_size, 4ULL << 30);
	assert_int_equal(c.overwrite, 0);
	assert_int_equal(c.debug, 1);
}

/* max_startups as sshd reads MaxStartups; the penalty keys. */
static void
test_admission_keys(void **state)
{
	struct config c;
	int	      ms[3] = { 0, 0, 0 };

	(void)state;
	assert_int_equal(load(&c,
			     "max_startups = 5:50:20\nmax_startups_per_ip = 2\n"
			     "penalty_authfail = 7\npenalty_noauth = 0\n"
			     "penalty_grace = 9\npenalty_min = 4\n"
			     "penalty_max = 60\n"),
	    0);
	assert_int_equal(c.max_startups[0], 5);
	assert_int_equal(c.max_startups[1], 50);
	assert_int_equal(c.max_startups[2], 20);
	assert_int_equal(c.max_startups_per_ip, 2);
	assert_int_equal(c.penalty_authfail, 7);
	assert_int_equal(c.penalty_noauth, 0);
	assert_int_equal(c.penalty_grace, 9);
	assert_int_equal(c.penalty_min, 4);
	assert_int_equal(c.penalty_max, 60);
	assert_int_equal(config_parse_startups("12", ms), 0);
	assert_true(ms[0] == 12 && ms[1] == 100 && ms[2] == 12);
	assert_int_equal(config_parse_startups("10:30", ms), -1);
	assert_int_equal(config_parse_startups("20:30:10", ms), -1);
	assert_int_equal(config_parse_startups("1:101:10", ms), -1);
	assert_int_equal(config_parse_startups("0:30:10", ms), -1);
	assert_int_equal(config_parse_startups("1:2:3:4", ms), -1);
	assert_int_equal(config_parse_startups("a:b:c", ms), -1);
	assert_true(ms[0] == 12 && ms[1] == 100 && ms[2] == 12);
	assert_int_equal(load(&c, "\nmax_startups = 10:x:100\n"), -1);
	assert_error(2, "max_startups");
	assert_int_equal(load(&c, "penalty_max = -1\n"), -1);
	assert_error(1, "penalty_max");
}

static void
test_bad_values(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(load(&c, "workers = 2\n\nworkers = many\n"), -1);
	assert_error(3, "workers");
	assert_int_equal(load(&c, "max_workers = 0\n"), -1);
	assert_error(1, "max_workers");
	assert_int_equal(load(&c, "# c\nmemory_limit = 12Q\n"), -1);
	assert_error(2, "memory_limit");
	assert_int_equal(load(&c, "memory_limit = 1M\n"), -1);
	assert_error(1, "16M");
	assert_int_equal(load(&c, "overwrite = maybe\n"), -1);
	assert_error(1, "overwrite");
	assert_int_equal(load(&c, "workers = -1\n"), -1);
	assert_error(1, "workers");
	assert_int_equal(load(&c, "root =\n"), -1);
	assert_error(1, "empty");
	assert_int_equal(load(&c, "workers = 8\nmax_workers = 4\n"), -1);
	assert_error(2, "max_workers");
	assert_int_equal(load(&c, "\n\njust words\n"), -1);
	assert_error(3, "key = value");
	assert_int_equal(load(&c, "[section]\nworkers = 2\n"), -1);
	assert_error(2, "section");
}

/* An indented line is a line of its own, never part of the value above. */
static void
test_indented_line(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(load(&c,
			     "root = /srv/x\n  workers = 7\n\tuser = nobody\n"),
	    0);
	assert_string_equal(c.root, "/srv/x");
	assert_int_equal(c.workers, 7);
	assert_string_equal(c.user, "nobody");
}

static void
test_unknown_key(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(load(&c, "workers = 2\n; comment\nport = 21\n"), -1);
	assert_error(3, "unknown key 'port'");
}

static void
test_failed_load_keeps_config(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(load(&c, "workers = 9\nlisten = 1.2.3.4:5\nbogus\n"),
	    -1);
	assert_int_equal(c.workers, 4);
	assert_string_equal(c.listen[0], "127.0.0.1:2121");
	assert_string_equal(c.file, "");
}

static void
test_relative_paths(void **state)
{
	struct config c;
	char	      want[PATH_MAX + 32];

	(void)state;
	assert_int_equal(load(&c,
			     "root = data\nkey_file = keys/k\n"
			     "pidfile = ./run/p.pid\nlog_file = l.log\n"
			     "xferlog = /abs/x\n"),
	    0);
	snprintf(want, sizeof(want), "%s/data", tmpdir);
	assert_string_equal(c.root, want);
	snprintf(want, sizeof(want), "%s/keys/k", tmpdir);
	assert_string_equal(c.key_file, want);
	snprintf(want, sizeof(want), "%s/./run/p.pid", tmpdir);
	assert_string_equal(c.pidfile, want);
	snprintf(want, sizeof(want), "%s/l.log", tmpdir);
	assert_string_equal(c.log_file, want);
	assert_string_equal(c.xferlog, "/abs/x");
}

static void
test_relative_config_file(void **state)
{
	struct config c;
	char	      cwd[PATH_MAX], want[PATH_MAX + 32];

	(void)state;
	write_conf("root = r\n");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpdir), 0);
	assert_int_equal(config_defaults(&c, "."), 0);
	assert_int_equal(config_load(&c, "ftpd.conf", err, sizeof(err)), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(c.file, conf_path);
	snprintf(want, sizeof(want), "%s/r", tmpdir);
	assert_string_equal(c.root, want);
	/* A relative -d folder becomes absolute too. */
	assert_true(c.pidfile[0] == '/');
}

static void
test_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(config_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(config_parse_size("512", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(config_parse_size("64K", &v), 0);
	assert_int_equal(v, 64 * 1024);
	assert_int_equal(config_parse_size("100M", &v), 0);
	assert_int_equal(v, 100ULL << 20);
	assert_int_equal(config_parse_size("1G", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(config_parse_size("2g", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(config_parse_size("", &v), -1);
	assert_int_equal(config_parse_size("K", &v), -1);
	assert_int_equal(config_parse_size("-1", &v), -1);
	assert_int_equal(config_parse_size(" 1", &v), -1);
	assert_int_equal(config_parse_size("1KB", &v), -1);
	assert_int_equal(config_parse_size("1T", &v), -1);
	assert_int_equal(config_parse_size("17179869184G", &v), -1);
	assert_int_equal(config_parse_size("99999999999999999999", &v), -1);
}

static void
test_booleans(void **state)
{
	struct config c;
	const char   *yes[] = { "yes", "true", "1", "YES" };
	const char   *no[] = { "no", "false", "0", "No" };
	char	      line[64];
	size_t	      i;

	(void)state;
	for (i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "debug = %s\n", yes[i]);
		assert_int_equal(load(&c, line), 0);
		assert_int_equal(c.debug, 1);
		snprintf(line, sizeof(line), "overwrite = %s\n", no[i]);
		assert_int_equal(load(&c, line), 0);
		assert_int_equal(c.overwrite, 0);
	}
}

static void
test_listen_list(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(load(&c, "listen = 127.0.0.1:9000\n"), 0);
	assert_int_equal(c.nlisten, 1); /* the default is replaced */
	assert_string_equal(c.listen[0], "127.0.0.1:9000");
	assert_int_equal(load(&c,
			     "listen = 127.0.0.1:1\nlisten = [::1]:2\n"
			     "listen = localhost:3\nlisten = *:4\n"),
	    0);
	assert_int_equal(c.nlisten, 4);
	assert_string_equal(c.listen[3], "*:4");
	assert_int_equal(load(&c,
			     "listen = 127.0.0.1:1\nlisten = [::1]:2\n"
			     "listen = a:3\nlisten = b:4\nlisten = c:5\n"),
	    -1);
	assert_error(5, "at most 4");
	assert_int_equal(load(&c, "listen = 127.0.0.1\n"), -1);
	assert_error(1, "listen");
	assert_int_equal(load(&c, "listen = ::1:2121\n"), -1);
	assert_error(1, "listen");
	assert_int_equal(load(&c, "listen = 127.0.0.1:70000\n"), -1);
	assert_error(1, "listen");
	assert_int_equal(load(&c, "listen = 127.0.0.1:http\n"), -1);
	assert_error(1, "listen");
}

static void
test_split_hostport(void **state)
{
	char host[64], port[16];

	(void)state;
	assert_int_equal(config_split_hostport("127.0.0.1:2121", host,
			     sizeof(host), port, sizeof(port)),
	    0);
	assert_string_equal(host, "127.0.0.1");
	assert_string_equal(port, "2121");
	assert_int_equal(config_split_hostport("[::1]:21", host, sizeof(host),
			     port, sizeof(port)),
	    0);
	assert_string_equal(host, "::1");
	assert_string_equal(port, "21");
	assert_int_equal(config_split_hostport("[::1]", host, sizeof(host),
			     port, sizeof(port)),
	    -1);
	assert_int_equal(config_split_hostport(":21", host, sizeof(host), port,
			     sizeof(port)),
	    -1);
	assert_int_equal(config_split_hostport("h:", host, sizeof(host), port,
			     sizeof(port)),
	    -1);
	assert_int_equal(config_split_hostport("abcdef:1", host, 4, port,
			     sizeof(port)),
	    -1);
}

static void
test_missing_file(void **state)
{
	struct config c;
	char	      path[PATH_MAX];

	(void)state;
	assert_int_equal(config_defaults(&c, tmpdir), 0);
	snprintf(path, sizeof(path), "%s/nope.conf", tmpdir);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nope.conf"));
	assert_non_null(strstr(err, strerror(ENOENT)));
}

static void
test_long_line(void **state)
{
	struct config c;
	char	      text[8192];

	(void)state;
	memset(text, 'a', sizeof(text));
	memcpy(text, "root = /", 8);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(load(&c, text), -1);
	assert_error(1, "long");
}

static int
teardown_all(void **state)
{
	char path[PATH_MAX];

	(void)state;
	snprintf(path, sizeof(path), "%s/ftpd.conf", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_indented_line),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_admission_keys),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_failed_load_keeps_config),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_relative_config_file),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_listen_list),
		cmocka_unit_test(test_split_hostport),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_long_line),
	};

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
