/*
 * safetext.c: filter peer-supplied text (file names, error messages) before
 * it reaches a terminal (replaced by '?') or a log line (encoded as \xHH,
 * strnvis style), so a hostile peer cannot send escape sequences nor fake
 * a line break.
 * Whether bytes are well-formed UTF-8 is utf8_decode's decision (utf8.h);
 * this file must not keep its own decoder.  It only copies, replaces and
 * encodes; it never interprets the text.
 */
#include <stdint.h>
#include <string.h>

#include "common/safetext.h"
#include "common/utf8.h"

/* SECURITY: C0 controls, DEL and C1 controls can steer a terminal. */
static int
safetext_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

size_t
safetext_copy(char *dst, size_t dstlen, const char *src, size_t len)
{
	const uint8_t *s = (const uint8_t *)src;
	size_t	       i = 0, o = 0;
	uint32_t       cp;
	int	       n;

	if (dstlen == 0)
		return 0;
	while (i < len && o + 1 < dstlen) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n < 0 || safetext_is_control(cp)) {
			/* One '?' per malformed byte or per control. */
			dst[o++] = '?';
			i += n < 0 ? 1 : (size_t)n;
			continue;
		}
		if (o + (size_t)n >= dstlen)
			break; /* never cut a character in half */
		while (n-- > 0)
			dst[o++] = (char)s[i++];
	}
	dst[o] = '\0';
	return o;
}

/* SECURITY: a log line must stay one line: U+2028 and U+2029 end lines too. */
static int
safetext_vis_encoded(uint32_t cp)
{
	return safetext_is_control(cp) || cp == 0x2028 || cp == 0x2029;
}

/* Append the n bytes at p, or the escapes of each, when they fit whole. */
static void
vis_put(char *dst, size_t dstlen, size_t *o, int *full, const char *p, size_t n)
{
	if (*full || *o + n >= dstlen) {
		*full = 1; /* never cut an escape or a character in half */
		return;
	}
	memcpy(dst + *o, p, n);
	*o += n;
}

size_t
safetext_vis(char *dst, size_t dstlen, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t	 *s = (const uint8_t *)src;
	size_t		  i = 0, o = 0, need = 0, k, n;
	char		  esc[4 * UTF8_SEQ_MAX];
	uint32_t	  cp;
	int		  r, full = dstlen == 0;

	while (i < len) {
		r = utf8_decode(s + i, len - i, &cp);
		n = r < 0 ? 1 : (size_t)r; /* a malformed sequence: one byte */
		if (r < 0 || safetext_vis_encoded(cp)) {
			for (k = 0; k < n; k++) {
				esc[4 * k] = '\\';
				esc[4 * k + 1] = 'x';
				esc[4 * k + 2] = hex[s[i + k] >> 4];
				esc[4 * k + 3] = hex[s[i + k] & 15];
			}
			vis_put(dst, dstlen, &o, &full, esc, 4 * n);
			need += 4 * n;
		} else if (cp == '\\') {
			vis_put(dst, dstlen, &o, &full, "\\\\", 2);
			need += 2;
		} else {
			vis_put(dst, dstlen, &o, &full, src + i, n);
			need += n;
		}
		i += n;
	}
	if (dstlen > 0)
		dst[o] = '\0';
	return need;
}
