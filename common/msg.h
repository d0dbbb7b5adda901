/*
 * msg.h: msg_check, the proof of untrusted msgpack bytes (every declared
 * length and count must fit in what is left) that common/schema_decode.c
 * runs before it unpacks a message.  Messages themselves are the schema's
 * (common/schema.h).
 */
#ifndef FTPD_MSG_H
#define FTPD_MSG_H

#include <stddef.h>
#include <stdint.h>

#define MSG_DEPTH_MAX 8 /* nesting accepted by msg_check */

/*
 * msg_check: walk the msgpack bytes p[0..len) without allocating: exactly
 * one object, nesting <= MSG_DEPTH_MAX, every str/bin/array/map length
 * within the bytes left.  Returns 0 or -1.
 */
__attribute__((warn_unused_result)) int msg_check(const void *p, size_t len);

#endif
