/*
 * test_schema.c: unit tests of common/schema.c driven by the table itself:
 * for every message kind a sample built from the table's limits makes a
 * round trip; then, field by field, the same map without the field, with a
 * value of the wrong type, and with a value just past its limit must get
 * the answer the table promises; unknown keys are ignored.  Fixed byte
 * strings from doc/PROTOCOL.md pin the wire form of a few messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#include "common/error.h"
#include "common/schema.h"
#include "common/schema_table.h"

/* Storage behind sample strings and arrays: big enough for every kind. */
static char		   text[512];
static uint8_t		   bytes[64];
static struct schema_entry sample_entries[2];

static void fill(enum schema_kind kind, void *m);

/* One field of a sample: the smallest valid value above zero. */
static void
fill_field(const struct schema_field *f, void *m)
{
	size_t n;

	switch (f->type) {
	case FT_STR:
		n = f->lo > 0 ? (size_t)f->lo : (f->hi < 3 ? f->hi : 3);
		SCHEMA_AT(struct schema_str *, m, f->off)->p = text;
		SCHEMA_AT(struct schema_str *, m, f->off)->len = n;
		break;
	case FT_BIN:
		SCHEMA_AT(struct schema_bin *, m, f->off)->p = bytes;
		SCHEMA_AT(struct schema_bin *, m, f->off)->len = (size_t)f->lo;
		break;
	case FT_UINT:
		*SCHEMA_AT(uint64_t *, m, f->off) =
		    f->lo > 0 ? (uint64_t)f->lo : 7;
		break;
	case FT_INT:
		*SCHEMA_AT(int64_t *, m, f->off) = f->lo > 0 ? f->lo : -5;
		break;
	case FT_BOOL:
		*SCHEMA_AT(int *, m, f->off) = 1;
		break;
	case FT_MAP:
		fill(f->sub, SCHEMA_AT(char *, m, f->off));
		break;
	case FT_STRS:
		SCHEMA_AT(struct schema_strs *, m, f->off)->n = 2;
		SCHEMA_AT(struct schema_strs *, m, f->off)->v[0] =
		    (struct schema_str){ text, 3 };
		SCHEMA_AT(struct schema_strs *, m, f->off)->v[1] =
		    (struct schema_str){ text, SCHEMA_NAME_MAX };
		break;
	default:
		fill(f->sub, &sample_entries[0]);
		fill(f->sub, &sample_entries[1]);
		*SCHEMA_AT(struct schema_entry **, m, f->off) = sample_entries;
		*SCHEMA_AT(size_t *, m, f->count_off) = 2;
	}
	if (!f->required)
		*SCHEMA_AT(uint8_t *, m, f->has_off) = 1;
}

static void
fill(enum schema_kind kind, void *m)
{
	const struct schema_def *d = &schema_defs[kind];
	size_t			 i;

	memset(m, 0, d->size);
	if (kind < SCHEMA_OP_COUNT)
		((struct schema_req *)m)->op = kind;
	for (i = 0; i < d->nfields; i++)
		fill_field(&d->fields[i], m);
}

/* Decode as the kind's own entry point would. */
static int
decode(enum schema_kind kind, const uint8_t *p, size_t len, void *m)
{
	char why[SCHEMA_WHY_LEN];
	int  r;

	if (kind < SCHEMA_OP_COUNT)
		return schema_request_decode(p, len, m, why);
	if (kind >= SCHEMA_R_OK && kind < SCHEMA_HELLO &&
	    kind != SCHEMA_R_ERROR) {
		r = schema_reply_decode(kind, p, len, m, why);
		return r;
	}
	return schema_decode(kind, p, len, m, why);
}

static void
release(enum schema_kind kind, void *m)
{
	if (kind >= SCHEMA_R_OK && kind < SCHEMA_HELLO)
		schema_reply_free(m);
}

static void
test_round_trip(void **state)
{
	union {
		struct schema_req   q;
		struct schema_reply r;
		struct schema_hello h;
		struct schema_lim   l;
		struct schema_entry e;
	} in, out;
	struct buf b, b2;
	int	   k;

	(void)state;
	memset(text, 'a', sizeof(text));
	buf_init(&b, 65536);
	buf_init(&b2, 65536);
	for (k = 0; k < SCHEMA_KIND_COUNT; k++) {
		fill((enum schema_kind)k, &in);
		assert_int_equal(schema_encode(k, &in, &b), 0);
		assert_int_equal(decode(k, b.data, b.len, &out), 0);
		/* Same bytes again from what was decoded. */
		assert_int_equal(schema_encode(k, &out, &b2), 0);
		assert_int_equal(b.len, b2.len);
		assert_memory_equal(b.data, b2.data, b.len);
		release(k, &out);
	}
	buf_free(&b);
	buf_free(&b2);
}

