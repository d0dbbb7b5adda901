/*
 * signals.c: the worker's signal handlers and what they record (see
 * signals.h).  SIGTERM asks the worker to finish (and, before login, shuts
 * the client socket: nothing to finish); SIGXCPU marks the session over its
 * CPU budget; SIGALRM is the watchdog's (watchdog.c: login grace, frame
 * deadline, minimum transfer rate).  Each handler only sets a flag, calls
 * shutdown(2), kill(2) or the watchdog's part, and writes one byte to the
 * wake-up pipe, all async-signal-safe.  This file must not do any other work in a
 * handler and must not know about sessions, IPC or the protocol.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "worker/signals.h"
#include "worker/watchdog.h"

#define XCPU_GRACE 5 /* CPU seconds past the soft limit before SIGKILL */

static volatile sig_atomic_t got_term;	    /* SIGTERM: finish and exit */
static volatile sig_atomic_t got_xcpu;	    /* SIGXCPU: session over budget */
static volatile sig_atomic_t xcpu_count;    /* SIGXCPUs in this session */
static volatile sig_atomic_t login_fd = -1; /* socket to shut down then */
static int		     wake[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int	saved = errno;
	char	c = 0;
	ssize_t n;

	if (sig == SIGTERM) {
		got_term = 1;
		if (login_fd >= 0) /* not logged in yet: nothing to finish */
			shutdown(login_fd, SHUT_RDWR);
	} else if (sig == SIGXCPU) {
		got_xcpu = 1;
		/*
		 * The kernel repeats SIGXCPU each CPU second past the soft
		 * limit.  An unprivileged worker cannot raise its hard limit
		 * for the next session, so the per-session hard limit
		 * (soft + XCPU_GRACE) is enforced here.
		 */
		if (++xcpu_count > XCPU_GRACE)
			kill(getpid(), SIGKILL);
	} else if (sig == SIGALRM)
		watchdog_alarm();
	if (wake[1] != -1)
		n = write(wake[1], &c, 1); /* full pipe: a wake-up is pending */
	(void)n;
	errno = saved;
}

void
signals_init(void)
{
	struct sigaction sa;
	sigset_t	 none;
	const int	 caught[] = { SIGTERM, SIGXCPU, SIGALRM };
	/* SIGXFSZ ignored: an over-size write fails with EFBIG instead. */
	const int ignored[] = { SIGPIPE, SIGXFSZ, SIGHUP, SIGINT, SIGUSR1 };
	size_t	  i;

	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe2");
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal; /* no SA_RESTART: poll sees EINTR */
	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		if (sigaction(caught[i], &sa, NULL) == -1)
			fatal("sigaction");
	sa.sa_handler = SIG_IGN;
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (sigaction(ignored[i], &sa, NULL) == -1)
			fatal("sigaction");
	sa.sa_handler = SIG_DFL;
	if (sigaction(SIGCHLD, &sa, NULL) == -1)
		fatal("sigaction");
	sigemptyset(&none); /* the master may block signals for signalfd */
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		fatal("sigprocmask");
}

void
signals_session_start(void)
{
	got_xcpu = 0;
	xcpu_count = 0;
}

int
signals_term(void)
{
	return got_term;
}

int
signals_stop_code(void)
{
	if (got_xcpu)
		return ERR_LIMIT;
	return got_term ? ERR_ABORTED : 0;
}

int
signals_wake_fd(void)
{
	return wake[0];
}

void
signals_wake_drain(void)
{
	char buf[64];

	while (read(wake[0], buf, sizeof(buf)) > 0)
		continue;
}

void
signals_login_timer(int fd, unsigned seconds)
{
	login_fd = fd;
	if (fd >= 0)
		watchdog_deadline(fd, WATCHDOG_LOGIN, (int64_t)seconds * 1000);
	else
		watchdog_off();
}

int
signals_login_expired(void)
{
	return watchdog_fired() == WATCHDOG_LOGIN;
}
