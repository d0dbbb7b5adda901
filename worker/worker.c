/*
 * worker.c: the worker role's entry point (DESIGN.md "A connection's way",
 * step 3; doc/SECURITY.md).  It opens the served root, drops privilege,
 * applies the resource limits and the sandbox (sandbox.c) in one visible
 * block (worker_confine), sweeps leftover upload temporaries when it is
 * the sweeper, then serves one session per IPC_SESSION from the master and
 * reports STATE and IDLE back.  Its log lines travel to the master as
 * IPC_LOG, batched during a session (ipcq.c).  The signal handlers live
 * in signals.c; the session itself in session.c.  This file
 * must not run a single client byte through a parser before the privilege
 * drop, must not hold the log files, and must not outlive its master.
 */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/unistd.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/ipc.h"
#include "common/log.h"
#include "worker/account.h"
#include "worker/fsops.h"
#include "worker/ipcq.h"
#include "worker/sandbox.h"
#include "worker/session.h"
#include "worker/signals.h"
#include "worker/worker.h"

/* Folders the start-up sweep of leftover temporaries visits at most. */
#define WORKER_SWEEP_DIRS 10000

static int log_ipc_fd = -1;
static int sweep_lock_fd = -1; /* the root, flocked: this worker swept */

/*
 * Log sink: each finished line goes to the master as one IPC_LOG, queued
 * during a session (ipcq.c).  A fatal line goes at once: exit follows.
 */
static void
worker_log_sink(int which, const char *line, size_t len)
{
	static int     busy;
	struct ipc_msg m;

	if (busy || log_ipc_fd < 0)
		return;
	busy = 1; /* ipcq does not log, but never recurse */
	if (len > LOG_LINE_MAX)
		len = LOG_LINE_MAX;
	m.type = IPC_LOG;
	m.pad = 0;
	m.u.log.which = which;
	m.u.log.len = (uint32_t)len;
	memcpy(m.u.log.text, line, len);
	ipcq_put(&m);
	busy = 0;
}

/*
 * The privilege block (doc/SECURITY.md): as root switch to cfg->user,
 * prove root cannot be regained; then no new privileges, and die with the
 * master.  Every failure is fatal.
 */
static void
drop_privileges(const struct config *cfg, pid_t master)
{
	struct passwd *pw;
	uid_t	       uid, ru, eu, su;
	gid_t	       gid, rg, eg, sg;

	if (geteuid() == 0) {
		if ((pw = getpwnam(cfg->user)) == NULL)
			fatalx("unknown user \"%s\"", cfg->user);
		if (pw->pw_uid == 0)
			fatalx("refusing to run workers as root (user %s)",
			    cfg->user);
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		if (setgroups(1, &gid) == -1)
			fatal("setgroups");
		if (setresgid(gid, gid, gid) == -1)
			fatal("setresgid");
		if (setresuid(uid, uid, uid) == -1)
			fatal("setresuid");
		if (getresuid(&ru, &eu, &su) == -1 || ru != uid || eu != uid ||
		    su != uid || getresgid(&rg, &eg, &sg) == -1 || rg != gid ||
		    eg != gid || sg != gid)
			fatalx("privilege drop to %s did not hold", cfg->user);
		if (setuid(0) != -1 || seteuid(0) != -1)
			fatalx("could regain root after dropping privileges");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl PR_SET_NO_NEW_PRIVS");
	/* SECURITY: we hold the shared secret and session keys: no core file,
	 * no ptrace by other processes of the same user. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("prctl PR_SET_DUMPABLE");
	/* After the uid change, which clears the parent-death signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		fatal("prctl PR_SET_PDEATHSIG");
	if (getppid() != master)
		exit(0); /* the master died before we asked to follow it */
}

/* Soft and hard limit of res to v bytes or descriptors; fatal on error. */
static void
limit_set(int res, const char *name, uint64_t v)
{
	struct rlimit rl;

	if (getrlimit(res, &rl) == -1)
		fatal("getrlimit %s", name);
	if (rl.rlim_max != RLIM_INFINITY && v > rl.rlim_max)
		v = rl.rlim_max; /* cannot raise a hard limit */
	rl.rlim_cur = rl.rlim_max = (rlim_t)v;
	if (setrlimit(res, &rl) == -1)
		fatal("setrlimit %s", name);
}

/*
 * AddressSanitizer reserves terabytes of shadow address space at start, so
 * under it (make asan) any RLIMIT_AS makes every later allocation fail:
 * memory_limit is not applied in such a build.
 */
#if defined(__SANITIZE_ADDRESS__)
#define WORKER_RLIMIT_AS 0
#else
#define WORKER_RLIMIT_AS 1
#endif

static void
limits_init(const struct config *cfg)
{
	if (WORKER_RLIMIT_AS && cfg->memory_limit != 0)
		limit_set(RLIMIT_AS, "RLIMIT_AS", cfg->memory_limit);
	limit_set(RLIMIT_CORE, "RLIMIT_CORE", 0); /* see drop_privileges */
	if (cfg->open_files != 0)
		limit_set(RLIMIT_NOFILE, "RLIMIT_NOFILE", cfg->open_files);
	if (cfg->file_size_limit != 0)
		limit_set(RLIMIT_FSIZE, "RLIMIT_FSIZE", cfg->file_size_limit);
}

/* RLIMIT_CPU soft = CPU used so far + the session's budget (seconds). */
static void
cpu_budget(const struct config *cfg)
{
	struct rusage ru;
	struct rlimit rl;
	uint64_t      used;

	signals_session_start();
	if (cfg->cpu_seconds == 0)
		return;
	if (getrusage(RUSAGE_SELF, &ru) == -1 ||
	    getrlimit(RLIMIT_CPU, &rl) == -1) {
		log_warn("getrusage/getrlimit RLIMIT_CPU");
		return;
	}
	used = (uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec + 1;
	rl.rlim_cur = (rlim_t)(used + cfg->cpu_seconds);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_CPU, &rl) == -1)
		log_warn("setrlimit RLIMIT_CPU");
}

