/*
 * ftpc.h: the client's shared state and the functions its files give each
 * other.  One struct ftpc holds the one connection of an invocation.
 *
 * One error idiom: every function returns 0 or a negative ERR_* code
 * (common/error.h), after printing its message with warnx(3) where the
 * failure happened; err_str() gives a code's text.  ftpc_exit() alone maps
 * a code to the exit status (the FTPC_EXIT_* table below, also in ftpc(1)
 * and the --help text):
 *
 *   code (negated)                                       exit status
 *   0                                                    0 OK
 *   a server's error reply: its code (not_found, exists,
 *     bad_path, name_too_long, io, ...) but the ones below 1 REMOTE
 *   (bad flags, arguments or config: main.c exits)        2 USAGE
 *   ERR_EOF (cannot connect, connection closed or lost, the server
 *     ended the session), ERR_TIMEOUT, ERR_CRYPTO, ERR_PROTOCOL (also
 *     a server's "protocol" reply), ERR_BUSY                3 CONN
 *   ERR_AUTH                                             4 AUTH
 *   ERR_SYSTEM, ERR_NOMEM (a local file or memory)        5 LOCAL
 *   ERR_DIGEST (ours on a get, or the server's on a put)  6 INTEGRITY
 *
 * A function that met a connection failure also sets c->dead, so a caller
 * tells "the server refused this" (c->dead == 0) from "no more requests".
 */
#ifndef FTPC_FTPC_H
#define FTPC_FTPC_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/channel.h"
#include "common/digest.h"
#include "common/schema.h"

enum ftpc_exit {
	FTPC_EXIT_OK = 0,
	FTPC_EXIT_REMOTE = 1,	/* the server refused an operation */
	FTPC_EXIT_USAGE = 2,	/* bad flags, arguments or config values */
	FTPC_EXIT_CONN = 3,	/* connect, lost connection, protocol, busy */
	FTPC_EXIT_AUTH = 4,	/* authentication failed */
	FTPC_EXIT_LOCAL = 5,	/* local input or output error */
	FTPC_EXIT_INTEGRITY = 6 /* a digest did not match */
};

#define FTPC_TIMEOUT_SEC 60    /* SO_RCVTIMEO / SO_SNDTIMEO on the socket */
#define CONN_REQUEST_MAX 65536 /* bytes of one encoded request (two paths) */

struct ftpc {
	char	       host[256];
	char	       port[16];
	int	       quiet;	   /* -q: no progress bar */
	int	       resume;	   /* -C: keep and continue partial downloads */
	int	       digest;	   /* --digest: enum digest_alg of transfers */
	int	       digest_set; /* --digest was given (stat shows one) */
	int	       progress; /* draw the bar: stderr is a tty and not -q */
	mode_t	       umask;	 /* the process umask, for downloaded files */
	int	       fd;	 /* connected socket, -1 when closed */
	int	       dead; /* the connection is unusable: no more requests */
	int	       status; /* the first error (-ERR_*), 0 if none */
	struct channel ch;
	struct buf     out;   /* the request being sent (conn_send) */
	uint8_t	      *iobuf; /* CHANNEL_DATA_CHUNK bytes for put */
};

/* A remote entry as "stat" and "list" describe it (PROTOCOL.md 4.4). */
struct rstat {
	char	 type[8]; /* "file", "dir", "link", "other" */
	uint64_t size;	  /* bytes */
	uint64_t mode;	  /* st_mode & 07777 */
	int64_t	 mtime;	  /* seconds since the epoch */
	char	 digest[2 * DIGEST_MAX + 1]; /* hex of the content's, or "" */
};

/* ftpc_exit: the exit status for err (0 or -ERR_*), by the table above. */
int ftpc_exit(int err);

/* ftpc_fail: remember err as the result if none is set; returns err. */
int ftpc_fail(struct ftpc *c, int err);

/*
 * dial.c.  dial_connect: connect c->fd to c->host:c->port.  Returns 0, or
 * -ERR_TIMEOUT or -ERR_EOF (cannot connect; printed).
 */
int dial_connect(struct ftpc *c);

