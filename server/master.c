/*
 * master.c: the master process.  After start-up (pidfile, signals, logs,
 * listeners, control socket, preforked workers, readiness byte) it runs
 * one poll(2) loop over a signalfd, the workers' socketpairs, the control
 * socket and the listening sockets.  Signals only become flags read from
 * the signalfd; the work (reap, reload, reopen, stop) happens in the loop
 * (the lesson of sshd's CVE-2024-6387).  It must not read client bytes,
 * block on a worker, or exit while a worker of its own is still alive.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <bsd/unistd.h>
#include <sodium.h>

#include "common/log.h"
#include "daemonize/daemonize.h"
#include "server/control.h"
#include "server/listen.h"
#include "server/master.h"
#include "server/pool.h"

#define PFD_MAX	    (1 + 16 + 64 + 1 + 8 + POOL_MAX + 16)
#define POLL_MAX_MS 60000
#define DIR_MODE    0750

struct sigflags {
	int term, hup, usr1, chld;
};

static struct {
	struct master_opts opts;
	char		   base[PATH_MAX], conf[PATH_MAX];
	struct config	   cfg;
	uint8_t		   secret[KEYFILE_BYTES];
	struct pidfh	  *pfh;
	int		   ready_fd;
	int		   sigfd;
	sigset_t	   oldmask;
	uint32_t	   generation;
	int		   stopping;
	int64_t		   stop_deadline;
	int64_t		   started;
	char		   ctl_path[PATH_MAX];
	struct pollfd	   pfd[PFD_MAX];
} m = { .ready_fd = -1, .sigfd = -1 };

int64_t
master_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
master_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
master_load(const struct master_opts *o, struct config *cfg, char *err,
    size_t errlen)
{
	char file[PATH_MAX];

	if (config_defaults(cfg, o->base) == -1) {
		snprintf(err, errlen, "default paths do not fit in PATH_MAX");
		return -1;
	}
	if (o->conf != NULL)
		return config_load(cfg, o->conf, err, errlen);
	if (config_default_file(o->base, file, sizeof(file)) == -1) {
		snprintf(err, errlen, "default config path too long");
		return -1;
	}
	if (access(file, F_OK) == -1 && errno == ENOENT)
		return 0; /* no file: the defaults stand */
	return config_load(cfg, file, err, errlen);
}

/* mkdir -p path with DIR_MODE; returns 1 if the last one was created. */
static int
make_dirs(const char *path)
{
	char   p[PATH_MAX];
	size_t i;
	int    created = 0;

	if (strlcpy(p, path, sizeof(p)) >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 1; p[i - 1] != '\0'; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		created = mkdir(p, DIR_MODE) == 0;
		if (!created && errno != EEXIST)
			return -1;
		p[i] = path[i];
	}
	return created;
}

int
master_make_parent(const char *file)
{
	char  dir[PATH_MAX];
	char *slash;

	if (strlcpy(dir, file, sizeof(dir)) >= sizeof(dir))
		return -1;
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	return make_dirs(dir) == -1 ? -1 : 0;
}

