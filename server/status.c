/*
 * status.c: the answers to the control socket's "status" (text) and
 * "status json" requests, built from the master's own figures, the
 * listening sockets and the pool's rows.  What a worker reported (user,
 * operation, path) is untrusted text: the text form escapes it with
 * strnvis(3), the JSON form with json_str.  This file must not change any
 * state, block, or print a worker's bytes unescaped.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bsd/libutil.h>
#include <bsd/string.h>
#define LIBBSD_OPENBSD_VIS /* strnvis(dst, src, dstsize, flag) */
#include <bsd/vis.h>

#include "common/clock.h"
#include "common/json.h"
#include "server/listen.h"
#include "server/pool.h"
#include "server/source.h"
#include "server/status.h"

#define VIS_FLAGS (VIS_WHITE | VIS_CSTYLE)
#define HUMAN_LEN 5 /* "1.2M" and its NUL */
#define ROW_FMT	  "%-7ld %3u %-7s %-21s %-7s %-5s %-13s %-9s %-25s %s\n"
#define HEAD_FMT  "%-7s %3s %-7s %-21s %-7s %-5s %-13s %-9s %-25s %s\n"

/* "2026-11-22T06:09:02+00:00" (the log's form) for wall-clock ms, or "-". */
static void
iso_time(char *buf, size_t size, int64_t ms)
{
	if (ms <= 0 || clock_iso8601(buf, size, (time_t)(ms / 1000)) != 0)
		(void)strlcpy(buf, "-", size);
}

/* "2d03h04m05s", "1h02m05s", "4m05s" or "5s". */
static void
duration(char *buf, size_t size, int64_t s)
{
	long long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;
	long long sec = s % 60;

	if (d > 0)
		snprintf(buf, size, "%lldd%02lldh%02lldm%02llds", d, h, m, sec);
	else if (h > 0)
		snprintf(buf, size, "%lldh%02lldm%02llds", h, m, sec);
	else if (m > 0)
		snprintf(buf, size, "%lldm%02llds", m, sec);
	else
		snprintf(buf, size, "%llds", sec);
}

/* Bytes per second over the operation: put and get only, else 0. */
static uint64_t
rate(const struct pool_row *r, int64_t now_ms)
{
	int64_t ms = now_ms - r->st.op_start_ms;

	if (r->st.op_start_ms <= 0 ||
	    (strcmp(r->st.op, "put") != 0 && strcmp(r->st.op, "get") != 0))
		return 0;
	if (ms < 1)
		ms = 1;
	return r->st.done / (uint64_t)ms * 1000 +
	    r->st.done % (uint64_t)ms * 1000 / (uint64_t)ms;
}

/*
 * "1.2M" for n bytes: humanize_number(3) with the 5 bytes ls -h uses, so
 * that it scales (powers of 1024); size must be >= HUMAN_LEN.
 */
static void
human(char *buf, size_t size, uint64_t n)
{
	if (size < HUMAN_LEN || n > INT64_MAX ||
	    humanize_number(buf, HUMAN_LEN, (int64_t)n, "", HN_AUTOSCALE,
		HN_B | HN_NOSPACE | HN_DECIMAL) == -1)
		snprintf(buf, size, "%llu", (unsigned long long)n);
}

/* The BYTES ("12M/300M") and RATE ("52M/s") columns, "-" without an op. */
static void
text_bytes(const struct pool_row *r, int64_t now, char *bytes, char *per,
    size_t size)
{
	char	 done[16], total[16];
	uint64_t bps = rate(r, now);

	(void)strlcpy(bytes, "-", size);
	(void)strlcpy(per, "-", size);
	if (r->st.op[0] == '\0')
		return;
	human(done, sizeof(done), r->st.done);
	human(total, sizeof(total), r->st.total);
	snprintf(bytes, size, "%s%s%s", done, r->st.total > 0 ? "/" : "",
	    r->st.total > 0 ? total : "");
	if (bps > 0) {
		human(done, sizeof(done), bps);
		snprintf(per, size, "%s/s", done);
	}
}

static void
text_row(FILE *fp, const struct pool_row *r, int64_t now)
{
	char op[sizeof(r->st.op) * 4], path[sizeof(r->st.path) * 4];
	char user[sizeof(r->st.user) * 4], peer[96], since[40];
	char bytes[40], per[40];

	(void)strnvis(op, r->st.op[0] ? r->st.op : "-", sizeof(op), VIS_FLAGS);
	(void)strnvis(path, r->st.path[0] ? r->st.path : "-", sizeof(path),
	    VIS_FLAGS);
	(void)strnvis(user, r->st.user[0] ? r->st.user : "-", sizeof(user),
	    VIS_FLAGS);
	if (r->peer[0] == '\0')
		(void)strlcpy(peer, "-", sizeof(peer));
	else
		snprintf(peer, sizeof(peer),
		    strchr(r->peer, ':') != NULL ? "[%s]:%u" : "%s:%u", r->peer,
		    r->port);
	iso_time(since, sizeof(since), r->since_ms);
	text_bytes(r, now, bytes, per, sizeof(bytes));
	fprintf(fp, ROW_FMT, r->pid, r->generation, r->state, peer, user, op,
	    bytes, per, since, path);
}

/* One line per address penalised or refused lately (source.c). */
static void
text_sources(FILE *fp)
{
	struct source_row r;
	int64_t		  now = clock_mono_ms();
	int		  i;

	for (i = 0; source_row(i, now, &r) == 0; i++)
		fprintf(fp,
		    "source %s: penalty %d s%s, %u failed, %u closed, %u "
		    "timed out before authentication, %llu refused\n",
		    r.peer, r.penalty_s, r.refusing ? " (refused)" : "",
		    r.fails, r.noauth, r.graces, (unsigned long long)r.refused);
}