/*
 * dial_where: "HOST:PORT", or "[HOST]:PORT" for an IPv6 literal, for
 * messages.  Static storage, valid until the next call.
 */
const char *dial_where(const struct ftpc *c);

/*
 * conn.c.  conn_open: connect to c->host:c->port (every getaddrinfo address
 * in turn), run the handshake with the 32-byte secret and authenticate.
 * Returns 0, -ERR_AUTH, or a connection error (ERR_EOF, ERR_TIMEOUT,
 * ERR_BUSY, ERR_PROTOCOL); c->dead is set on any error.
 */
int conn_open(struct ftpc *c, const uint8_t secret[CHANNEL_KEY_BYTES]);

/*
 * conn_close: send "bye" as the FINAL frame, read the server's FINAL reply,
 * close the socket.  A dead connection is only closed.  Returns 0 or a
 * connection error.
 */
int conn_close(struct ftpc *c);

/* conn_req: clear q and make it a request of op (a SCHEMA_* op kind). */
void conn_req(struct schema_req *q, enum schema_kind op);

/*
 * conn_send: q as one message frame (schema_encode into c->out; final = 1:
 * TAG_FINAL).  Returns 0; a connection error (printed, c->dead set); or
 * the encoder's code for a request that breaks the schema (printed).
 */
int conn_send(struct ftpc *c, const struct schema_req *q, int final);

/*
 * conn_send_data: one data frame of len <= CHANNEL_DATA_CHUNK bytes.
 * Returns 0 or a connection error as conn_send.
 */
int conn_send_data(struct ftpc *c, const void *p, size_t len);

/*
 * conn_recv: read one frame.  Returns 0 with *type, *body and *len pointing
 * into the channel (valid until the next receive); a connection error
 * (printed, dead) on end of file, a timeout, a failed decryption or
 * another error.
 */
int conn_recv(struct ftpc *c, int *type, const uint8_t **body, size_t *len);

/*
 * conn_decode: the message body (len bytes) as the reply to a request
 * whose success reply is kind (a SCHEMA_R_* kind), into rep.  rep's str
 * fields point into body (not NUL-terminated); the caller calls
 * schema_reply_free(rep) in every case.  Returns 0 for a success reply.
 * For an error reply prints "OP NAME: msg (err)" (no NAME when NULL,
 * nothing when op is NULL; bytes of the server's strings that are not
 * printable shown as '?') and returns the server's code negated
 * (-ERR_INTERNAL for a code this ftpc does not know); one the server sent
 * as its FINAL frame (it ended the session: timeout, limit) is printed as
 * such and gives -ERR_EOF.  A malformed reply prints "OP: malformed reply
 * from the server: WHY", marks c dead and gives -ERR_PROTOCOL (-ERR_NOMEM
 * when memory ran out).
 */
int conn_decode(struct ftpc *c, enum schema_kind kind, const uint8_t *body,
    size_t len, struct schema_reply *rep, const char *op, const char *name);

/*
 * conn_reply: receive one frame, which must be a message, and conn_decode
 * it (rep is valid until the next receive).  Returns as conn_decode, or a
 * connection error (printed).
 */
int conn_reply(struct ftpc *c, enum schema_kind kind, struct schema_reply *rep,
    const char *op, const char *name);

/* conn_call: conn_send(q), then conn_reply.  Returns as they do. */
int conn_call(struct ftpc *c, const struct schema_req *q, enum schema_kind kind,
    struct schema_reply *rep, const char *op, const char *name);

/*
 * The commands (remote.c, xfer.c): argv holds the command's arguments,
 * already counted and checked by main.c.  Each returns 0 or the first
 * error of its arguments.
 */
int remote_ls(struct ftpc *c, int argc, char **argv);
int remote_stat(struct ftpc *c, int argc, char **argv);
int remote_rm(struct ftpc *c, int argc, char **argv);
int remote_mkdir(struct ftpc *c, int argc, char **argv);
int remote_rmdir(struct ftpc *c, int argc, char **argv);
int remote_mv(struct ftpc *c, int argc, char **argv);

