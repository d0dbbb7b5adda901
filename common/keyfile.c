/*
 * keyfile.c: the 32-byte shared secret on disk (doc/PROTOCOL.md 4.3): 64
 * hex digits and a newline, mode 0600.  Reading refuses a file that group
 * or others may read or write, as sshd does with private keys; writing
 * never replaces an existing file or follows a symbolic link.  This file
 * must not log (callers decide how to report) and must not leave a copy of
 * a key in memory it gives back.  Its helpers return 0 or -ERR_SYSTEM; the
 * two public functions keep -1 (see keyfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bsd/string.h>
#include <sodium.h>

#include "common/atomicio.h"
#include "common/error.h"
#include "common/keyfile.h"

#define KEYFILE_HEX (2 * KEYFILE_BYTES) /* 64 digits */

/* Format a reason into err; errno is kept for the caller. */
static void __attribute__((format(printf, 3, 4)))
keyfile_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int	saved = errno;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		if (vsnprintf(err, errlen, fmt, ap) < 0)
			err[0] = '\0';
		va_end(ap);
	}
	errno = saved;
}

/*
 * SECURITY: a secret others can read or change is no secret.
 * 0, or -ERR_SYSTEM with errno (fstat's, EINVAL, EPERM) and a reason in err.
 */
static int
keyfile_check_mode(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		keyfile_err(err, errlen, "%s: %s", path, strerror(errno));
		return -ERR_SYSTEM;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		keyfile_err(err, errlen, "%s: not a regular file", path);
		return -ERR_SYSTEM;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		errno = EPERM;
		keyfile_err(err, errlen,
		    "%s: permissions %04o are too open; chmod 600 %s", path,
		    (unsigned int)(st.st_mode & 07777), path);
		return -ERR_SYSTEM;
	}
	return 0;
}

/*
 * Parse 64 hex digits and an optional newline from text[0..len) into key.
 * 0, or -ERR_SYSTEM with errno EINVAL when text is not a key.
 */
static int
keyfile_parse(const char *text, size_t len, uint8_t key[KEYFILE_BYTES])
{
	size_t	    binlen = 0;
	const char *end = NULL;

	if (len == KEYFILE_HEX + 1 && text[KEYFILE_HEX] == '\n')
		len = KEYFILE_HEX;
	if (len != KEYFILE_HEX ||
	    sodium_hex2bin(key, KEYFILE_BYTES, text, KEYFILE_HEX, NULL, &binlen,
		&end) != 0 ||
	    binlen != KEYFILE_BYTES || end != text + KEYFILE_HEX) {
		errno = EINVAL;
		return -ERR_SYSTEM;
	}
	return 0;
}

int
keyfile_read(const char *path, uint8_t key[KEYFILE_BYTES], char *err,
    size_t errlen)
{
	char	text[KEYFILE_HEX + 8]; /* room to see an over-long file */
	ssize_t n;
	int	fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		keyfile_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (keyfile_check_mode(fd, path, err, errlen) != 0)
		goto out;
	if ((n = read_full(fd, text, sizeof(text))) == -1) {
		keyfile_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (keyfile_parse(text, (size_t)n, key) != 0) {
		keyfile_err(err, errlen,
		    "%s: not a key file (expected %d hex digits and a newline)",
		    path, KEYFILE_HEX);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(text, sizeof(text));
	if (rc != 0)
		sodium_memzero(key, KEYFILE_BYTES);
	if (fd != -1)
		close(fd);
	return rc;
}

/*
 * fsync the folder holding path, so the new name survives a crash.
 * 0, or -ERR_SYSTEM with errno (ENAMETOOLONG, open's or fsync's).
 */
static int
keyfile_sync_dir(const char *path)
{
	char copy[PATH_MAX];
	int  fd, r = -ERR_SYSTEM;

	if (strlcpy(copy, path, sizeof(copy)) >= sizeof(copy)) {
		errno = ENAMETOOLONG;
		return -ERR_SYSTEM;
	}
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -ERR_SYSTEM;
	if (fsync(fd) == 0)
		r = 0;
	close(fd);
	return r;
}

/*
 * Write key as hex and a newline to fd (mode 0600), then fsync.
 * 0, or -ERR_SYSTEM with errno.
 */
static int
keyfile_write(int fd, const uint8_t key[KEYFILE_BYTES])
{
	char hex[KEYFILE_HEX + 1];
	int  rc = -ERR_SYSTEM;

	sodium_bin2hex(hex, sizeof(hex), key, KEYFILE_BYTES);
	hex[KEYFILE_HEX] = '\n'; /* replaces the terminator */
	if (fchmod(fd, 0600) == -1 || write_full(fd, hex, sizeof(hex)) == -1 ||
	    fsync(fd) == -1)
		goto out;
	rc = 0;
out:
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

int
keyfile_generate(const char *path, char *err, size_t errlen)
{
	uint8_t key[KEYFILE_BYTES];
	int	fd, rc = -1;

	if (sodium_init() < 0) {
		errno = EIO;
		keyfile_err(err, errlen, "%s: libsodium failed", path);
		return -1;
	}
	/* SECURITY: never replace a key, never write through a link. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		keyfile_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	randombytes_buf(key, sizeof(key));
	if (keyfile_write(fd, key) != 0) {
		keyfile_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		keyfile_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	if (keyfile_sync_dir(path) != 0) {
		keyfile_err(err, errlen, "%s: fsync of its folder: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(key, sizeof(key));
	if (fd != -1)
		close(fd);
	if (rc != 0) {
		int saved = errno;

		(void)unlink(path); /* no half-written key left behind */
		errno = saved;
	}
	return rc;
}
