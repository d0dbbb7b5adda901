/*
 * msg.c: msg_check, the walk that proves untrusted msgpack bytes before
 * anything unpacks them (common/schema_decode.c runs it on every message):
 * it allocates nothing and checks that every declared length and count is
 * backed by real bytes, so a peer cannot make msgpack-c allocate more than
 * a small multiple of the frame it sent.  The small writer and lookups
 * after it remain only for tests/unit/test_handshake.c's scripted peers;
 * protocol code uses common/schema.h.  This file must not trust any length
 * or count before it has been compared with the bytes left, and must not
 * log peer data.
 */
#include <stdint.h>
#include <string.h>

#include <msgpack.h>

#include "common/log.h"
#include "common/msg.h"

/* One msgpack header: bytes it occupies and what follows it. */
struct mp_head {
	uint64_t size;	/* header bytes plus payload bytes (str/bin/ext/num) */
	uint64_t count; /* child objects (array n, map 2n); 0 for scalars */
	int	 container;
};

/*
 * Packer callback: grow the sbuffer or give up.  Messages we build are a
 * few KiB at most, so running out of memory here is a broken process, not
 * a peer's doing (fatal is allowed for that, STYLE.md).
 */
static int
msgw_write(void *data, const char *buf, size_t len)
{
	if (msgpack_sbuffer_write(data, buf, len) != 0)
		fatalx("msg: out of memory building a message");
	return 0;
}

void
msgw_init(struct msgw *w, uint32_t n)
{
	msgpack_sbuffer_init(&w->sb);
	msgpack_packer_init(&w->pk, &w->sb, msgw_write);
	msgpack_pack_map(&w->pk, n);
}

void
msgw_free(struct msgw *w)
{
	msgpack_sbuffer_destroy(&w->sb);
	w->sb.data = NULL;
	w->sb.size = 0;
	w->sb.alloc = 0;
}

static void
msgw_key(struct msgw *w, const char *key)
{
	size_t len = strlen(key);

	msgpack_pack_str(&w->pk, len);
	msgpack_pack_str_body(&w->pk, key, len);
}

void
msgw_str(struct msgw *w, const char *key, const char *val)
{
	size_t len = val == NULL ? 0 : strlen(val);

	msgw_key(w, key);
	msgpack_pack_str(&w->pk, len);
	if (len > 0)
		msgpack_pack_str_body(&w->pk, val, len);
}

void
msgw_uint(struct msgw *w, const char *key, uint64_t val)
{
	msgw_key(w, key);
	msgpack_pack_uint64(&w->pk, val);
}

void
msgw_bin(struct msgw *w, const char *key, const void *p, size_t len)
{
	msgw_key(w, key);
	msgpack_pack_bin(&w->pk, len);
	if (len > 0)
		msgpack_pack_bin_body(&w->pk, p, len);
}

