/*
 * safetext.h: make text from a peer safe to print on a terminal
 * (safetext_copy: replace) or to write to a log (safetext_vis: encode).
 */
#ifndef FTPD_SAFETEXT_H
#define FTPD_SAFETEXT_H

#include <stddef.h>

/*
 * safetext_copy: copy len bytes of src into dst (dstlen bytes, always NUL
 * terminated when dstlen > 0), replacing with '?' every byte that could
 * steer a terminal: C0 controls and DEL, C1 controls whether raw (0x80-0x9f)
 * or UTF-8 encoded (U+0080-U+009F), and every byte of a sequence that is
 * not well-formed UTF-8 as utf8_decode (utf8.h, RFC 3629 section 4) judges
 * it: overlong forms (such as C0 9B or E0 80 9B, an overlong CSI),
 * surrogates, code points above U+10FFFF, cut sequences.  Valid UTF-8 text
 * passes unchanged; a character that does not fit whole in dst is left out
 * and the copy ends there.  Returns the bytes written, without the NUL
 * (0 when dstlen is 0); it cannot fail.
 */
size_t safetext_copy(char *dst, size_t dstlen, const char *src, size_t len);

/*
 * safetext_vis: copy len bytes of src into dst (dstlen bytes, always NUL
 * terminated when dstlen > 0), encoding in the manner of strnvis(3) with
 * VIS_HEX what must not reach a log line raw: every byte of a C0 control,
 * DEL, a C1 control (raw 0x80-0x9f or UTF-8 encoded U+0080-U+009F), a
 * line or paragraph separator (U+2028, U+2029) and of a sequence that is
 * not well-formed UTF-8 (as utf8_decode judges it) becomes "\xHH" (two
 * lower-case hex digits); a backslash becomes "\\", so the encoding can
 * be undone.  Valid UTF-8 text passes unchanged.  An escape or character
 * that does not fit whole in dst is left out and the copy ends there.
 * Returns, as snprintf(3) does, the length of the whole encoding without
 * the NUL: a result >= dstlen means dst holds a cut copy.  It cannot fail.
 */
size_t safetext_vis(char *dst, size_t dstlen, const char *src, size_t len);

#endif
