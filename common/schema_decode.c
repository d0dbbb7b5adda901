/*
 * schema_decode.c: the one decoder of protocol v1 messages, driven by the
 * table in schema_table.c.  It proves the bytes with msg_check (no length
 * is trusted before it is backed by bytes), lets msgpack-c unpack them
 * into a short-lived zone, then copies each field the table names into the
 * typed struct, checking type and limits.  str and bin values are not
 * copied: they point into the caller's bytes (msgpack-c unpacks them by
 * reference).  This file must not know what a message means, must not log
 * peer data and must not allocate more than the bytes it was given justify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "common/error.h"
#include "common/msg.h"
#include "common/schema.h"
#include "common/schema_table.h"

#define ZONE_CHUNK 2048 /* msgpack zone chunk while decoding */

static int dec_map(enum schema_kind kind, const msgpack_object *map, void *m,
    char *why);

/* Fill why with "<message>: <what> '<key>'"; returns -code. */
static int
dec_fail(char *why, int code, enum schema_kind kind, const char *what,
    const char *key)
{
	if (why != NULL)
		(void)snprintf(why, SCHEMA_WHY_LEN, "%s: %s '%s'",
		    schema_defs[kind].name, what, key);
	return -code;
}

/* The value of key in map (keys that are not str are skipped), or NULL. */
static const msgpack_object *
map_get(const msgpack_object *map, const char *key)
{
	const msgpack_object_kv *kv;
	size_t			 klen = strlen(key);
	uint32_t		 i;

	for (i = 0; i < map->via.map.size; i++) {
		kv = &map->via.map.ptr[i];
		if (kv->key.type == MSGPACK_OBJECT_STR &&
		    kv->key.via.str.size == klen &&
		    memcmp(kv->key.via.str.ptr, key, klen) == 0)
			return &kv->val; /* the first one counts */
	}
	return NULL;
}

/* An array of maps of kind f->sub: allocate, then decode each. */
static int
dec_array(enum schema_kind kind, const struct schema_field *f,
    const msgpack_object *o, void *m, char *why)
{
	const struct schema_def *sd = &schema_defs[f->sub];
	uint32_t		 n = o->via.array.size, i;
	char			*a;
	int			 r;

	if (n > f->hi)
		return dec_fail(why, ERR_PROTOCOL, kind, "too many in", f->key);
	if (n == 0)
		return 0;
	/* SECURITY: n <= f->hi and msg_check proved n objects exist. */
	if ((a = calloc(n, sd->size)) == NULL)
		return -ERR_NOMEM;
	*SCHEMA_AT(char **, m, f->off) = a;
	*SCHEMA_AT(size_t *, m, f->count_off) = n;
	for (i = 0; i < n; i++) {
		if (o->via.array.ptr[i].type != MSGPACK_OBJECT_MAP)
			return dec_fail(why, ERR_PROTOCOL, kind,
			    "wrong type in", f->key);
		if ((r = dec_map(f->sub, &o->via.array.ptr[i], a + i * sd->size,
			 why)) != 0)
			return r;
	}
	return 0;
}

/* An array of short strings into the struct schema_strs of field f. */
static int
dec_strs(enum schema_kind kind, const struct schema_field *f,
    const msgpack_object *o, void *m, char *why)
{
	struct schema_strs   *l = SCHEMA_AT(struct schema_strs *, m, f->off);
	const msgpack_object *e;
	uint32_t	      i;

	if (o->via.array.size < (uint64_t)f->lo || o->via.array.size > f->hi)
		return dec_fail(why, ERR_PROTOCOL, kind, "wrong count in",
		    f->key);
	for (i = 0; i < o->via.array.size; i++) {
		e = &o->via.array.ptr[i];
		if (e->type != MSGPACK_OBJECT_STR || e->via.str.size == 0 ||
		    e->via.str.size > SCHEMA_NAME_MAX)
			return dec_fail(why, ERR_PROTOCOL, kind,
			    "bad string in", f->key);
		l->v[i].p = e->via.str.ptr;
		l->v[i].len = e->via.str.size;
	}
	l->n = o->via.array.size;
	return 0;
}

/* str or bin o into field f of m, length checked. */
static int
dec_raw(enum schema_kind kind, const struct schema_field *f,
    const msgpack_object *o, void *m, char *why)
{
	uint32_t len;

	if (f->type == FT_STR && o->type != MSGPACK_OBJECT_STR)
		return dec_fail(why, ERR_PROTOCOL, kind, "wrong type of",
		    f->key);
	if (f->type == FT_BIN && o->type != MSGPACK_OBJECT_BIN)
		return dec_fail(why, ERR_PROTOCOL, kind, "wrong type of",
		    f->key);
	len = f->type == FT_STR ? o->via.str.size : o->via.bin.size;
	if (len > f->hi)
		return dec_fail(why, f->toolong ? f->toolong : ERR_PROTOCOL,
		    kind, "too long", f->key);
	if (len < (uint64_t)f->lo)
		return dec_fail(why, ERR_PROTOCOL, kind, "too short", f->key);
	if (f->type == FT_STR) {
		SCHEMA_AT(struct schema_str *, m, f->off)->p = o->via.str.ptr;
		SCHEMA_AT(struct schema_str *, m, f->off)->len = len;
	} else {
		SCHEMA_AT(struct schema_bin *, m, f->off)->p =
		    (const uint8_t *)o->via.bin.ptr;
		SCHEMA_AT(struct schema_bin *, m, f->off)->len = len;
	}
	return 0;
}