/* Big-endian unsigned of n (1, 2, 4 or 8) bytes; the caller checked n. */
static uint64_t
be_read(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

/*
 * Headers whose payload length is in the next lsize bytes: str, bin
 * (extra = 0) and ext (extra = 1, the ext type byte).
 */
static int
head_sized(const uint8_t *p, size_t left, size_t lsize, size_t extra,
    struct mp_head *h)
{
	if (left < 1 + lsize)
		return -1;
	h->size = 1 + lsize + extra + be_read(p + 1, lsize);
	return 0;
}

static int
head_container(const uint8_t *p, size_t left, size_t lsize, int map,
    struct mp_head *h)
{
	if (left < 1 + lsize)
		return -1;
	h->size = 1 + lsize;
	h->count = be_read(p + 1, lsize) * (map ? 2 : 1);
	h->container = 1;
	return 0;
}

/* The 0xc0..0xdf type bytes (msgpack spec.md, "Overview"). */
static int
head_typed(const uint8_t *p, size_t left, struct mp_head *h)
{
	/* Whole size of the fixed-size types; 0: handled below or invalid. */
	static const uint8_t fixed[32] = {
		1, 0, 1, 1, 0, 0, 0, 0, 0, 0, /* c0 nil, c1 unused, bool */
		5, 9, 2, 3, 5, 9, 2, 3, 5, 9, /* ca float .. d3 int 64 */
		3, 4, 6, 10, 18,	      /* d4..d8 fixext 1..16 */
		0, 0, 0, 0, 0, 0, 0	      /* d9..df str, array, map */
	};
	uint8_t b = p[0];

	switch (b) {
	case 0xc4:
	case 0xd9:
		return head_sized(p, left, 1, 0, h);
	case 0xc5:
	case 0xda:
		return head_sized(p, left, 2, 0, h);
	case 0xc6:
	case 0xdb:
		return head_sized(p, left, 4, 0, h);
	case 0xc7:
		return head_sized(p, left, 1, 1, h);
	case 0xc8:
		return head_sized(p, left, 2, 1, h);
	case 0xc9:
		return head_sized(p, left, 4, 1, h);
	case 0xdc:
		return head_container(p, left, 2, 0, h);
	case 0xdd:
		return head_container(p, left, 4, 0, h);
	case 0xde:
		return head_container(p, left, 2, 1, h);
	case 0xdf:
		return head_container(p, left, 4, 1, h);
	default:
		break;
	}
	if (fixed[b - 0xc0] == 0) /* 0xc1 "never used" */
		return -1;
	h->size = fixed[b - 0xc0];
	return 0;
}

/* Decode the header at p (left > 0 bytes available). */
static int
head_read(const uint8_t *p, size_t left, struct mp_head *h)
{
	uint8_t b = p[0];

	h->size = 1;
	h->count = 0;
	h->container = 0;
	if (b <= 0x7f || b >= 0xe0) /* positive or negative fixint */
		return 0;
	if (b <= 0x8f) {
		h->count = 2 * (uint64_t)(b & 0x0f);
		h->container = 1;
		return 0;
	}
	if (b <= 0x9f) {
		h->count = b & 0x0f;
		h->container = 1;
		return 0;
	}
	if (b <= 0xbf) {
		h->size = 1 + (uint64_t)(b & 0x1f);
		return 0;
	}
	return head_typed(p, left, h);
}

int
msg_check(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t       pending[MSG_DEPTH_MAX + 1]; /* objects owed per level */
	uint64_t       owed = 1; /* sum of pending[]: each needs >= 1 byte */
	size_t	       off = 0;
	int	       top = 0;
	struct mp_head h;

	if (p == NULL || len == 0)
		return -1;
	pending[0] = 1;
	while (top >= 0) {
		/* SECURITY: every owed object needs at least one byte. */
		if (owed > len - off)
			return -1;
		if (head_read(p + off, len - off, &h) == -1 ||
		    h.size > len - off)
			return -1;
		off += h.size;
		pending[top]--;
		owed--;
		if (h.container) {
			/* This container is nested top + 1 deep (empty too). */
			if (top + 1 > MSG_DEPTH_MAX)
				return -1;
			if (owed + h.count > len - off)
				return -1;
			if (h.count > 0) {
				pending[++top] = h.count;
				owed += h.count;
			}
		}
		while (top >= 0 && pending[top] == 0)
			top--;
	}
	return off == len ? 0 : -1;
}

int
msg_parse(struct msg *m, const void *p, size_t len)
{
	msgpack_unpack_return r;
	size_t		      off = 0;
	char		     *copy;

	msgpack_unpacked_init(&m->u);
	m->map = NULL;
	if (msg_check(p, len) == -1)
		return -1;
	/*
	 * Unpack a private copy kept in the zone, so strings and bins stay
	 * valid for as long as m does, whatever the caller does with p.
	 */
	if ((m->u.zone = msgpack_zone_new(MSGPACK_ZONE_CHUNK_SIZE)) == NULL)
		return -1;
	if ((copy = msgpack_zone_malloc(m->u.zone, len)) == NULL)
		goto fail;
	memcpy(copy, p, len);
	r = msgpack_unpack(copy, len, &off, m->u.zone, &m->u.data);
	if (r != MSGPACK_UNPACK_SUCCESS || off != len ||
	    m->u.data.type != MSGPACK_OBJECT_MAP)
		goto fail;
	m->map = &m->u.data;
	return 0;
fail:
	msg_free(m);
	return -1;
}

void
msg_free(struct msg *m)
{
	msgpack_unpacked_destroy(&m->u);
	m->map = NULL;
}

/* msg_obj: the value of key (a str key of the same bytes), or NULL. */
static const msgpack_object *
msg_obj(const struct msg *m, const char *key)
{
	const msgpack_object_kv *kv;
	size_t			 klen = strlen(key);
	uint32_t		 i;

	if (m == NULL || m->map == NULL)
		return NULL;
	for (i = 0; i < m->map->via.map.size; i++) {
		kv = &m->map->via.map.ptr[i];
		/* An empty str may have a NULL ptr: no memcmp on it. */
		if (kv->key.type == MSGPACK_OBJECT_STR &&
		    kv->key.via.str.size == klen &&
		    (klen == 0 || memcmp(kv->key.via.str.ptr, key, klen) == 0))
			return &kv->val; /* the first one wins */
	}
	return NULL;
}

static const msgpack_object *
msg_typed(const struct msg *m, const char *key, msgpack_object_type type)
{
	const msgpack_object *o = msg_obj(m, key);

	return o != NULL && o->type == type ? o : NULL;
}

int
msg_cstr(const struct msg *m, const char *key, char *dst, size_t dstlen)
{
	const msgpack_object *o = msg_typed(m, key, MSGPACK_OBJECT_STR);
	const char	     *s;
	size_t		      len;

	if (dstlen == 0)
		return -1;
	dst[0] = '\0';
	if (o == NULL)
		return -1;
	s = o->via.str.ptr;
	len = o->via.str.size;
	/* SECURITY: a NUL inside would silently shorten a path. */
	if (len >= dstlen || (len > 0 && memchr(s, '\0', len) != NULL))
		return -1;
	if (len > 0)
		memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

int
msg_int(const struct msg *m, const char *key, int64_t *v)
{
	const msgpack_object *o = msg_obj(m, key);

	*v = 0;
	if (o == NULL)
		return -1;
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

int
msg_bool(const struct msg *m, const char *key, int *v)
{
	const msgpack_object *o = msg_typed(m, key, MSGPACK_OBJECT_BOOLEAN);

	*v = 0;
	if (o == NULL)
		return -1;
	*v = o->via.boolean ? 1 : 0;
	return 0;
}
