/*
 * json.h: writing JSON text (RFC 8259) by hand.  Strings are where a
 * document breaks, so they have one writer that escapes every byte that
 * must be and never lets invalid UTF-8 through: whatever a peer put in a
 * path, the document stays valid.
 */
#ifndef FTPD_JSON_H
#define FTPD_JSON_H

#include <stddef.h>
#include <stdio.h>

/*
 * json_str: write s[0..len) to fp as a JSON string with its quotes (RFC
 * 8259 section 7): '"' and '\\' escaped with a backslash, bytes below 0x20
 * and 0x7f as \u00XX, well-formed UTF-8 as utf8_decode (utf8.h) judges it
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF)
 * copied, and every byte of a malformed sequence as \ufffd.  Returns 0, or
 * -ERR_SYSTEM (error.h) when fp reports a write error (ferror(3); errno
 * holds the cause stdio saw).
 */
int json_str(FILE *fp, const char *s, size_t len);

/*
 * json_cstr: json_str of a NUL-terminated s, or "null" when s is NULL.
 * Returns 0 or -ERR_SYSTEM as json_str.
 */
int json_cstr(FILE *fp, const char *s);

#endif