/* A positive or negative int o as int64_t; -1 if it does not fit. */
static int
dec_int64(const msgpack_object *o, int64_t *v)
{
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*v = o->via.i64;
		return 0;
	}
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    o->via.u64 > (uint64_t)INT64_MAX)
		return -1;
	*v = (int64_t)o->via.u64;
	return 0;
}

/* The value o of field f into m: type, then range. */
static int
dec_value(enum schema_kind kind, const struct schema_field *f,
    const msgpack_object *o, void *m, char *why)
{
	int64_t i;

	switch (f->type) {
	case FT_STR:
	case FT_BIN:
		return dec_raw(kind, f, o, m, why);
	case FT_UINT:
		if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
			break;
		if (o->via.u64 < (uint64_t)f->lo || o->via.u64 > f->hi)
			return dec_fail(why, ERR_PROTOCOL, kind,
			    "out of range:", f->key);
		*SCHEMA_AT(uint64_t *, m, f->off) = o->via.u64;
		return 0;
	case FT_INT:
		if (dec_int64(o, &i) == -1)
			break;
		if (i < f->lo || i > (int64_t)f->hi)
			return dec_fail(why, ERR_PROTOCOL, kind,
			    "out of range:", f->key);
		*SCHEMA_AT(int64_t *, m, f->off) = i;
		return 0;
	case FT_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN)
			break;
		*SCHEMA_AT(int *, m, f->off) = o->via.boolean ? 1 : 0;
		return 0;
	case FT_MAP:
		if (o->type != MSGPACK_OBJECT_MAP)
			break;
		return dec_map(f->sub, o, SCHEMA_AT(char *, m, f->off), why);
	case FT_STRS:
		if (o->type != MSGPACK_OBJECT_ARRAY)
			break;
		return dec_strs(kind, f, o, m, why);
	default:
		if (o->type != MSGPACK_OBJECT_ARRAY)
			break;
		return dec_array(kind, f, o, m, why);
	}
	return dec_fail(why, ERR_PROTOCOL, kind, "wrong type of", f->key);
}

/* A missing optional field: its default, has flag left 0. */
static void
dec_default(const struct schema_field *f, void *m)
{
	if (f->type == FT_UINT)
		*SCHEMA_AT(uint64_t *, m, f->off) = (uint64_t)f->def;
	else if (f->type == FT_INT)
		*SCHEMA_AT(int64_t *, m, f->off) = f->def;
	else if (f->type == FT_BOOL)
		*SCHEMA_AT(int *, m, f->off) = (int)f->def;
}

/* Every field of kind from map into m (already cleared). */
static int
dec_map(enum schema_kind kind, const msgpack_object *map, void *m, char *why)
{
	const struct schema_def	  *d = &schema_defs[kind];
	const struct schema_field *f;
	const msgpack_object	  *o;
	size_t			   i;
	int			   r;

	for (i = 0; i < d->nfields; i++) {
		f = &d->fields[i];
		if ((o = map_get(map, f->key)) == NULL) {
			if (f->required)
				return dec_fail(why, ERR_PROTOCOL, kind,
				    "missing field", f->key);
			dec_default(f, m);
			continue;
		}
		if (!f->required)
			*SCHEMA_AT(uint8_t *, m, f->has_off) = 1;
		if ((r = dec_value(kind, f, o, m, why)) != 0)
			return r;
	}
	return 0;
}

/*
 * Prove and unpack p[0..len) into *top (a map) using zone z (the caller
 * destroys it).  str and bin objects point into p.
 */
static int
dec_top(const uint8_t *p, size_t len, msgpack_zone *z, msgpack_object *top,
    char *why)
{
	size_t off = 0;

	if (why != NULL)
		(void)snprintf(why, SCHEMA_WHY_LEN, "not a msgpack map");
	/* SECURITY: msg_check bounds every length before msgpack-c runs. */
	if (p == NULL || msg_check(p, len) != 0)
		return -ERR_PROTOCOL;
	if (msgpack_unpack((const char *)p, len, &off, z, top) !=
		MSGPACK_UNPACK_SUCCESS ||
	    off != len)
		return -ERR_PROTOCOL;
	if (top->type != MSGPACK_OBJECT_MAP)
		return -ERR_PROTOCOL;
	if (why != NULL)
		why[0] = '\0';
	return 0;
}

