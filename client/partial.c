/*
 * partial.c: the local file a download of ftpc writes, beside its target.
 * Without -C it is a fresh random temporary name, removed on any failure
 * and by the signal handler.  With -C it is the stable ".NAME.ftpc-part",
 * opened without truncation so that a failed or interrupted download keeps
 * its bytes (fsync'd) and the next "ftpc -C get" asks the server for the
 * rest (doc/PROTOCOL.md 4.8 "offset"); the whole-file digest still decides.
 * This file must not speak the protocol, and must never follow a symbolic
 * link nor write into a file it does not own alone.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "common/atomicio.h"
#include "common/error.h"
#include "common/safetext.h"
#include "common/log.h"
#include "client/ftpc.h"
#include "client/progress.h"

#define PARTIAL_SUFFIX ".ftpc-part"

/* What the signal handler needs, set before part_set. */
static char		     part_path[PATH_MAX];
static char		     part_stable[PATH_MAX]; /* ".NAME.ftpc-part" */
static char		     part_msg[PATH_MAX + 128];
static size_t		     part_msglen;
static volatile sig_atomic_t part_fd = -1;
static volatile sig_atomic_t part_keep;
static volatile sig_atomic_t part_set;

/* partial_say: the handler's words (write(2) only). */
static void
partial_say(const char *msg, size_t len)
{
	ssize_t n;

	if (progress_line_open)
		n = write(STDERR_FILENO, "\n", 1);
	n = write(STDERR_FILENO, msg, len);
	(void)n;
}

/*
 * partial_on_signal: only async-signal-safe calls (signal-safety(7)): a
 * download file that holds bytes is kept for -C when it is the -C one, or
 * on SIGINT (Ctrl-C: the user will likely run the get again) under the
 * stable name; anything else is removed.  The progress line is ended.
 * Exits 128 + sig (130 for SIGINT).
 */
static void
partial_on_signal(int sig)
{
	struct stat st;
	int	    keep;

	keep = part_set && (part_keep || (sig == SIGINT && part_msglen > 0)) &&
	    fstat(part_fd, &st) == 0 && st.st_size > 0;
	if (keep && !part_keep && rename(part_path, part_stable) == -1)
		keep = 0;
	if (keep) {
		(void)fsync(part_fd);
		partial_say(part_msg, part_msglen);
	} else if (part_set)
		(void)unlink(part_path);
	if (!keep && progress_line_open)
		partial_say("", 0);
	_exit(128 + sig);
}

void
partial_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = partial_on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
}

/* partial_err: "get NAME: WHY"; -ERR_SYSTEM. */
static int
partial_err(const char *name, const char *why)
{
	warnx("get %s: %s", name, why);
	return -ERR_SYSTEM;
}

/*
 * partial_name: ".NAME.ftpc-XXXXXX" (the name cut to stay under NAME_MAX)
 * or, for keep, ".NAME.ftpc-part" (the whole name: a cut one could meet
 * another file's partial) beside dest.  Returns 0 or -ERR_NAME_TOO_LONG.
 */
static int
partial_name(const char *dest, int keep, char *out, size_t outlen)
{
	char d[PATH_MAX], b[PATH_MAX];
	int  n;

	if (strlcpy(d, dest, sizeof(d)) >= sizeof(d) ||
	    strlcpy(b, dest, sizeof(b)) >= sizeof(b))
		return -ERR_NAME_TOO_LONG;
	if (!keep)
		n = snprintf(out, outlen, "%s/.%.200s.ftpc-XXXXXX", dirname(d),
		    basename(b));
	else if (strlen(basename(b)) + 1 + strlen(PARTIAL_SUFFIX) > NAME_MAX)
		return -ERR_NAME_TOO_LONG;
	else
		n = snprintf(out, outlen, "%s/.%s" PARTIAL_SUFFIX, dirname(d),
		    basename(b));
	return n < 0 || (size_t)n >= outlen ? -ERR_NAME_TOO_LONG : 0;
}

/*
 * partial_check: the opened partial file must be a regular file of ours
 * with one link, and no other ftpc may be writing it.  0 or -ERR_SYSTEM.
 */
static int
partial_check(struct partial *p, const char *name)
{
	struct stat st;

	if (fstat(p->fd, &st) == -1)
		return partial_err(name, strerror(errno));
	/* SECURITY: in a shared folder another user could have placed the
	 * name: a file of theirs stays writable for them after the rename,
	 * and a hard link would make us write into another file. */
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1)
		return partial_err(name,
		    "partial file is not a regular file "
		    "of ours with a single link");
	if (flock(p->fd, LOCK_EX | LOCK_NB) == -1)
		return partial_err(name,
		    errno == EWOULDBLOCK ? "partial file in use by another ftpc"
					 : strerror(errno));
	if (fcntl(p->fd, F_SETFL, 0) == -1) /* clear O_NONBLOCK */
		return partial_err(name, strerror(errno));
	p->have = (uint64_t)st.st_size;
	p->mtime = (int64_t)st.st_mtime;
	return 0;
}

