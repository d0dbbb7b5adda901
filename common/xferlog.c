/*
 * xferlog.c: format one transfer as a line of the wu-ftpd / vsftpd xferlog
 * (xferlog(5)), so existing log analysers read our logs.  Fields are split
 * by single spaces, so a space inside a field becomes '_'; control bytes,
 * C1 controls and invalid UTF-8 are encoded as \xHH (safetext_vis).  This
 * file only formats: it must not write, log or allocate.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/safetext.h"
#include "common/xferlog.h"

/* The line does not fit: -ERR_SYSTEM with errno EOVERFLOW. */
static int
xferlog_full(void)
{
	errno = EOVERFLOW;
	return -ERR_SYSTEM;
}

/*
 * Append s at out[*pos]: encoded by safetext_vis (controls, C1, invalid
 * UTF-8 as \xHH), then each space as '_', so the field is one word.  0, or
 * -ERR_SYSTEM with errno EOVERFLOW when it does not fit (as for each
 * helper below).
 */
static int
append_field(char *out, size_t outlen, size_t *pos, const char *s)
{
	size_t need;

	if (s == NULL || *s == '\0')
		s = "_"; /* an empty field would shift the others */
	/* SECURITY: a client's name must not break, split or fake a line. */
	need = safetext_vis(out + *pos, outlen - *pos, s, strlen(s));
	if (need >= outlen - *pos)
		return xferlog_full();
	for (; out[*pos] != '\0'; (*pos)++)
		if (out[*pos] == ' ')
			out[*pos] = '_';
	return 0;
}

/* Append text as it is, with its NUL. */
static int
append_text(char *out, size_t outlen, size_t *pos, const char *text)
{
	size_t n = strlen(text);

	if (n >= outlen - *pos)
		return xferlog_full();
	memcpy(out + *pos, text, n + 1);
	*pos += n;
	return 0;
}

/* "TIME SECONDS HOST BYTES " then the path field. */
static int
format_head(const struct xfer_record *r, char *out, size_t outlen, size_t *pos)
{
	char	  tbuf[64], num[32];
	struct tm tm;
	int	  n;

	/* ctime(3) layout without the newline: "Sun Nov 22 05:34:26 2026". */
	if (localtime_r(&r->end, &tm) == NULL)
		return -ERR_SYSTEM; /* errno EOVERFLOW */
	if (strftime(tbuf, sizeof(tbuf), "%a %b %e %H:%M:%S %Y", &tm) == 0)
		return xferlog_full();
	n = snprintf(num, sizeof(num), " %" PRIu64 " ",
	    r->seconds > 0 ? r->seconds : 1);
	if (n < 0 || (size_t)n >= sizeof(num))
		return xferlog_full();
	if (append_text(out, outlen, pos, tbuf) != 0 ||
	    append_text(out, outlen, pos, num) != 0 ||
	    append_field(out, outlen, pos, r->host) != 0)
		return xferlog_full();
	n = snprintf(num, sizeof(num), " %" PRIu64 " ", r->bytes);
	if (n < 0 || (size_t)n >= sizeof(num))
		return xferlog_full();
	if (append_text(out, outlen, pos, num) != 0 ||
	    append_field(out, outlen, pos, r->path) != 0)
		return xferlog_full();
	return 0;
}

/* " b _ DIR r USER ftp 0 * STATUS". */
static int
format_tail(const struct xfer_record *r, char *out, size_t outlen, size_t *pos)
{
	char tail[32];
	int  n;

	/* transfer-type b(inary), no special action, direction, r(eal). */
	n = snprintf(tail, sizeof(tail), " b _ %c r ", r->incoming ? 'i' : 'o');
	if (n < 0 || (size_t)n >= sizeof(tail) ||
	    append_text(out, outlen, pos, tail) != 0 ||
	    append_field(out, outlen, pos, r->user) != 0)
		return xferlog_full();
	/* service, authentication method 0 (none), user id *, status. */
	n = snprintf(tail, sizeof(tail), " ftp 0 * %c",
	    r->complete ? 'c' : 'i');
	if (n < 0 || (size_t)n >= sizeof(tail) ||
	    append_text(out, outlen, pos, tail) != 0)
		return xferlog_full();
	return 0;
}

int
xferlog_format(const struct xfer_record *r, char *out, size_t outlen)
{
	size_t pos = 0;

	if (out == NULL || outlen == 0) {
		errno = EOVERFLOW;
		return -1;
	}
	if (outlen > INT_MAX) /* so the length fits the return value */
		outlen = INT_MAX;
	out[0] = '\0';
	if (format_head(r, out, outlen, &pos) != 0 ||
	    format_tail(r, out, outlen, &pos) != 0) {
		out[0] = '\0';
		return -1;
	}
	return (int)pos;
}
