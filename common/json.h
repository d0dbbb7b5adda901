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
 * and 0x7f as \u00XX, well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) copied, and every byte of a
 * malformed sequence as \ufffd.  Returns 0, or -1 when fp reports a write
 * error.
 */
int json_str(FILE *fp, const char *s, size_t len);

/* json_cstr: json_str of a NUL-terminated s, or "null" when s is NULL. */
int json_cstr(FILE *fp, const char *s);

#endif
