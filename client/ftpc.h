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
 *   FTPC_ERR_HOSTKEY (the server's host key differs from the one in
 *     known_hosts, or its signature did not verify)       7 HOSTKEY
 *   FTPC_ERR_UNKNOWN_HOST (a new host key not accepted: the user said
 *     no, or no terminal to ask and no --accept-new)      8 UNKNOWN_HOST
 *
 * A function that met a connection failure also sets c->dead, so a caller
 * tells "the server refused this" (c->dead == 0) from "no more requests".
 */
#ifndef FTPC_FTPC_H
#define FTPC_FTPC_H

#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/channel.h"
#include "common/digest.h"
#include "common/schema.h"

enum ftpc_exit {
	FTPC_EXIT_OK = 0,
	FTPC_EXIT_REMOTE = 1,	 /* the server refused an operation */
	FTPC_EXIT_USAGE = 2,	 /* bad flags, arguments or config values */
	FTPC_EXIT_CONN = 3,	 /* connect, lost connection, protocol, busy */
	FTPC_EXIT_AUTH = 4,	 /* authentication failed */
	FTPC_EXIT_LOCAL = 5,	 /* local input or output error */
	FTPC_EXIT_INTEGRITY = 6, /* a digest did not match */
	FTPC_EXIT_HOSTKEY = 7,	 /* host key changed or signature bad */
	FTPC_EXIT_UNKNOWN_HOST = 8 /* a new host key was not accepted */
};

/* How ftpc logs in (PROTOCOL.md 4.4 methods). */
enum ftpc_method {
	FTPC_AUTH_SECRET = 0, /* the shared secret alone (the default) */
	FTPC_AUTH_PASSWORD,   /* -u USER: an account's password */
	FTPC_AUTH_PUBLICKEY   /* -i KEY: an account's Ed25519 key */
};
#define FTPC_PASSWORD_MAX 1024 /* bytes, PROTOCOL.md 4.4 */

#define FTPC_TIMEOUT_SEC 60  /* default --timeout: SO_RCVTIMEO / SO_SNDTIMEO */
#define FTPC_CONNECT_SEC 10  /* default --connect-timeout: connect, handshake */
#define FTPC_EXIT_INTR	 130 /* SIGINT (Ctrl-C): 128 + 2, as a shell says */
#define CONN_REQUEST_MAX 65536 /* bytes of one encoded request (two paths) */
#define FTPC_KEY_BYTES	 32    /* the shared secret (KEYFILE_BYTES) */

/* ls output forms (struct opts.ls bits). */
#define LS_LONG	 0x1 /* -l: mode, size, mtime, name (the default) */
#define LS_HUMAN 0x2 /* -h: sizes as 1.5K, 20M */
#define LS_JSON	 0x4 /* --json: one JSON array */
#define LS_NAMES 0x8 /* -1: names only */

/* One command's options (args.c); reset to the global ones for each. */
struct opts {
	int resume;    /* -C: keep and continue partial downloads */
	int force;     /* get -f: replace existing local files */
	int noclobber; /* -n: never replace an existing file (put, get) */
	int recursive; /* -r: trees (put, get, rm) */
	int preserve;  /* -p (put, get): keep mtime and mode bits */
	int follow;    /* put -L: follow symbolic links in local trees */
	int parents;   /* mkdir -p: create parents, an existing folder is ok */
	int ignore;    /* rm -f: a missing file is no error */
	int ls;	       /* LS_* bits */
};

struct progress;

