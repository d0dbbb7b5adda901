/*
 * signals.h: the worker's signal side (DESIGN.md "Signals and control"):
 * handlers that only set flags, write a byte to a wake-up pipe or shut a
 * socket's read side, and the calls that read what they recorded.  Used by
 * worker.c (idle loop, per-session reset) and session.c (between frames),
 * so neither calls the other for it.  Internal to worker/.
 */
#ifndef FTPD_SIGNALS_H
#define FTPD_SIGNALS_H

/*
 * signals_init: install the handlers (SIGTERM, SIGXCPU, SIGALRM), ignore
 * SIGPIPE, SIGXFSZ, SIGHUP, SIGINT and SIGUSR1, default SIGCHLD, open the
 * wake-up pipe and clear the signal mask.  Fatal on any failure (start-up).
 */
void signals_init(void);

/* signals_session_start: forget the SIGXCPUs of the previous session. */
void signals_session_start(void);

/* signals_term: 1 after SIGTERM (finish and exit), else 0. */
int signals_term(void);

/*
 * signals_stop_code: ERR_LIMIT after SIGXCPU in this session, ERR_ABORTED
 * after SIGTERM, else 0.
 */
int signals_stop_code(void);

/*
 * signals_wake_fd: the read end of the wake-up pipe (non-blocking), for
 * poll; signals_wake_drain empties it.
 */
int  signals_wake_fd(void);
void signals_wake_drain(void);

/*
 * signals_login_timer: arm (fd >= 0: the client socket, seconds > 0) or
 * disarm (fd -1) the login grace timer.  When it fires, the read side of fd
 * is shut down so any read ends at once (writes still work, for a FINAL
 * reply), and signals_login_expired returns 1 until the next arming.
 */
void signals_login_timer(int fd, unsigned seconds);
int  signals_login_expired(void);

#endif