/*
 * Re-pack the map o, with key `drop` left out or its value replaced by
 * what repl() packs (when repl is not NULL), plus extra unknown keys.
 */
static void
repack(msgpack_packer *pk, const msgpack_object *o, const char *key, int drop,
    void (*repl)(msgpack_packer *, const struct schema_field *),
    const struct schema_field *f)
{
	uint32_t i, n = o->via.map.size;
	size_t	 klen = strlen(key);
	int	 hit;

	msgpack_pack_map(pk, n - (drop ? 1 : 0) + 2);
	msgpack_pack_str_with_body(pk, "zz", 2); /* unknown keys: ignored */
	msgpack_pack_nil(pk);
	msgpack_pack_int(pk, 5); /* a key that is not a str */
	msgpack_pack_true(pk);
	for (i = 0; i < n; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];

		hit = kv->key.via.str.size == klen &&
		    memcmp(kv->key.via.str.ptr, key, klen) == 0;
		if (hit && drop)
			continue;
		msgpack_pack_object(pk, kv->key);
		if (hit)
			repl(pk, f);
		else
			msgpack_pack_object(pk, kv->val);
	}
}

/* A value of another msgpack type than f's. */
static void
wrong_type(msgpack_packer *pk, const struct schema_field *f)
{
	if (f->type == FT_STR)
		msgpack_pack_bin_with_body(pk, "ab", 2);
	else
		msgpack_pack_str_with_body(pk, "ab", 2);
}

/* A value just past f's upper limit (callers skip fields without one). */
static void
too_big(msgpack_packer *pk, const struct schema_field *f)
{
	static char big[70000];
	size_t	    i;

	switch (f->type) {
	case FT_STR:
		msgpack_pack_str_with_body(pk, big, f->hi + 1);
		break;
	case FT_BIN:
		msgpack_pack_bin_with_body(pk, big, f->hi + 1);
		break;
	case FT_UINT:
		msgpack_pack_uint64(pk, f->hi + 1);
		break;
	case FT_INT:
		msgpack_pack_int64(pk, (int64_t)f->hi + 1);
		break;
	case FT_STRS:
		msgpack_pack_array(pk, f->hi + 1);
		for (i = 0; i <= f->hi; i++)
			msgpack_pack_str_with_body(pk, "x", 1);
		break;
	default: /* FT_ARRAY */
		msgpack_pack_array(pk, f->hi + 1);
		for (i = 0; i <= f->hi; i++)
			msgpack_pack_nil(pk);
	}
}

static int
has_upper(const struct schema_field *f)
{
	if (f->type == FT_BOOL || f->type == FT_MAP)
		return 0;
	return f->hi < (uint64_t)INT64_MAX;
}

/* Decode the variant of kind's sample; returns decode's result. */
static int
variant(enum schema_kind kind, const struct schema_field *f, int drop,
    void (*repl)(msgpack_packer *, const struct schema_field *), void *out)
{
	union {
		struct schema_req   q;
		struct schema_reply r;
		struct schema_hello h;
	} in;
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
	msgpack_unpacked u;
	struct buf	 b;
	int		 r;

	fill(kind, &in);
	buf_init(&b, 65536);
	assert_int_equal(schema_encode(kind, &in, &b), 0);
	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, (const char *)b.data, b.len,
			     NULL),
	    MSGPACK_UNPACK_SUCCESS);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	repack(&pk, &u.data, f->key, drop, repl, f);
	r = decode(kind, (const uint8_t *)sb.data, sb.size, out);
	msgpack_sbuffer_destroy(&sb);
	msgpack_unpacked_destroy(&u);
	buf_free(&b);
	return r;
}

static void
test_every_field(void **state)
{
	union {
		struct schema_req   q;
		struct schema_reply r;
		struct schema_hello h;
	} out;
	const struct schema_field *f;
	int			   k, want;
	size_t			   i;

	(void)state;
	memset(text, 'a', sizeof(text));
	for (k = 0; k < SCHEMA_KIND_COUNT; k++) {
		for (i = 0; i < schema_defs[k].nfields; i++) {
			f = &schema_defs[k].fields[i];
			want = f->required ? -ERR_PROTOCOL : 0;
			assert_int_equal(variant(k, f, 1, NULL, &out), want);
			release(k, &out);
			if (want == 0 && f->type == FT_UINT)
				assert_int_equal(*SCHEMA_AT(uint64_t *, &out,
						     f->off),
				    (uint64_t)f->def);
			assert_int_equal(variant(k, f, 0, wrong_type, &out),
			    -ERR_PROTOCOL);
			release(k, &out);
			if (!has_upper(f))
				continue;
			want = f->toolong ? -f->toolong : -ERR_PROTOCOL;
			assert_int_equal(variant(k, f, 0, too_big, &out), want);
			release(k, &out);
		}
	}
}