struct ftpc {
	char	       host[256];
	char	       port[16];
	char	       user[64];   /* -u, URL or config: account or USER.key */
	int	       quiet;	   /* -q: no progress bar */
	int	       verbose;	   /* -v */
	int	       digest;	   /* --digest: enum digest_alg of transfers */
	int	       digest_set; /* --digest was given (stat shows one) */
	int	       progress; /* draw the bar: stderr is a tty and not -q */
	int	       connect_sec; /* --connect-timeout, seconds */
	int	       timeout_sec; /* --timeout: per operation, seconds */
	int	       retries;	    /* --retry N: more connection attempts */
	int	       parallel;    /* --parallel N: connections for trees */
	uint64_t       limit_rate;  /* --limit-rate, bytes/s; 0 = none */
	int	       shell;	    /* in the shell: connection flags refused */
	struct opts    g;	    /* options given before the command */
	struct opts    o;	    /* the running command's options */
	mode_t	       umask; /* the process umask, for downloaded files */
	int	       fd;    /* connected socket, -1 when closed */
	int	       dead;  /* the connection is unusable: no more requests */
	int	       status; /* the first error (-ERR_*), 0 if none */
	struct channel ch;
	struct buf     out;   /* the request being sent (conn_send) */
	uint8_t	      *iobuf; /* CHANNEL_DATA_CHUNK bytes for put */
	uint8_t	       key[FTPC_KEY_BYTES]; /* kept for reconnects; wiped */
	int	       nosecret;      /* no shared secret: c->key unused */
	int	       method;	      /* enum ftpc_method */
	int	       accept_new;    /* --accept-new: record new host keys */
	const char    *flag_user;     /* -u */
	const char    *flag_ident;    /* -i */
	const char    *password_file; /* --password-file */
	struct hostkey ident;	      /* -i: the user's key; wiped */
	char	      *password;   /* read once, kept for reconnects; wiped */
	int64_t	       rate_t0;	   /* --limit-rate: window start, ms */
	uint64_t       rate_bytes; /* bytes moved since rate_t0 */
	struct progress *total;	   /* a tree's total line, NULL otherwise */
	int		 report;  /* --parallel child: pipe to the parent, -1 */
	int		 closing; /* in conn_close: failures are not news */
};

/* A remote entry as "stat" and "list" describe it (PROTOCOL.md 4.4). */
struct rstat {
	char	 type[8]; /* "file", "dir", "link", "other" */
	uint64_t size;	  /* bytes */
	uint64_t mode;	  /* st_mode & 07777 */
	int64_t	 mtime;	  /* seconds since the epoch */
	char	 digest[2 * DIGEST_MAX + 1]; /* hex of the content's, or "" */
};

/* main.c: "1.0", what --version prints. */
extern const char ftpc_version[];

/* Client-only codes (negated like the others), never on the wire. */
#define FTPC_ERR_USAGE	      200 /* bad command-line or shell arguments: exit 2 */
#define FTPC_ERR_INTR	      201 /* interrupted (SIGINT): exit 130 */
#define FTPC_ERR_HOSTKEY      202 /* host key changed or bad signature: 7 */
#define FTPC_ERR_UNKNOWN_HOST 203 /* new host key not accepted: 8 */

/*
 * usage.c.  ftpc_exit: the exit status for err (0 or -ERR_*, or a
 * FTPC_ERR_* code), by the table above.
 */
int ftpc_exit(int err);

/* ftpc_fail: remember err as the result if none is set; returns err. */
int ftpc_fail(struct ftpc *c, int err);

/*
 * usage_msg: print "ftpc: WHY" (when why is not NULL) and the usage line
 * on stderr.  Returns -FTPC_ERR_USAGE.
 */
int usage_msg(const char *why);

/* usage_error: usage_msg (why NULL: already said), a pointer to --help,
 * then exit 2. */
void usage_error(const char *why) __attribute__((noreturn));

/* usage_help: the --help text on stdout (the shell's "help" too). */
void usage_help(void);

/*
 * args.c: the commands and their options.  struct call is one parsed
 * command: cmd (the table row), its operands (argc, argv: pointers into
 * the caller's argv, permuted by getopt_long) and c->o set.
 */
enum cmd_glob {
	GLOB_NONE,    /* no remote operand is a pattern */
	GLOB_ALL,     /* every operand */
	GLOB_SOURCES, /* all but the last (get REMOTE... LOCAL) */
	GLOB_FIRST    /* the first (mv) */
};
#define CMD_SHELL 0x1 /* only in the shell */
#define CMD_ONCE  0x2 /* only on the command line */
#define CMD_LOCAL 0x4 /* needs no connection */

struct cmd {
	const char *name;
	int	    min, max; /* operand count, max -1: any */
	int (*fn)(struct ftpc *, int, char **);
	int glob;  /* enum cmd_glob */
	int flags; /* CMD_* */
};

/* cmds.c: the table of commands. */
extern const struct cmd cmds[];
extern const size_t	cmds_count;