/*
 * remote_path: a user's remote path as sent on the wire: leading and
 * trailing '/' removed, "" becomes ".".  Returns 0, or -ERR_NAME_TOO_LONG
 * if it does not fit outlen bytes (message printed).
 */
int remote_path(const char *in, char *out, size_t outlen);

/*
 * remote_join: dir "/" name into out ("." as dir gives name alone).
 * Returns 0 or -ERR_NAME_TOO_LONG (does not fit, message printed).
 */
int remote_join(const char *dir, const char *name, char *out, size_t outlen);

/*
 * remote_stat_get: stat the wire path into st.  Returns 0; the server's
 * code for an error reply (printed as "stat REPORT" unless report is
 * NULL); a connection error as conn_call.
 */
int remote_stat_get(struct ftpc *c, const char *path, struct rstat *st,
    const char *report);

/* xfer.c: put; get.c: get. */
int xfer_put(struct ftpc *c, int argc, char **argv);
int get_files(struct ftpc *c, int argc, char **argv);

/*
 * xfer_base: the last component of path (local or remote), trailing '/'
 * ignored, into out of outlen bytes.  Returns 0 or -ERR_NAME_TOO_LONG
 * (printed).
 */
int xfer_base(const char *path, char *out, size_t outlen);

/* xfer_local_err: print "OP NAME: WHY" for a local file; -ERR_SYSTEM. */
int xfer_local_err(const char *op, const char *name, const char *why);

/*
 * xfer_protocol: the server broke the protocol during OP NAME: print
 * "OP NAME: protocol error: WHY", mark c dead.  Returns -ERR_PROTOCOL.
 */
int xfer_protocol(struct ftpc *c, const char *op, const char *name,
    const char *why);

/*
 * The local file a download writes, beside its target: a random temporary
 * name (".NAME.ftpc-XXXXXX", removed on any failure), or with -C the
 * stable partial name ".NAME.ftpc-part", kept on a failure so that the
 * next "ftpc -C get" continues from its size (doc/PROTOCOL.md 4.8 offset).
 */
struct partial {
	char	 path[PATH_MAX];
	int	 fd;	/* open for reading and writing, -1 when closed */
	int	 keep;	/* the stable -C name: kept on failure */
	uint64_t have;	/* bytes to resume from: the request's offset */
	int64_t	 mtime; /* the partial file's mtime when opened, seconds */
};

/*
 * partial.c.  partial_open: create (or, with c->resume, open or create)
 * the download file for the local target dest into p, and arm the signal
 * handler for it.  p->have is the size of an existing partial file, 0
 * otherwise.  Returns 0, or -ERR_SYSTEM (local error, printed with name).
 */
int partial_open(struct ftpc *c, const char *dest, const char *name,
    struct partial *p);

/*
 * partial_prefix: decide whether p->have bytes can be resumed against a
 * remote file of size bytes modified at mtime (seconds): not if the
 * partial file is larger, or older than the remote file (then p->have = 0
 * and nothing is read).  Otherwise hash its first p->have bytes into h
 * (with h's algorithm), reading through buf (buflen bytes).
 * Returns 0, or -ERR_SYSTEM (read error, printed).
 */
int partial_prefix(struct partial *p, const char *name, uint64_t size,
    int64_t mtime, struct digest *h, uint8_t *buf, size_t buflen);

/*
 * partial_seek: cut p's file to offset bytes and write from there on.
 * Returns 0 or -ERR_SYSTEM (errno says why; not printed).
 */
int partial_seek(struct partial *p, uint64_t offset);

/*
 * partial_close: end the download with result r (0 or -ERR_*).  0: the
 * file was renamed into place.  Otherwise a -C partial file that holds
 * bytes is fsync'd and kept (a message says so) unless r is -ERR_DIGEST
 * (its data are wrong); any other file is removed.  Disarms the handler.
 */
void partial_close(struct partial *p, int r);

/*
 * partial_signals: install SIGINT/SIGTERM/SIGHUP handlers that remove a
 * download's temporary file (or fsync and keep a -C partial file) and exit
 * 128 + signal.
 */
void partial_signals(void);

#endif
