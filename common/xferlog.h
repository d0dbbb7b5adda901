/*
 * xferlog.h: one line of the wu-ftpd / vsftpd xferlog format (xferlog(5)):
 *   current-time transfer-time remote-host file-size filename transfer-type
 *   special-action-flag direction access-mode username service-name
 *   authentication-method authenticated-user-id completion-status
 * e.g. "Sun Nov 22 05:34:26 2026 1 127.0.0.1 1048577 /a.bin b _ i r secret
 * ftp 0 * c".
 */
#ifndef FTPD_XFERLOG_H
#define FTPD_XFERLOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct xfer_record {
	time_t	    end;      /* when the transfer ended */
	uint64_t    seconds;  /* duration, rounded up, at least 1 */
	const char *host;     /* peer address */
	uint64_t    bytes;    /* bytes moved */
	const char *path;     /* path beneath the root, "/"-prefixed */
	int	    incoming; /* 1 put ('i'), 0 get ('o') */
	const char *user;     /* authenticated name ("secret" for the key) */
	int	    complete; /* 1 'c', 0 'i' */
};

/*
 * xferlog_format: the line (no newline) into out (outlen bytes).  In the
 * host, path and user fields a space becomes '_' so fields stay split, and
 * control bytes, C1 controls, invalid UTF-8 and backslashes are encoded
 * (safetext_vis: "\xHH", "\\").  Returns
 * the length in bytes (without the NUL), or -1 with errno EOVERFLOW when
 * the line does not fit outlen (out is then "") or errno from localtime_r.
 * The length-or--1 form (like snprintf's) is kept instead of 0 or -ERR_*
 * (error.h) because worker/xfer.c tests the result with >= 0 and
 * tests/unit/test_log.c expects -1.
 */
int xferlog_format(const struct xfer_record *r, char *out, size_t outlen);

#endif
