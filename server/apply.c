/*
 * apply.c: a reload's second half: a config that master_load and
 * master_prepare accepted is put in force in the master's struct
 * master_conf, the only fallible step (rebinding the listening sockets)
 * first, so that a refused reload changes nothing, after one worker of the
 * new generation proved it can serve (pool_prove).  Workers of the new
 * generation are started by the pool from then on.  It must not cut a
 * running transfer or keep a copy of the key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <sodium.h>

#include "common/log.h"
#include "server/listen.h"
#include "server/master.h"
#include "server/pool.h"
#include "server/source.h"

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
apply(struct master_conf *mc, struct config *nc, struct users_creds *cred,
    char *err, size_t errlen)
{
	if (strcmp(nc->pidfile, mc->cfg.pidfile) != 0) {
		log_warnx("reload: a new pidfile takes a restart; keeping %s",
		    mc->cfg.pidfile);
		(void)strlcpy(nc->pidfile, mc->cfg.pidfile,
		    sizeof(nc->pidfile));
	}
	if (listen_changed(nc, &mc->cfg) &&
	    listen_reload(nc, err, errlen) == -1)
		return -1;
	if ((strcmp(nc->log_file, mc->cfg.log_file) != 0 ||
		strcmp(nc->xferlog, mc->cfg.xferlog) != 0) &&
	    log_open(nc->log_file, nc->xferlog) == -1) {
		log_warn("reload: cannot open %s or %s; logging on to the old "
			 "files",
		    nc->log_file, nc->xferlog);
		(void)strlcpy(nc->log_file, mc->cfg.log_file,
		    sizeof(nc->log_file));
		(void)strlcpy(nc->xferlog, mc->cfg.xferlog,
		    sizeof(nc->xferlog));
	}
	mc->cfg = *nc;
	master_creds_move(&mc->cred, cred);
	mc->generation++;
	log_init(mc->cfg.debug || mc->opts.verbose, mc->opts.foreground);
	/* New workers get generation N; old idle ones go now, busy ones
	 * after their session (pool.c on_idle): no transfer is cut. */
	pool_configure(&mc->cfg, &mc->cred, mc->generation);
	listen_configure(&mc->cfg);
	source_configure(&mc->cfg);
	pool_retire_old();
	return 0;
}

/* A worker of the next generation, started with nc, must get ready. */
static int
prove(const struct master_conf *mc, const struct config *nc,
    const struct users_creds *cred, char *err, size_t errlen)
{
	char why[512];

	if (pool_prove(nc, cred, mc->generation + 1, MASTER_READY_MS, why,
		sizeof(why)) == 0)
		return 0;
	(void)snprintf(err, errlen, "no worker can serve it: %s", why);
	return -1;
}

int
master_apply(struct master_conf *mc, char *err, size_t errlen)
{
	struct config	  *nc;
	struct users_creds cred;
	int		   r = -1;

	if ((nc = malloc(sizeof(*nc))) == NULL) {
		(void)snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	/* SECURITY: the old generation is retired only once a worker of the
	 * new one proved it can serve (issue 8 item 1). */
	if (master_load(&mc->opts, nc, err, errlen) == 0 &&
	    master_prepare(nc, &cred, err, errlen) == 0) {
		if (prove(mc, nc, &cred, err, errlen) == 0 &&
		    (r = apply(mc, nc, &cred, err, errlen)) == -1)
			pool_retire_generation(mc->generation + 1);
		master_creds_free(&cred); /* moved into mc by apply */
	}
	free(nc);
	return r;
}
