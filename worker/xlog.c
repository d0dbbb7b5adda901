/*
 * xlog.c: the log lines of one finished transfer, put or get, whole or
 * not: the xferlog(5) line and the ftpd.log line (xfer_log, session.h).
 * This file must not touch the file system or the session's channel.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xferlog.h"
#include "worker/session.h"

#define XFER_USER "secret" /* xferlog user of the shared-secret method */

void
xfer_log(struct session *s, const char *path, uint64_t bytes, int incoming,
    int complete, int64_t start_ms)
{
	static const size_t cut[] = { 1024, 400 }; /* 400 * 4 fits a line */
	struct xfer_record  x;
	char		    line[LOG_LINE_MAX], vpath[1024], shown[256];
	char		    group[40] = "";
	int64_t		    ms = clock_mono_ms() - start_ms;
	size_t		    i;

	memset(&x, 0, sizeof(x));
	x.end = time(NULL);
	x.seconds = ms > 0 ? (uint64_t)(ms + 999) / 1000 : 1;
	x.host = s->info.peer;
	x.bytes = bytes;
	x.path = vpath;
	x.incoming = incoming;
	x.user = s->user[0] != '\0' ? s->user : XFER_USER;
	x.complete = complete;
	/* A long path is cut so that the line, encoded, still fits: a name
	 * of control bytes grows fourfold and must not lose its line. */
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		(void)snprintf(vpath, cut[i], "/%s", path);
		if (xferlog_format(&x, line, sizeof(line)) >= 0) {
			log_xfer(line);
			break;
		}
	}
	if (s->group > 1)
		(void)snprintf(group, sizeof(group), " (group commit of %zu)",
		    s->group);
	log_info("session %llu: %s %s: %llu bytes in %lld ms%s%s",
	    (unsigned long long)s->info.seq, incoming ? "put" : "get",
	    session_shown(shown, sizeof(shown), path),
	    (unsigned long long)bytes, (long long)ms,
	    complete ? "" : " (incomplete)", group);
}
