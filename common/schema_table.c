/*
 * schema_table.c: every message of protocol v1, one row each, fields in
 * wire order (doc/PROTOCOL.md sections 2 and 4 describe the same table in
 * words; change both together).  This file holds data only.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/schema_table.h"

#define U63 ((uint64_t)INT64_MAX)

/* A required field of struct st, member m. */
#define REQ(key, ft, st, m, lo, hi)                                            \
	{                                                                      \
		key, ft, 1, 0, 0, offsetof(st, m), 0, 0, lo, hi, 0             \
	}
/* An optional field with its has flag and default. */
#define OPT(key, ft, st, m, lo, hi, def)                                       \
	{                                                                      \
		key, ft, 0, 0, 0, offsetof(st, m), offsetof(st, has.m), 0, lo, \
		    hi, def                                                    \
	}
/* A path: too long is ERR_NAME_TOO_LONG; the rest is fsops_check_path's. */
#define PATH(key, m)                                                           \
	{                                                                      \
		key, FT_STR, 1, ERR_NAME_TOO_LONG, 0,                          \
		    offsetof(struct schema_req, m), 0, 0, 0, SCHEMA_PATH_MAX,  \
		    0                                                          \
	}

#define RQ struct schema_req
#define RP struct schema_reply

static const struct schema_field f_auth[] = {
	REQ("method", FT_STR, RQ, method, 1, 32),
	OPT("user", FT_STR, RQ, user, 1, 32, 0),
	OPT("password", FT_STR, RQ, password, 0, 1024, 0),
	OPT("pk", FT_BIN, RQ, pk, 32, 32, 0),
	OPT("sig", FT_BIN, RQ, sig, 64, 64, 0),
};
static const struct schema_field f_hostsig[] = {
	REQ("sig", FT_BIN, RQ, sig, 64, 64),
};
static const struct schema_field f_path[] = {
	PATH("path", path),
};
#define ALG(st) OPT("alg", FT_STR, st, alg, 1, SCHEMA_NAME_MAX, 0)
#define DIGEST(st)                                                             \
	OPT("digest", FT_BIN, st, digest, SCHEMA_DIGEST_MIN, SCHEMA_HASH_LEN, 0)
static const struct schema_field f_stat[] = {
	PATH("path", path),
	ALG(RQ),
};
static const struct schema_field f_mkdir[] = {
	PATH("path", path),
	OPT("mode", FT_UINT, RQ, mode, 0, 07777, 0755),
};
static const struct schema_field f_rename[] = {
	PATH("from", from),
	PATH("to", to),
	OPT("overwrite", FT_BOOL, RQ, overwrite, 0, 1, 0),
};
static const struct schema_field f_put[] = {
	PATH("path", path),
	REQ("size", FT_UINT, RQ, size, 0, U63),
	REQ("mode", FT_UINT, RQ, mode, 0, 07777),
	REQ("mtime", FT_INT, RQ, mtime, INT64_MIN, U63),
	OPT("overwrite", FT_BOOL, RQ, overwrite, 0, 1, 1),
	ALG(RQ),
	OPT("resume", FT_BOOL, RQ, resume, 0, 1, 0),
};
static const struct schema_field f_get[] = {
	PATH("path", path),
	OPT("offset", FT_UINT, RQ, offset, 0, U63, 0),
	ALG(RQ),
};
static const struct schema_field f_done[] = {
	REQ("digest", FT_BIN, RQ, digest, SCHEMA_DIGEST_MIN, SCHEMA_HASH_LEN),
};

static const struct schema_field f_error[] = {
	REQ("code", FT_INT, RP, code, 1, 1000),
	REQ("err", FT_STR, RP, err, 0, 64),
	REQ("msg", FT_STR, RP, msg, 0, SCHEMA_MSG_MAX),
};
static const struct schema_field f_r_auth[] = {
	OPT("server", FT_STR, RP, server, 0, 64, 0),
	OPT("user", FT_STR, RP, user, 1, 32, 0),
};
static const struct schema_field f_r_stat[] = {
	REQ("type", FT_STR, RP, type, 1, 16),
	REQ("size", FT_UINT, RP, size, 0, U63),
	REQ("mode", FT_UINT, RP, mode, 0, 07777),
	REQ("mtime", FT_INT, RP, mtime, INT64_MIN, U63),
	ALG(RP),
	DIGEST(RP),
};
static const struct schema_field f_r_list[] = {
	{ "entries", FT_ARRAY, 1, 0, SCHEMA_ENTRY, offsetof(RP, entries), 0,
	    offsetof(RP, nentries), 0, SCHEMA_ENTRY_MAX, 0 },
	REQ("more", FT_BOOL, RP, more, 0, 1),
};
static const struct schema_field f_r_put[] = {
	REQ("offset", FT_UINT, RP, offset, 0, U63),
	ALG(RP),
	DIGEST(RP),
};
static const struct schema_field f_r_put_done[] = {
	REQ("size", FT_UINT, RP, size, 0, U63),
	ALG(RP),
	DIGEST(RP),
};
static const struct schema_field f_r_get[] = {
	REQ("size", FT_UINT, RP, size, 0, U63),
	REQ("mode", FT_UINT, RP, mode, 0, 07777),
	REQ("mtime", FT_INT, RP, mtime, INT64_MIN, U63),
	REQ("offset", FT_UINT, RP, offset, 0, U63),
	ALG(RP),
};

