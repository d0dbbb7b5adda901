/*
 * watchdog.c: whole-operation deadlines for the client socket (see
 * watchdog.h).  One ITIMER_REAL drives them; signals.c's SIGALRM handler
 * calls watchdog_alarm, which reads TCP_INFO with getsockopt and may call
 * shutdown(2) and alarm(0), all plain system calls, safe in a handler.
 * This file must not log, allocate or touch anything in the handler but
 * its own volatile state, and must not know about sessions or frames.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "worker/watchdog.h"

static volatile sig_atomic_t wd_fd = -1;  /* the watched socket */
static volatile sig_atomic_t wd_why;	  /* what firing means */
static volatile sig_atomic_t wd_rate;	  /* 1: periodic rate check */
static volatile sig_atomic_t wd_sending;  /* 1: count acked bytes */
static volatile sig_atomic_t wd_fired;	  /* what was recorded */
static volatile uint64_t     wd_need;	  /* bytes each window */
static volatile uint64_t     wd_last;	  /* count at the last tick */
static volatile uint64_t     wd_progress; /* watchdog_progress */
static volatile sig_atomic_t wd_tcp;	  /* TCP_INFO works on wd_fd */

/* Arm ITIMER_REAL: first in ms, then every interval_ms (0: once). */
static void
timer_arm(int64_t ms, int64_t interval_ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (time_t)(ms / 1000);
	it.it_value.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	it.it_interval.tv_sec = (time_t)(interval_ms / 1000);
	it.it_interval.tv_usec = (suseconds_t)(interval_ms % 1000) * 1000;
	(void)setitimer(ITIMER_REAL, &it, NULL);
}

/* Bytes fd received (sending 0) or the peer acknowledged (sending 1). */
static int
tcp_count(int fd, int sending, uint64_t *out)
{
	struct tcp_info ti;
	socklen_t	len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_received) +
		    sizeof(ti.tcpi_bytes_received))
		return -1;
	*out = sending ? ti.tcpi_bytes_acked : ti.tcpi_bytes_received;
	return 0;
}

/* What the rate check counts now. */
static uint64_t
rate_count(void)
{
	uint64_t n;

	if (wd_tcp && tcp_count(wd_fd, wd_sending, &n) == 0)
		return n;
	return wd_progress;
}

void
watchdog_deadline(int fd, int why, int64_t ms)
{
	watchdog_off();
	wd_fired = WATCHDOG_NONE;
	if (fd < 0 || ms <= 0)
		return;
	wd_why = why;
	wd_rate = 0;
	wd_fd = fd;
	timer_arm(ms, 0);
}

void
watchdog_rate(int fd, int sending, uint64_t min_rate, int window_s)
{
	uint64_t n;

	watchdog_off();
	wd_fired = WATCHDOG_NONE;
	if (fd < 0 || min_rate == 0 || window_s <= 0)
		return;
	wd_why = WATCHDOG_RATE;
	wd_rate = 1;
	wd_sending = sending;
	wd_need = min_rate * (uint64_t)window_s;
	wd_progress = 0;
	wd_tcp = tcp_count(fd, sending, &n) == 0;
	wd_last = wd_tcp ? n : 0;
	wd_fd = fd;
	timer_arm((int64_t)window_s * 1000, (int64_t)window_s * 1000);
}

void
watchdog_progress(uint64_t bytes)
{
	wd_progress = bytes;
}

void
watchdog_off(void)
{
	wd_fd = -1; /* first: a tick racing with this finds nothing */
	timer_arm(0, 0);
}

int
watchdog_fired(void)
{
	return wd_fired;
}

void
watchdog_alarm(void)
{
	int	 saved = errno, fd = wd_fd;
	uint64_t n;

	if (fd < 0)
		goto out;
	if (wd_rate) {
		n = rate_count();
		if (n - wd_last >= wd_need) {
			wd_last = n; /* enough in this window: check the next */
			goto out;
		}
	}
	wd_fired = wd_why;
	wd_fd = -1;
	alarm(0);
	/* SECURITY: the blocked call ends now, whatever the peer does. */
	(void)shutdown(fd, wd_rate && wd_sending ? SHUT_RDWR : SHUT_RD);
out:
	errno = saved;
}
