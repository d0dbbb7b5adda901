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

/* What a client asked for (the request line, parsed). */
enum control_op {
	CONTROL_STATUS,	     /* "status" */
	CONTROL_STATUS_JSON, /* "status json" */
	CONTROL_RELOAD,	     /* "reload" */
	CONTROL_REOPEN,	     /* "reopen" */
	CONTROL_UNKNOWN	     /* anything else */
};

/* A complete request waiting for its answer. */
struct control_request {
	int		id; /* the client, for control_answer */
	enum control_op op;
};

/*
 * control_pollfds: fill up to room entries (the socket and its clients;
 * a client waiting for its answer is not polled).  Returns how many.
 */
size_t control_pollfds(struct pollfd *pfd, size_t room);

/*
 * control_events: after poll, on the entries control_pollfds filled:
 * accept, read request lines, write answers, close clients past their
 * deadline.  Complete requests wait for control_next.
 */
void control_events(const struct pollfd *pfd, size_t n);

/*
 * control_next: take the next complete request into *req.  Returns 0, or
 * -1 when none waits.  Each one must get a control_answer before the next
 * control_events.
 */
int control_next(struct control_request *req);

/*
 * control_answer: the answer to req: out (len bytes, from malloc) is
 * control's from now on, sent, then the client closed.  out NULL or len 0
 * closes the client without an answer.
 */
void control_answer(const struct control_request *req, char *out, size_t len);

/*
 * control_print_error: "error REASON\n" to fp, reason's control bytes as
 * '?' (log_clean) and cut to 1023 bytes, so the answer stays one line.
 */
void control_print_error(FILE *fp, const char *reason);

/* control_deadline: the next client timeout (clock_mono_ms) or INT64_MAX. */
int64_t control_deadline(int64_t now);

/*
 * control_query: client side: connect to path, send request (e.g.
 * "status\n"), copy the answer to out until end of file (at most
 * timeout_ms per read).  Returns 0, or -1 with the reason in err.
 */
__attribute__((warn_unused_result)) int control_query(const char *path,
    const char *request, FILE *out, int timeout_ms, char *err, size_t errlen);

#endif
