/*
 * report.c: what a session tells the master besides its IDLE: the state
 * `ftpd status` shows (IPC_STATE) and when the log lines the worker queued
 * meanwhile (ipcq.c) go.  A short session's reports leave with its IDLE,
 * one wake-up of the master for all of them; a transfer of a megabyte or
 * more is shown at once, its progress four times a second; nothing waits
 * more than REPORT_DELAY_MS, and nothing is held while the worker waits
 * for its client.  This file must not pass the client's bytes on raw: the
 * path goes out as terminal-safe text.
 */
#include <poll.h>
#include <stdint.h>
#include <string.h>

#include <bsd/string.h>
#include <bsd/unistd.h>

#include "common/clock.h"
#include "common/safetext.h"
#include "worker/ipcq.h"
#include "worker/session.h"

#define STATE_INTERVAL_MS 250	      /* IPC_STATE at most 4 times a second */
#define REPORT_DELAY_MS	  IPCQ_AGE_MS /* how late logs and state may be */
#define STATE_NOW_BYTES	  CHANNEL_DATA_CHUNK /* a transfer shown at once */

/* Queue s->state for the master and send the queue now. */
static void
state_send(struct session *s)
{
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.type = IPC_STATE;
	m.u.state = s->state;
	s->state_sent = s->state;
	ipcq_put(&m);
	ipcq_flush();
}

void
session_report_flush(struct session *s)
{
	if (memcmp(&s->state, &s->state_sent, sizeof(s->state)) != 0)
		state_send(s);
	ipcq_flush();
}

void
session_state(struct session *s, const char *op, const char *path,
    uint64_t done, uint64_t total, int force)
{
	int64_t now = clock_mono_ms();

	if (!force) {
		if (now - s->state_ms < STATE_INTERVAL_MS)
			return;
		s->state_ms = now;
		s->state.done = done;
		s->state.total = total;
		state_send(s); /* also what was logged meanwhile */
		return;
	}
	s->state_ms = now;
	if (strcmp(op, s->op) != 0)
		s->op_start_ms = *op != '\0' ? clock_wall_ms() : 0;
	memset(&s->state, 0, sizeof(s->state));
	(void)strlcpy(s->state.op, op, sizeof(s->state.op));
	/* SECURITY: the client's bytes never reach status or a log raw:
	 * status gets terminal-safe text, logs the encoding (s->path). */
	(void)safetext_copy(s->state.path, sizeof(s->state.path), path,
	    strlen(path));
	(void)strlcpy(s->state.user, s->user, sizeof(s->state.user));
	s->state.done = done;
	s->state.total = total;
	s->state.op_start_ms = s->op_start_ms;
	if (total >= STATE_NOW_BYTES)
		state_send(s); /* a transfer: status shows it even stalled */
	(void)strlcpy(s->op, op, sizeof(s->op));
	(void)session_shown(s->path, sizeof(s->path), path);
	if (*op != '\0')
		setproctitle("worker %s %s %s", s->info.peer, op,
		    s->state.path);
	else
		setproctitle("worker %s", s->info.peer);
}

void
session_report_idle(struct session *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };

	if (session_report_due(s) >= 0 && poll(&pfd, 1, 0) == 0)
		session_report_flush(s);
}

int64_t
session_report_due(const struct session *s)
{
	int64_t t = ipcq_oldest_ms();

	if (memcmp(&s->state, &s->state_sent, sizeof(s->state)) != 0 &&
	    (t == 0 || s->state_ms < t))
		t = s->state_ms;
	return t == 0 ? -1 : t + REPORT_DELAY_MS;
}
