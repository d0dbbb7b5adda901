/*
 * schema.h: every message of protocol v1 (doc/PROTOCOL.md sections 2 and
 * 4), defined once.  A table in schema_table.c gives, for each message
 * kind, its fields in wire order: key, msgpack type, required or optional,
 * limits.  One encoder and one decoder (schema.c) are driven by it; the
 * rest of the program sees only the typed structs below.  Adding a field
 * is one table row and one struct member (with its `has` flag).
 *
 * Decoding rules, the same for every message: the bytes must be one valid
 * msgpack map (msg_check first, so no length is trusted before it is
 * backed by bytes); unknown keys and keys that are not strings are ignored;
 * for a repeated key the first one counts; a missing required field, a
 * field of the wrong type, a str or bin outside its length limits or an
 * integer outside its range gives -ERR_PROTOCOL (or the field's own code,
 * e.g. ERR_NAME_TOO_LONG for a path) with a message naming the field.
 * Decoded str and bin fields point into the caller's bytes: they stay
 * valid only as long as those bytes do and are not NUL-terminated.
 */
#ifndef FTPD_SCHEMA_H
#define FTPD_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define SCHEMA_PATH_MAX	  4095	/* bytes of a path (PROTOCOL.md 4.1) */
#define SCHEMA_MSG_MAX	  1024	/* bytes of an error reply's "msg" */
#define SCHEMA_ENTRY_MAX  65535 /* entries in one list reply part */
#define SCHEMA_HASH_LEN	  32	/* "pk" bin length, longest "digest" */
#define SCHEMA_DIGEST_MIN 16	/* shortest "digest" (xxh3-128) */
#define SCHEMA_WHY_LEN	  128	/* buffer for a decoder's complaint */
#define SCHEMA_STRS_MAX	  8	/* strings in a list field ("suites") */
#define SCHEMA_NAME_MAX	  32	/* bytes of each string in such a list */

/* Every message kind: its table row in schema_table.c. */
enum schema_kind {
	/* Requests and transfer messages (maps with "op"). */
	SCHEMA_AUTH,
	SCHEMA_STAT,
	SCHEMA_LIST,
	SCHEMA_DELETE,
	SCHEMA_MKDIR,
	SCHEMA_RMDIR,
	SCHEMA_RENAME,
	SCHEMA_PUT,
	SCHEMA_GET,
	SCHEMA_BYE,
	SCHEMA_NOOP,
	SCHEMA_DONE,
	SCHEMA_ABORT,
	SCHEMA_HOSTSIG,	 /* server -> client: the host key's signature */
	SCHEMA_OP_COUNT, /* kinds below carry no "op" */
	/* Replies (maps with "ok"). */
	SCHEMA_R_OK = SCHEMA_OP_COUNT, /* {"ok": true} */
	SCHEMA_R_ERROR,		       /* {"ok": false, code, err, msg} */
	SCHEMA_R_AUTH,
	SCHEMA_R_STAT,
	SCHEMA_R_LIST,
	SCHEMA_R_PUT,	   /* put accepted: offset */
	SCHEMA_R_PUT_DONE, /* upload committed: size */
	SCHEMA_R_GET,
	/* The handshake and the nested maps. */
	SCHEMA_HELLO,
	SCHEMA_LIM,
	SCHEMA_ENTRY,
	SCHEMA_KIND_COUNT
};

/* A str field: bytes, not NUL-terminated. */
struct schema_str {
	const char *p;
	size_t	    len;
};

/* A list of short strings (msgpack array of str). */
struct schema_strs {
	struct schema_str v[SCHEMA_STRS_MAX];
	size_t		  n;
};

/* A bin field. */
struct schema_bin {
	const uint8_t *p;
	size_t	       len;
};

/*
 * Every request and transfer message: op says which; the table says which
 * members belong to it.  has.X is set when X was present (decoding) or is
 * to be written (encoding, optional fields only; required ones always are).
 */
struct schema_req {
	enum schema_kind  op;
	struct schema_str method; /* auth */
	struct schema_str path;
	struct schema_str from;	     /* rename */
	struct schema_str to;	     /* rename */
	uint64_t	  size;	     /* put: bytes that follow */
	uint64_t	  mode;	     /* put, mkdir: permission bits */
	int64_t		  mtime;     /* put: seconds since the epoch */
	uint64_t	  offset;    /* get: first byte wanted */
	int		  overwrite; /* put, rename */
	int		  resume;    /* put: continue a kept partial */
	struct schema_str alg;	     /* put, get, stat: digest algorithm */
	struct schema_bin digest;    /* done: 16 or 32 bytes, as alg says */
	struct schema_str user;	     /* auth: account name */
	struct schema_str password;  /* auth "password": never logged */
	struct schema_bin pk;	     /* auth "publickey": Ed25519 key, 32 */
	struct schema_bin sig;	     /* auth "publickey", hostsig: 64 bytes */
	struct {
		uint8_t mode, offset, overwrite, alg, user, password, pk, sig,
		    resume;
	} has;
};

/* One list entry (PROTOCOL.md 4.5). */
struct schema_entry {
	struct schema_str name;
	struct schema_str type; /* "file", "dir", "link", "other" */
	uint64_t	  size;
	uint64_t	  mode;
	int64_t		  mtime;
};

