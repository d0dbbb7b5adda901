/*
 * clock.h: the one clock module of daemon and client: monotonic and
 * wall-clock milliseconds (clock_gettime(2)) and the ISO 8601 form used by
 * ftpd.log, `ftpd status` and `ftpc stat` ("2026-11-22T05:34:26+00:00",
 * ISO 8601:2004 extended format with the local zone as +hh:mm).
 */
#ifndef FTPD_CLOCK_H
#define FTPD_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CLOCK_ISO8601_LEN 32 /* buffer size that always fits the form */

/* clock_mono_ms: CLOCK_MONOTONIC in milliseconds; never fails. */
int64_t clock_mono_ms(void);

/* clock_wall_ms: CLOCK_REALTIME in milliseconds since the epoch. */
int64_t clock_wall_ms(void);

/*
 * clock_iso8601: t (seconds since the epoch) in local time as
 * "YYYY-MM-DDTHH:MM:SS+hh:mm" into buf of size bytes (>= CLOCK_ISO8601_LEN
 * to always fit).  Returns 0, or -1 when the time cannot be converted or
 * does not fit (buf then holds "" when size > 0).
 */
__attribute__((warn_unused_result)) int clock_iso8601(char *buf, size_t size,
    time_t t);

#endif
