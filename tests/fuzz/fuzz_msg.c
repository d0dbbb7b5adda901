/*
 * fuzz_msg.c: libFuzzer target for common/msg.c: msg_check, the walk that
 * proves every message a peer sends before the schema decoder unpacks it.
 * Arbitrary bytes must never crash it or make it read out of bounds.  It
 * also cross-checks msg_check against msgpack-c: bytes msg_check accepts
 * must unpack as exactly one object, using them all.  Bytes it refuses are
 * not unpacked (an unproven count may make msgpack-c allocate gigabytes).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <msgpack.h>

#include "common/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msgpack_zone   z;
	msgpack_object o;
	size_t	       off = 0;

	if (msg_check(data, size) != 0)
		return 0;
	if (!msgpack_zone_init(&z, 2048))
		abort();
	if (msgpack_unpack((const char *)data, size, &off, &z, &o) !=
		MSGPACK_UNPACK_SUCCESS ||
	    off != size)
		abort(); /* msg_check passed bytes msgpack-c refuses */
	msgpack_zone_destroy(&z);
	return 0;
}
