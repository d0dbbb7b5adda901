/*
 * sandbox.c: the worker's sandbox (see sandbox.h, doc/SECURITY.md).
 * Landlock is probed at run time (landlock_create_ruleset with
 * LANDLOCK_CREATE_RULESET_VERSION) and given every access right the kernel
 * knows, allowing beneath the served root only what file transfer needs;
 * the seccomp filter is an allow-list of the system calls the worker was
 * seen to make (strace -f -c over the whole e2e suite), killing the
 * process on any other.  This file must not open anything, must not relax
 * a rule the kernel offers, and must not be applied before the privilege
 * drop (no_new_privs is what lets an unprivileged process do this).
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "worker/sandbox.h"

/* Rights newer than some kernel headers (Landlock ABI 3 to 6). */
#define FS_TRUNCATE	    (1ULL << 14) /* ABI 3 */
#define FS_IOCTL_DEV	    (1ULL << 15) /* ABI 5 */
#define NET_BIND_TCP	    (1ULL << 0)	 /* ABI 4 */
#define NET_CONNECT	    (1ULL << 1)
#define SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define SCOPE_SIGNAL	    (1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; the kernel takes a prefix. */
struct ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

/* What a worker may do beneath the root: files and folders, no more. */
#define FS_ALLOWED                                                             \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |        \
	    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |      \
	    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |     \
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER)

int
sandbox_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? 0 : (int)abi;
}

/* The ruleset attribute for abi and its size (the part the kernel knows). */
static size_t
ruleset_for(int abi, struct ruleset_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->handled_access_fs = (LANDLOCK_ACCESS_FS_REFER << 1) - 1;
	if (abi >= 3)
		a->handled_access_fs |= FS_TRUNCATE;
	if (abi >= 5)
		a->handled_access_fs |= FS_IOCTL_DEV;
	if (abi < 4)
		return sizeof(a->handled_access_fs);
	/* No rule for a port: no TCP bind or connect at all. */
	a->handled_access_net = NET_BIND_TCP | NET_CONNECT;
	if (abi < 6)
		return 2 * sizeof(uint64_t);
	a->scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL;
	return sizeof(*a);
}

/* Landlock: 0 applied, 1 not available (said), or a negative ERR_* code. */
static int
landlock_apply(int rootfd, int loud)
{
	struct landlock_path_beneath_attr pb;
	struct ruleset_attr		  a;
	size_t				  len;
	int abi = sandbox_landlock_abi(), fd, r = 0;

	/* ABI 1 refuses every rename between folders: rename would break. */
	if (abi < 2) {
		if (loud)
			log_info("Landlock %s: the worker's file system is "
				 "confined by openat2 RESOLVE_BENEATH only",
			    abi == 0 ? "not available" : "ABI 1 too old");
		else
			log_debug("Landlock ABI %d: not used", abi);
		return 1;
	}
	len = ruleset_for(abi, &a);
	if ((fd = (int)syscall(SYS_landlock_create_ruleset, &a, len, 0)) < 0)
		return -ERR_SYSTEM;
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = FS_ALLOWED;
	pb.parent_fd = rootfd;
	/* SECURITY: the served root is the only place the worker may touch. */
	if (syscall(SYS_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH, &pb,
		0) != 0 ||
	    syscall(SYS_landlock_restrict_self, fd, 0) != 0)
		r = -ERR_SYSTEM;
	close(fd);
	if (r == 0)
		log_debug("Landlock ABI %d: confined to the served root", abi);
	return r;
}

/*
 * Every system call a worker makes, by name (names an architecture lacks
 * are skipped).  kill, tgkill and tkill (abort, SIGKILL of itself on a
 * runaway CPU budget) and prctl (the process title) are added below with
 * their arguments pinned.
 */