/* Check "op" or "ok" of kind, then decode its fields. */
static int
dec_kind(enum schema_kind kind, const msgpack_object *top, void *m, char *why)
{
	const struct schema_def *d = &schema_defs[kind];
	const msgpack_object	*o;
	struct schema_str	 op;

	if (kind < SCHEMA_OP_COUNT) {
		o = map_get(top, "op");
		if (o == NULL || o->type != MSGPACK_OBJECT_STR)
			return dec_fail(why, ERR_PROTOCOL, kind,
			    "missing field", "op");
		op.p = o->via.str.ptr;
		op.len = o->via.str.size;
		if (!schema_str_is(op, d->name))
			return dec_fail(why, ERR_PROTOCOL, kind, "wrong value",
			    "op");
		((struct schema_req *)m)->op = kind;
	} else if (d->reply) {
		o = map_get(top, "ok");
		if (o == NULL || o->type != MSGPACK_OBJECT_BOOLEAN ||
		    o->via.boolean != (d->ok != 0))
			return dec_fail(why, ERR_PROTOCOL, kind,
			    "missing or wrong", "ok");
		((struct schema_reply *)m)->ok = d->ok;
	}
	return dec_map(kind, top, m, why);
}

int
schema_decode(enum schema_kind kind, const uint8_t *p, size_t len, void *msg,
    char *why)
{
	msgpack_zone   z;
	msgpack_object top;
	int	       r;

	if (kind < 0 || kind >= SCHEMA_KIND_COUNT || msg == NULL)
		return -ERR_INTERNAL;
	memset(msg, 0, schema_defs[kind].size);
	if (!msgpack_zone_init(&z, ZONE_CHUNK))
		return -ERR_NOMEM;
	if ((r = dec_top(p, len, &z, &top, why)) == 0)
		r = dec_kind(kind, &top, msg, why);
	msgpack_zone_destroy(&z);
	return r;
}

int
schema_request_decode(const uint8_t *p, size_t len, struct schema_req *req,
    char *why)
{
	msgpack_zone	      z;
	msgpack_object	      top;
	const msgpack_object *o;
	struct schema_str     op;
	int		      r, k;

	memset(req, 0, sizeof(*req));
	req->op = SCHEMA_OP_COUNT; /* no op known yet */
	if (!msgpack_zone_init(&z, ZONE_CHUNK))
		return -ERR_NOMEM;
	if ((r = dec_top(p, len, &z, &top, why)) != 0)
		goto out;
	o = map_get(&top, "op");
	if (o == NULL || o->type != MSGPACK_OBJECT_STR) {
		r = dec_fail(why, ERR_PROTOCOL, SCHEMA_BYE, "missing field",
		    "op");
		if (why != NULL)
			(void)snprintf(why, SCHEMA_WHY_LEN,
			    "request without a str 'op'");
		goto out;
	}
	op.p = o->via.str.ptr;
	op.len = o->via.str.size;
	for (k = 0; k < SCHEMA_OP_COUNT; k++)
		if (schema_str_is(op, schema_defs[k].name))
			break;
	if (k == SCHEMA_OP_COUNT) {
		if (why != NULL)
			(void)snprintf(why, SCHEMA_WHY_LEN, "unknown op");
		r = -ERR_UNKNOWN_OP;
		goto out;
	}
	r = dec_kind((enum schema_kind)k, &top, req, why);
out:
	msgpack_zone_destroy(&z);
	return r;
}

int
schema_reply_decode(enum schema_kind kind, const uint8_t *p, size_t len,
    struct schema_reply *rep, char *why)
{
	msgpack_zone	      z;
	msgpack_object	      top;
	const msgpack_object *o;
	int		      r;

	memset(rep, 0, sizeof(*rep));
	if (kind < SCHEMA_OP_COUNT || kind >= SCHEMA_HELLO)
		return -ERR_INTERNAL;
	if (!msgpack_zone_init(&z, ZONE_CHUNK))
		return -ERR_NOMEM;
	if ((r = dec_top(p, len, &z, &top, why)) != 0)
		goto out;
	o = map_get(&top, "ok");
	if (o == NULL || o->type != MSGPACK_OBJECT_BOOLEAN) {
		r = dec_fail(why, ERR_PROTOCOL, kind, "missing field", "ok");
		goto out;
	}
	r = dec_kind(o->via.boolean ? kind : SCHEMA_R_ERROR, &top, rep, why);
out:
	msgpack_zone_destroy(&z);
	return r;
}

void
schema_reply_free(struct schema_reply *rep)
{
	free(rep->entries);
	rep->entries = NULL;
	rep->nentries = 0;
}
