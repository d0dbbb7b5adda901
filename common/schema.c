/*
 * schema.c: the one encoder of protocol v1 messages, driven by the table
 * in schema_table.c (the decoder is schema_decode.c).  It packs a typed
 * struct with msgpack-c into a bounded buffer, in table order and in the
 * shortest msgpack forms, and refuses a value outside the table's limits
 * (that is a bug of the caller, never sent).  This file must not know what
 * a message means: the worker and ftpc do.
 */
#include <errno.h>
#include <string.h>

#include <msgpack.h>

#include "common/error.h"
#include "common/schema.h"
#include "common/schema_table.h"

static int enc_map(msgpack_packer *pk, enum schema_kind kind, const void *m);

const char *
schema_op_name(enum schema_kind kind)
{
	return kind < SCHEMA_OP_COUNT ? schema_defs[kind].name : NULL;
}

int
schema_str_is(struct schema_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

struct schema_str
schema_cstr(const char *s)
{
	struct schema_str r = { s, s != NULL ? strlen(s) : 0 };

	return r;
}

/* msgpack-c write callback into a struct buf; errno says why it failed. */
static int
enc_write(void *data, const char *p, size_t len)
{
	return buf_append(data, p, len) == 0 ? 0 : -1;
}

static int
enc_raw(msgpack_packer *pk, int bin, const void *p, size_t len)
{
	if (bin)
		return msgpack_pack_bin(pk, len) != 0 ||
		    (len > 0 && msgpack_pack_bin_body(pk, p, len) != 0);
	return msgpack_pack_str(pk, len) != 0 ||
	    (len > 0 && msgpack_pack_str_body(pk, p, len) != 0);
}

/* Is field f of m to be written? */
static int
enc_present(const struct schema_field *f, const void *m)
{
	return f->required || *SCHEMA_AT(const uint8_t *, m, f->has_off) != 0;
}

/* An array of structs of kind f->sub; pack errors give 1, limits -1. */
static int
enc_array(msgpack_packer *pk, const struct schema_field *f, const void *m)
{
	const char *a = *SCHEMA_AT(const char *const *, m, f->off);
	size_t	    n = *SCHEMA_AT(const size_t *, m, f->count_off), i;
	size_t	    size = schema_defs[f->sub].size;
	int	    r;

	if (n > f->hi || (n > 0 && a == NULL))
		return -1;
	if (msgpack_pack_array(pk, n) != 0)
		return 1;
	for (i = 0; i < n; i++)
		if ((r = enc_map(pk, f->sub, a + i * size)) != 0)
			return r;
	return 0;
}

/* A list of short strings: lo..hi of them, each 1..SCHEMA_NAME_MAX. */
static int
enc_strs(msgpack_packer *pk, const struct schema_field *f, const void *m)
{
	const struct schema_strs *l =
	    SCHEMA_AT(const struct schema_strs *, m, f->off);
	size_t i;

	if (l->n < (uint64_t)f->lo || l->n > f->hi)
		return -1;
	for (i = 0; i < l->n; i++)
		if (l->v[i].len == 0 || l->v[i].len > SCHEMA_NAME_MAX ||
		    l->v[i].p == NULL)
			return -1;
	if (msgpack_pack_array(pk, l->n) != 0)
		return 1;
	for (i = 0; i < l->n; i++)
		if (enc_raw(pk, 0, l->v[i].p, l->v[i].len))
			return 1;
	return 0;
}

/* The value of field f of m: 0, 1 when packing failed, -1 off limits. */
static int
enc_value(msgpack_packer *pk, const struct schema_field *f, const void *m)
{
	const struct schema_str *s;
	const struct schema_bin *b;
	uint64_t		 u;
	int64_t			 i;

	switch (f->type) {
	case FT_STR:
		s = SCHEMA_AT(const struct schema_str *, m, f->off);
		if (s->len < (uint64_t)f->lo || s->len > f->hi ||
		    (s->len > 0 && s->p == NULL))
			return -1;
		return enc_raw(pk, 0, s->p, s->len);
	case FT_BIN:
		b = SCHEMA_AT(const struct schema_bin *, m, f->off);
		if (b->len < (uint64_t)f->lo || b->len > f->hi ||
		    (b->len > 0 && b->p == NULL))
			return -1;
		return enc_raw(pk, 1, b->p, b->len);
	case FT_UINT:
		u = *SCHEMA_AT(const uint64_t *, m, f->off);
		if (u < (uint64_t)f->lo || u > f->hi)
			return -1;
		return msgpack_pack_uint64(pk, u) != 0;
	case FT_INT:
		i = *SCHEMA_AT(const int64_t *, m, f->off);
		if (i < f->lo || i > (int64_t)f->hi)
			return -1;
		return msgpack_pack_int64(pk, i) != 0;
	case FT_BOOL:
		return (*SCHEMA_AT(const int *, m, f->off)
			       ? msgpack_pack_true(pk)
			       : msgpack_pack_false(pk)) != 0;
	case FT_MAP:
		return enc_map(pk, f->sub, SCHEMA_AT(const char *, m, f->off));
	case FT_STRS:
		return enc_strs(pk, f, m);
	default:
		return enc_array(pk, f, m);
	}
}

/* One map of kind: "op" or "ok" first, then the table's fields. */
static int
enc_map(msgpack_packer *pk, enum schema_kind kind, const void *m)
{
	const struct schema_def *d = &schema_defs[kind];
	uint32_t		 n = 0;
	size_t			 i;
	int			 r;

	for (i = 0; i < d->nfields; i++)
		n += enc_present(&d->fields[i], m);
	n += kind < SCHEMA_OP_COUNT || d->reply;
	if (msgpack_pack_map(pk, n) != 0)
		return 1;
	if (kind < SCHEMA_OP_COUNT &&
	    (enc_raw(pk, 0, "op", 2) ||
		enc_raw(pk, 0, d->name, strlen(d->name))))
		return 1;
	if (d->reply &&
	    (enc_raw(pk, 0, "ok", 2) ||
		(d->ok ? msgpack_pack_true(pk) : msgpack_pack_false(pk)) != 0))
		return 1;
	for (i = 0; i < d->nfields; i++) {
		if (!enc_present(&d->fields[i], m))
			continue;
		if (enc_raw(pk, 0, d->fields[i].key, strlen(d->fields[i].key)))
			return 1;
		if ((r = enc_value(pk, &d->fields[i], m)) != 0)
			return r;
	}
	return 0;
}

int
schema_encode(enum schema_kind kind, const void *msg, struct buf *out)
{
	msgpack_packer pk;
	int	       r;

	buf_reset(out);
	if (kind < 0 || kind >= SCHEMA_KIND_COUNT || msg == NULL)
		return -ERR_INTERNAL;
	msgpack_packer_init(&pk, out, enc_write);
	errno = 0;
	if ((r = enc_map(&pk, kind, msg)) == 0)
		return 0;
	buf_reset(out);
	if (r < 0)
		return -ERR_INTERNAL;
	return errno == ENOMEM ? -ERR_NOMEM : -ERR_PROTOCOL;
}
