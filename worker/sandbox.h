/*
 * sandbox.h: the worker's sandbox (doc/SECURITY.md "The worker sandbox"),
 * applied after the privilege drop and before the first client byte:
 * Landlock confines the file system to the served root, and a seccomp
 * allow-list (libseccomp) kills the worker on any other system call.
 * Internal to worker/ (worker.c applies it, sandbox_test.c proves it).
 */
#ifndef FTPD_SANDBOX_H
#define FTPD_SANDBOX_H

#include <sys/types.h>

#include "common/config.h"

/*
 * sandbox_landlock_abi: the Landlock ABI version the running kernel
 * offers (1, 2, ...), or 0 when it has none (or disabled it).
 */
int sandbox_landlock_abi(void);

/*
 * sandbox_enabled: 0 in a sanitizer build (make asan), where the sanitizer
 * runtime needs files and calls the sandbox forbids (/proc/self/maps, its
 * reports): there sandbox_apply only checks no_new_privs.  1 otherwise.
 */
int sandbox_enabled(void);

/*
 * sandbox_prepare: build the seccomp program sandbox_apply installs, once,
 * so that processes forked after it (the workers) share it copy-on-write
 * instead of each running libseccomp.  Call it in the master before the
 * first worker is forked; sandbox_apply calls it when nobody did.  Does
 * nothing in a sanitizer build or when already done.  Returns 0, or a
 * negative ERR_* code (ERR_NOMEM: libseccomp failed; ERR_SYSTEM with errno:
 * memfd_create, export or mmap failed; ERR_INTERNAL: a program over
 * BPF_MAXINSNS instructions).
 */
__attribute__((warn_unused_result)) int sandbox_prepare(void);

/*
 * sandbox_apply: restrict this process for good: Landlock (where the
 * kernel has ABI 2 or later) to read, write, create, remove and rename
 * beneath rootfd (an O_PATH descriptor of the served root) and nothing
 * else, no TCP bind or connect, no signals or abstract sockets outside;
 * then the seccomp allow-list (see sandbox_prepare), with kill, tgkill and
 * tkill pinned to this process.  PR_SET_NO_NEW_PRIVS must be set already.
 * Without Landlock, says so once (log_info when loud, else log_debug) and
 * goes on.  Returns 0, or a negative ERR_* code (the caller's fatal).
 */
__attribute__((warn_unused_result)) int sandbox_apply(int rootfd, int loud);

/*
 * worker_confine (worker.c): what a worker does before its first client:
 * open the served root, drop privileges (as root: to cfg->user), die with
 * master, apply the resource limits and the sandbox.  loud as for
 * sandbox_apply.  Returns the root's O_PATH descriptor; every failure is
 * fatal.
 */
int worker_confine(const struct config *cfg, pid_t master, int loud);

#endif
