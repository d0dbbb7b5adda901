/*
 * test_config_defaults.c: unit tests of common/config_defaults.c: the
 * built-in values and where files live with a -d folder, as root, and as
 * an ordinary user after the XDG variables and $HOME.  The -d folder is a
 * temporary one removed at the end; nothing here reads or writes a real
 * configuration.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/config.h"

static char tmpdir[] = "/tmp/test_config_defaults.XXXXXX";

static void
test_defaults_base(void **state)
{
	struct config c;
	char	      want[PATH_MAX + 32];

	(void)state;
	assert_int_equal(config_defaults(&c, tmpdir), 0);
	assert_string_equal(c.file, "");
	assert_int_equal(c.nlisten, 1);
	assert_string_equal(c.listen[0], "127.0.0.1:2121");
	snprintf(want, sizeof(want), "%s/files", tmpdir);
	assert_string_equal(c.root, want);
	snprintf(want, sizeof(want), "%s/secret.key", tmpdir);
	assert_string_equal(c.key_file, want);
	snprintf(want, sizeof(want), "%s/ftpd.pid", tmpdir);
	assert_string_equal(c.pidfile, want);
	snprintf(want, sizeof(want), "%s/ftpd.log", tmpdir);
	assert_string_equal(c.log_file, want);
	snprintf(want, sizeof(want), "%s/xferlog", tmpdir);
	assert_string_equal(c.xferlog, want);
	assert_string_equal(c.user, "ftpd");
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.max_workers, 32);
	assert_int_equal(c.max_sessions, 100);
	assert_int_equal(c.max_per_ip, 0);
	assert_int_equal(c.queue_len, 16);
	assert_int_equal(c.queue_wait_ms, 2000);
	assert_int_equal(c.shutdown_timeout, 30);
	assert_int_equal(c.login_grace, 10);
	assert_int_equal(c.max_startups[0], 10);
	assert_int_equal(c.max_startups[1], 30);
	assert_int_equal(c.max_startups[2], 100);
	assert_int_equal(c.max_startups_per_ip, 10);
	assert_int_equal(c.penalty_min, 15);
	assert_int_equal(c.penalty_max, 600);
	assert_int_equal(c.idle_timeout, 300);
	assert_int_equal(c.stall_timeout, 60);
	assert_int_equal(c.cpu_seconds, 600);
	assert_int_equal(c.memory_limit, 256ULL << 20);
	assert_int_equal(c.open_files, 64);
	assert_int_equal(c.file_size_limit, 0);
	assert_int_equal(c.max_file_size, 0);
	assert_int_equal(c.overwrite, 1);
	assert_int_equal(c.debug, 0);
}

static void
test_defaults_system_or_xdg(void **state)
{
	struct config c;
	char	      file[PATH_MAX];

	(void)state;
	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("XDG_DATA_HOME", "/x/data", 1);
	setenv("XDG_STATE_HOME", "/x/state", 1);
	assert_int_equal(config_defaults(&c, NULL), 0);
	assert_int_equal(config_default_file(NULL, file, sizeof(file)), 0);
	if (geteuid() == 0) {
		assert_string_equal(file, "/etc/ftpd/ftpd.conf");
		assert_string_equal(c.root, "/srv/ftpd");
		assert_string_equal(c.key_file, "/etc/ftpd/secret.key");
		assert_string_equal(c.pidfile, "/run/ftpd/ftpd.pid");
		assert_string_equal(c.log_file, "/var/log/ftpd/ftpd.log");
		assert_string_equal(c.xferlog, "/var/log/ftpd/xferlog");
	} else {
		assert_string_equal(file, "/x/conf/ftpd/ftpd.conf");
		assert_string_equal(c.root, "/x/data/ftpd/files");
		assert_string_equal(c.key_file, "/x/conf/ftpd/secret.key");
		assert_string_equal(c.pidfile, "/x/state/ftpd/ftpd.pid");
		assert_string_equal(c.log_file, "/x/state/ftpd/ftpd.log");
	}
	assert_int_equal(config_default_file(tmpdir, file, sizeof(file)), 0);
	assert_non_null(strstr(file, "/ftpd.conf"));
	assert_int_equal(strncmp(file, tmpdir, strlen(tmpdir)), 0);
}

/* The XDG defaults; 0 if all are as expected (plain checks: may run forked). */
static int
check_xdg(void)
{
	struct config c;
	char	      file[PATH_MAX];

	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("XDG_DATA_HOME", "/x/data", 1);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/x/home", 1);
	if (config_defaults(&c, NULL) != 0 ||
	    config_default_file(NULL, file, sizeof(file)) != 0)
		return 1;
	return strcmp(file, "/x/conf/ftpd/ftpd.conf") != 0 ||
	    strcmp(c.root, "/x/data/ftpd/files") != 0 ||
	    strcmp(c.key_file, "/x/conf/ftpd/secret.key") != 0 ||
	    strcmp(c.pidfile, "/x/home/.local/state/ftpd/ftpd.pid") != 0 ||
	    strcmp(c.log_file, "/x/home/.local/state/ftpd/ftpd.log") != 0 ||
	    strcmp(c.xferlog, "/x/home/.local/state/ftpd/xferlog") != 0;
}

/* As an ordinary user: in a child switched to nobody when we are root. */
static void
test_defaults_xdg(void **state)
{
	struct passwd *pw;
	pid_t	       pid;
	int	       status;

	(void)state;
	if (geteuid() != 0) {
		assert_int_equal(check_xdg(), 0);
		return;
	}
	if ((pw = getpwnam("nobody")) == NULL)
		skip();
	assert_int_not_equal(pid = fork(), -1);
	if (pid == 0) {
		if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
			_exit(2);
		_exit(check_xdg());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int
teardown_all(void **state)
{
	(void)state;
	rmdir(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_base),
		cmocka_unit_test(test_defaults_system_or_xdg),
		cmocka_unit_test(test_defaults_xdg),
	};

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
