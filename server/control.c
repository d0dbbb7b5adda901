/*
 * control.c: the control socket beside the pidfile (ftpd.sock, mode 0600)
 * and its client.  The master accepts a few clients at once, reads one
 * request line without blocking, writes the answer and closes; each client
 * has a deadline.  The requests (control.h) are "status", "status json",
 * "reload" and "reopen"; `ftpd status`, `ftpd reload` and `ftpd reopen`
 * are the clients.  This file only parses a request and hands it up
 * (control_next); master.c acts on it and gives the answer back
 * (control_answer), so this module never calls the master.  The server
 * side must not block, and answers only its owner: file mode 0600 and the
 * peer's credentials (SO_PEERCRED).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <bsd/string.h>

#include "common/atomicio.h"
#include "common/clock.h"
#include "common/log.h"
#include "server/control.h"

#define CTL_CLIENTS_MAX 8
#define CTL_REQUEST_MAX 64
#define CTL_TIMEOUT_MS	5000
#define CTL_REASON_MAX	1024 /* longest reason sent, bytes */

struct ctl_client {
	int		fd;
	char		in[CTL_REQUEST_MAX];
	size_t		inlen;
	int		pending; /* request complete, answer not yet given */
	enum control_op op;
	char	       *out; /* the answer, once the master gave it */
	size_t		outlen, outoff;
	int64_t		deadline;
};

static struct {
	int		  fd;
	char		  path[PATH_MAX];
	struct ctl_client c[CTL_CLIENTS_MAX];
	int		  nc;
	size_t		  polled; /* clients in the last pollfds, after fd */
	int		  polled_fd;
} ctl = { .fd = -1 };

int
control_path(const char *pidfile, char *out, size_t outlen)
{
	size_t n = strlen(pidfile);
	int    r;

	if (n > 4 && strcmp(pidfile + n - 4, ".pid") == 0)
		n -= 4;
	r = snprintf(out, outlen, "%.*s.sock", (int)n, pidfile);
	return r < 0 || (size_t)r >= outlen ? -1 : 0;
}

/*
 * sun for path; a path too long for sun_path is reached through the
 * folder's descriptor (/proc/self/fd/N/NAME), kept open in *dirfd.
 */
static int
sockaddr_for(const char *path, struct sockaddr_un *sun, int *dirfd)
{
	char	    dir[PATH_MAX];
	const char *base;
	int	    r;

	*dirfd = -1;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlcpy(sun->sun_path, path, sizeof(sun->sun_path)) <
	    sizeof(sun->sun_path))
		return 0;
	if ((base = strrchr(path, '/')) == NULL ||
	    (size_t)(base - path) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, (size_t)(base - path));
	dir[base - path] = '\0';
	if ((*dirfd = open(dir[0] ? dir : "/",
		 O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = snprintf(sun->sun_path, sizeof(sun->sun_path), "/proc/self/fd/%d%s",
	    *dirfd, base);
	if (r < 0 || (size_t)r >= sizeof(sun->sun_path)) {
		close(*dirfd);
		*dirfd = -1;
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
control_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	mode_t		   old;
	int		   fd = -1, dirfd = -1, r;

	if (strlcpy(ctl.path, path, sizeof(ctl.path)) >= sizeof(ctl.path) ||
	    sockaddr_for(path, &sun, &dirfd) == -1)
		goto fail;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		 0)) == -1)
		goto fail;
	(void)unlink(path); /* stale: we hold the pidfile lock */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r == -1 || chmod(path, 0600) == -1 || listen(fd, 8) == -1)
		goto fail;
	if (dirfd != -1)
		close(dirfd);
	ctl.fd = fd;
	return 0;
fail:
	snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	if (dirfd != -1)
		close(dirfd);
	return -1;
}

static void
client_close(struct ctl_client *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	free(c->out);
	c->out = NULL;
}

static void
close_all(void)
{
	int i;

	for (i = 0; i < ctl.nc; i++)
		client_close(&ctl.c[i]);
	ctl.nc = 0;
	if (ctl.fd != -1)
		close(ctl.fd);
	ctl.fd = -1;
}

void
control_close(void)
{
	int had = ctl.fd != -1;

	close_all();
	if (had)
		(void)unlink(ctl.path);
}

size_t
control_pollfds(struct pollfd *pfd, size_t room)
{
	size_t n = 0;
	int    i;

	ctl.polled_fd = 0;
	if (ctl.fd != -1 && room > 0) {
		pfd[n].fd = ctl.fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
		ctl.polled_fd = 1;
	}
	for (i = 0; i < ctl.nc && n < room; i++) {
		pfd[n].fd = ctl.c[i].fd;
		pfd[n].events = ctl.c[i].out != NULL ? POLLOUT
		    : ctl.c[i].pending		     ? 0
						     : POLLIN;
		pfd[n++].revents = 0;
	}
	ctl.polled = n - (size_t)ctl.polled_fd;
	return n;
}

/*
 * SECURITY: reload and reopen change the daemon: besides the 0600 mode,
 * only root and the master's own user may talk to it (SO_PEERCRED).
 */
