/*
 * daemonize.h: turn the caller into a daemon (double fork, setsid, umask,
 * chdir, stdio to /dev/null, closefrom) with a readiness pipe back to the
 * starting process, which returns only when the daemon reports, and the
 * pidfile checks that `ftpd status` and `ftpd stop` need.
 */
#ifndef FTPD_DAEMONIZE_H
#define FTPD_DAEMONIZE_H

#include <stddef.h>
#include <sys/types.h>

#define DAEMON_REASON_MAX 512 /* longest failure reason sent back, bytes */

/*
 * daemonize: fork; the starting process blocks on a pipe until the daemon
 * calls daemon_ready (then it exits 0) or daemon_fail (then it prints
 * "ftpd: REASON" on standard error and exits 1; also when the daemon dies
 * without a word).  The daemon, a grandchild in a new session, has umask
 * 027, "/" as working folder, /dev/null as standard input, output and
 * error, and no descriptor above 2 but the nkeep ones in keep and the
 * pipe's write end, stored in *ready_fd.  Returns 0 in the daemon only, or
 * -1 with errno in the caller when it could not even fork.
 */
__attribute__((warn_unused_result)) int daemonize(const int *keep, size_t nkeep,
    int *ready_fd);

/*
 * daemon_ready: tell the starting process that start-up succeeded, and
 * close *ready_fd (set to -1).  Does nothing when *ready_fd is -1
 * (foreground).
 */
void daemon_ready(int *ready_fd);

/*
 * daemon_fail: send reason (one line, truncated to DAEMON_REASON_MAX) to
 * the starting process, which prints it and exits 1; close *ready_fd (set
 * to -1).  Does nothing when *ready_fd is -1.
 */
void daemon_fail(int *ready_fd, const char *reason);

enum daemon_state {
	DAEMON_NONE = 0,    /* no pidfile */
	DAEMON_RUNNING = 1, /* pidfile locked by a live daemon */
	DAEMON_STALE = 2    /* pidfile without a lock: the daemon died */
};

/*
 * daemon_check: look at pidfile path without changing it: is its flock(2)
 * held?  *pid gets the pid written in it, or 0 when none is (yet)
 * readable.  Returns a daemon_state, or -1 with errno when the file cannot
 * be opened for another reason than its absence.
 */
int daemon_check(const char *path, pid_t *pid);

/*
 * daemon_alive: 1 if pid exists and is not a zombie, else 0 (kill(2) with
 * signal 0, then the state letter of /proc/PID/stat).
 */
int daemon_alive(pid_t pid);

#endif
