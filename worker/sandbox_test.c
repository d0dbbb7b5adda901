/*
 * sandbox_test.c: `ftpd sandbox-test` (ftpd(8)): proof that the worker
 * sandbox holds on this kernel.  For each forbidden call a child confines
 * itself exactly as a worker does (the seccomp program built once in the
 * parent, as the master builds it; then worker_confine: served root, privilege
 * drop, limits, Landlock, seccomp) and then tries the call; the parent
 * reports how it was stopped: the child killed by SIGSYS (seccomp) or the
 * call failing with EACCES (Landlock).  This file must not run a probe in
 * the parent, and must not leave anything behind: the probes only read,
 * and each child exits at once.
 */
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "worker/sandbox.h"
#include "worker/worker.h"

#define PROBE_FAILED 100 /* exit status base: 100 + errno of the call */

static int
probe_list_root(void)
{
	return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int
probe_read_passwd(void)
{
	return open("/etc/passwd", O_RDONLY | O_CLOEXEC);
}

static int
probe_execve(void)
{
	char *const argv[] = { "sh", "-c", "true", NULL };
	char *const envp[] = { NULL };

	return execve("/bin/sh", argv, envp);
}

static int
probe_socket(void)
{
	return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static int
probe_ptrace(void)
{
	return (int)ptrace(PTRACE_ATTACH, getppid(), NULL, NULL);
}

static const struct probe {
	const char *what;
	int (*call)(void);
} probes[] = {
	{ "open / (outside the served root)", probe_list_root },
	{ "open /etc/passwd (outside the served root)", probe_read_passwd },
	{ "execve /bin/sh", probe_execve },
	{ "socket AF_INET", probe_socket },
	{ "ptrace PTRACE_ATTACH of the parent", probe_ptrace },
};

/* In the child: confine, try the call, exit with what happened. */
static void __attribute__((noreturn))
probe_child(const struct config *cfg, pid_t parent, const struct probe *p)
{
	int fd;

	(void)worker_confine(cfg, parent, 0);
	errno = 0;
	if ((fd = p->call()) >= 0)
		_exit(0); /* not blocked */
	_exit(errno > 0 && errno < 150 ? PROBE_FAILED + errno : 99);
}

/* Print one probe's line; returns 1 when it was blocked, else 0. */
static int
probe_report(const struct probe *p, int status)
{
	int e;

	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
		printf("%s: blocked (killed by SIGSYS)\n", p->what);
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) > PROBE_FAILED) {
		e = WEXITSTATUS(status) - PROBE_FAILED;
		printf("%s: blocked (%s by %s)\n", p->what,
		    e == EACCES ? "EACCES" : strerror(e),
		    sandbox_landlock_abi() >= 2 ? "Landlock" : "the kernel");
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		printf("%s: NOT blocked\n", p->what);
	else if (WIFSIGNALED(status))
		printf("%s: error: the child died of signal %d\n", p->what,
		    WTERMSIG(status));
	else
		printf("%s: error: the child exited %d (see above)\n", p->what,
		    WEXITSTATUS(status));
	return 0;
}

int
worker_sandbox_test(const struct config *cfg)
{
	size_t i;
	pid_t  pid;
	int    status, blocked = 0, r;

	if (!sandbox_enabled()) {
		printf("sandbox: not applied in a sanitizer build\n");
		return 0;
	}
	/* As the master does: the probes install the program built here. */
	if ((r = sandbox_prepare()) != 0) {
		fprintf(stderr, "sandbox: seccomp program: %s\n", err_str(r));
		return 1;
	}
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		fflush(stdout);
		if ((pid = fork()) == -1) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			probe_child(cfg, getppid(), &probes[i]);
		while (waitpid(pid, &status, 0) == -1)
			if (errno != EINTR) {
				perror("waitpid");
				return 1;
			}
		blocked += probe_report(&probes[i], status);
	}
	fflush(stdout);
	return blocked == (int)(sizeof(probes) / sizeof(probes[0])) ? 0 : 1;
}
