/*
 * error.c: names and default messages of the stable protocol error codes
 * (doc/PROTOCOL.md, section 4.2), and the mapping from errno values of file
 * operations to them.  Names travel on the wire and must never change; the
 * messages may.  This file must not log or allocate.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

struct err_entry {
	const char *name;
	const char *message;
};

static const struct err_entry err_table[ERR_MAX] = {
	[ERR_OK] = { "ok", "success" },
	[ERR_PROTOCOL] = { "protocol", "malformed request or frame" },
	[ERR_UNKNOWN_OP] = { "unknown_op", "operation not known" },
	[ERR_BAD_PATH] = { "bad_path",
	    "path empty, absolute, with NUL, or leaving the served root" },
	[ERR_NAME_TOO_LONG] = { "name_too_long",
	    "path or path component too long" },
	[ERR_NOT_FOUND] = { "not_found", "no such file or folder" },
	[ERR_EXISTS] = { "exists", "target already exists" },
	[ERR_NOT_DIR] = { "not_dir", "a path component is not a folder" },
	[ERR_IS_DIR] = { "is_dir", "is a folder" },
	[ERR_NOT_EMPTY] = { "not_empty", "folder not empty" },
	[ERR_PERMISSION] = { "permission", "permission denied" },
	[ERR_NO_SPACE] = { "no_space", "no space left or quota reached" },
	[ERR_TOO_BIG] = { "too_big", "file larger than the server accepts" },
	[ERR_DIGEST] = { "digest", "BLAKE2b-256 digest mismatch" },
	[ERR_IO] = { "io", "input/output error" },
	[ERR_BUSY] = { "server_busy", "server busy; try again later" },
	[ERR_AUTH] = { "auth_failed", "authentication failed" },
	[ERR_LIMIT] = { "limit", "a session limit was reached" },
	[ERR_ABORTED] = { "aborted", "transfer aborted" },
	[ERR_INTERNAL] = { "internal", "internal server error" },
	[ERR_TIMEOUT] = { "timeout", "timed out" },
};

const char *
err_name(int code)
{
	if (code < 0 || code >= ERR_MAX)
		return "unknown";
	return err_table[code].name;
}

const char *
err_message(int code)
{
	if (code < 0 || code >= ERR_MAX)
		return "unknown error";
	return err_table[code].message;
}

int
err_from_errno(int errnum)
{
	/* errno 0 after a failure stays a failure: ERR_IO, never ERR_OK. */
	switch (errnum) {
	case ENOENT:
		return ERR_NOT_FOUND;
	case EEXIST:
		return ERR_EXISTS;
	case ENOTDIR:
		return ERR_NOT_DIR;
	case EISDIR:
		return ERR_IS_DIR;
	case ENOTEMPTY:
		return ERR_NOT_EMPTY;
	case EACCES:
	case EPERM:
	case EROFS:
		return ERR_PERMISSION;
	case ENOSPC:
	case EDQUOT:
		return ERR_NO_SPACE;
	case EFBIG:
		return ERR_TOO_BIG;
	case EXDEV: /* openat2 RESOLVE_BENEATH: the path escapes the root */
	case ELOOP: /* a symbolic link where none may be followed */
		return ERR_BAD_PATH;
	case ENAMETOOLONG:
		return ERR_NAME_TOO_LONG;
	default:
		return ERR_IO;
	}
}

int
err_wire(int code)
{
	if (code < 0)
		code = -code;
	if (code < ERR_MAX)
		return code;
	switch (code) {
	case ERR_SYSTEM:
		return err_from_errno(errno);
	case ERR_EOF:
	case ERR_CRYPTO:
		return ERR_PROTOCOL;
	default:
		return ERR_INTERNAL;
	}
}

const char *
err_str(int code)
{
	if (code < 0)
		code = -code;
	if (code < ERR_MAX)
		return err_table[code].message;
	switch (code) {
	case ERR_SYSTEM:
		return strerror(errno);
	case ERR_NOMEM:
		return "out of memory";
	case ERR_EOF:
		return "connection closed by the peer";
	case ERR_CRYPTO:
		return "a frame failed to decrypt";
	default:
		return "unknown error";
	}
}