void
status_text(FILE *fp, const struct status_head *h)
{
	struct pool_row r;
	const char     *a;
	char		up[32], started[40];
	int		i, busy, idle, exiting;
	int64_t		now = clock_wall_ms();

	duration(up, sizeof(up), h->uptime_s);
	iso_time(started, sizeof(started), h->started_ms);
	if (h->stopping)
		fputs("stopping: the workers finish their sessions\n", fp);
	fprintf(fp, "uptime %s (started %s)\n", up, started);
	fprintf(fp, "config %s\n",
	    h->config[0] != '\0' ? h->config : "(built-in defaults)");
	fprintf(fp, "generation %u\n", h->generation);
	for (i = 0; (a = listen_shown(i)) != NULL; i++)
		fprintf(fp, "listen %s\n", a);
	fprintf(fp, "host key %s\n", h->hostkey[0] ? h->hostkey : "none");
	fprintf(fp, "accounts %d\n", h->accounts);
	pool_counts(&busy, &idle, &exiting);
	if (!h->stopping && h->ready == 0)
		fputs("degraded: no worker is ready to serve\n", fp);
	fprintf(fp, "workers: %d (%d busy, %d idle)\n", pool_size(), busy,
	    idle);
	text_sources(fp);
	fprintf(fp, HEAD_FMT, "PID", "GEN", "STATE", "PEER", "USER", "OP",
	    "BYTES", "RATE", "SINCE", "PATH");
	for (i = 0; pool_row(i, &r) == 0; i++)
		text_row(fp, &r, now);
}

/* ,"key":"value" or ,"key":null when v is "". */
static void
json_field(FILE *fp, const char *key, const char *v)
{
	fprintf(fp, ",\"%s\":", key);
	(void)json_cstr(fp, v[0] != '\0' ? v : NULL);
}

static void
json_row(FILE *fp, const struct pool_row *r, int64_t now)
{
	char since[40];

	iso_time(since, sizeof(since), r->since_ms);
	fprintf(fp, "{\"pid\":%ld,\"generation\":%u,\"state\":\"%s\"", r->pid,
	    r->generation, r->state);
	fprintf(fp, ",\"sessions\":%d", r->sessions);
	json_field(fp, "peer", r->peer);
	if (r->peer[0] != '\0')
		fprintf(fp, ",\"port\":%u", r->port);
	else
		fputs(",\"port\":null", fp);
	json_field(fp, "user", r->st.user);
	json_field(fp, "op", r->st.op);
	json_field(fp, "path", r->st.path);
	fprintf(fp, ",\"bytes\":%llu,\"total\":%llu,\"rate\":%llu",
	    (unsigned long long)r->st.done, (unsigned long long)r->st.total,
	    (unsigned long long)rate(r, now));
	fprintf(fp, ",\"since\":\"%s\",\"since_ms\":%lld}", since,
	    (long long)r->since_ms);
}

static void
json_head(FILE *fp, const struct status_head *h)
{
	char	    started[40];
	const char *a;
	int	    i;

	iso_time(started, sizeof(started), h->started_ms);
	fprintf(fp, "{\"running\":true,\"pid\":%ld,\"stopping\":%s", h->pid,
	    h->stopping ? "true" : "false");
	fprintf(fp, ",\"started\":\"%s\",\"uptime\":%lld", started,
	    (long long)h->uptime_s);
	json_field(fp, "config", h->config);
	fprintf(fp, ",\"generation\":%u,\"listen\":[", h->generation);
	for (i = 0; (a = listen_shown(i)) != NULL; i++) {
		fputs(i > 0 ? "," : "", fp);
		(void)json_cstr(fp, a);
	}
	fputs("]", fp);
	json_field(fp, "host_key", h->hostkey);
	fprintf(fp, ",\"accounts\":%d", h->accounts);
}

static void
json_sources(FILE *fp)
{
	struct source_row r;
	int64_t		  now = clock_mono_ms();
	int		  i;

	fputs(",\"sources\":[", fp);
	for (i = 0; source_row(i, now, &r) == 0; i++) {
		fputs(i > 0 ? "," : "", fp);
		fputs("{\"peer\":", fp);
		(void)json_cstr(fp, r.peer);
		fprintf(fp,
		    ",\"penalty\":%d,\"refusing\":%s,\"failed\":%u,"
		    "\"noauth\":%u,\"grace\":%u,\"refused\":%llu}",
		    r.penalty_s, r.refusing ? "true" : "false", r.fails,
		    r.noauth, r.graces, (unsigned long long)r.refused);
	}
	fputs("]", fp);
}

void
status_json(FILE *fp, const struct status_head *h)
{
	struct pool_row r;
	int		i, busy, idle, exiting;
	int64_t		now = clock_wall_ms();

	json_head(fp, h);
	pool_counts(&busy, &idle, &exiting);
	fprintf(fp, ",\"busy\":%d,\"idle\":%d,\"exiting\":%d", busy, idle,
	    exiting);
	fprintf(fp, ",\"ready\":%d,\"degraded\":%s", h->ready,
	    !h->stopping && h->ready == 0 ? "true" : "false");
	json_sources(fp);
	fputs(",\"workers\":[", fp);
	for (i = 0; pool_row(i, &r) == 0; i++) {
		fputs(i > 0 ? "," : "", fp);
		json_row(fp, &r, now);
	}
	fputs("]}\n", fp);
}
