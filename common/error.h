/*
 * error.h: the stable error codes of protocol v1 (doc/PROTOCOL.md, section
 * "Errors").  The numbers and names travel on the wire and in logs; never
 * renumber one.  The one return idiom of the project (after OpenSSH's
 * ssherr.h): a function returns 0 on success or a negative ERR_* code,
 * never -1 with errno alone; ERR_SYSTEM says "errno holds the cause".
 * Codes from ERR_INTERNAL_BASE up never travel on the wire: err_wire()
 * maps every code to the one a reply carries.
 */
#ifndef FTPD_ERROR_H
#define FTPD_ERROR_H

enum err_code {
	ERR_OK = 0,
	ERR_PROTOCOL = 1,      /* malformed request or frame */
	ERR_UNKNOWN_OP = 2,    /* "op" not known to this server */
	ERR_BAD_PATH = 3,      /* absolute, "..", escaping link, NUL, empty */
	ERR_NAME_TOO_LONG = 4, /* component > 255 bytes or path > 4095 */
	ERR_NOT_FOUND = 5,
	ERR_EXISTS = 6,
	ERR_NOT_DIR = 7,
	ERR_IS_DIR = 8,
	ERR_NOT_EMPTY = 9,
	ERR_PERMISSION = 10,
	ERR_NO_SPACE = 11, /* ENOSPC, EDQUOT */
	ERR_TOO_BIG = 12,  /* EFBIG, RLIMIT_FSIZE, max_file_size */
	ERR_DIGEST = 13,   /* BLAKE2b-256 digest mismatch */
	ERR_IO = 14,	   /* any other I/O failure */
	ERR_BUSY = 15,	   /* server busy, connection refused */
	ERR_AUTH = 16,	   /* authentication failed */
	ERR_LIMIT = 17,	   /* a session limit (CPU, time) was reached */
	ERR_ABORTED = 18,  /* transfer aborted by the peer */
	ERR_INTERNAL = 19, /* a bug or an unexpected state */
	ERR_TIMEOUT = 20,  /* idle or login grace timeout */
	ERR_MAX = 21,

	/* Internal codes: logs and ftpc only; err_wire() maps them. */
	ERR_INTERNAL_BASE = 100,
	ERR_SYSTEM = 100, /* a system call failed: errno says why */
	ERR_NOMEM = 101,  /* out of memory */
	ERR_EOF = 102,	  /* the peer closed the connection */
	ERR_CRYPTO = 103, /* a frame failed to decrypt or authenticate */
	ERR_INTERNAL_MAX = 104
};

/*
 * err_name: the stable snake_case name of code (e.g. "bad_path").
 * Returns "unknown" for a code outside 0..ERR_MAX-1.  Never NULL.
 */
const char *err_name(int code);

/*
 * err_message: a default human message for code ("path escapes the served
 * root").  Returns "unknown error" outside the range.  Never NULL.
 */
const char *err_message(int code);

/*
 * err_from_errno: map an errno value from a file operation to the closest
 * ERR_* code (ENOENT -> ERR_NOT_FOUND, EXDEV/ELOOP -> ERR_BAD_PATH, ...).
 * Unknown values give ERR_IO.
 */
int err_from_errno(int errnum);

/*
 * err_wire: the wire code (1..ERR_MAX-1) a reply carries for code, which
 * may be negative (-ERR_*) or positive: wire codes map to themselves,
 * ERR_SYSTEM to err_from_errno(errno), ERR_EOF and ERR_CRYPTO to
 * ERR_PROTOCOL, anything else to ERR_INTERNAL.  0 maps to 0.
 */
int err_wire(int code);

/*
 * err_str: a human text for code (negative or positive): the default
 * message of a wire code, strerror(errno) for ERR_SYSTEM, a fixed text
 * for the other internal codes.  Never NULL; the string is static (for
 * ERR_SYSTEM, valid until the next strerror call).
 */
const char *err_str(int code);

#endif
