/*
 * session.h: one client session inside a worker (doc/PROTOCOL.md sections
 * 3 to 5), shared by worker.c (the session loop's caller), login.c
 * (handshake and authentication), session.c (request loop, dispatch and
 * replies), ops.c (stat, list, delete, mkdir, rmdir, rename) and xfer.c
 * (put and get).  The signal side is signals.h.  Internal to worker/.
 */
#ifndef FTPD_SESSION_H
#define FTPD_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "common/channel.h"
#include "common/config.h"
#include "common/ipc.h"
#include "common/schema.h"
#include "common/users.h"
#include "worker/fsops.h"

#define SESSION_LIST_PART 1000 /* entries per list reply part */

struct session {
	const struct config *cfg;
	const uint8_t	    *secret; /* CHANNEL_KEY_BYTES */
	int		     ipc_fd; /* to the master */
	int		     rootfd; /* the served root, O_PATH */
	int		     fd;     /* the client socket */
	struct ipc_session   info;   /* from the master's IPC_SESSION */
	struct channel	     ch;
	int		     chan_up;	  /* handshake done: replies possible */
	int64_t		     start_ms;	  /* CLOCK_MONOTONIC */
	int64_t		     state_ms;	  /* last state change or report */
	struct ipc_state     state;	  /* the current state */
	struct ipc_state     state_sent;  /* what the master last got */
	int		     end;	  /* end after the current request */
	int		     outcome;	  /* ERR_OK or what ended the session */
	int		     shutdown;	  /* the master asked us to finish */
	int		     master_gone; /* the master's end closed */
	uint8_t		    *iobuf;	  /* CHANNEL_DATA_CHUNK bytes */
	char		     op[16];	  /* current operation, for logs */
	char		     path[256];	  /* its path, encoded, truncated */
	char		     user[32];	  /* authenticated name, "" before */
	int64_t		     op_start_ms; /* CLOCK_REALTIME ms op began */
	struct buf	     out;	  /* the reply being encoded */

	/* Accounts (auth.c, account.c); rootfd is the home once logged in. */
	const struct users_creds *cred;	      /* host key, accounts (users.h) */
	const struct users_entry *acct;	      /* the account; NULL: none */
	int			  anonymous;  /* logged in to the drop box */
	char			  method[12]; /* auth method that logged in */
	int			  servedfd;   /* the served root */
	int64_t			  quota_bytes; /* usage held by a put */
	int64_t			  quota_files;
	int			  quota_hit; /* the last put passed it */
	struct commit		 *batch;     /* uploads awaiting group commit */
	int    discard; /* after a refused put: drop its data */
	size_t group;	/* files of the batch being answered */
};

/*
 * session_run: serve the client on s->fd (fields cfg, secret, ipc_fd,
 * rootfd, fd and info set by the caller) until it says bye, breaks the
 * protocol, times out or a limit or shutdown ends it.  Sets s->outcome.
 * The caller closes s->fd.
 */
void session_run(struct session *s);

/*
 * session_reply: encode msg as a message of kind (schema.h; a struct
 * schema_reply for replies, schema_req for the "done" of a get) and send
 * it as one frame, FINAL when the session ends with it (s->end) or the
 * peer already closed its side.  Uploads waiting for their group commit
 * (commit.c) are committed and their replies sent first, so replies keep
 * request order.  A reply the schema refuses (a bug) becomes code 19.
 * Returns 0, or -1 (the session ends: s->end and s->outcome set).
 */
int session_reply(struct session *s, enum schema_kind kind, const void *msg);

/*
 * session_send_failed: channel_send failed (errno set) while sending what
 * ("reply", "get"): log it, set the outcome and end the session without
 * sending anything more (a frame may have been cut).
 */
void session_send_failed(struct session *s, const char *what);

/*
 * session_send: session_reply without the group commit: msg as one frame,
 * FINAL when final is 1 (the session then ends).  For commit.c, which
 * sends the replies queued behind a batch.  Returns as session_reply.
 */
int session_send(struct session *s, enum schema_kind kind, const void *msg,
    int final);

/*
 * session_error_rep: the error reply of code into rep (msg, a string
 * that outlives rep, or NULL for err_message(code)); codes that mean
 * trouble on the server are logged at warn, as session_error says.
 */
void session_error_rep(struct session *s, int code, const char *msg,
    struct schema_reply *rep);

/* session_ok: reply {"ok": true}.  Returns as session_reply. */
int session_ok(struct session *s);