/*
 * cmds_find: the command called name (shell: 1 in the shell).  Returns
 * NULL for an unknown one or one not allowed here (printed as a usage
 * error).
 */
const struct cmd *cmds_find(const char *name, int shell);

struct call {
	const struct cmd *cmd;
	int		  argc;
	char		**argv;
};

/*
 * args_global: one global option (ch as getopt_long gave it, arg its
 * argument or NULL) into c, or fl[] for the connection flags -H, -p, -k,
 * -c (fl may be NULL: refused, as in the shell).  Returns 0, 1 when ch
 * is no global option, or -FTPC_ERR_USAGE (printed).  -h and -V print
 * and exit 0.
 */
int args_global(struct ftpc *c, int ch, const char *arg, const char *fl[5]);

/*
 * args_parse: argv[0] is a command name, the rest its options and
 * operands in any order (GNU permutation; "--" ends the options).
 * Sets c->o from c->g and the command's options, checks the operand
 * count and lengths.  fl as args_global.  Returns 0 with *call set, or
 * -FTPC_ERR_USAGE (printed).
 */
int args_parse(struct ftpc *c, int argc, char **argv, const char *fl[5],
    struct call *call);

/*
 * args_exec: run a parsed call on the open connection (remote globs
 * expanded first).  Returns 0 or the first error.
 */
int args_exec(struct ftpc *c, const struct call *call);

/*
 * args_front: the global options before the command (stops at the first
 * operand; exits 2 on a bad one, 0 after --help).  Returns the index of
 * the command in argv (argc when there is none).
 */
int args_front(struct ftpc *c, int argc, char **argv, const char *fl[5]);

/* args_cmd_name: the i-th command name (for completion), NULL past the end. */
const char *args_cmd_name(size_t i);

/*
 * hosts.c.  hosts_settings: host, port, user and key (read into c->key)
 * from the flags fl (-H, -p, -k, -c; NULL when not given), the
 * environment, the Host blocks of the configuration file and defaults.
 * -H (and FTPC_HOST) may be an alias, HOST:PORT, [V6]:PORT or a URL
 * ftpc://[USER@]HOST[:PORT][/PATH] (PATH becomes the remote folder).
 * Exits 2 on a usage or configuration error, 5 on an unreadable file.
 */
void hosts_settings(struct ftpc *c, const char *fl[5]);

/*
 * hosts_operand: an operand "ftpc://[USER@]HOST[:PORT]/PATH" sets the
 * server (kept in fl[0], fl[1]; every URL must name the same one) and is
 * replaced in place by "/PATH".  Returns 0 (also for a plain operand) or
 * -FTPC_ERR_USAGE (printed).
 */
int hosts_operand(char *arg, const char *fl[5]);

/*
 * shell.c.  shell_run: read commands from in (an interactive libedit
 * session when interactive, else lines of a batch: a failing command
 * ends it unless its line begins with '-') and run each on the open
 * connection c.  Returns the exit status.
 */
int shell_run(struct ftpc *c, FILE *in, int interactive);

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
 * conn_connect: conn_open with c->key, tried again --retry times (c->retries)
 * after a connection failure (not a wrong key), waiting 1, 2, 4 ... 60 s
 * between attempts; then the digest the server offers.  Returns as
 * conn_open.
 */
int conn_connect(struct ftpc *c);

/* conn_why: the words for an errno of channel_send or channel_recv
 * (static storage for some, valid until the next call). */
const char *conn_why(int err);

/*
 * handshake.c.  handshake_run: the handshake on c->fd (with secret unless
 * c->nosecret), then the host key's pin (knownhosts_verify).  Returns 0;
 * -ERR_AUTH (wrong secret, a server refusing the session with code 16, a
 * nosecret session to a server without host key); -FTPC_ERR_HOSTKEY or
 * -FTPC_ERR_UNKNOWN_HOST; a connection error (ERR_EOF, ERR_TIMEOUT,
 * ERR_BUSY, ERR_PROTOCOL).  Printed; c->dead set on any error.
 */
int handshake_run(struct ftpc *c, const uint8_t secret[CHANNEL_KEY_BYTES]);

