/*
 * creds.c: what the master reads besides the config before workers start,
 * at start and on every reload: the shared secret, the host key (optional:
 * without host.key the daemon serves the shared-secret method only) and
 * the users file, plus the dummy hash unknown names are verified against.
 * Workers inherit all of it through fork memory; nothing here reaches them
 * any other way.  It must not log key material, and must leave nothing
 * behind on failure: what it read is wiped.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/error.h"
#include "common/keyfile.h"
#include "server/master.h"

void
master_creds_free(struct users_creds *c)
{
	users_free(&c->users);
	sodium_memzero(c, sizeof(*c));
}

void
master_creds_move(struct users_creds *dst, struct users_creds *src)
{
	master_creds_free(dst);
	*dst = *src;
	sodium_memzero(src, sizeof(*src));
}

/* Every hash must be verifiable within the worker's memory limit. */
static int
check_hashes(const struct config *cfg, const struct users *u, char *err,
    size_t errlen)
{
	uint64_t mem, room;
	size_t	 i;

	if (cfg->memory_limit == 0)
		return 0;
	room = cfg->memory_limit - CONFIG_WORKER_BASE_MEM;
	for (i = 0; i < u->n; i++)
		if (u->u[i].hash[0] != '\0' &&
		    users_hash_mem(u->u[i].hash, &mem) == 0 && mem > room) {
			snprintf(err, errlen,
			    "%s: the password hash of %s needs %lluM, more "
			    "than memory_limit leaves (%lluM): raise "
			    "memory_limit or run 'ftpd user passwd %s'",
			    cfg->users_file, u->u[i].name,
			    (unsigned long long)(mem >> 20),
			    (unsigned long long)(room >> 20), u->u[i].name);
			return -1;
		}
	return 0;
}

/* The host key, when its file exists. */
static int
load_hostkey(const struct config *cfg, struct users_creds *c, char *err,
    size_t errlen)
{
	struct stat st;

	if (stat(cfg->host_key, &st) == -1 && errno == ENOENT)
		return 0;
	if (hostkey_load(cfg->host_key, &c->hostkey, err, errlen) != 0)
		return -1;
	c->has_hostkey = 1;
	return 0;
}

int
master_creds_load(const struct config *cfg, struct users_creds *c, char *err,
    size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (keyfile_read(cfg->key_file, c->secret, err, errlen) == -1)
		goto fail;
	if (load_hostkey(cfg, c, err, errlen) == -1)
		goto fail;
	if (users_load(cfg->users_file, &c->users, err, errlen) != 0 ||
	    check_hashes(cfg, &c->users, err, errlen) == -1)
		goto fail;
	if (users_dummy_hash(c->dummy_hash, sizeof(c->dummy_hash),
		cfg->pwhash_ops, cfg->pwhash_mem) != 0) {
		snprintf(err, errlen, "pwhash_ops or pwhash_mem out of range");
		goto fail;
	}
	return 0;
fail:
	master_creds_free(c);
	return -1;
}

const char *
master_creds_fp(const struct users_creds *c, char *out, size_t outlen,
    const char *none)
{
	if (!c->has_hostkey)
		return none;
	hostkey_fingerprint(c->hostkey.pk, out, outlen);
	return out;
}