static const char *const allowed[] = {
	/* descriptors and files beneath the root */
	"read",
	"write",
	"readv",
	"writev",
	"pread64",
	"pwrite64",
	"lseek",
	"close",
	"openat",
	"openat2",
	"newfstatat",
	"fstat",
	"statx",
	"fstatfs",
	"getdents64",
	"fcntl",
	"flock",
	"fsync",
	"fdatasync",
	"sync_file_range",
	"fallocate",
	"fadvise64",
	"unlinkat",
	"mkdirat",
	"renameat",
	"renameat2",
	"linkat",
	"fchmod",
	"utimensat",
	"umask",
	"faccessat",
	"faccessat2",
	/* the client socket and the master's socketpair */
	"sendmsg",
	"sendmmsg", /* ipcq.c: a batch for the master */
	"recvmsg",
	"sendto",
	"recvfrom",
	"shutdown",
	"getsockopt",
	"setsockopt",
	"getsockname",
	"getpeername",
	"poll",
	"ppoll",
	/* memory */
	"brk",
	"mmap",
	"munmap",
	"mremap",
	"mprotect",
	"madvise",
	/* signals, timers, time, randomness */
	"rt_sigaction",
	"rt_sigprocmask",
	"rt_sigreturn",
	"sigaltstack",
	"restart_syscall",
	"setitimer",
	"getitimer",
	"alarm",
	"clock_gettime",
	"clock_getres",
	"gettimeofday",
	"time",
	"nanosleep",
	"clock_nanosleep",
	"getrandom",
	"futex",
	"sched_yield",
	"sysinfo", /* glibc qsort sizes its buffer by the RAM */
	/* identity and limits (the per-session CPU budget), exit */
	"getpid",
	"getppid",
	"gettid",
	"getuid",
	"geteuid",
	"getgid",
	"getegid",
	"getresuid",
	"getresgid",
	"getrusage",
	"getrlimit",
	"prlimit64",
	"setrlimit",
	"exit",
	"exit_group",
};

/* Allow name when arg0 == v (name unknown here: skipped). */
static int
allow_arg0(scmp_filter_ctx ctx, const char *name, scmp_datum_t v)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
	    SCMP_A0(SCMP_CMP_EQ, v));
}

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#else
#define SANDBOX_SANITIZER 0
#endif

/*
 * The seccomp program is built once, by sandbox_prepare in the master
 * before it forks the workers (issue 7): libseccomp's compilation costs a
 * worker CPU at every spawn and leaves its heap full of freed chunks.  The
 * workers inherit the program copy-on-write and only install it.  Its one
 * per-worker value, the worker's own pid that kill, tgkill and tkill are
 * pinned to, is built in as SELF_SLOT and patched in by the worker: every
 * BPF_JEQ against SELF_SLOT (libseccomp compares the low word of argument
 * 0 with it, the high word with 0, in one block the three calls share)
 * gets the pid.  No pid reaches SELF_SLOT (PID_MAX_LIMIT is 2^22); a
 * program that holds SELF_SLOT anywhere else, or not at all, is refused.
 */
#define SELF_SLOT 0x5eccd00dU
#define PROG_MAX  4096 /* BPF_MAXINSNS */

static struct sock_filter *prog;       /* its own pages, or NULL */
static size_t		   prog_len;   /* instructions */
static size_t		   prog_bytes; /* mapped */

/* The allow-list as a libseccomp context with self for the pid, or NULL. */
static scmp_filter_ctx
seccomp_build(scmp_datum_t self)
{
	scmp_filter_ctx ctx;
	size_t		i;
	int		nr, r = 0;

	/* SECURITY: outside the list the kernel kills the worker (SIGSYS). */
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return NULL;
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && r == 0; i++)
		if ((nr = seccomp_syscall_resolve_name(allowed[i])) !=
		    __NR_SCMP_ERROR)
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	/* Signals to itself only; the title, never PR_SET_DUMPABLE. */
	if (r == 0)
		r = allow_arg0(ctx, "kill", self);
	if (r == 0)
		r = allow_arg0(ctx, "tgkill", self);
	if (r == 0) /* the tid: the worker is single-threaded */
		r = allow_arg0(ctx, "tkill", self);
	if (r == 0)
		r = allow_arg0(ctx, "prctl", PR_SET_NAME);
	if (r == 0)
		r = allow_arg0(ctx, "prctl", PR_GET_NAME);
	if (r != 0) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * The jumps of prog that compare with SELF_SLOT, patched to v when set
 * (v != 0).  Returns their count, or -1 when SELF_SLOT is anywhere else.
 */