static const struct schema_field f_hello[] = {
	REQ("proto", FT_STR, struct schema_hello, proto, 1, 16),
	REQ("v", FT_UINT, struct schema_hello, v, 1, 255),
	REQ("pk", FT_BIN, struct schema_hello, pk, SCHEMA_HASH_LEN,
	    SCHEMA_HASH_LEN),
	OPT("suites", FT_STRS, struct schema_hello, suites, 1, SCHEMA_STRS_MAX,
	    0),
	OPT("nosecret", FT_BOOL, struct schema_hello, nosecret, 0, 1, 0),
	OPT("suite", FT_STR, struct schema_hello, suite, 1, SCHEMA_NAME_MAX, 0),
	OPT("digests", FT_STRS, struct schema_hello, digests, 1,
	    SCHEMA_STRS_MAX, 0),
	OPT("hk", FT_BIN, struct schema_hello, hk, 32, 32, 0),
	{ "lim", FT_MAP, 0, 0, SCHEMA_LIM, offsetof(struct schema_hello, lim),
	    offsetof(struct schema_hello, has.lim), 0, 0, 0, 0 },
};
#define LIM(key, m) OPT(key, FT_UINT, struct schema_lim, m, 0, U63, 0)
static const struct schema_field f_lim[] = {
	LIM("frame", frame),
	LIM("file", file),
	LIM("grace", grace),
	LIM("idle", idle),
	LIM("stall", stall),
	LIM("cpu", cpu),
	LIM("list", list),
};
#define ES struct schema_entry
static const struct schema_field f_entry[] = {
	REQ("name", FT_STR, ES, name, 1, 255),
	REQ("type", FT_STR, ES, type, 1, 16),
	REQ("size", FT_UINT, ES, size, 0, U63),
	REQ("mode", FT_UINT, ES, mode, 0, 07777),
	REQ("mtime", FT_INT, ES, mtime, INT64_MIN, U63),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ROW(name, reply, ok, st, f)                                            \
	{                                                                      \
		name, reply, ok, sizeof(st), f, N(f)                           \
	}
#define ROW0(name, reply, ok, st)                                              \
	{                                                                      \
		name, reply, ok, sizeof(st), NULL, 0                           \
	}

const struct schema_def schema_defs[SCHEMA_KIND_COUNT] = {
	[SCHEMA_AUTH] = ROW("auth", 0, 0, RQ, f_auth),
	[SCHEMA_STAT] = ROW("stat", 0, 0, RQ, f_stat),
	[SCHEMA_LIST] = ROW("list", 0, 0, RQ, f_path),
	[SCHEMA_DELETE] = ROW("delete", 0, 0, RQ, f_path),
	[SCHEMA_MKDIR] = ROW("mkdir", 0, 0, RQ, f_mkdir),
	[SCHEMA_RMDIR] = ROW("rmdir", 0, 0, RQ, f_path),
	[SCHEMA_RENAME] = ROW("rename", 0, 0, RQ, f_rename),
	[SCHEMA_PUT] = ROW("put", 0, 0, RQ, f_put),
	[SCHEMA_GET] = ROW("get", 0, 0, RQ, f_get),
	[SCHEMA_BYE] = ROW0("bye", 0, 0, RQ),
	[SCHEMA_NOOP] = ROW0("noop", 0, 0, RQ),
	[SCHEMA_DONE] = ROW("done", 0, 0, RQ, f_done),
	[SCHEMA_ABORT] = ROW0("abort", 0, 0, RQ),
	[SCHEMA_HOSTSIG] = ROW("hostsig", 0, 0, RQ, f_hostsig),
	[SCHEMA_R_OK] = ROW0("ok reply", 1, 1, RP),
	[SCHEMA_R_ERROR] = ROW("error reply", 1, 0, RP, f_error),
	[SCHEMA_R_AUTH] = ROW("auth reply", 1, 1, RP, f_r_auth),
	[SCHEMA_R_STAT] = ROW("stat reply", 1, 1, RP, f_r_stat),
	[SCHEMA_R_LIST] = ROW("list reply", 1, 1, RP, f_r_list),
	[SCHEMA_R_PUT] = ROW("put reply", 1, 1, RP, f_r_put),
	[SCHEMA_R_PUT_DONE] = ROW("put done reply", 1, 1, RP, f_r_put_done),
	[SCHEMA_R_GET] = ROW("get reply", 1, 1, RP, f_r_get),
	[SCHEMA_HELLO] = ROW("hello", 0, 0, struct schema_hello, f_hello),
	[SCHEMA_LIM] = ROW("lim", 0, 0, struct schema_lim, f_lim),
	[SCHEMA_ENTRY] = ROW("entry", 0, 0, ES, f_entry),
};
