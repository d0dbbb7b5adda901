/*
 * fuzz_schema.c: libFuzzer target for the schema decoder, which reads
 * every message a peer sends (common/schema_decode.c).  Arbitrary bytes go
 * through the request decoder, the reply decoder of every reply kind and
 * the hello decoder; each must return cleanly, never read out of bounds or
 * leak.  What decodes must encode again and decode to the same bytes: the
 * decoder never accepts a value the encoder would refuse.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/schema.h"

#define FUZZ_MAX (4 * 1024 * 1024) /* bound of re-encoded messages */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Re-encode what decoded; it must be accepted again, unchanged. */
static void
again(enum schema_kind kind, const void *m, struct buf *b)
{
	struct schema_reply r;
	struct buf	    b2;

	if (schema_encode(kind, m, b) != 0)
		abort();
	if (kind < SCHEMA_OP_COUNT || kind >= SCHEMA_HELLO)
		return;
	buf_init(&b2, FUZZ_MAX);
	if (schema_reply_decode(kind, b->data, b->len, &r, NULL) != 0)
		abort();
	if (schema_encode(r.ok ? kind : SCHEMA_R_ERROR, &r, &b2) != 0 ||
	    b2.len != b->len || memcmp(b2.data, b->data, b->len) != 0)
		abort();
	schema_reply_free(&r);
	buf_free(&b2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schema_req   q;
	struct schema_reply r;
	struct schema_hello h;
	struct buf	    b;
	char		    why[SCHEMA_WHY_LEN];
	int		    k;

	buf_init(&b, FUZZ_MAX);
	if (schema_request_decode(data, size, &q, why) == 0)
		again(q.op, &q, &b);
	for (k = SCHEMA_R_OK; k < SCHEMA_HELLO; k++) {
		if (k == SCHEMA_R_ERROR)
			continue;
		if (schema_reply_decode(k, data, size, &r, why) == 0)
			again(r.ok ? k : SCHEMA_R_ERROR, &r, &b);
		schema_reply_free(&r);
	}
	if (schema_decode(SCHEMA_HELLO, data, size, &h, why) == 0)
		again(SCHEMA_HELLO, &h, &b);
	buf_free(&b);
	return 0;
}