/* The request of PROTOCOL.md section 6, byte for byte. */
static void
test_wire_bytes(void **state)
{
	static const uint8_t auth[] = { 0x82, 0xa2, 'o', 'p', 0xa4, 'a', 'u',
		't', 'h', 0xa6, 'm', 'e', 't', 'h', 'o', 'd', 0xa6, 's', 'e',
		'c', 'r', 'e', 't' };
	static const uint8_t ok[] = { 0x81, 0xa2, 'o', 'k', 0xc3 };
	struct schema_req    q;
	struct schema_reply  r;
	struct buf	     b;

	(void)state;
	buf_init(&b, 1024);
	memset(&q, 0, sizeof(q));
	q.method = schema_cstr("secret");
	assert_int_equal(schema_encode(SCHEMA_AUTH, &q, &b), 0);
	assert_int_equal(b.len, sizeof(auth));
	assert_memory_equal(b.data, auth, sizeof(auth));
	memset(&r, 0, sizeof(r));
	assert_int_equal(schema_encode(SCHEMA_R_OK, &r, &b), 0);
	assert_int_equal(b.len, sizeof(ok));
	assert_memory_equal(b.data, ok, sizeof(ok));
	buf_free(&b);
}

static void
test_bad_requests(void **state)
{
	static const uint8_t no_op[] = { 0x81, 0xa4, 'p', 'a', 't', 'h', 0xa1,
		'x' };
	static const uint8_t unknown[] = { 0x81, 0xa2, 'o', 'p', 0xa3, 'z', 'a',
		'p' };
	static const uint8_t not_map[] = { 0x92, 0x01, 0x02 };
	static const uint8_t trailing[] = { 0x80, 0x00 };
	static const uint8_t op_int[] = { 0x81, 0xa2, 'o', 'p', 0x01 };
	struct schema_req    q;
	char		     why[SCHEMA_WHY_LEN];

	(void)state;
	assert_int_equal(schema_request_decode(no_op, sizeof(no_op), &q, why),
	    -ERR_PROTOCOL);
	assert_int_equal(schema_request_decode(unknown, sizeof(unknown), &q,
			     why),
	    -ERR_UNKNOWN_OP);
	assert_int_equal(schema_request_decode(not_map, sizeof(not_map), &q,
			     why),
	    -ERR_PROTOCOL);
	assert_int_equal(schema_request_decode(trailing, sizeof(trailing), &q,
			     why),
	    -ERR_PROTOCOL);
	assert_int_equal(schema_request_decode(op_int, sizeof(op_int), &q, why),
	    -ERR_PROTOCOL);
	assert_int_equal(schema_request_decode(NULL, 0, &q, why),
	    -ERR_PROTOCOL);
}

/* An error reply decodes through any success kind; ok must be a bool. */
static void
test_reply_error(void **state)
{
	struct schema_reply r, out;
	struct buf	    b;

	(void)state;
	buf_init(&b, 1024);
	memset(&r, 0, sizeof(r));
	r.code = ERR_NOT_FOUND;
	r.err = schema_cstr(err_name(ERR_NOT_FOUND));
	r.msg = schema_cstr("no such file");
	assert_int_equal(schema_encode(SCHEMA_R_ERROR, &r, &b), 0);
	assert_int_equal(schema_reply_decode(SCHEMA_R_STAT, b.data, b.len, &out,
			     NULL),
	    0);
	assert_int_equal(out.ok, 0);
	assert_int_equal(out.code, ERR_NOT_FOUND);
	assert_true(schema_str_is(out.msg, "no such file"));
	schema_reply_free(&out);
	/* The encoder refuses values off the table's limits. */
	r.code = 0;
	assert_int_equal(schema_encode(SCHEMA_R_ERROR, &r, &b), -ERR_INTERNAL);
	/* A maximum too small for the message. */
	buf_free(&b);
	buf_init(&b, 4);
	r.code = ERR_IO;
	assert_int_equal(schema_encode(SCHEMA_R_ERROR, &r, &b), -ERR_PROTOCOL);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_wire_bytes),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_reply_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