/* dial_timeout: SO_RCVTIMEO and SO_SNDTIMEO of fd, seconds.  0 or -1. */
int dial_timeout(int fd, int sec);

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
 * conn_data_buf: room for a data frame's body of up to max <=
 * CHANNEL_DATA_CHUNK bytes inside the channel's send buffer, to read a
 * file into without a copy (channel_body_buf); NULL on ENOMEM.
 * conn_send_data_buf then sends the len bytes placed at its start as one
 * data frame; 0 or a connection error as conn_send.
 */
uint8_t *conn_data_buf(struct ftpc *c, size_t max);
int	 conn_send_data_buf(struct ftpc *c, size_t len);

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

/* A listed entry (ls.c): name is the server's bytes, NUL-terminated (a
 * name holding '/' or NUL is dropped from the list). */
struct rent {
	char	    *name;
	struct rstat st;
};

struct rlist {
	struct rent *v;
	size_t	     n, cap;
};

/*
 * rlist_fetch: every entry of the remote folder path (wire path), sorted
 * by name, into l (release with rlist_free).  An error reply is printed
 * as "OP UNAME: ..." unless op is NULL.  Returns 0 or an error.
 */
int  rlist_fetch(struct ftpc *c, const char *path, const char *op,
     const char *uname, struct rlist *l);
void rlist_free(struct rlist *l);

/* rstat_set: an entry's fields as the server sent them, type filtered. */
void rstat_set(struct rstat *st, struct schema_str type, uint64_t size,
    uint64_t mode, int64_t mtime);

/*
 * remote_op: a request of op (delete, mkdir, rmdir) on wire path path;
 * an error reply is printed as "CMD NAME: ..." unless cmd is NULL.
 * Returns 0 or an error.
 */
int remote_op(struct ftpc *c, enum schema_kind op, const char *path,
    const char *cmd, const char *name);

/*
 * remote_stat_op: stat wire path path into st; an error reply printed as
 * "OP NAME: ..." unless op is NULL (op "stat" with --digest asks for the
 * digest).  Returns 0 or an error.
 */
int remote_stat_op(struct ftpc *c, const char *path, struct rstat *st,
    const char *op, const char *name);

/*
 * remote_mkdir_step: create the remote folder path (wire path); an
 * existing folder is fine.  Errors printed as "mkdir NAME: ...".
 */
int remote_mkdir_step(struct ftpc *c, const char *path, const char *name);

/* The shell's remote folder (a wire path, "." for the root); relative
 * remote paths are taken from it.  remote_setcwd: 0 or -ERR_NAME_TOO_LONG. */
const char *remote_getcwd(void);
int	    remote_setcwd(const char *path);

/* A growing NULL-terminated vector of strings (glob.c). */
struct strv {
	char **v;
	int    n, cap;
};
int  strv_add(struct strv *s, const char *p); /* a copy: 0 or -ERR_NOMEM */
void strv_free(struct strv *s);

/* glob_has: whether s holds an unescaped *, ? or [. */
int glob_has(const char *s);

/*
 * glob_args: call's operands into out (strv_free it in every case), the
 * remote patterns among them replaced by their sorted matches.  Returns
 * 0, or the first error (a pattern that matches nothing: -ERR_NOT_FOUND,
 * printed).
 */
int glob_args(struct ftpc *c, const struct call *call, struct strv *out);

/* A tree's jobs (tree.c): folders to create, then files to send. */
struct job {
	char	*src;  /* local path (put) or wire path (get) */
	char	*dst;  /* wire path (put) or local path (get) */
	uint64_t size; /* bytes of a file */
	int	 dir;  /* a folder to create */
};

struct jobs {
	struct job *v;
	size_t	    n, cap;
	uint64_t    files, bytes; /* totals of the files */
	int	    failed;	  /* jobs that failed */
	int	    first;	  /* the first failure's code */
};

void jobs_free(struct jobs *js);
void jobs_fail(struct jobs *js, int r); /* count a failure of code r */

/* tree_job: one file of a tree (put: 1) on c.  0 or an error. */
int tree_job(struct ftpc *c, const struct job *j, int put);

/*
 * tree_put: put -r of the local folder root to the wire path dst;
 * tree_get: get -r of the remote folder path to the local dst; tree_rm:
 * rm -r of the remote folder path.  Each goes on past a failing entry
 * (printed, counted) and returns 0 or the first error.
 */
