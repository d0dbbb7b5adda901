/*
 * control.h: the control socket, a Unix stream socket beside the pidfile
 * (ftpd.pid -> ftpd.sock, mode 0600, root and the master's user only),
 * through which `ftpd status`, `ftpd reload` and `ftpd reopen` talk to the
 * master.  Protocol: the client sends one request line (at most 63 bytes
 * with its "\n"), the master answers and closes; the client reads until
 * end of file.  Requests and answers:
 *   "status"       text: see status_text (status.h)
 *   "status json"  one JSON object and "\n": see status_json
 *   "reload"       "ok generation N\n" once the config is re-read and in
 *                  force, or "error REASON\n" (the old config kept)
 *   "reopen"       "ok\n" once the log files are reopened, or
 *                  "error REASON\n"
 *   anything else  "error unknown request ...\n"
 * A REASON is one line: control bytes are sent as '?'.
 */
#ifndef FTPD_CONTROL_H
#define FTPD_CONTROL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * control_path: the socket path for pidfile: its ".pid" suffix replaced by
 * ".sock" (or ".sock" appended).  Returns 0, or -1 if it does not fit.
 */
int control_path(const char *pidfile, char *out, size_t outlen);

/*
 * control_open: (re)create the socket at path (a stale one is removed: the
 * caller holds the pidfile lock) with mode 0600 and listen.  Returns 0, or
 * -1 with the reason in err.
 */
__attribute__((warn_unused_result)) int control_open(const char *path,
    char *err, size_t errlen);

/* control_close: close the socket and its clients; remove the file. */
void control_close(void);

size_t control_pollfds(struct pollfd *pfd, size_t room);
void   control_events(const struct pollfd *pfd, size_t n);

/* control_deadline: the next client timeout (master_now() ms) or INT64_MAX. */
int64_t control_deadline(int64_t now);

/*
 * control_query: client side: connect to path, send request (e.g.
 * "status\n"), copy the answer to out until end of file (at most
 * timeout_ms per read).  Returns 0, or -1 with the reason in err.
 */
__attribute__((warn_unused_result)) int control_query(const char *path,
    const char *request, FILE *out, int timeout_ms, char *err, size_t errlen);

#endif
