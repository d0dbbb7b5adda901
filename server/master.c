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
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <bsd/string.h>
#include <bsd/unistd.h>
#include <sodium.h>

#include "common/clock.h"
#include "common/log.h"
#include "daemonize/daemonize.h"
#include "server/control.h"
#include "server/listen.h"
#include "server/master.h"
#include "server/pool.h"
#include "server/source.h"
#include "server/status.h"

#define PFD_MAX	    (1 + 16 + 64 + 1 + 8 + POOL_MAX + 16)
#define POLL_MAX_MS 60000

struct sigflags {
	int term, hup, usr1, chld;
};

static struct {
	struct master_conf  mc; /* opts, cfg, cred, generation */
	char		    base[PATH_MAX], conf[PATH_MAX];
	struct pidfh	   *pfh;
	int		    ready_fd;
	int		    sigfd;
	sigset_t	    oldmask;
	struct worker_entry worker;
	int		    stopping;
	int64_t		    stop_deadline;
	int64_t		    started;	  /* clock_mono_ms() */
	int64_t		    started_wall; /* clock_wall_ms() */
	char		    ctl_path[PATH_MAX];
	struct pollfd	    pfd[PFD_MAX];
} m = { .ready_fd = -1, .sigfd = -1 };

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
	master_creds_free(&m.mc.cred);
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

/* A reason into err (errlen bytes); a long one is cut. */
static void __attribute__((format(printf, 3, 4)))
say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The answer to "status" (json 0: text) or "status json" (json 1). */
static void
status(FILE *fp, int json)
{
	struct status_head h;
	char		   hk[HOSTKEY_FP_LEN];

	h.hostkey = master_creds_fp(&m.mc.cred, hk, sizeof(hk), "");
	h.accounts = (int)m.mc.cred.users.n;
	h.pid = (long)getpid();
	h.started_ms = m.started_wall;
	h.uptime_s = (clock_mono_ms() - m.started) / 1000;
	h.config = m.mc.cfg.file;
	h.generation = m.mc.generation;
	h.stopping = m.stopping;
	h.ready = pool_ready_count();
	if (json)
		status_json(fp, &h);
	else
		status_text(fp, &h);
}

/*
 * Reopen ftpd.log and the xferlog (after logrotate renamed them).  Returns
 * 0, or -1 with the reason in err; the old files stay open then.
 */
static int
reopen(const char *why, char *err, size_t errlen)
{
	if (log_open(m.mc.cfg.log_file, m.mc.cfg.xferlog) == -1) {
		say(err, errlen, "cannot reopen %s or %s: %s",
		    m.mc.cfg.log_file, m.mc.cfg.xferlog, strerror(errno));
		log_warnx("%s: %s; logging on to the open files", why, err);
		return -1;
	}
	log_info("%s: log files reopened", why);
	return 0;
}

/* Load, check and apply the config file; the reason in err on failure. */
static int
reload_config(char *err, size_t errlen)
{
	if (m.stopping) {
		say(err, errlen, "the daemon is stopping");
		return -1;
	}
	return master_apply(&m.mc, err, errlen);
}

/*
 * Reopen the logs, then re-read the config file (as at start: master_load,
 * master_prepare) and apply it: listeners (rebound first; a failure keeps
 * everything old), limits, logs, and a new worker generation.  why goes
 * into the log line.  Returns 0, or -1 with the reason in err (errlen
 * bytes) and the old configuration kept.
 */
static int
reload(const char *why, char *err, size_t errlen)
{
	char ignored[256];

	(void)reopen(why, ignored, sizeof(ignored));
	if (reload_config(err, errlen) == -1) {
		log_warnx("%s: reload refused: %s; keeping the old "
			  "configuration (generation %u)",
		    why, err, m.mc.generation);
		return -1;
	}
	log_info("%s: reloaded configuration (generation %u) from %s", why,
	    m.mc.generation,
	    m.mc.cfg.file[0] != '\0' ? m.mc.cfg.file : "(built-in defaults)");
	return 0;
}

static void __attribute__((noreturn)) finish(void)
{
	if (pool_size() > 0) {
		log_warnx("%d workers still running after %d s: killing them",
		    pool_size(), m.mc.cfg.shutdown_timeout);
		pool_kill();
	}
	control_close();
	log_info("ftpd stopped");
	pidfile_remove(m.pfh);
	master_creds_free(&m.mc.cred);
	exit(0);
}

static void
begin_stop(const char *sig)
{
	if (m.stopping) {
		log_warnx("%s again: stopping the workers now", sig);
		m.stop_deadline = clock_mono_ms();
		return;
	}
	m.stopping = 1;
	log_info("%s: stopping; %d workers get %d s to finish", sig,
	    pool_size(), m.mc.cfg.shutdown_timeout);
	listen_close();
	listen_refuse_all("server shutting down, try again later");
	pool_shutdown();
	m.stop_deadline =
	    clock_mono_ms() + (int64_t)m.mc.cfg.shutdown_timeout * 1000;
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

/* The deadline of the next timed work, clock_mono_ms() ms. */
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
	if ((d = source_tick(now)) < next)
		next = d;
	if (m.stopping) {
		if (pool_size() == 0 || now >= m.stop_deadline)
			finish();
		if (m.stop_deadline < next)
			next = m.stop_deadline;
	}
	return next;
}