/*
 * session_error: reply {"ok": false, "code": code, "err": err_name(code),
 * "msg": msg or err_message(code)}; codes that mean trouble on the server
 * (no_space, io, permission, internal) are logged at warn.  Returns as
 * session_reply.
 */
int session_error(struct session *s, int code, const char *msg);

/*
 * session_fail: end the session for code: log it, send the error reply as
 * the FINAL frame (PROTOCOL.md 4.2) when a frame can still be sent.
 * Returns -1, for "return session_fail(...)".
 */
int session_fail(struct session *s, int code, const char *msg);

/*
 * session_fail_silent: end the session for code without sending anything
 * (nothing can be sent any more).  Returns -1.
 */
int session_fail_silent(struct session *s, int code);

/*
 * session_result: reply {"ok": true} when r is 0, else the error reply of
 * err_wire(r) (r a negative ERR_* code).  Returns as session_reply.
 */
int session_result(struct session *s, int r);

/*
 * session_path: the request path p checked (fsops_check_path) and copied
 * into out (outlen >= FSOPS_PATH_MAX + 1), NUL-terminated.  Returns 0 or
 * a negative ERR_* code (bad_path, name_too_long).
 */
int session_path(struct schema_str p, char *out, size_t outlen);

/*
 * session_shown: the path raw (NUL-terminated, from the client) encoded
 * for a log line (safetext_vis: controls, C1, invalid UTF-8 as \xHH) into
 * out (outlen bytes, cut at a whole escape).  Returns out.
 */
const char *session_shown(char *out, size_t outlen, const char *raw);

/*
 * session_state: record the current operation for the master (IPC_STATE)
 * and, when force is set (an operation starts), in the process title.
  * A forced change with a total of at least one data frame (1 MiB; a
 * transfer that may stall) is reported at once; any other change, and the
 * log lines queued meanwhile (ipcq.c), within 1 s while the session waits
 * for its client, or with its end: a short session costs the master one
 * wake-up for all its reports.
 * Without force (progress) at most one report per 250 ms, the first 250
 * ms after the operation began.  op "" means none; path
 * is raw (the client's bytes): s->path gets it encoded for logs
 * (session_shown), the master and the process title safetext_copy's.  The
 * report also carries s->user and the wall-clock time at which the
 * operation began (taken when a forced report changes the operation).
 */
void session_state(struct session *s, const char *op, const char *path,
    uint64_t done, uint64_t total, int force);

/*
 * session_report_due: when what the master has not heard yet (queued log
 * lines, a changed state) must go, in clock_mono_ms: REPORT_DELAY_MS
 * after the oldest of it; -1 when nothing waits.
 * session_report_flush: send the state if the master's view differs, then
 * the queued messages (worker/report.c).
 */
int64_t session_report_due(const struct session *s);
void	session_report_flush(struct session *s);

/*
 * session_report_idle: before a read that may block on the client (the
 * handshake, a put's data): when nothing from it is waiting yet, send the
 * master what is queued and a changed state, so nothing is held while the
 * worker waits.  When the client's bytes are already there, nothing goes.
 */
void session_report_idle(struct session *s);

/*
 * session_stopping: between frames, check what the signal handlers
 * recorded: SIGXCPU ends the session with ERR_LIMIT, SIGTERM with
 * ERR_ABORTED (session_fail).  Returns 0 to go on, -1 when it ended.
 */
int session_stopping(struct session *s);

/*
 * session_watchdog: when the watchdog fired (watchdog.h: a request not
 * whole in time, a transfer below min_rate), log it and end the session
 * with code 20 (session_fail; a FINAL reply where a frame can still go).
 * Returns 1 when it had fired, else 0.
 */
int session_watchdog(struct session *s);

/*
 * session_lost: channel_recv returned r (0 or -1 with errno) instead of a
 * frame: log why, set the outcome, send a FINAL error reply where one can
 * still be sent (stall timeout, oversized frame) and end the session.
 */
void session_lost(struct session *s, int r);

/*
 * account_run: run op for request q when the session's account may
 * (account.c: permissions, PROTOCOL.md 4.4), else reply code 10.  Returns
 * as op.
 */
int account_run(struct session *s, const struct schema_req *q,
    int (*op)(struct session *, const struct schema_req *));

/*
 * ops.c: stat, list, delete, mkdir, rmdir, rename (PROTOCOL.md 4.4 to
 * 4.6), called with the decoded request q; as all session ops they return 0
 * when the session goes on, -1 when it must end.
 */