static int
prog_self_slots(uint32_t v)
{
	size_t i;
	int    n = 0;

	for (i = 0; i < prog_len; i++) {
		if (prog[i].k != SELF_SLOT)
			continue;
		if (prog[i].code != (BPF_JMP | BPF_JEQ | BPF_K))
			return -1;
		if (v != 0)
			prog[i].k = v;
		n++;
	}
	return n;
}

/* ctx's BPF program into pages of its own (prog); 0 or -ERR_*. */
static int
seccomp_export(scmp_filter_ctx ctx)
{
	struct stat st;
	void	   *p;
	int	    fd, r;

	if ((fd = memfd_create("ftpd-seccomp", MFD_CLOEXEC)) == -1)
		return -ERR_SYSTEM;
	if ((r = seccomp_export_bpf(ctx, fd)) != 0) {
		errno = -r;
		r = -ERR_SYSTEM;
		goto out;
	}
	r = -ERR_SYSTEM;
	if (fstat(fd, &st) == -1)
		goto out;
	r = -ERR_INTERNAL;
	if (st.st_size <= 0 || st.st_size % sizeof(*prog) != 0 ||
	    st.st_size > PROG_MAX * (off_t)sizeof(*prog))
		goto out;
	/* Private: the worker's patch stays its own (copy-on-write). */
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
	    fd, 0);
	r = -ERR_SYSTEM;
	if (p == MAP_FAILED)
		goto out;
	prog = p;
	prog_bytes = (size_t)st.st_size;
	prog_len = prog_bytes / sizeof(*prog);
	r = 0;
	if (prog_self_slots(0) < 1) { /* kill, tgkill, tkill are in the list */
		(void)munmap(prog, prog_bytes);
		prog = NULL;
		r = -ERR_INTERNAL;
	}
out:
	close(fd);
	return r;
}

int
sandbox_prepare(void)
{
	scmp_filter_ctx ctx;
	int		r;

	if (prog != NULL || !sandbox_enabled())
		return 0;
	if ((ctx = seccomp_build(SELF_SLOT)) == NULL)
		return -ERR_NOMEM;
	r = seccomp_export(ctx);
	seccomp_release(ctx);
	return r;
}

/*
 * seccomp: install the prepared allow-list (building it here when the
 * master did not), pinned to this process; anything else kills it.
 */
static int
seccomp_apply(void)
{
	struct sock_fprog fp;
	pid_t		  self = getpid();
	int		  r;

	if ((r = sandbox_prepare()) != 0)
		return r;
	r = -ERR_INTERNAL;
	/* tkill is pinned to the pid: the worker is single-threaded. */
	if (gettid() == self && prog_self_slots((uint32_t)self) > 0) {
		fp.len = (unsigned short)prog_len;
		fp.filter = prog;
		r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp) == 0
		    ? 0
		    : -ERR_SYSTEM;
	}
	/* The kernel holds its own copy; ours goes, and the page with it. */
	(void)munmap(prog, prog_bytes);
	prog = NULL;
	return r;
}

int
sandbox_enabled(void)
{
	return !SANDBOX_SANITIZER;
}

int
sandbox_apply(int rootfd, int loud)
{
	int r;

	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return -ERR_INTERNAL; /* the privilege block comes first */
	if (!sandbox_enabled()) {
		log_debug("sandbox: not applied in a sanitizer build");
		return 0;
	}
	if ((r = landlock_apply(rootfd, loud)) < 0)
		return r;
	return seccomp_apply();
}
