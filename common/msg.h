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

#include <msgpack.h>

#define MSG_DEPTH_MAX 8 /* nesting accepted by msg_check */

/*
 * The writer and the lookups below are left for the scripted peers of
 * tests/unit/test_handshake.c only: the protocol is the schema's
 * (common/schema.h).  They go when that test stops using them.
 */

/* A message being written: map entries are added with the msgw_* calls. */
struct msgw {
	msgpack_sbuffer sb;
	msgpack_packer	pk;
};

/* msgw_init: start a map of n entries (the caller adds exactly n). */
void msgw_init(struct msgw *w, uint32_t n);
void msgw_free(struct msgw *w);
void msgw_str(struct msgw *w, const char *key, const char *val);
void msgw_uint(struct msgw *w, const char *key, uint64_t val);
void msgw_bin(struct msgw *w, const char *key, const void *p, size_t len);

/* A received message. */
struct msg {
	msgpack_unpacked      u;
	const msgpack_object *map; /* the top-level map */
};

/*
 * msg_check: walk the msgpack bytes p[0..len) without allocating: exactly
 * one object, nesting <= MSG_DEPTH_MAX, every str/bin/array/map length
 * within the bytes left.  Returns 0 or -1.
 */
__attribute__((warn_unused_result)) int msg_check(const void *p, size_t len);

/*
 * msg_parse: msg_check, then unpack; the top object must be a map.
 * Returns 0, or -1 (m is then empty; msg_free is still safe).
 */
__attribute__((warn_unused_result)) int msg_parse(struct msg *m, const void *p,
    size_t len);
void					msg_free(struct msg *m);

/*
 * Lookups: 0 and the value when key exists with the right type, -1 if it is
 * missing or of another type.  msg_cstr copies a str into dst and fails on
 * truncation or on a NUL byte inside the string.
 */
int msg_cstr(const struct msg *m, const char *key, char *dst, size_t dstlen);
int msg_int(const struct msg *m, const char *key, int64_t *v);
int msg_bool(const struct msg *m, const char *key, int *v);

#endif
