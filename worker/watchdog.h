/*
 * watchdog.h: deadlines that hold whatever a blocking read or write on the
 * client socket is doing (issue 8, item 3).  SO_RCVTIMEO and SO_SNDTIMEO
 * bound one read() or write() each, so a peer feeding or reading one byte
 * every few seconds never trips them.  The watchdog bounds the whole:
 * the login (handshake and auth), each request frame (it must arrive whole
 * within frame_timeout), and each transfer (at least min_rate bytes per
 * second over every min_rate_window seconds, counted by TCP itself, so a
 * large frame on a slow but honest link still counts as it arrives).  When
 * it fires it shuts the socket down, which ends the blocked call at once.
 * One ITIMER_REAL, so one watch at a time.  Internal to worker/.
 */
#ifndef FTPD_WATCHDOG_H
#define FTPD_WATCHDOG_H

#include <stdint.h>

enum watchdog_why {
	WATCHDOG_NONE = 0,
	WATCHDOG_LOGIN, /* login grace time over */
	WATCHDOG_FRAME, /* a request frame did not arrive whole in time */
	WATCHDOG_RATE	/* a transfer fell below the minimum rate */
};

/*
 * watchdog_deadline: in ms milliseconds (> 0), shut the read side of
 * socket fd (a blocked read ends, a FINAL reply can still be sent) and
 * record why (WATCHDOG_LOGIN or WATCHDOG_FRAME).  Replaces any watch.
 */
void watchdog_deadline(int fd, int why, int64_t ms);

/*
 * watchdog_rate: from now until watchdog_off, every window_s seconds
 * (> 0) check that socket fd moved at least min_rate bytes per second
 * (> 0) in that window: received (sending 0, counted when the kernel
 * takes them) or acknowledged by the peer (sending 1).  Below it, the read
 * side (receiving) or both sides (sending: a frame is cut, nothing may
 * follow) are shut down and WATCHDOG_RATE is recorded.  On a socket
 * without TCP_INFO the bytes reported by watchdog_progress count instead.
 * Replaces any watch.
 */
void watchdog_rate(int fd, int sending, uint64_t min_rate, int window_s);

/* watchdog_progress: bytes the transfer has moved so far (any origin). */
void watchdog_progress(uint64_t bytes);

/* watchdog_off: stop the watch; what it recorded stays readable. */
void watchdog_off(void);

/* watchdog_fired: what the last watch recorded (enum watchdog_why). */
int watchdog_fired(void);

/* watchdog_alarm: the SIGALRM handler's part (async-signal-safe). */
void watchdog_alarm(void);

#endif