/*
 * The stack below the caller's frame: a session's deepest calls (a put
 * with resume hashing, logging) leave tens of kB of it resident for the
 * worker's life.  Dropped from one page below the page of this frame (so
 * the madvise call's own frame and its return address stay), down
 * WORKER_STACK_REST bytes: nothing else is mapped there (the kernel keeps
 * at least 128 MiB between the stack and the mmap area); holes in the
 * range make madvise say ENOMEM, ignored.  The worker is single-threaded
 * and its signal handlers run on this stack, so nothing below is in use.
 */
#define WORKER_STACK_REST (256 * 1024)

static void __attribute__((noinline)) worker_stack_rest(void)
{
	volatile char here = 0;
	uintptr_t     pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t     top = ((uintptr_t)&here & ~(pg - 1)) - pg;

	(void)madvise((void *)(top - WORKER_STACK_REST), WORKER_STACK_REST,
	    MADV_DONTNEED);
}

/*
 * Memory an idle worker need not hold (issue 7: idle Pss per session).
 * glibc keeps what is freed for reuse: after libseccomp built the filter
 * (when the master did not), and after a session (channel buffers,
 * listings, digests), the heap is full of free chunks, private dirty
 * pages; malloc_trim(0) gives back the free top and every whole free page
 * inside.  The I/O buffer keeps the pages a get touched, up to 1 MiB:
 * MADV_DONTNEED drops them (they come back zeroed on the next use), and
 * so for the stack a session used.
 */
static void
worker_rest(uint8_t *iobuf)
{
	(void)malloc_trim(0);
	if (madvise(iobuf, CHANNEL_DATA_CHUNK, MADV_DONTNEED) == -1)
		log_warn("madvise I/O buffer");
	worker_stack_rest();
}

/*
 * glibc raises its mmap threshold to the size of a freed mmap'd chunk (up
 * to 32 MiB), and the trim threshold to twice that: after a session's
 * 1 MiB channel buffers, later big buffers would come from the heap and
 * stay there after free.  Fixed thresholds (the defaults) end that: big
 * buffers are mapped and unmapped, a free top over 128 KiB goes back.
 */
static void
worker_malloc_init(void)
{
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 128 * 1024);
}

/* The sessions' CHANNEL_DATA_CHUNK I/O buffer, in pages of its own. */
static uint8_t *
worker_iobuf(void)
{
	void *p = mmap(NULL, CHANNEL_DATA_CHUNK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fatal("mmap I/O buffer");
	return p;
}

/*
 * One worker at a time is the sweeper: the one that wins an flock on the
 * served root keeps it for its life.  It sweeps the tree for upload
 * temporaries whose writer died (issue 8, item 5) when it starts, so that
 * happens when the daemon starts and again each time that worker is
 * replaced, not in every worker; and it alone says at info level what the
 * sandbox lacks.  Returns 1 for the sweeper, else 0.
 */
static int
worker_sweeper(const char *root)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1)
		return 0; /* worker_confine says why */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return 0;
	}
	sweep_lock_fd = fd;
	return 1;
}

int
worker_confine(const struct config *cfg, pid_t master, int loud)
{
	int rootfd, r;

	/* SECURITY: the root is opened while we may still read it as root. */
	rootfd = open(cfg->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd == -1)
		fatal("open served root %s", cfg->root);
	drop_privileges(cfg, master);
	limits_init(cfg);
	tzset(); /* /etc/localtime is out of reach from here on */
	if ((r = sandbox_apply(rootfd, loud)) != 0)
		fatalx("sandbox: %s", err_str(r));
	return rootfd;
}

int
worker_prepare(void)
{
	return sandbox_prepare();
}

