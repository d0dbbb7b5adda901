/*
 * utf8.h: the one UTF-8 decoder of the project (RFC 3629).  Whatever prints
 * or forwards peer text (json.c, safetext.c) asks it whether a sequence is
 * well formed instead of keeping its own copy of the rules.
 */
#ifndef FTPD_UTF8_H
#define FTPD_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_SEQ_MAX 4 /* longest sequence, bytes */

/*
 * utf8_decode: decode the one UTF-8 sequence that starts at p[0], reading
 * at most len bytes.  Well formed means RFC 3629 section 4: the shortest
 * form only (no overlong encodings such as C0 9B or E0 80 9B), no UTF-16
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, and the whole
 * sequence within len.  An ASCII byte, NUL included, is a sequence of one.
 * Returns the sequence length (1..UTF8_SEQ_MAX bytes) with the code point
 * in *cp, or -ERR_PROTOCOL when the bytes at p are not a well-formed
 * sequence (or len is 0), with *cp set to 0.
 */
__attribute__((warn_unused_result)) int utf8_decode(const uint8_t *p,
    size_t len, uint32_t *cp);

#endif