/* The work the signals asked for, in the loop (never in a handler). */
static void
on_signals(const struct sigflags *f)
{
	char err[1024];

	if (f->chld)
		pool_reap();
	if (f->term)
		begin_stop(f->term == SIGINT ? "SIGINT" : "SIGTERM");
	if (f->hup)
		(void)reload("SIGHUP", err, sizeof(err));
	if (f->usr1)
		(void)reopen("SIGUSR1", err, sizeof(err));
}

/* The answer to one control request, into fp. */
static void
answer(FILE *fp, enum control_op op)
{
	char err[1024];

	switch (op) {
	case CONTROL_STATUS:
	case CONTROL_STATUS_JSON:
		status(fp, op == CONTROL_STATUS_JSON);
		break;
	case CONTROL_RELOAD:
		if (reload("control socket", err, sizeof(err)) == 0)
			fprintf(fp, "ok generation %u\n", m.mc.generation);
		else
			control_print_error(fp, err);
		break;
	case CONTROL_REOPEN:
		if (reopen("control socket", err, sizeof(err)) == 0)
			fputs("ok\n", fp);
		else
			control_print_error(fp, err);
		break;
	default:
		control_print_error(fp,
		    "unknown request (status, status json, "
		    "reload, reopen)");
		break;
	}
}

/* Act on every complete control request and hand its answer back. */
static void
control_requests(void)
{
	struct control_request req;
	FILE		      *fp;
	char		      *out;
	size_t		       len;

	while (control_next(&req) == 0) {
		out = NULL;
		len = 0;
		if ((fp = open_memstream(&out, &len)) != NULL) {
			answer(fp, req.op);
			if (fclose(fp) != 0) {
				free(out);
				out = NULL;
			}
		}
		control_answer(&req, out, len);
	}
}

static void
one_round(void)
{
	struct sigflags f = { 0, 0, 0, 0 };
	size_t		n = 1, np, nc, nl;
	int64_t		now = clock_mono_ms(), next = timers(now);
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
	listen_events(m.pfd + 1 + np + nc, nl); /* no listeners once stopping */
	/* Last: a reload request may change the sets polled above. */
	control_events(m.pfd + 1 + np, nc);
	control_requests();
	on_signals(&f);
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
	char err[1024], names[512], fp[HOSTKEY_FP_LEN];

	if (pidfile_write(m.pfh) == -1)
		start_fail("cannot write pidfile %s: %s", m.mc.cfg.pidfile,
		    strerror(errno));
	signals_setup();
	m.worker.mask = m.oldmask; /* workers start with the mask we had */
	pool_init(&m.worker);
	raise_nofile();
	if (log_open(m.mc.cfg.log_file, m.mc.cfg.xferlog) == -1)
		start_fail("cannot open %s or %s: %s", m.mc.cfg.log_file,
		    m.mc.cfg.xferlog, strerror(errno));
	if (listen_open(&m.mc.cfg, err, sizeof(err)) == -1)
		start_fail("%s", err);
	if (control_path(m.mc.cfg.pidfile, m.ctl_path, sizeof(m.ctl_path)) ==
	    -1)
		start_fail("control socket path too long");
	if (control_open(m.ctl_path, err, sizeof(err)) == -1)
		start_fail("%s", err);
	pool_configure(&m.mc.cfg, &m.mc.cred, m.mc.generation);
	source_configure(&m.mc.cfg);
	if (pool_spawn(m.mc.cfg.workers) < m.mc.cfg.workers)
		start_fail("cannot start %d workers", m.mc.cfg.workers);
	if (pool_wait_ready(m.mc.generation, MASTER_READY_MS, err,
		sizeof(err)) == -1)
		start_fail("no worker can serve: %s", err);
	m.started = clock_mono_ms();
	m.started_wall = clock_wall_ms();
	listen_names(names, sizeof(names));
	log_info("ftpd started (pid %ld), listening on %s, host key %s, "
		 "%zu accounts",
	    (long)getpid(), names,
	    master_creds_fp(&m.mc.cred, fp, sizeof(fp), "none"),
	    m.mc.cred.users.n);
}

void
master_run(const struct master_opts *o, const struct config *cfg,
    struct users_creds *cred, struct pidfh *pfh, int ready_fd,
    const struct worker_entry *worker)
{
	m.mc.opts = *o;
	if (o->base != NULL) {
		(void)strlcpy(m.base, o->base, sizeof(m.base));
		m.mc.opts.base = m.base;
	}
	if (o->conf != NULL) {
		/* A relative -c must survive chdir("/"): use the full path. */
		(void)strlcpy(m.conf, cfg->file, sizeof(m.conf));
		m.mc.opts.conf = m.conf;
	}
	m.mc.cfg = *cfg;
	master_creds_move(&m.mc.cred, cred);
	m.pfh = pfh;
	m.ready_fd = ready_fd;
	m.mc.generation = 1;
	log_setrole("master");
	setproctitle("master");
	m.worker = *worker;
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