int ops_stat(struct session *s, const struct schema_req *q);
int ops_list(struct session *s, const struct schema_req *q);
int ops_delete(struct session *s, const struct schema_req *q);
int ops_mkdir(struct session *s, const struct schema_req *q);
int ops_rmdir(struct session *s, const struct schema_req *q);
int ops_rename(struct session *s, const struct schema_req *q);

/* xfer.c and get.c: the put and get requests (PROTOCOL.md 4.10, 4.11); as
 * session ops: 0 when the session goes on, -1 when it must end. */
int xfer_put(struct session *s, const struct schema_req *q);
int xfer_get(struct session *s, const struct schema_req *q);

/*
 * xfer_alg: the digest algorithm (enum digest_alg) request q names in
 * "alg", blake2b-256 when it names none.  Returns 0, or -ERR_PROTOCOL for
 * an unknown algorithm or one the server's "digests" does not offer.
 */
int xfer_alg(const struct session *s, const struct schema_req *q, int *alg);

/*
 * xfer_sum: the digest of the whole file at path (checked) with alg into
 * out (DIGEST_MAX bytes), read through s->iobuf.  Returns 0 or a negative
 * ERR_* code (not_found, is_dir, io ...).
 */
int xfer_sum(struct session *s, const char *path, int alg, uint8_t *out);

/*
 * xfer_log: the xferlog(5) line and the ftpd.log line of a finished
 * (complete) or aborted transfer of bytes bytes of path, started at
 * start_ms (CLOCK_MONOTONIC ms); incoming for an upload.
 */
void xfer_log(struct session *s, const char *path, uint64_t bytes, int incoming,
    int complete, int64_t start_ms);

/*
 * commit.c: group commit of pipelined uploads (PROTOCOL.md section 4,
 * "Durability and group commit").  A verified upload joins the session's
 * batch (commit_add) instead of being committed at once; replies that would
 * follow it queue behind it (commit_reply); the batch is committed, and the
 * queue sent in order, before any other reply, when no frame is waiting in
 * the socket, or when it is full or 50 ms old (commit_poll).
 */
struct commit;

/* A verified upload handed to the batch (commit_add). */
struct commit_file {
	const char	 *path;		/* the client's path, for the logs */
	const char	 *name;		/* the last component, its final name */
	int		 *parentfd;	/* its folder: taken, set to -1 */
	struct fsops_tmp *tmp;		/* the file: taken, fd set to -1 */
	const struct schema_reply *rep; /* its put done reply (size, alg) */
	const uint8_t		  *sum; /* DIGEST_MAX bytes: rep's digest */
	uint64_t		   mode;  /* the put's permission bits */
	int64_t			   mtime; /* the put's mtime, seconds */
	int			   overwrite;
	int64_t			   start_ms; /* CLOCK_MONOTONIC ms of the put */
};

/* commit_pending: 1 when replies wait for a batch (and none is being sent). */
int commit_pending(const struct session *s);

/*
 * commit_room: make sure s has a batch with room for one more upload and
 * its replies, committing the batch now if it is due (commit_poll).
 * Returns 0 or -ERR_NOMEM.
 */
int commit_room(struct session *s);

/*
 * commit_reply: send reply rep of kind now, or queue it (by value: every
 * pointer in it must be static) behind the pending batch.  Returns as
 * session_reply (0 when queued).
 */
int commit_reply(struct session *s, enum schema_kind kind,
    const struct schema_reply *rep);

/*
 * commit_add: the verified upload f joins the batch (after commit_room),
 * its mode (within the process umask) and mtime set.  Its put done reply,
 * or an error reply when the commit fails, is sent and logged once the
 * batch is durable.  Returns 0, or a negative ERR_* code (f's file not
 * taken: the caller replies with the error and discards it).
 */
int commit_add(struct session *s, const struct commit_file *f);

/*
 * commit_poll: commit and answer the batch if it is due: no frame waiting
 * in the socket, or full (32 files, 64 MiB, 8 folders), or its first file
 * 50 ms old.
 */
void commit_poll(struct session *s);

/*
 * commit_flush: commit the batch (writeback started for every file, fsync
 * each, link each, fsync each folder once) and send the queued replies in
 * order, none FINAL; a file whose fsync, link or folder fsync failed gets
 * its error reply.  Does nothing without a batch.
 */
void commit_flush(struct session *s);

/*
 * commit_discard: the session ended: remove every file of the batch
 * without committing it (no reply can tell the client) and free it.
 */
void commit_discard(struct session *s);

#endif
