/*
 * master.h: the master process: its start-up, its one event loop (poll
 * over the listening sockets, the workers' socketpairs, a signalfd and the
 * control socket) and the reload, reopen and stop it does on signals and
 * control requests.  master_load, master_prepare and master_make_parent
 * are in prepare.c, master_run in master.c.  The modules master.c drives
 * (pool, listen, control, status) never include this header: they report
 * through return values and structs (control_next), and take their time
 * from common/clock.h.
 */
#ifndef FTPD_MASTER_H
#define FTPD_MASTER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <bsd/libutil.h>

#include "common/config.h"
#include "common/keyfile.h"
#include "common/users.h"
#include "server/spawn.h"

/* How long start and reload wait for a worker to prove it can serve. */
#define MASTER_READY_MS 10000

/* How the command line asked for the configuration. */
struct master_opts {
	const char *base;	/* -d DIR made absolute, or NULL */
	const char *conf;	/* -c FILE, or NULL for the default file */
	int	    verbose;	/* -v: debug lines */
	int	    foreground; /* -f: no daemon, log lines on stderr too */
};

/* The configuration in force: master.c owns it, master_apply changes it. */
struct master_conf {
	struct master_opts opts;
	struct config	   cfg;
	struct users_creds cred;       /* secret, host key, accounts */
	uint32_t	   generation; /* of cfg: 1 at start, +1 per reload */
};

/*
 * master_load: defaults (o->base) then the config file: o->conf, which
 * must exist, or config_default_file, read only if present (cfg->file is
 * "" then).  Returns 0, or -1 with "FILE:LINE: reason" in err.
 */
__attribute__((warn_unused_result)) int master_load(const struct master_opts *o,
    struct config *cfg, char *err, size_t errlen);

/*
 * master_prepare: what must hold before a config is used: the key file,
 * the host key and the users file read into cred (master_creds_load),
 * cfg->user exists when we are root,
 * the served root, log and pidfile folders exist (created 0750 when
 * missing), and then master_check passes.  Returns 0, or -1 with the reason in err; cred is
 * wiped then.
 */
__attribute__((warn_unused_result)) int master_prepare(const struct config *cfg,
    struct users_creds *cred, char *err, size_t errlen);

/*
 * master_check: can a worker run cfg?  The listen addresses resolve, the
 * workers' user exists (when we are root) and is not uid 0, the key file
 * reads, and cfg->root, when it exists, is a folder the workers' user can
 * open (tried in a child that drops to that user).  Creates and keeps
 * nothing (`ftpd -t` uses it; master_prepare too).  Returns 0, or -1 with
 * the reason in err (errlen bytes).  In check.c.
 */
__attribute__((warn_unused_result)) int master_check(const struct config *cfg,
    char *err, size_t errlen);

/*
 * master_run: be the master: write the pidfile (pfh, opened and locked by
 * the caller), listen, open the logs and the control socket, prefork the
 * workers, report readiness on *ready_fd (-1 in the foreground; see
 * daemonize.h), then serve until TERM or INT.  Never returns: exits 0
 * after an orderly stop, 1 when start-up fails (the reason goes back over
 * the readiness pipe).  cfg is copied; cred is moved
 * (master_creds_move: the caller's copy is wiped).  worker->run is the workers' entry point (its
 * mask is filled in here).
 */
void master_run(const struct master_opts *o, const struct config *cfg,
    struct users_creds *cred, struct pidfh *pfh, int ready_fd,
    const struct worker_entry *worker) __attribute__((noreturn));

/*
 * master_apply: re-read the config file (master_load, master_prepare with
 * mc->opts) and put it in force in mc: listening sockets first (rebound;
 * a failure, e.g. a port in use, keeps everything old), then log files,
 * limits, and generation + 1 for the workers started from now on (idle
 * workers of older generations retired now, busy ones after their
 * session).  A new pidfile is refused (kept).  Returns 0, or -1 with the
 * reason ("FILE:LINE: reason", "cannot listen on ...") in err (errlen
 * bytes) and mc unchanged.  In apply.c.
 */
__attribute__((warn_unused_result)) int master_apply(struct master_conf *mc,
    char *err, size_t errlen);

/*
 * master_make_parent: create the missing folders above file (mode 0750).
 * Returns 0, or -1 with errno.
 */
int master_make_parent(const char *file);

/*
 * master_creds_load: read the shared secret (cfg->key_file), the host key
 * (cfg->host_key; none when the file is missing) and the accounts
 * (cfg->users_file; none when missing) into c, and make the dummy hash of
 * cfg's cost.  Refuses a password hash whose memory cost the workers'
 * memory_limit could not hold.  Returns 0, or -1 with the reason in err (c
 * wiped).  master_creds_free wipes c and frees its accounts;
 * master_creds_move frees dst, moves src into it and wipes src.  In
 * creds.c.
 */
__attribute__((warn_unused_result)) int
master_creds_load(const struct config *cfg, struct users_creds *c, char *err,
    size_t errlen);
void master_creds_free(struct users_creds *c);
void master_creds_move(struct users_creds *dst, struct users_creds *src);

/*
 * master_creds_fp: the host key's fingerprint ("SHA256:...") in out
 * (HOSTKEY_FP_LEN bytes), or none when c has no host key.  Returns out or
 * none.
 */
const char *master_creds_fp(const struct users_creds *c, char *out,
    size_t outlen, const char *none);

#endif
