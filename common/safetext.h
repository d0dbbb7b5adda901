/*
 * safetext.h: make text from a peer safe to print on a terminal.
 */
#ifndef FTPD_SAFETEXT_H
#define FTPD_SAFETEXT_H

#include <stddef.h>

/*
 * safetext_copy: copy len bytes of src into dst (dstlen bytes, always NUL
 * terminated when dstlen > 0), replacing with '?' every byte that could
 * steer a terminal: C0 controls and DEL, C1 controls whether raw (0x80-0x9f)
 * or UTF-8 encoded (U+0080-U+009F), and any byte that does not start a
 * well-formed UTF-8 sequence (RFC 3629).  Valid UTF-8 text passes unchanged;
 * a sequence that does not fit whole is cut.  Returns the bytes written.
 */
size_t safetext_copy(char *dst, size_t dstlen, const char *src, size_t len);

#endif