static int
prepare_dirs(const struct config *cfg, const struct passwd *pw, char *err,
    size_t errlen)
{
	const char *files[] = { cfg->log_file, cfg->xferlog, cfg->pidfile };
	size_t	    i;
	int	    r;

	if ((r = make_dirs(cfg->root)) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", cfg->root,
		    strerror(errno));
		return -1;
	}
	/* SECURITY: a root we just made belongs to the workers' user. */
	if (r == 1 && pw != NULL &&
	    chown(cfg->root, pw->pw_uid, pw->pw_gid) == -1) {
		snprintf(err, errlen, "cannot chown %s: %s", cfg->root,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (master_make_parent(files[i]) == -1) {
			snprintf(err, errlen,
			    "cannot create the folder of %s: %s", files[i],
			    strerror(errno));
			return -1;
		}
	return 0;
}

int
master_prepare(const struct config *cfg, uint8_t secret[KEYFILE_BYTES],
    char *err, size_t errlen)
{
	struct passwd *pw = NULL;
	struct stat    st;
	char	       why[256];

	if (geteuid() == 0 && (pw = getpwnam(cfg->user)) == NULL) {
		snprintf(err, errlen,
		    "no user '%s' (config key 'user'): "
		    "workers cannot drop root",
		    cfg->user);
		return -1;
	}
	if (stat(cfg->key_file, &st) == -1 && errno == ENOENT) {
		snprintf(err, errlen, "no key file at %s: run 'ftpd keygen'",
		    cfg->key_file);
		return -1;
	}
	if (keyfile_read(cfg->key_file, secret, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (prepare_dirs(cfg, pw, err, errlen) == -1) {
		sodium_memzero(secret, KEYFILE_BYTES);
		return -1;
	}
	return 0;
}

/* Start-up failed: say why (log and readiness pipe), undo, exit 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
start_fail(const char *fmt, ...)
{
	char	why[DAEMON_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_warnx("cannot start: %s", why);
	pool_shutdown();
	pool_kill();
	control_close();
	pidfile_remove(m.pfh);
	sodium_memzero(m.secret, sizeof(m.secret));
	/* Last: `ftpd start` returns once this arrives, so nothing of this
	 * daemon (workers, pidfile lock, control socket) may outlive it. */
	daemon_fail(&m.ready_fd, why);
	exit(1);
}

static void
signals_setup(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &m.oldmask) == -1 ||
	    (m.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		start_fail("signals: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
}

void
master_child_cleanup(void)
{
	if (m.sigfd != -1)
		close(m.sigfd);
	m.sigfd = -1;
	listen_child_close();
	control_child_close();
	if (m.ready_fd != -1)
		close(m.ready_fd);
	m.ready_fd = -1;
	pidfile_close(m.pfh); /* our copy only: the master keeps the lock */
	m.pfh = NULL;
	log_close();
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &m.oldmask, NULL);
}

void
master_status(FILE *fp)
{
	fprintf(fp, "pid %ld\n", (long)getpid());
	fprintf(fp, "uptime %lld\n",
	    (long long)(master_now() - m.started) / 1000);
	fprintf(fp, "config %s\n",
	    m.cfg.file[0] != '\0' ? m.cfg.file : "(built-in defaults)");
	listen_status(fp);
	pool_status(fp);
}

static void
reopen_logs(const char *why)
{
	if (log_open(m.cfg.log_file, m.cfg.xferlog) == -1)
		log_warn("%s: cannot reopen %s or %s", why, m.cfg.log_file,
		    m.cfg.xferlog);
	else
		log_info("%s: log files reopened", why);
}

static int
listen_changed(const struct config *a, const struct config *b)
{
	int i;

	if (a->nlisten != b->nlisten)
		return 1;
	for (i = 0; i < a->nlisten; i++)
		if (strcmp(a->listen[i], b->listen[i]) != 0)
			return 1;
	return 0;
}

/* Apply a validated config; the only fallible step (rebind) goes first. */
static int
apply(struct config *nc, const uint8_t *secret, char *err, size_t errlen)
{
	if (strcmp(nc->pidfile, m.cfg.pidfile) != 0) {
		log_warnx("reload: a new pidfile takes a restart; keeping %s",
		    m.cfg.pidfile);
		(void)strlcpy(nc->pidfile, m.cfg.pidfile, sizeof(nc->pidfile));
	}
	if (!m.stopping && listen_changed(nc, &m.cfg) &&
	    listen_reload(nc, err, errlen) == -1)
		return -1;
	if ((strcmp(nc->log_file, m.cfg.log_file) != 0 ||
		strcmp(nc->xferlog, m.cfg.xferlog) != 0) &&
	    log_open(nc->log_file, nc->xferlog) == -1) {
		log_warn("reload: cannot open %s or %s; logging on to the old "
			 "files",
		    nc->log_file, nc->xferlog);
		(void)strlcpy(nc->log_file, m.cfg.log_file,
		    sizeof(nc->log_file));
		(void)strlcpy(nc->xferlog, m.cfg.xferlog, sizeof(nc->xferlog));
	}
	m.cfg = *nc;
	memcpy(m.secret, secret, sizeof(m.secret));
	m.generation++;
	log_init(m.cfg.debug || m.opts.verbose, m.opts.foreground);
	pool_configure(&m.cfg, m.secret, m.generation);
	listen_configure(&m.cfg);
	pool_retire_old();
	return 0;
}

static void
reload(void)
{
	struct config *nc;
	uint8_t	       secret[KEYFILE_BYTES];
	char	       err[1024];

	reopen_logs("SIGHUP");
	if ((nc = malloc(sizeof(*nc))) == NULL) {
		log_warn("SIGHUP: reload");
		return;
	}
	if (master_load(&m.opts, nc, err, sizeof(err)) == -1 ||
	    master_prepare(nc, secret, err, sizeof(err)) == -1) {
		log_warnx("SIGHUP: %s; keeping the old configuration", err);
		goto out;
	}
	if (apply(nc, secret, err, sizeof(err)) == -1) {
		log_warnx("SIGHUP: %s; keeping the old configuration", err);
		goto out;
	}
	log_info("SIGHUP: configuration %s reloaded (generation %u)",
	    m.cfg.file[0] != '\0' ? m.cfg.file : "(built-in defaults)",
	    m.generation);
out:
	sodium_memzero(secret, sizeof(secret));
	free(nc);
}

static void __attribute__((noreturn)) finish(void)
{
	if (pool_size() > 0) {
		log_warnx("%d workers still running after %d s: killing them",
		    pool_size(), m.cfg.shutdown_timeout);
		pool_kill();
	}
	control_close();
	log_info("ftpd stopped");
	pidfile_remove(m.pfh);
	sodium_memzero(m.secret, sizeof(m.secret));
	exit(0);
}

static void
begin_stop(const char *sig)
{
	if (m.stopping) {
		log_warnx("%s again: stopping the workers now", sig);
		m.stop_deadline = master_now();
		return;
	}
	m.stopping = 1;
	log_info("%s: stopping; %d workers get %d s to finish", sig,
	    pool_size(), m.cfg.shutdown_timeout);
	listen_close();
	listen_refuse_all("server shutting down, try again later");
	pool_shutdown();
	m.stop_deadline = master_now() + (int64_t)m.cfg.shutdown_timeout * 1000;
}

static void
read_signals(struct sigflags *f)
{
	struct signalfd_siginfo si;

	while (read(m.sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			f->term = (int)si.ssi_signo;
			break;
		case SIGHUP:
			f->hup = 1;
			break;
		case SIGUSR1:
			f->usr1 = 1;
			break;
		case SIGCHLD:
			f->chld = 1;
			break;
		}
	}
}

/* The deadline of the next timed work, master_now() ms. */
static int64_t
timers(int64_t now)
{
	int64_t next = INT64_MAX, d;

	if (!m.stopping && (d = pool_maintain(now)) < next)
		next = d;
	if ((d = listen_dispatch(now)) < next)
		next = d;
	if ((d = control_deadline(now)) < next)
		next = d;
	if (m.stopping) {
		if (pool_size() == 0 || now >= m.stop_deadline)
			finish();
		if (m.stop_deadline < next)
			next = m.stop_deadline;
	}
	return next;
}

static void
one_round(void)
{
	struct sigflags f = { 0, 0, 0, 0 };
	size_t		n = 1, np, nc, nl;
	int64_t		now = master_now(), next = timers(now);
	int		timeout;

	m.pfd[0].fd = m.sigfd;
	m.pfd[0].events = POLLIN;
	m.pfd[0].revents = 0;
	n += np = pool_pollfds(m.pfd + n, PFD_MAX - n);
	n += nc = control_pollfds(m.pfd + n, PFD_MAX - n);
	n += nl = listen_pollfds(m.pfd + n, PFD_MAX - n, now);
	timeout = next == INT64_MAX    ? POLL_MAX_MS
	    : next - now > POLL_MAX_MS ? POLL_MAX_MS
	    : next > now	       ? (int)(next - now)
				       : 0;
	if (poll(m.pfd, n, timeout) == -1) {
		if (errno != EINTR)
			fatal("poll");
		return;
	}
	if (m.pfd[0].revents != 0)
		read_signals(&f);
	pool_events(m.pfd + 1, np);
	control_events(m.pfd + 1 + np, nc);
	listen_events(m.pfd + 1 + np + nc, nl); /* no listeners once stopping */
	if (f.chld)
		pool_reap();
	if (f.term)
		begin_stop(f.term == SIGINT ? "SIGINT" : "SIGTERM");
	if (f.hup)
		reload();
	if (f.usr1)
		reopen_logs("SIGUSR1");
}

/* Room for a descriptor per worker, queued connection and client. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
start(void)
{
	char err[1024], names[512];

	if (pidfile_write(m.pfh) == -1)
		start_fail("cannot write pidfile %s: %s", m.cfg.pidfile,
		    strerror(errno));
	signals_setup();
	raise_nofile();
	if (log_open(m.cfg.log_file, m.cfg.xferlog) == -1)
		start_fail("cannot open %s or %s: %s", m.cfg.log_file,
		    m.cfg.xferlog, strerror(errno));
	if (listen_open(&m.cfg, err, sizeof(err)) == -1)
		start_fail("%s", err);
	if (control_path(m.cfg.pidfile, m.ctl_path, sizeof(m.ctl_path)) == -1)
		start_fail("control socket path too long");
	if (control_open(m.ctl_path, err, sizeof(err)) == -1)
		start_fail("%s", err);
	pool_configure(&m.cfg, m.secret, m.generation);
	if (pool_spawn(m.cfg.workers) < m.cfg.workers)
		start_fail("cannot start %d workers", m.cfg.workers);
	m.started = master_now();
	listen_names(names, sizeof(names));
	log_info("ftpd started (pid %ld), listening on %s", (long)getpid(),
	    names);
}

void
master_run(const struct master_opts *o, const struct config *cfg,
    uint8_t secret[KEYFILE_BYTES], struct pidfh *pfh, int ready_fd,
    const struct master_worker *worker)
{
	m.opts = *o;
	if (o->base != NULL) {
		(void)strlcpy(m.base, o->base, sizeof(m.base));
		m.opts.base = m.base;
	}
	if (o->conf != NULL) {
		/* A relative -c must survive chdir("/"): use the full path. */
		(void)strlcpy(m.conf, cfg->file, sizeof(m.conf));
		m.opts.conf = m.conf;
	}
	m.cfg = *cfg;
	memcpy(m.secret, secret, sizeof(m.secret));
	sodium_memzero(secret, KEYFILE_BYTES);
	m.pfh = pfh;
	m.ready_fd = ready_fd;
	m.generation = 1;
	log_setrole("master");
	setproctitle("master");
	pool_init(worker);
	start();
	/*
	 * SECURITY: the master stays root when started as root: it must
	 * rebind and reopen the logs on SIGHUP.  It never parses client
	 * bytes; every worker drops to cfg->user before its first one.
	 */
	daemon_ready(&m.ready_fd);
	for (;;)
		one_round();
}
