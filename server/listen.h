/*
 * listen.h: the listening sockets and the connections they yield: bind
 * (IPv4 and IPv6), accept, the max_per_ip check, the bounded wait queue and
 * the "server busy" refusals.  Every accepted connection reaches a worker
 * or gets an explicit refusal frame: none is dropped silently.  The
 * sockets themselves (listen_open, listen_reload, listen_close,
 * listen_fd, listen_shown, listen_names) are in bind.c, the rest in
 * listen.c.
 */
#ifndef FTPD_LISTEN_H
#define FTPD_LISTEN_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/config.h"

/*
 * listen_open: bind and listen on every cfg->listen address (all the
 * addresses a name resolves to; IPv6 sockets are IPV6_V6ONLY).  Returns 0,
 * or -1 with the reason in err and nothing left open.
 */
__attribute__((warn_unused_result)) int listen_open(const struct config *cfg,
    char *err, size_t errlen);

/*
 * listen_reload: make the listening set match cfg: addresses kept keep
 * their sockets, new ones are bound, dropped ones closed.  On failure
 * returns -1 with the reason in err and the old set untouched.
 */
__attribute__((warn_unused_result)) int listen_reload(const struct config *cfg,
    char *err, size_t errlen);

/*
 * listen_configure: the limits (queue, admission) to apply from now on,
 * and TCP_DEFER_ACCEPT of cfg->login_grace seconds on every socket.
 */
void listen_configure(const struct config *cfg);

/* listen_close: stop accepting (close the listening sockets). */
void listen_close(void);

/* listen_refuse_all: refuse every queued connection with msg. */
void listen_refuse_all(const char *msg);

size_t listen_pollfds(struct pollfd *pfd, size_t room, int64_t now);
void   listen_events(const struct pollfd *pfd, size_t n);

/*
 * listen_dispatch: hand queued connections to idle workers (spawning more
 * within max_workers), refuse those past queue_wait_ms, close lingering
 * refusals past their time.  Returns the next deadline (clock_mono_ms() ms)
 * or INT64_MAX.
 */
int64_t listen_dispatch(int64_t now);

/*
 * listen_shown: socket i's numeric address ("127.0.0.1:2121",
 * "[::1]:2121"), or NULL past the last (none once stopping).
 */
const char *listen_shown(int i);

/* listen_fd: listening socket i's descriptor, or -1 past the last. */
int listen_fd(int i);

/* listen_names: "127.0.0.1:2121, [::1]:2121" into buf (size bytes). */
void listen_names(char *buf, size_t size);

#endif