/* partial_stable: open or create the -C partial file. */
static int
partial_stable(struct partial *p, const char *name)
{
	/* SECURITY: O_NOFOLLOW, and O_NONBLOCK so that a FIFO placed under
	 * the name cannot block the open; it is refused just after. */
	p->fd = open(p->path,
	    O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
	    0600);
	if (p->fd == -1)
		return partial_err(name,
		    errno == ELOOP ? "partial file is a symbolic link"
				   : strerror(errno));
	return partial_check(p, name);
}

/* partial_arm: hand p (the download to dest) to the signal handler. */
static void
partial_arm(struct partial *p, const char *dest)
{
	char safe[PATH_MAX];
	int  n;

	strlcpy(part_path, p->path, sizeof(part_path));
	if (partial_name(dest, 1, part_stable, sizeof(part_stable)) != 0) {
		part_msglen = 0; /* no stable name: nothing kept */
		goto out;
	}
	(void)safetext_copy(safe, sizeof(safe), part_stable,
	    strlen(part_stable));
	/* warnx's form, made here: the signal handler cannot call warnx. */
	n = snprintf(part_msg, sizeof(part_msg),
	    "%s: partial download kept in %s; rerun with -C to resume\n",
	    getprogname(), safe);
	/* PATH_MAX bytes and the words always fit; else say nothing. */
	part_msglen = n > 0 && (size_t)n < sizeof(part_msg) ? (size_t)n : 0;
out:
	part_fd = p->fd;
	part_keep = p->keep;
	atomic_signal_fence(memory_order_seq_cst);
	part_set = 1;
}

int
partial_open(struct ftpc *c, const char *dest, const char *name,
    struct partial *p)
{
	int r = 0;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->keep = c->o.resume;
	if (partial_name(dest, p->keep, p->path, sizeof(p->path)) != 0)
		return partial_err(name,
		    p->keep ? "local name too long for a partial file (-C)"
			    : "local name too long");
	if (p->keep)
		r = partial_stable(p, name);
	else if ((p->fd = mkostemp(p->path, O_CLOEXEC)) == -1)
		r = partial_err(name, strerror(errno));
	if (r != 0) {
		if (p->fd != -1)
			close(p->fd);
		p->fd = -1;
		return r;
	}
	partial_arm(p, dest);
	return 0;
}

int
partial_prefix(struct partial *p, const char *name, uint64_t size,
    int64_t mtime, struct digest *h, uint8_t *buf, size_t buflen)
{
	uint64_t pos = 0;
	size_t	 want;

	if (p->have > size || mtime > p->mtime) {
		log_debug("get %s: partial file %s: starting over", name,
		    p->have > size ? "larger than the remote file"
				   : "older than the remote file");
		p->have = 0;
		return 0;
	}
	if (lseek(p->fd, 0, SEEK_SET) == -1)
		return partial_err(name, strerror(errno));
	(void)posix_fadvise(p->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (pos < p->have) {
		want =
		    p->have - pos < buflen ? (size_t)(p->have - pos) : buflen;
		errno = 0;
		if (read_full(p->fd, buf, want) != (ssize_t)want)
			return partial_err(name,
			    errno ? strerror(errno) : "partial file shrank");
		digest_update(h, buf, want);
		pos += want;
	}
	log_debug("get %s: resuming from byte %llu", name,
	    (unsigned long long)p->have);
	return 0;
}

int
partial_seek(struct partial *p, uint64_t offset)
{
	if (ftruncate(p->fd, (off_t)offset) == -1 ||
	    lseek(p->fd, (off_t)offset, SEEK_SET) == -1)
		return -ERR_SYSTEM;
	return 0;
}

void
partial_close(struct partial *p, int r)
{
	struct stat st;

	if (p->fd == -1)
		return;
	if (r != 0 && p->keep && r != -ERR_DIGEST && fstat(p->fd, &st) == 0 &&
	    st.st_size > 0) {
		if (fsync(p->fd) == -1)
			log_warn("fsync %s", p->path);
		fputs(part_msg, stderr);
	} else if (r != 0)
		(void)unlink(p->path);
	part_set = 0;
	close(p->fd);
	p->fd = -1;
}