/*
 * Every reply.  ok is 1 for success kinds, 0 for SCHEMA_R_ERROR.  entries is
 * the caller's array when encoding; when decoding it is allocated and freed
 * by schema_reply_free.
 */
struct schema_reply {
	int		     ok;
	int64_t		     code;    /* error: ERR_* */
	struct schema_str    err;     /* error: err_name(code) */
	struct schema_str    msg;     /* error: human message */
	struct schema_str    server;  /* auth: "ftpd/1.0" */
	struct schema_str    user;    /* auth: the account logged in */
	struct schema_str    type;    /* stat */
	uint64_t	     size;    /* stat, get, put done */
	uint64_t	     mode;    /* stat, get */
	int64_t		     mtime;   /* stat, get */
	uint64_t	     offset;  /* put, get */
	struct schema_entry *entries; /* list */
	size_t		     nentries;
	int		     more;   /* list: another part follows */
	struct schema_str    alg;    /* put, put done, get, stat: digest alg */
	struct schema_bin    digest; /* put done, stat: the file's digest;
				     * put: the kept prefix's */
	struct {
		uint8_t server, user, alg, digest;
	} has;
};

/* The limits a server advertises in its hello (PROTOCOL.md 2). */
struct schema_lim {
	uint64_t frame; /* largest frame payload after the handshake */
	uint64_t file;	/* largest upload, bytes; 0 = none */
	uint64_t grace; /* login grace, seconds */
	uint64_t idle;	/* idle timeout between requests, s; 0 = none */
	uint64_t stall; /* transfer stall timeout, seconds */
	uint64_t cpu;	/* CPU seconds per session; 0 = none */
	uint64_t list;	/* entries per list reply part */
	struct {
		uint8_t frame, file, grace, idle, stall, cpu, list;
	} has;
};

struct schema_hello {
	struct schema_str  proto;    /* "ftpd" */
	uint64_t	   v;	     /* protocol version */
	struct schema_bin  pk;	     /* X25519 public key, 32 bytes */
	struct schema_strs suites;   /* client: AEAD suites offered, in order */
	int		   nosecret; /* client: keys without the secret */
	struct schema_str  suite;    /* server: the suite it chose */
	struct schema_strs digests;  /* server: digest algorithms offered */
	struct schema_bin  hk;	     /* server: Ed25519 host key, 32 bytes */
	struct schema_lim  lim;	     /* server only */
	struct {
		uint8_t suites, nosecret, suite, digests, hk, lim;
	} has;
};

/*
 * schema_encode: the msgpack map of kind for msg (a struct schema_req for
 * the op kinds, struct schema_reply for SCHEMA_R_*, struct schema_hello,
 * ...) into out, which is reset first; its maximum bounds the size.
 * Fields are written in table order, shortest msgpack forms.  Returns 0;
 * -ERR_INTERNAL when a value breaks the table's limits (a bug of the
 * caller); -ERR_NOMEM, or -ERR_PROTOCOL when out's maximum is too small.
 */
__attribute__((warn_unused_result)) int schema_encode(enum schema_kind kind,
    const void *msg, struct buf *out);

/*
 * schema_decode: the len bytes at p as a message of kind into msg (the
 * struct of that kind; cleared first).  why (SCHEMA_WHY_LEN bytes, may be
 * NULL) gets a short text naming the faulty field.  Returns 0 or a
 * negative ERR_* code (see the decoding rules above; -ERR_NOMEM too).
 * For SCHEMA_R_LIST release with schema_reply_free, even on failure.
 */
__attribute__((warn_unused_result)) int schema_decode(enum schema_kind kind,
    const uint8_t *p, size_t len, void *msg, char *why);

/*
 * schema_request_decode: a request or transfer message: reads "op" (a
 * str), sets req->op to its kind and decodes the rest.  req->op is set
 * as soon as the op is known, even when a later field fails, and is
 * SCHEMA_OP_COUNT when no known op was found.  Returns 0;
 * -ERR_PROTOCOL when the bytes are no map or "op" is missing or not a str;
 * -ERR_UNKNOWN_OP for an op this version does not know; else as
 * schema_decode.
 */
__attribute__((warn_unused_result)) int schema_request_decode(const uint8_t *p,
    size_t len, struct schema_req *req, char *why);

/*
 * schema_reply_decode: a reply to a request whose success reply is kind:
 * "ok" must be a bool; false decodes the error fields (rep->ok = 0), true
 * decodes kind's fields (rep->ok = 1).  Returns 0 (check rep->ok) or as
 * schema_decode.  Call schema_reply_free after it in every case.
 */
__attribute__((warn_unused_result)) int
schema_reply_decode(enum schema_kind kind, const uint8_t *p, size_t len,
    struct schema_reply *rep, char *why);

/* schema_reply_free: free what decoding allocated (entries); idempotent. */
void schema_reply_free(struct schema_reply *rep);

/* schema_op_name: the "op" string of an op kind, NULL for other kinds. */
const char *schema_op_name(enum schema_kind kind);

/* schema_str_is: 1 when s holds exactly the C string lit, else 0. */
int schema_str_is(struct schema_str s, const char *lit);

/* schema_cstr: s as a C string (the constant's own storage for literals). */
struct schema_str schema_cstr(const char *s);

#endif
