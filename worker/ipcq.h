/*
 * ipcq.h: the worker's queue of messages for the master (ipcq.c).
 */
#ifndef WORKER_IPCQ_H
#define WORKER_IPCQ_H

#include <stdint.h>

#include "common/ipc.h"

/* Bytes the queue holds; a full log line (LOG_LINE_MAX) always fits. */
#define IPCQ_BYTES 8192
/* A queue whose first message is this old goes with the next one. */
#define IPCQ_AGE_MS 1000

/* ipcq_init: messages go to the master over fd (SPAWN_IPC_FD). */
void ipcq_init(int fd);

/*
 * ipcq_hold: on 1 (in a session) ipcq_put queues until ipcq_flush; on 0
 * what is queued goes now and every later message at once.
 */
void ipcq_hold(int on);

/*
 * ipcq_put: queue m (or send it, when not holding), sending what is
 * queued first when m does not fit, and the whole queue with m when its
 * first message is IPCQ_AGE_MS old (a session busy for long still
 * reports).  A message ipc_msg_len refuses is
 * dropped.  Never logs: the log sink calls it.
 */
void ipcq_put(const struct ipc_msg *m);

/*
 * ipcq_flush: send what is queued, in one sendmmsg(2) when the socket
 * takes it.  A master that is gone (EPIPE) is not an error here: the
 * worker notices it on its next read of the socketpair.
 */
void ipcq_flush(void);

/* ipcq_oldest_ms: clock_mono_ms of the oldest queued message, 0: none. */
int64_t ipcq_oldest_ms(void);

#endif