/* One session on socket fd; returns 1 when the worker must exit after. */
static int
worker_serve(const struct worker_params *p, int rootfd, uint8_t *iobuf,
    const struct ipc_session *info, int fd)
{
	struct session s;
	struct ipc_msg m;
	int64_t	       ms;

	memset(&s, 0, sizeof(s));
	s.cfg = p->cfg;
	s.secret = p->cred->secret;
	s.cred = p->cred;
	s.servedfd = rootfd;
	s.ipc_fd = p->ipc_fd;
	s.rootfd = rootfd;
	s.fd = fd;
	s.info = *info;
	s.iobuf = iobuf;
	s.start_ms = clock_mono_ms();
	ipcq_hold(1); /* until the session waits for its client or ends */
	cpu_budget(p->cfg);
	setproctitle("worker %s", s.info.peer);
	log_info("session %llu: connection from %s port %u",
	    (unsigned long long)s.info.seq, s.info.peer, s.info.peer_port);
	session_run(&s);
	account_leave(&s);
	ms = clock_mono_ms() - s.start_ms;
	log_info("session %llu: %s closed: %s, %lld ms, %llu bytes in, %llu "
		 "bytes out",
	    (unsigned long long)s.info.seq, s.info.peer,
	    s.outcome == ERR_OK ? "ok" : err_name(s.outcome), (long long)ms,
	    (unsigned long long)s.ch.wire_in,
	    (unsigned long long)s.ch.wire_out);
	memset(&m, 0, sizeof(m));
	m.type = IPC_IDLE;
	m.u.idle.seq = s.info.seq;
	m.u.idle.bytes_in = s.ch.wire_in;
	m.u.idle.bytes_out = s.ch.wire_out;
	m.u.idle.duration_ms = ms;
	m.u.idle.outcome = s.outcome;
	/* IDLE before close: when the client sees the end, the master can
	 * already count this worker as free.  It leaves with the queue. */
	ipcq_put(&m);
	ipcq_hold(0);
	close(fd);
	worker_rest(iobuf); /* idle from here, maybe for long */
	setproctitle("worker idle");
	return s.shutdown || s.master_gone || signals_term();
}

/*
 * Wait for the master's next message while idle.  Returns 1 with a
 * session in m and *fd, 0 when the worker must exit (IPC_SHUTDOWN, the
 * master's end closed, SIGTERM).
 */
static int
worker_wait(int ipc_fd, struct ipc_msg *m, int *fd)
{
	struct pollfd pfd[2];
	int	      r;

	for (;;) {
		*fd = -1;
		if (signals_term())
			return 0;
		pfd[0] = (struct pollfd){ .fd = ipc_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = signals_wake_fd(),
			.events = POLLIN };
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[1].revents != 0)
			signals_wake_drain();
		if (pfd[0].revents == 0)
			continue;
		r = ipc_recv(ipc_fd, m, fd, MSG_DONTWAIT);
		if (r == -ERR_EOF)
			return 0;
		if (r == -ERR_SYSTEM && errno == EAGAIN)
			continue;
		if (r == -ERR_PROTOCOL) {
			log_warnx("malformed message from the master");
			continue;
		}
		if (r != 0) {
			log_warn("ipc_recv");
			return 0;
		}
		if (m->type == IPC_SHUTDOWN)
			return 0;
		if (m->type == IPC_SESSION)
			return 1;
	}
}

void
worker_main(const struct worker_params *p)
{
	const struct config *cfg = p->cfg;
	struct ipc_msg	     m;
	pid_t		     master = getppid();
	uint8_t		    *iobuf;
	struct fsops_sweep   how;
	int		     rootfd, fd, served = 0, sweeper, n;

	log_ipc_fd = p->ipc_fd;
	ipcq_init(p->ipc_fd);
	(void)atexit(ipcq_flush); /* fatal() exits: its line still goes */

	log_set_sink(worker_log_sink);
	log_close(); /* the master owns the files; drop stale numbers */
	log_setrole("worker");
	setproctitle("worker idle");
	signals_init();
	worker_malloc_init();

	sweeper = worker_sweeper(cfg->root);
	/* SECURITY: privilege drop, limits and sandbox in one block. */
	rootfd = worker_confine(cfg, master, sweeper);
	iobuf = worker_iobuf();
	(void)malloc_trim(0); /* what building the sandbox left */
	how = (struct fsops_sweep){ cfg->partial_ttl, rootfd };
	if (sweeper &&
	    (n = fsops_tmp_sweep_tree(rootfd, WORKER_SWEEP_DIRS, &how)) > 0)
		log_info("removed %d leftover upload temporaries", n);
	log_debug("worker ready (generation %u)", p->generation);

	while (cfg->max_sessions <= 0 || served < cfg->max_sessions) {
		if (worker_wait(p->ipc_fd, &m, &fd) == 0)
			break;
		served++;
		if (worker_serve(p, rootfd, iobuf, &m.u.session, fd))
			break;
	}
	log_debug("worker exits after %d sessions", served);
	(void)munmap(iobuf, CHANNEL_DATA_CHUNK);
	close(rootfd);
	exit(0);
}