int tree_put(struct ftpc *c, const char *root, const char *dst);
int tree_get(struct ftpc *c, const char *path, const char *uname,
    const char *dst);
int tree_rm(struct ftpc *c, const char *path, const char *uname);

struct progress;
/*
 * par_run: the files of js on c->parallel connections of child processes
 * (parallel.c), the total line t fed from their reports.  Failures are
 * counted in js (a file no child reported as one).
 */
void par_run(struct ftpc *c, struct jobs *js, int put, struct progress *t);

/* Shell-only commands (shell.c). */
int shell_cd(struct ftpc *c, int argc, char **argv);
int shell_pwd(struct ftpc *c, int argc, char **argv);
int shell_lcd(struct ftpc *c, int argc, char **argv);
int shell_lpwd(struct ftpc *c, int argc, char **argv);
int shell_help(struct ftpc *c, int argc, char **argv);

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

/* xfer_put_one: upload the local file name to wire path path. */
int xfer_put_one(struct ftpc *c, const char *name, const char *path);

/*
 * The pieces of a put that pipe.c shares with xfer_put_one.
 * xfer_put_open: open name for reading: a regular file (the descriptor,
 * *st) or -1 with *r set (printed).  xfer_put_req: the put request of
 * local name (st) to wire path into q; 0 or -ERR_TOO_BIG (printed: over
 * the server's advertised limit).  xfer_put_stream: the data of fd from
 * offset, then done with the digest, or abort after a local failure
 * (printed); 0 or an error.  xfer_put_refused: the server's answer r to a
 * put: with -n, exists becomes XFER_SKIPPED (not an error) and any other
 * refusal is printed here (conn_reply was given no op); else r.
 */
#define XFER_SKIPPED 1 /* put -n met an existing file (never returned) */
struct stat;
int xfer_put_open(const char *name, struct stat *st, int *r);
int xfer_put_req(struct ftpc *c, const char *name, const char *path,
    const struct stat *st, struct schema_req *q);
int xfer_put_stream(struct ftpc *c, int fd, const char *name,
    const struct stat *st, uint64_t offset, struct progress *pg);
int xfer_put_refused(struct ftpc *c, const char *name, int r);

/*
 * pipe.c: uploads pipelined on one connection (doc/PROTOCOL.md section 4,
 * "Pipelining"): up to PIPE_FILES files and PIPE_BYTES unanswered bytes in
 * flight, their replies read in order.  Each file's result is given to
 * done(arg, job, name, size, r) as its reply arrives (r: 0, or the error,
 * already printed); after a connection failure the files still in flight
 * get -ERR_EOF.
 */
#define PIPE_FILES 16	      /* files in flight */
#define PIPE_BYTES (8u << 20) /* their bytes */
#define PIPE_SMALL (4u << 20) /* larger files wait for the put's reply */
typedef void pipe_fn(void *arg, size_t job, const char *name, uint64_t size,
    int r);
struct pipe_ent {
	char	*name; /* local name, for messages */
	uint64_t size;
	size_t	 job;
	int	 local; /* a local failure sent abort: the file's result */
};
struct pipe {
	struct ftpc    *c;
	struct pipe_ent v[PIPE_FILES];
	size_t		head, n;
	uint64_t	bytes; /* of the files in flight */
	pipe_fn	       *done;
	void	       *arg;
};
void pipe_init(struct pipe *pp, struct ftpc *c, pipe_fn *done, void *arg);
/* pipe_put: send local file name to wire path as job (results: done). */
void pipe_put(struct pipe *pp, const char *name, const char *path, size_t job);
/* pipe_drain: read the replies of every file in flight. */
void pipe_drain(struct pipe *pp);

/* get_one: download wire path path (the user's name) to local dest. */
int get_one(struct ftpc *c, const char *path, const char *name,
    const char *dest);

/* xfer_throttle: n more bytes moved: sleep to keep --limit-rate. */
void xfer_throttle(struct ftpc *c, size_t n);

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

