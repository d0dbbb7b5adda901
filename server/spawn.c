/*
 * spawn.c: how a worker is born.  The master makes a SOCK_SEQPACKET
 * socketpair and forks; the child starts from a clean slate: the log
 * files closed (the master owns them; workers forward their lines), the
 * signal mask and SIGPIPE as before the master changed them, and every
 * descriptor closed with closefrom(3) but standard input, output, error
 * and its end of the socketpair, moved to SPAWN_IPC_FD.  No module needs
 * a "close in the child" hook, and a descriptor the master opens later
 * cannot leak into a worker.  This file must not keep any state, log in
 * the child before the slate is clean, or return in the child.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bsd/unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "server/spawn.h"

/*
 * In the child: ipc (our end) becomes SPAWN_IPC_FD, 0..2 stay (reopened on
 * /dev/null if the socketpair had taken one of them), all else is closed.
 */
static int
clean_slate(int ipc)
{
	int null;

	if (ipc != SPAWN_IPC_FD && dup3(ipc, SPAWN_IPC_FD, O_CLOEXEC) == -1)
		return ERR_SYSTEM;
	if (ipc < SPAWN_IPC_FD) {
		if ((null = open("/dev/null", O_RDWR)) == -1 ||
		    (null != ipc && dup2(null, ipc) == -1))
			return ERR_SYSTEM;
	}
	closefrom(SPAWN_IPC_FD + 1);
	return 0;
}

static void __attribute__((noreturn))
child(const struct worker_entry *e, const struct config *cfg,
    const struct users_creds *cred, uint32_t generation, int ipc)
{
	/* SECURITY: a worker holds only what it is handed: no log file,
	 * listener, client of another worker, control socket or pidfile. */
	log_close();
	if (clean_slate(ipc) != 0)
		_exit(1);
	(void)signal(SIGPIPE, SIG_DFL);
	(void)sigprocmask(SIG_SETMASK, &e->mask, NULL);
	e->run(cfg, cred, SPAWN_IPC_FD, generation);
	_exit(1); /* run must not return */
}

int
spawn_worker(const struct worker_entry *e, const struct config *cfg,
    const struct users_creds *cred, uint32_t generation, pid_t *pid, int *fd)
{
	int sv[2], saved;

	*pid = -1;
	*fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return ERR_SYSTEM;
	if ((*pid = fork()) == -1) {
		saved = errno;
		close(sv[0]);
		close(sv[1]);
		errno = saved;
		return ERR_SYSTEM;
	}
	if (*pid == 0) {
		close(sv[0]);
		child(e, cfg, cred, generation, sv[1]);
	}
	close(sv[1]);
	/* SECURITY: a wedged worker must never block the master. */
	(void)fcntl(sv[0], F_SETFL, O_NONBLOCK);
	*fd = sv[0];
	return 0;
}
