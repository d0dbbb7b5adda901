/*
 * msg.c: msg_check, the walk that proves untrusted msgpack bytes before
 * anything unpacks them (common/schema_decode.c runs it on every message):
 * it allocates nothing and checks that every declared length and count is
 * backed by real bytes, so a peer cannot make msgpack-c allocate more than
 * a small multiple of the frame it sent.  Messages themselves are the
 * schema's (common/schema.h).  This file must not trust any length or
 * count before it has been compared with the bytes left, and must not log
 * peer data.
 */
#include <stdint.h>
#include <string.h>

#include "common/msg.h"

/* One msgpack header: bytes it occupies and what follows it. */
struct mp_head {
	uint64_t size;	/* header bytes plus payload bytes (str/bin/ext/num) */
	uint64_t count; /* child objects (array n, map 2n); 0 for scalars */
	int	 container;
};

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
