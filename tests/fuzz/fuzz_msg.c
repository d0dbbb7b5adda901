/*
 * fuzz_msg.c: libFuzzer target for common/msg.c.  Arbitrary bytes go
 * through msg_check, the walk that proves every message a peer sends
 * before the schema decoder unpacks it, and through msg_parse and the
 * lookups left for the handshake tests; none may crash, read out of bounds
 * or allocate much more than the input (run with -malloc_limit_mb).  It
 * also cross-checks msg_check against msgpack-c: a map that msg_check
 * accepts must unpack.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = { "op", "ok", "code", "err", "msg", "path",
	"size", "v", "pk", "proto", "", "digest" };

static void
lookups(const struct msg *m)
{
	size_t	i;
	int64_t n;
	int	b;
	char	cs[64];

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		(void)msg_cstr(m, keys[i], cs, sizeof(cs));
		(void)msg_int(m, keys[i], &n);
		(void)msg_bool(m, keys[i], &b);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg m;
	int	   checked = msg_check(data, size);
	int	   is_map = size > 0 &&
	    ((data[0] & 0xf0) == 0x80 || data[0] == 0xde || data[0] == 0xdf);

	if (msg_parse(&m, data, size) == 0) {
		if (checked != 0 || !is_map)
			abort(); /* parse accepted what check refused */
		lookups(&m);
	} else if (checked == 0 && is_map) {
		abort(); /* msg_check passed bytes msgpack-c refuses */
	}
	lookups(&m); /* on an empty m after failure, or after success */
	msg_free(&m);
	lookups(&m);
	return 0;
}