static int
peer_trusted(int fd)
{
	struct ucred cr;
	socklen_t    len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1) {
		log_warn("control socket: SO_PEERCRED");
		return 0;
	}
	if (cr.uid == 0 || cr.uid == geteuid())
		return 1;
	log_warnx("control socket: uid %ld refused (pid %ld)", (long)cr.uid,
	    (long)cr.pid);
	return 0;
}

static void
accept_client(void)
{
	struct ctl_client *c;
	int		   fd;

	fd = accept4(ctl.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	if (!peer_trusted(fd)) {
		close(fd);
		return;
	}
	if (ctl.nc >= CTL_CLIENTS_MAX) {
		close(fd); /* a local, owner-only socket: no word needed */
		return;
	}
	c = &ctl.c[ctl.nc++];
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->deadline = clock_mono_ms() + CTL_TIMEOUT_MS;
}

void
control_print_error(FILE *fp, const char *reason)
{
	char   line[CTL_REASON_MAX];
	size_t n;

	n = log_clean(line, 0, sizeof(line), reason, strlen(reason));
	line[n] = '\0';
	fprintf(fp, "error %s\n", line);
}

/* The request line is complete: parse it for the master. */
static void
parse(struct ctl_client *c)
{
	static const struct {
		const char     *line;
		enum control_op op;
	} ops[] = {
		{ "status", CONTROL_STATUS },
		{ "status json", CONTROL_STATUS_JSON },
		{ "reload", CONTROL_RELOAD },
		{ "reopen", CONTROL_REOPEN },
	};
	size_t i;

	c->op = CONTROL_UNKNOWN;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(c->in, ops[i].line) == 0)
			c->op = ops[i].op;
	c->pending = 1;
}

static void
client_read(struct ctl_client *c)
{
	ssize_t r;
	char   *nl;

	r = read(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		client_close(c);
		return;
	}
	c->inlen += (size_t)r;
	c->in[c->inlen] = '\0';
	if ((nl = strchr(c->in, '\n')) != NULL) {
		*nl = '\0';
		parse(c);
	} else if (c->inlen == sizeof(c->in) - 1)
		client_close(c); /* no line in 63 bytes: not ours */
}

static void
client_write(struct ctl_client *c)
{
	ssize_t r;

	r = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r > 0)
		c->outoff += (size_t)r;
	if (r <= 0 || c->outoff == c->outlen)
		client_close(c);
}

static void
compact(int64_t now)
{
	int i, j = 0;

	for (i = 0; i < ctl.nc; i++) {
		if (ctl.c[i].fd != -1 && now >= ctl.c[i].deadline)
			client_close(&ctl.c[i]);
		if (ctl.c[i].fd != -1)
			ctl.c[j++] = ctl.c[i];
	}
	ctl.nc = j;
}

void
control_events(const struct pollfd *pfd, size_t n)
{
	struct ctl_client *c;
	size_t		   i, k = 0;

	if (ctl.polled_fd && n > 0) {
		k = 1;
		if (pfd[0].revents & POLLIN)
			accept_client();
	}
	for (i = 0; i < ctl.polled && k + i < n; i++) {
		c = &ctl.c[i];
		if (pfd[k + i].revents == 0 || c->fd != pfd[k + i].fd)
			continue;
		if (c->out != NULL)
			client_write(c);
		else if (!c->pending)
			client_read(c);
	}
	compact(clock_mono_ms());
}

int
control_next(struct control_request *req)
{
	int i;

	for (i = 0; i < ctl.nc; i++)
		if (ctl.c[i].fd != -1 && ctl.c[i].pending) {
			req->id = ctl.c[i].fd;
			req->op = ctl.c[i].op;
			ctl.c[i].pending = 0;
			return 0;
		}
	return -1;
}

void
control_answer(const struct control_request *req, char *out, size_t len)
{
	int i;

	for (i = 0; i < ctl.nc; i++)
		if (ctl.c[i].fd == req->id && ctl.c[i].out == NULL)
			break;
	if (i == ctl.nc || out == NULL || len == 0) {
		free(out);
		if (i < ctl.nc)
			client_close(&ctl.c[i]);
		return;
	}
	ctl.c[i].out = out;
	ctl.c[i].outlen = len;
	ctl.c[i].outoff = 0;
}

int64_t
control_deadline(int64_t now)
{
	int64_t next = INT64_MAX;
	int	i;

	(void)now;
	for (i = 0; i < ctl.nc; i++)
		if (ctl.c[i].deadline < next)
			next = ctl.c[i].deadline;
	return next;
}

/* Client side: copy the answer to out. */
static int
query_read(int fd, FILE *out)
{
	char	buf[4096];
	ssize_t r;

	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return (int)r;
		if (fwrite(buf, 1, (size_t)r, out) != (size_t)r)
			return -1;
	}
}

int
control_query(const char *path, const char *request, FILE *out, int timeout_ms,
    char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct timeval	   tv;
	int		   fd = -1, dirfd = -1, ret = -1;

	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	if (sockaddr_for(path, &sun, &dirfd) == -1 ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    send_full(fd, request, strlen(request)) == -1 ||
	    query_read(fd, out) == -1) {
		snprintf(err, errlen, "control socket %s: %s", path,
		    errno == EAGAIN ? "no answer in time" : strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd != -1)
		close(fd);
	if (dirfd != -1)
		close(dirfd);
	return ret;
}