/*
 * knownhosts.c: the pinned host keys (PROTOCOL.md 2.6), one line
 * "HOST PORT KEY" each in $XDG_CONFIG_HOME/ftpc/known_hosts, KEY the
 * base64 of the 32 key bytes or a "SHA256:..." fingerprint.
 */
struct kh_query {
	const char    *host;  /* as the user named it (c->host) */
	const char    *port;  /* decimal (c->port) */
	const char    *where; /* "HOST:PORT" for messages */
	const uint8_t *pk;    /* the server's verified key, 32 bytes */
};
enum kh_result { KH_MATCH = 0, KH_UNKNOWN = 1, KH_CHANGED = 2 };

/*
 * ftpc_config_path: the per-user file ftpc/FILE beneath $XDG_CONFIG_HOME
 * or ~/.config (common/xdg.h's rule) into out (outlen bytes); FILE ""
 * gives the folder.  0, or -1 when no home is known or it does not fit.
 */
int ftpc_config_path(const char *file, char *out, size_t outlen);

/* knownhosts_path: the file's path into out.  0 or -ERR_SYSTEM. */
int knownhosts_path(char *out, size_t outlen);

/*
 * knownhosts_lookup: q's host and port in the file path (missing: none).
 * Returns KH_MATCH (a line has q->pk), KH_CHANGED (lines name the host and
 * port, none with q->pk: *lineno and old, oldlen bytes, get the first such
 * line as written), KH_UNKNOWN, or -ERR_SYSTEM (read error, errno).
 * Malformed lines are skipped.
 */
int knownhosts_lookup(const char *path, const struct kh_query *q, int *lineno,
    char *old, size_t oldlen);

/*
 * knownhosts_add: append "HOST PORT BASE64" to path (created 0600, its
 * folder 0700) in one write.  Returns 0 or -ERR_SYSTEM (errno; EINVAL for
 * a host holding blanks or '#').
 */
int knownhosts_add(const char *path, const char *host, const char *port,
    const uint8_t pk[HOSTKEY_PK_BYTES]);

/*
 * knownhosts_verify: decide on q->pk.  Known: 0.  Changed: both
 * fingerprints and the line to remove printed, -FTPC_ERR_HOSTKEY.  New:
 * recorded without asking when keyed (the session holds the shared secret)
 * or accept (--accept-new), else asked on the terminal; refused (no, or no
 * terminal) with -FTPC_ERR_UNKNOWN_HOST.  -ERR_SYSTEM when the file cannot
 * be read.  Messages are printed.
 */
int knownhosts_verify(const struct kh_query *q, int keyed, int accept);

/* knownhosts_badsig: print the failed host signature of pk;
 * -FTPC_ERR_HOSTKEY. */
int knownhosts_badsig(const char *where, const uint8_t pk[HOSTKEY_PK_BYTES]);

/*
 * auth.c.  auth_fill: the fields of the auth request q for c->method (q
 * already an SCHEMA_AUTH request): user, and the password (read once from
 * --password-file or the terminal, kept in c->password) or the public key
 * and its signature over c->ch.t and the user into sig (which q points
 * to: keep it until q is sent).  Returns 0, -FTPC_ERR_USAGE (no terminal
 * to ask, printed), -ERR_SYSTEM (password file, printed) or -ERR_AUTH
 * (a password on a session that proved nothing about the server).
 */
int auth_fill(struct ftpc *c, struct schema_req *q,
    uint8_t sig[HOSTKEY_SIG_BYTES]);

/*
 * auth_keygen: "ftpc keygen [FILE]": a new identity (a 32-byte seed as 64
 * hex digits, mode 0600, never overwritten) at FILE or
 * $XDG_CONFIG_HOME/ftpc/id_ed25519, its public line
 * "ftpd-ed25519 BASE64 USER@HOST" on stdout and in FILE.pub.  argv[0] is
 * "keygen".  Returns the exit status.
 */
int auth_keygen(int argc, char **argv);

/* auth_wipe: erase the password and the identity of c. */
void auth_wipe(struct ftpc *c);

/*
 * auth_check_user: whether name is an account name (PROTOCOL.md 4.4:
 * 1 to 32 bytes of a-z, 0-9, '_', '.', '-', the first a letter or digit).
 * 0 or -1.
 */
int auth_check_user(const char *name);

#endif
