/*
 * clock.c: millisecond clocks and the ISO 8601 time stamp shared by every
 * program of the project.  strftime(3) gives the zone as +hhmm (%z); ISO
 * 8601's extended format wants +hh:mm, so a colon is inserted.  This file
 * must not log or allocate.
 */
#include <string.h>
#include <time.h>

#include "common/clock.h"

int64_t
clock_mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_wall_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
clock_iso8601(char *buf, size_t size, time_t t)
{
	struct tm tm;
	size_t	  n;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	if (localtime_r(&t, &tm) == NULL)
		return -1;
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S%z", &tm);
	if (n < 5 || n + 2 > size) {
		buf[0] = '\0';
		return -1;
	}
	/* "+hhmm" -> "+hh:mm": move "mm" and its NUL one place right. */
	memmove(buf + n - 1, buf + n - 2, 3);
	buf[n - 2] = ':';
	return 0;
}
