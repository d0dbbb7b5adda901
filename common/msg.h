/*
 * msg.h: protocol v1 messages as msgpack maps with short string keys
 * (doc/PROTOCOL.md, "Messages").  Writing goes through msgpack-c's packer;
 * reading first checks the bytes with msg_check (every declared length and
 * count must fit in what is left), then unpacks and looks keys up.  Unknown
 * keys are ignored.
 */
#ifndef FTPD_MSG_H
#define FTPD_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#define MSG_DEPTH_MAX 8 /* nesting accepted by msg_check */

/* A message being written: map entries are added with the msgw_* calls. */
struct msgw {
	msgpack_sbuffer sb;
	msgpack_packer	pk;
};

/* msgw_init: start a map of n entries (the caller adds exactly n). */
void msgw_init(struct msgw *w, uint32_t n);
void msgw_free(struct msgw *w);
void msgw_str(struct msgw *w, const char *key, const char *val);
void msgw_strn(struct msgw *w, const char *key, const char *val, size_t len);
void msgw_uint(struct msgw *w, const char *key, uint64_t val);
void msgw_int(struct msgw *w, const char *key, int64_t val);
void msgw_bool(struct msgw *w, const char *key, int val);
void msgw_bin(struct msgw *w, const char *key, const void *p, size_t len);
/* msgw_key: only the key; the caller packs the value with w->pk. */
void msgw_key(struct msgw *w, const char *key);

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
 * missing or of another type.  Strings and bins point into m (not NUL
 * terminated; msg_cstr copies into dst and fails on truncation or on a NUL
 * byte inside the string).
 */
int msg_str(const struct msg *m, const char *key, const char **s, size_t *len);
int msg_cstr(const struct msg *m, const char *key, char *dst, size_t dstlen);
int msg_uint(const struct msg *m, const char *key, uint64_t *v);
int msg_int(const struct msg *m, const char *key, int64_t *v);
int msg_bool(const struct msg *m, const char *key, int *v);
int msg_bin(const struct msg *m, const char *key, const uint8_t **p,
    size_t *len);
/* msg_obj: any type; returns the object or NULL. */
const msgpack_object *msg_obj(const struct msg *m, const char *key);

#endif
