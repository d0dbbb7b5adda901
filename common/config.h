/*
 * config.h: the daemon's configuration, read from an INI-style file with
 * inih ("key = value" lines, '#' or ';' comments, no sections needed).
 * etc/ftpd.conf documents every key with its default; ftpd.conf(5) too.
 * Relative paths in the file are taken relative to the file's folder.
 */
#ifndef FTPD_CONFIG_H
#define FTPD_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_LISTEN_MAX 4

struct config {
	char file[PATH_MAX]; /* the file read, "" for built-in defaults */
	char listen[CONFIG_LISTEN_MAX]
		   [128]; /* "127.0.0.1:2121", "[::1]:2121" */
	int  nlisten;
	char root[PATH_MAX];	   /* served root */
	char key_file[PATH_MAX];   /* shared secret (keyfile.h) */
	char host_key[PATH_MAX];   /* Ed25519 host key seed (hostkey.h) */
	char users_file[PATH_MAX]; /* accounts (users.h) */
	char pidfile[PATH_MAX];
	char log_file[PATH_MAX]; /* ftpd.log */
	char xferlog[PATH_MAX];
	char user[64];	      /* run as this user when started as root */
	int  workers;	      /* preforked at start, default 4 */
	int  max_workers;     /* default 32 */
	int  max_sessions;    /* per worker before it is replaced, 100 */
	int  max_per_ip;      /* concurrent sessions per peer IP, 0 = off */
	int  max_startups[3]; /* start:rate:full unauthenticated, 10:30:100 */
	int  max_startups_per_ip; /* unauthenticated per address, 10; 0 off */
	int  penalty_authfail;	  /* seconds added per failed auth, 5 */
	int  penalty_noauth;	  /* ... per close before auth, 1 */
	int  penalty_grace;	  /* ... per login_grace run out, 10 */
	int  penalty_min;	  /* refused once the penalty exceeds, 15 */
	int  penalty_max;	  /* longest penalty, 600; 0: no penalties */
	int  queue_len;		  /* connections held when all busy, 16 */
	int  queue_wait_ms;	  /* how long one may wait there, 2000 */
	int  shutdown_timeout;	  /* seconds, 30 */
	int  login_grace;	  /* seconds to finish handshake+auth, 10 */
	int  idle_timeout;	  /* seconds without a request, 300 */
	int  stall_timeout;	  /* seconds without a byte mid-transfer, 60 */
	int  frame_timeout;	  /* seconds for a whole request, 30 */
	uint64_t min_rate;	  /* transfer bytes/s, 1K, 0 = none */
	int	 min_rate_window; /* seconds min_rate spans, 60 */
	uint64_t cpu_seconds;	  /* RLIMIT_CPU budget per session, 600 */
	uint64_t memory_limit;	  /* RLIMIT_AS bytes, 256 MiB, 0 = none */
	uint64_t open_files;	  /* RLIMIT_NOFILE, 64 */
	uint64_t file_size_limit; /* RLIMIT_FSIZE bytes, 0 = none */
	uint64_t max_file_size;	  /* largest accepted put, 0 = none */
	int	 overwrite;	  /* put may replace an existing file, yes */
	int	 partial_ttl;	  /* seconds a broken upload is kept, 86400 */
	unsigned digests;	  /* digest algorithms offered, mask */
	int	 debug;		  /* log_debug lines, no */
	int	 anonymous;	  /* the upload-only drop box, no */
	char	 anonymous_dir[256]; /* its folder beneath root, "incoming" */
	uint64_t pwhash_ops;	     /* argon2id passes of new hashes, 2 */
	uint64_t pwhash_mem;	     /* argon2id memory of new hashes, 64 MiB */
};

/*
 * The address space a worker needs besides an argon2id verify: an idle
 * worker maps about 6 MiB (VmSize), a session adds its frame buffers (1
 * MiB each way), the 1 MiB transfer buffer and a list part; 64 MiB leaves
 * room for all that several times over.  memory_limit (RLIMIT_AS) must be
 * at least this plus pwhash_mem, the memory argon2id allocates at once
 * (config_load refuses less): 256 MiB by default against 64 + 64 MiB.
 */
#define CONFIG_WORKER_BASE_MEM (64ULL << 20)

/*
 * config_defaults: fill c with the defaults.  base, when not NULL, is a
 * folder holding everything (base/ftpd.conf, base/files, base/secret.key,
 * base/ftpd.pid, base/ftpd.log, base/xferlog, base/host.key, base/users).  With base NULL: as root the
 * system locations (/etc/ftpd/ftpd.conf, /srv/ftpd, /etc/ftpd/secret.key,
 * /run/ftpd/ftpd.pid, /var/log/ftpd/), otherwise the XDG ones
 * ($XDG_CONFIG_HOME/ftpd/, $XDG_DATA_HOME/ftpd/files,
 * $XDG_STATE_HOME/ftpd/ for pidfile and logs).  Listen default
 * 127.0.0.1:2121.  Returns 0, or -1 if a path does not fit.
 */
__attribute__((warn_unused_result)) int config_defaults(struct config *c,
    const char							      *base);

/*
 * config_load: read path over the values already in c.  Unknown keys,
 * bad values and a missing file are errors.  Returns 0, or -1 with
 * "FILE:LINE: reason" in err (errlen bytes).
 */
__attribute__((warn_unused_result)) int config_load(struct config *c,
    const char *path, char *err, size_t errlen);

/*
 * config_default_file: the config file used without -c: base/ftpd.conf,
 * /etc/ftpd/ftpd.conf as root, else $XDG_CONFIG_HOME/ftpd/ftpd.conf.
 * Returns 0 or -1 (does not fit).
 */
int config_default_file(const char *base, char *out, size_t outlen);

/*
 * config_parse_size: "512", "64K", "100M", "1G" (powers of 1024) into
 * *out bytes.  Returns 0 or -1.
 */
int config_parse_size(const char *s, uint64_t *out);

/*
 * config_parse_startups: sshd's MaxStartups form, "START:RATE:FULL" (RATE
 * a percentage 1-100, 1 <= START <= FULL) or "N" (N:100:N), into out[0..2].
 * Returns 0, or -1 (out unchanged).
 */
int config_parse_startups(const char *s, int out[3]);

/*
 * config_split_hostport: "127.0.0.1:2121", "[::1]:2121" or "host:port" into
 * host (hostlen bytes) and port (portlen bytes).  Returns 0 or -1.
 */
int config_split_hostport(const char *s, char *host, size_t hostlen, char *port,
    size_t portlen);

/*
 * config_join: dst = a "/" b (no second '/' when a ends with one); dst has
 * len bytes.  Returns 0, or -1 when it does not fit.
 */
__attribute__((warn_unused_result)) int config_join(char *dst, size_t len,
    const char *a, const char *b);

/*
 * config_absolute: dst = path, with the current folder prepended when path
 * is relative (not resolved: "." and ".." stay).  dst has len bytes.
 * Returns 0, or -1 when it does not fit or getcwd fails (errno set).
 */
__attribute__((warn_unused_result)) int config_absolute(char *dst, size_t len,
    const char *path);

#endif
